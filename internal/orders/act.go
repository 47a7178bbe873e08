package orders

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

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
	return out, nil
}

func (s *Store) act(ctx context.Context, tx *store.Tx, towns []string, id int64, a ActorInfo, action workorder.Action,
	version int, in workorder.Input, now time.Time) (Order, error) {
	now = now.Truncate(time.Millisecond)
	if action == workorder.ActMerge {
		if err := lockOrders(ctx, tx, id, in.DuplicateOf); err != nil {
			return Order{}, err
		}
	}
	o, err := s.load(ctx, tx, towns, id)
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
	if err := s.apply(ctx, tx, &o, d, in, &ev, now); err != nil {
		return Order{}, fmt.Errorf("order %s: %s: %w", o.Number, action, err)
	}

	o.State = string(d.To)
	o.Version = d.Version + 1
	o.UpdatedAt = now
	res, err := tx.Exec(ctx, `UPDATE orders SET state = ?, version = ?, grid_code = ?, category_code = ?, deadline_class = ?,
		department_code = ?, co_departments = ?, filed_at = ?, deadline_at = ?, closed_at = ?, updated_at = ?,
		suspended = ?, suspended_since = ?, suspended_total_ms = ?, extension_pending = ?, extension_deadline = ?,
		satisfaction = ?, returned_count = ?, rework_count = ?, reopen_count = ?, escalated_at = ?, escalation_level = ?,
		warning_at = ?, duplicate_of = ?, result = ?
		WHERE id = ? AND version = ?`,
		o.State, o.Version, store.NullIfEmpty(o.Grid), o.Category, o.DeadlineClass,
		store.NullIfEmpty(o.Department), strings.Join(o.CoDepartments, ","), ms(o.FiledAt), ms(o.Deadline), ms(o.ClosedAt), now.UnixMilli(),
		store.Bool(o.Suspended), msZero(o.suspendedSince), o.suspendedTotal, store.Bool(o.ExtensionPending), ms(o.ExtensionDeadline),
		o.Satisfaction, o.ReturnedCount, o.ReworkCount, o.ReopenCount, msZero(o.escalatedAt), o.EscalationLevel,
		msZero(o.warningAt), store.NullIfZero(o.DuplicateOf), o.Result,
		o.ID, d.Version)
	if err != nil {
		return Order{}, fmt.Errorf("update order %s: %w", o.Number, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return Order{}, err
	} else if n == 0 {
		return Order{}, problem.Conflict("order %s was changed by someone else just now; reload it and try again", o.Number)
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
	o.flags(now)
	return o, nil
}

// apply changes o as the decision says, one effect of the table row after the other, after
// checking that what the input names exists in the order's town. ev collects what the history
// records beyond the columns.
func (s *Store) apply(ctx context.Context, tx *store.Tx, o *Order, d workorder.Decision, in workorder.Input, ev *Event, now time.Time) error {
	c := &change{s: s, tx: tx, o: o, d: d, in: in, ev: ev, now: now}
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

// change is what an effect works on: the order being changed, the decision, the input and the
// event that will record it, inside the action's transaction.
type change struct {
	s   *Store
	tx  *store.Tx
	o   *Order
	d   workorder.Decision
	in  workorder.Input
	ev  *Event
	now time.Time

	placed        bool           // set_place ran and read categoryClass
	categoryClass sql.NullString // the deadline class of the order's category
}

// effects implements each workorder.Effect once; a test makes sure none is missing.
var effects = map[workorder.Effect]func(context.Context, *change) error{
	workorder.EffSetPlace:         setPlace,
	workorder.EffStartClock:       startClock,
	workorder.EffStampFiled:       func(_ context.Context, c *change) error { c.o.FiledAt = &c.now; return nil },
	workorder.EffSetDepartments:   setDepartments,
	workorder.EffClearDepartments: clearDepartments,
	workorder.EffCountReturn:      func(_ context.Context, c *change) error { c.o.ReturnedCount++; return nil },
	workorder.EffRequestExtension: requestExtension,
	workorder.EffGrantExtension:   grantExtension,
	workorder.EffDropExtension:    dropExtension,
	workorder.EffSetResult:        func(_ context.Context, c *change) error { c.o.Result = c.ev.Result; return nil },
	workorder.EffStampClosed:      func(_ context.Context, c *change) error { c.o.ClosedAt = &c.now; return nil },
	workorder.EffCountRework:      func(_ context.Context, c *change) error { c.o.ReworkCount++; return nil },
	workorder.EffSetSatisfaction:  setSatisfaction,
	workorder.EffRestartClock:     restartClock,
	workorder.EffCountReopen:      func(_ context.Context, c *change) error { c.o.ReopenCount++; return nil },
	workorder.EffClearRating:      clearRating,
	workorder.EffStopClock:        stopClock,
	workorder.EffResumeClock:      resumeClock,
	workorder.EffEscalate:         escalate,
	workorder.EffMarkDuplicate:    markDuplicate,
	workorder.EffMarkSelfHandled:  markSelfHandled,
}

func setPlace(ctx context.Context, c *change) error {
	o := c.o
	category, grid := strings.TrimSpace(c.in.Category), strings.TrimSpace(c.in.Grid)
	var cats, grids int
	err := c.tx.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM categories WHERE town_code = ? AND code = ?),
		(SELECT MAX(deadline_class) FROM categories WHERE town_code = ? AND code = ?),
		(SELECT COUNT(*) FROM grids WHERE town_code = ? AND code = ?)`,
		o.TownCode, category, o.TownCode, category, o.TownCode, grid).Scan(&cats, &c.categoryClass, &grids)
	if err != nil {
		return err
	}
	if cats == 0 {
		return &workorder.FieldError{Field: workorder.FieldCategory, Reason: fmt.Sprintf("unknown category %q in this town", category)}
	}
	if grids == 0 {
		return &workorder.FieldError{Field: workorder.FieldGrid, Reason: fmt.Sprintf("unknown grid %q in this town", grid)}
	}
	o.Category, o.Grid = category, grid
	c.ev.Data["category"], c.ev.Data["grid"] = category, grid
	c.placed = true
	return nil
}

// startClock counts the deadline from receipt. The dispatcher's class wins; then the one the
// channel imposed; then the category's.
func startClock(ctx context.Context, c *change) error {
	o := c.o
	if !c.placed { // set_place read the category's class with the codes; else read it now
		err := c.tx.QueryRow(ctx, `SELECT MAX(deadline_class) FROM categories WHERE town_code = ? AND code = ?`,
			o.TownCode, o.Category).Scan(&c.categoryClass)
		if err != nil {
			return err
		}
	}
	class := firstOf(c.d.NewDeadlineClass, o.DeadlineClass, c.categoryClass.String, workorder.ClassGeneral)
	days := 0
	if c.d.NewDeadlineClass == "" && o.limitDays > 0 {
		days = o.limitDays
	}
	deadline, err := c.s.deadlineFrom(ctx, c.tx, o, o.ReceivedAt, class, days)
	if err != nil {
		return err
	}
	o.DeadlineClass = class
	c.ev.Data["deadline_class"] = class
	c.s.setDeadline(o, deadline, c.ev)
	return nil
}

func setDepartments(ctx context.Context, c *change) error {
	lead := strings.TrimSpace(c.in.Department)
	co := make([]string, 0, len(c.in.CoDepartments))
	for _, d := range c.in.CoDepartments {
		co = append(co, strings.TrimSpace(d))
	}
	if err := checkDepartments(ctx, c.tx, c.o.TownCode, lead, co); err != nil {
		return err
	}
	c.o.Department, c.o.CoDepartments = lead, co
	c.ev.Data["department"] = lead
	if len(co) > 0 {
		c.ev.Data["co_departments"] = co
	}
	return nil
}

func clearDepartments(_ context.Context, c *change) error {
	c.ev.Data["department"] = c.o.Department
	c.o.Department, c.o.CoDepartments = "", nil
	return nil
}

func requestExtension(_ context.Context, c *change) error {
	o, now := c.o, c.now
	want := c.d.NewDeadline.Truncate(time.Millisecond)
	if !want.After(now) || (o.Deadline != nil && !want.After(*o.Deadline)) {
		return &workorder.FieldError{Field: workorder.FieldDeadline, Reason: "must be later than the current deadline and than now"}
	}
	base := now
	if o.Deadline != nil && o.Deadline.After(now) {
		base = *o.Deadline
	}
	if limit := base.Add(MaxExtension); want.After(limit) {
		return &workorder.FieldError{Field: workorder.FieldDeadline, Reason: fmt.Sprintf(
			"may be at most %d days past the current deadline (until %s)", int(MaxExtension/(24*time.Hour)), fmtTime(&limit))}
	}
	o.ExtensionPending, o.ExtensionDeadline = true, &want
	c.ev.Data["deadline"] = want
	return nil
}

func grantExtension(_ context.Context, c *change) error {
	if c.o.ExtensionDeadline != nil {
		c.s.setDeadline(c.o, *c.o.ExtensionDeadline, c.ev)
	}
	c.o.ExtensionPending, c.o.ExtensionDeadline = false, nil
	return nil
}

func dropExtension(_ context.Context, c *change) error {
	c.ev.Data["refused_deadline"] = c.o.ExtensionDeadline
	c.o.ExtensionPending, c.o.ExtensionDeadline = false, nil
	return nil
}

func setSatisfaction(_ context.Context, c *change) error {
	c.o.Satisfaction = c.d.Satisfaction
	c.ev.Data["satisfaction"] = c.d.Satisfaction
	return nil
}

// restartClock gives a reopened order (重办) a fresh, short clock from now; the order's own class
// stays for the statistics.
func restartClock(ctx context.Context, c *change) error {
	deadline, err := c.s.deadlineFrom(ctx, c.tx, c.o, c.now, c.d.NewDeadlineClass, 0)
	if err != nil {
		return err
	}
	c.ev.Data["deadline_class"] = c.d.NewDeadlineClass
	c.s.setDeadline(c.o, deadline, c.ev)
	return nil
}

func clearRating(_ context.Context, c *change) error {
	c.ev.Data["satisfaction"] = c.o.Satisfaction
	c.o.Satisfaction, c.o.ClosedAt = "", nil
	return nil
}

func stopClock(ctx context.Context, c *change) error {
	if _, err := c.tx.Exec(ctx, `INSERT INTO order_suspensions (order_id, start_at) VALUES (?, ?)`, c.o.ID, c.now.UnixMilli()); err != nil {
		return err
	}
	c.o.Suspended, c.o.suspendedSince = true, c.now
	return nil
}

func resumeClock(ctx context.Context, c *change) error {
	o, now := c.o, c.now
	if _, err := c.tx.Exec(ctx, `UPDATE order_suspensions SET end_at = ? WHERE order_id = ? AND end_at IS NULL`, now.UnixMilli(), o.ID); err != nil {
		return err
	}
	since := o.suspendedSince
	if since.IsZero() || since.After(now) {
		since = now
	}
	// The clock stood still: the deadline moves by the working time the order was suspended.
	if o.Deadline != nil {
		paused := c.s.Cal.WorkingDuration(since, now)
		c.s.setDeadline(o, addWorking(c.s.Cal, *o.Deadline, paused), c.ev)
		c.ev.Data["suspended_working_ms"] = paused.Milliseconds()
	}
	o.suspendedTotal += now.Sub(since).Milliseconds()
	o.Suspended, o.suspendedSince = false, time.Time{}
	return nil
}

func escalate(_ context.Context, c *change) error {
	c.o.EscalationLevel++
	c.o.escalatedAt = c.now
	c.ev.Data["escalation_level"] = c.o.EscalationLevel
	return nil
}

func markDuplicate(ctx context.Context, c *change) error {
	o, target := c.o, c.d.DuplicateOf
	var state string
	var dup sql.NullInt64
	err := c.tx.QueryRow(ctx, `SELECT state, duplicate_of FROM orders WHERE id = ? AND town_code = ?`, target, o.TownCode).Scan(&state, &dup)
	if err == sql.ErrNoRows {
		return &workorder.FieldError{Field: workorder.FieldDuplicateOf, Reason: fmt.Sprintf("no order %d in this town", target)}
	}
	if err != nil {
		return err
	}
	if state == string(workorder.Merged) && dup.Int64 == o.ID {
		// The other dispatcher merged the target into this very order first (both were
		// locked, so this is the committed state): a stale screen, not a wrong input.
		return problem.Conflict("order %d was merged into this order meanwhile; reload it", target)
	}
	if state == string(workorder.Merged) {
		return &workorder.FieldError{Field: workorder.FieldDuplicateOf,
			Reason: fmt.Sprintf("order %d is itself merged into order %d; merge into that one", target, dup.Int64)}
	}
	o.DuplicateOf = target
	c.ev.Data["duplicate_of"] = target
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
