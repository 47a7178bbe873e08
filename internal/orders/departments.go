package orders

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/civicgrid/civicgrid/internal/store"
)

// An order's departments are kept twice: in the order's row (department_code, co_departments:
// the record, what the order page shows) and as rows of order_departments (migration 0023), one
// per department with its role, which the lists of a department read through an index. Every
// write that changes an order's departments rewrites its rows in the same transaction:
// Store.act (dispatch, redispatch, return, any transition whose effects set or clear them) and
// the benchmark's generator (demo.GenerateBenchOrders, through SyncDepartments). Imports create
// orders without departments (BulkCreate, CreateTx, the COPY path): nothing to write there until
// a dispatcher dispatches them. TestOrderDepartmentsFollowTransitions compares the two after
// every kind of change.

// Department roles in order_departments.
const (
	DepartmentLead = "lead"
	DepartmentCo   = "co"
)

// departmentRows are the (department, role) pairs of an order with lead and co: the lead first,
// each department once (a department that is both lead and co-handler is the lead).
func departmentRows(lead string, co []string) [][2]string {
	var out [][2]string
	seen := map[string]bool{}
	if lead != "" {
		out, seen[lead] = append(out, [2]string{lead, DepartmentLead}), true
	}
	for _, c := range co {
		if c != "" && !seen[c] {
			out, seen[c] = append(out, [2]string{c, DepartmentCo}), true
		}
	}
	return out
}

// syncDepartments rewrites the order_departments rows of o from its lead and co-departments.
func syncDepartments(ctx context.Context, tx *store.Tx, o *Order) error {
	if _, err := tx.Exec(ctx, `DELETE FROM order_departments WHERE order_id = ?`, o.ID); err != nil {
		return fmt.Errorf("order %s departments: %w", o.Number, err)
	}
	rows := departmentRows(o.Department, o.CoDepartments)
	if len(rows) == 0 {
		return nil
	}
	args := make([]any, 0, 4*len(rows))
	for _, r := range rows {
		args = append(args, o.ID, r[0], r[1], o.TownCode)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO order_departments (order_id, department, role, town_code) VALUES `+
		valueRows(len(rows), 4), args...); err != nil {
		return fmt.Errorf("order %s departments: %w", o.Number, err)
	}
	return nil
}

// departmentsChanged reports whether an order's departments differ from before.
func departmentsChanged(lead string, co []string, o *Order) bool {
	return lead != o.Department || !slices.Equal(co, o.CoDepartments)
}

// SyncDepartments rewrites the order_departments rows of the orders ids from their rows in
// orders, for writers that set department_code or co_departments with their own SQL (the
// benchmark's generator). At most MaxListValues ids per call.
func SyncDepartments(ctx context.Context, tx *store.Tx, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if len(ids) > MaxListValues {
		return fmt.Errorf("sync departments: %d orders, at most %d in one call", len(ids), MaxListValues)
	}
	in := store.Placeholders(len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	if _, err := tx.Exec(ctx, `DELETE FROM order_departments WHERE order_id IN (`+in+`)`, args...); err != nil {
		return fmt.Errorf("sync departments: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT id, town_code, COALESCE(department_code, ''), co_departments FROM orders
		WHERE id IN (`+in+`) AND (department_code IS NOT NULL OR co_departments <> '')`, args...)
	if err != nil {
		return fmt.Errorf("sync departments: %w", err)
	}
	var vals []any
	n := 0
	for rows.Next() {
		var id int64
		var town, lead, co string
		if err := rows.Scan(&id, &town, &lead, &co); err != nil {
			rows.Close()
			return err
		}
		for _, r := range departmentRows(lead, splitList(co)) {
			vals = append(vals, id, r[0], r[1], town)
			n++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for start := 0; start < n; start += 500 {
		k := min(500, n-start)
		if _, err := tx.Exec(ctx, `INSERT INTO order_departments (order_id, department, role, town_code) VALUES `+
			valueRows(k, 4), vals[4*start:4*(start+k)]...); err != nil {
			return fmt.Errorf("sync departments: %w", err)
		}
	}
	return nil
}

// departmentCondition matches the orders of which department is the lead or a co-handling
// department. The lead is the order's own column, tested on the row the list reads anyway; a
// co-handling department is looked up in order_departments' primary key, for the few orders that
// have co-departments at all, instead of matching co_departments with LIKE. A department's whole
// list is counted from order_departments alone (listQuery.count), so this only ever tests orders
// another condition or the sort already narrowed (the state, the open orders, a grid, the time).
//
// Measured at 10^6 orders on PostgreSQL, probing order_departments for every order read made the
// handler's home (3,000 open orders) 4× slower than this test of the row; and the sub-query ends
// in OFFSET 0 there so that it stays a per-order probe, never a join of all of a department's
// rows (115,000 at 10^6, 100 ms).
func departmentCondition(d store.Dialect, department string) (string, []any) {
	fence := ""
	if d == store.Postgres {
		fence = " OFFSET 0"
	}
	return `(orders.department_code = ? OR (orders.co_departments <> '' AND EXISTS (SELECT 1 FROM order_departments od
		WHERE od.order_id = orders.id AND od.department = ? AND od.role = 'co'` + fence + `)))`,
		[]any{department, department}
}

// valueRows is n rows of k placeholders each, for a multi-row VALUES list.
func valueRows(n, k int) string {
	row := "(" + store.Placeholders(k) + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}
