package demo

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/workcal"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// The life of a generated order: GenerateBenchOrders replays in memory what the work-order
// lifecycle (orders.Act and its effects, workorder.Transitions' stage moves) would have written
// for an order that reached its state — its history events, its stage clocks (order_stages) with
// their due, finish and on-time figures computed on the working-day calendar as the store does,
// its suspensions, and the counters and stamps of the order row — and writes them in bulk. Every
// step takes a realistic delay, a few of them late; some orders are returned to the centre
// (退单), suspended (挂起), sent back for rework (返工), reopened after a dissatisfied rating
// (重办), escalated (督办) or exempted from assessment (考核豁免). The proportions are stated
// where they are drawn (benchRates).

// benchRates are the proportions of the lifecycle's detours, per order that reaches the step.
var benchRates = struct {
	LateFiling, LateDispatch, LateAccept, LateHandling, LateVerify, LateCallback float64
	Unreachable, Declined                                                        float64
	Return, CoHandling, CoReport, Suspend, StillSuspended, Rework, Reopen        float64
	Escalate, SecondEscalation, Exempt, SelfHandle                               float64
}{
	LateFiling: 0.03, LateDispatch: 0.03, LateAccept: 0.06, LateHandling: 0.10, LateVerify: 0.05, LateCallback: 0.04,
	Return: 0.05, CoHandling: 0.15, CoReport: 0.6, Suspend: 0.03, StillSuspended: 0.25, Rework: 0.04, Reopen: 0.3,
	Escalate: 0.4, SecondEscalation: 0.15, Exempt: 0.03, SelfHandle: 0.15,
	// Of the closed orders nobody rated, how their callback ended (the rest: no way to call back).
	Unreachable: 0.6, Declined: 0.25,
}

// stageRow is one order_stages row.
type stageRow struct {
	seq                    int
	stage, kind, owner     string
	started, due           time.Time
	finished               time.Time // zero while running
	outcome                string
	pausedSince, escalated time.Time
	pausedMs               int64
}

func (s *stageRow) running() bool { return s.finished.IsZero() }

// eventRow is one order_events row after the receive event.
type eventRow struct {
	at                                  time.Time
	actor, role, action, from, to       string
	reason, note, result, comment, data string
}

// benchLife is what one order's life wrote.
type benchLife struct {
	id                               int64
	town, category, grid, class      string
	state                            string
	received, t                      time.Time
	filed, deadline, closed, warning time.Time
	escalatedAt, suspendedSince      time.Time
	department, co                   string
	satisfaction, result             string
	callbackOutcome                  string
	returned, rework, reopen, escLvl int
	suspendedTotal                   int64
	duplicate                        int64
	stages                           []*stageRow
	events                           []eventRow
	suspensions                      [][2]time.Time // end zero: open
	exempt                           bool
	handlerName, verifier            string
}

// lifeSim holds what every order's life reads.
type lifeSim struct {
	cal       *workcal.Calendar
	now       time.Time
	rng       *rand.Rand
	w         *world.World
	handlers  []string // departments a returned order may go to next
	names     map[string]string
	classDays map[string]int
	dispName  string
}

func newLifeSim(w *world.World, cal *workcal.Calendar, now time.Time, rng *rand.Rand) *lifeSim {
	s := &lifeSim{cal: cal, now: now, rng: rng, w: w, classDays: map[string]int{}, names: map[string]string{}, dispName: "调度员"}
	for _, u := range w.Users {
		if u.Role == workorder.RoleDispatcher {
			s.dispName = u.DisplayName
		}
	}
	for _, d := range w.Departments {
		s.names[d.Code] = d.Name
		if d.Kind != "committee" && d.Kind != "opscentre" && d.Kind != "office" {
			s.handlers = append(s.handlers, d.Code)
		}
	}
	for _, c := range workorder.DeadlineClasses {
		s.classDays[c.Code] = c.Days
	}
	return s
}

func (s *lifeSim) chance(p float64) bool { return s.rng.Float64() < p }

// wait moves the order's clock on by a random delay in [lo, hi], never past now.
func (s *lifeSim) wait(l *benchLife, lo, hi time.Duration) {
	l.t = l.t.Add(lo + time.Duration(s.rng.Int64N(int64(hi-lo)+1)))
	if limit := s.now.Add(-time.Minute); l.t.After(limit) {
		// The recent orders' steps crowd into the time they had.
		l.t = limit
		if l.t.Before(l.received) {
			l.t = l.received
		}
	}
	l.t = l.t.Truncate(time.Millisecond)
}

// due is when days working days from start run out, as the store's stage clock computes it.
func (s *lifeSim) due(start time.Time, days int) time.Time {
	return s.cal.Deadline(start, max(days, 1), nil).Truncate(time.Millisecond)
}

// lateBy moves the clock past due (a late step): by 4 hours to 3 days after it.
func (s *lifeSim) lateBy(l *benchLife, due time.Time) {
	if due.After(l.t) {
		l.t = due
	}
	s.wait(l, 4*time.Hour, 3*24*time.Hour)
}

func (s *lifeSim) event(l *benchLife, act workorder.Action, to, actor, role string, e eventRow) {
	e.at, e.action, e.from, e.to, e.actor, e.role = l.t, string(act), l.state, to, actor, role
	if to == "" {
		e.to = l.state
	}
	l.events = append(l.events, e)
	l.state = e.to
}

func (s *lifeSim) start(l *benchLife, stage workorder.Stage, kind workorder.Owner, owner string, due time.Time) {
	l.stages = append(l.stages, &stageRow{seq: len(l.stages) + 1, stage: string(stage), kind: string(kind), owner: owner, started: l.t, due: due})
}

// finish ends the running stages of stages at l.t. A stage never finishes before it started:
// the steps of the most recent orders are crowded into the minute before now (wait), which once
// (the full suite of 2026-12-08 ~01:38 UTC, both databases, not reproduced since) left a
// stage's finish before its start.
func (s *lifeSim) finish(l *benchLife, act workorder.Action, stages ...workorder.Stage) {
	for _, st := range l.stages {
		if st.running() && slices.Contains(stages, workorder.Stage(st.stage)) {
			st.finished, st.outcome = l.t, string(act)
			if st.finished.Before(st.started) {
				st.finished = st.started
			}
		}
	}
}

func dataJSON(m map[string]any) string {
	b, _ := json.Marshal(m)
	return string(b)
}

// live replays g's life up to state (the state the generator chose, after the old-window rule).
func (s *lifeSim) live(l *benchLife, g world.DemoOrder, state string, ids []int64, i int, old bool) {
	l.t, l.state = l.received, string(workorder.Received)
	disp, dispRole := s.dispName, workorder.RoleDispatcher
	l.verifier = "网格员"
	if state == string(workorder.Received) {
		return
	}
	filingDue := s.due(l.received, 1)
	s.start(l, workorder.StageFiling, workorder.OwnerCentre, l.town, filingDue)
	s.wait(l, 10*time.Minute, 3*time.Hour)
	if s.chance(benchRates.LateFiling) {
		s.lateBy(l, filingDue)
	}
	if state == string(workorder.Merged) && (g.MergedInto < 0 || g.MergedInto >= i || ids[g.MergedInto] == 0) {
		state = string(workorder.Rejected) // its original is in another batch: turned away instead
		l.state = state
	}
	switch state {
	case string(workorder.Rejected):
		s.finish(l, workorder.ActReject, workorder.StageFiling)
		s.event(l, workorder.ActReject, state, disp, dispRole, eventRow{reason: g.RejectReason})
		return
	case string(workorder.Merged):
		l.duplicate = ids[g.MergedInto]
		s.finish(l, workorder.ActMerge, workorder.StageFiling)
		s.event(l, workorder.ActMerge, state, disp, dispRole, eventRow{reason: g.RejectReason, data: dataJSON(map[string]any{"duplicate_of": l.duplicate})})
		return
	}
	if g.Channel == "patrol" && (state == string(workorder.Closed) || state == string(workorder.Rated)) && s.chance(benchRates.SelfHandle) {
		// 自行处置: the grid worker fixed it on the spot; no handling, no callback.
		s.finish(l, workorder.ActSelfHandle, workorder.StageFiling)
		l.closed, l.result = l.t, g.ResultText
		s.event(l, workorder.ActSelfHandle, string(workorder.Closed), l.verifier, workorder.RoleGridWorker,
			eventRow{result: g.ResultText, data: `{"self_handled":true}`})
		return
	}
	// 立案
	s.finish(l, workorder.ActFile, workorder.StageFiling)
	l.filed = l.t
	l.deadline = s.due(l.received, s.classDays[l.class])
	s.start(l, workorder.StageDispatch, workorder.OwnerCentre, l.town, s.due(l.t, 1))
	s.event(l, workorder.ActFile, string(workorder.Filed), disp, dispRole,
		eventRow{data: dataJSON(map[string]any{"category": l.category, "grid": l.grid, "deadline_class": l.class})})
	if state == string(workorder.Filed) {
		return
	}
	// 派遣, and for one in twenty a return (退单) and a second dispatch elsewhere.
	dept := g.DepartmentCode
	if _, ok := s.w.Department(dept); !ok && len(s.handlers) > 0 {
		dept = s.handlers[s.rng.IntN(len(s.handlers))]
	}
	returned := s.chance(benchRates.Return)
	for round := 0; ; round++ {
		dispatchStage := l.stages[len(l.stages)-1]
		s.wait(l, 5*time.Minute, 2*time.Hour)
		if s.chance(benchRates.LateDispatch) {
			s.lateBy(l, dispatchStage.due)
		}
		s.finish(l, workorder.ActDispatch, workorder.StageDispatch)
		l.department, l.co = dept, ""
		l.handlerName = s.names[dept] + "经办人"
		data := map[string]any{"department": dept}
		if _, isDept := s.w.Department(g.CommitteeCode); isDept && g.CommitteeCode != dept && s.chance(benchRates.CoHandling) {
			l.co = g.CommitteeCode
			data["co_departments"] = []string{l.co}
		}
		handlingDue := l.deadline
		if round > 0 {
			handlingDue = s.due(l.t, s.classDays[l.class]) // a fresh clock for the next department
		}
		s.start(l, workorder.StageFirstContact, workorder.OwnerDepartment, dept, s.due(l.t, s.classDays[workorder.ClassFirstContact]))
		s.start(l, workorder.StageHandling, workorder.OwnerDepartment, dept, handlingDue)
		if l.co != "" {
			s.start(l, workorder.StageCoHandling, workorder.OwnerCoDepartment, l.co, handlingDue)
		}
		s.event(l, workorder.ActDispatch, string(workorder.Dispatched), disp, dispRole, eventRow{data: dataJSON(data)})
		if round > 0 || !returned || state == string(workorder.Dispatched) {
			break
		}
		s.wait(l, time.Hour, 24*time.Hour)
		s.finish(l, workorder.ActReturn, workorder.StageFirstContact, workorder.StageHandling, workorder.StageCoHandling)
		l.returned++
		s.event(l, workorder.ActReturn, string(workorder.Filed), l.handlerName, workorder.RoleHandler,
			eventRow{reason: "非本部门职责，请重新派遣（生成数据）", data: dataJSON(map[string]any{"department": dept})})
		l.department, l.co = "", ""
		s.start(l, workorder.StageDispatch, workorder.OwnerCentre, l.town, s.due(l.t, 1))
		if len(s.handlers) > 1 {
			next := dept
			for next == dept {
				next = s.handlers[s.rng.IntN(len(s.handlers))]
			}
			dept = next
		}
	}
	if state == string(workorder.Dispatched) {
		return
	}
	// 签收
	fc := l.stages[len(l.stages)-2]
	if l.co != "" {
		fc = l.stages[len(l.stages)-3]
	}
	s.wait(l, 20*time.Minute, 6*time.Hour)
	if s.chance(benchRates.LateAccept) {
		s.lateBy(l, fc.due)
	}
	s.finish(l, workorder.ActAccept, workorder.StageFirstContact)
	s.event(l, workorder.ActAccept, string(workorder.InProgress), l.handlerName, workorder.RoleHandler, eventRow{})
	// 挂起 and 恢复: the running clocks stand still; their due times move by the working time.
	if s.chance(benchRates.Suspend) {
		s.wait(l, 2*time.Hour, 2*24*time.Hour)
		from := l.t
		s.event(l, workorder.ActSuspend, "", disp, dispRole, eventRow{reason: "等待产权单位配合（生成数据）"})
		if state == string(workorder.InProgress) && !old && s.chance(benchRates.StillSuspended) {
			l.suspendedSince = from
			for _, st := range l.stages {
				if st.running() {
					st.pausedSince = from
				}
			}
			l.suspensions = append(l.suspensions, [2]time.Time{from, {}})
			return
		}
		s.wait(l, 24*time.Hour, 10*24*time.Hour)
		paused := s.cal.WorkingDuration(from, l.t)
		for _, st := range l.stages {
			if st.running() {
				st.due = addWorking(s.cal, st.due, paused).Truncate(time.Millisecond)
				st.pausedMs += paused.Milliseconds()
			}
		}
		l.deadline = addWorking(s.cal, l.deadline, paused).Truncate(time.Millisecond)
		l.suspendedTotal += l.t.Sub(from).Milliseconds()
		l.suspensions = append(l.suspensions, [2]time.Time{from, l.t})
		s.event(l, workorder.ActResume, "", disp, dispRole, eventRow{data: dataJSON(map[string]any{"suspended_working_ms": paused.Milliseconds()})})
	}
	if state == string(workorder.InProgress) {
		return
	}
	s.report(l, g)
	if state == string(workorder.Handled) {
		return
	}
	if s.chance(benchRates.Rework) {
		s.verify(l, false)
		s.start(l, workorder.StageHandling, workorder.OwnerDepartment, l.department, s.due(l.t, s.classDays[workorder.ClassRehandle]))
		s.report(l, g)
	}
	s.verify(l, true)
	if state == string(workorder.Closed) {
		s.endCallback(l)
		return
	}
	sat := benchSatisfaction(g.Satisfaction)
	s.rate(l, sat, g.RatingComment)
	if sat == workorder.Dissatisfied && old && s.chance(benchRates.Reopen) {
		// 重办: a fresh short clock, handled again, closed again and rated again.
		s.wait(l, time.Hour, 24*time.Hour)
		l.deadline = s.due(l.t, s.classDays[workorder.ClassRehandle])
		l.reopen++
		s.event(l, workorder.ActReopen, string(workorder.InProgress), disp, dispRole,
			eventRow{reason: "回访不满意，重新办理（生成数据）", data: dataJSON(map[string]any{"satisfaction": sat, "deadline_class": workorder.ClassRehandle})})
		l.satisfaction, l.closed = "", time.Time{}
		s.start(l, workorder.StageHandling, workorder.OwnerDepartment, l.department, l.deadline)
		s.report(l, g)
		s.verify(l, true)
		again := workorder.Satisfied
		if s.chance(0.3) {
			again = workorder.BasicallySatisfied
		}
		s.rate(l, again, "")
	}
}

// report is 处置反馈: mostly before the handling stage's due time, one in ten after it; a
// co-handling department reported before (or its clock ends with the lead's report).
func (s *lifeSim) report(l *benchLife, g world.DemoOrder) {
	var handling *stageRow
	for _, st := range l.stages {
		if st.running() && st.stage == string(workorder.StageHandling) {
			handling = st
		}
	}
	if handling == nil {
		return
	}
	if s.chance(benchRates.LateHandling) {
		s.lateBy(l, handling.due)
	} else if span := handling.due.Sub(l.t); span > 2*time.Hour {
		s.wait(l, span/10, time.Duration(float64(span)*(0.2+0.7*s.rng.Float64())))
	} else {
		s.wait(l, 10*time.Minute, time.Hour)
	}
	for _, st := range l.stages {
		if st.running() && st.stage == string(workorder.StageCoHandling) && s.chance(benchRates.CoReport) {
			at := l.t
			l.t = st.started.Add(max(at.Sub(st.started), 0) / 2).Truncate(time.Millisecond)
			st.finished, st.outcome = l.t, string(workorder.ActCoReport)
			s.event(l, workorder.ActCoReport, "", st.owner+"经办人", workorder.RoleHandler, eventRow{note: "已配合上门核实（生成数据）"})
			l.t = at
		}
	}
	s.finish(l, workorder.ActReport, workorder.StageFirstContact, workorder.StageHandling, workorder.StageCoHandling)
	l.result = g.ResultText
	s.event(l, workorder.ActReport, string(workorder.Handled), l.handlerName, workorder.RoleHandler, eventRow{result: g.ResultText})
	s.start(l, workorder.StageVerification, workorder.OwnerGrid, l.grid, s.due(l.t, 3))
}

// verify is 核查: passed (closing the order and starting the callback) or failed (返工).
func (s *lifeSim) verify(l *benchLife, pass bool) {
	v := l.stages[len(l.stages)-1]
	s.wait(l, 2*time.Hour, 24*time.Hour)
	if s.chance(benchRates.LateVerify) {
		s.lateBy(l, v.due)
	}
	if !pass {
		s.finish(l, workorder.ActVerifyFail, workorder.StageVerification)
		l.rework++
		s.event(l, workorder.ActVerifyFail, string(workorder.InProgress), l.verifier, workorder.RoleGridWorker, eventRow{reason: "现场仍有问题，请返工（生成数据）"})
		return
	}
	s.finish(l, workorder.ActVerifyPass, workorder.StageVerification)
	l.closed = l.t
	s.event(l, workorder.ActVerifyPass, string(workorder.Closed), l.verifier, workorder.RoleGridWorker, eventRow{note: "现场核查已整改（生成数据）"})
	s.start(l, workorder.StageCallback, workorder.OwnerCentre, l.town, s.due(l.t, 3))
}

func (s *lifeSim) rate(l *benchLife, sat, comment string) {
	cb := l.stages[len(l.stages)-1]
	s.wait(l, 2*time.Hour, 48*time.Hour)
	if s.chance(benchRates.LateCallback) {
		s.lateBy(l, cb.due)
	}
	s.finish(l, workorder.ActRate, workorder.StageCallback)
	l.satisfaction = sat
	s.event(l, workorder.ActRate, string(workorder.Rated), s.dispName, workorder.RoleDispatcher,
		eventRow{comment: comment, data: dataJSON(map[string]any{"satisfaction": sat})})
}

// endCallback is 回访结束（未评价） for a closed order nobody rated: once its callback's due time
// has passed, the centre records why there is no rating — mostly on time, some late. A closed
// order whose callback is still within its due time keeps it running (awaiting the callback).
func (s *lifeSim) endCallback(l *benchLife) {
	cb := l.stages[len(l.stages)-1]
	if cb.stage != string(workorder.StageCallback) || !cb.due.Before(s.now) {
		return
	}
	s.wait(l, 2*time.Hour, 48*time.Hour)
	if s.chance(benchRates.LateCallback) {
		s.lateBy(l, cb.due)
	}
	outcome, note := workorder.CallbackNoContact, "来电人未留联系方式（生成数据）"
	switch r := s.rng.Float64(); {
	case r < benchRates.Unreachable:
		outcome, note = workorder.CallbackUnreachable, "三次回访均未接通（生成数据）"
	case r < benchRates.Unreachable+benchRates.Declined:
		outcome, note = workorder.CallbackDeclined, "来电人表示不愿评价（生成数据）"
	}
	s.finish(l, workorder.ActEndCallback, workorder.StageCallback)
	l.callbackOutcome = outcome
	s.event(l, workorder.ActEndCallback, "", s.dispName, workorder.RoleDispatcher,
		eventRow{note: note, data: dataJSON(map[string]any{"callback_outcome": outcome})})
}

func benchSatisfaction(s string) string {
	switch s {
	case "basic":
		return workorder.BasicallySatisfied
	case "dissatisfied":
		return workorder.Dissatisfied
	}
	return workorder.Satisfied
}

// escalateAndExempt adds, after the life is written, the leader's (or the escalator's) 督办 of a
// late stage — at some time between its due time and its end (or now) — and, for some closed
// orders with a late stage, an approved exemption.
func (s *lifeSim) escalateAndExempt(l *benchLife) {
	var late *stageRow
	for _, st := range l.stages {
		end := st.finished
		if st.running() {
			if !st.pausedSince.IsZero() {
				continue
			}
			end = s.now
		}
		if end.After(st.due) {
			late = st
			break
		}
	}
	if late == nil {
		return
	}
	closed := l.state == string(workorder.Closed) || l.state == string(workorder.Rated)
	if closed && s.chance(benchRates.Exempt) {
		l.exempt = true
	}
	if !s.chance(benchRates.Escalate) {
		return
	}
	end := late.finished
	if late.running() {
		end = s.now
	}
	at := late.due.Add(time.Duration(s.rng.Float64() * float64(end.Sub(late.due)))).Truncate(time.Millisecond)
	late.escalated = at
	l.escLvl = 1
	if s.chance(benchRates.SecondEscalation) {
		l.escLvl = 2
	}
	l.escalatedAt = at
	for lvl := 1; lvl <= l.escLvl; lvl++ {
		l.events = append(l.events, eventRow{at: at, actor: "督办系统", role: workorder.RoleSystem, action: string(workorder.ActEscalate),
			note: "环节超期，系统督办（生成数据）", data: dataJSON(map[string]any{"escalation_level": lvl, "late_stages": []string{late.stage}})})
	}
}

// order puts the history in time order (a co-handler's feedback and an escalation happen
// between the lead's steps) and gives the actions that leave the state alone (feedback,
// suspension, escalation) the state they happened in.
func (l *benchLife) order() {
	slices.SortStableFunc(l.events, func(a, b eventRow) int { return a.at.Compare(b.at) })
	state := string(workorder.Received)
	for k := range l.events {
		switch workorder.Action(l.events[k].action) {
		case workorder.ActEscalate, workorder.ActCoReport, workorder.ActSuspend, workorder.ActResume:
			l.events[k].from, l.events[k].to = state, state
		}
		state = l.events[k].to
	}
}

// addWorking is start moved on by d of working time (whole working days count 24 hours), as
// the store moves a due time when a suspension ends.
func addWorking(cal *workcal.Calendar, t time.Time, d time.Duration) time.Time {
	loc := workcal.Location()
	for d > 0 {
		lt := t.In(loc)
		next := time.Date(lt.Year(), lt.Month(), lt.Day()+1, 0, 0, 0, 0, loc)
		if !cal.IsWorkday(t) {
			t = next
			continue
		}
		if left := next.Sub(t); d > left {
			d -= left
			t = next
			continue
		}
		return t.Add(d)
	}
	return t
}
