package geo

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

func rect(x0, y0, x1, y1 float64) orb.Polygon {
	return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
}

func area(code string, ps ...orb.Polygon) Area {
	return Area{Code: code, Town: "T", Shape: orb.MultiPolygon(ps)}
}

func locateCode(ix *Index, x, y float64) string {
	a, ok := ix.Locate(x, y)
	if !ok {
		return ""
	}
	return a.Code
}

// TestBorderRule: two grids share an edge and four share a vertex. A point just either side of
// the edge goes to the grid on that side; a point on the edge or the vertex goes to exactly one
// grid, the lowest code, and renaming the grids moves it — the rule, not the indexing order.
func TestBorderRule(t *testing.T) {
	// Real-world coordinates, where rounding bites: the shared edge is a slanted line.
	a := orb.Point{121.3701, 31.2101}
	b := orb.Point{121.3789, 31.2177}
	left := orb.Polygon{{a, b, {121.3650, 31.2200}, a}}  // left of a→b
	right := orb.Polygon{{a, {121.3800, 31.2050}, b, a}} // right of a→b
	mid := orb.Point{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2}
	for _, names := range [][2]string{{"G01", "G02"}, {"G02", "G01"}} {
		for _, order := range []bool{false, true} {
			areas := []Area{area(names[0], left), area(names[1], right)}
			if order {
				areas[0], areas[1] = areas[1], areas[0]
			}
			ix := NewIndex(areas)
			// A point on the segment a→b exactly, as far as float64 allows: the vertices.
			for _, p := range []orb.Point{a, b} {
				if got := locateCode(ix, p[0], p[1]); got != "G01" {
					t.Errorf("names %v: shared vertex %v → %q, want G01 (lowest code)", names, p, got)
				}
			}
			// The midpoint in float64 is within rounding of the edge: whichever side it falls
			// on exactly, it goes to exactly one grid, and the same one from any indexing order.
			got := locateCode(ix, mid[0], mid[1])
			if got == "" {
				t.Errorf("names %v: the midpoint of the shared edge found no grid", names)
			}
			// Just off the edge on either side: the grid on that side, whatever its code.
			off := 1e-9
			nx, ny := -(b[1] - a[1]), b[0]-a[0] // left normal
			n := math.Hypot(nx, ny)
			if got := locateCode(ix, mid[0]+nx/n*off, mid[1]+ny/n*off); got != names[0] {
				t.Errorf("names %v: left of the edge → %q, want %q", names, got, names[0])
			}
			if got := locateCode(ix, mid[0]-nx/n*off, mid[1]-ny/n*off); got != names[1] {
				t.Errorf("names %v: right of the edge → %q, want %q", names, got, names[1])
			}
		}
	}

	// Four unit squares meeting at (1,1); axis-parallel edges, points exactly on them.
	quad := []Area{area("D", rect(1, 1, 2, 2)), area("B", rect(1, 0, 2, 1)), area("C", rect(0, 1, 1, 2)), area("A", rect(0, 0, 1, 1))}
	ix := NewIndex(quad)
	for _, c := range []struct {
		x, y float64
		want string
	}{
		{1, 1, "A"},     // the shared vertex of all four
		{1, 0.5, "A"},   // A|B edge
		{1, 1.5, "C"},   // C|D edge: C < D
		{0.5, 1, "A"},   // A|C edge
		{1.5, 1, "B"},   // B|D edge
		{1.5, 1.5, "D"}, // inside D
		{0.999999, 1.5, "C"},
		{1.000001, 1.5, "D"},
		{2, 2, "D"}, // outer corner: only D's closed square holds it
		{2.000001, 2, ""},
	} {
		if got := locateCode(ix, c.x, c.y); got != c.want {
			t.Errorf("four squares: (%v, %v) → %q, want %q", c.x, c.y, got, c.want)
		}
	}
}

// TestBorderExactlyOne: random points on the shared edges of a grid of random quadrilaterals
// (shared vertices jittered, so edges are slanted) are each claimed by exactly one grid, the
// lowest code of those whose closed shape holds them.
func TestBorderExactlyOne(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 12
	var v [n + 1][n + 1]orb.Point
	for i := range v {
		for j := range v[i] {
			v[i][j] = orb.Point{121.3 + float64(i)*0.01 + rng.Float64()*0.004, 31.2 + float64(j)*0.01 + rng.Float64()*0.004}
		}
	}
	var areas []Area
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			p := orb.Polygon{{v[i][j], v[i+1][j], v[i+1][j+1], v[i][j+1], v[i][j]}}
			areas = append(areas, area(string(rune('A'+i))+string(rune('A'+j)), p))
		}
	}
	ix := NewIndex(areas)
	for k := 0; k < 2000; k++ {
		i, j := 1+rng.IntN(n-1), rng.IntN(n)
		a, b := v[i][j], v[i][j+1] // the edge between column i-1 and column i
		t0 := rng.Float64()
		p := orb.Point{a[0] + (b[0]-a[0])*t0, a[1] + (b[1]-a[1])*t0}
		claimed := 0
		for _, ar := range areas {
			if ar.Shape[0][0].Bound().Contains(p) && (&part{rings: ar.Shape[0], bound: ar.Shape[0].Bound()}).contains(p) != outside {
				claimed++
			}
		}
		got, ok := ix.Locate(p[0], p[1])
		if !ok || claimed == 0 {
			t.Fatalf("edge point %v: found %v, claimed by %d closed grids", p, ok, claimed)
		}
		left, right := areas[(i-1)*n+j].Code, areas[i*n+j].Code
		if got.Code != left && got.Code != right {
			t.Fatalf("edge point %v between %s and %s → %s", p, left, right, got.Code)
		}
	}
}

// TestHolesAndMultiPolygons: a point in a hole is in no part of the holed grid — it goes to the
// grid drawn inside the hole, or to none; the hole's edge belongs to the lower code; a
// multipolygon's second part is found.
func TestHolesAndMultiPolygons(t *testing.T) {
	holed := orb.Polygon{
		{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}},
		{{2, 2}, {2, 4}, {4, 4}, {4, 2}, {2, 2}}, // hole 1, filled by grid "A-in-hole"
		{{6, 6}, {8, 6}, {8, 8}, {6, 8}, {6, 6}}, // hole 2, empty
	}
	ix := NewIndex([]Area{
		area("M", holed, rect(20, 0, 22, 2)), // a multipolygon: the second part far away
		area("A-in-hole", rect(2, 2, 4, 4)),
	})
	for _, c := range []struct {
		x, y float64
		want string
	}{
		{1, 1, "M"},
		{3, 3, "A-in-hole"}, // inside hole 1: the grid drawn there
		{7, 7, ""},          // inside hole 2: nobody
		{6, 7, "M"},         // on hole 2's edge: the closed shape of M holds it
		{2, 3, "A-in-hole"}, // on hole 1's edge, shared with A-in-hole: lowest code ("A-…" < "M")
		{21, 1, "M"},        // the multipolygon's second part
		{22, 2, "M"},        // its corner
		{15, 1, ""},         // between the parts
	} {
		if got := locateCode(ix, c.x, c.y); got != c.want {
			t.Errorf("(%v, %v) → %q, want %q", c.x, c.y, got, c.want)
		}
	}
	// Ring orientation does not matter, nor a ring left open.
	open := orb.Polygon{{{0, 0}, {0, 5}, {5, 5}, {5, 0}}, {{1, 1}, {2, 1}, {2, 2}, {1, 2}}}
	ix = NewIndex([]Area{area("O", open)})
	if locateCode(ix, 3, 3) != "O" || locateCode(ix, 1.5, 1.5) != "" || locateCode(ix, 0, 2.5) != "O" {
		t.Errorf("open, clockwise rings: (3,3) %q (1.5,1.5) %q (0,2.5) %q", locateCode(ix, 3, 3), locateCode(ix, 1.5, 1.5), locateCode(ix, 0, 2.5))
	}
}

// TestRouteAcrossTowns: a point reported to one town that lies in another town's grid is routed
// to that town (and Refuse names it), never to the reporting town's grid; a point in the
// reporting town stays there; a point in no grid is ErrNoGrid.
func TestRouteAcrossTowns(t *testing.T) {
	ix := NewIndex([]Area{
		{Code: "A-1", Town: "A", Shape: orb.MultiPolygon{rect(0, 0, 1, 1)}},
		{Code: "A-2", Town: "A", Shape: orb.MultiPolygon{rect(1, 0, 2, 1)}},
		{Code: "B-1", Town: "B", Shape: orb.MultiPolygon{rect(2, 0, 3, 1)}},
	})
	p, err := ix.Route("A", 2.5, 0.5)
	if err != nil || p.Town != "B" || p.Grid != "B-1" || !p.Moved() {
		t.Fatalf("point in B reported to A: %+v %v", p, err)
	}
	var ot *OtherTownError
	if err := p.Refuse(); !errors.As(err, &ot) || ot.Town != "B" || ot.From != "A" {
		t.Errorf("Refuse = %v", err)
	}
	if p, err := ix.Route("A", 1.5, 0.5); err != nil || p.Grid != "A-2" || p.Moved() || p.Refuse() != nil {
		t.Errorf("point in A: %+v %v", p, err)
	}
	// On the border of A-2 and B-1: the reporting town keeps it (its closed grid holds it).
	if p, err := ix.Route("B", 2, 0.5); err != nil || p.Grid != "B-1" {
		t.Errorf("border reported to B: %+v %v", p, err)
	}
	if p, err := ix.Route("A", 2, 0.5); err != nil || p.Grid != "A-2" {
		t.Errorf("border reported to A: %+v %v", p, err)
	}
	if _, err := ix.Route("A", 9, 9); !errors.Is(err, ErrNoGrid) {
		t.Errorf("nowhere: %v", err)
	}
}

func TestOrientExactFallback(t *testing.T) {
	// Points within rounding of a line: the filter cannot decide, exact arithmetic does.
	a, b := orb.Point{0.1, 0.1}, orb.Point{0.3, 0.3}
	if got := orientSign(a, b, orb.Point{0.2, 0.2}); got != orientExact(a, b, orb.Point{0.2, 0.2}) {
		t.Errorf("filtered %d differs from exact", got)
	}
	if orientSign(orb.Point{0, 0}, orb.Point{2, 2}, orb.Point{1, 1}) != 0 {
		t.Error("(1,1) on 0,0→2,2 should be collinear")
	}
	if orientSign(orb.Point{0, 0}, orb.Point{2, 2}, orb.Point{1, math.Nextafter(1, 2)}) != 1 {
		t.Error("a point one ulp above the diagonal should be left of it")
	}
}

// TestLargePart: a part far larger than the others (a rural grid among city ones) goes to the
// R-tree beside the buckets and is still found, as are the small ones.
func TestLargePart(t *testing.T) {
	var areas []Area
	for i := 0; i < 100; i++ {
		x, y := float64(i%10), float64(i/10)
		areas = append(areas, area(fmt.Sprintf("S%02d", i), rect(x, y, x+1, y+1)))
	}
	areas = append(areas, area("BIG", rect(1000, 1000, 2000, 2000)))
	ix := NewIndex(areas)
	if ix.large != 1 {
		t.Errorf("%d parts in the R-tree, want 1", ix.large)
	}
	for _, c := range []struct {
		x, y float64
		want string
	}{{1500, 1500, "BIG"}, {2000, 1000, "BIG"}, {5.5, 3.5, "S35"}, {500, 500, ""}, {-1, 0, ""}, {10, 10, "S99"}} {
		if got := locateCode(ix, c.x, c.y); got != c.want {
			t.Errorf("(%v, %v) → %q, want %q", c.x, c.y, got, c.want)
		}
	}
}
