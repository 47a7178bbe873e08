package orders_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// The whole closed loop, received on the eve of the 2025 National Day holiday: five working
// days of a general complaint run from 9 to 14 October (11 October, a Saturday, is a make-up
// working day).
func TestLifecycle(t *testing.T) {
	each(t, at("2025-09-30 10:00"), func(t *testing.T, e env) {
		n := e.newOrder("小区门口垃圾堆放多日无人清运")
		n.Channel, n.RaisedBy = "resident", e.f.Resident
		o := e.create(t, n)
		if o.State != "received" || o.Version != 1 || o.FiledAt != nil || o.Deadline != nil {
			t.Fatalf("created: %+v", o)
		}
		o = e.do(t, o, e.f.Dispatcher, workorder.ActFile, workorder.Input{Category: e.f.Category, Grid: e.f.Grid})
		if want := at("2025-10-14 10:00"); o.Deadline == nil || !o.Deadline.Equal(want) {
			t.Fatalf("deadline %v, want %v", o.Deadline, want)
		}
		if o.DeadlineClass != workorder.ClassGeneral || o.FiledAt == nil {
			t.Fatalf("filed: class %q filed_at %v", o.DeadlineClass, o.FiledAt)
		}
		e.clock.Set(at("2025-10-09 09:00"))
		o = e.do(t, o, e.f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: e.f.Sanitation, CoDepartments: []string{e.f.Market}})
		if o.Department != e.f.Sanitation || !reflect.DeepEqual(o.CoDepartments, []string{e.f.Market}) {
			t.Fatalf("dispatched to %q + %v", o.Department, o.CoDepartments)
		}
		o = e.do(t, o, e.f.Handler, workorder.ActAccept, workorder.Input{})
		photo := e.upload(t)
		o = e.do(t, o, e.f.Handler, workorder.ActReport, workorder.Input{Result: "已清运，并加装监控", Photos: []string{photo}})
		if o.Result != "已清运，并加装监控" || o.State != "handled" {
			t.Fatalf("reported: %q %s", o.Result, o.State)
		}
		e.clock.Set(at("2025-10-10 15:00"))
		o = e.do(t, o, e.f.GridWorker, workorder.ActVerifyPass, workorder.Input{Note: "现场已清理干净"})
		if o.State != "closed" || o.ClosedAt == nil || !o.ClosedAt.Equal(at("2025-10-10 15:00")) || o.Overdue {
			t.Fatalf("closed: %s %v overdue=%v", o.State, o.ClosedAt, o.Overdue)
		}
		o = e.do(t, o, e.f.Resident, workorder.ActRate, workorder.Input{Satisfaction: workorder.Satisfied, Comment: "很快"})
		if o.State != "rated" || o.Satisfaction != workorder.Satisfied || o.Version != 7 {
			t.Fatalf("rated: %s %q v%d", o.State, o.Satisfaction, o.Version)
		}

		want := []string{"receive", "file", "dispatch", "accept", "report", "verify_pass", "rate"}
		if got := actions(o); !reflect.DeepEqual(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
		for i, ev := range o.Events {
			if ev.Seq != i+1 {
				t.Errorf("event %d has seq %d", i, ev.Seq)
			}
			if i > 0 && ev.From != o.Events[i-1].To {
				t.Errorf("event %s from %s, previous ended in %s", ev.Action, ev.From, o.Events[i-1].To)
			}
		}
		rep := o.Events[4]
		if rep.ActorID != e.f.Handler || rep.Role != "handler" || rep.Actor != "市容所处置员" || !reflect.DeepEqual(rep.Photos, []string{photo}) {
			t.Errorf("report event: %+v", rep)
		}
		if d := o.Events[2].Data; d["department"] != e.f.Sanitation {
			t.Errorf("dispatch event data %v", d)
		}
		if o.Events[6].Comment != "很快" || o.Events[5].Note != "现场已清理干净" {
			t.Errorf("rate/verify texts: %+v %+v", o.Events[6], o.Events[5])
		}

		// The history and the order read back the same from a fresh Get.
		got := e.get(t, o.ID)
		if got.Version != 7 || len(got.Events) != 7 || got.Number != o.Number {
			t.Fatalf("get: v%d, %d events", got.Version, len(got.Events))
		}

		// Whoever must act next heard about it; the actor did not.
		for user, kinds := range map[int64]map[string]int{
			e.f.Handler:     {"assigned": 1},
			e.f.Handler2:    {"assigned": 1}, // co-department
			e.f.GridWorker:  {"handled": 1},
			e.f.GridLeader:  {"handled": 1},
			e.f.GridWorker2: {},
			e.f.Dispatcher:  {},
		} {
			if got := notes(t, e.s, user); !reflect.DeepEqual(got, kinds) {
				t.Errorf("user %d notifications %v, want %v", user, got, kinds)
			}
		}
		ns, unread, err := e.s.Notifications(ctx, e.f.Handler, true, 10)
		if err != nil || unread != 1 || len(ns) != 1 || ns[0].OrderNumber != o.Number {
			t.Fatalf("notifications: %v %d %+v", err, unread, ns)
		}
		if err := e.s.MarkRead(ctx, e.f.Handler, nil); err != nil {
			t.Fatal(err)
		}
		if _, unread, _ := e.s.Notifications(ctx, e.f.Handler, true, 10); unread != 0 {
			t.Fatalf("unread after MarkRead: %d", unread)
		}

		// The history cannot be rewritten, not even through SQL.
		if _, err := e.db.Exec(ctx, `UPDATE order_events SET note = 'x' WHERE order_id = ?`, o.ID); err == nil {
			t.Fatal("order_events accepted an UPDATE")
		}
		if _, err := e.db.Exec(ctx, `DELETE FROM order_events WHERE order_id = ?`, o.ID); err == nil {
			t.Fatal("order_events accepted a DELETE")
		}
	})
}

func TestSidePaths(t *testing.T) {
	each(t, at("2025-11-03 09:00"), func(t *testing.T, e env) { // a Monday
		f := e.f

		t.Run("return and redispatch", func(t *testing.T) {
			o := e.filed(t, "退单测试")
			o = e.do(t, o, f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.Market})
			o = e.do(t, o, f.Handler2, workorder.ActReturn, workorder.Input{Reason: "不属于本部门职责"})
			if o.State != "filed" || o.Department != "" || o.ReturnedCount != 1 {
				t.Fatalf("returned: %s %q %d", o.State, o.Department, o.ReturnedCount)
			}
			if notes(t, e.s, f.Dispatcher)["returned"] != 1 {
				t.Fatal("dispatcher not told of the return")
			}
			o = e.do(t, o, f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.Sanitation})
			if o.Department != f.Sanitation || o.State != "dispatched" {
				t.Fatalf("redispatched: %s %q", o.State, o.Department)
			}
		})

		t.Run("extension refused then approved", func(t *testing.T) {
			o := e.inProgress(t, "延期测试")
			orig := *o.Deadline
			wantDL := orig.Add(72 * time.Hour)
			early := orig.Add(-time.Hour)
			wantField(t, e.try(o, f.Handler, workorder.ActExtend, workorder.Input{Deadline: &early, Reason: "材料未齐"}), "deadline")
			o = e.do(t, o, f.Handler, workorder.ActExtend, workorder.Input{Deadline: &wantDL, Reason: "需协调物业"})
			if !o.ExtensionPending || o.ExtensionDeadline == nil || !o.ExtensionDeadline.Equal(wantDL) {
				t.Fatalf("extension: %v %v", o.ExtensionPending, o.ExtensionDeadline)
			}
			if err := e.try(o, f.Handler, workorder.ActExtend, workorder.Input{Deadline: &wantDL, Reason: "again"}); !errors.Is(err, workorder.ErrWrongState) {
				t.Fatalf("second extension: %v", err)
			}
			o = e.do(t, o, f.Dispatcher, workorder.ActRefuseExtension, workorder.Input{Reason: "理由不充分"})
			if o.ExtensionPending || o.ExtensionDeadline != nil || !o.Deadline.Equal(orig) {
				t.Fatalf("refused: %v %v %v", o.ExtensionPending, o.ExtensionDeadline, o.Deadline)
			}
			o = e.do(t, o, f.Handler, workorder.ActExtend, workorder.Input{Deadline: &wantDL, Reason: "需协调物业"})
			o = e.do(t, o, f.Dispatcher, workorder.ActApproveExtension, workorder.Input{})
			if o.ExtensionPending || !o.Deadline.Equal(wantDL) {
				t.Fatalf("approved: %v %v", o.ExtensionPending, o.Deadline)
			}
			if got := notes(t, e.s, f.Handler)["extension"]; got != 2 {
				t.Fatalf("handler heard of %d extension decisions, want 2", got)
			}
		})

		t.Run("rework, dissatisfied, reopen", func(t *testing.T) {
			n := e.newOrder("重办测试")
			n.RaisedBy = f.Resident
			o := e.create(t, n)
			o = e.do(t, o, f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.Category, Grid: f.Grid})
			o = e.do(t, o, f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.Sanitation})
			o = e.do(t, o, f.Handler, workorder.ActAccept, workorder.Input{})
			photo := e.upload(t)
			o = e.do(t, o, f.Handler, workorder.ActReport, workorder.Input{Result: "已处理", Photos: []string{photo}})
			o = e.do(t, o, f.GridLeader, workorder.ActVerifyFail, workorder.Input{Reason: "现场仍有垃圾"})
			if o.State != "in_progress" || o.ReworkCount != 1 {
				t.Fatalf("rework: %s %d", o.State, o.ReworkCount)
			}
			if notes(t, e.s, f.Handler)["rework"] != 1 {
				t.Fatal("handler not told of the rework")
			}
			o = e.do(t, o, f.Handler, workorder.ActReport, workorder.Input{Result: "已彻底清理", Photos: []string{photo}})
			o = e.do(t, o, f.Dispatcher, workorder.ActVerifyPass, workorder.Input{Note: "电话核实"})
			o = e.do(t, o, f.Resident, workorder.ActRate, workorder.Input{Satisfaction: workorder.Dissatisfied, Comment: "还是脏"})
			if notes(t, e.s, f.Dispatcher)["rated"] != 1 {
				t.Fatal("dispatcher not told of the dissatisfied rating")
			}
			e.clock.Set(at("2025-11-07 16:00")) // Friday: rehandle within 3 working days → Wednesday
			o = e.do(t, o, f.Dispatcher, workorder.ActReopen, workorder.Input{Reason: "居民不满意"})
			if o.State != "in_progress" || o.ReopenCount != 1 || o.Satisfaction != "" || o.ClosedAt != nil {
				t.Fatalf("reopened: %s %d %q %v", o.State, o.ReopenCount, o.Satisfaction, o.ClosedAt)
			}
			if !o.Deadline.Equal(at("2025-11-12 16:00")) {
				t.Fatalf("rehandle deadline %v", o.Deadline)
			}
			if o.DeadlineClass != workorder.ClassGeneral {
				t.Fatalf("order class changed to %q", o.DeadlineClass)
			}
			e.clock.Set(at("2025-11-03 09:00"))
		})

		t.Run("merge", func(t *testing.T) {
			a := e.filed(t, "同一处垃圾")
			b := e.create(t, e.newOrder("同一处垃圾（重复来电）"))
			wantField(t, e.try(b, f.Dispatcher, workorder.ActMerge, workorder.Input{DuplicateOf: b.ID}), "duplicate_of")
			wantField(t, e.try(b, f.Dispatcher, workorder.ActMerge, workorder.Input{DuplicateOf: 999999}), "duplicate_of")
			b = e.do(t, b, f.Dispatcher, workorder.ActMerge, workorder.Input{DuplicateOf: a.ID})
			if b.State != "merged" || b.DuplicateOf != a.ID {
				t.Fatalf("merged: %s %d", b.State, b.DuplicateOf)
			}
			c := e.create(t, e.newOrder("第三次来电"))
			wantField(t, e.try(c, f.Dispatcher, workorder.ActMerge, workorder.Input{DuplicateOf: b.ID}), "duplicate_of")
			// An order of another town is not there to merge into.
			other := e.newOrder("陆家嘴的工单")
			other.TownCode, other.Category, other.Grid = f.OtherTown, "", ""
			oo := e.create(t, other)
			wantField(t, e.try(c, f.Dispatcher, workorder.ActMerge, workorder.Input{DuplicateOf: oo.ID}), "duplicate_of")
		})

		t.Run("escalate notifies", func(t *testing.T) {
			o := e.inProgress(t, "督办测试")
			o = e.do(t, o, f.Leader, workorder.ActEscalate, workorder.Input{Note: "请尽快办结"})
			if o.EscalationLevel != 1 || o.State != "in_progress" {
				t.Fatalf("escalated: %d %s", o.EscalationLevel, o.State)
			}
			if notes(t, e.s, f.Handler)["escalated"] != 1 || notes(t, e.s, f.Handler2)["escalated"] != 0 {
				t.Fatal("escalation should reach the lead department's handlers only")
			}
		})

		t.Run("bad references", func(t *testing.T) {
			o := e.create(t, e.newOrder("引用校验"))
			wantField(t, e.try(o, f.Dispatcher, workorder.ActFile, workorder.Input{Category: "nope", Grid: f.Grid}), "category")
			wantField(t, e.try(o, f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.OtherCategory, Grid: f.Grid}), "category")
			wantField(t, e.try(o, f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.Category, Grid: f.OtherGrid}), "grid")
			wantField(t, e.try(o, f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.Category, Grid: f.Grid, DeadlineClass: "soon"}), "deadline_class")
			o = e.do(t, o, f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.Category, Grid: f.Grid, DeadlineClass: workorder.ClassConsult})
			if !o.Deadline.Equal(at("2025-11-04 09:00")) {
				t.Fatalf("consult deadline %v", o.Deadline)
			}
			wantField(t, e.try(o, f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.OtherDepartment}), "department")
			wantField(t, e.try(o, f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.Sanitation, CoDepartments: []string{"nope"}}), "co_departments")
			o = e.do(t, o, f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.Sanitation})
			o = e.do(t, o, f.Handler, workorder.ActAccept, workorder.Input{})
			wantField(t, e.try(o, f.Handler, workorder.ActReport, workorder.Input{Result: "done", Photos: []string{"0000"}}), "photos")
			wantField(t, e.try(o, f.Handler, workorder.ActReport, workorder.Input{Result: "done"}), "photos")
			if got := e.get(t, o.ID); got.Version != o.Version || len(got.Events) != o.Version {
				t.Fatalf("a refused action left traces: v%d, %d events", got.Version, len(got.Events))
			}
		})
	})
}

// A refused action changes nothing: same version, same history, no notification.
func TestRefusalsChangeNothing(t *testing.T) {
	each(t, at("2025-11-03 09:00"), func(t *testing.T, e env) {
		f := e.f
		o := e.filed(t, "权限测试")
		o = e.do(t, o, f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.Sanitation})
		before := e.get(t, o.ID)

		cases := []struct {
			name string
			user int64
			act  workorder.Action
			ver  int
			in   workorder.Input
			is   error
		}{
			{"stale version", f.Handler, workorder.ActAccept, o.Version - 1, workorder.Input{}, problem.ErrConflict},
			{"other department", f.Handler2, workorder.ActAccept, o.Version, workorder.Input{}, workorder.ErrForbidden},
			{"resident dispatches", f.Resident, workorder.ActReturn, o.Version, workorder.Input{Reason: "x"}, workorder.ErrForbidden},
			{"grid worker of another grid", f.GridWorker2, workorder.ActEscalate, o.Version, workorder.Input{Note: "x"}, workorder.ErrForbidden},
			{"wrong state", f.Dispatcher, workorder.ActFile, o.Version, workorder.Input{Category: f.Category, Grid: f.Grid}, workorder.ErrWrongState},
			{"unknown action", f.Dispatcher, "teleport", o.Version, workorder.Input{}, workorder.ErrUnknownAction},
			{"missing input", f.Handler, workorder.ActReturn, o.Version, workorder.Input{}, workorder.ErrInvalidInput},
		}
		for _, c := range cases {
			_, err := e.s.Act(ctx, f.Towns(), o.ID, f.As(c.user), c.act, c.ver, c.in)
			if !errors.Is(err, c.is) {
				t.Errorf("%s: got %v, want %v", c.name, err, c.is)
			}
		}
		// Another town's dispatcher does not even see the order.
		if _, err := e.s.Act(ctx, []string{f.OtherTown}, o.ID, f.As(f.OtherDispatcher), workorder.ActReturn, o.Version, workorder.Input{Reason: "x"}); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("other town: %v", err)
		}
		if _, err := e.s.Get(ctx, []string{f.OtherTown}, o.ID, false); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("other town get: %v", err)
		}
		after := e.get(t, o.ID)
		if after.Version != before.Version || len(after.Events) != len(before.Events) || after.State != before.State {
			t.Fatalf("refusals changed the order: v%d→v%d, %d→%d events", before.Version, after.Version, len(before.Events), len(after.Events))
		}
		if n := notes(t, e.s, f.Dispatcher); len(n) != 0 {
			t.Fatalf("refusals notified: %v", n)
		}
	})
}
