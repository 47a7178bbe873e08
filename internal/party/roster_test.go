package party_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/idnumber"
	"github.com/civicgrid/civicgrid/internal/party"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/sheet/sheettest"
	"github.com/civicgrid/civicgrid/internal/store"
)

// idNumber makes a valid resident ID number of a birth date (YYYYMMDD), a sequence and a gender.
func idNumber(birth string, seq int, male bool) string {
	return idnumber.Make("310105", birth, seq, male)
}

var rosterHeader = []string{"姓名", "性别", "出生日期", "转正日期", "所在党组织", "联系电话", "身份证号"}

// Every problem of a row is reported with its row and column; one bad row refuses the file.
func TestParseRosterProblems(t *testing.T) {
	good := []string{"王建国", "男", "1950-06-30", "1975-07-01", "绿八居民区党总支", "13912345678", idNumber("19500630", 1, true)}
	with := func(col int, v string) []string {
		r := append([]string(nil), good...)
		r[6] = idNumber("19500630", 3, true) // another person
		r[col] = v
		return r
	}
	cases := []struct {
		name           string
		row            []string
		column, code   string
		field, payload string
	}{
		{"empty name", with(0, ""), "A", party.ProblemRequired, "name", ""},
		{"gender", with(1, "未知"), "B", party.ProblemGender, "gender", "未知"},
		{"birth not a date", with(2, "1950-13-01"), "C", party.ProblemDate, "birth_date", "1950-13-01"},
		{"joined in the future", with(3, "2030-01-01"), "D", party.ProblemFuture, "joined", "2030-01-01"},
		{"joined at 17", with(3, "1968-06-29"), "D", party.ProblemTooYoung, "joined", "1968-06-29"},
		{"no organisation", with(4, ""), "E", party.ProblemRequired, "branch", ""},
		{"phone", with(5, "电话坏了"), "F", party.ProblemPhone, "phone", "电话坏了"},
		{"ID check digit", with(6, "310105195006300110"), "G", party.ProblemIDNumber, "id_number", "310105195006300110"},
		{"ID birth differs", with(6, idNumber("19500701", 1, true)), "G", party.ProblemIDBirth, "id_number", "19500701"},
		{"ID gender differs", with(6, idNumber("19500630", 1, false)), "G", party.ProblemIDGender, "id_number", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := party.ParseRoster([][]string{rosterHeader, good, c.row}, now)
			var re *party.RosterError
			if !errors.As(err, &re) || !errors.Is(err, problem.ErrInvalid) {
				t.Fatalf("err = %v, want a RosterError", err)
			}
			p := re.Problems[0]
			if len(re.Problems) != 1 || p.Row != 3 || p.Column != c.column || p.Code != c.code || p.Field != c.field || p.Value != c.payload {
				t.Errorf("problems = %+v, want row 3 column %s %s %s %q", re.Problems, c.column, c.field, c.code, c.payload)
			}
		})
	}
	// Headers in English, in another order; dates as Excel serial numbers and as 年月日.
	rows, err := party.ParseRoster([][]string{
		{"ID number", "Name", "Organisation", "Gender", "Date of birth", "Full membership"},
		{idNumber("19500630", 2, false), "李秀英", "绿八居民区党总支", "女", "18444", "1975年7月1日"},
	}, now)
	if err != nil || len(rows) != 1 || rows[0].BirthDate != "1950-06-30" || rows[0].Joined != "1975-07-01" || rows[0].Gender != "female" {
		t.Fatalf("rows = %+v, %v", rows, err)
	}
	// A missing column, a duplicate ID, an empty file.
	_, err = party.ParseRoster([][]string{{"姓名", "性别"}}, now)
	var re *party.RosterError
	if !errors.As(err, &re) || len(re.Problems) != 4 || re.Problems[0].Code != party.ProblemMissingColumn || re.Problems[0].Row != 1 {
		t.Errorf("missing columns: %v", err)
	}
	_, err = party.ParseRoster([][]string{rosterHeader, good, good}, now)
	if !errors.As(err, &re) || re.Problems[0].Code != party.ProblemDuplicate || re.Problems[0].Value != "2" || re.Problems[0].Row != 3 {
		t.Errorf("duplicate: %v", err)
	}
	_, err = party.ParseRoster([][]string{rosterHeader, {"", ""}}, now)
	if !errors.As(err, &re) || re.Problems[0].Code != party.ProblemEmpty {
		t.Errorf("empty: %v", err)
	}
}

// An import is all or nothing: a row naming no organisation of the town refuses the file (its row
// and column named); the good file adds members, the honours follow the imported dates, and a
// second import of the same ID numbers updates them instead of adding.
func TestImportRoster(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, s *party.Service, admin, worker auth.User) {
		year := party.HonourYear(now) // 2025: full members since 1974-07-02 … 1975-07-01
		_, before, err := s.TownHonours(ctx, world.XinjingCode, year)
		if err != nil {
			t.Fatal(err)
		}
		count := func() int {
			var n int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM party_members`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		members := count()
		bad := [][]string{rosterHeader,
			{"王建国", "男", "1950-06-30", "1975-07-01", "绿八居民区党总支", "13912345678", idNumber("19500630", 1, true)},
			{"李秀英", "女", "1952-03-02", "1980-05-01", "不存在的支部", "", idNumber("19520302", 2, false)},
		}
		rows, err := party.ReadRoster(bytes.NewReader(sheettest.XLSX(t, bad)), now)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.ImportRoster(ctx, xj, world.XinjingCode, rows, admin)
		var re *party.RosterError
		if !errors.As(err, &re) || len(re.Problems) != 1 || re.Problems[0].Row != 3 || re.Problems[0].Column != "E" || re.Problems[0].Code != party.ProblemOrg {
			t.Fatalf("import with an unknown organisation: %v", err)
		}
		if count() != members {
			t.Fatalf("a refused import stored members")
		}
		// Without party:roster (a dispatcher manages but does not keep rosters): refused.
		if _, err := s.ImportRoster(ctx, xj, world.XinjingCode, rows, worker); err == nil {
			t.Fatal("a grid worker imported a roster")
		}
		good := append([][]string(nil), bad...)
		good[2] = []string{"李秀英", "女", "1952-03-02", "1980-05-01", "新渔东路居民区党总支", "", idNumber("19520302", 2, false)}
		rows, err = party.ReadRoster(bytes.NewReader(sheettest.XLSX(t, good)), now)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.ImportRoster(ctx, xj, world.XinjingCode, rows, admin)
		if err != nil || res.Added != 2 || res.Updated != 0 {
			t.Fatalf("import = %+v, %v", res, err)
		}
		if count() != members+2 {
			t.Errorf("members %d, want %d", count(), members+2)
		}
		_, after, _ := s.TownHonours(ctx, world.XinjingCode, year)
		if after != before+1 {
			t.Errorf("awarded %d after the import, want %d (王建国, full member since 1975-07-01)", after, before+1)
		}
		// The same people again, 王建国 moved and his date corrected: updated, not added.
		good[1][4], good[1][3] = "新渔东路居民区党总支", "1975-07-02"
		rows, _ = party.ReadRoster(bytes.NewReader(sheettest.XLSX(t, good)), now)
		if res, err = s.ImportRoster(ctx, xj, world.XinjingCode, rows, admin); err != nil || res.Added != 0 || res.Updated != 2 {
			t.Fatalf("re-import = %+v, %v", res, err)
		}
		if _, after, _ = s.TownHonours(ctx, world.XinjingCode, year); after != before {
			t.Errorf("awarded %d after the correction, want %d", after, before)
		}
		ms, err := s.TownRoster(ctx, xj, world.XinjingCode, year)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, m := range ms {
			if m.IDNumber == idNumber("19500630", 1, true) {
				found = m.Org == "新渔东路居民区党总支" && m.Joined == "1975-07-02" && m.Gender == "male" && m.BirthDate == "1950-06-30"
			}
		}
		if !found || len(ms) != members+2 {
			t.Errorf("town roster: 王建国 moved = %v, %d members", found, len(ms))
		}
		// One audit row per import, counting, never naming.
		var detail string
		if err := db.QueryRow(ctx, `SELECT detail FROM audit_log WHERE entity = 'party_member' ORDER BY id DESC LIMIT 1`).Scan(&detail); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(detail, "0 added, 2 updated") || strings.Contains(detail, "王建国") {
			t.Errorf("audit detail = %q", detail)
		}
	})
}

// Editing: an organisation's secretary and reported count; it cannot go under itself; a branch
// with organisations below stays what it is; a network site's offers and links.
func TestUpdateOrgAndSite(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, s *party.Service, admin, worker auth.User) {
		roots, err := s.Tree(ctx, xj, party.HonourYear(now))
		if err != nil {
			t.Fatal(err)
		}
		top := roots[0]
		var child *party.Org
		for _, c := range top.Children {
			if len(c.Children) > 0 || c.Kind == party.KindGeneralBranch {
				child = c
				break
			}
		}
		if child == nil {
			t.Fatal("no general branch under the committee")
		}
		n := party.NewOrg{ParentID: child.ParentID, Name: child.Name, Kind: child.Kind, Sector: child.Sector, Secretary: "新书记", Reported: 120}
		o, err := s.UpdateOrg(ctx, xj, child.ID, n, admin)
		if err != nil || o.Secretary != "新书记" || o.Reported != 120 {
			t.Fatalf("update = %+v, %v", o, err)
		}
		if _, err := s.UpdateOrg(ctx, xj, child.ID, n, worker); err == nil {
			t.Error("a grid worker edited an organisation")
		}
		// Under itself, or under one of its own.
		n.ParentID = child.ID
		if _, err := s.UpdateOrg(ctx, xj, child.ID, n, admin); problem.FieldOf(err) != "parent_id" {
			t.Errorf("under itself: %v", err)
		}
		n.ParentID = child.ParentID
		top2 := party.NewOrg{ParentID: 0, Name: top.Name, Kind: top.Kind, Sector: top.Sector}
		top2.ParentID = child.ID
		if _, err := s.UpdateOrg(ctx, xj, top.ID, top2, admin); problem.FieldOf(err) != "parent_id" {
			t.Errorf("the committee under its own branch: %v", err)
		}
		if len(child.Children) > 0 {
			n.Kind = party.KindBranch
			if _, err := s.UpdateOrg(ctx, xj, child.ID, n, admin); problem.FieldOf(err) != "kind" {
				t.Errorf("a general branch with branches below became a branch: %v", err)
			}
		}
		// Another town's organisation is not found.
		if _, err := s.UpdateOrg(ctx, []string{world.LujiazuiCode}, child.ID, n, admin); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("another town's organisation: %v", err)
		}
		site, err := s.AddSite(ctx, xj, party.Site{TownCode: world.XinjingCode, Kind: "point", Name: "新泾实践点", Offers: "理论宣讲", Lat: 31.21, Lng: 121.37}, admin)
		if err != nil {
			t.Fatal(err)
		}
		site.Offers, site.Links = "理论宣讲、志愿服务", []string{"/volunteers/activities/1", "https://example.org/a"}
		if _, err := s.UpdateSite(ctx, xj, site.ID, site, admin); err != nil {
			t.Fatal(err)
		}
		got, err := s.Site(ctx, xj, site.ID)
		if err != nil || got.Offers != "理论宣讲、志愿服务" || len(got.Links) != 2 {
			t.Errorf("site = %+v, %v", got, err)
		}
		site.Links = []string{"//evil.example/x"}
		if _, err := s.UpdateSite(ctx, xj, site.ID, site, admin); problem.FieldOf(err) != "links[0]" {
			t.Errorf("a protocol-relative link: %v", err)
		}
	})
}
