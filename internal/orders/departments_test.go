package orders_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// departmentRows reads order_departments and, beside it, what the orders' own columns say it
// should hold (lead and each co-department once, the lead winning), as sorted
// "order department role town" lines.
func departmentRows(t *testing.T, db *store.DB) (have, want []string) {
	t.Helper()
	rows, err := db.Query(ctx, `SELECT order_id, department, role, town_code FROM order_departments`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var dep, role, town string
		if err := rows.Scan(&id, &dep, &role, &town); err != nil {
			t.Fatal(err)
		}
		have = append(have, fmt.Sprintf("%d %s %s %s", id, dep, role, town))
	}
	rows.Close()
	rows, err = db.Query(ctx, `SELECT id, town_code, COALESCE(department_code, ''), co_departments FROM orders`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var town, lead, co string
		if err := rows.Scan(&id, &town, &lead, &co); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		if lead != "" {
			want, seen[lead] = append(want, fmt.Sprintf("%d %s lead %s", id, lead, town)), true
		}
		for _, c := range strings.Split(co, ",") {
			if c != "" && !seen[c] {
				want, seen[c] = append(want, fmt.Sprintf("%d %s co %s", id, c, town)), true
			}
		}
	}
	rows.Close()
	sort.Strings(have)
	sort.Strings(want)
	return have, want
}

func checkDepartmentRows(t *testing.T, db *store.DB, step string) int {
	t.Helper()
	have, want := departmentRows(t, db)
	if !slices.Equal(have, want) {
		t.Fatalf("after %s: order_departments\n%s\nwant (from orders)\n%s", step, strings.Join(have, "\n"), strings.Join(want, "\n"))
	}
	return len(have)
}

// TestOrderDepartmentsFollowTransitions walks orders through every kind of change that touches
// their departments (dispatch with a co-department, return, redispatch elsewhere, the
// co-department's answer, the rest of the lifecycle, a merge, imports through both bulk paths)
// and compares order_departments with the orders' own columns after each; and checks that a
// department's list finds exactly the orders it leads or co-handles.
func TestOrderDepartmentsFollowTransitions(t *testing.T) {
	each(t, at("2025-06-02 10:00"), func(t *testing.T, e env) {
		f := e.f
		mine := func(dep string) []int64 {
			t.Helper()
			total, list, err := e.s.List(ctx, orders.Filter{Towns: f.Towns(), Department: dep, Sort: "id"})
			if err != nil {
				t.Fatal(err)
			}
			if total != len(list) {
				// The count reads order_departments alone; the page, the orders.
				t.Fatalf("department %s: total %d, %d orders listed", dep, total, len(list))
			}
			var ids []int64
			for _, o := range list {
				ids = append(ids, o.ID)
			}
			return ids
		}
		wantList := func(dep string, ids ...int64) {
			t.Helper()
			if got := mine(dep); !slices.Equal(got, ids) {
				t.Fatalf("department %s lists %v, want %v", dep, got, ids)
			}
		}
		step := func(name string, o orders.Order, user int64, act workorder.Action, in workorder.Input) orders.Order {
			t.Helper()
			o = e.do(t, o, user, act, in)
			checkDepartmentRows(t, e.db, name)
			return o
		}

		na := e.newOrder("楼道堆物 甲")
		na.RaisedBy = f.Resident // so that the resident may rate it
		a := e.do(t, e.create(t, na), f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.Category, Grid: f.Grid})
		checkDepartmentRows(t, e.db, "file")
		a = step("dispatch with a co-department", a, f.Dispatcher, workorder.ActDispatch,
			workorder.Input{Department: f.Sanitation, CoDepartments: []string{f.Market}})
		if n := checkDepartmentRows(t, e.db, "dispatch"); n != 2 {
			t.Fatalf("%d rows after a dispatch with a co-department, want 2", n)
		}
		wantList(f.Sanitation, a.ID)
		wantList(f.Market, a.ID)
		a = step("co-department's answer", a, f.Handler2, workorder.ActCoReport, workorder.Input{Note: "已配合"})
		a = step("return", a, f.Handler, workorder.ActReturn, workorder.Input{Reason: "不属本部门"})
		wantList(f.Sanitation)
		wantList(f.Market)
		a = step("redispatch elsewhere", a, f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.Market})
		wantList(f.Sanitation)
		wantList(f.Market, a.ID)
		a = step("accept", a, f.Handler2, workorder.ActAccept, workorder.Input{})
		a = step("suspend", a, f.Dispatcher, workorder.ActSuspend, workorder.Input{Reason: "等待业主"})
		a = step("resume", a, f.Dispatcher, workorder.ActResume, workorder.Input{})
		a = step("escalate", a, f.Leader, workorder.ActEscalate, workorder.Input{Note: "督办"})
		a = step("report", a, f.Handler2, workorder.ActReport, workorder.Input{Result: "已处理", Photos: []string{e.upload(t)}})
		a = step("verify", a, f.GridWorker, workorder.ActVerifyPass, workorder.Input{Note: "现场已清理"})
		e.clock.Set(e.clock.Now().Add(time.Hour))
		a = step("rate", a, f.Resident, workorder.ActRate, workorder.Input{Satisfaction: workorder.Dissatisfied, Comment: "还是脏"})
		a = step("reopen", a, f.Dispatcher, workorder.ActReopen, workorder.Input{Reason: "未解决"})
		wantList(f.Market, a.ID)

		b := e.filed(t, "楼道堆物 乙")
		b = step("second order's dispatch", b, f.Dispatcher, workorder.ActDispatch,
			workorder.Input{Department: f.Sanitation, CoDepartments: []string{f.Market}})
		wantList(f.Sanitation, b.ID)
		wantList(f.Market, a.ID, b.ID)

		c := e.create(t, e.newOrder("楼道堆物 丙"))
		step("merge", c, f.Dispatcher, workorder.ActMerge, workorder.Input{DuplicateOf: a.ID, Reason: "重复"})

		// Imports: both bulk paths (COPY on PostgreSQL) write orders without departments.
		for i, in := range []func(func(*store.Tx) error) error{
			func(fn func(*store.Tx) error) error { return e.db.InTx(ctx, fn) },
			func(fn func(*store.Tx) error) error { return e.db.InCopyTx(ctx, fn) },
		} {
			n := e.newOrder("楼道堆物 导入")
			n.ExternalID = fmt.Sprintf("IMP-%d", i)
			if err := in(func(tx *store.Tx) error {
				_, err := e.s.BulkCreate(ctx, tx, []orders.NewOrder{n})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			checkDepartmentRows(t, e.db, fmt.Sprintf("import %d", i))
		}
		wantList(f.Market, a.ID, b.ID)
	})
}

// TestSyncDepartments: a writer that sets the columns with its own SQL (the benchmark's
// generator) brings order_departments in step with SyncDepartments.
func TestSyncDepartments(t *testing.T) {
	each(t, at("2025-06-02 10:00"), func(t *testing.T, e env) {
		f := e.f
		var ids []int64
		for i := range 3 {
			ids = append(ids, e.create(t, e.newOrder(fmt.Sprintf("楼道堆物 %d", i))).ID)
		}
		if _, err := e.db.Exec(ctx, `UPDATE orders SET department_code = ?, co_departments = ? WHERE id = ?`, f.Sanitation, f.Market, ids[0]); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Exec(ctx, `UPDATE orders SET department_code = ? WHERE id = ?`, f.Market, ids[1]); err != nil {
			t.Fatal(err)
		}
		if err := e.db.InTx(ctx, func(tx *store.Tx) error { return orders.SyncDepartments(ctx, tx, ids) }); err != nil {
			t.Fatal(err)
		}
		if n := checkDepartmentRows(t, e.db, "SyncDepartments"); n != 3 {
			t.Fatalf("%d rows, want 3", n)
		}
		if _, err := e.db.Exec(ctx, `UPDATE orders SET department_code = NULL, co_departments = '' WHERE id = ?`, ids[0]); err != nil {
			t.Fatal(err)
		}
		if err := e.db.InTx(ctx, func(tx *store.Tx) error { return orders.SyncDepartments(ctx, tx, ids[:1]) }); err != nil {
			t.Fatal(err)
		}
		if n := checkDepartmentRows(t, e.db, "SyncDepartments clearing"); n != 1 {
			t.Fatalf("%d rows, want 1", n)
		}
	})
}

// TestOrderDepartmentsMigrationBackfills migrates a database holding dispatched orders from the
// schema before order_departments (0019): migration 0023 writes their rows from the orders'
// columns, co-departments split, a lead repeated among them once.
func TestOrderDepartmentsMigrationBackfills(t *testing.T) {
	testdb.EachEmpty(t, func(t *testing.T, db *store.DB) {
		if _, err := db.MigrateTo(ctx, nil, 19); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`INSERT INTO regions (code, name, level, tenant) VALUES ('310105102', '新泾镇', 'town', 1)`,
			`INSERT INTO departments (code, town_code, name, kind, created_at) VALUES ('d1', '310105102', '一', 'x', 1), ('d2', '310105102', '二', 'x', 1), ('d3', '310105102', '三', 'x', 1)`,
			`INSERT INTO orders (id, town_code, number, short_code, state, channel, content, received_at, updated_at, department_code, co_departments) VALUES
				(1, '310105102', 'N1', 'A1', 'received', 'hotline', '甲', 1, 1, NULL, ''),
				(2, '310105102', 'N2', 'A2', 'dispatched', 'hotline', '乙', 1, 1, 'd1', ''),
				(3, '310105102', 'N3', 'A3', 'dispatched', 'hotline', '丙', 1, 1, 'd1', 'd2,d3'),
				(4, '310105102', 'N4', 'A4', 'closed', 'hotline', '丁', 1, 1, 'd2', 'd2,d3,d3')`,
		} {
			if _, err := db.Exec(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if _, err := db.Migrate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if n := checkDepartmentRows(t, db, "migration"); n != 6 {
			t.Fatalf("%d rows after the migration, want 6 (1 + 3 + 2)", n)
		}
	})
}
