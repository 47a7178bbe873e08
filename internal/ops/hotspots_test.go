package ops_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/ops"
	"github.com/civicgrid/civicgrid/internal/store"
)

func TestPoissonTail(t *testing.T) {
	for _, c := range []struct {
		k      int
		lambda float64
		want   float64
	}{
		{0, 3, 1},
		{1, 1, 1 - math.Exp(-1)}, // 0.63212
		{5, 0.5, 1 - math.Exp(-0.5)*(1+0.5+0.125+0.5*0.5*0.5/6+0.0625/24)}, // 0.00017212
		{6, 1, 1 - math.Exp(-1)*(1+1+0.5+1.0/6+1.0/24+1.0/120)},            // 0.00059418
	} {
		if got := ops.PoissonTail(c.k, c.lambda); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("P(X >= %d | %v) = %v, want %v", c.k, c.lambda, got, c.want)
		}
	}
	// Far in the tail, where 1 - P(X < k) would be 0 in float64.
	if got := ops.PoissonTail(60, 2); got <= 0 || got > 1e-40 {
		t.Errorf("P(X >= 60 | 2) = %v", got)
	}
}

// Hotspots: a combination with 6 orders this week against a steady 1 a week, and one with 5 new
// ones against none, are hotspots (the second less likely, so first); 6 against 4 a week is not,
// nor 4 new ones (below the minimum count), nor another town's.
func TestHotspots(t *testing.T) {
	eachDemoTown(t, func(t *testing.T, db *store.DB, x, g1, g2 string) {
		ctx := context.Background()
		h, d := time.Hour, 24*time.Hour
		var rows []row
		n := 0
		add := func(grid, cat string, received time.Duration, town string) {
			n++
			rows = append(rows, row{n: n, town: town, grid: grid, state: "closed", category: cat, received: received})
		}
		for w := 1; w <= 8; w++ {
			add(g1, "c1", time.Duration(w)*7*d+h, x)
			for range 4 {
				add(g2, "c1", time.Duration(w)*7*d+2*h, x)
			}
		}
		for i := range 6 {
			add(g1, "c1", time.Duration(i+1)*h, x)
			add(g2, "c1", time.Duration(i+1)*h, x)
		}
		for i := range 5 {
			add(g1, "c2", time.Duration(i+1)*h, x)
		}
		for i := range 4 {
			add(g2, "c2", time.Duration(i+1)*h, x)
		}
		for i := range 9 {
			add("", "c3", time.Duration(i+1)*h, world.LujiazuiCode)
		}
		// Orders not placed in a grid are a combination too (grid ""): 6 against 1 a week.
		for w := 1; w <= 8; w++ {
			add("", "c4", time.Duration(w)*7*d+3*h, x)
		}
		for i := range 6 {
			add("", "c4", time.Duration(i+1)*h, x)
		}
		seedMany(t, db, rows)
		hs, err := ops.Hotspots(ctx, db, []string{x}, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(hs) != 3 {
			t.Fatalf("hotspots %+v, want 3", hs)
		}
		a, c, b := hs[0], hs[1], hs[2] // c before b: as likely, as many, grid "" first
		if c.Grid != "" || c.Category != "c4" || c.Count != 6 || c.Baseline != 1 || !slices.Equal(c.Weeks, []int{1, 1, 1, 1, 1, 1, 1, 1, 6}) {
			t.Errorf("the hotspot without a grid %+v", c)
		}
		if a.Grid != g1 || a.Category != "c2" || a.Count != 5 || a.Baseline != 0 || math.Abs(a.P-0.00017212) > 1e-7 ||
			!slices.Equal(a.Weeks, []int{0, 0, 0, 0, 0, 0, 0, 0, 5}) {
			t.Errorf("first hotspot %+v", a)
		}
		if b.Grid != g1 || b.Category != "c1" || b.Count != 6 || b.Baseline != 1 || math.Abs(b.P-0.00059418) > 1e-7 ||
			!slices.Equal(b.Weeks, []int{1, 1, 1, 1, 1, 1, 1, 1, 6}) || !b.From.Equal(now.Add(-7*d)) {
			t.Errorf("second hotspot %+v", b)
		}
	})
}

// seedMany is seed without one number per letter: numbers are N1, N2, ….
func seedMany(t *testing.T, db *store.DB, rows []row) {
	t.Helper()
	for i := range rows {
		rows[i].n = i
	}
	seedNumbered(t, db, rows, func(r row) string { return "H" + itoa(r.n) })
}
