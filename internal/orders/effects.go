package orders

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// The lifecycle's effects (workorder.Effect), each implemented once. Which action takes which
// effects, and in which order, is workorder's table; apply (act.go) runs them.

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

	stages  *stageBook // the order's stage rows: as act read them, or once an effect read them (onStages)
	clock   stageClock
	clocked bool // clock is read
}

// effects implements each workorder.Effect once; a test makes sure none is missing.
var effects = map[workorder.Effect]func(context.Context, *change) error{
	workorder.EffSetPlace:           setPlace,
	workorder.EffStartClock:         startClock,
	workorder.EffStampFiled:         func(_ context.Context, c *change) error { c.o.FiledAt = &c.now; return nil },
	workorder.EffSetDepartments:     setDepartments,
	workorder.EffClearDepartments:   clearDepartments,
	workorder.EffCountReturn:        func(_ context.Context, c *change) error { c.o.ReturnedCount++; return nil },
	workorder.EffRequestExtension:   requestExtension,
	workorder.EffGrantExtension:     grantExtension,
	workorder.EffDropExtension:      dropExtension,
	workorder.EffSetResult:          func(_ context.Context, c *change) error { c.o.Result = c.ev.Result; return nil },
	workorder.EffStampClosed:        func(_ context.Context, c *change) error { c.o.ClosedAt = &c.now; return nil },
	workorder.EffCountRework:        func(_ context.Context, c *change) error { c.o.ReworkCount++; return nil },
	workorder.EffSetSatisfaction:    setSatisfaction,
	workorder.EffSetCallbackOutcome: setCallbackOutcome,
	workorder.EffRestartClock:       restartClock,
	workorder.EffCountReopen:        func(_ context.Context, c *change) error { c.o.ReopenCount++; return nil },
	workorder.EffClearRating:        clearRating,
	workorder.EffStopClock:          stopClock,
	workorder.EffResumeClock:        resumeClock,
	workorder.EffEscalate:           escalate,
	workorder.EffMarkDuplicate:      markDuplicate,
	workorder.EffMarkSelfHandled:    markSelfHandled,
	workorder.EffStageClocks:        stageClocks,
}

func setPlace(ctx context.Context, c *change) error {
	o := c.o
	category, grid := strings.TrimSpace(c.in.Category), strings.TrimSpace(c.in.Grid)
	var cats, grids int
	err := c.tx.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM categories WHERE town_code = ? AND code = ? AND retired = 0),
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
	if category != o.Category {
		// The order records the tree its category was chosen from; a grid-only change keeps it.
		if err := recordCategoryVersion(ctx, c.tx, o); err != nil {
			return err
		}
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

func grantExtension(ctx context.Context, c *change) error {
	if c.o.ExtensionDeadline != nil {
		c.s.setDeadline(c.o, *c.o.ExtensionDeadline, c.ev)
		// The handling stage's clock moves with the order's deadline.
		due := *c.o.ExtensionDeadline
		if err := c.onStages(ctx, func(_ stageClock, b *stageBook) error { b.extend(due); return nil }); err != nil {
			return err
		}
	}
	c.o.ExtensionPending, c.o.ExtensionDeadline = false, nil
	return nil
}

func dropExtension(_ context.Context, c *change) error {
	c.ev.Data["refused_deadline"] = c.o.ExtensionDeadline
	c.o.ExtensionPending, c.o.ExtensionDeadline = false, nil
	return nil
}

func setCallbackOutcome(_ context.Context, c *change) error {
	c.o.CallbackOutcome = c.d.CallbackOutcome
	c.ev.Data["callback_outcome"] = c.d.CallbackOutcome
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
	c.o.Satisfaction, c.o.CallbackOutcome, c.o.ClosedAt = "", "", nil
	return nil
}

func stopClock(ctx context.Context, c *change) error {
	if _, err := c.tx.Exec(ctx, `INSERT INTO order_suspensions (order_id, start_at) VALUES (?, ?)`, c.o.ID, c.now.UnixMilli()); err != nil {
		return err
	}
	c.o.Suspended, c.o.suspendedSince = true, c.now
	return c.onStages(ctx, func(k stageClock, b *stageBook) error { b.pause(k, c.o, c.now); return nil })
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
	return c.onStages(ctx, func(k stageClock, b *stageBook) error { b.resume(k, now); return nil })
}

// escalate raises the escalation level and marks the late stages, whose owners the notice
// (ToStageOwner) goes to: a handled order waiting for verification is the grid's delay.
func escalate(ctx context.Context, c *change) error {
	c.o.EscalationLevel++
	c.o.escalatedAt = c.now
	c.ev.Data["escalation_level"] = c.o.EscalationLevel
	return c.onStages(ctx, func(k stageClock, b *stageBook) error {
		c.o.escalateTo = b.escalate(k, c.o, c.now)
		var late []string
		for _, st := range c.o.escalateTo {
			if st.EscalatedAt != nil && st.EscalatedAt.Equal(c.now) {
				late = append(late, st.Stage)
			}
		}
		if len(late) > 0 {
			c.ev.Data["late_stages"] = late
		}
		return nil
	})
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
