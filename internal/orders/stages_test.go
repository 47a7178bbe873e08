package orders_test

import (
	"errors"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/orders/orderstest"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// want is one expected stage row, times as Shanghai wall clock ("" finished: running).
type want struct {
	stage, ownerKind, owner string
	started, due, finished  string
	status                  string
}

// acceptedAtNine are the first three stages of an order e.inProgress makes at Monday 3 November
// 09:00: filed, dispatched to Sanitation and accepted at once, each on time.
func acceptedAtNine(f orderstest.Fixture) []want {
	return []want{
		{"filing", "centre", f.Town, "2025-11-03 09:00", "2025-11-04 09:00", "2025-11-03 09:00", orders.StageOnTime},
		{"dispatch", "centre", f.Town, "2025-11-03 09:00", "2025-11-04 09:00", "2025-11-03 09:00", orders.StageOnTime},
		{"first_contact", "department", f.Sanitation, "2025-11-03 09:00", "2025-11-04 09:00", "2025-11-03 09:00", orders.StageOnTime},
	}
}

func checkStages(t *testing.T, o orders.Order, ws ...want) {
	t.Helper()
	if len(o.Stages) != len(ws) {
		for _, st := range o.Stages {
			t.Logf("  %s %s/%s %s → due %s finished %v %s", st.Stage, st.OwnerKind, st.Owner, st.StartedAt.In(at("2025-01-01 00:00").Location()), st.DueAt, st.FinishedAt, st.Status)
		}
		t.Fatalf("order %s: %d stages, want %d", o.Content, len(o.Stages), len(ws))
	}
	for i, w := range ws {
		st := o.Stages[i]
		bad := st.Seq != i+1 || st.Stage != w.stage || st.OwnerKind != w.ownerKind || st.Owner != w.owner ||
			!st.StartedAt.Equal(at(w.started)) || !st.DueAt.Equal(at(w.due)) || st.Status != w.status
		if w.finished == "" {
			bad = bad || st.FinishedAt != nil || st.OnTime != nil
		} else {
			bad = bad || st.FinishedAt == nil || !st.FinishedAt.Equal(at(w.finished)) || st.OnTime == nil ||
				*st.OnTime != (w.status == orders.StageOnTime)
		}
		if bad {
			t.Fatalf("order %s stage %d: got %s %s/%s started %s due %s finished %v on_time %v status %s; want %+v", o.Content, i+1,
				st.Stage, st.OwnerKind, st.Owner, st.StartedAt, st.DueAt, st.FinishedAt, st.OnTime, st.Status, w)
		}
	}
}

// checkBackfill makes sure the migration's back-fill, replaying the orders' events, writes the
// very rows the live actions wrote.
func checkBackfill(t *testing.T, e env, ids ...int64) {
	t.Helper()
	live := map[int64][]orders.OrderStage{}
	for _, id := range ids {
		live[id] = e.get(t, id).Stages
	}
	if _, err := e.db.Exec(ctx, `DELETE FROM order_stages`); err != nil {
		t.Fatal(err)
	}
	if err := e.db.InTx(ctx, func(tx *store.Tx) error { return orders.BackfillStages(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		replayed := e.get(t, id).Stages
		if len(replayed) != len(live[id]) {
			t.Fatalf("order %d: back-fill wrote %d stages, live %d", id, len(replayed), len(live[id]))
		}
		for i, a := range live[id] {
			b := replayed[i]
			same := func(x, y *time.Time) bool { return (x == nil) == (y == nil) && (x == nil || x.Equal(*y)) }
			if a.Stage != b.Stage || a.OwnerKind != b.OwnerKind || a.Owner != b.Owner || !a.StartedAt.Equal(b.StartedAt) ||
				!a.DueAt.Equal(b.DueAt) || !same(a.FinishedAt, b.FinishedAt) || (a.OnTime == nil) != (b.OnTime == nil) ||
				(a.OnTime != nil && *a.OnTime != *b.OnTime) || a.Outcome != b.Outcome || a.PausedWorkingMs != b.PausedWorkingMs ||
				!same(a.PausedSince, b.PausedSince) || !same(a.EscalatedAt, b.EscalatedAt) || a.Status != b.Status {
				t.Fatalf("order %d stage %d: live %+v, back-filled %+v", id, i+1, a, b)
			}
		}
	}
}

// The order: handled two days before its deadline, then left waiting for verification
// past the grid's three working days. The escalation goes to the grid, never to the department,
// and the handling stage stays on time. November 2025 has no holidays: Mon 3 … Fri 7, Mon 10.
func TestStagesVerificationLateBlamesGrid(t *testing.T) {
	each(t, at("2025-11-03 09:00"), func(t *testing.T, e env) {
		f := e.f
		o := e.create(t, e.newOrder("处置及时核查超期"))
		e.clock.Set(at("2025-11-03 10:00"))
		o = e.do(t, o, f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.Category, Grid: f.Grid})
		e.clock.Set(at("2025-11-03 11:00"))
		o = e.do(t, o, f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.Sanitation})
		e.clock.Set(at("2025-11-03 14:00"))
		o = e.do(t, o, f.Handler, workorder.ActAccept, workorder.Input{})
		e.clock.Set(at("2025-11-05 15:00"))
		o = e.do(t, o, f.Handler, workorder.ActReport, workorder.Input{Result: "已清理", Photos: []string{e.upload(t)}})
		// Filing: 1 working day from receipt (Mon 09:00 → Tue 09:00); dispatch: 1 from filing;
		// first contact: 1 from dispatch; handling: the order's deadline, 5 working days from
		// receipt (Mon 10 Nov 09:00); verification: 3 from the report (Wed 15:00 → Mon 15:00).
		// Dispatch is due Tue 04 10:00, first contact Tue 04 11:00.
		e.clock.Set(at("2025-11-06 09:00"))
		checkStages(t, e.get(t, o.ID),
			want{"filing", "centre", f.Town, "2025-11-03 09:00", "2025-11-04 09:00", "2025-11-03 10:00", orders.StageOnTime},
			want{"dispatch", "centre", f.Town, "2025-11-03 10:00", "2025-11-04 10:00", "2025-11-03 11:00", orders.StageOnTime},
			want{"first_contact", "department", f.Sanitation, "2025-11-03 11:00", "2025-11-04 11:00", "2025-11-03 14:00", orders.StageOnTime},
			want{"handling", "department", f.Sanitation, "2025-11-03 11:00", "2025-11-10 09:00", "2025-11-05 15:00", orders.StageOnTime},
			want{"verification", "grid", f.Grid, "2025-11-05 15:00", "2025-11-10 15:00", "", orders.StageRunning})

		// Monday 10:00: past the order's deadline, but verification is not late yet: nothing.
		if n, err := e.s.EscalateOverdue(ctx, at("2025-11-10 10:00")); err != nil || n != 0 {
			t.Fatalf("escalated %d (%v) before the grid's time ran out", n, err)
		}
		// Wednesday: the grid is late.
		e.clock.Set(at("2025-11-12 10:00"))
		if n, err := e.s.EscalateOverdue(ctx, at("2025-11-12 10:00")); err != nil || n != 1 {
			t.Fatalf("escalated %d (%v), want 1", n, err)
		}
		if notes(t, e.s, f.Handler)["escalated"] != 0 {
			t.Fatal("the department that handled on time was told of the escalation")
		}
		if notes(t, e.s, f.GridWorker)["escalated"] != 1 || notes(t, e.s, f.GridLeader)["escalated"] != 1 ||
			notes(t, e.s, f.GridWorker2)["escalated"] != 0 || notes(t, e.s, f.Leader)["escalated"] != 1 {
			t.Fatalf("escalation notices: grid worker %v, grid leader %v, other grid %v, leader %v", notes(t, e.s, f.GridWorker),
				notes(t, e.s, f.GridLeader), notes(t, e.s, f.GridWorker2), notes(t, e.s, f.Leader))
		}
		got := e.get(t, o.ID)
		if ev := got.Events[len(got.Events)-1]; ev.Action != "escalate" || ev.Note != "超期自动督办：核查期限 2025-11-10 15:00 已过" {
			t.Fatalf("escalation event %+v", ev)
		}
		if v := got.Stages[4]; v.EscalatedAt == nil || !v.EscalatedAt.Equal(at("2025-11-12 10:00")) || v.Status != orders.StageOverdue {
			t.Fatalf("verification stage %+v", v)
		}
		if h := got.Stages[3]; h.EscalatedAt != nil {
			t.Fatalf("handling stage escalated: %+v", h)
		}
		// Once per due time.
		if n, err := e.s.EscalateOverdue(ctx, at("2025-11-12 11:00")); err != nil || n != 0 {
			t.Fatalf("second run escalated %d (%v)", n, err)
		}

		e.clock.Set(at("2025-11-14 10:00"))
		o = e.do(t, got, f.GridWorker, workorder.ActVerifyPass, workorder.Input{Note: "已核实"})
		e.clock.Set(at("2025-11-17 16:00"))
		o = e.do(t, o, f.Dispatcher, workorder.ActRate, workorder.Input{Satisfaction: workorder.Satisfied})
		// Callback: 3 working days from closing (Fri 14 10:00 → Wed 19 10:00).
		checkStages(t, o,
			want{"filing", "centre", f.Town, "2025-11-03 09:00", "2025-11-04 09:00", "2025-11-03 10:00", orders.StageOnTime},
			want{"dispatch", "centre", f.Town, "2025-11-03 10:00", "2025-11-04 10:00", "2025-11-03 11:00", orders.StageOnTime},
			want{"first_contact", "department", f.Sanitation, "2025-11-03 11:00", "2025-11-04 11:00", "2025-11-03 14:00", orders.StageOnTime},
			want{"handling", "department", f.Sanitation, "2025-11-03 11:00", "2025-11-10 09:00", "2025-11-05 15:00", orders.StageOnTime},
			want{"verification", "grid", f.Grid, "2025-11-05 15:00", "2025-11-10 15:00", "2025-11-14 10:00", orders.StageLate},
			want{"callback", "centre", f.Town, "2025-11-14 10:00", "2025-11-19 10:00", "2025-11-17 16:00", orders.StageOnTime})

		checkBackfill(t, e, o.ID)
	})
}

// A suspension stops the running clocks; on resuming, each due time moves by the working time
// suspended.
func TestStagesSuspensionStopsHandlingClock(t *testing.T) {
	each(t, at("2025-11-03 09:00"), func(t *testing.T, e env) {
		f := e.f
		o := e.inProgress(t, "挂起停表") // all at Mon 09:00: handling due Mon 10 Nov 09:00
		e.clock.Set(at("2025-11-04 09:00"))
		o = e.do(t, o, f.Dispatcher, workorder.ActSuspend, workorder.Input{Reason: "等待产权方答复"})
		if st := o.Stages[3]; st.Status != orders.StagePaused || st.PausedSince == nil {
			t.Fatalf("handling while suspended: %+v", st)
		}
		// Suspended across its due time: not escalated.
		if n, err := e.s.EscalateOverdue(ctx, at("2025-11-10 10:00")); err != nil || n != 0 {
			t.Fatalf("escalated %d (%v) a suspended order", n, err)
		}
		e.clock.Set(at("2025-11-06 09:00"))
		o = e.do(t, o, f.Dispatcher, workorder.ActResume, workorder.Input{})
		// Tue 09:00 → Thu 09:00 is two working days: due Wed 12 Nov 09:00.
		checkStages(t, o, append(acceptedAtNine(f),
			want{"handling", "department", f.Sanitation, "2025-11-03 09:00", "2025-11-12 09:00", "", orders.StageRunning})...)
		if ms := o.Stages[3].PausedWorkingMs; ms != (48 * time.Hour).Milliseconds() {
			t.Fatalf("paused %d ms, want two working days", ms)
		}
		if n, err := e.s.EscalateOverdue(ctx, at("2025-11-11 10:00")); err != nil || n != 0 {
			t.Fatalf("escalated %d (%v) before the moved due time", n, err)
		}
		if n, err := e.s.EscalateOverdue(ctx, at("2025-11-12 10:00")); err != nil || n != 1 {
			t.Fatalf("escalated %d (%v) after the moved due time, want 1", n, err)
		}
		if notes(t, e.s, f.Handler)["escalated"] != 1 || notes(t, e.s, f.GridWorker)["escalated"] != 0 {
			t.Fatalf("late handling told the handler %v, the grid %v", notes(t, e.s, f.Handler), notes(t, e.s, f.GridWorker))
		}
		checkBackfill(t, e, o.ID)
	})
}

// An approved extension moves the handling stage's due time: a report after the original
// deadline and before the extended one is on time.
func TestStagesExtensionMovesDue(t *testing.T) {
	each(t, at("2025-11-03 09:00"), func(t *testing.T, e env) {
		f := e.f
		o := e.inProgress(t, "延期")
		e.clock.Set(at("2025-11-05 09:00"))
		dl := at("2025-11-14 18:00")
		o = e.do(t, o, f.Handler, workorder.ActExtend, workorder.Input{Deadline: &dl, Reason: "需协调物业"})
		if st := o.Stages[3]; !st.DueAt.Equal(at("2025-11-10 09:00")) {
			t.Fatalf("a pending extension moved the due time: %+v", st)
		}
		o = e.do(t, o, f.Dispatcher, workorder.ActApproveExtension, workorder.Input{})
		e.clock.Set(at("2025-11-13 10:00"))
		o = e.do(t, o, f.Handler, workorder.ActReport, workorder.Input{Result: "已处理", Photos: []string{e.upload(t)}})
		checkStages(t, o, append(acceptedAtNine(f),
			want{"handling", "department", f.Sanitation, "2025-11-03 09:00", "2025-11-14 18:00", "2025-11-13 10:00", orders.StageOnTime},
			want{"verification", "grid", f.Grid, "2025-11-13 10:00", "2025-11-18 10:00", "", orders.StageRunning})...)
		checkBackfill(t, e, o.ID)
	})
}

// A return ends the first department's clocks and gives the centre a dispatch clock; the next
// department's clocks start fresh at the re-dispatch, not from receipt.
func TestStagesReturnRestartsNextOwner(t *testing.T) {
	each(t, at("2025-11-03 09:00"), func(t *testing.T, e env) {
		f := e.f
		o := e.inProgress(t, "退单重派")
		e.clock.Set(at("2025-11-05 09:00"))
		o = e.do(t, o, f.Handler, workorder.ActReturn, workorder.Input{Reason: "不属本部门职责"})
		e.clock.Set(at("2025-11-05 11:00"))
		o = e.do(t, o, f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.Market})
		// Market's handling: 5 working days from Wed 05 11:00 → Wed 12 11:00 (the order's own
		// deadline, Mon 10 09:00, stays).
		checkStages(t, o, append(acceptedAtNine(f),
			want{"handling", "department", f.Sanitation, "2025-11-03 09:00", "2025-11-10 09:00", "2025-11-05 09:00", orders.StageOnTime},
			want{"dispatch", "centre", f.Town, "2025-11-05 09:00", "2025-11-06 09:00", "2025-11-05 11:00", orders.StageOnTime},
			want{"first_contact", "department", f.Market, "2025-11-05 11:00", "2025-11-06 11:00", "", orders.StageRunning},
			want{"handling", "department", f.Market, "2025-11-05 11:00", "2025-11-12 11:00", "", orders.StageRunning})...)
		if o.Stages[3].Outcome != "return" {
			t.Fatalf("first handling ended by %q", o.Stages[3].Outcome)
		}
		if !o.Deadline.Equal(at("2025-11-10 09:00")) {
			t.Fatalf("order deadline %v", o.Deadline)
		}
		// Tuesday 11 Nov: the order's deadline passed, Market's has not; only Market's first
		// contact (due Thu 06 11:00, never accepted) is late — and Market's handlers are told.
		e.clock.Set(at("2025-11-11 09:00"))
		if n, err := e.s.EscalateOverdue(ctx, at("2025-11-11 09:00")); err != nil || n != 1 {
			t.Fatalf("escalated %d (%v), want 1", n, err)
		}
		got := e.get(t, o.ID)
		if got.Stages[5].EscalatedAt == nil || got.Stages[6].EscalatedAt != nil {
			t.Fatalf("escalated stages: first contact %v, handling %v", got.Stages[5].EscalatedAt, got.Stages[6].EscalatedAt)
		}
		if notes(t, e.s, f.Handler2)["escalated"] != 1 || notes(t, e.s, f.Handler)["escalated"] != 0 {
			t.Fatalf("notices: Market %v, Sanitation %v", notes(t, e.s, f.Handler2), notes(t, e.s, f.Handler))
		}
		checkBackfill(t, e, o.ID)
	})
}

// Filing late is the centre's: the escalation goes to the dispatchers, and the filing stage is
// recorded late when it is finally filed.
func TestStagesFilingLate(t *testing.T) {
	each(t, at("2025-11-07 16:00"), func(t *testing.T, e env) { // Friday
		f := e.f
		o := e.create(t, e.newOrder("立案超时"))
		e.clock.Set(at("2025-11-10 15:00"))
		got := e.get(t, o.ID)
		checkStages(t, got, want{"filing", "centre", f.Town, "2025-11-07 16:00", "2025-11-10 16:00", "", orders.StageRunning})
		if n, err := e.s.EscalateOverdue(ctx, at("2025-11-10 15:00")); err != nil || n != 0 {
			t.Fatalf("escalated %d (%v) before the filing time ran out", n, err)
		}
		e.clock.Set(at("2025-11-10 17:00"))
		if n, err := e.s.EscalateOverdue(ctx, at("2025-11-10 17:00")); err != nil || n != 1 {
			t.Fatalf("escalated %d (%v), want 1", n, err)
		}
		if notes(t, e.s, f.Dispatcher)["escalated"] != 1 || notes(t, e.s, f.Handler)["escalated"] != 0 {
			t.Fatalf("notices: dispatcher %v, handler %v", notes(t, e.s, f.Dispatcher), notes(t, e.s, f.Handler))
		}
		if n, err := e.s.EscalateOverdue(ctx, at("2025-11-11 08:00")); err != nil || n != 0 {
			t.Fatalf("second run escalated %d (%v)", n, err)
		}
		e.clock.Set(at("2025-11-11 09:00"))
		o = e.do(t, e.get(t, o.ID), f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.Category, Grid: f.Grid})
		checkStages(t, o,
			want{"filing", "centre", f.Town, "2025-11-07 16:00", "2025-11-10 16:00", "2025-11-11 09:00", orders.StageLate},
			want{"dispatch", "centre", f.Town, "2025-11-11 09:00", "2025-11-12 09:00", "", orders.StageRunning})
		if o.Stages[0].EscalatedAt == nil || !o.Stages[0].EscalatedAt.Equal(at("2025-11-10 17:00")) {
			t.Fatalf("filing stage escalated at %v", o.Stages[0].EscalatedAt)
		}
		checkBackfill(t, e, o.ID)
	})
}

// A town's stage_days setting changes the limits of the stages that have no deadline class.
func TestStagesConfigurableDays(t *testing.T) {
	each(t, at("2025-11-03 09:00"), func(t *testing.T, e env) {
		f := e.f
		if _, err := e.db.Exec(ctx, `INSERT INTO settings (town_code, key, value) VALUES (?, ?, ?)`,
			f.Town, orders.SettingStageDays, `{"filing": 2, "verification": 1}`); err != nil {
			t.Fatal(err)
		}
		o := e.inProgress(t, "配置时限")
		o = e.do(t, o, f.Handler, workorder.ActReport, workorder.Input{Result: "已处理", Photos: []string{e.upload(t)}})
		checkStages(t, o,
			want{"filing", "centre", f.Town, "2025-11-03 09:00", "2025-11-05 09:00", "2025-11-03 09:00", orders.StageOnTime},
			want{"dispatch", "centre", f.Town, "2025-11-03 09:00", "2025-11-04 09:00", "2025-11-03 09:00", orders.StageOnTime},
			want{"first_contact", "department", f.Sanitation, "2025-11-03 09:00", "2025-11-04 09:00", "2025-11-03 09:00", orders.StageOnTime},
			want{"handling", "department", f.Sanitation, "2025-11-03 09:00", "2025-11-10 09:00", "2025-11-03 09:00", orders.StageOnTime},
			want{"verification", "grid", f.Grid, "2025-11-03 09:00", "2025-11-04 09:00", "", orders.StageRunning})

		// co_handling gets its own limit (2 working days) instead of the lead's handling due time.
		if _, err := e.db.Exec(ctx, `UPDATE settings SET value = ? WHERE town_code = ? AND key = ?`,
			`{"co_handling": 2}`, f.Town, orders.SettingStageDays); err != nil {
			t.Fatal(err)
		}
		co := e.do(t, e.filed(t, "协办时限"), f.Dispatcher, workorder.ActDispatch,
			workorder.Input{Department: f.Sanitation, CoDepartments: []string{f.Market}})
		if st := co.Stages[len(co.Stages)-1]; st.Stage != "co_handling" || !st.DueAt.Equal(at("2025-11-05 09:00")) {
			t.Fatalf("co-handling with its own limit: %+v", st)
		}
		// A stage whose limit is a deadline class cannot be set here, nor less than a day.
		for _, bad := range []string{`{"handling": 2}`, `{"co_handling": 0}`, `{"nope": 1}`, `[1]`} {
			if _, err := orders.ParseStageDays(bad); err == nil {
				t.Fatalf("stage_days %s accepted", bad)
			}
		}
	})
}

// Co-handling (协办): each co-handling department has its own clock, due with the lead
// department's handling; its feedback stops only its own clock, the lead's report ends the
// clocks of those who never answered, and a late co-handling department is escalated itself.
func TestStagesCoHandling(t *testing.T) {
	each(t, at("2025-11-03 09:00"), func(t *testing.T, e env) {
		f := e.f
		dispatch := func(content string) orders.Order {
			return e.do(t, e.filed(t, content), f.Dispatcher, workorder.ActDispatch,
				workorder.Input{Department: f.Sanitation, CoDepartments: []string{f.Market}})
		}
		answered := dispatch("协办及时反馈")
		silent := dispatch("协办未反馈")
		head := []want{
			{"filing", "centre", f.Town, "2025-11-03 09:00", "2025-11-04 09:00", "2025-11-03 09:00", orders.StageOnTime},
			{"dispatch", "centre", f.Town, "2025-11-03 09:00", "2025-11-04 09:00", "2025-11-03 09:00", orders.StageOnTime},
		}

		// The lead department may not answer as a co-handler, nor the co-handler report handling.
		if err := e.try(answered, f.Handler, workorder.ActCoReport, workorder.Input{Note: "x"}); !errors.Is(err, workorder.ErrForbidden) {
			t.Fatalf("lead department's co_report: %v", err)
		}
		e.clock.Set(at("2025-11-05 10:00"))
		answered = e.do(t, answered, f.Handler2, workorder.ActCoReport, workorder.Input{Note: "已核实该商户证照齐全"})
		if answered.State != string(workorder.Dispatched) {
			t.Fatalf("co_report changed the state to %s", answered.State)
		}
		checkStages(t, answered, append(head,
			want{"first_contact", "department", f.Sanitation, "2025-11-03 09:00", "2025-11-04 09:00", "", orders.StageOverdue},
			want{"handling", "department", f.Sanitation, "2025-11-03 09:00", "2025-11-10 09:00", "", orders.StageRunning},
			want{"co_handling", "co_department", f.Market, "2025-11-03 09:00", "2025-11-10 09:00", "2025-11-05 10:00", orders.StageOnTime})...)
		if answered.Stages[4].Outcome != "co_report" {
			t.Fatalf("co-handling ended by %q", answered.Stages[4].Outcome)
		}
		if notes(t, e.s, f.Handler)["co_reported"] != 1 {
			t.Fatalf("lead department's notices: %v", notes(t, e.s, f.Handler))
		}

		// Tuesday 11 Nov: the silent order's handling and co-handling are both late. The escalation
		// tells both departments; the answered order's co-handling is not late (it answered).
		e.clock.Set(at("2025-11-11 09:00"))
		silent = e.do(t, silent, f.Handler, workorder.ActAccept, workorder.Input{})
		if _, err := e.s.EscalateOverdue(ctx, at("2025-11-11 09:00")); err != nil {
			t.Fatal(err)
		}
		if notes(t, e.s, f.Handler2)["escalated"] != 1 {
			t.Fatalf("Market (co-handler) escalation notices: %v", notes(t, e.s, f.Handler2))
		}
		silent = e.get(t, silent.ID)
		if silent.Stages[4].Stage != "co_handling" || silent.Stages[4].EscalatedAt == nil {
			t.Fatalf("silent co-handling not escalated: %+v", silent.Stages[4])
		}
		// The lead's report ends the co-handling clock that never answered: late.
		e.clock.Set(at("2025-11-11 10:00"))
		silent = e.do(t, silent, f.Handler, workorder.ActReport, workorder.Input{Result: "已处置", Photos: []string{e.upload(t)}})
		co := silent.Stages[4]
		if co.FinishedAt == nil || !co.FinishedAt.Equal(at("2025-11-11 10:00")) || co.OnTime == nil || *co.OnTime || co.Outcome != "report" {
			t.Fatalf("silent co-handling after the report: %+v", co)
		}
		checkBackfill(t, e, answered.ID, silent.ID)
	})
}
