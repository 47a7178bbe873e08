package kpi

import (
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/live"
	"github.com/civicgrid/civicgrid/internal/orders"
)

// TestPanelCacheKeepsUntilItsTownChanges: a kept town panel is served until an order of its town
// changes (another town's change keeps it; a resync drops everything), until panelTTL has
// passed, and a panel computed while a change came in is not kept; a panel of several towns is
// kept for panelTTL through its towns' changes.
func TestPanelCacheKeepsUntilItsTownChanges(t *testing.T) {
	bus := live.NewLocal()
	c := newPanelCache(bus)
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	key := panelKey("leader", "", []string{"T1"}, "zh", now)
	hit := func() bool { _, ok, _ := c.get(key); return ok }

	_, ok, gen := c.get(key)
	if ok {
		t.Fatal("a panel before any was kept")
	}
	c.put(key, gen, []string{"T1"}, "<p>1</p>")
	if html, ok, _ := c.get(key); !ok || html != "<p>1</p>" {
		t.Fatalf("kept panel: %q %v", html, ok)
	}
	bus.OrderChanged(t.Context(), orders.Change{Town: "T2", Action: "create"})
	if !hit() {
		t.Error("another town's change dropped the panel")
	}
	bus.OrderChanged(t.Context(), orders.Change{Town: "T1", Action: "create"})
	if hit() {
		t.Error("a change of the panel's town kept it")
	}

	// Computed while a change came in: not kept.
	_, _, gen = c.get(key)
	bus.OrderChanged(t.Context(), orders.Change{Town: "T1", Action: "act"})
	c.put(key, gen, []string{"T1"}, "<p>stale</p>")
	if hit() {
		t.Error("a panel computed across a change was kept")
	}

	_, _, gen = c.get(key)
	c.put(key, gen, []string{"T1"}, "<p>2</p>")
	bus.OrderChanged(t.Context(), orders.Change{Action: live.ActionResync})
	if hit() {
		t.Error("a resync kept the panel")
	}

	_, _, gen = c.get(key)
	c.put(key, gen, []string{"T1"}, "<p>3</p>")
	now = now.Add(panelTTL - time.Second)
	if !hit() {
		t.Error("dropped before its time")
	}
	now = now.Add(2 * time.Second)
	if hit() {
		t.Error("kept past panelTTL")
	}

	_, _, gen = c.get(key)
	c.put(key, gen, []string{"T1"}, "<p>4</p>")
	c.forget("T1")
	if hit() {
		t.Error("forget kept the town's panel")
	}
	if other := panelKey("leader", "", []string{"T1"}, "en", now); other == key {
		t.Error("the language is not in the key")
	}

	// A city's panel (several towns) is kept through its towns' changes, and when computed
	// across one, until panelTTL; a resync still drops it.
	towns := []string{"T1", "T2", "T3"}
	city := panelKey("city", "310000", towns, "zh", now)
	cityHit := func() bool { _, ok, _ := c.get(city); return ok }
	_, _, gen = c.get(city)
	bus.OrderChanged(t.Context(), orders.Change{Town: "T2", Action: "act"})
	c.put(city, gen, towns, "<p>city</p>")
	if !cityHit() {
		t.Error("a city panel computed across a change was not kept")
	}
	bus.OrderChanged(t.Context(), orders.Change{Town: "T1", Action: "create"})
	c.forget("T3")
	if !cityHit() {
		t.Error("a change of one of its towns dropped the city panel")
	}
	now = now.Add(panelTTL + time.Second)
	if cityHit() {
		t.Error("a city panel kept past panelTTL")
	}
	_, _, gen = c.get(city)
	c.put(city, gen, towns, "<p>city 2</p>")
	bus.OrderChanged(t.Context(), orders.Change{Action: live.ActionResync})
	if cityHit() {
		t.Error("a resync kept the city panel")
	}
}
