package ops

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/ops"
)

// TestHotspotCache: a town's hotspots are computed on every call; several towns' are computed
// once, served for hotspotFresh, then served while a background computation replaces them (up
// to hotspotStale), and computed on the call past that.
func TestHotspotCache(t *testing.T) {
	var calls atomic.Int32
	done := make(chan struct{}, 8)
	c := newHotspotCache(func(_ context.Context, towns []string, now time.Time) ([]ops.Hotspot, error) {
		n := calls.Add(1)
		defer func() { done <- struct{}{} }()
		return []ops.Hotspot{{Town: towns[0], Count: int(n), From: now}}, nil
	})
	var now atomic.Int64
	start := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	now.Store(start.UnixNano())
	c.now = func() time.Time { return time.Unix(0, now.Load()).UTC() }
	at := func(d time.Duration) { now.Store(start.Add(d).UnixNano()) }
	get := func(towns ...string) int {
		t.Helper()
		hs, err := c.get(t.Context(), towns)
		if err != nil || len(hs) != 1 {
			t.Fatalf("get %v: %v %v", towns, hs, err)
		}
		return hs[0].Count
	}
	wait := func() {
		t.Helper()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("no computation")
		}
	}

	if a, b := get("T1"), get("T1"); a != 1 || b != 2 {
		t.Errorf("a town's hotspots were kept: computations %d, %d", a, b)
	}
	wait()
	wait()
	if got := get("T2", "T1"); got != 3 {
		t.Fatalf("first city call: computation %d, want 3", got)
	}
	wait()
	at(hotspotFresh - time.Second)
	if got := get("T1", "T2"); got != 3 {
		t.Errorf("within hotspotFresh (towns in another order): computation %d, want the kept 3", got)
	}
	at(hotspotFresh + time.Second)
	if got := get("T1", "T2"); got != 3 {
		t.Errorf("past hotspotFresh: %d, want the kept 3 while the next is computed", got)
	}
	wait() // the background computation (4)
	for range 50 {
		if got := get("T1", "T2"); got == 4 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := get("T1", "T2"); got != 4 {
		t.Errorf("after the background computation: %d, want 4", got)
	}
	if n := calls.Load(); n != 4 {
		t.Errorf("%d computations, want 4 (one in the background)", n)
	}
	at(hotspotFresh + hotspotStale + 2*time.Second)
	if got := get("T1", "T2"); got != 5 {
		t.Errorf("past hotspotStale: %d, want a computation on the call (5)", got)
	}
}
