package places

import (
	"context"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"

	"github.com/civicgrid/civicgrid/internal/store"
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

// LocatorCache keeps one Locator per town, rebuilt after Invalidate; grids change rarely and
// orders arrive by the thousand, so routing must not read every polygon per order.
type LocatorCache struct {
	DB *store.DB
	mu sync.Mutex
	m  map[string]*Locator
}

// Get returns the town's locator, building it on first use.
func (c *LocatorCache) Get(ctx context.Context, town string) (*Locator, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.m[town]; ok {
		return l, nil
	}
	grids, err := Grids(ctx, c.DB, []string{town})
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = map[string]*Locator{}
	}
	l := NewLocator(grids)
	c.m[town] = l
	return l, nil
}

// Invalidate drops a town's locator after its grids changed.
func (c *LocatorCache) Invalidate(town string) {
	c.mu.Lock()
	delete(c.m, town)
	c.mu.Unlock()
}
