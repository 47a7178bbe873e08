package orders_test

import (
	"context"
	"sync"
	"testing"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

func TestEscalateOverdue(t *testing.T) {
	each(t, at("2025-11-03 10:00"), func(t *testing.T, e env) { // Monday; general orders are due Monday 10 November
		f := e.f
		late1 := e.inProgress(t, "超期一")
		late2 := e.filed(t, "超期二")
		paused := e.inProgress(t, "超期但已挂起")
		paused = e.do(t, paused, f.Dispatcher, workorder.ActSuspend, workorder.Input{Reason: "等待答复"})
		closed := e.inProgress(t, "已办结")
		photo := e.upload(t)
		closed = e.do(t, closed, f.Handler, workorder.ActReport, workorder.Input{Result: "ok", Photos: []string{photo}})
		closed = e.do(t, closed, f.GridWorker, workorder.ActVerifyPass, workorder.Input{Note: "ok"})
		e.clock.Set(at("2025-11-07 10:00"))
		fresh := e.filed(t, "未超期") // due Friday 14 November
		received := e.create(t, e.newOrder("未立案，无期限"))

		now := at("2025-11-10 12:00")
		e.clock.Set(now)
		// Two servers run the job at the same moment.
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i := range counts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := e.s.EscalateOverdue(ctx, now)
				if err != nil {
					t.Errorf("escalate: %v", err)
				}
				counts[i] = n
			}()
		}
		wg.Wait()
		// Stage clocks: late1's handling is late (its department); late2 and fresh were filed and
		// not dispatched within a working day (the centre's dispatch clock), received was not
		// filed within a working day of receipt (the centre's filing clock).
		if counts[0]+counts[1] != 4 {
			t.Fatalf("escalated %v, want 4 in all", counts)
		}
		for _, o := range []orders.Order{late1, late2} {
			got := e.get(t, o.ID)
			if got.EscalationLevel != 1 || countEvents(t, e.db, o.ID, "escalate") != 1 || !got.Overdue {
				t.Fatalf("order %s: level %d, %d escalate events, overdue=%v", got.Number, got.EscalationLevel, countEvents(t, e.db, o.ID, "escalate"), got.Overdue)
			}
			if ev := got.Events[len(got.Events)-1]; ev.Role != workorder.RoleSystem || ev.Note == "" {
				t.Fatalf("escalation event %+v", ev)
			}
		}
		for _, o := range []orders.Order{fresh, received} {
			if got := e.get(t, o.ID); got.EscalationLevel != 1 || got.Overdue {
				t.Fatalf("order %s: level %d, overdue=%v (the centre's stage is late, not the order's deadline)", got.Content, got.EscalationLevel, got.Overdue)
			}
		}
		for _, o := range []orders.Order{paused, closed} {
			if c := countEvents(t, e.db, o.ID, "escalate"); c != 0 {
				t.Fatalf("order %s escalated %d times", o.Content, c)
			}
		}
		if notes(t, e.s, f.Leader)["escalated"] != 4 || notes(t, e.s, f.Handler)["escalated"] != 1 || notes(t, e.s, f.Dispatcher)["escalated"] != 3 {
			t.Fatalf("escalation notices: leader %v, handler %v, dispatcher %v", notes(t, e.s, f.Leader), notes(t, e.s, f.Handler), notes(t, e.s, f.Dispatcher))
		}
		// The closed order was verified on Monday 3 November: its callback (the centre's, 3
		// working days) was due Thursday 6 November 10:00. A closed order is not escalated, but the
		// dispatcher and the leader are told, once, and the stage row records it.
		if notes(t, e.s, f.Dispatcher)["callback_late"] != 1 || notes(t, e.s, f.Leader)["callback_late"] != 1 || notes(t, e.s, f.Handler)["callback_late"] != 0 {
			t.Fatalf("late callback notices: dispatcher %v, leader %v, handler %v", notes(t, e.s, f.Dispatcher), notes(t, e.s, f.Leader), notes(t, e.s, f.Handler))
		}
		cb := e.get(t, closed.ID).Stages
		if last := cb[len(cb)-1]; last.Stage != "callback" || last.EscalatedAt == nil || !last.EscalatedAt.Equal(now) || last.FinishedAt != nil {
			t.Fatalf("callback stage after the reminder: %+v", last)
		}
		// Once per deadline: running again escalates nothing and reminds nobody again.
		if n, err := e.s.EscalateOverdue(ctx, at("2025-11-10 13:00")); err != nil || n != 0 {
			t.Fatalf("second run escalated %d (%v)", n, err)
		}
		if c := notes(t, e.s, f.Dispatcher)["callback_late"]; c != 1 {
			t.Fatalf("late callback reminded %d times", c)
		}
		// The rating ends the callback stage (late) and resolves the reminder in the inbox.
		e.do(t, e.get(t, closed.ID), f.Dispatcher, workorder.ActRate, workorder.Input{Satisfaction: workorder.Satisfied})
		if n := unresolved(t, e.s, f.Dispatcher, orders.KindCallbackLate); n != 0 {
			t.Fatalf("%d late callback notices still need the dispatcher after the rating", n)
		}

		// 2025-11-13 10:00 is 4 of the 5 working days of the fresh order: a warning (80 %).
		g := e.get(t, fresh.ID)
		if g.Warning {
			t.Fatal("warning before the job flagged it")
		}
		e.clock.Set(at("2025-11-13 10:30"))
		changes := &changeRecorder{}
		e.s.Changes = changes
		if _, err := e.s.EscalateOverdue(ctx, at("2025-11-13 10:30")); err != nil {
			t.Fatal(err)
		}
		e.s.Changes = nil
		// The sweep's warnings reach the town's live screens as one change of many orders.
		var many []orders.Change
		for _, c := range changes.got {
			if c.Action == orders.ActionMany {
				many = append(many, c)
			}
		}
		if len(many) != 1 || many[0].Town != f.Town || many[0].Count != 1 || many[0].Cause != orders.ManyWarnings {
			t.Fatalf("warning sweep announced %+v, want one change of 1 order in %s", many, f.Town)
		}
		if g2 := e.get(t, fresh.ID); !g2.Warning || g2.Overdue || g2.Version != g.Version {
			t.Fatalf("fresh order: warning=%v overdue=%v v%d (a warning must not bump the version)", g2.Warning, g2.Overdue, g2.Version)
		}
		total, list, err := e.s.List(ctx, orders.Filter{Towns: f.Towns(), Warning: true})
		if err != nil || total != 1 || list[0].ID != fresh.ID {
			t.Fatalf("warning list: %d %v", total, err)
		}
		// An approved extension is a new deadline: the order can be escalated again once it passes.
		l1 := e.get(t, late1.ID)
		dl := at("2025-11-14 18:00")
		l1 = e.do(t, l1, f.Handler, workorder.ActExtend, workorder.Input{Deadline: &dl, Reason: "需要更多时间"})
		l1 = e.do(t, l1, f.Dispatcher, workorder.ActApproveExtension, workorder.Input{})
		if l1.Overdue {
			t.Fatal("overdue after the extension")
		}
		// late1 again; fresh, late2 and received were escalated for their (centre's) stages already.
		if n, err := e.s.EscalateOverdue(ctx, at("2025-11-17 09:00")); err != nil || n != 1 {
			t.Fatalf("after the extended deadline: escalated %d (%v), want 1", n, err)
		}
		if got := e.get(t, late1.ID); got.EscalationLevel != 2 {
			t.Fatalf("level %d, want 2", got.EscalationLevel)
		}
	})
}

// changeRecorder is a ChangeNotifier that keeps what it was told.
type changeRecorder struct {
	mu  sync.Mutex
	got []orders.Change
}

func (r *changeRecorder) OrderChanged(_ context.Context, c orders.Change) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, c)
}
