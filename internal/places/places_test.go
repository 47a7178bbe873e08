package places_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

const (
	townA = "310105102" // 新泾镇
	townB = "310115005" // 陆家嘴街道
)

var tester = audit.Actor{Name: "test"}

func square(x, y float64) orb.Polygon {
	return orb.Polygon{{{x, y}, {x + 0.01, y}, {x + 0.01, y + 0.01}, {x, y + 0.01}, {x, y}}}
}

// twoTowns stores two tenant towns, each with a grid, a committee, a department and a user.
func twoTowns(t *testing.T, db *store.DB) (userA, userB int64) {
	t.Helper()
	ctx := context.Background()
	for _, r := range []places.Region{
		{Code: "3101", Name: "上海市", Level: "city"},
		{Code: "310105", Name: "长宁区", Level: "district", ParentCode: "3101"},
		{Code: "310115", Name: "浦东新区", Level: "district", ParentCode: "3101"},
		{Code: townA, Name: "新泾镇", Level: "town", ParentCode: "310105", Tenant: true},
		{Code: townB, Name: "陆家嘴街道", Level: "town", ParentCode: "310115", Tenant: true},
	} {
		if err := places.UpsertRegion(ctx, db, r); err != nil {
			t.Fatal(err)
		}
	}
	for i, town := range []string{townA, townB} {
		if _, err := places.SaveGrid(ctx, db, places.Grid{Code: town + "-G01", TownCode: town, Name: "网格一", Polygon: square(121+float64(i), 31)}, tester); err != nil {
			t.Fatal(err)
		}
		if err := places.SaveDepartment(ctx, db, places.Department{Code: town + "-police", TownCode: town, Name: "派出所", Kind: "police"}, tester); err != nil {
			t.Fatal(err)
		}
		if err := places.SaveCommittee(ctx, db, places.Committee{Code: town + "001", TownCode: town, Name: "居委", GridCode: town + "-G01"}); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := db.QueryRow(ctx, `INSERT INTO users (username, display_name, role, town_code, password_hash, created_at) VALUES (?, '', 'gridworker', ?, 'x', 0) RETURNING id`,
			"user"+town, town).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			userA = id
		} else {
			userB = id
		}
	}
	return userA, userB
}

func fieldOf(err error) (string, string) {
	var fe *problem.FieldError
	if errors.As(err, &fe) {
		return fe.Field, fe.Reason
	}
	return "", ""
}

// TestLinksStayInTheTown: every record that points at another — a grid member at its user and
// department, a committee at its grid, a place or address at its grid and committee — is refused
// when the other record is of another town, with the very answer given for an id or code that
// does not exist, so the link cannot be used to learn what other towns hold.
func TestLinksStayInTheTown(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		userA, userB := twoTowns(t, db)
		gridA := townA + "-G01"
		// Each attempt links to v: another town's record, then a code or id that exists nowhere.
		type attempt struct {
			name, foreign, unknown string
			run                    func(v string) error
		}
		attempts := []attempt{
			{"member's user", fmt.Sprint(userB), "987654", func(v string) error {
				id, _ := strconv.ParseInt(v, 10, 64)
				_, err := places.AddMember(ctx, db, []string{townA}, places.Member{GridCode: gridA, Name: "张三", GridRole: "member", UserID: id}, tester)
				return err
			}},
			{"member's department", townB + "-police", "no-such-dept", func(v string) error {
				_, err := places.AddMember(ctx, db, []string{townA}, places.Member{GridCode: gridA, Name: "张三", GridRole: "member", DepartmentCode: v}, tester)
				return err
			}},
			{"member's grid", townB + "-G01", "no-such-grid", func(v string) error {
				_, err := places.AddMember(ctx, db, []string{townA}, places.Member{GridCode: v, Name: "张三", GridRole: "member"}, tester)
				return err
			}},
			{"committee's grid", townB + "-G01", "no-such-grid", func(v string) error {
				return places.SaveCommittee(ctx, db, places.Committee{Code: townA + "099", TownCode: townA, Name: "新居委", GridCode: v})
			}},
			{"place's grid", townB + "-G01", "no-such-grid", func(v string) error {
				return places.SavePlace(ctx, db, places.Place{TownCode: townA, Name: "新地标", Kind: "estate", Lat: 31, Lng: 121, GridCode: v})
			}},
			{"place's committee", townB + "001", "no-such-committee", func(v string) error {
				return places.SavePlace(ctx, db, places.Place{TownCode: townA, Name: "新地标", Kind: "estate", Lat: 31, Lng: 121, CommitteeCode: v})
			}},
			{"address's grid", townB + "-G01", "no-such-grid", func(v string) error {
				return places.SaveAddress(ctx, db, places.Address{TownCode: townA, Text: "新泾路1号", Lat: 31, Lng: 121, GridCode: v})
			}},
			{"address's committee", townB + "001", "no-such-committee", func(v string) error {
				return places.SaveAddress(ctx, db, places.Address{TownCode: townA, Text: "新泾路1号", Lat: 31, Lng: 121, CommitteeCode: v})
			}},
		}
		for _, a := range attempts {
			errForeign, errUnknown := a.run(a.foreign), a.run(a.unknown)
			var fe *problem.FieldError
			if !errors.As(errForeign, &fe) || !errors.As(errUnknown, &fe) {
				t.Errorf("%s: another town's record → %v; unknown → %v; want field errors", a.name, errForeign, errUnknown)
				continue
			}
			// Apart from echoing the caller's own input, the two answers are the same.
			if f, u := strings.ReplaceAll(errForeign.Error(), a.foreign, "…"), strings.ReplaceAll(errUnknown.Error(), a.unknown, "…"); f != u {
				t.Errorf("%s: another town's record → %q; unknown → %q; want the same answer", a.name, f, u)
			}
		}
		// Nothing of the refused links was stored; the town's own links work.
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM grid_members`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d grid members stored by refused links (%v)", n, err)
		}
		if _, err := places.AddMember(ctx, db, []string{townA}, places.Member{GridCode: gridA, Name: "李四", GridRole: "leader", UserID: userA,
			DepartmentCode: townA + "-police"}, tester); err != nil {
			t.Errorf("member linked within the town: %v", err)
		}
		if err := places.SavePlace(ctx, db, places.Place{TownCode: townA, Name: "新地标", Kind: "estate", Lat: 31, Lng: 121, GridCode: gridA, CommitteeCode: townA + "001"}); err != nil {
			t.Errorf("place linked within the town: %v", err)
		}
	})
}

// TestCodesOfOtherTowns: a code taken by another town is refused with the message of any taken
// code — naming neither the town nor anything about it — and the other town's record is untouched,
// for grids, departments and committees.
func TestCodesOfOtherTowns(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		twoTowns(t, db)
		errs := map[string]error{}
		_, errs["grid"] = places.SaveGrid(ctx, db, places.Grid{Code: townB + "-G01", TownCode: townA, Name: "抢注", Polygon: square(125, 31)}, tester)
		errs["department"] = places.SaveDepartment(ctx, db, places.Department{Code: townB + "-police", TownCode: townA, Name: "抢注", Kind: "police"}, tester)
		errs["committee"] = places.SaveCommittee(ctx, db, places.Committee{Code: townB + "001", TownCode: townA, Name: "抢注"})
		for what, err := range errs {
			field, reason := fieldOf(err)
			if field != "code" || !strings.Contains(reason, "already in use") {
				t.Errorf("%s code of another town: %v; want a field error on code saying it is in use", what, err)
			}
			if strings.Contains(reason, "town") || strings.Contains(reason, "陆家嘴") {
				t.Errorf("%s code of another town: %q says whose it is", what, reason)
			}
		}
		var names []string
		for _, q := range []string{`SELECT name FROM grids WHERE code = ?`, `SELECT name FROM departments WHERE code = ?`, `SELECT name FROM committees WHERE code = ?`} {
			var name string
			code := townB + "-G01"
			if strings.Contains(q, "departments") {
				code = townB + "-police"
			} else if strings.Contains(q, "committees") {
				code = townB + "001"
			}
			if err := db.QueryRow(ctx, q, code).Scan(&name); err != nil {
				t.Fatal(err)
			}
			names = append(names, name)
		}
		for _, n := range names {
			if n == "抢注" {
				t.Errorf("another town's record was renamed: %v", names)
			}
		}
	})
}

// TestFieldLimits: names, codes, phones and notes of every record kind are bounded and free of
// control characters; each violation is a field error naming the field, and nothing is stored.
func TestFieldLimits(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		twoTowns(t, db)
		long := strings.Repeat("名", places.MaxNameLen+1)
		huge := strings.Repeat("x", 1<<20)
		grid := func(g places.Grid) error {
			if g.TownCode == "" {
				g.TownCode = townA
			}
			if g.Polygon == nil {
				g.Polygon = square(130, 31)
			}
			_, err := places.SaveGrid(ctx, db, g, tester)
			return err
		}
		dept := func(d places.Department) error {
			d.TownCode = townA
			return places.SaveDepartment(ctx, db, d, tester)
		}
		member := func(m places.Member) error {
			m.GridCode, m.GridRole = townA+"-G01", "member"
			_, err := places.AddMember(ctx, db, []string{townA}, m, tester)
			return err
		}
		cases := []struct {
			name, field string
			err         error
		}{
			{"grid name too long", "name", grid(places.Grid{Code: "G-long", Name: long})},
			{"grid name 1 MB", "name", grid(places.Grid{Code: "G-huge", Name: huge})},
			{"grid name with NUL", "name", grid(places.Grid{Code: "G-nul", Name: "网格\x00"})},
			{"grid name with newline", "name", grid(places.Grid{Code: "G-nl", Name: "网格\n二"})},
			{"grid name with bidi override", "name", grid(places.Grid{Code: "G-bidi", Name: "网格\u202e二"})},
			{"grid note too long", "note", grid(places.Grid{Code: "G-note", Name: "网格", Note: strings.Repeat("注", places.MaxNoteLen+1)})},
			{"grid code with markup", "code", grid(places.Grid{Code: "<img src=x>", Name: "网格"})},
			{"grid code too long", "code", grid(places.Grid{Code: strings.Repeat("G", places.MaxCodeLen+1), Name: "网格"})},
			{"grid code with slash", "code", grid(places.Grid{Code: "G/1", Name: "网格"})},
			{"department kind free text", "kind", dept(places.Department{Code: "d-kind", Name: "部门", Kind: "<b>secret police</b>"})},
			{"department name too long", "name", dept(places.Department{Code: "d-long", Name: long, Kind: "office"})},
			{"department English name too long", "name_en", dept(places.Department{Code: "d-en", Name: "部门", NameEN: strings.Repeat("e", places.MaxNameENLen+1), Kind: "office"})},
			{"department phone of letters", "phone", dept(places.Department{Code: "d-ph", Name: "部门", Kind: "office", Phone: "call me maybe"})},
			{"department phone too long", "phone", dept(places.Department{Code: "d-ph2", Name: "部门", Kind: "office", Phone: strings.Repeat("1", places.MaxPhoneLen+1)})},
			{"department code with space", "code", dept(places.Department{Code: "d 1", Name: "部门", Kind: "office"})},
			{"member name 1 MB", "name", member(places.Member{Name: huge})},
			{"member phone 1 MB", "phone", member(places.Member{Name: "王五", Phone: huge})},
			{"committee name too long", "name", places.SaveCommittee(ctx, db, places.Committee{Code: townA + "098", TownCode: townA, Name: long})},
			{"place name 1 MB", "name", places.SavePlace(ctx, db, places.Place{TownCode: townA, Name: huge, Kind: "estate"})},
			{"place kind too long", "kind", places.SavePlace(ctx, db, places.Place{TownCode: townA, Name: "小区", Kind: strings.Repeat("k", places.MaxKindLen+1)})},
			{"address 1 MB", "text", places.SaveAddress(ctx, db, places.Address{TownCode: townA, Text: huge})},
			{"address road with NUL", "road", places.SaveAddress(ctx, db, places.Address{TownCode: townA, Text: "新泾路2号", Road: "新泾\x00路"})},
		}
		for _, c := range cases {
			if f, _ := fieldOf(c.err); f != c.field {
				t.Errorf("%s: %v; want a field error on %s", c.name, c.err, c.field)
			}
		}
		var grids, deps, members int
		_ = db.QueryRow(ctx, `SELECT COUNT(*) FROM grids`).Scan(&grids)
		_ = db.QueryRow(ctx, `SELECT COUNT(*) FROM departments`).Scan(&deps)
		_ = db.QueryRow(ctx, `SELECT COUNT(*) FROM grid_members`).Scan(&members)
		if grids != 2 || deps != 2 || members != 0 {
			t.Errorf("refused input was stored: %d grids, %d departments, %d members; want 2, 2, 0", grids, deps, members)
		}
		// At the limits everything is accepted.
		if err := dept(places.Department{Code: strings.Repeat("d", places.MaxCodeLen), Name: strings.Repeat("名", places.MaxNameLen), Kind: "office",
			Phone: "021-62345678转123"}); err != nil {
			t.Errorf("department at the limits: %v", err)
		}
		if err := grid(places.Grid{Code: "G-max", Name: strings.Repeat("名", places.MaxNameLen), Note: "第一行\n第二行"}); err != nil {
			t.Errorf("grid at the limits with a two-line note: %v", err)
		}
	})
}

// TestDepartmentKindsCoverTheDemo: the closed set of kinds holds every kind the demo world uses.
func TestDepartmentKindsCoverTheDemo(t *testing.T) {
	for _, k := range world.DepartmentKinds {
		if !places.ValidDepartmentKind(k) {
			t.Errorf("demo department kind %q is not in places.DepartmentKinds", k)
		}
	}
}
