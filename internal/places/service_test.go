package places_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// admin is the actor of the service tests, as a signed-in user would be.
var admin = audit.Actor{Name: "admin-test", IP: "192.0.2.7"}

// rectangle is the boundary from (x0, y0) to (x1, y1), counter-clockwise.
func rectangle(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

// auditOf returns the audit entries about entity, oldest first.
func auditOf(t *testing.T, db *store.DB, entity string) []audit.Entry {
	t.Helper()
	es, err := audit.List(context.Background(), db, audit.Filter{All: true, Entity: entity})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(es)
	return es
}

// codesOf lists the codes of records, in order.
func codesOf[T any](records []T, code func(T) string) []string {
	var out []string
	for _, r := range records {
		out = append(out, code(r))
	}
	return out
}

// TestGrids: a grid is saved, updated in place, found only within its towns, refused when it
// overlaps another grid of its town (sharing an edge is fine; another town's grids do not count),
// and every change is in the audit log with its actor.
func TestGrids(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		twoTowns(t, db) // townA-G01 is square(121, 31), townB-G01 square(122, 31)
		base := len(auditOf(t, db, "grid"))
		a2 := places.Grid{Code: "A-G02", TownCode: townA, Name: "网格二", Polygon: orb.Polygon{rectangle(121.01, 31, 121.02, 31.01)}}
		saved, err := places.SaveGrid(ctx, db, a2, admin)
		if err != nil || saved.ID == 0 {
			t.Fatalf("save a grid sharing an edge with its neighbour: %+v, %v", saved, err)
		}
		a2.Name, a2.Note = "网格二（调整）", "边界未变"
		updated, err := places.SaveGrid(ctx, db, a2, admin)
		if err != nil || updated.ID != saved.ID {
			t.Fatalf("update: id %d → %d, %v; want the same row", saved.ID, updated.ID, err)
		}
		got, err := places.GridByCode(ctx, db, []string{townA}, "A-G02")
		if err != nil || got.Name != "网格二（调整）" || got.Note != "边界未变" || !got.Polygon.Equal(a2.Polygon) {
			t.Fatalf("GridByCode: %+v, %v", got, err)
		}
		if byID, err := places.GridByID(ctx, db, []string{townA}, saved.ID); err != nil || byID.Code != "A-G02" {
			t.Errorf("GridByID: %+v, %v", byID, err)
		}
		for _, towns := range [][]string{{townB}, {}, nil} {
			if _, err := places.GridByCode(ctx, db, towns, "A-G02"); !errors.Is(err, problem.ErrNotFound) {
				t.Errorf("grid of town A asked for by towns %v: %v, want not found", towns, err)
			}
		}
		gs, err := places.Grids(ctx, db, []string{townA})
		if err != nil || len(gs) != 2 || gs[0].Code != townA+"-G01" || gs[1].Code != "A-G02" {
			t.Errorf("Grids of town A: %d grids, %v", len(gs), err)
		}

		for _, tt := range []struct {
			name    string
			g       places.Grid
			field   string
			contain string
		}{
			{"overlaps the town's first grid", places.Grid{Code: "A-G03", Name: "重叠", Polygon: orb.Polygon{rectangle(121.005, 31.005, 121.015, 31.015)}}, "geometry", townA + "-G01"},
			{"inside another grid", places.Grid{Code: "A-G04", Name: "内含", Polygon: orb.Polygon{rectangle(121.002, 31.002, 121.003, 31.003)}}, "geometry", "overlaps"},
			{"an update moved onto a neighbour", places.Grid{Code: "A-G02", Name: "网格二", Polygon: orb.Polygon{rectangle(121.005, 31, 121.02, 31.01)}}, "geometry", "overlaps"},
			{"unclosed ring", places.Grid{Code: "A-G05", Name: "未闭合", Polygon: orb.Polygon{{{121.1, 31}, {121.2, 31}, {121.2, 31.1}, {121.1, 31.1}}}}, "geometry", "not closed"},
			{"no town", places.Grid{Code: "A-G06", Name: "无镇", TownCode: "-", Polygon: orb.Polygon{rectangle(121.3, 31, 121.31, 31.01)}}, "town_code", ""},
			{"a town that does not run CivicGrid", places.Grid{Code: "A-G07", Name: "区", TownCode: "310105", Polygon: orb.Polygon{rectangle(121.3, 31, 121.31, 31.01)}}, "town_code", "unknown town"},
			{"no name", places.Grid{Code: "A-G08", Polygon: orb.Polygon{rectangle(121.3, 31, 121.31, 31.01)}}, "name", "required"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if tt.g.TownCode == "" {
					tt.g.TownCode = townA
				} else if tt.g.TownCode == "-" {
					tt.g.TownCode = ""
				}
				_, err := places.SaveGrid(ctx, db, tt.g, admin)
				field, reason := fieldOf(err)
				if field != tt.field || !strings.Contains(reason, tt.contain) {
					t.Errorf("%v; want a field error on %s saying %q", err, tt.field, tt.contain)
				}
			})
		}
		if got, _ := places.GridByCode(ctx, db, []string{townA}, "A-G02"); got.Name != "网格二（调整）" {
			t.Errorf("a refused update changed the grid: %+v", got)
		}
		// Another town's grid may cover the same ground: overlap is checked within a town.
		if _, err := places.SaveGrid(ctx, db, places.Grid{Code: "B-G02", TownCode: townB, Name: "陆家嘴二", Polygon: square(121.005, 31.005)}, admin); err != nil {
			t.Errorf("a grid of town B over town A's grid: %v", err)
		}
		entries := auditOf(t, db, "grid")[base:]
		if len(entries) != 3 {
			t.Fatalf("audit entries for 3 saved grids: %+v", entries)
		}
		for _, e := range entries {
			if e.Action != audit.ActionUpdate || e.Actor != admin.Name || e.IP != admin.IP || e.EntityID == "" || e.TownCode == "" {
				t.Errorf("audit entry %+v", e)
			}
		}
	})
}

// TestGridsWithHoles: a boundary may have holes (a grid around an enclave); a point in the hole
// belongs to no grid, and a grid filling the hole overlaps nothing. GeoJSON other than a Polygon
// (a MultiPolygon above all) is refused with a reason.
func TestGridsWithHoles(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		twoTowns(t, db)
		outer := rectangle(121.10, 31.10, 121.14, 31.14)
		hole := orb.Ring{{121.11, 31.11}, {121.11, 31.13}, {121.13, 31.13}, {121.13, 31.11}, {121.11, 31.11}} // clockwise
		if _, err := places.SaveGrid(ctx, db, places.Grid{Code: "A-RING", TownCode: townA, Name: "环形网格", Polygon: orb.Polygon{outer, hole}}, admin); err != nil {
			t.Fatalf("grid with a hole: %v", err)
		}
		got, err := places.GridByCode(ctx, db, []string{townA}, "A-RING")
		if err != nil || len(got.Polygon) != 2 {
			t.Fatalf("stored grid with a hole: %d rings, %v", len(got.Polygon), err)
		}
		// The enclave sits off the ring's centre: Overlap probes each boundary's centroid, and the
		// centroid of a symmetric ring lies in its hole.
		if _, err := places.SaveGrid(ctx, db, places.Grid{Code: "A-ENCLAVE", TownCode: townA, Name: "飞地", Polygon: orb.Polygon{rectangle(121.111, 31.111, 121.116, 31.116)}}, admin); err != nil {
			t.Errorf("grid inside the hole: %v", err)
		}
		gs, err := places.Grids(ctx, db, []string{townA})
		if err != nil {
			t.Fatal(err)
		}
		loc := places.NewLocator(gs)
		for _, tt := range []struct {
			name     string
			lng, lat float64
			want     string
		}{
			{"in the ring", 121.105, 31.105, "A-RING"},
			{"in the hole, outside the enclave", 121.12, 31.12, ""},
			{"in the enclave", 121.113, 31.113, "A-ENCLAVE"},
			{"in the town's first grid", 121.005, 31.005, townA + "-G01"},
			{"outside every grid", 120, 30, ""},
		} {
			g, ok := loc.Locate(tt.lng, tt.lat)
			if (tt.want == "") == ok || g.Code != tt.want {
				t.Errorf("%s (%v, %v): %q, %v; want %q", tt.name, tt.lng, tt.lat, g.Code, ok, tt.want)
			}
		}
		for _, tt := range []struct{ name, geo, want string }{
			{"MultiPolygon", `{"type":"MultiPolygon","coordinates":[[[[121,31],[121.1,31],[121.1,31.1],[121,31]]]]}`, "want Polygon"},
			{"Point", `{"type":"Point","coordinates":[121,31]}`, "want Polygon"},
			{"Feature with a LineString", `{"type":"Feature","geometry":{"type":"LineString","coordinates":[[121,31],[122,31]]},"properties":{}}`, "want a Polygon"},
			{"Polygon with a hole", `{"type":"Polygon","coordinates":[[[121,31],[121.1,31],[121.1,31.1],[121,31.1],[121,31]],[[121.02,31.02],[121.02,31.05],[121.05,31.05],[121.05,31.02],[121.02,31.02]]]}`, ""},
		} {
			p, err := places.ParsePolygon([]byte(tt.geo))
			if tt.want == "" {
				if err != nil || len(p) != 2 {
					t.Errorf("%s: %d rings, %v", tt.name, len(p), err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: %v; want an error saying %q", tt.name, err, tt.want)
			}
		}
	})
}

// TestDeleteGrid: a grid goes with its committees' links to it, not while a user points at it,
// never for another town, and the deletion is audited.
func TestDeleteGrid(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		twoTowns(t, db)
		if _, err := places.SaveGrid(ctx, db, places.Grid{Code: "A-G09", TownCode: townA, Name: "待撤销", Polygon: square(121.5, 31)}, admin); err != nil {
			t.Fatal(err)
		}
		if err := places.SaveCommittee(ctx, db, places.Committee{Code: townA + "009", TownCode: townA, Name: "九居委", GridCode: "A-G09"}); err != nil {
			t.Fatal(err)
		}
		if err := places.DeleteGrid(ctx, db, []string{townB}, "A-G09", admin); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("delete from another town: %v, want not found", err)
		}
		if err := places.DeleteGrid(ctx, db, []string{townA}, "A-G09", admin); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if _, err := places.GridByCode(ctx, db, []string{townA}, "A-G09"); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("deleted grid still found: %v", err)
		}
		cs, _ := places.Committees(ctx, db, []string{townA})
		for _, c := range cs {
			if c.Code == townA+"009" && c.GridCode != "" {
				t.Errorf("committee still points at the deleted grid: %+v", c)
			}
		}
		if err := places.DeleteGrid(ctx, db, []string{townA}, "A-G09", admin); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("delete twice: %v, want not found", err)
		}
		// A user of the grid keeps it.
		if _, err := db.Exec(ctx, `UPDATE users SET grid_code = ? WHERE town_code = ?`, townA+"-G01", townA); err != nil {
			t.Fatal(err)
		}
		if err := places.DeleteGrid(ctx, db, []string{townA}, townA+"-G01", admin); !errors.Is(err, problem.ErrConflict) {
			t.Errorf("delete a grid with a user: %v, want a conflict", err)
		}
		es := auditOf(t, db, "grid")
		if last := es[len(es)-1]; last.Action != audit.ActionDelete || last.EntityID != "A-G09" || last.Actor != admin.Name || last.TownCode != townA {
			t.Errorf("last grid audit entry %+v, want the deletion of A-G09", last)
		}
	})
}

// TestMembers: members join a grid in rank order, are removed only within the caller's towns,
// and both are audited as changes of the grid.
func TestMembers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		userA, _ := twoTowns(t, db)
		grid := townA + "-G01"
		var ids []int64
		for _, m := range []places.Member{
			{GridCode: grid, Name: "赵网格员", GridRole: places.GridMember, Phone: "13800000001"},
			{GridCode: grid, Name: "钱网格长", GridRole: places.GridLeader, UserID: userA, DepartmentCode: townA + "-police"},
			{GridCode: grid, Name: "孙联络员", GridRole: places.GridLiaison},
			{GridCode: grid, Name: "李副网格长", GridRole: places.GridDeputy},
		} {
			saved, err := places.AddMember(ctx, db, []string{townA}, m, admin)
			if err != nil || saved.ID == 0 {
				t.Fatalf("add %s: %+v, %v", m.Name, saved, err)
			}
			ids = append(ids, saved.ID)
		}
		g, err := places.GridByCode(ctx, db, []string{townA}, grid)
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, m := range g.Members {
			order = append(order, m.GridRole)
		}
		if want := []string{"leader", "deputy", "liaison", "member"}; !slices.Equal(order, want) {
			t.Errorf("members in order %v, want %v", order, want)
		}
		if g.Members[0].UserID != userA || g.Members[0].DepartmentCode != townA+"-police" {
			t.Errorf("leader's links: %+v", g.Members[0])
		}
		for _, tt := range []struct {
			name  string
			m     places.Member
			towns []string
			field string
		}{
			{"unknown grid role", places.Member{GridCode: grid, Name: "周", GridRole: "boss"}, []string{townA}, "grid_role"},
			{"no name", places.Member{GridCode: grid, GridRole: places.GridMember}, []string{townA}, "name"},
			{"grid of another town", places.Member{GridCode: townB + "-G01", Name: "吴", GridRole: places.GridMember}, []string{townA}, "grid"},
			{"negative user id", places.Member{GridCode: grid, Name: "郑", GridRole: places.GridMember, UserID: -1}, []string{townA}, "user_id"},
		} {
			if _, err := places.AddMember(ctx, db, tt.towns, tt.m, admin); func() string { f, _ := fieldOf(err); return f }() != tt.field {
				t.Errorf("%s: %v; want a field error on %s", tt.name, err, tt.field)
			}
		}
		if err := places.RemoveMember(ctx, db, []string{townB}, ids[0], admin); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("remove from another town: %v, want not found", err)
		}
		if err := places.RemoveMember(ctx, db, []string{townA}, ids[0], admin); err != nil {
			t.Fatalf("remove: %v", err)
		}
		if err := places.RemoveMember(ctx, db, []string{townA}, ids[0], admin); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("remove twice: %v, want not found", err)
		}
		if g, _ := places.GridByCode(ctx, db, []string{townA}, grid); len(g.Members) != 3 {
			t.Errorf("%d members after one removal, want 3", len(g.Members))
		}
		var added, removed int
		for _, e := range auditOf(t, db, "grid") {
			if e.EntityID == grid && e.Actor == admin.Name {
				switch e.Detail {
				case "member added":
					added++
				case "member removed":
					removed++
				}
			}
		}
		if added != 4 || removed != 1 {
			t.Errorf("audit: %d additions and %d removals, want 4 and 1", added, removed)
		}
	})
}

// TestDepartments: a department is created with the default kind, updated in place, listed per
// town, found only within its towns, and each save is audited.
func TestDepartments(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		twoTowns(t, db)
		d := places.Department{Code: "A-SAN", TownCode: townA, Name: "市容所", NameEN: "Sanitation office", Phone: "021-62000000"}
		if err := places.SaveDepartment(ctx, db, d, admin); err != nil {
			t.Fatal(err)
		}
		got, err := places.DepartmentByCode(ctx, db, []string{townA}, "A-SAN")
		if err != nil || got.Kind != "office" || got.NameEN != "Sanitation office" {
			t.Fatalf("saved department: %+v, %v; want kind office by default", got, err)
		}
		d.Name, d.Kind = "市容环境卫生管理所", "sanitation"
		if err := places.SaveDepartment(ctx, db, d, admin); err != nil {
			t.Fatal(err)
		}
		if got, _ := places.DepartmentByCode(ctx, db, []string{townA}, "A-SAN"); got.Name != d.Name || got.Kind != "sanitation" {
			t.Errorf("updated department: %+v", got)
		}
		if _, err := places.DepartmentByCode(ctx, db, []string{townB}, "A-SAN"); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("department of town A asked for by town B: %v", err)
		}
		for _, tt := range []struct {
			towns []string
			want  []string
		}{
			{[]string{townA}, []string{townA + "-police", "A-SAN"}},
			{[]string{townB}, []string{townB + "-police"}},
			{[]string{townA, townB}, []string{townA + "-police", "A-SAN", townB + "-police"}},
			{nil, nil},
		} {
			ds, err := places.Departments(ctx, db, tt.towns)
			codes := codesOf(ds, func(d places.Department) string { return d.Code })
			if err != nil || !slices.Equal(codes, tt.want) {
				t.Errorf("departments of %v: %v, %v; want %v", tt.towns, codes, err, tt.want)
			}
		}
		if err := places.SaveDepartment(ctx, db, places.Department{Code: "A-X", TownCode: townB + "x", Name: "x"}, admin); func() string { f, _ := fieldOf(err); return f }() != "town" {
			t.Errorf("department of an unknown town: %v", err)
		}
		var saves int
		for _, e := range auditOf(t, db, "department") {
			if e.EntityID == "A-SAN" && e.Action == audit.ActionUpdate && e.Actor == admin.Name && e.TownCode == townA {
				saves++
			}
		}
		if saves != 2 {
			t.Errorf("%d audit entries for two saves of A-SAN", saves)
		}
	})
}

// TestAuditInTheChangesTransaction: when the audit entry cannot be written, the change is not
// made either — the two share one transaction.
func TestAuditInTheChangesTransaction(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		twoTowns(t, db)
		if _, err := db.Exec(ctx, `DROP TABLE audit_log`); err != nil {
			t.Fatal(err)
		}
		grid := townA + "-G01"
		for name, change := range map[string]func() error{
			"save grid": func() error {
				_, err := places.SaveGrid(ctx, db, places.Grid{Code: "A-NEW", TownCode: townA, Name: "新网格", Polygon: square(121.7, 31)}, admin)
				return err
			},
			"delete grid": func() error { return places.DeleteGrid(ctx, db, []string{townB}, townB+"-G01", admin) },
			"save department": func() error {
				return places.SaveDepartment(ctx, db, places.Department{Code: "A-NEW", TownCode: townA, Name: "新部门"}, admin)
			},
			"add member": func() error {
				_, err := places.AddMember(ctx, db, []string{townA}, places.Member{GridCode: grid, Name: "新成员", GridRole: places.GridMember}, admin)
				return err
			},
		} {
			if err := change(); err == nil {
				t.Errorf("%s succeeded without its audit entry", name)
			}
		}
		var n int
		for _, q := range []string{
			`SELECT COUNT(*) FROM grids WHERE code = 'A-NEW'`,
			`SELECT 1 - COUNT(*) FROM grids WHERE code = '` + townB + `-G01'`,
			`SELECT COUNT(*) FROM departments WHERE code = 'A-NEW'`,
			`SELECT COUNT(*) FROM grid_members`,
		} {
			if err := db.QueryRow(ctx, q).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s: %d (%v); the change stayed without its audit entry", q, n, err)
			}
		}
	})
}

// TestRegions: regions are upserted (a rename applies, tenancy only ever turns on), a district's
// towns include those of its sub-districts, and only tenant towns are required towns.
func TestRegions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		twoTowns(t, db)
		for _, r := range []places.Region{
			{Code: "310105001", Name: "华阳路街道", Level: "town", ParentCode: "310105"},
			{Code: townA, Name: "新泾镇（更名）", Level: "town", ParentCode: "310105"}, // Tenant false: stays a tenant
		} {
			if err := places.UpsertRegion(ctx, db, r); err != nil {
				t.Fatal(err)
			}
		}
		if err := places.UpsertRegion(ctx, db, places.Region{Code: "x", Name: "x", Level: "village"}); func() string { f, _ := fieldOf(err); return f }() != "level" {
			t.Errorf("unknown level: %v", err)
		}
		r, err := places.GetRegion(ctx, db, townA)
		if err != nil || r.Name != "新泾镇（更名）" || !r.Tenant || r.ParentCode != "310105" || r.Level != "town" {
			t.Errorf("renamed tenant town: %+v, %v", r, err)
		}
		if _, err := places.GetRegion(ctx, db, "999"); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("unknown region: %v", err)
		}
		for _, tt := range []struct {
			codes []string
			want  []string
		}{
			{nil, []string{townA, townB}},
			{[]string{townB, "310105001"}, []string{townB}},
			{[]string{}, nil},
		} {
			towns, err := places.TenantTowns(ctx, db, tt.codes)
			got := codesOf(towns, func(r places.Region) string { return r.Code })
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("tenant towns of %v: %v, %v; want %v", tt.codes, got, err, tt.want)
			}
		}
		for _, tt := range []struct {
			district string
			want     []string
		}{
			{"310105", []string{townA}},
			{"3101", []string{townA, townB}},
			{"310115", []string{townB}},
			{"999", nil},
		} {
			if got, err := places.TownsOfDistrict(ctx, db, tt.district); err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("towns of %s: %v, %v; want %v", tt.district, got, err, tt.want)
			}
		}
		for _, tt := range []struct{ code, want string }{
			{townA, ""},
			{"310105001", "does not run CivicGrid"},
			{"310105", "unknown town"},
			{"999", "unknown town"},
			{"", "required"},
		} {
			err := places.RequireTown(ctx, db, "town", tt.code)
			_, reason := fieldOf(err)
			if (tt.want == "") != (err == nil) || !strings.Contains(reason, tt.want) {
				t.Errorf("RequireTown(%q): %v; want %q", tt.code, err, tt.want)
			}
		}
	})
}

// TestCommittees: committees are saved and updated per town, link only to their town's grids, and
// are listed by town.
func TestCommittees(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		twoTowns(t, db)
		c := places.Committee{Code: townA + "002", TownCode: townA, Name: "二居委", GridCode: townA + "-G01"}
		if err := places.SaveCommittee(ctx, db, c); err != nil {
			t.Fatal(err)
		}
		c.Name, c.GridCode = "第二居民区", ""
		if err := places.SaveCommittee(ctx, db, c); err != nil {
			t.Fatal(err)
		}
		cs, err := places.Committees(ctx, db, []string{townA})
		if err != nil || len(cs) != 2 || cs[1].Name != "第二居民区" || cs[1].GridCode != "" {
			t.Errorf("committees of town A: %+v, %v", cs, err)
		}
		if cs, _ := places.Committees(ctx, db, []string{townB}); len(cs) != 1 || cs[0].TownCode != townB {
			t.Errorf("committees of town B: %+v", cs)
		}
		c.GridCode = townB + "-G01"
		if err := places.SaveCommittee(ctx, db, c); func() string { f, _ := fieldOf(err); return f }() != "grid" {
			t.Errorf("committee linked to another town's grid: %v", err)
		}
	})
}

// TestCountsOf: the home page's tiles count what the lists hold, for one town, several and none.
func TestCountsOf(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		twoTowns(t, db)
		for _, m := range []places.Member{{GridCode: townA + "-G01", Name: "张三", GridRole: "leader"}, {GridCode: townA + "-G01", Name: "李四", GridRole: "member"}, {GridCode: townB + "-G01", Name: "王五", GridRole: "member"}} {
			if _, err := places.AddMember(ctx, db, []string{townA, townB}, m, admin); err != nil {
				t.Fatal(err)
			}
		}
		for _, towns := range [][]string{{townA}, {townB}, {townA, townB}, nil} {
			gs, err := places.Grids(ctx, db, towns)
			if err != nil {
				t.Fatal(err)
			}
			ds, err := places.Departments(ctx, db, towns)
			if err != nil {
				t.Fatal(err)
			}
			want := places.Counts{Grids: len(gs), Departments: len(ds)}
			for _, g := range gs {
				want.Members += len(g.Members)
			}
			got, err := places.CountsOf(ctx, db, towns)
			if err != nil || got != want {
				t.Errorf("towns %v: %+v, %v; want %+v", towns, got, err, want)
			}
		}
		if c, _ := places.CountsOf(ctx, db, []string{townA}); c.Members != 2 || c.Grids != 1 {
			t.Errorf("town A: %+v, want 1 grid with 2 members", c)
		}
	})
}
