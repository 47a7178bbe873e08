package places

import (
	"context"
	"sync"

	"github.com/paulmach/orb"

	"github.com/civicgrid/civicgrid/internal/geo"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Locator finds the grid containing a point. It is built once from the grids in the store and
// is safe for concurrent use. The index and the exact point-in-polygon test are
// geo.Index's; a point on a shared edge or vertex goes to the grid with the lowest code
// (docs/DISPATCH.md, "Where").
type Locator struct {
	index *geo.Index
	grids []Grid
}

// NewLocator indexes the given grids.
func NewLocator(grids []Grid) *Locator {
	areas := make([]geo.Area, len(grids))
	for i, g := range grids {
		areas[i] = geo.Area{Code: g.Code, Town: g.TownCode, Shape: orb.MultiPolygon{g.Polygon}}
	}
	return &Locator{index: geo.NewIndex(areas), grids: grids}
}

// Locate returns the grid containing (lng, lat). A point on a shared edge goes to the grid with
// the lowest code, so the answer never depends on map order.
func (l *Locator) Locate(lng, lat float64) (Grid, bool) {
	i, ok := l.index.Find(lng, lat)
	if !ok {
		return Grid{}, false
	}
	return l.grids[i], true
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
