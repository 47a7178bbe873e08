package ops_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/ops"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// row is one hand-made order.
type row struct {
	n            int
	town, grid   string
	state        string
	received     time.Duration // before now
	deadline     time.Duration // after now (negative: past); 0: none
	suspended    bool
	satisfaction string
	category     string
	lat, lng     float64 // 0: not located
}

// now is 12:00 in Shanghai.
var now = time.Date(2026, 11, 18, 12, 0, 0, 0, time.FixedZone("CST", 8*3600))

func seed(t *testing.T, db *store.DB, rows []row) {
	t.Helper()
	seedNumbered(t, db, rows, func(r row) string { return "N" + string(rune('A'+r.n)) })
}

func itoa(n int) string { return strconv.Itoa(n) }

// seedNumbered inserts rows, each numbered by number.
func seedNumbered(t *testing.T, db *store.DB, rows []row, number func(row) string) {
	t.Helper()
	ctx := context.Background()
	for _, r := range rows {
		var lat, lng, grid, deadline any
		if r.lat != 0 {
			lat, lng = r.lat, r.lng
		}
		if r.grid != "" {
			grid = r.grid
		}
		if r.deadline != 0 {
			deadline = now.Add(r.deadline).UnixMilli()
		}
		_, err := db.Exec(ctx, `INSERT INTO orders (town_code, number, short_code, state, channel, content, lat, lng, grid_code, category_code,
			received_at, deadline_at, updated_at, suspended, satisfaction) VALUES (?, ?, ?, ?, 'phone', 'x', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.town, number(r), "S"+number(r), r.state, lat, lng, grid, r.category,
			now.Add(-r.received).UnixMilli(), deadline, now.UnixMilli(), store.Bool(r.suspended), r.satisfaction)
		if err != nil {
			t.Fatalf("order %d: %v", r.n, err)
		}
	}
}

// eachDemoTown runs body on each database with the demo world loaded, for 新泾镇 and its first
// two grids.
func eachDemoTown(t *testing.T, body func(t *testing.T, db *store.DB, town, g1, g2 string)) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		if err := demo.World(context.Background(), db, t.TempDir()); err != nil {
			t.Fatal(err)
		}
		g := grids(t, db, world.XinjingCode)
		body(t, db, world.XinjingCode, g[0], g[1])
	})
}

func grids(t *testing.T, db *store.DB, town string) []string {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT code FROM grids WHERE town_code = ? ORDER BY code`, town)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		rows.Scan(&c)
		out = append(out, c)
	}
	return out
}

// The figures, points and heat of a hand-made set of orders, counted by hand.
func TestFiguresPointsAndHeat(t *testing.T) {
	eachDemoTown(t, func(t *testing.T, db *store.DB, x, g1, g2 string) {
		ctx := context.Background()
		h, d := time.Hour, 24*time.Hour
		seed(t, db, []row{
			{n: 1, town: x, grid: g1, state: "received", received: h, deadline: d, category: "c1", lat: 31.2001, lng: 121.3001},
			{n: 2, town: x, grid: g1, state: "dispatched", received: 3 * d, deadline: -h, lat: 31.2002, lng: 121.3002},
			{n: 3, town: x, grid: g1, state: "in_progress", received: 10 * d, deadline: -2 * d, suspended: true},
			{n: 4, town: x, grid: g1, state: "rated", received: 20 * d, satisfaction: "satisfied"},
			{n: 5, town: x, grid: g1, state: "rated", received: 25 * d, satisfaction: "dissatisfied"},
			{n: 6, town: x, grid: g2, state: "closed", received: 2 * d, satisfaction: "basically_satisfied", lat: 31.2101, lng: 121.3109},
			{n: 7, town: x, grid: g2, state: "rated", received: 40 * d, satisfaction: "satisfied"},
			{n: 8, town: x, state: "received", received: 2 * h, lat: 31.2505, lng: 121.3505},
			{n: 9, town: world.LujiazuiCode, state: "received", received: h, lat: 31.2405, lng: 121.5005},
			{n: 10, town: x, grid: g1, state: "received", received: 13 * h, lat: 31.2105, lng: 121.3105},
		})
		f, err := ops.LoadFigures(ctx, db, []string{x}, now)
		if err != nil {
			t.Fatal(err)
		}
		want := []ops.GridFigures{
			{Town: x, Grid: "", Open: 1, Week: 1},
			{Town: x, Grid: g1, Open: 4, Overdue: 1, Week: 3, Rated: 2, Satisfied: 1},
			{Town: x, Grid: g2, Week: 1, Rated: 1, Satisfied: 1},
		}
		if !slices.Equal(f.Grids, want) {
			t.Errorf("grids\n got %+v\nwant %+v", f.Grids, want)
		}
		if tot := (ops.GridFigures{Open: 5, Overdue: 1, Week: 5, Rated: 3, Satisfied: 2}); f.Total != tot || f.Today != 2 {
			t.Errorf("total %+v today %d, want %+v and 2", f.Total, f.Today, tot)
		}

		ids := func(p ops.Points) []string {
			var out []string
			for _, x := range p.Points {
				out = append(out, x.Number)
			}
			return out
		}
		p, err := ops.LoadPoints(ctx, db, ops.Query{Towns: []string{x}, Days: 7, OpenOnly: true, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(p); !slices.Equal(got, []string{"NB", "NI", "NK", "NC"}) || p.Truncated {
			t.Errorf("open points %v (truncated %v), want NB NI NK NC", got, p.Truncated)
		}
		if !p.Points[3].Overdue || p.Points[0].Overdue {
			t.Errorf("overdue flags: %+v", p.Points)
		}
		p, _ = ops.LoadPoints(ctx, db, ops.Query{Towns: []string{x}, Days: 7, Limit: 3, Now: now})
		if got := ids(p); !slices.Equal(got, []string{"NB", "NI", "NK"}) || !p.Truncated {
			t.Errorf("3 points %v (truncated %v), want NB NI NK and truncated", got, p.Truncated)
		}
		p, _ = ops.LoadPoints(ctx, db, ops.Query{Towns: []string{x}, Days: 7, Now: now})
		if got := ids(p); !slices.Equal(got, []string{"NB", "NI", "NK", "NG", "NC"}) {
			t.Errorf("all points %v", got)
		}
		if _, err := ops.LoadPoints(ctx, db, ops.Query{Towns: []string{x}, Days: 0, Now: now}); err == nil {
			t.Error("0 days accepted")
		}

		cells, err := ops.Heat(ctx, db, ops.Query{Towns: []string{x}, Days: 7, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		wantCells := []ops.Cell{{Lat: 31.2005, Lng: 121.3005, Count: 2}, {Lat: 31.2105, Lng: 121.3105, Count: 2}, {Lat: 31.2505, Lng: 121.3505, Count: 1}}
		if !slices.Equal(cells, wantCells) {
			t.Errorf("heat %+v, want %+v", cells, wantCells)
		}
		cells, _ = ops.Heat(ctx, db, ops.Query{Towns: []string{x}, Days: 7, Category: "c1", Now: now})
		if !slices.Equal(cells, []ops.Cell{{Lat: 31.2005, Lng: 121.3005, Count: 1}}) {
			t.Errorf("heat of c1 %+v", cells)
		}
	})
}
