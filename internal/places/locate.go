package places

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"
)

// Locator finds the grid containing a point. It is built once from the grids in the store and
// is safe for concurrent use; a town has a handful of grids, a city thousands, so candidates
// come from an R-tree of bounding boxes before the exact point-in-polygon test.
type Locator struct {
	tree  rtree.RTreeG[int]
	grids []Grid
}

// NewLocator indexes the given grids.
func NewLocator(grids []Grid) *Locator {
	l := &Locator{grids: grids}
	for i, g := range grids {
		b := g.Polygon.Bound()
		l.tree.Insert([2]float64{b.Min[0], b.Min[1]}, [2]float64{b.Max[0], b.Max[1]}, i)
	}
	return l
}

// Locate returns the grid containing (lng, lat). A point on a shared edge goes to the grid with
// the lowest code, so the answer never depends on map order.
func (l *Locator) Locate(lng, lat float64) (Grid, bool) {
	pt := orb.Point{lng, lat}
	best := -1
	l.tree.Search([2]float64{lng, lat}, [2]float64{lng, lat}, func(_, _ [2]float64, i int) bool {
		if planar.PolygonContains(l.grids[i].Polygon, pt) || onBoundary(l.grids[i].Polygon, pt) {
			if best < 0 || l.grids[i].Code < l.grids[best].Code {
				best = i
			}
		}
		return true
	})
	if best < 0 {
		return Grid{}, false
	}
	return l.grids[best], true
}

// Len is the number of indexed grids.
func (l *Locator) Len() int { return len(l.grids) }
