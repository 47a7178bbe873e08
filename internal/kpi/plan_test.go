package kpi_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/kpi"
	"github.com/civicgrid/civicgrid/internal/orders/orderstest"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// planOrders is how many orders the plan test writes: enough that PostgreSQL's planner, with
// statistics, prefers an index wherever one fits, as it does at a million.
const planOrders = 20_000

// TestHomeFiguresReadTheirIndexes fails when a figure the homes read loses the index that lets
// it count a town's month without reading the orders table (migration 0032): on SQLite the
// named index in EXPLAIN QUERY PLAN and no scan of orders; on PostgreSQL no Seq Scan on orders
// and, for the closed orders, an Index Only Scan, after VACUUM ANALYZE over a year of a town's
// mostly closed orders.
func TestHomeFiguresReadTheirIndexes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := orderstest.Seed(t, db)
		now := at("2025-06-02 10:00")
		fillYear(t, db, f, now.UnixMilli())
		p, _ := kpi.PeriodOf("month", now.AddDate(0, -2, 0))
		cases := []struct {
			key, index string
			// pgIndex: PostgreSQL may prefer another index on a small table; "" for index.
			pgIndex string
		}{
			{kpi.Closed, "orders_town_closed", ""},
			// On 20,000 rows PostgreSQL reads the month's deadlines of every town from
			// orders_deadline (0002) and checks the town in the table; either index keeps the
			// count to the month's orders.
			{kpi.ClosureRate, "orders_town_deadline", "orders_(?:town_)?deadline"},
			{kpi.OnTimeClosureRate, "orders_town_closed", ""},
		}
		for _, c := range cases {
			// The leader's month (total), the leader's ranking (department, grid), the
			// district's and the city's tables (town).
			for _, by := range []string{"", "department", "grid", "town"} {
				towns := f.Towns()
				if by == "town" {
					towns = []string{f.Town, f.OtherTown}
				}
				q, args, err := kpi.FigureSQL(towns, c.key, by, p)
				if err != nil {
					t.Fatal(err)
				}
				plan := explain(t, db, q, args)
				if bad := badPlan(db.Dialect(), plan); bad != "" {
					t.Errorf("%s by %q: %s\n%s\n%s", c.key, by, bad, q, plan)
				}
				want := regexp.QuoteMeta(c.index)
				if db.Dialect() == store.Postgres && c.pgIndex != "" {
					want = c.pgIndex
				}
				if !regexp.MustCompile(`\b` + want + `\b`).MatchString(plan) {
					t.Errorf("%s by %q: not counted from %s\n%s", c.key, by, c.index, plan)
				}
				if db.Dialect() == store.Postgres && c.pgIndex == "" && !strings.Contains(plan, "Index Only Scan using "+c.index) {
					t.Errorf("%s by %q: %s is not enough, the table is read too\n%s", c.key, by, c.index, plan)
				}
				if db.Dialect() == store.SQLite && !strings.Contains(plan, "COVERING INDEX "+c.index) {
					t.Errorf("%s by %q: %s is not enough, the table is read too\n%s", c.key, by, c.index, plan)
				}
			}
		}
	})
}

// fillYear writes planOrders orders of the town (a tenth of them the other town's): a year of
// them, newest first from now, one in twenty still open, the rest closed a day after they came,
// due five days after, spread over two grids and three departments; then gathers statistics.
func fillYear(t *testing.T, db *store.DB, f orderstest.Fixture, now int64) {
	t.Helper()
	q := `WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO orders (town_code, number, short_code, state, channel, content, address, grid_code, category_code,
			department_code, received_at, updated_at, filed_at, deadline_at, closed_at, satisfaction)
		SELECT CASE WHEN i % 10 = 0 THEN ? ELSE ? END, 'P-' || i, 'S' || i,
			CASE i % 20 WHEN 0 THEN 'received' WHEN 1 THEN 'in_progress' WHEN 3 THEN 'rated' ELSE 'closed' END,
			'hotline', '楼道堆物', '新泾一村', CASE WHEN i % 10 = 0 THEN ? WHEN i % 3 = 0 THEN ? ELSE ? END, ?,
			CASE WHEN i % 10 = 0 THEN NULL WHEN i % 3 = 1 THEN ? ELSE ? END,
			CAST(? AS BIGINT) - i * 1500000, CAST(? AS BIGINT) - i * 1500000, CAST(? AS BIGINT) - i * 1500000 + 3600000,
			CAST(? AS BIGINT) - i * 1500000 + 432000000,
			CASE WHEN i % 20 IN (0, 1) THEN NULL ELSE CAST(? AS BIGINT) - i * 1500000 + 86400000 END,
			CASE WHEN i % 20 = 3 THEN 'satisfied' ELSE '' END
		FROM n`
	if _, err := db.Exec(ctx, q, planOrders, f.OtherTown, f.Town, f.OtherGrid, f.Grid2, f.Grid, f.Category,
		f.Sanitation, f.Market, now, now, now, now, now); err != nil {
		t.Fatal(err)
	}
	if db.Dialect() == store.Postgres {
		// VACUUM too, as autovacuum does on a server: it marks the pages all-visible, which is
		// what lets PostgreSQL count from an index alone.
		testdb.VacuumAllVisible(t, db, "orders")
	} else if _, err := db.Exec(ctx, "ANALYZE main"); err != nil {
		t.Fatal(err)
	}
}

func explain(t *testing.T, db *store.DB, q string, args []any) string {
	t.Helper()
	return testdb.Explain(t, db, q, args...)
}

var (
	sqliteFullScan = regexp.MustCompile(`(?m)^SCAN orders(?: NOT INDEXED)?$`)
	pgSeqScan      = regexp.MustCompile(`Seq Scan on orders\b`)
)

func badPlan(d store.Dialect, plan string) string {
	if d == store.Postgres {
		if pgSeqScan.MatchString(plan) {
			return "a sequential scan of orders"
		}
		return ""
	}
	if sqliteFullScan.MatchString(plan) {
		return "a scan of orders without an index"
	}
	return ""
}

// TestLateNowReadsTheTownsRunningStages fails when the leader's "late now" (kpi.Late and
// kpi.LateOrders) stops reading a town's running stages from order_stages_town_running (0043)
// and reads every town's running stages, or the whole table, again: at 10⁶ orders that was
// ~3 s per statement.
func TestLateNowReadsTheTownsRunningStages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := orderstest.Seed(t, db)
		now := at("2025-06-02 10:00")
		fillYear(t, db, f, now.UnixMilli())
		// A handling stage per order, running for the open ones (due five days after receipt,
		// so most are late), finished a day after receipt for the others.
		if _, err := db.Exec(ctx, `INSERT INTO order_stages (order_id, seq, stage, owner_kind, owner_code, started_at, due_at,
				finished_at, on_time, order_town)
			SELECT id, 1, 'handling', 'department', COALESCE(department_code, ''), received_at, deadline_at, closed_at,
				CASE WHEN closed_at IS NULL THEN NULL ELSE 1 END, town_code FROM orders`); err != nil {
			t.Fatal(err)
		}
		if db.Dialect() == store.Postgres {
			testdb.VacuumAllVisible(t, db, "order_stages")
		} else if _, err := db.Exec(ctx, "ANALYZE main"); err != nil {
			t.Fatal(err)
		}
		for name, build := range map[string]func([]string, time.Time) (string, []any){"Late": kpi.LateSQL, "LateOrders": kpi.LateOrdersSQL} {
			// The other town's: a tenth of the orders, as a town is a small part of a city's.
			q, args := build([]string{f.OtherTown}, now)
			plan := explain(t, db, q, args)
			if !strings.Contains(plan, "order_stages_town_running") {
				t.Errorf("%s does not read order_stages_town_running:\n%s", name, plan)
			}
			if strings.Contains(plan, "Seq Scan on order_stages") || regexp.MustCompile(`(?m)^SCAN order_stages$|\bSCAN s\b`).MatchString(plan) {
				t.Errorf("%s scans order_stages:\n%s", name, plan)
			}
			if strings.Contains(plan, " orders") {
				t.Errorf("%s reads the orders table:\n%s", name, plan)
			}
		}
	})
}
