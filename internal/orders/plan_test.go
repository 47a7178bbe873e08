package orders_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/search"
	"github.com/civicgrid/civicgrid/internal/store"
)

// planOrders is how many orders the plan test writes: enough that PostgreSQL's planner, with
// statistics, prefers an index wherever one fits, as it does at a million.
const planOrders = 20_000

// TestListQueriesUseIndexes fails when a main list, count or search query of the orders page
// loses its index: on SQLite no `SCAN orders` without an index in EXPLAIN QUERY PLAN, and no
// sort of a whole town for the default list; on PostgreSQL no Seq Scan on orders in EXPLAIN,
// after ANALYZE over a town's archive of mostly closed orders.
func TestListQueriesUseIndexes(t *testing.T) {
	each(t, at("2025-06-02 10:00"), func(t *testing.T, e env) {
		fillArchive(t, e)
		now := e.clock.Now()
		from := now.Add(-30 * 24 * time.Hour)
		town, city := e.f.Towns(), []string{e.f.Town, e.f.OtherTown}
		cases := []struct {
			name string
			f    orders.Filter
			// count: the bounded count must use an index too (an unfiltered count reads at most
			// 10,001 rows whatever plan it takes, so it is not checked).
			count bool
		}{
			{"default list", orders.Filter{Towns: town}, false},
			{"city list", orders.Filter{Towns: city}, false},
			{"grid and category", orders.Filter{Towns: town, Grid: e.f.Grid, Category: e.f.Category}, true},
			{"grid and top class", orders.Filter{Towns: town, Grid: e.f.Grid, Category: e.f.TopCategory}, true},
			{"overdue", orders.Filter{Towns: town, Overdue: true}, true},
			{"overdue, city", orders.Filter{Towns: city, Overdue: true}, true},
			{"warning", orders.Filter{Towns: town, Warning: true}, true},
			{"unlocated", orders.Filter{Towns: town, Unlocated: true}, true},
			{"state received", orders.Filter{Towns: town, States: []string{"received"}}, true},
			{"grid's open orders", orders.Filter{Towns: town, Grid: e.f.Grid, States: []string{"received", "filed", "dispatched", "in_progress", "handled"}}, true},
			{"department", orders.Filter{Towns: town, Department: e.f.Sanitation, States: []string{"dispatched"}}, true},
			{"last month", orders.Filter{Towns: town, From: &from}, false},
			{"search", orders.Filter{Towns: town, Query: "噪音扰民"}, true},
			{"search, city", orders.Filter{Towns: city, Query: "噪音扰民"}, true},
		}
		for _, c := range cases {
			count, page, args, err := e.s.ListSQL(c.f)
			if err != nil {
				t.Fatal(err)
			}
			checks := map[string]string{"page": page}
			if c.count {
				checks["count"] = count
			}
			for kind, q := range checks {
				plan := explain(t, e.db, q, args)
				if bad := badPlan(e.db.Dialect(), plan); bad != "" {
					t.Errorf("%s (%s): %s\n%s\n%s", c.name, kind, bad, q, plan)
				}
				if c.name == "default list" && strings.Contains(plan, "TEMP B-TREE FOR ORDER BY") {
					t.Errorf("%s: sorts every order of the town instead of walking an index\n%s", c.name, plan)
				}
			}
		}
	})
}

// TestOpenIndexMatchesOpenStates: migration 0018's partial index of open orders repeats the
// list of open states the queries write; a new open state must be added to both.
func TestOpenIndexMatchesOpenStates(t *testing.T) {
	raw, err := os.ReadFile("../store/migrations/0018_list_speed.sql")
	if err != nil {
		t.Fatal(err)
	}
	if want := "WHERE state IN (" + orders.OpenStates + ")"; !strings.Contains(string(raw), want) {
		t.Errorf("0018's orders_open index is not %q", want)
	}
}

// fillArchive writes planOrders orders of Town (and a tenth as many of OtherTown) in one
// statement: a year of them, one in twenty still open, spread over the grids, categories and
// departments, then gathers statistics.
func fillArchive(t *testing.T, e env) {
	t.Helper()
	now := e.clock.Now().UnixMilli()
	q := `WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO orders (town_code, number, short_code, state, channel, content, address, grid_code, category_code,
			department_code, received_at, updated_at, deadline_at, warning_at, satisfaction)
		SELECT CASE WHEN i % 10 = 0 THEN ? ELSE ? END, 'P-' || i, 'S' || i,
			CASE i % 20 WHEN 0 THEN 'received' WHEN 1 THEN 'in_progress' WHEN 2 THEN 'dispatched' WHEN 3 THEN 'rated' ELSE 'closed' END,
			'hotline', CASE WHEN i % 7 = 0 THEN '夜间噪音扰民' ELSE '楼道堆物' END, '新泾一村', CASE WHEN i % 10 = 0 THEN ? WHEN i % 3 = 0 THEN ? ELSE ? END,
			CASE WHEN i % 10 = 0 THEN ? WHEN i % 2 = 0 THEN ? ELSE ? END, CASE WHEN i % 10 = 0 THEN NULL WHEN i % 4 = 0 THEN ? ELSE ? END,
			CAST(? AS BIGINT) - i * 1500000, CAST(? AS BIGINT) - i * 1500000, CAST(? AS BIGINT) - i * 1500000 + 432000000, NULL, CASE WHEN i % 20 = 3 THEN 'satisfied' ELSE '' END
		FROM n`
	if _, err := e.db.Exec(ctx, q, planOrders, e.f.OtherTown, e.f.Town, e.f.OtherGrid, e.f.Grid2, e.f.Grid,
		e.f.OtherCategory, e.f.Category, e.f.ConsultCategory, e.f.Sanitation, e.f.Market, now, now, now); err != nil {
		t.Fatal(err)
	}
	if e.db.Dialect() == store.Postgres {
		// PostgreSQL keeps an order's search terms in its row, as Create writes them.
		for _, text := range []string{"夜间噪音扰民", "楼道堆物"} {
			if _, err := e.db.Exec(ctx, `UPDATE orders SET search = CAST(? AS tsvector) WHERE content = ?`,
				search.TSVector(search.Terms(text, "新泾一村")), text); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := orders.IndexSearch(ctx, e.db); err != nil {
		t.Fatal(err)
	}
	analyze := "ANALYZE main"
	if e.db.Dialect() == store.Postgres {
		analyze = "ANALYZE"
	}
	if _, err := e.db.Exec(ctx, analyze); err != nil {
		t.Fatal(err)
	}
}

func explain(t *testing.T, db *store.DB, q string, args []any) string {
	t.Helper()
	prefix := "EXPLAIN QUERY PLAN "
	if db.Dialect() == store.Postgres {
		prefix = "EXPLAIN "
	}
	rows, err := db.Query(ctx, prefix+q, args...)
	if err != nil {
		t.Fatalf("explain: %v\n%s", err, q)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		// SQLite: id, parent, notused, detail; PostgreSQL: one line of text.
		lines = append(lines, strings.TrimSpace(toString(vals[len(vals)-1])))
	}
	return strings.Join(lines, "\n")
}

func toString(v any) string {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case string:
		return x
	}
	return ""
}

var (
	sqliteFullScan = regexp.MustCompile(`(?m)^SCAN orders(?: NOT INDEXED)?$`)
	pgSeqScan      = regexp.MustCompile(`Seq Scan on orders\b`)
)

// badPlan says what is wrong with a plan, or "".
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
