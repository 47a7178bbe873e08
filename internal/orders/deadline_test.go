package orders_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Suspended working time does not count: the deadline moves by what the pause cost, whether the
// order was suspended before filing or while in progress.
func TestSuspensionShiftsDeadline(t *testing.T) {
	each(t, at("2025-11-03 10:00"), func(t *testing.T, e env) { // Monday
		f := e.f

		o := e.inProgress(t, "挂起测试")
		if !o.Deadline.Equal(at("2025-11-10 10:00")) {
			t.Fatalf("deadline %v", o.Deadline)
		}
		e.clock.Set(at("2025-11-04 10:00"))
		o = e.do(t, o, f.Dispatcher, workorder.ActSuspend, workorder.Input{Reason: "等待产权单位答复"})
		if !o.Suspended {
			t.Fatal("not suspended")
		}
		if err := e.try(o, f.Handler, workorder.ActReport, workorder.Input{Result: "x", Photos: []string{"x"}}); !errors.Is(err, workorder.ErrWrongState) {
			t.Fatalf("report while suspended: %v", err)
		}
		// Supervising a suspended order is allowed; a frozen clock is never overdue.
		e.clock.Set(at("2025-11-20 10:00"))
		if got := e.get(t, o.ID); got.Overdue {
			t.Fatal("a suspended order counts as overdue")
		}
		e.clock.Set(at("2025-11-06 10:00"))
		o = e.do(t, o, f.Dispatcher, workorder.ActResume, workorder.Input{})
		if o.Suspended || !o.Deadline.Equal(at("2025-11-12 10:00")) {
			t.Fatalf("after two working days suspended: suspended=%v deadline %v, want 2025-11-12 10:00", o.Suspended, o.Deadline)
		}
		if d := o.Events[len(o.Events)-1].Data; d["suspended_working_ms"] != float64(2*24*3600*1000) {
			t.Fatalf("resume event data %v", d)
		}

		// Suspended over a weekend only: nothing to shift.
		e.clock.Set(at("2025-11-07 23:00"))
		o = e.do(t, o, f.Dispatcher, workorder.ActSuspend, workorder.Input{Reason: "周末"})
		e.clock.Set(at("2025-11-09 20:00"))
		o = e.do(t, o, f.Dispatcher, workorder.ActResume, workorder.Input{})
		// Friday 23:00 → 24:00 is one working hour.
		if want := at("2025-11-12 11:00"); !o.Deadline.Equal(want) {
			t.Fatalf("after a weekend pause: %v, want %v", o.Deadline, want)
		}

		// Suspended before filing: Mon 10:00 → Wed 10:00 are two working days the clock did not run.
		e.clock.Set(at("2025-11-03 10:00"))
		p := e.create(t, e.newOrder("立案前挂起"))
		p = e.do(t, p, f.Dispatcher, workorder.ActSuspend, workorder.Input{Reason: "核实地址"})
		e.clock.Set(at("2025-11-05 10:00"))
		p = e.do(t, p, f.Dispatcher, workorder.ActResume, workorder.Input{Reason: "地址已核实"})
		if p.Deadline != nil {
			t.Fatalf("received order got a deadline: %v", p.Deadline)
		}
		p = e.do(t, p, f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.Category, Grid: f.Grid})
		if want := at("2025-11-12 10:00"); !p.Deadline.Equal(want) {
			t.Fatalf("deadline after a pause before filing: %v, want %v", p.Deadline, want)
		}
	})
}

// A hotline order brings its own time limit; the dispatcher's class still wins.
func TestIntakeLimitDays(t *testing.T) {
	each(t, at("2025-11-03 10:00"), func(t *testing.T, e env) {
		n := e.newOrder("热线限时 2 个工作日")
		n.LimitDays = 2
		o := e.create(t, n)
		o = e.do(t, o, e.f.Dispatcher, workorder.ActFile, workorder.Input{Category: e.f.Category, Grid: e.f.Grid})
		if !o.Deadline.Equal(at("2025-11-05 10:00")) {
			t.Fatalf("deadline %v", o.Deadline)
		}
		// A town may shorten a class.
		if _, err := e.db.Exec(ctx, `INSERT INTO settings (town_code, key, value) VALUES (?, ?, ?)`, e.f.Town, orders.SettingDeadlineDays, `{"general": 3}`); err != nil {
			t.Fatal(err)
		}
		p := e.filed(t, "按镇设置 3 天")
		if !p.Deadline.Equal(at("2025-11-06 10:00")) {
			t.Fatalf("deadline with override %v", p.Deadline)
		}
	})
}

// Sixteen dispatchers press the button at once: one wins, the others are told the order changed.
func TestConcurrentDispatch(t *testing.T) {
	each(t, at("2025-11-03 10:00"), func(t *testing.T, e env) {
		o := e.filed(t, "并发派单")
		const n = 16
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				dept := e.f.Sanitation
				if i%2 == 1 {
					dept = e.f.Market
				}
				_, errs[i] = e.s.Act(ctx, e.f.Towns(), o.ID, e.f.As(e.f.Dispatcher), workorder.ActDispatch, o.Version, workorder.Input{Department: dept})
			}()
		}
		wg.Wait()
		ok, conflicts := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, problem.ErrConflict):
				conflicts++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 || conflicts != n-1 {
			t.Fatalf("%d succeeded, %d conflicts; want 1 and %d", ok, conflicts, n-1)
		}
		if c := countEvents(t, e.db, o.ID, "dispatch"); c != 1 {
			t.Fatalf("%d dispatch events", c)
		}
		got := e.get(t, o.ID)
		if got.Version != o.Version+1 || got.State != "dispatched" {
			t.Fatalf("after the race: v%d %s", got.Version, got.State)
		}
		var notified int
		if err := e.db.QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE order_id = ?`, o.ID).Scan(&notified); err != nil || notified != 1 {
			t.Fatalf("%d notifications (%v), want 1 for the winning department's handler", notified, err)
		}
	})
}
