package kpi

import (
	"html/template"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/civicgrid/civicgrid/internal/live"
	"github.com/civicgrid/civicgrid/internal/orders"
)

// The homes' KPI panels read about forty grouped queries over a town's month (leader) or every
// town's month (district, city): at a city's years of orders that is seconds, and the panel is
// the first thing a leader sees, many times a day, while the figures change only when an order
// of the towns does. So a rendered panel is kept until
//   - an order of one of its towns changes (the live bus: every committed change, on PostgreSQL
//     every server's, and a resync drops everything), or an exemption is recorded here;
//   - panelTTL has passed — "late now" moves with the clock without any change, and a few writes
//     announce nothing (batches inside a caller's transaction, settings such as kpi_weights);
//   - the day ends (the key holds the day).
//
// It is never older than panelTTL, and a change the bus carries is seen on the next load — for a
// town's panel. A panel of several towns (a district's, a city's) is kept for panelTTL whatever
// its towns' orders do: a city's towns change every few seconds (Shanghai's 12345: ~25,000
// demands a day, each several changes), so dropping its panels on every change, or refusing one
// computed while a change came in, meant computing them on almost every load (seconds at a
// city's years of orders); figures up to 30 seconds old are what such a screen can show.
const (
	panelTTL = 30 * time.Second
	// panelEntries bounds the cache: a panel per (kind, area, towns, language, day); beyond it
	// everything is dropped, which only costs the next loads their queries.
	panelEntries = 512
)

type panelEntry struct {
	html    template.HTML
	towns   []string
	expires time.Time
}

// panelCache is safe for concurrent use.
type panelCache struct {
	mu      sync.Mutex
	entries map[string]panelEntry
	// gen counts invalidations: a panel computed while one happened is not kept (it may have
	// read the figures before the change).
	gen uint64
	now func() time.Time
	off bool // keep nothing (Options.NoPanelCache)
}

func newPanelCache(bus *live.Bus) *panelCache {
	c := &panelCache{entries: map[string]panelEntry{}, now: time.Now}
	if bus != nil {
		bus.Watch(c.changed) // for the server's life
	}
	return c
}

// panelKey names a panel: its kind, the district or city, the towns, the language and the day.
func panelKey(kind, area string, towns []string, lang string, day time.Time) string {
	return kind + "|" + area + "|" + strings.Join(towns, ",") + "|" + lang + "|" + day.Format(time.DateOnly)
}

// get returns the kept panel of key, if it is still fresh, and the generation to hand to put.
func (c *panelCache) get(key string) (template.HTML, bool, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if ok && c.now().Before(e.expires) {
		return e.html, true, c.gen
	}
	delete(c.entries, key)
	return "", false, c.gen
}

// put keeps a panel computed since get returned gen, unless an invalidation came in between.
func (c *panelCache) put(key string, gen uint64, towns []string, html template.HTML) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// A town's panel computed while a change came in may have read the figures before it; a
	// panel of several towns is kept for panelTTL in any case (above).
	if (gen != c.gen && len(towns) <= 1) || c.off {
		return
	}
	if len(c.entries) >= panelEntries {
		clear(c.entries)
	}
	c.entries[key] = panelEntry{html: html, towns: slices.Clone(towns), expires: c.now().Add(panelTTL)}
}

// changed drops the town panel of the change's town (every panel on a resync); panels of several
// towns run out their panelTTL.
func (c *panelCache) changed(ch orders.Change) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, e := range c.entries {
		if ch.Action == live.ActionResync || (len(e.towns) <= 1 && slices.Contains(e.towns, ch.Town)) {
			delete(c.entries, k)
		}
	}
}

// forget drops the panels of a town (an exemption recorded through this server).
func (c *panelCache) forget(town string) { c.changed(orders.Change{Town: town}) }
