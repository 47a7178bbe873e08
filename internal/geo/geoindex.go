package geo

import (
	"math"
	"math/big"
	"slices"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Area is one indexed region: a grid of a town, with the shape it covers. Shape may hold several
// parts (a grid split by a river or a rail yard) and each part may have holes (an estate that
// belongs to another grid). Outer rings and holes may wind either way.
type Area struct {
	Code  string // grid code; the border rule compares these
	Town  string // town code
	Shape orb.MultiPolygon
}

// Index finds the area containing a point: candidates from a uniform bucket grid over the parts'
// bounding boxes (cells about the size of a typical part; a part too large for the buckets, a
// rural grid among city ones, goes to an R-tree instead), then an exact point-in-polygon test.
// Built once, read by many goroutines.
//
// The border rule: a point belongs to every area whose closed shape (interior and boundary)
// contains it, and among those to the one whose interior holds it, else to the one with the
// lowest Code. Grids of a town share edges but never area, so a point strictly inside a grid
// goes to that grid, and a point on a shared edge or vertex goes to the lowest code among the
// grids meeting there — always exactly one, whatever the order the grids were indexed in.
// "On the boundary" is decided exactly (an orientation test in float64 with an error bound,
// falling back to exact rational arithmetic), so the two sides of a shared edge never disagree.
type Index struct {
	parts []part
	areas []Area

	// The buckets: cell (cx, cy) of size cw×ch from origin holds parts
	// items[start[cy*nx+cx]:start[cy*nx+cx+1]].
	all          orb.Bound
	origin       orb.Point
	cw, ch       float64
	nx, ny       int
	start, items []int32

	tree  rtree.RTreeG[int32] // parts spanning more than maxCellsPerPart cells
	large int
}

// maxCellsPerPart keeps one huge part from filling the buckets.
const maxCellsPerPart = 64

type part struct {
	area  int32
	rings []orb.Ring // outer first, then holes
	bound orb.Bound
}

// NewIndex indexes areas. Rings need not repeat their first point at the end; empty parts
// are skipped.
func NewIndex(areas []Area) *Index {
	ix := &Index{areas: areas}
	for i, a := range areas {
		for _, p := range a.Shape {
			if len(p) == 0 || len(p[0]) < 3 {
				continue
			}
			rings := make([]orb.Ring, 0, len(p))
			for _, r := range p {
				if len(r) < 3 {
					continue
				}
				if r[0] != r[len(r)-1] {
					r = append(append(orb.Ring(nil), r...), r[0])
				}
				rings = append(rings, r)
			}
			ix.parts = append(ix.parts, part{area: int32(i), rings: rings, bound: rings[0].Bound()})
		}
	}
	ix.buildBuckets()
	return ix
}

// buildBuckets sizes the cells at the median part's width and height, so a part covers a few
// cells and a cell meets a few parts.
func (ix *Index) buildBuckets() {
	if len(ix.parts) == 0 {
		return
	}
	ws, hs := make([]float64, len(ix.parts)), make([]float64, len(ix.parts))
	all := ix.parts[0].bound
	for i, p := range ix.parts {
		ws[i], hs[i] = p.bound.Max[0]-p.bound.Min[0], p.bound.Max[1]-p.bound.Min[1]
		all = all.Union(p.bound)
	}
	slices.Sort(ws)
	slices.Sort(hs)
	ix.all, ix.origin = all, all.Min
	ix.cw, ix.ch = max(ws[len(ws)/2], 1e-9), max(hs[len(hs)/2], 1e-9)
	// At most ~4 cells per part overall.
	for float64(ix.cells(all.Max[0]-all.Min[0], ix.cw))*float64(ix.cells(all.Max[1]-all.Min[1], ix.ch)) > 4*float64(len(ix.parts))+16 {
		ix.cw, ix.ch = ix.cw*1.5, ix.ch*1.5
	}
	ix.nx, ix.ny = ix.cells(all.Max[0]-all.Min[0], ix.cw), ix.cells(all.Max[1]-all.Min[1], ix.ch)
	counts := make([]int32, ix.nx*ix.ny+1)
	each := func(p *part, f func(c int)) bool {
		x0, y0 := ix.cell(p.bound.Min)
		x1, y1 := ix.cell(p.bound.Max)
		if (x1-x0+1)*(y1-y0+1) > maxCellsPerPart {
			return false
		}
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				f(y*ix.nx + x)
			}
		}
		return true
	}
	for i := range ix.parts {
		p := &ix.parts[i]
		if !each(p, func(c int) { counts[c+1]++ }) {
			ix.tree.Insert([2]float64{p.bound.Min[0], p.bound.Min[1]}, [2]float64{p.bound.Max[0], p.bound.Max[1]}, int32(i))
			ix.large++
		}
	}
	for c := 1; c < len(counts); c++ {
		counts[c] += counts[c-1]
	}
	ix.start = counts
	ix.items = make([]int32, counts[len(counts)-1])
	fill := slices.Clone(counts)
	for i := range ix.parts {
		each(&ix.parts[i], func(c int) { ix.items[fill[c]] = int32(i); fill[c]++ })
	}
}

func (ix *Index) cells(extent, size float64) int { return int(extent/size) + 1 }

// cell is the bucket of a point, clamped to the grid.
func (ix *Index) cell(p orb.Point) (int, int) {
	x := int((p[0] - ix.origin[0]) / ix.cw)
	y := int((p[1] - ix.origin[1]) / ix.ch)
	return min(max(x, 0), ix.nx-1), min(max(y, 0), ix.ny-1)
}

// candidates calls visit for every part whose bounding box may hold pt.
func (ix *Index) candidates(pt orb.Point, visit func(pi int32)) {
	// Cells are found by the same monotone arithmetic at build and query time, so a point in a
	// part's bounding box always lands in one of the cells the part was bucketed into.
	if ix.nx > 0 && ix.all.Contains(pt) {
		x, y := ix.cell(pt)
		c := y*ix.nx + x
		for _, pi := range ix.items[ix.start[c]:ix.start[c+1]] {
			visit(pi)
		}
	}
	if ix.large > 0 {
		ix.tree.Search(pt, pt, func(_, _ [2]float64, pi int32) bool { visit(pi); return true })
	}
}

// Len is the number of indexed areas.
func (ix *Index) Len() int { return len(ix.areas) }

// Area returns the i-th indexed area.
func (ix *Index) Area(i int) Area { return ix.areas[i] }

// Find returns the position of the area holding (lng, lat) by the border rule, or false.
func (ix *Index) Find(lng, lat float64) (int, bool) {
	s := search{ix: ix, pt: orb.Point{lng, lat}, best: -1}
	ix.candidates(s.pt, s.visit)
	return s.best, s.best >= 0
}

// Locate returns the area holding (lng, lat) by the border rule.
func (ix *Index) Locate(lng, lat float64) (Area, bool) {
	i, ok := ix.Find(lng, lat)
	if !ok {
		return Area{}, false
	}
	return ix.areas[i], true
}

type search struct {
	ix       *Index
	pt       orb.Point
	best     int
	bestMode where
}

func (s *search) visit(pi int32) {
	p := &s.ix.parts[pi]
	m := p.contains(s.pt)
	if m == outside {
		return
	}
	a := int(p.area)
	switch {
	case s.best < 0, m > s.bestMode:
		s.best, s.bestMode = a, m
	case m == s.bestMode && s.ix.areas[a].Code < s.ix.areas[s.best].Code:
		s.best = a
	}
}

type where uint8

const (
	outside where = iota
	onBoundary
	inside
)

// contains tells where pt lies relative to the part: strictly inside (in the outer ring and in
// no hole), on the boundary of any of its rings, or outside (a point strictly inside a hole is
// outside this part; another part or another grid may lie in the hole).
func (p *part) contains(pt orb.Point) where {
	if pt[0] < p.bound.Min[0] || pt[0] > p.bound.Max[0] || pt[1] < p.bound.Min[1] || pt[1] > p.bound.Max[1] {
		return outside
	}
	in := false
	for _, r := range p.rings {
		switch ringContains(r, pt) {
		case onBoundary:
			return onBoundary
		case inside:
			in = !in
		}
	}
	if in {
		return inside
	}
	return outside
}

// ringContains is the crossing-number test with an exact on-edge check. Edges are treated as
// half-open in y (a vertex counts for the edge above it), so a ray through a vertex is counted
// once.
func ringContains(r orb.Ring, pt orb.Point) where {
	px, py := pt[0], pt[1]
	in := false
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		if (a[1] < py && b[1] < py) || (a[1] > py && b[1] > py) {
			continue // the edge is wholly above or below: neither touches nor crosses
		}
		o := orientSign(a, b, pt)
		if o == 0 && px >= min(a[0], b[0]) && px <= max(a[0], b[0]) {
			return onBoundary
		}
		if (a[1] > py) != (b[1] > py) {
			// The edge crosses the horizontal line through pt; it crosses to the right of pt
			// when pt is left of the upward edge (or right of a downward one).
			if (b[1] > a[1]) == (o > 0) {
				in = !in
			}
		}
	}
	if in {
		return inside
	}
	return outside
}

// ccwErrBound is Shewchuk's bound on the error of the float64 orientation determinant.
const ccwErrBound = (3 + 16*0x1p-53) * 0x1p-53

// orientSign is the sign of the cross product (b-a)×(c-a): +1 when c is left of a→b, -1 when
// right, 0 when the three points are collinear — exactly, for the float64 values given.
func orientSign(a, b, c orb.Point) int {
	l := (b[0] - a[0]) * (c[1] - a[1])
	r := (b[1] - a[1]) * (c[0] - a[0])
	det := l - r
	bound := ccwErrBound * (math.Abs(l) + math.Abs(r))
	switch {
	case det > bound:
		return 1
	case det < -bound:
		return -1
	}
	return orientExact(a, b, c)
}

// orientExact computes the orientation in exact rational arithmetic; it runs only for points
// within rounding distance of a line, i.e. on or next to a border.
func orientExact(a, b, c orb.Point) int {
	r := func(f float64) *big.Rat { return new(big.Rat).SetFloat64(f) }
	sub := func(x, y float64) *big.Rat { return new(big.Rat).Sub(r(x), r(y)) }
	l := new(big.Rat).Mul(sub(b[0], a[0]), sub(c[1], a[1]))
	rr := new(big.Rat).Mul(sub(b[1], a[1]), sub(c[0], a[0]))
	return l.Cmp(rr)
}
