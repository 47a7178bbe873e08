package ops

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/civicgrid/civicgrid/internal/ops"
)

// The hotspots of several towns (a district's, a city's) read the current week of all of them
// and the eight weeks before of every candidate: ~300 ms for a city of 50 towns at ten million
// orders (docs/BENCHMARKS.md), where a town's take ~30 ms. They are weekly statistics, so a
// district's or city's are computed at most every hotspotFresh and shown up to hotspotStale old
// while a fresh set is computed in the background; a town's are computed on every call, as the
// leader who supervises from them expects to see the order that just came in.
const (
	hotspotFresh = time.Minute
	hotspotStale = 10 * time.Minute
	// hotspotScopes bounds the cache: a set per list of towns; past it everything is dropped.
	hotspotScopes = 256
	// hotspotTimeout bounds a computation in the background.
	hotspotTimeout = time.Minute
)

type hotspotSet struct {
	hs         []ops.Hotspot
	at         time.Time
	refreshing bool
}

// hotspotCache is safe for concurrent use.
type hotspotCache struct {
	mu      sync.Mutex
	sets    map[string]*hotspotSet
	now     func() time.Time
	compute func(ctx context.Context, towns []string, now time.Time) ([]ops.Hotspot, error)
	off     bool // keep nothing (Options.NoCache)
}

func newHotspotCache(compute func(ctx context.Context, towns []string, now time.Time) ([]ops.Hotspot, error)) *hotspotCache {
	return &hotspotCache{sets: map[string]*hotspotSet{}, now: time.Now, compute: compute}
}

// get returns the hotspots of towns: computed now for a town, kept as described above for
// several. The slice is shared: callers do not change it.
func (c *hotspotCache) get(ctx context.Context, towns []string) ([]ops.Hotspot, error) {
	if len(towns) <= 1 || c.off {
		return c.compute(ctx, towns, c.now())
	}
	key := strings.Join(slices.Sorted(slices.Values(towns)), ",")
	c.mu.Lock()
	set := c.sets[key]
	now := c.now()
	if set != nil && now.Sub(set.at) < hotspotStale {
		hs := set.hs
		if now.Sub(set.at) >= hotspotFresh && !set.refreshing {
			set.refreshing = true
			go c.refresh(key, slices.Clone(towns))
		}
		c.mu.Unlock()
		return hs, nil
	}
	c.mu.Unlock()
	hs, err := c.compute(ctx, towns, now)
	if err != nil {
		return nil, err
	}
	c.keep(key, hs, now)
	return hs, nil
}

// refresh computes the hotspots of key's towns in the background; on failure the kept set
// stays (and is retried by the next call that finds it old).
func (c *hotspotCache) refresh(key string, towns []string) {
	ctx, cancel := context.WithTimeout(context.Background(), hotspotTimeout)
	defer cancel()
	at := c.now()
	hs, err := c.compute(ctx, towns, at)
	if err != nil {
		c.mu.Lock()
		if set := c.sets[key]; set != nil {
			set.refreshing = false
		}
		c.mu.Unlock()
		return
	}
	c.keep(key, hs, at)
}

func (c *hotspotCache) keep(key string, hs []ops.Hotspot, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.sets[key]; old != nil && old.at.After(at) {
		return // a later computation got there first
	}
	if len(c.sets) >= hotspotScopes {
		clear(c.sets)
	}
	c.sets[key] = &hotspotSet{hs: hs, at: at}
}
