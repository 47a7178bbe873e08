package orders_test

import (
	"errors"
	"testing"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// A callback nobody could rate ends with its outcome (end_callback): the callback stage finishes
// (late here: past its due time), the order stays closed and unrated, the late-callback reminder
// stops needing the centre and is never sent again, and no rating is taken afterwards.
func TestEndCallbackWithoutRating(t *testing.T) {
	each(t, at("2025-11-03 09:00"), func(t *testing.T, e env) {
		f := e.f
		o := e.inProgress(t, "楼道堆物，回访未接通")
		o = e.do(t, o, f.Handler, workorder.ActReport, workorder.Input{Result: "已清理", Photos: []string{e.upload(t)}})
		e.clock.Set(at("2025-11-04 10:00"))
		o = e.do(t, o, f.GridWorker, workorder.ActVerifyPass, workorder.Input{Note: "已核实"})
		// The callback (3 working days from Tuesday 4 November 10:00) was due Friday 7 November
		// 10:00; on Monday the escalator reminds the centre.
		e.clock.Set(at("2025-11-10 12:00"))
		if _, err := e.s.EscalateOverdue(ctx, at("2025-11-10 12:00")); err != nil {
			t.Fatal(err)
		}
		if c := notes(t, e.s, f.Dispatcher)["callback_late"]; c != 1 {
			t.Fatalf("late callback notices before the outcome: %d, want 1", c)
		}

		o = e.get(t, o.ID)
		if err := e.try(o, f.Dispatcher, workorder.ActEndCallback, workorder.Input{CallbackOutcome: "busy"}); !errors.As(err, new(*workorder.FieldError)) {
			t.Fatalf("unknown outcome: %v, want a field error", err)
		}
		if err := e.try(o, f.Resident, workorder.ActEndCallback, workorder.Input{CallbackOutcome: workorder.CallbackUnreachable}); !errors.Is(err, workorder.ErrForbidden) {
			t.Fatalf("resident ends the callback: %v, want forbidden", err)
		}
		o = e.do(t, o, f.Dispatcher, workorder.ActEndCallback, workorder.Input{CallbackOutcome: workorder.CallbackUnreachable, Note: "三次未接通"})
		got := e.get(t, o.ID)
		if got.State != string(workorder.Closed) || got.CallbackOutcome != workorder.CallbackUnreachable || got.Satisfaction != "" || got.ClosedAt == nil {
			t.Fatalf("after end_callback: state %s, outcome %q, satisfaction %q, closed %v", got.State, got.CallbackOutcome, got.Satisfaction, got.ClosedAt)
		}
		cb := got.Stages[len(got.Stages)-1]
		if cb.Stage != "callback" || cb.FinishedAt == nil || !cb.FinishedAt.Equal(at("2025-11-10 12:00")) || cb.Status != orders.StageLate {
			t.Fatalf("callback stage after end_callback: %+v", cb)
		}
		if ev := got.Events[len(got.Events)-1]; ev.Action != string(workorder.ActEndCallback) || ev.Note != "三次未接通" || ev.Data["callback_outcome"] != workorder.CallbackUnreachable {
			t.Fatalf("end_callback event %+v", ev)
		}
		for _, a := range e.s.Allowed(got, f.As(f.Dispatcher).Actor) {
			if a == workorder.ActRate || a == workorder.ActEndCallback {
				t.Fatalf("%s still offered after the callback ended", a)
			}
		}
		if err := e.try(got, f.Resident, workorder.ActRate, workorder.Input{Satisfaction: workorder.Satisfied}); !errors.Is(err, workorder.ErrWrongState) {
			t.Fatalf("rating after end_callback: %v, want wrong state", err)
		}
		if err := e.try(got, f.Dispatcher, workorder.ActEndCallback, workorder.Input{CallbackOutcome: workorder.CallbackDeclined}); !errors.Is(err, workorder.ErrWrongState) {
			t.Fatalf("second end_callback: %v, want wrong state", err)
		}

		// The reminder no longer needs the centre, and none is sent again.
		if n := unresolved(t, e.s, f.Dispatcher, orders.KindCallbackLate); n != 0 {
			t.Fatalf("%d late callback notices still need the dispatcher after end_callback", n)
		}
		e.clock.Set(at("2025-11-20 12:00"))
		if _, err := e.s.EscalateOverdue(ctx, at("2025-11-20 12:00")); err != nil {
			t.Fatal(err)
		}
		if c := notes(t, e.s, f.Dispatcher)["callback_late"]; c != 1 {
			t.Fatalf("late callback notices after the outcome: %d, want still 1", c)
		}
	})
}
