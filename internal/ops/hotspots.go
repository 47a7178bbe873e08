package ops

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/civicgrid/civicgrid/internal/store"
)

// The hotspot test (治理堵点, docs/OPS.md): a category × grid combination is a hotspot when the
// last 7 days brought at least HotspotMinCount orders and, were its weekly volume Poisson with
// the mean of the 8 weeks before (at least HotspotFloor a week), a count as high or higher would
// happen with probability below HotspotAlpha.
const (
	HotspotWeeks    = 8    // baseline weeks before the current one
	HotspotMinCount = 5    // orders in the current week, at least
	HotspotAlpha    = 0.01 // the upper tail's probability, below
	HotspotFloor    = 0.5  // the baseline's smallest weekly mean (a new kind of problem still needs 5 in a week)
	MaxHotspots     = 50
)

const week = 7 * 24 * time.Hour

// Hotspot is a combination whose current week stands out from its own baseline.
type Hotspot struct {
	Town     string  `json:"town"`
	Grid     string  `json:"grid"`
	Category string  `json:"category"`
	Count    int     `json:"count"`    // orders received in the last 7 days
	Baseline float64 `json:"baseline"` // mean per week over the 8 weeks before
	P        float64 `json:"p"`        // Poisson upper tail P(X >= Count | Baseline)
	// Weeks are the weekly counts, oldest first; the last is the current week.
	Weeks []int `json:"weeks"`
	// From is the start of the current week (the orders a hotspot links to).
	From time.Time `json:"from"`
}

// Hotspots returns the hotspots of towns at now, the least likely first, at most MaxHotspots. It
// counts the orders of the last nine weeks per town, grid, category and week in one grouped query
// on the index of town and received time.
func Hotspots(ctx context.Context, db store.Querier, towns []string, now time.Time) ([]Hotspot, error) {
	in, args := store.In("town_code", towns)
	nowMs := now.UnixMilli()
	rows, err := db.Query(ctx, `SELECT town_code, grid_code, category_code, (? - received_at) / ? AS w, COUNT(*)
		FROM orders WHERE `+in+` AND received_at > ? AND received_at <= ? AND category_code <> '' AND state <> 'merged'
		GROUP BY 1, 2, 3, 4`,
		append(append([]any{nowMs, week.Milliseconds()}, args...), now.Add(-(HotspotWeeks+1)*week).UnixMilli(), nowMs)...)
	if err != nil {
		return nil, fmt.Errorf("hotspots: %w", err)
	}
	defer rows.Close()
	type key struct{ town, grid, cat string }
	counts := map[key][]int{}
	for rows.Next() {
		var k key
		var grid *string
		var w int64
		var n int
		if err := rows.Scan(&k.town, &grid, &k.cat, &w, &n); err != nil {
			return nil, err
		}
		k.grid = deref(grid)
		if w < 0 || w > HotspotWeeks {
			continue
		}
		c := counts[k]
		if c == nil {
			c = make([]int, HotspotWeeks+1)
			counts[k] = c
		}
		c[HotspotWeeks-int(w)] += n // oldest first
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []Hotspot
	for k, c := range counts {
		cur := c[HotspotWeeks]
		if cur < HotspotMinCount {
			continue
		}
		sum := 0
		for _, n := range c[:HotspotWeeks] {
			sum += n
		}
		base := float64(sum) / HotspotWeeks
		p := PoissonTail(cur, max(base, HotspotFloor))
		if p >= HotspotAlpha {
			continue
		}
		out = append(out, Hotspot{Town: k.town, Grid: k.grid, Category: k.cat, Count: cur, Baseline: base, P: p, Weeks: c, From: now.Add(-week)})
	}
	slices.SortFunc(out, func(a, b Hotspot) int {
		return cmp.Or(cmp.Compare(a.P, b.P), cmp.Compare(b.Count, a.Count), cmp.Compare(a.Town, b.Town), cmp.Compare(a.Grid, b.Grid), cmp.Compare(a.Category, b.Category))
	})
	if len(out) > MaxHotspots {
		out = out[:MaxHotspots]
	}
	return out, nil
}

// PoissonTail is P(X >= k) for X Poisson with mean lambda > 0, summed from k upwards in log space
// (accurate where 1 - P(X < k) would cancel).
func PoissonTail(k int, lambda float64) float64 {
	if k <= 0 {
		return 1
	}
	lg, _ := math.Lgamma(float64(k) + 1)
	term := math.Exp(-lambda + float64(k)*math.Log(lambda) - lg)
	sum := 0.0
	for i := k; term > sum*1e-17 && i < k+10000; i++ {
		sum += term
		term *= lambda / float64(i+1)
	}
	return min(sum, 1)
}
