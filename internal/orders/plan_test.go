package orders_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/search"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
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
			// The handler's tabs: all of the department's orders, in progress, overdue; the lead's
			// and a co-handler's.
			{"department, all", orders.Filter{Towns: town, Department: e.f.Sanitation}, true},
			{"co-department, all", orders.Filter{Towns: town, Department: e.f.Market}, true},
			{"department in progress", orders.Filter{Towns: town, Department: e.f.Market, States: []string{"in_progress"}}, true},
			{"department overdue", orders.Filter{Towns: town, Department: e.f.Sanitation, Overdue: true}, true},
			{"last month", orders.Filter{Towns: town, From: &from}, false},
			{"search", orders.Filter{Towns: town, Query: "噪音扰民"}, true},
			{"search, city", orders.Filter{Towns: city, Query: "噪音扰民"}, true},
			{"search and state", orders.Filter{Towns: town, Query: "噪音扰民", States: []string{"closed"}}, true},
			{"search, last month", orders.Filter{Towns: town, Query: "噪音扰民", From: &from}, true},
			// A resident's search of their own reports: from their orders, not from the hits.
			{"resident's search", orders.Filter{Towns: town, Query: "噪音扰民", RaisedBy: e.f.Resident}, true},
		}
		for _, c := range cases {
			count, countArgs, page, args, err := e.s.ListSQL(c.f)
			if err != nil {
				t.Fatal(err)
			}
			type stmt struct {
				sql  string
				args []any
			}
			checks := map[string]stmt{"page": {page, args}}
			// The walk's bound in proportion: 20,000 of a town's 600,000 orders at a million,
			// 500 of its 18,000 here.
			if walk, walkArgs, ok, err := e.s.SearchWalkSQL(c.f, 500); err != nil {
				t.Fatal(err)
			} else if ok {
				checks["walk"] = stmt{walk, walkArgs}
			}
			if c.count {
				checks["count"] = stmt{count, countArgs}
			}
			for kind, st := range checks {
				q := st.sql
				plan := explain(t, e.db, q, st.args)
				if bad := badPlan(e.db.Dialect(), plan); bad != "" {
					t.Errorf("%s (%s): %s\n%s\n%s", c.name, kind, bad, q, plan)
				}
				if c.f.Department != "" && !strings.Contains(plan, "order_departments") {
					// Matching co_departments with LIKE reads every order of the town: a
					// department's lists go through order_departments' index.
					t.Errorf("%s (%s): the department is not looked up in order_departments\n%s", c.name, kind, plan)
				}
				if os.Getenv("PLAN_DEBUG") != "" && c.f.Department != "" {
					t.Logf("%s (%s):\n%s", c.name, kind, plan)
				}
				// The walk is worth running only as a walk of the time index that stops after a
				// page of hits: on PostgreSQL never through the search index, on SQLite never a
				// sort of the filters' orders.
				if kind == "walk" && e.db.Dialect() == store.Postgres && (!strings.Contains(plan, "Index Scan Backward") || strings.Contains(plan, "orders_town_search")) {
					t.Errorf("%s (walk): not a backward walk of a time index\n%s\n%s", c.name, q, plan)
				}
				// A search within a short time range reads the range's orders from the time
				// index and tests the search on each (scanRange), instead of every hit of the town.
				if e.db.Dialect() == store.Postgres && c.name == "search, last month" && (!strings.Contains(plan, "orders_town_received") || strings.Contains(plan, "orders_town_search")) {
					t.Errorf("%s (%s): not read from the time range's orders\n%s\n%s", c.name, kind, q, plan)
				}
				// A search's count reads the towns' hits alone: the search index is keyed by town
				// first (migration 0045); before, it read every town's hits from the heap.
				if kind == "count" && e.db.Dialect() == store.Postgres && c.f.Query != "" && c.f.RaisedBy == 0 && c.f.From == nil && !pgTownSearch.MatchString(plan) {
					t.Errorf("%s (count): the search index is not asked for the towns' hits alone\n%s\n%s", c.name, q, plan)
				}
				if kind == "walk" && e.db.Dialect() == store.SQLite && strings.Contains(plan, "TEMP B-TREE FOR ORDER BY") {
					t.Errorf("%s (walk): sorts the filters' orders instead of walking a time index\n%s\n%s", c.name, q, plan)
				}
				if c.f.RaisedBy != 0 && e.db.Dialect() == store.SQLite && !strings.Contains(plan, "orders_raised_by") {
					t.Errorf("%s (%s): not driven from the resident's orders (orders_raised_by)\n%s", c.name, kind, plan)
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
	// Eight departments lead the town's orders, as a town's do: Sanitation and Market an eighth
	// each, six more the rest.
	for d := 0; d < 8; d++ {
		if _, err := e.db.Exec(ctx, `INSERT INTO departments (code, town_code, name, kind, created_at) VALUES (?, ?, ?, 'other', 0)`,
			fmt.Sprintf("plan-d%d", d), e.f.Town, fmt.Sprintf("部门%d", d)); err != nil {
			t.Fatal(err)
		}
	}
	q := `WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO orders (town_code, number, short_code, state, channel, content, address, grid_code, category_code,
			department_code, received_at, updated_at, deadline_at, warning_at, satisfaction)
		SELECT CASE WHEN i % 10 = 0 THEN ? ELSE ? END, 'P-' || i, 'S' || i,
			CASE i % 20 WHEN 0 THEN 'received' WHEN 1 THEN 'in_progress' WHEN 2 THEN 'dispatched' WHEN 3 THEN 'rated' ELSE 'closed' END,
			'hotline', CASE WHEN i % 7 = 0 THEN '夜间噪音扰民' ELSE '楼道堆物' END, '新泾一村', CASE WHEN i % 10 = 0 THEN ? WHEN i % 3 = 0 THEN ? ELSE ? END,
			CASE WHEN i % 10 = 0 THEN ? WHEN i % 2 = 0 THEN ? ELSE ? END, CASE WHEN i % 10 = 0 THEN NULL WHEN i % 8 = 1 THEN ? WHEN i % 8 = 2 THEN ? ELSE 'plan-d' || (i % 8) END,
			CAST(? AS BIGINT) - i * 1500000, CAST(? AS BIGINT) - i * 1500000, CAST(? AS BIGINT) - i * 1500000 + 432000000, NULL, CASE WHEN i % 20 = 3 THEN 'satisfied' ELSE '' END
		FROM n`
	if _, err := e.db.Exec(ctx, q, planOrders, e.f.OtherTown, e.f.Town, e.f.OtherGrid, e.f.Grid2, e.f.Grid,
		e.f.OtherCategory, e.f.Category, e.f.ConsultCategory, e.f.Sanitation, e.f.Market, now, now, now); err != nil {
		t.Fatal(err)
	}
	// A fifth of Sanitation's orders have Market as co-department; order_departments follows,
	// as the store's writes keep it.
	for _, q := range []string{
		`UPDATE orders SET co_departments = ? WHERE department_code = ? AND id % 5 = 0`,
		`INSERT INTO order_departments (order_id, department, role, town_code)
			SELECT id, department_code, 'lead', town_code FROM orders WHERE department_code IS NOT NULL`,
		`INSERT INTO order_departments (order_id, department, role, town_code)
			SELECT id, co_departments, 'co', town_code FROM orders WHERE co_departments <> ''`,
	} {
		args := []any{}
		if strings.HasPrefix(q, "UPDATE") {
			args = []any{e.f.Market, e.f.Sanitation}
		}
		if _, err := e.db.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
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
	// As autovacuum does on a server (PostgreSQL): the search index's pending list (GIN
	// fastupdate) is merged and pages marked all-visible. Left to autovacuum's timing, the planner
	// priced the search index with its pending list and now and then chose a scan of this small
	// table (a flaky plan, never seen at a million orders).
	testdb.VacuumAllVisible(t, e.db, "orders")
}

func explain(t *testing.T, db *store.DB, q string, args []any) string {
	t.Helper()
	return testdb.Explain(t, db, q, args...)
}

var (
	sqliteFullScan = regexp.MustCompile(`(?m)^(?:SCAN orders(?: NOT INDEXED)?|SCAN od|SCAN order_departments)$`)
	pgSeqScan      = regexp.MustCompile(`Seq Scan on (?:orders|order_departments)\b`)
)

// pgTownSearch matches a scan of the search index whose condition names the town.
var pgTownSearch = regexp.MustCompile(`Bitmap Index Scan on orders_town_search[^\n]*\n[^\n]*Index Cond: \(\(?town_code`)

// badPlan says what is wrong with a plan, or "".
func badPlan(d store.Dialect, plan string) string {
	if d == store.Postgres {
		if pgSeqScan.MatchString(plan) {
			return "a sequential scan of orders or order_departments"
		}
		return ""
	}
	if sqliteFullScan.MatchString(plan) {
		return "a scan of orders without an index"
	}
	return ""
}

// TestIntakeChartReadsAnIndexAlone: the homes' intake chart (the last 30 days per channel and
// hour) of a town is counted from orders_town_received alone (migration 0032); on SQLite a
// grouping by channel first had it walk the town's every order through orders_external.
func TestIntakeChartReadsAnIndexAlone(t *testing.T) {
	each(t, at("2025-06-02 10:00"), func(t *testing.T, e env) {
		fillArchive(t, e)
		// As autovacuum does on a server: all-visible pages let PostgreSQL count from the index.
		testdb.VacuumAllVisible(t, e.db, "orders")
		since := e.clock.Now().Add(-30 * 24 * time.Hour).UnixMilli()
		for _, towns := range [][]string{{e.f.Town}, {e.f.Town, e.f.OtherTown}} {
			in, args := store.In("town_code", towns)
			q := orders.IntakeSQL(in)
			plan := explain(t, e.db, q, append(args, since))
			if bad := badPlan(e.db.Dialect(), plan); bad != "" {
				t.Errorf("%v: %s\n%s", towns, bad, plan)
			}
			want := "COVERING INDEX orders_town_received "
			if e.db.Dialect() == store.Postgres {
				want = "Index Only Scan using orders_town_received "
			}
			if !strings.Contains(plan, want) {
				t.Errorf("%v: the chart does not read orders_town_received alone\n%s", towns, plan)
			}
		}
	})
}

// TestSeveralTownsListsWalkTheTimeIndex: a district's or the city's list, newest first, with no
// filter, in a state of the archive (closed, rated, rejected) or of a channel, and its next page
// by keyset, reads one page of the time index (orders_received_town) whatever the number of
// orders — never the towns' matching orders gathered and sorted (SQLite: a temporary b-tree
// for the ORDER BY; PostgreSQL: a Sort that is not incremental) — and its bounded count reads
// the towns' own indexes.
func TestSeveralTownsListsWalkTheTimeIndex(t *testing.T) {
	each(t, at("2025-06-02 10:00"), func(t *testing.T, e env) {
		fillArchive(t, e)
		city := []string{e.f.Town, e.f.OtherTown}
		after := orders.Cursor{Key: e.clock.Now().Add(-24 * time.Hour).UnixMilli(), ID: planOrders / 2}.String()
		cases := []struct {
			name string
			f    orders.Filter
			// count: the bounded count is checked too. Not for a channel's closed orders: here
			// every order is a hotline one, and PostgreSQL rightly reads the table's first
			// 12,500 rows for 10,001 of them.
			count bool
		}{
			{"newest", orders.Filter{Towns: city}, true},
			{"newest, next page", orders.Filter{Towns: city, After: after}, true},
			{"closed", orders.Filter{Towns: city, States: []string{"closed"}}, true},
			{"closed, next page", orders.Filter{Towns: city, States: []string{"closed"}, After: after}, true},
			{"closed or rated", orders.Filter{Towns: city, States: []string{"closed", "rated"}}, true},
			{"rated", orders.Filter{Towns: city, States: []string{"rated"}}, true},
			{"channel", orders.Filter{Towns: city, Channel: "hotline"}, true},
			{"closed of a channel", orders.Filter{Towns: city, Channel: "hotline", States: []string{"closed"}}, false},
		}
		pgSort := regexp.MustCompile(`(?m)(?:^|->  )Sort  `)
		for _, c := range cases {
			count, countArgs, page, args, err := e.s.ListSQL(c.f)
			if err != nil {
				t.Fatal(err)
			}
			plan := explain(t, e.db, page, args)
			if bad := badPlan(e.db.Dialect(), plan); bad != "" {
				t.Errorf("%s (page): %s\n%s", c.name, bad, plan)
			}
			if !strings.Contains(plan, "orders_received_town") {
				t.Errorf("%s (page): not a walk of orders_received_town\n%s\n%s", c.name, page, plan)
			}
			if strings.Contains(plan, "TEMP B-TREE FOR ORDER BY") || pgSort.MatchString(plan) {
				t.Errorf("%s (page): sorts the towns' matching orders\n%s\n%s", c.name, page, plan)
			}
			if !c.count {
				continue
			}
			countPlan := explain(t, e.db, count, countArgs)
			if bad := badPlan(e.db.Dialect(), countPlan); bad != "" {
				t.Errorf("%s (count): %s\n%s", c.name, bad, countPlan)
			}
			if len(c.f.States) > 0 && e.db.Dialect() == store.SQLite && !strings.Contains(countPlan, "orders_town_state") {
				t.Errorf("%s (count): not counted from the towns' (town, state) index\n%s", c.name, countPlan)
			}
			if os.Getenv("PLAN_DEBUG") != "" {
				t.Logf("%s:\n%s\n%s", c.name, plan, countPlan)
			}
		}
	})
}

// TestGridAndCategoryCountReadsTheIndexAlone: a grid's orders of a category, for a town and for
// several, are counted from an index alone, never reading a matching order's row for its town.
// On PostgreSQL that is orders_grid_category, which holds the town last (migration 0040): without
// it PostgreSQL ANDed the bitmaps of the (town, category) and (grid, state) indexes and read every
// match's row (1,154 at 10⁶ orders, 100–550 ms cold). (Here the grid and category are half the
// town's orders, so the page rightly walks the time index; at 10⁶ they are 0.1 %.)
func TestGridAndCategoryCountReadsTheIndexAlone(t *testing.T) {
	each(t, at("2025-06-02 10:00"), func(t *testing.T, e env) {
		fillArchive(t, e)
		for _, towns := range [][]string{e.f.Towns(), {e.f.Town, e.f.OtherTown}} {
			f := orders.Filter{Towns: towns, Grid: e.f.Grid, Category: e.f.Category}
			count, countArgs, _, _, err := e.s.ListSQL(f)
			if err != nil {
				t.Fatal(err)
			}
			want := regexp.MustCompile(`USING COVERING INDEX orders_(grid_category|town_received_map)\b`)
			if e.db.Dialect() == store.Postgres {
				want = regexp.MustCompile(`Index Only Scan using orders_grid_category\b`)
			}
			plan := explain(t, e.db, count, countArgs)
			if !want.MatchString(plan) || strings.Contains(plan, "Heap Scan") {
				t.Errorf("%d towns (count): not counted from an index alone (no %s)\n%s\n%s", len(towns), want, count, plan)
			}
			if os.Getenv("PLAN_DEBUG") != "" {
				t.Logf("%d towns:\n%s", len(towns), plan)
			}
		}
	})
}
