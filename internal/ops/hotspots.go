package ops

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
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

// hotspotBatch bounds the candidates one statement of Hotspots' baselines names (three
// parameters each).
const hotspotBatch = 500

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

// Hotspots returns the hotspots of towns at now, the least likely first, at most MaxHotspots.
//
// It counts in two steps. The current week's orders per town, grid and category first, keeping
// the combinations with at least HotspotMinCount (only they can be hotspots); then the 8 weeks
// before, for those combinations only, through the (grid, category, received time) index. The one
// grouped query over all nine weeks read every order of the nine weeks (a city's 12 towns at a
// million orders: 61,000 index entries, 150–490 ms p50 on the loaded dev machine), where the
// current week is a ninth of them and its few hundred candidates' baselines a few thousand rows.
func Hotspots(ctx context.Context, db store.Querier, towns []string, now time.Time) ([]Hotspot, error) {
	in, args := store.In("town_code", towns)
	nowMs, weekMs := now.UnixMilli(), week.Milliseconds()
	type key struct{ town, grid, cat string }
	counts := map[key][]int{}
	var cands []key
	// w = 0: received in (now − 1 week, now].
	// (No grid and an empty one are one combination.)
	rows, err := db.Query(ctx, `SELECT town_code, COALESCE(grid_code, ''), category_code, COUNT(*)
		FROM orders WHERE `+in+` AND received_at > ? AND received_at <= ? AND category_code <> '' AND state <> 'merged'
		GROUP BY town_code, COALESCE(grid_code, ''), category_code HAVING COUNT(*) >= ?`,
		append(args, nowMs-weekMs, nowMs, HotspotMinCount)...)
	if err != nil {
		return nil, fmt.Errorf("hotspots: %w", err)
	}
	for rows.Next() {
		var k key
		var n int
		if err := rows.Scan(&k.town, &k.grid, &k.cat, &n); err != nil {
			rows.Close()
			return nil, err
		}
		c := make([]int, HotspotWeeks+1)
		c[HotspotWeeks] = n
		counts[k] = c
		cands = append(cands, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The baselines (w = 1…8: received in (now − 9 weeks, now − 1 week]) of the candidates:
	// those with a grid joined from a list of them to orders_grid_category, whose columns answer
	// alone (0044: an index range per candidate, no row read); those without a grid (few: an
	// order is placed in a grid when it is filed) a condition per town naming their categories.
	add := func(rows *sql.Rows) error {
		defer rows.Close()
		for rows.Next() {
			var k key
			var w int64
			var n int
			if err := rows.Scan(&k.town, &k.grid, &k.cat, &w, &n); err != nil {
				return err
			}
			if c := counts[k]; c != nil && w >= 1 && w <= HotspotWeeks {
				c[HotspotWeeks-int(w)] += n // oldest first
			}
		}
		return rows.Err()
	}
	from, to := nowMs-(HotspotWeeks+1)*weekMs, nowMs-weekMs
	var gridded []key
	noGrid := map[string][]any{} // town → categories
	for _, k := range cands {
		if k.grid == "" {
			noGrid[k.town] = append(noGrid[k.town], k.cat)
		} else {
			gridded = append(gridded, k)
		}
	}
	for batch := range slices.Chunk(gridded, hotspotBatch) {
		values := make([]string, len(batch))
		args := make([]any, 0, 3*len(batch)+4)
		for i, k := range batch {
			values[i] = "(?, ?, ?)"
			args = append(args, k.town, k.grid, k.cat)
		}
		rows, err := db.Query(ctx, `WITH c(town, grid, cat) AS (VALUES `+strings.Join(values, ", ")+`)
			SELECT c.town, c.grid, c.cat, (? - o.received_at) / ?, COUNT(*)
			FROM c JOIN orders o ON o.grid_code = c.grid AND o.category_code = c.cat AND o.town_code = c.town
			WHERE o.grid_code IS NOT NULL AND o.received_at > ? AND o.received_at <= ? AND o.state <> 'merged'
			GROUP BY 1, 2, 3, 4`, append(args, nowMs, weekMs, from, to)...)
		if err != nil {
			return nil, fmt.Errorf("hotspots' baselines: %w", err)
		}
		if err := add(rows); err != nil {
			return nil, err
		}
	}
	for town, cats := range noGrid {
		rows, err := db.Query(ctx, `SELECT town_code, '', category_code, (? - received_at) / ?, COUNT(*)
			FROM orders WHERE town_code = ? AND (grid_code IS NULL OR grid_code = '') AND category_code IN (`+store.Placeholders(len(cats))+`)
			AND received_at > ? AND received_at <= ? AND state <> 'merged'
			GROUP BY 1, 2, 3, 4`, append(append([]any{nowMs, weekMs, town}, cats...), from, to)...)
		if err != nil {
			return nil, fmt.Errorf("hotspots' baselines: %w", err)
		}
		if err := add(rows); err != nil {
			return nil, err
		}
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
