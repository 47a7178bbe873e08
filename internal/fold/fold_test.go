package fold

import (
	"bytes"
	"encoding/csv"
	"os"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/civicgrid/civicgrid/internal/cputime"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"陸家嘴":   "陆家嘴",
		"全角１２３": "全角123",
		"１２３":   "123",
		"上海市長寧區仙霞西路８８號":      "上海市长宁区仙霞西路88号",
		"ＡＢＣ　Ｄ":              "abc d",
		"XJ-123":             "xj-123",
		"already simple 陆家嘴": "already simple 陆家嘴",
		"噪音擾民、亂搭亂建、違章停車":     "噪音扰民、乱搭乱建、违章停车",
		"社區居委會門口垃圾桶滿溢":       "社区居委会门口垃圾桶满溢",
		"\uF9B8":             "隶", // a compatibility ideograph → unified 隸 → simplified
		"":                   "",
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
	// Folding is idempotent.
	for _, s := range []string{"陸家嘴１２３", "長寧區Ａ座"} {
		if String(String(s)) != String(s) {
			t.Errorf("Fold is not idempotent on %q", s)
		}
	}
	if n := testing.AllocsPerRun(100, func() { String("剑河路176弄12号") }); n != 0 {
		t.Errorf("Fold of folded text allocates %v times", n)
	}
}

func BenchmarkFold(b *testing.B) {
	s := "上海市長寧區新涇鎮劍河路１７６弄１２號，門口垃圾桶滿溢，ABC物業不處理"
	b.SetBytes(int64(len(s)))
	cpu0, n := cputime.Now(), 0
	for b.Loop() {
		String(s)
		n++
	}
	cputime.Report(b, cpu0, n)
}

// TestFoldKeepsShanghaiNames: every simplified name of Shanghai's 234 towns and 6,509
// residents' and village committees (../shared/data/admin_codes) folds to itself: the table
// maps no simplified character of real place names to something else.
func TestFoldKeepsShanghaiNames(t *testing.T) {
	n := 0
	for _, file := range []string{"shanghai_streets_towns_2023.csv", "shanghai_villages_committees_2023.csv"} {
		data, err := os.ReadFile("../../../shared/data/admin_codes/" + file)
		if err != nil {
			t.Skipf("admin codes not here: %v", err)
		}
		rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows[1:] {
			// NFKC turns the full-width brackets of 水产村（方泰）into ASCII; 峯 is a variant of 峰
			// (九峯里) and folds to it, which search wants.
			want := strings.ReplaceAll(norm.NFKC.String(r[1]), "峯", "峰")
			if got := String(r[1]); got != strings.ToLower(want) {
				t.Errorf("String(%q) = %q", r[1], got)
			}
			n++
		}
	}
	if n < 6000 {
		t.Errorf("only %d names checked", n)
	}
}
