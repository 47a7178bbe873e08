package orders_test

import (
	"testing"

	"github.com/civicgrid/civicgrid/internal/workorder"
)

// TestSummariseKeepsRatingsIncrementally checks the home page's figures: open orders by state,
// and the satisfaction counts that order_ratings keeps through triggers as ratings, grids and
// departments change and orders go away.
func TestSummariseKeepsRatingsIncrementally(t *testing.T) {
	each(t, at("2025-06-02 10:00"), func(t *testing.T, e env) {
		a := e.create(t, e.newOrder("楼道堆物 a"))
		b := e.create(t, e.newOrder("楼道堆物 b"))
		c := e.create(t, e.newOrder("楼道堆物 c"))
		e.inProgress(t, "楼道堆物 d") // open, led by Sanitation
		set := func(q string, args ...any) {
			t.Helper()
			if _, err := e.db.Exec(ctx, q, args...); err != nil {
				t.Fatal(err)
			}
		}
		// Three orders finished and rated by hand: two satisfied (one basically), one not.
		set(`UPDATE orders SET state = 'rated', satisfaction = ?, department_code = ? WHERE id = ?`, workorder.Satisfied, e.f.Sanitation, a.ID)
		set(`UPDATE orders SET state = 'rated', satisfaction = ? WHERE id = ?`, workorder.BasicallySatisfied, b.ID)
		set(`UPDATE orders SET state = 'rated', satisfaction = ?, grid_code = ? WHERE id = ?`, workorder.Dissatisfied, e.f.Grid2, c.ID)
		sum, err := e.s.Summarise(ctx, e.f.Towns(), "", "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Rated != 3 || sum.Satisfied != 2 || sum.Open != 1 || sum.ByState[string(workorder.InProgress)] != 1 {
			t.Errorf("town: rated %d satisfied %d open %d by state %v; want 3, 2, 1, in_progress 1", sum.Rated, sum.Satisfied, sum.Open, sum.ByState)
		}
		if sum, _ = e.s.Summarise(ctx, e.f.Towns(), "", e.f.Grid, 0); sum.Rated != 2 || sum.Satisfied != 2 {
			t.Errorf("grid %s: rated %d satisfied %d, want 2, 2", e.f.Grid, sum.Rated, sum.Satisfied)
		}
		if sum, _ = e.s.Summarise(ctx, e.f.Towns(), e.f.Sanitation, "", 0); sum.Rated != 1 || sum.Satisfied != 1 || sum.Open != 1 {
			t.Errorf("department: rated %d satisfied %d open %d, want 1, 1, 1", sum.Rated, sum.Satisfied, sum.Open)
		}
		// A rating changed, an order moved to the other grid, a rating taken back: the counts follow.
		set(`UPDATE orders SET satisfaction = ? WHERE id = ?`, workorder.Dissatisfied, b.ID)
		set(`UPDATE orders SET grid_code = ? WHERE id = ?`, e.f.Grid2, a.ID)
		set(`UPDATE orders SET satisfaction = '' WHERE id = ?`, c.ID)
		if sum, _ = e.s.Summarise(ctx, e.f.Towns(), "", e.f.Grid, 0); sum.Rated != 1 || sum.Satisfied != 0 {
			t.Errorf("grid %s after the changes: rated %d satisfied %d, want 1, 0", e.f.Grid, sum.Rated, sum.Satisfied)
		}
		if sum, _ = e.s.Summarise(ctx, e.f.Towns(), "", e.f.Grid2, 0); sum.Rated != 1 || sum.Satisfied != 1 {
			t.Errorf("grid %s after the changes: rated %d satisfied %d, want 1, 1", e.f.Grid2, sum.Rated, sum.Satisfied)
		}
		if sum, _ = e.s.Summarise(ctx, []string{e.f.OtherTown}, "", "", 0); sum.Rated != 0 || sum.Open != 0 {
			t.Errorf("other town: rated %d open %d, want 0, 0", sum.Rated, sum.Open)
		}

		// The daily intake: the four orders of today, by channel.
		if sum, _ = e.s.Summarise(ctx, e.f.Towns(), "", "", 3); len(sum.Days) != 3 || sum.DailyByChan["hotline"][2] != 4 {
			t.Errorf("daily intake %v %v, want 4 hotline orders on the last of 3 days", sum.Days, sum.DailyByChan)
		}
		var n int
		if err := e.db.QueryRow(ctx, `SELECT SUM(n) FROM order_ratings`).Scan(&n); err != nil || n != 2 {
			t.Errorf("order_ratings holds %d ratings (%v), want 2", n, err)
		}
	})
}
