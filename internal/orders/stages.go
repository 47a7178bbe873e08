package orders

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Stage clocks (table order_stages): each stage of an order has its owner and its due time, so
// that lateness — and escalation — goes to whoever holds the order. workorder.Stages says who
// owns which stage; the rows of workorder.Transitions say which stages an action ends and starts
// (effect stage_clocks); suspension, an approved extension and escalation act on the running
// stages through their own effects. Rows are written in the action's transaction.

// Stage statuses as the API and the order page show them.
const (
	StageOnTime  = "on_time" // finished by its due time
	StageLate    = "late"    // finished after its due time
	StageRunning = "running" // running, due time not passed
	StageOverdue = "overdue" // running past its due time
	StagePaused  = "paused"  // running, the order is suspended
)

// OrderStage is one run of one stage of an order.
type OrderStage struct {
	Seq        int        `json:"seq"`
	Stage      string     `json:"stage"`
	OwnerKind  string     `json:"owner_kind"` // workorder.Owner: centre, department, grid
	Owner      string     `json:"owner"`      // the town, department or grid code
	StartedAt  time.Time  `json:"started_at"`
	DueAt      time.Time  `json:"due_at"`
	FinishedAt *time.Time `json:"finished_at"`
	OnTime     *bool      `json:"on_time"`           // nil while running
	Outcome    string     `json:"outcome,omitempty"` // the action that ended it
	// PausedWorkingMs is the working time the stage stood still while the order was suspended;
	// its due time moved by as much.
	PausedWorkingMs int64      `json:"paused_working_ms"`
	PausedSince     *time.Time `json:"paused_since,omitempty"`
	EscalatedAt     *time.Time `json:"escalated_at,omitempty"`
	Status          string     `json:"status"` // StageOnTime, StageLate, StageRunning, StageOverdue, StagePaused

	stored, dirty bool
}

func (st *OrderStage) running() bool { return st.FinishedAt == nil }

// status computes Status at now.
func (st *OrderStage) status(now time.Time) string {
	switch {
	case st.OnTime != nil && *st.OnTime:
		return StageOnTime
	case st.OnTime != nil:
		return StageLate
	case st.PausedSince != nil:
		return StagePaused
	case now.After(st.DueAt):
		return StageOverdue
	}
	return StageRunning
}

// stageClock computes due times: the working-day calendar and the town's limits.
type stageClock struct {
	cal *workcal.Calendar
	ts  townSettings
}

// days is the limit of a stage whose limit is not a deadline class.
func (k stageClock) days(s workorder.Stage) int {
	if d, ok := k.ts.stageDays[string(s)]; ok && d > 0 {
		return d
	}
	si, _ := s.Info()
	return max(si.Days, 1)
}

func (k stageClock) classDays(class string) int {
	d, err := workorder.ClassDays(class, k.ts.overrides)
	if err != nil {
		d, _ = workorder.ClassDays(workorder.ClassGeneral, k.ts.overrides)
	}
	return d
}

func (k stageClock) after(start time.Time, days int) time.Time {
	return k.cal.Deadline(start, days, nil).Truncate(time.Millisecond)
}

// stageBook is the stage rows of one order.
type stageBook struct {
	rows []*OrderStage
}

// ensureFiling gives an order that was received but has no stage row yet its filing clock, from
// receipt. Orders are created without rows (so that bulk import writes nothing more); the first
// action that touches the clocks writes it.
func (b *stageBook) ensureFiling(k stageClock, o *Order) {
	if len(b.rows) > 0 {
		return
	}
	b.rows = append(b.rows, &OrderStage{Seq: 1, Stage: string(workorder.StageFiling), OwnerKind: string(workorder.OwnerCentre),
		Owner: o.TownCode, StartedAt: o.ReceivedAt, DueAt: k.after(o.ReceivedAt, k.days(workorder.StageFiling)), dirty: true})
}

func (b *stageBook) add(st *OrderStage) {
	st.Seq, st.dirty = len(b.rows)+1, true
	b.rows = append(b.rows, st)
}

// move ends the running stages of mv.End and starts those of mv.Start, at now, for action act,
// with o as the action's other effects left it; with mv.Mine only the rows that department
// (the acting co-handler's) owns end.
func (b *stageBook) move(k stageClock, o *Order, act workorder.Action, mv workorder.StageMove, department string, now time.Time) {
	b.ensureFiling(k, o)
	for _, st := range b.rows {
		if st.running() && slices.Contains(mv.End, workorder.Stage(st.Stage)) && (!mv.Mine || st.Owner == department) {
			b.finish(k, st, string(act), now)
		}
	}
	var handlingDue time.Time
	for _, s := range mv.Start {
		if s == workorder.StageCoHandling {
			b.startCoHandling(k, o, handlingDue, now)
			continue
		}
		si, _ := s.Info()
		st := &OrderStage{Stage: string(s), OwnerKind: string(si.Owner), StartedAt: now}
		switch si.Owner {
		case workorder.OwnerCentre:
			st.Owner = o.TownCode
		case workorder.OwnerDepartment:
			st.Owner = o.Department
		case workorder.OwnerGrid:
			st.Owner = o.Grid
		}
		switch s {
		case workorder.StageFirstContact:
			st.DueAt = k.after(now, k.classDays(workorder.ClassFirstContact))
		case workorder.StageHandling:
			st.DueAt = b.handlingDue(k, o, act, now)
			handlingDue = st.DueAt
		default:
			st.DueAt = k.after(now, k.days(s))
		}
		b.add(st)
	}
}

// startCoHandling starts one co-handling row per co-handling department of the dispatch, due with
// the lead department's handling (handlingDue, when the same move started it) unless the town's
// stage_days setting gives co_handling its own working days.
func (b *stageBook) startCoHandling(k stageClock, o *Order, handlingDue, now time.Time) {
	due := handlingDue
	if d, ok := k.ts.stageDays[string(workorder.StageCoHandling)]; (ok && d > 0) || due.IsZero() {
		due = k.after(now, k.days(workorder.StageCoHandling))
	}
	for _, dept := range o.CoDepartments {
		if dept == "" || dept == o.Department {
			continue
		}
		b.add(&OrderStage{Stage: string(workorder.StageCoHandling), OwnerKind: string(workorder.OwnerCoDepartment),
			Owner: dept, StartedAt: now, DueAt: due})
	}
}

// handlingDue is the due time of a handling stage that act starts: the order's deadline at the
// first dispatch (counted from receipt, as the hotline's rules say) and after a reopening (which
// restarted it with the rehandle class); a fresh clock of the order's class from a re-dispatch
// after a return (the next department is not blamed for the first one's time); the rehandle
// class from a failed verification (rework).
func (b *stageBook) handlingDue(k stageClock, o *Order, act workorder.Action, now time.Time) time.Time {
	switch act {
	case workorder.ActVerifyFail:
		return k.after(now, k.classDays(workorder.ClassRehandle))
	case workorder.ActDispatch:
		for _, st := range b.rows {
			if st.Stage == string(workorder.StageHandling) {
				return k.after(now, k.classDays(firstOf(o.DeadlineClass, workorder.ClassGeneral)))
			}
		}
	}
	if o.Deadline != nil {
		return o.Deadline.Truncate(time.Millisecond)
	}
	return k.after(now, k.classDays(firstOf(o.DeadlineClass, workorder.ClassGeneral)))
}

func (b *stageBook) finish(k stageClock, st *OrderStage, outcome string, now time.Time) {
	if st.PausedSince != nil {
		b.resumeOne(k, st, now)
	}
	t := now
	onTime := !now.After(st.DueAt)
	st.FinishedAt, st.OnTime, st.Outcome, st.dirty = &t, &onTime, outcome, true
}

// pause stops the running stages' clocks (the order is suspended).
func (b *stageBook) pause(k stageClock, o *Order, now time.Time) {
	b.ensureFiling(k, o)
	for _, st := range b.rows {
		if st.running() && st.PausedSince == nil {
			t := now
			st.PausedSince, st.dirty = &t, true
		}
	}
}

// resume restarts them: each due time moves by the working time it stood still.
func (b *stageBook) resume(k stageClock, now time.Time) {
	for _, st := range b.rows {
		if st.running() && st.PausedSince != nil {
			b.resumeOne(k, st, now)
		}
	}
}

func (b *stageBook) resumeOne(k stageClock, st *OrderStage, now time.Time) {
	since := *st.PausedSince
	if since.After(now) {
		since = now
	}
	paused := k.cal.WorkingDuration(since, now)
	st.DueAt = addWorking(k.cal, st.DueAt, paused).Truncate(time.Millisecond)
	st.PausedWorkingMs += paused.Milliseconds()
	st.PausedSince, st.dirty = nil, true
}

// extend moves the running handling stage's due time to an approved extension's deadline.
func (b *stageBook) extend(due time.Time) {
	for _, st := range b.rows {
		if st.running() && st.Stage == string(workorder.StageHandling) {
			st.DueAt, st.dirty = due.Truncate(time.Millisecond), true
		}
	}
}

// escalate marks the running stages past their due time (and not flagged since it) as
// escalated at now and returns them; when none is late (a leader's own escalation), it returns
// the running stages, whose owners are then the ones told.
func (b *stageBook) escalate(k stageClock, o *Order, now time.Time) []*OrderStage {
	if workorder.State(o.State) == workorder.Received {
		b.ensureFiling(k, o)
	}
	var late, running []*OrderStage
	for _, st := range b.rows {
		if !st.running() {
			continue
		}
		running = append(running, st)
		if st.PausedSince == nil && now.After(st.DueAt) && (st.EscalatedAt == nil || st.EscalatedAt.Before(st.DueAt)) {
			t := now
			st.EscalatedAt, st.dirty = &t, true
			late = append(late, st)
		}
	}
	if len(late) > 0 {
		return late
	}
	return running
}

// clockFor returns the stage clock of o's town.
func (s *Store) clockFor(ctx context.Context, q store.Querier, town string) (stageClock, error) {
	ts, err := settings(ctx, q, town)
	return stageClock{cal: s.Cal, ts: ts}, err
}

const stageCols = `seq, stage, owner_kind, owner_code, started_at, due_at, finished_at, on_time, outcome, paused_since, paused_working_ms, escalated_at`

func scanStage(r scanner) (*OrderStage, error) {
	st := &OrderStage{stored: true}
	var started, due int64
	var finished, paused, escalated, onTime sql.NullInt64
	if err := r.Scan(&st.Seq, &st.Stage, &st.OwnerKind, &st.Owner, &started, &due, &finished, &onTime, &st.Outcome,
		&paused, &st.PausedWorkingMs, &escalated); err != nil {
		return nil, err
	}
	st.StartedAt, st.DueAt = store.FromMillis(started), store.FromMillis(due)
	st.FinishedAt, st.PausedSince, st.EscalatedAt = timePtr(finished), timePtr(paused), timePtr(escalated)
	if onTime.Valid {
		v := onTime.Int64 == 1
		st.OnTime = &v
	}
	return st, nil
}

// loadStageBook reads the stage rows of an order (prepared once on SQLite: every action runs it).
func loadStageBook(ctx context.Context, q store.Querier, orderID int64) (*stageBook, error) {
	rows, err := store.Prepared(q).Query(ctx, `SELECT `+stageCols+` FROM order_stages WHERE order_id = ? ORDER BY seq`, orderID)
	if err != nil {
		return nil, fmt.Errorf("stages of order %d: %w", orderID, err)
	}
	defer rows.Close()
	b := &stageBook{}
	for rows.Next() {
		st, err := scanStage(rows)
		if err != nil {
			return nil, err
		}
		b.rows = append(b.rows, st)
	}
	return b, rows.Err()
}

// loadStageBookKPI is loadStageBook with, when withExempt, whether the order is exempted from
// the assessment figures (kpi_exemptions) in the same statement: the KPI upkeep's state of the
// order before an action. The exemption comes with every row, and with one row of NULL stage
// columns (seq 0) when the order has no stage row yet.
func loadStageBookKPI(ctx context.Context, q store.Querier, orderID int64, withExempt bool) (*stageBook, bool, error) {
	if !withExempt {
		b, err := loadStageBook(ctx, q, orderID)
		return b, false, err
	}
	rows, err := store.Prepared(q).Query(ctx, `SELECT CASE WHEN EXISTS (SELECT 1 FROM kpi_exemptions x WHERE x.order_id = ?) THEN 1 ELSE 0 END,
		COALESCE(s.seq, 0), COALESCE(s.stage, ''), COALESCE(s.owner_kind, ''), COALESCE(s.owner_code, ''), COALESCE(s.started_at, 0),
		COALESCE(s.due_at, 0), s.finished_at, s.on_time, COALESCE(s.outcome, ''), s.paused_since, COALESCE(s.paused_working_ms, 0), s.escalated_at
		FROM (SELECT 1 AS one) one LEFT JOIN order_stages s ON s.order_id = ? ORDER BY s.seq`, orderID, orderID)
	if err != nil {
		return nil, false, fmt.Errorf("stages of order %d: %w", orderID, err)
	}
	defer rows.Close()
	b := &stageBook{}
	var exempt int
	for rows.Next() {
		st, err := scanStage(prefixed{rows, []any{&exempt}})
		if err != nil {
			return nil, false, err
		}
		if st.Seq != 0 {
			b.rows = append(b.rows, st)
		}
	}
	return b, exempt == 1, rows.Err()
}

// prefixed is a scanner whose row starts with the columns of pre.
type prefixed struct {
	r   scanner
	pre []any
}

func (p prefixed) Scan(dest ...any) error { return p.r.Scan(append(p.pre, dest...)...) }

// save writes the new and changed rows of the order orderID of town. Migration 0016's back-fill
// writes before order_stages has its town (0043, which fills it in): town "" there.
func (b *stageBook) save(ctx context.Context, q store.Querier, orderID int64, town string) error {
	for _, st := range b.rows {
		if !st.dirty {
			continue
		}
		var onTime any
		if st.OnTime != nil {
			onTime = store.Bool(*st.OnTime)
		}
		var err error
		if st.stored {
			_, err = q.Exec(ctx, `UPDATE order_stages SET due_at = ?, finished_at = ?, on_time = ?, outcome = ?, paused_since = ?,
				paused_working_ms = ?, escalated_at = ? WHERE order_id = ? AND seq = ?`,
				st.DueAt.UnixMilli(), ms(st.FinishedAt), onTime, st.Outcome, ms(st.PausedSince), st.PausedWorkingMs, ms(st.EscalatedAt),
				orderID, st.Seq)
		} else {
			// A concurrent action on the same order (two escalators on PostgreSQL) may have written
			// the row first: that is the conflict the order's version guard reports anyway, so
			// report it as such, keeping the transaction usable.
			var res sql.Result
			args := []any{orderID, st.Seq, st.Stage, st.OwnerKind, st.Owner, st.StartedAt.UnixMilli(), st.DueAt.UnixMilli(),
				ms(st.FinishedAt), onTime, st.Outcome, ms(st.PausedSince), st.PausedWorkingMs, ms(st.EscalatedAt)}
			cols, marks := ``, ``
			if town != "" {
				cols, marks, args = `, order_town`, `, ?`, append(args, town)
			}
			res, err = q.Exec(ctx, `INSERT INTO order_stages (order_id, seq, stage, owner_kind, owner_code, started_at, due_at,
				finished_at, on_time, outcome, paused_since, paused_working_ms, escalated_at`+cols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?`+marks+`)
				ON CONFLICT DO NOTHING`, args...)
			if err == nil {
				if n, _ := res.RowsAffected(); n == 0 {
					return problem.Conflict("order %d was changed by someone else just now; reload it and try again", orderID)
				}
			}
		}
		if err != nil {
			return fmt.Errorf("order %d stage %s: %w", orderID, st.Stage, err)
		}
		st.stored, st.dirty = true, false
	}
	return nil
}

// onStages runs f on the order's stage rows inside the action's transaction and writes what it
// changed.
func (c *change) onStages(ctx context.Context, f func(k stageClock, b *stageBook) error) error {
	if c.stages == nil {
		b, err := loadStageBook(ctx, c.tx, c.o.ID)
		if err != nil {
			return err
		}
		c.stages = b
	}
	if !c.clocked {
		k, err := c.s.clockFor(ctx, c.tx, c.o.TownCode)
		if err != nil {
			return err
		}
		c.clock, c.clocked = k, true
	}
	if err := f(c.clock, c.stages); err != nil {
		return err
	}
	return c.stages.save(ctx, c.tx, c.o.ID, c.o.TownCode)
}

// stageClocks is effect stage_clocks: the row's Stages end and start.
func stageClocks(ctx context.Context, c *change) error {
	t, _ := workorder.Lookup(c.d.Action)
	return c.onStages(ctx, func(k stageClock, b *stageBook) error {
		dept, _ := c.ev.Data["co_department"].(string)
		b.move(k, c.o, t.Action, t.Stages, dept, c.now)
		return nil
	})
}

// stagesOf returns the order's stage rows with their status at now; an order received and not
// yet touched shows its running filing clock.
func (s *Store) stagesOf(ctx context.Context, q store.Querier, o *Order, now time.Time) ([]OrderStage, error) {
	b, err := loadStageBook(ctx, q, o.ID)
	if err != nil {
		return nil, err
	}
	return s.stagesFrom(ctx, q, b, o, now)
}

// stagesFrom is stagesOf of the book b (every stage row of o). Its times are given as a read of
// the rows gives them (milliseconds, the local zone), whether b was read or has just been written.
func (s *Store) stagesFrom(ctx context.Context, q store.Querier, b *stageBook, o *Order, now time.Time) ([]OrderStage, error) {
	if len(b.rows) == 0 && workorder.State(o.State) == workorder.Received {
		k, err := s.clockFor(ctx, q, o.TownCode)
		if err != nil {
			return nil, err
		}
		b.ensureFiling(k, o)
		if o.Suspended {
			b.rows[0].PausedSince = &o.suspendedSince
		}
	}
	out := make([]OrderStage, len(b.rows))
	for i, st := range b.rows {
		out[i] = *st
		out[i].Status = st.status(now)
		out[i].StartedAt, out[i].DueAt = asRead(st.StartedAt), asRead(st.DueAt)
		out[i].FinishedAt, out[i].PausedSince, out[i].EscalatedAt = asReadPtr(st.FinishedAt), asReadPtr(st.PausedSince), asReadPtr(st.EscalatedAt)
	}
	return out, nil
}

// asRead is t as scanStage reads it back from its stored milliseconds.
func asRead(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return store.FromMillis(t.UnixMilli())
}

func asReadPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	r := asRead(*t)
	return &r
}

// stageOwnersWhere is the condition on users that selects the owners of stages (ToStageOwner):
// a department's handlers, a grid's staff, the centre's dispatchers.
func stageOwnersWhere(o Order, stages []*OrderStage) (string, []any, bool) {
	var where string
	var args []any
	seen := map[string]bool{}
	for _, st := range stages {
		key := st.OwnerKind + "\x00" + st.Owner
		if seen[key] || st.Owner == "" {
			continue
		}
		seen[key] = true
		var w string
		var a []any
		switch workorder.Owner(st.OwnerKind) {
		case workorder.OwnerDepartment, workorder.OwnerCoDepartment:
			w, a = `(role = ? AND department_code = ?)`, []any{workorder.RoleHandler, st.Owner}
		case workorder.OwnerGrid:
			w, a = `(grid_code = ? AND role IN (?, ?))`, []any{st.Owner, workorder.RoleGridWorker, workorder.RoleGridLeader}
		case workorder.OwnerCentre:
			w, a = `role = ?`, []any{workorder.RoleDispatcher}
		default:
			continue
		}
		if where != "" {
			where += " OR "
		}
		where += w
		args = append(args, a...)
	}
	if where == "" {
		// No stage row (an order older than the clocks that the back-fill did not reach):
		// the lead department's handlers, as before the clocks.
		if o.Department == "" {
			return "", nil, false
		}
		return `(role = ? AND department_code = ?)`, []any{workorder.RoleHandler, o.Department}, true
	}
	return "(" + where + ")", args, true
}

// stagesMigration is the migration that brings order_stages; its back-fill replays every
// order's history through the same clocks as the live actions.
const stagesMigration = 16

func init() {
	store.AfterMigration(stagesMigration, backfillStages)
}

// backfillStages writes the stage rows of the orders that existed before the stage clocks, by
// replaying their events (in batches, by id). An order only received keeps no row: its filing
// clock is read from its receipt until an action writes it.
// orderColsAt0016 is orderCols as the orders table stood when migration 0016 ran: the columns
// later migrations added read as their defaults.
var orderColsAt0016 = strings.Replace(orderCols, "callback_outcome", "'' AS callback_outcome", 1)

func backfillStages(ctx context.Context, tx *store.Tx) error {
	cal, err := LoadCalendar(ctx, tx)
	if err != nil {
		return err
	}
	s := &Store{Cal: cal}
	clocks := map[string]stageClock{}
	var last int64
	for {
		rows, err := tx.Query(ctx, `SELECT `+orderColsAt0016+` FROM orders WHERE id > ? ORDER BY id LIMIT 500`, last)
		if err != nil {
			return fmt.Errorf("orders to back-fill: %w", err)
		}
		var batch []*Order
		for rows.Next() {
			o, err := scanOrder(rows)
			if err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, &o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		last = batch[len(batch)-1].ID
		ids := make([]any, len(batch))
		for i, o := range batch {
			ids[i] = o.ID
		}
		evs := map[int64][]Event{}
		if err := eventsOfMany(ctx, tx, ids, func(id int64, e Event) { evs[id] = append(evs[id], e) }); err != nil {
			return err
		}
		for _, o := range batch {
			k, ok := clocks[o.TownCode]
			if !ok {
				if k, err = s.clockFor(ctx, tx, o.TownCode); err != nil {
					return err
				}
				clocks[o.TownCode] = k
			}
			b := replayStages(k, *o, evs[o.ID])
			if err := b.save(ctx, tx, o.ID, ""); err != nil {
				return err
			}
		}
	}
}

// replayStages runs an order's history through the stage clocks, with the order's department,
// grid and deadline as each event left them.
func replayStages(k stageClock, o Order, evs []Event) *stageBook {
	b := &stageBook{}
	o.State, o.Department, o.Deadline, o.Suspended = string(workorder.Received), "", nil, false
	for _, e := range evs {
		if g, ok := e.Data["grid"].(string); ok {
			o.Grid = g
		}
		if e.Action == ActionReceive {
			continue
		}
		if d, ok := e.Data["department"].(string); ok && e.Action == string(workorder.ActDispatch) {
			o.Department = d
			o.CoDepartments = nil
			if co, ok := e.Data["co_departments"].([]any); ok {
				for _, c := range co {
					if s, ok := c.(string); ok {
						o.CoDepartments = append(o.CoDepartments, s)
					}
				}
			}
		}
		if t, ok := dataTime(e.Data["deadline_at"]); ok {
			o.Deadline = &t
		}
		switch act := workorder.Action(e.Action); act {
		case workorder.ActSuspend:
			b.pause(k, &o, e.At)
		case workorder.ActResume:
			b.resume(k, e.At)
		case workorder.ActApproveExtension:
			if o.Deadline != nil {
				b.extend(*o.Deadline)
			}
		case workorder.ActEscalate:
			b.escalate(k, &o, e.At)
		default:
			if t, ok := workorder.Lookup(act); ok && len(t.Stages.End)+len(t.Stages.Start) > 0 {
				dept, _ := e.Data["co_department"].(string)
				b.move(k, &o, act, t.Stages, dept, e.At)
			}
		}
		if e.To != "" {
			o.State = e.To
		}
	}
	return b
}

// dataTime reads a time an event's data holds (JSON: RFC 3339 text).
func dataTime(v any) (time.Time, bool) {
	str, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, str)
	return t, err == nil
}
