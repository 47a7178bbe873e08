// Package ops answers the operations centre's live map and wall screen: the orders as points, the
// figures of each grid a map colours it by, the density of demands for the heat layer and the key
// numbers of the wall. Every query is bounded — by the caller's towns, a period of at most
// MaxDays and a row limit — and runs on the orders indexes (town, state, received) and (town,
// received), so its cost follows the orders of the period, not all orders ever received.
// It knows no HTTP (internal/web/ops serves it); live updates are internal/live.
package ops

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Bounds of one request.
const (
	MaxDays       = 90 // the longest period a map layer covers
	DefaultDays   = 7
	DefaultPoints = 2000 // points of one request unless it asks for fewer
	MaxPoints     = 5000
	MaxHeatCells  = 4000
	// SatisfactionDays is the window of the satisfaction measure: ratings of orders received in it.
	SatisfactionDays = 30
	// heatCell is the heat layer's cell in degrees (about 110 m north–south).
	heatCell = 0.001
)

// Query is what a map layer asks for.
type Query struct {
	Towns    []string
	Days     int    // the period: orders received in the last Days days (1..MaxDays)
	Category string // a category code, or "" for all
	OpenOnly bool   // points: only orders that still need work
	Limit    int    // points: at most this many (1..MaxPoints; 0: DefaultPoints)
	Now      time.Time
}

func (q *Query) check() error {
	if q.Days < 1 || q.Days > MaxDays {
		return problem.Field("days", "days: between 1 and %d, not %d", MaxDays, q.Days)
	}
	if len(q.Category) > 64 {
		return problem.Field("category", "category: at most 64 characters")
	}
	if q.Limit == 0 {
		q.Limit = DefaultPoints
	}
	if q.Limit < 1 || q.Limit > MaxPoints {
		return problem.Field("limit", "limit: between 1 and %d, not %d", MaxPoints, q.Limit)
	}
	if q.Now.IsZero() {
		q.Now = time.Now()
	}
	return nil
}

// since is the start of the period in stored milliseconds.
func (q Query) since() int64 { return q.Now.Add(-time.Duration(q.Days) * 24 * time.Hour).UnixMilli() }

// openStates is the SQL list of the states whose orders still need work.
var openStates = func() string {
	var qs []string
	for _, si := range workorder.States {
		if si.Open {
			qs = append(qs, "'"+string(si.State)+"'")
		}
	}
	return strings.Join(qs, ", ")
}()

// Point is one order on the map: no content, address or person.
type Point struct {
	ID       int64     `json:"id"`
	Town     string    `json:"town"`
	Number   string    `json:"number"`
	Lat      float64   `json:"lat"`
	Lng      float64   `json:"lng"`
	State    string    `json:"state"`
	Category string    `json:"category"`
	Grid     string    `json:"grid,omitempty"`
	Overdue  bool      `json:"overdue,omitempty"`
	Received time.Time `json:"received_at"`
}

// Points is the latest located orders of the period, newest first, and whether there were more
// than the limit (the map then shows the grids' figures and the heat layer for the rest).
type Points struct {
	Points    []Point `json:"points"`
	Truncated bool    `json:"truncated"`
}

// LoadPoints returns the located orders of q, newest first, at most q.Limit.
func LoadPoints(ctx context.Context, db store.Querier, q Query) (Points, error) {
	if err := q.check(); err != nil {
		return Points{}, err
	}
	where, args := periodWhere(q)
	where += ` AND lat IS NOT NULL AND lng IS NOT NULL`
	rows, err := db.Query(ctx, `SELECT id, town_code, number, lat, lng, state, category_code, grid_code, suspended, deadline_at, received_at
		FROM orders WHERE `+where+` ORDER BY received_at DESC, id DESC LIMIT ?`, append(args, q.Limit+1)...)
	if err != nil {
		return Points{}, fmt.Errorf("map points: %w", err)
	}
	defer rows.Close()
	out := Points{Points: []Point{}}
	now := q.Now.UnixMilli()
	for rows.Next() {
		var p Point
		var number, grid *string
		var suspended int
		var deadline *int64
		var received int64
		if err := rows.Scan(&p.ID, &p.Town, &number, &p.Lat, &p.Lng, &p.State, &p.Category, &grid, &suspended, &deadline, &received); err != nil {
			return Points{}, err
		}
		if len(out.Points) == q.Limit {
			out.Truncated = true
			break
		}
		p.Number, p.Grid = deref(number), deref(grid)
		p.Overdue = workorder.IsOpen(workorder.State(p.State)) && suspended == 0 && deadline != nil && *deadline < now
		p.Received = store.FromMillis(received)
		out.Points = append(out.Points, p)
	}
	return out, rows.Err()
}

// periodWhere is the condition of q's towns, period, category and states.
func periodWhere(q Query) (string, []any) {
	where, args := store.In("town_code", q.Towns)
	if q.OpenOnly {
		where += ` AND state IN (` + openStates + `)`
	}
	where += ` AND received_at >= ?`
	args = append(args, q.since())
	if q.Category != "" {
		where += ` AND category_code = ?`
		args = append(args, q.Category)
	}
	return where, args
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Cell is one cell of the heat layer: its centre and how many orders were received in it.
type Cell struct {
	Lat   float64 `json:"lat"`
	Lng   float64 `json:"lng"`
	Count int     `json:"count"`
}

// Heat counts the located orders of q (all states) per cell of heatCell degrees; at most
// MaxHeatCells cells, the fullest kept.
func Heat(ctx context.Context, db store.Querier, q Query) ([]Cell, error) {
	if err := q.check(); err != nil {
		return nil, err
	}
	q.OpenOnly = false
	where, args := periodWhere(q)
	rows, err := db.Query(ctx, `SELECT lat, lng FROM orders WHERE `+where+` AND lat IS NOT NULL AND lng IS NOT NULL`, args...)
	if err != nil {
		return nil, fmt.Errorf("heat: %w", err)
	}
	defer rows.Close()
	type key struct{ y, x int64 }
	counts := map[key]int{}
	for rows.Next() {
		var lat, lng float64
		if err := rows.Scan(&lat, &lng); err != nil {
			return nil, err
		}
		counts[key{cellIndex(lat), cellIndex(lng)}]++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	cells := make([]Cell, 0, len(counts))
	for k, n := range counts {
		cells = append(cells, Cell{Lat: cellCentre(k.y), Lng: cellCentre(k.x), Count: n})
	}
	sortCells(cells)
	if len(cells) > MaxHeatCells {
		cells = cells[:MaxHeatCells]
	}
	return cells, nil
}

func cellIndex(deg float64) int64 {
	i := int64(deg / heatCell)
	if deg < 0 && float64(i)*heatCell != deg {
		i-- // floor, not truncation
	}
	return i
}

// cellCentre is the middle of cell i, rounded to 1e-4° (the float error of the product would
// otherwise show in the JSON).
func cellCentre(i int64) float64 { return math.Round((float64(i)+0.5)*heatCell*1e4) / 1e4 }

// shanghaiDay is the start of t's calendar day in Asia/Shanghai.
func shanghaiDay(t time.Time) time.Time {
	l := t.In(workcal.Location())
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, l.Location())
}
