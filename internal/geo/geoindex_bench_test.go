package geo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"

	"github.com/civicgrid/civicgrid/internal/cputime"
)

// benchGrids generates n grids tiling a square around Shanghai as a jittered lattice of
// 12-vertex polygons (each side of a cell cut into three slanted segments shared with the
// neighbour), a hole in every tenth grid — closer to drawn grids than axis-parallel squares.
func benchGrids(n int) ([]Area, orb.Bound) {
	side := int(math.Ceil(math.Sqrt(float64(n))))
	const cell = 0.002 // ≈ 200 m
	rng := rand.New(rand.NewPCG(7, 7))
	x0, y0 := 121.0, 31.0
	var v = make([][]orb.Point, side+1)
	for i := range v {
		v[i] = make([]orb.Point, side+1)
		for j := range v[i] {
			v[i][j] = orb.Point{x0 + float64(i)*cell + (rng.Float64()-0.5)*cell*0.3, y0 + float64(j)*cell + (rng.Float64()-0.5)*cell*0.3}
		}
	}
	// Shared intermediate points of each edge, so neighbours agree on the border.
	mids := map[[4]int][2]orb.Point{}
	edge := func(i0, j0, i1, j1 int) []orb.Point {
		key, rev := [4]int{i0, j0, i1, j1}, false
		if i1 < i0 || (i1 == i0 && j1 < j0) {
			key, rev = [4]int{i1, j1, i0, j0}, true
		}
		m, ok := mids[key]
		if !ok {
			a, b := v[key[0]][key[1]], v[key[2]][key[3]]
			for k := range m {
				t := float64(k+1) / 3
				m[k] = orb.Point{a[0] + (b[0]-a[0])*t + (rng.Float64()-0.5)*cell*0.1, a[1] + (b[1]-a[1])*t + (rng.Float64()-0.5)*cell*0.1}
			}
			mids[key] = m
		}
		if rev {
			return []orb.Point{v[i0][j0], m[1], m[0]}
		}
		return []orb.Point{v[i0][j0], m[0], m[1]}
	}
	var areas []Area
	for i := 0; i < side && len(areas) < n; i++ {
		for j := 0; j < side && len(areas) < n; j++ {
			var ring orb.Ring
			ring = append(ring, edge(i, j, i+1, j)...)
			ring = append(ring, edge(i+1, j, i+1, j+1)...)
			ring = append(ring, edge(i+1, j+1, i, j+1)...)
			ring = append(ring, edge(i, j+1, i, j)...)
			ring = append(ring, ring[0])
			poly := orb.Polygon{ring}
			if len(areas)%10 == 0 {
				c := orb.Point{x0 + (float64(i)+0.5)*cell, y0 + (float64(j)+0.5)*cell}
				h := cell * 0.1
				poly = append(poly, orb.Ring{{c[0] - h, c[1] - h}, {c[0] - h, c[1] + h}, {c[0] + h, c[1] + h}, {c[0] + h, c[1] - h}, {c[0] - h, c[1] - h}})
			}
			areas = append(areas, Area{Code: fmt.Sprintf("G%05d", len(areas)), Town: "T", Shape: orb.MultiPolygon{poly}})
		}
	}
	return areas, orb.Bound{Min: orb.Point{x0, y0}, Max: orb.Point{x0 + float64(side)*cell, y0 + float64(side)*cell}}
}

// BenchmarkLocate10k: point → grid among 10,000 generated grid polygons, random points over
// their extent (a few fall outside the jittered outer border).
func BenchmarkLocate10k(b *testing.B) {
	areas, bound := benchGrids(10_000)
	ix := NewIndex(areas)
	rng := rand.New(rand.NewPCG(3, 4))
	pts := make([]orb.Point, 4096)
	for i := range pts {
		pts[i] = orb.Point{bound.Min[0] + rng.Float64()*(bound.Max[0]-bound.Min[0]), bound.Min[1] + rng.Float64()*(bound.Max[1]-bound.Min[1])}
	}
	found := 0
	b.ReportAllocs()
	cpu0 := cputime.Now()
	n := 0
	for i := 0; b.Loop(); i++ {
		p := pts[i&4095]
		if _, ok := ix.Find(p[0], p[1]); ok {
			found++
		}
		n++
	}
	cputime.Report(b, cpu0, n)
	if found == 0 {
		b.Fatal("no point found a grid")
	}
}

// TestBenchGridsTile checks the generator: neighbours share borders (points found everywhere
// inside the extent but for holes and the jittered rim) and no point lands in two grids'
// interiors.
func TestBenchGridsTile(t *testing.T) {
	areas, bound := benchGrids(400)
	ix := NewIndex(areas)
	rng := rand.New(rand.NewPCG(5, 6))
	missed := 0
	for k := 0; k < 2000; k++ {
		// Stay clear of the rim, where the jitter leaves gaps.
		p := orb.Point{bound.Min[0] + 0.001 + rng.Float64()*(bound.Max[0]-bound.Min[0]-0.002), bound.Min[1] + 0.001 + rng.Float64()*(bound.Max[1]-bound.Min[1]-0.002)}
		in := 0
		for _, pt := range ix.parts {
			if pt.contains(p) == inside {
				in++
			}
		}
		if in > 1 {
			t.Fatalf("%v is inside %d grids", p, in)
		}
		if _, ok := ix.Find(p[0], p[1]); !ok {
			missed++
		}
	}
	// Holes cover 1 % of every tenth grid: a handful of misses at most.
	if missed > 20 {
		t.Errorf("%d of 2000 interior points found no grid", missed)
	}
}

// BenchmarkRoute10k: Route over 10,000 grids in 10 towns (the cross-town check on every order).
func BenchmarkRoute10k(b *testing.B) {
	areas, bound := benchGrids(10_000)
	for i := range areas {
		areas[i].Town = fmt.Sprintf("T%d", i%10)
	}
	ix := NewIndex(areas)
	rng := rand.New(rand.NewPCG(3, 4))
	pts := make([]orb.Point, 4096)
	for i := range pts {
		pts[i] = orb.Point{bound.Min[0] + rng.Float64()*(bound.Max[0]-bound.Min[0]), bound.Min[1] + rng.Float64()*(bound.Max[1]-bound.Min[1])}
	}
	b.ReportAllocs()
	cpu0 := cputime.Now()
	n := 0
	for i := 0; b.Loop(); i++ {
		p := pts[i&4095]
		ix.Route("T3", p[0], p[1])
		n++
	}
	cputime.Report(b, cpu0, n)
}

// BenchmarkLocate10kBaseline is the locator places had before geo.Index, measured in the
// same run: an R-tree of bounding boxes, orb's planar.PolygonContains and a tolerance-based
// boundary test, over the same grids and points.
func BenchmarkLocate10kBaseline(b *testing.B) {
	areas, bound := benchGrids(10_000)
	var tree rtree.RTreeG[int]
	for i, a := range areas {
		bb := a.Shape.Bound()
		tree.Insert([2]float64{bb.Min[0], bb.Min[1]}, [2]float64{bb.Max[0], bb.Max[1]}, i)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	pts := make([]orb.Point, 4096)
	for i := range pts {
		pts[i] = orb.Point{bound.Min[0] + rng.Float64()*(bound.Max[0]-bound.Min[0]), bound.Min[1] + rng.Float64()*(bound.Max[1]-bound.Min[1])}
	}
	onEdge := func(p orb.Polygon, pt orb.Point) bool {
		for _, ring := range p {
			for i := 0; i+1 < len(ring); i++ {
				a, c := ring[i], ring[i+1]
				if math.Abs((c[0]-a[0])*(pt[1]-a[1])-(c[1]-a[1])*(pt[0]-a[0])) > 1e-14 {
					continue
				}
				if pt[0] >= math.Min(a[0], c[0])-1e-12 && pt[0] <= math.Max(a[0], c[0])+1e-12 &&
					pt[1] >= math.Min(a[1], c[1])-1e-12 && pt[1] <= math.Max(a[1], c[1])+1e-12 {
					return true
				}
			}
		}
		return false
	}
	cpu0, n := cputime.Now(), 0
	for i := 0; b.Loop(); i++ {
		pt := pts[i&4095]
		best := -1
		tree.Search(pt, pt, func(_, _ [2]float64, j int) bool {
			p := areas[j].Shape[0]
			if planar.PolygonContains(p, pt) || onEdge(p, pt) {
				if best < 0 || areas[j].Code < areas[best].Code {
					best = j
				}
			}
			return true
		})
		n++
	}
	cputime.Report(b, cpu0, n)
}

// TestIndexMatchesBruteForce: on the generated grids, with their vertices and edge points among
// the queries, the buckets give what testing every part by the border rule gives.
func TestIndexMatchesBruteForce(t *testing.T) {
	areas, bound := benchGrids(900)
	ix := NewIndex(areas)
	brute := func(p orb.Point) int {
		best, mode := -1, outside
		for _, pt := range ix.parts {
			m := pt.contains(p)
			a := int(pt.area)
			if m == outside {
				continue
			}
			if best < 0 || m > mode || m == mode && areas[a].Code < areas[best].Code {
				best, mode = a, m
			}
		}
		return best
	}
	rng := rand.New(rand.NewPCG(9, 9))
	var pts []orb.Point
	for i := 0; i < 3000; i++ {
		pts = append(pts, orb.Point{bound.Min[0] - 0.001 + rng.Float64()*(bound.Max[0]-bound.Min[0]+0.002), bound.Min[1] - 0.001 + rng.Float64()*(bound.Max[1]-bound.Min[1]+0.002)})
	}
	for _, a := range areas[:200] {
		ring := a.Shape[0][0]
		for i := 0; i+1 < len(ring); i++ {
			pts = append(pts, ring[i], orb.Point{(ring[i][0] + ring[i+1][0]) / 2, (ring[i][1] + ring[i+1][1]) / 2})
		}
	}
	for _, p := range pts {
		got, ok := ix.Find(p[0], p[1])
		if want := brute(p); !ok && want >= 0 || ok && got != want {
			t.Fatalf("%v: index %d %v, brute force %d", p, got, ok, want)
		}
	}
}
