package demo_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/kpi"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// TestBenchOrdersLives: the harness's generated orders carry lives the lifecycle could have
// written — a history whose last step is the order's state and whose length is its version,
// stage clocks whose on-time flags agree with their due and finish times, none running on a
// rated order — with the detours (returns, rework, suspensions, duplicates, escalations,
// exemptions) present, KPI figures in a town's plausible ranges, and generated towns whose
// district account sees exactly them.
func TestBenchOrdersLives(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now()
		if _, err := demo.Load(ctx, db, quiet, demo.Orders(t.TempDir(), now)); err != nil {
			t.Fatal(err)
		}
		const towns = 4
		if err := demo.LoadBenchTowns(ctx, db, towns, nil); err != nil {
			t.Fatal(err)
		}
		var before int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM orders`).Scan(&before); err != nil {
			t.Fatal(err)
		}
		schemaBefore := schemaObjects(t, db)
		if _, err := orders.IndexSearch(ctx, db); err != nil {
			t.Fatal(err)
		}
		const n = 6000
		if err := demo.GenerateBenchOrders(ctx, db, demo.BenchOptions{Orders: n, Years: 2, Towns: towns, Seed: 5, Now: now}); err != nil {
			t.Fatal(err)
		}
		// The generator fed SQLite's search index as it wrote: nothing is left to index.
		if n, err := orders.IndexSearch(ctx, db); err != nil || n != 0 {
			t.Errorf("the search index had %d orders left to index (%v)", n, err)
		}
		// The load drops indexes and a trigger and builds them again.
		if after := schemaObjects(t, db); !slices.Equal(after, schemaBefore) {
			t.Errorf("indexes and triggers after generating:\n%v\nbefore:\n%v", after, schemaBefore)
		}
		count := func(q string, args ...any) int {
			t.Helper()
			var c int
			if err := db.QueryRow(ctx, q, args...).Scan(&c); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return c
		}
		if got := count(`SELECT COUNT(*) FROM orders`) - before; got != n {
			t.Fatalf("%d orders generated, want %d", got, n)
		}
		for _, code := range demo.BenchTownCodes(towns) {
			if c := count(`SELECT COUNT(*) FROM orders WHERE town_code = ?`, code); c < n/10 {
				t.Errorf("town %s has %d orders", code, c)
			}
		}
		// Consistency, over every order (the demo's, written by the lifecycle, too).
		for what, q := range map[string]string{
			"a finished stage whose on_time disagrees with its due and finish times": `SELECT COUNT(*) FROM order_stages
				WHERE finished_at IS NOT NULL AND on_time <> CASE WHEN finished_at <= due_at THEN 1 ELSE 0 END`,
			"a running stage with on_time set":   `SELECT COUNT(*) FROM order_stages WHERE finished_at IS NULL AND on_time IS NOT NULL`,
			"a stage finished before it started": `SELECT COUNT(*) FROM order_stages WHERE finished_at < started_at`,
			"a stage whose town is not its order's": `SELECT COUNT(*) FROM order_stages s JOIN orders o ON o.id = s.order_id
				WHERE s.order_town <> o.town_code`,
			"a closed order whose callback ended without an outcome, or with one and running": `SELECT COUNT(*) FROM orders o
				JOIN order_stages s ON s.order_id = o.id AND s.stage = 'callback'
				WHERE o.state = 'closed' AND (s.finished_at IS NULL) <> (o.callback_outcome = '')`,
			"a rated or rejected order with a running stage": `SELECT COUNT(*) FROM orders o JOIN order_stages s ON s.order_id = o.id
				WHERE o.state IN ('rated', 'rejected', 'merged') AND s.finished_at IS NULL`,
			"a closed order running another stage than the callback": `SELECT COUNT(*) FROM orders o JOIN order_stages s ON s.order_id = o.id
				WHERE o.state = 'closed' AND s.finished_at IS NULL AND s.stage <> 'callback'`,
			"a closed or rated order without closing time": `SELECT COUNT(*) FROM orders WHERE state IN ('closed', 'rated') AND closed_at IS NULL`,
			"a closed or rated order without a finished stage": `SELECT COUNT(*) FROM orders o WHERE state IN ('closed', 'rated')
				AND NOT EXISTS (SELECT 1 FROM order_stages s WHERE s.order_id = o.id AND s.finished_at IS NOT NULL)`,
			"an order whose version is not its last event's seq": `SELECT COUNT(*) FROM orders o
				WHERE version <> (SELECT MAX(seq) FROM order_events e WHERE e.order_id = o.id)`,
			"an order whose last event does not end in its state": `SELECT COUNT(*) FROM orders o JOIN order_events e ON e.order_id = o.id
				AND e.seq = o.version WHERE e.to_state <> o.state`,
			"an event out of time order": `SELECT COUNT(*) FROM order_events a JOIN order_events b ON b.order_id = a.order_id AND b.seq = a.seq + 1
				WHERE a.seq > 1 AND b.at < a.at`,
			"a rated order without satisfaction":   `SELECT COUNT(*) FROM orders WHERE state = 'rated' AND satisfaction = ''`,
			"a merged order without its original":  `SELECT COUNT(*) FROM orders WHERE state = 'merged' AND duplicate_of IS NULL AND id > ` + itoa(before),
			"a suspended order without suspension": `SELECT COUNT(*) FROM orders o WHERE suspended = 1 AND NOT EXISTS (SELECT 1 FROM order_suspensions s WHERE s.order_id = o.id AND s.end_at IS NULL)`,
			"a filed order without deadline":       `SELECT COUNT(*) FROM orders WHERE filed_at IS NOT NULL AND deadline_at IS NULL`,
			"an order without its receive event": `SELECT COUNT(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_events e
				WHERE e.order_id = o.id AND e.seq = 1 AND e.action = 'receive')`,
			// order_ratings counts what the trigger would have counted, row for row.
			"a rating count that is not the orders'": `SELECT COUNT(*) FROM order_ratings r WHERE n <> (SELECT COUNT(*) FROM orders o
				WHERE o.town_code = r.town_code AND COALESCE(o.grid_code, '') = r.grid_code AND COALESCE(o.department_code, '') = r.department_code
				AND o.satisfaction = r.satisfaction)`,
			"rated orders not counted in order_ratings": `SELECT COUNT(*) FROM (SELECT town_code, COALESCE(grid_code, '') AS g,
				COALESCE(department_code, '') AS d, satisfaction FROM orders WHERE satisfaction <> '' GROUP BY town_code, COALESCE(grid_code, ''),
				COALESCE(department_code, ''), satisfaction) o WHERE NOT EXISTS (SELECT 1 FROM order_ratings r WHERE r.town_code = o.town_code
				AND r.grid_code = o.g AND r.department_code = o.d AND r.satisfaction = o.satisfaction)`,
			// order_departments as SyncDepartments writes them.
			"a generated order whose department rows are not its departments": `SELECT COUNT(*) FROM orders o WHERE id > ` + itoa(before) + `
				AND (SELECT COUNT(*) FROM order_departments d WHERE d.order_id = o.id AND d.town_code = o.town_code
					AND ((d.role = 'lead' AND d.department = o.department_code) OR (d.role = 'co' AND d.department = o.co_departments)))
				<> (CASE WHEN o.department_code IS NULL THEN 0 ELSE 1 END) + (CASE WHEN o.co_departments <> '' THEN 1 ELSE 0 END)`,
			"a department row of no department of its order": `SELECT COUNT(*) FROM order_departments d JOIN orders o ON o.id = d.order_id
				WHERE o.id > ` + itoa(before) + ` AND d.department <> COALESCE(o.department_code, '') AND d.department <> o.co_departments`,
		} {
			if c := count(q); c > 0 {
				t.Errorf("%d × %s", c, what)
			}
		}
		if db.Dialect() == store.Postgres {
			if c := count(`SELECT COUNT(*) FROM orders WHERE id > ? AND (search IS NULL OR search = ''::tsvector)`, before); c > 0 {
				t.Errorf("%d generated orders without search terms", c)
			}
		}
		// The detours are there.
		for what, q := range map[string]string{
			"returned":          `SELECT COUNT(*) FROM orders WHERE returned_count > 0`,
			"reworked":          `SELECT COUNT(*) FROM orders WHERE rework_count > 0`,
			"suspended":         `SELECT COUNT(*) FROM order_suspensions`,
			"escalated":         `SELECT COUNT(*) FROM orders WHERE escalation_level > 0`,
			"late stages":       `SELECT COUNT(*) FROM order_stages WHERE on_time = 0`,
			"exempted":          `SELECT COUNT(*) FROM kpi_exemptions`,
			"duplicates":        `SELECT COUNT(*) FROM orders WHERE duplicate_of IS NOT NULL`,
			"co-handled":        `SELECT COUNT(*) FROM order_stages WHERE stage = 'co_handling'`,
			"dissatisfied":      `SELECT COUNT(*) FROM orders WHERE satisfaction = 'dissatisfied'`,
			"callback finished": `SELECT COUNT(*) FROM order_stages WHERE stage = 'callback' AND outcome = 'rate'`,
		} {
			if c := count(q); c == 0 {
				t.Errorf("no order %s", what)
			}
		}
		// KPI figures over the last year of every town, within what a town reports.
		svc := &kpi.Service{DB: db, Cal: workcal.Default()}
		rep, err := svc.Compute(ctx, kpi.Query{Towns: demo.BenchTownCodes(towns), Period: kpi.Period{From: now.AddDate(-1, 0, 0), To: now},
			NoPrevious: true, NoLastYear: true})
		if err != nil {
			t.Fatal(err)
		}
		for key, r := range map[string][2]float64{
			kpi.ClosureRate: {0.85, 1}, kpi.OnTimeFilingRate: {0.9, 1}, kpi.OnTimeHandlingRate: {0.75, 0.97},
			kpi.AccurateDispatchRate: {0.9, 0.99}, kpi.ReworkRate: {0.005, 0.1}, kpi.RepeatComplaintRate: {0.02, 0.1},
			kpi.SatisfactionRate: {0.85, 0.98}, kpi.FirstContactRate: {0.85, 0.99}, kpi.AvgHandlingHours: {5, 200},
		} {
			f := rep.Total.Current[key]
			if f.Value != nil {
				t.Logf("%s = %.3f (%d/%d)", key, *f.Value, f.Num, f.Den)
			}
			if f.Value == nil || *f.Value < r[0] || *f.Value > r[1] {
				v := -1.0
				if f.Value != nil {
					v = *f.Value
				}
				t.Errorf("%s = %.3f (%d/%d), want within %v", key, v, f.Num, f.Den, r)
			}
		}
		// The district account sees exactly the generated towns; the city account every town.
		for name, want := range map[string][]string{
			demo.BenchDistrictUser: demo.BenchTownCodes(towns)[2:],
		} {
			u, err := auth.UserByUsername(ctx, db, name)
			if err != nil {
				t.Fatal(err)
			}
			got, err := u.Towns(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s sees %v, want %v", name, got, want)
			}
		}
		city, err := auth.UserByUsername(ctx, db, "shanghai")
		if err != nil {
			t.Fatal(err)
		}
		got, err := city.Towns(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		for _, code := range demo.BenchTownCodes(towns) {
			if !slices.Contains(got, code) {
				t.Errorf("the city account does not see %s (sees %v)", code, got)
			}
		}
	})
}

func itoa(n int) string { return fmt.Sprint(n) }

// schemaObjects are the names of the indexes and triggers of the database (the test's schema on
// PostgreSQL), sorted.
func schemaObjects(t *testing.T, db *store.DB) []string {
	t.Helper()
	q := `SELECT type || ' ' || name FROM sqlite_master WHERE type IN ('index', 'trigger')`
	if db.Dialect() == store.Postgres {
		q = `SELECT 'index ' || indexname FROM pg_indexes WHERE schemaname = current_schema()
			UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN
				(SELECT oid FROM pg_class WHERE relnamespace = current_schema()::regnamespace)`
	}
	names, err := store.Collect(context.Background(), db, func(rows *sql.Rows) (s string, err error) { return s, rows.Scan(&s) }, q)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}
