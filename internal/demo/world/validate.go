package world

import (
	"errors"
	"fmt"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// ValidatePolygon reports why p is not a valid simple polygon with a closed,
// counter-clockwise outer ring of at least 4 points and no self-intersecting
// edges, or nil.
func ValidatePolygon(p orb.Polygon) error {
	if len(p) == 0 {
		return errors.New("polygon has no rings")
	}
	for i, r := range p {
		if len(r) < 4 {
			return fmt.Errorf("ring %d has %d points, want at least 4", i, len(r))
		}
		if !r.Closed() {
			return fmt.Errorf("ring %d is not closed", i)
		}
		if err := selfIntersection(r); err != nil {
			return fmt.Errorf("ring %d: %w", i, err)
		}
	}
	if p[0].Orientation() != orb.CCW {
		return errors.New("outer ring is not counter-clockwise")
	}
	for i, r := range p[1:] {
		if r.Orientation() != orb.CW {
			return fmt.Errorf("hole %d is not clockwise", i+1)
		}
	}
	return nil
}

// selfIntersection checks every pair of non-adjacent edges of a closed ring.
func selfIntersection(r orb.Ring) error {
	n := len(r) - 1 // number of edges
	for i := 0; i < n; i++ {
		if r[i] == r[i+1] {
			return fmt.Errorf("edge %d has zero length", i)
		}
		for j := i + 1; j < n; j++ {
			adjacent := j == i+1 || (i == 0 && j == n-1)
			if adjacent {
				// adjacent edges may only share their common vertex: reject folding back
				if collinearOverlap(r[i], r[i+1], r[j], r[j+1]) {
					return fmt.Errorf("edges %d and %d overlap", i, j)
				}
				continue
			}
			if segmentsIntersect(r[i], r[i+1], r[j], r[j+1]) {
				return fmt.Errorf("edges %d and %d intersect", i, j)
			}
		}
	}
	return nil
}

func cross(o, a, b orb.Point) float64 {
	return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0])
}

func onSegment(a, b, p orb.Point) bool {
	return min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) && min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
}

func segmentsIntersect(a, b, c, d orb.Point) bool {
	d1, d2 := cross(c, d, a), cross(c, d, b)
	d3, d4 := cross(a, b, c), cross(a, b, d)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	return (d1 == 0 && onSegment(c, d, a)) || (d2 == 0 && onSegment(c, d, b)) ||
		(d3 == 0 && onSegment(a, b, c)) || (d4 == 0 && onSegment(a, b, d))
}

func collinearOverlap(a, b, c, d orb.Point) bool {
	if cross(a, b, c) != 0 || cross(a, b, d) != 0 {
		return false
	}
	// adjacent edges share one endpoint; they overlap if the other endpoint of
	// one lies on the other edge (beyond the shared point).
	shared := b
	if a == c || a == d {
		shared = a
	}
	for _, p := range []orb.Point{a, b, c, d} {
		if p == shared {
			continue
		}
		if onSegment(a, b, p) && onSegment(c, d, p) {
			return true
		}
	}
	return false
}

// GridAt returns the code of the grid containing pt, or "".
func (w *World) GridAt(pt orb.Point) string {
	for _, g := range w.Grids {
		if planar.PolygonContains(g.Polygon, pt) {
			return g.Code
		}
	}
	return ""
}

// Validate checks the referential integrity and geometry of the world:
// polygons, committee assignment, places and addresses inside their grid,
// departments, users, grid members, residents, categories and templates.
func (w *World) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }

	grids := map[string]Grid{}
	for _, g := range w.Grids {
		if _, dup := grids[g.Code]; dup {
			bad("grid %s: duplicate code", g.Code)
		}
		grids[g.Code] = g
		if err := ValidatePolygon(g.Polygon); err != nil {
			bad("grid %s: %v", g.Code, err)
		}
		if g.Note != IllustrativeNote {
			bad("grid %s: note %q, want %q", g.Code, g.Note, IllustrativeNote)
		}
	}
	committees := map[string]bool{}
	for _, c := range w.Committees {
		committees[c.Code] = true
	}
	assigned := map[string]string{}
	for _, g := range w.Grids {
		for _, c := range g.Committees {
			if !committees[c] {
				bad("grid %s: unknown committee %s", g.Code, c)
			}
			if prev, ok := assigned[c]; ok {
				bad("committee %s assigned to %s and %s", c, prev, g.Code)
			}
			assigned[c] = g.Code
		}
	}
	for _, c := range w.Committees {
		if _, ok := assigned[c.Code]; !ok {
			bad("committee %s %s is in no grid", c.Code, c.Name)
		}
	}
	inGrid := func(what, grid string, pt orb.Point) {
		g, ok := grids[grid]
		if !ok {
			bad("%s: unknown grid %q", what, grid)
			return
		}
		if !planar.PolygonContains(g.Polygon, pt) {
			bad("%s: %v is outside grid %s", what, pt, grid)
		}
	}
	for _, p := range w.Places {
		inGrid("place "+p.Name, p.GridCode, p.Point())
		for _, q := range p.Line {
			inGrid("place "+p.Name+" line", p.GridCode, q)
		}
		if p.Kind == "" {
			bad("place %s: no kind", p.Name)
		}
		if p.CommitteeCode != "" && assigned[p.CommitteeCode] != p.GridCode {
			bad("place %s: committee %s is not in grid %s", p.Name, p.CommitteeCode, p.GridCode)
		}
	}
	addrs := map[string]bool{}
	for _, a := range w.Addresses {
		if addrs[a.Text] {
			bad("address %s: duplicate", a.Text)
		}
		addrs[a.Text] = true
		inGrid("address "+a.Text, a.GridCode, a.Point())
		if assigned[a.CommitteeCode] != a.GridCode {
			bad("address %s: committee %s is not in grid %s", a.Text, a.CommitteeCode, a.GridCode)
		}
		if a.Road+a.Number != a.Text || a.Estate == "" {
			bad("address %s: road %q number %q estate %q inconsistent", a.Text, a.Road, a.Number, a.Estate)
		}
	}
	estates := map[string]string{} // estate → grid, from the address book's lanes
	for _, a := range w.Addresses {
		estates[a.Estate] = a.GridCode
	}
	for _, a := range w.Buildings {
		if addrs[a.Text] {
			bad("building %s: duplicate", a.Text)
		}
		addrs[a.Text] = true
		inGrid("building "+a.Text, a.GridCode, a.Point())
		if g, ok := estates[a.Estate]; !ok || g != a.GridCode || assigned[a.CommitteeCode] != a.GridCode {
			bad("building %s: estate %q (grid %s) or committee %s is not in grid %s", a.Text, a.Estate, g, a.CommitteeCode, a.GridCode)
		}
		if a.Estate+a.Building != a.Text || a.Road != "" || a.Number != "" || a.Landmark != "" {
			bad("building %s: estate %q building %q inconsistent", a.Text, a.Estate, a.Building)
		}
	}
	for _, a := range w.Landmarks {
		if addrs[a.Text] {
			bad("landmark %s: duplicate", a.Text)
		}
		addrs[a.Text] = true
		inGrid("landmark "+a.Text, a.GridCode, a.Point())
		if a.CommitteeCode != "" && assigned[a.CommitteeCode] != a.GridCode {
			bad("landmark %s: committee %s is not in grid %s", a.Text, a.CommitteeCode, a.GridCode)
		}
		if a.Landmark != a.Text || a.Road+a.Number+a.Estate+a.Building != "" {
			bad("landmark %s: landmark %q road %q number %q estate %q inconsistent", a.Text, a.Landmark, a.Road, a.Number, a.Estate)
		}
	}
	deps := map[string]bool{}
	for _, d := range w.Departments {
		if deps[d.Code] {
			bad("department %s: duplicate", d.Code)
		}
		deps[d.Code] = true
		if !slices.Contains(DepartmentKinds, d.Kind) {
			bad("department %s: unknown kind %q", d.Code, d.Kind)
		}
		if d.Kind == "committee" && !committees[d.Code] {
			bad("department %s: committee code not in the town", d.Code)
		}
		if d.Name == "" || d.NameEn == "" || d.Phone == "" {
			bad("department %s: missing name, English name or phone", d.Code)
		}
	}
	for _, u := range w.Users {
		if !slices.Contains(Roles, u.Role) {
			bad("user %s: unknown role %q", u.Username, u.Role)
		}
		if u.DepartmentCode != "" && !deps[u.DepartmentCode] {
			bad("user %s: unknown department %q", u.Username, u.DepartmentCode)
		}
		if u.GridCode != "" {
			if _, ok := grids[u.GridCode]; !ok {
				bad("user %s: unknown grid %q", u.Username, u.GridCode)
			}
		}
		if (u.Role == "gridworker" || u.Role == "gridleader") && u.GridCode == "" {
			bad("user %s: %s without a grid", u.Username, u.Role)
		}
		if (u.Role == "handler" || u.Role == "dispatcher") && u.DepartmentCode == "" {
			bad("user %s: %s without a department", u.Username, u.Role)
		}
		if u.TownCode != "" && u.TownCode != w.Town.Code {
			bad("user %s: town %s, want %s", u.Username, u.TownCode, w.Town.Code)
		}
		if u.DistrictCode != w.District.Code {
			bad("user %s: district %s, want %s", u.Username, u.DistrictCode, w.District.Code)
		}
	}
	perGrid := map[string]map[string]int{}
	for _, m := range w.GridMembers {
		if _, ok := grids[m.GridCode]; !ok {
			bad("grid member %s: unknown grid %q", m.Name, m.GridCode)
		}
		if !deps[m.DepartmentCode] {
			bad("grid member %s: unknown department %q", m.Name, m.DepartmentCode)
		}
		if !slices.Contains(GridRoles, m.GridRole) {
			bad("grid member %s: unknown grid role %q", m.Name, m.GridRole)
		}
		if perGrid[m.GridCode] == nil {
			perGrid[m.GridCode] = map[string]int{}
		}
		perGrid[m.GridCode][m.GridRole]++
	}
	for code := range grids {
		roles := perGrid[code]
		total := 0
		for _, n := range roles {
			total += n
		}
		if roles["leader"] != 1 || roles["deputy"] < 1 || roles["liaison"] < 1 || total < 4 || total > 8 {
			bad("grid %s: team %v, want one leader, a deputy, a liaison and 4–8 members", code, roles)
		}
	}
	for _, r := range w.Residents {
		if !addrs[r.AddressRef] {
			bad("resident %s: address %q not in the address book", r.Name, r.AddressRef)
		}
	}
	cats := map[string]Category{}
	for _, c := range w.Categories {
		if _, dup := cats[c.Code]; dup {
			bad("category %s: duplicate", c.Code)
		}
		cats[c.Code] = c
	}
	for _, c := range w.Categories {
		if !c.IsLeaf() {
			continue
		}
		if p, ok := cats[c.ParentCode]; !ok || p.IsLeaf() {
			bad("category %s: parent %q is not a top class", c.Code, c.ParentCode)
		}
		if !deps[c.DepartmentCode] {
			bad("category %s: unknown default department %q", c.Code, c.DepartmentCode)
		}
		if !slices.Contains(DeadlineClasses, c.Deadline) {
			bad("category %s: unknown deadline class %q", c.Code, c.Deadline)
		}
		if len(c.Keywords) == 0 {
			bad("category %s: no keywords", c.Code)
		}
	}
	for code, texts := range w.Templates.Orders {
		if c, ok := cats[code]; !ok || !c.IsLeaf() {
			bad("order templates: %s is not a leaf category", code)
		}
		if len(texts) == 0 {
			bad("order templates: %s has none", code)
		}
	}
	for code := range w.Templates.Results {
		if _, ok := cats[code]; !ok {
			bad("result templates: %s is not a category", code)
		}
	}
	// A result must answer the demand it closes (a battery theft is not closed by a mediation
	// agreement): every leaf that has order texts has result texts of its own.
	for code := range w.Templates.Orders {
		if len(w.Templates.Results[code]) == 0 {
			bad("result templates: leaf %s has order texts but no results of its own", code)
		}
	}
	for _, k := range []string{"satisfied", "basic", "dissatisfied"} {
		if len(w.Templates.RatingComments[k]) == 0 {
			bad("rating comments: none for %s", k)
		}
	}
	if len(w.Templates.Verifications) == 0 || len(w.Templates.RejectReasons) == 0 {
		bad("templates: verification notes or reject reasons missing")
	}
	return errors.Join(errs...)
}
