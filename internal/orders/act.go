package orders

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/kpi/daily"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Act applies one lifecycle action to an order of the given towns, in one transaction: it loads
// the order, checks that the caller saw the current version (else problem.ErrConflict), lets
// workorder.Decide rule on state, role and input, checks the codes the input names against the
// town, writes the order guarded by its version, appends the event and notifies whoever must act
// next. It returns the updated order with its history.
//
// Errors: problem.ErrNotFound (no such order in towns), problem.ErrConflict (stale version or a
// concurrent change won), and workorder's ErrUnknownAction, ErrWrongState, ErrForbidden and
// ErrInvalidInput, kept wrapped for errors.Is. Every input problem, including codes unknown in the
// town, is a *workorder.FieldError naming the field.
func (s *Store) Act(ctx context.Context, towns []string, id int64, a ActorInfo, action workorder.Action, version int, in workorder.Input) (Order, error) {
	var out Order
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.act(ctx, tx, towns, id, a, action, version, in, s.now())
		return err
	})
	if err != nil {
		return Order{}, err
	}
	s.tellResident(ctx, out, action, a)
	s.announce(ctx, out, string(action))
	return out, nil
}

func (s *Store) act(ctx context.Context, tx *store.Tx, towns []string, id int64, a ActorInfo, action workorder.Action,
	version int, in workorder.Input, now time.Time) (Order, error) {
	now = now.Truncate(time.Millisecond)
	// A merge locks both orders first, in id order (PostgreSQL). With the KPI upkeep on, the
	// order's row is locked (PostgreSQL) by the statement that loads it, before anything else of
	// it is read, so that what its KPI figures count before the action is what the action
	// changes: an exemption recorded meanwhile (which locks the row too, but does not change it)
	// waits, or is seen by the read of the stage rows below.
	if action == workorder.ActMerge {
		if err := lockOrders(ctx, tx, id, in.DuplicateOf); err != nil {
			return Order{}, err
		}
	}
	o, err := s.loadForChange(ctx, tx, towns, id)
	if err != nil {
		return Order{}, err
	}
	if o.Version != version {
		return Order{}, problem.Conflict("order %s was changed meanwhile (now version %d, you saw %d); reload it and try again",
			o.Number, o.Version, version)
	}
	d, err := workorder.Decide(o.wo(), a.Actor, action, in)
	if err == nil {
		// After Decide, so that state and permission are answered first, as Decide answers them.
		err = checkActionInput(in)
	}
	if err != nil {
		return Order{}, fmt.Errorf("order %s: %w", o.Number, err)
	}
	t, _ := workorder.Lookup(action)
	uses := fieldsOf(t)
	ev := Event{Seq: o.Version + 1, At: now, ActorID: a.UserID, Actor: a.Name, Role: a.Role, Action: string(action),
		From: o.State, To: string(d.To), Data: map[string]any{}}
	if uses[workorder.FieldReason] {
		ev.Reason = strings.TrimSpace(in.Reason)
	}
	if uses[workorder.FieldNote] {
		ev.Note = strings.TrimSpace(in.Note)
	}
	if uses[workorder.FieldResult] {
		ev.Result = strings.TrimSpace(in.Result)
	}
	if uses[workorder.FieldComment] {
		ev.Comment = strings.TrimSpace(in.Comment)
	}
	if uses[workorder.FieldPhotos] && len(in.Photos) > 0 {
		if err := checkPhotos(ctx, tx, o.TownCode, in.Photos); err != nil {
			return Order{}, fmt.Errorf("order %s: %s: %w", o.Number, action, err)
		}
		ev.Photos = in.Photos
	}
	if t.CoHandler {
		// Which co-handling department answered: its clock stops (and the history says who).
		ev.Data["co_department"] = a.Department
	}
	// The stage rows, read once: the state before the action that the KPI upkeep takes (with the
	// exemption, in the same statement), the book the effects change and the answer's stages.
	book, exempt, err := loadStageBookKPI(ctx, tx, o.ID, kpiUpkeep)
	if err != nil {
		return Order{}, err
	}
	kpiWas := kpiBefore(&o, book, exempt)
	lead, co := o.Department, slices.Clone(o.CoDepartments)
	if err := s.apply(ctx, tx, &o, d, in, &ev, now, book); err != nil {
		return Order{}, fmt.Errorf("order %s: %s: %w", o.Number, action, err)
	}

	o.State = string(d.To)
	o.Version = d.Version + 1
	o.UpdatedAt = now
	// The transition's effect on the KPI figures kept per day, in its transaction: on PostgreSQL
	// its kpi_daily rows are upserted by the statement that updates the order (daily.With), the
	// histogram's rows, if any, after it (daily.Apply below).
	kpi := s.kpiActed(kpiWas, exempt, &o, book)
	with, args := daily.With(tx, &kpi)
	res, err := tx.Exec(ctx, with+`UPDATE orders SET state = ?, version = ?, grid_code = ?, category_code = ?, deadline_class = ?,
		department_code = ?, co_departments = ?, filed_at = ?, deadline_at = ?, closed_at = ?, updated_at = ?,
		suspended = ?, suspended_since = ?, suspended_total_ms = ?, extension_pending = ?, extension_deadline = ?,
		satisfaction = ?, returned_count = ?, rework_count = ?, reopen_count = ?, escalated_at = ?, escalation_level = ?,
		warning_at = ?, duplicate_of = ?, result = ?, callback_outcome = ?
		WHERE id = ? AND version = ?`, append(args,
		o.State, o.Version, store.NullIfEmpty(o.Grid), o.Category, o.DeadlineClass,
		store.NullIfEmpty(o.Department), strings.Join(o.CoDepartments, ","), ms(o.FiledAt), ms(o.Deadline), ms(o.ClosedAt), now.UnixMilli(),
		store.Bool(o.Suspended), msZero(o.suspendedSince), o.suspendedTotal, store.Bool(o.ExtensionPending), ms(o.ExtensionDeadline),
		o.Satisfaction, o.ReturnedCount, o.ReworkCount, o.ReopenCount, msZero(o.escalatedAt), o.EscalationLevel,
		msZero(o.warningAt), store.NullIfZero(o.DuplicateOf), o.Result, o.CallbackOutcome,
		o.ID, d.Version)...)
	if err != nil {
		return Order{}, fmt.Errorf("update order %s: %w", o.Number, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return Order{}, err
	} else if n == 0 {
		return Order{}, problem.Conflict("order %s was changed by someone else just now; reload it and try again", o.Number)
	}
	if departmentsChanged(lead, co, &o) {
		if err := syncDepartments(ctx, tx, &o); err != nil {
			return Order{}, err
		}
	}
	if len(ev.Data) == 0 {
		ev.Data = nil
	}
	if err := appendEvent(ctx, tx, o.ID, ev); err != nil {
		return Order{}, err
	}
	if err := s.notifyFor(ctx, tx, o, d, ev, a.UserID); err != nil {
		return Order{}, err
	}
	if o.Events, err = events(ctx, tx, o.ID); err != nil {
		return Order{}, err
	}
	// The stage rows as the effects wrote them: the book holds every row of the order (no other
	// statement of the action writes order_stages), so it is not read again.
	if o.Stages, err = s.stagesFrom(ctx, tx, book, &o, now); err != nil {
		return Order{}, err
	}
	if err := daily.Apply(ctx, tx, kpi); err != nil {
		return Order{}, err
	}
	o.flags(now)
	return o, nil
}

// apply changes o as the decision says, one effect of the table row after the other, after
// checking that what the input names exists in the order's town. ev collects what the history
// records beyond the columns.
func (s *Store) apply(ctx context.Context, tx *store.Tx, o *Order, d workorder.Decision, in workorder.Input, ev *Event, now time.Time, book *stageBook) error {
	c := &change{s: s, tx: tx, o: o, d: d, in: in, ev: ev, now: now, stages: book}
	for _, e := range d.Effects {
		do, ok := effects[e]
		if !ok {
			return fmt.Errorf("effect %s has no implementation", e)
		}
		if err := do(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// lockOrders locks the rows of an action that involves two orders (a merge reads its target's
// state and writes its own), always in ascending id order, so that two transactions taking the
// same pair from either end queue instead of deadlocking, and each reads the other's committed
// state after the wait. Without it, on PostgreSQL (READ COMMITTED) merging A into B and B into A
// at the same moment both passed the "target is not merged" check and both orders ended merged.
// SQLite needs nothing: its write transactions begin IMMEDIATE and so run one at a time.
func lockOrders(ctx context.Context, tx *store.Tx, ids ...int64) error {
	if tx.Dialect() != store.Postgres {
		return nil
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	for i, id := range sorted {
		if id <= 0 || (i > 0 && id == sorted[i-1]) {
			continue // no such order, or named twice: Decide and apply report it
		}
		var got int64
		err := tx.QueryRow(ctx, `SELECT id FROM orders WHERE id = ? FOR UPDATE`, id).Scan(&got)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("lock order %d: %w", id, err)
		}
	}
	return nil
}

// setDeadline installs a new deadline; the warning, which was about the old one, goes.
func (s *Store) setDeadline(o *Order, deadline time.Time, ev *Event) {
	deadline = deadline.Truncate(time.Millisecond)
	o.Deadline = &deadline
	o.warningAt = time.Time{}
	ev.Data["deadline_at"] = deadline
}

// deadlineFrom computes the deadline of class (or of days, when days > 0) counted from start,
// leaving out the working time the order spent suspended.
func (s *Store) deadlineFrom(ctx context.Context, q store.Querier, o *Order, start time.Time, class string, days int) (time.Time, error) {
	if days <= 0 {
		ts, err := settings(ctx, q, o.TownCode)
		if err != nil {
			return time.Time{}, err
		}
		if days, err = workorder.ClassDays(class, ts.overrides); err != nil {
			return time.Time{}, &workorder.FieldError{Field: workorder.FieldDeadlineClass, Reason: err.Error()}
		}
	}
	var ivs []workcal.Interval
	if o.suspendedTotal > 0 {
		var err error
		if ivs, err = suspensions(ctx, q, o.ID); err != nil {
			return time.Time{}, err
		}
	}
	return s.Cal.Deadline(start, days, ivs), nil
}

func suspensions(ctx context.Context, q store.Querier, orderID int64) ([]workcal.Interval, error) {
	rows, err := q.Query(ctx, `SELECT start_at, end_at FROM order_suspensions WHERE order_id = ? ORDER BY start_at`, orderID)
	if err != nil {
		return nil, fmt.Errorf("suspensions of order %d: %w", orderID, err)
	}
	defer rows.Close()
	var out []workcal.Interval
	for rows.Next() {
		var start int64
		var end sql.NullInt64
		if err := rows.Scan(&start, &end); err != nil {
			return nil, err
		}
		out = append(out, workcal.Interval{Start: store.FromMillis(start), End: nullTime(end)})
	}
	return out, rows.Err()
}

// checkDepartments makes sure the lead and co-departments are departments of the town.
func checkDepartments(ctx context.Context, q store.Querier, town, lead string, co []string) error {
	all := append([]string{lead}, co...)
	args := []any{town}
	for _, c := range all {
		args = append(args, c)
	}
	rows, err := q.Query(ctx, `SELECT code FROM departments WHERE town_code = ? AND code IN (`+store.Placeholders(len(all))+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	found := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return err
		}
		found[c] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if !found[lead] {
		return &workorder.FieldError{Field: workorder.FieldDepartment, Reason: fmt.Sprintf("unknown department %q in this town", lead)}
	}
	for _, c := range co {
		if !found[c] {
			return &workorder.FieldError{Field: workorder.FieldCoDepartments, Reason: fmt.Sprintf("unknown department %q in this town", c)}
		}
	}
	return nil
}

// checkPhotos makes sure every photo was uploaded to the town before it is cited as evidence.
func checkPhotos(ctx context.Context, q store.Querier, town string, photos []string) error {
	args := []any{town}
	want := map[string]bool{}
	for _, p := range photos {
		if !want[p] {
			want[p] = true
			args = append(args, p)
		}
	}
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM uploads WHERE town_code = ? AND id IN (`+store.Placeholders(len(want))+`)`, args...).Scan(&n)
	if err != nil {
		return err
	}
	if n != len(want) {
		return &workorder.FieldError{Field: workorder.FieldPhotos, Reason: "names a photo that was not uploaded; upload it first"}
	}
	return nil
}

func fieldsOf(t workorder.Transition) map[string]bool {
	m := make(map[string]bool, len(t.Requires)+len(t.Optional))
	for _, f := range t.Requires {
		m[f] = true
	}
	for _, f := range t.Optional {
		m[f] = true
	}
	return m
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
