package dispatch

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

func TestParseAddress(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Parsed
	}{
		{"上海市长宁区新泾镇剑河路１７６弄１２号 王先生 13912345678", Parsed{Province: "上海市", District: "长宁区", Details: "新泾镇剑河路176弄12号", Name: "王先生", Phone: "13912345678"}},
		{"剑河路176弄12号", Parsed{Details: "剑河路176弄12号"}},
		{"上海 上海市 长宁区 天山西路799号，联系电话：021-62345678", Parsed{Province: "上海", District: "长宁区", Details: "天山西路799号", Phone: "021-62345678"}},
		{"李阿姨13800001111仙霞西路88号", Parsed{Details: "仙霞西路88号", Name: "李阿姨", Phone: "13800001111"}},
		{"广东省 东莞市 东城街道", Parsed{Province: "广东省", City: "东莞市", Town: "东城街道"}},
		{"曹家渡市场门口", Parsed{Details: "曹家渡市场门口"}},
		{"天山一村小区12号楼", Parsed{Details: "天山一村小区12号楼"}},
	} {
		if got := ParseAddress(c.in); got != c.want {
			t.Errorf("ParseAddress(%q)\n got %+v\nwant %+v", c.in, got, c.want)
		}
	}
}

// TestParseAddressSharedCases compares ParseAddress with the expected fields of the 46 messy
// addresses of ../shared/data/addresses (address-parse's tests, MIT) where the fields
// correspond: name, mobile, details (spaces ignored), and code for Shanghai's districts (the
// only codes we hold). Our own invariants hold for every case: a mobile written in the address
// is extracted and appears neither in Details nor in Name. Failures are listed, not hidden.
func TestParseAddressSharedCases(t *testing.T) {
	f, err := os.Open("../../../shared/data/addresses/address_parse_testcases.jsonl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared address cases missing: %v", err)
		}
		t.Skipf("shared address cases not here: %v", err)
	}
	defer f.Close()
	districts := shanghaiDistricts(t)
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	var checked, passed, cases int
	var failures []string
	for sc.Scan() {
		var c struct {
			Address  string
			Expected map[string]string
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		cases++
		p := ParseAddress(c.Address)
		if m := mobileIn(c.Address); m != "" {
			if p.Phone != m || strings.Contains(p.Details, m) || strings.Contains(p.Name, m) {
				t.Errorf("%q: mobile %s not extracted cleanly: %+v", c.Address, m, p)
			}
		}
		for field, want := range c.Expected {
			var got string
			switch field {
			case "name":
				got = p.Name
			case "mobile":
				got = p.Phone
			case "details":
				got, want = p.Details, strings.ReplaceAll(want, " ", "")
			case "code":
				if !strings.HasPrefix(want, "31") {
					continue // outside Shanghai: no code table to compare with
				}
				got = districts[strings.TrimSuffix(strings.TrimSuffix(p.District, "区"), "新")]
			default:
				continue
			}
			checked++
			if got == want {
				passed++
			} else {
				failures = append(failures, field+": "+c.Address+" → "+got+" (want "+want+")")
			}
		}
	}
	if cases != 46 {
		t.Errorf("%d cases, want 46", cases)
	}
	t.Logf("%d of %d comparable expected fields match", passed, checked)
	for _, f := range failures {
		t.Logf("differs: %s", f)
	}
	// 22 comparable fields (13 names, 6 details, 1 mobile, 2 Shanghai codes); see docs/DISPATCH.md.
	if checked < 20 || passed < checked-2 {
		t.Errorf("%d of %d expected fields match, want all but 2 at most", passed, checked)
	}
}

var (
	digitRun = regexp.MustCompile(`[0-9]+`)
	mobile   = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
)

func mobileIn(s string) string {
	for _, run := range digitRun.FindAllString(s, -1) {
		if len(run) >= 11 && mobile.MatchString(run[len(run)-11:]) {
			return run[len(run)-11:]
		}
	}
	return ""
}

// shanghaiDistricts maps a district's short name (长宁, 浦东) to its code.
func shanghaiDistricts(t *testing.T) map[string]string {
	f, err := os.Open("../../../shared/data/admin_codes/shanghai_districts_2023.csv")
	if err != nil {
		t.Skipf("district codes not here: %v", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, r := range rows[1:] {
		m[strings.TrimSuffix(strings.TrimSuffix(r[1], "区"), "新")] = r[0]
	}
	return m
}
