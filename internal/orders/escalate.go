package orders

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// SystemActor is who takes automatic actions.
var SystemActor = ActorInfo{Actor: workorder.Actor{Role: workorder.RoleSystem}, Name: "系统"}

// EscalateOverdue is the body of the background job: it escalates (督办) every open order with a
// running, unsuspended stage past its due time that has not been escalated since (stage clocks,
// stages.go), so the notice goes to the owner of the late stage — an order handled on time and
// waiting for verification is the grid's, never the department's — and flags as warnings (预警)
// the orders that have used the town's warning fraction of their time. It returns how many
// orders it escalated.
//
// Several servers may run it at once: each escalation goes through Act with the version the
// candidate was read at, so only one of them wins an order and the others see a conflict and
// skip it.
func (s *Store) EscalateOverdue(ctx context.Context, now time.Time) (int, error) {
	cands, err := s.lateStages(ctx, now)
	if err != nil {
		return 0, err
	}
	escalated := 0
	for _, c := range cands {
		if err := ctx.Err(); err != nil {
			return escalated, err
		}
		note := fmt.Sprintf("超期自动督办：%s期限 %s 已过", workorder.Stage(c.stage).LabelZH(),
			time.UnixMilli(c.due).In(workcal.Location()).Format("2006-01-02 15:04"))
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			_, err := s.act(ctx, tx, []string{c.town}, c.id, SystemActor, workorder.ActEscalate, c.version, workorder.Input{Note: note}, now)
			return err
		})
		switch {
		case err == nil:
			escalated++
		case errors.Is(err, problem.ErrConflict), errors.Is(err, workorder.ErrWrongState):
			// Someone (another server's escalator, a handler) changed it first; the next run
			// looks again if it is still overdue.
		default:
			return escalated, fmt.Errorf("escalate order %d: %w", c.id, err)
		}
	}
	if _, err := s.remindLateCallbacks(ctx, now); err != nil {
		return escalated, err
	}
	if _, err := s.flagWarnings(ctx, now); err != nil {
		return escalated, err
	}
	return escalated, nil
}

// remindLateCallbacks tells the operations centre (the callback stage's owner: the town's
// dispatchers, and its leaders) of every closed order whose callback (回访) is past its due time,
// once per due time. A closed order has no escalate transition — its handling is over and must
// not be reopened by a clock — so the reminder is a notice, and the stage row's escalated_at
// records it; the stage stays late in the KPIs whatever happens next. Two servers running the
// job at once race on the conditional UPDATE, and only the one that wins it sends the notices.
func (s *Store) remindLateCallbacks(ctx context.Context, now time.Time) (int, error) {
	type cand struct {
		id, due int64
		seq     int
		town    string
		number  string
	}
	rows, err := s.DB.Query(ctx, `SELECT o.id, st.due_at, st.seq, o.town_code, o.number FROM order_stages st
		JOIN orders o ON o.id = st.order_id
		WHERE st.stage = ? AND st.finished_at IS NULL AND st.due_at < ? AND st.paused_since IS NULL
		AND (st.escalated_at IS NULL OR st.escalated_at < st.due_at) AND o.state = ?
		ORDER BY st.due_at, o.id`, string(workorder.StageCallback), now.UnixMilli(), string(workorder.Closed))
	if err != nil {
		return 0, fmt.Errorf("late callbacks: %w", err)
	}
	cands, err := scanAll(rows, func(c *cand) []any { return []any{&c.id, &c.due, &c.seq, &c.town, &c.number} })
	if err != nil {
		return 0, err
	}
	reminded := 0
	for _, c := range cands {
		text := fmt.Sprintf("回访超期：工单 %s 已结案，回访期限 %s 已过，请尽快回访并记录评价", c.number,
			time.UnixMilli(c.due).In(workcal.Location()).Format("2006-01-02 15:04"))
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			res, err := tx.Exec(ctx, `UPDATE order_stages SET escalated_at = ? WHERE order_id = ? AND seq = ?
				AND finished_at IS NULL AND (escalated_at IS NULL OR escalated_at < due_at)`, now.UnixMilli(), c.id, c.seq)
			if err != nil {
				return fmt.Errorf("mark late callback of order %d: %w", c.id, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil // another server reminded first, or the rating came in meanwhile
			}
			for _, role := range []string{workorder.RoleDispatcher, workorder.RoleLeader} {
				if _, err := s.NotifyRole(ctx, tx, c.town, role, c.id, KindCallbackLate, text); err != nil {
					return err
				}
			}
			reminded++
			return nil
		})
		if err != nil {
			return reminded, err
		}
	}
	return reminded, nil
}

type lateCand struct {
	id      int64
	town    string
	version int
	due     int64
	stage   string
}

// lateStages lists the orders to escalate, the earliest due first, one entry per order: those
// with a stage row late and not escalated since its due time, and those received and never
// touched (no row yet) whose filing time, counted from receipt, has run out.
func (s *Store) lateStages(ctx context.Context, now time.Time) ([]lateCand, error) {
	rows, err := s.DB.Query(ctx, `SELECT o.id, o.town_code, o.version, st.due_at, st.stage FROM order_stages st
		JOIN orders o ON o.id = st.order_id
		WHERE st.finished_at IS NULL AND st.due_at < ? AND st.paused_since IS NULL
		AND (st.escalated_at IS NULL OR st.escalated_at < st.due_at)
		AND o.state IN (`+openStates+`) AND o.suspended = 0 ORDER BY st.due_at, o.id`, now.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("late stages: %w", err)
	}
	staged, err := scanAll(rows, func(c *lateCand) []any { return []any{&c.id, &c.town, &c.version, &c.due, &c.stage} })
	if err != nil {
		return nil, err
	}
	// A working day is at least 24 hours, so an order received less than a day ago cannot be
	// late for filing; the rest are checked against the calendar.
	rows, err = s.DB.Query(ctx, `SELECT o.id, o.town_code, o.version, o.received_at FROM orders o
		WHERE o.state = ? AND o.suspended = 0 AND o.escalated_at IS NULL AND o.received_at < ?
		AND NOT EXISTS (SELECT 1 FROM order_stages st WHERE st.order_id = o.id) ORDER BY o.received_at, o.id`,
		string(workorder.Received), now.Add(-24*time.Hour).UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("unfiled orders: %w", err)
	}
	unfiled, err := scanAll(rows, func(c *lateCand) []any { return []any{&c.id, &c.town, &c.version, &c.due} })
	if err != nil {
		return nil, err
	}
	clocks := map[string]stageClock{}
	for _, c := range unfiled {
		k, ok := clocks[c.town]
		if !ok {
			if k, err = s.clockFor(ctx, s.DB, c.town); err != nil {
				return nil, err
			}
			clocks[c.town] = k
		}
		due := k.after(store.FromMillis(c.due), k.days(workorder.StageFiling))
		if due.Before(now) {
			c.due, c.stage = due.UnixMilli(), string(workorder.StageFiling)
			staged = append(staged, c)
		}
	}
	seen := map[int64]bool{}
	out := staged[:0]
	for _, c := range staged {
		if !seen[c.id] {
			seen[c.id] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// flagWarnings sets warning_at on running orders that have used their town's warning fraction of
// the allowed working time. It does not bump the version: a warning is an observation, not a
// transition, and must not make an open screen stale.
func (s *Store) flagWarnings(ctx context.Context, now time.Time) (int, error) {
	type cand struct {
		id                         int64
		town                       string
		received, deadline, paused int64
	}
	rows, err := s.DB.Query(ctx, `SELECT id, town_code, received_at, deadline_at, suspended_total_ms FROM orders
		WHERE deadline_at >= ? AND state IN (`+openStates+`) AND suspended = 0 AND warning_at IS NULL`, now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("warning candidates: %w", err)
	}
	cands, err := scanAll(rows, func(c *cand) []any { return []any{&c.id, &c.town, &c.received, &c.deadline, &c.paused} })
	if err != nil {
		return 0, err
	}
	fractions := map[string]float64{}
	var due []any
	for _, c := range cands {
		f, ok := fractions[c.town]
		if !ok {
			ts, err := settings(ctx, s.DB, c.town)
			if err != nil {
				return 0, err
			}
			f, fractions[c.town] = ts.warning, ts.warning
		}
		var ivs []workcal.Interval
		if c.paused > 0 {
			if ivs, err = suspensions(ctx, s.DB, c.id); err != nil {
				return 0, err
			}
		}
		if s.Cal.Fraction(time.UnixMilli(c.received), time.UnixMilli(c.deadline), now, ivs) >= f {
			due = append(due, c.id)
		}
	}
	flagged := 0
	for len(due) > 0 {
		batch := due[:min(len(due), 500)]
		due = due[len(batch):]
		// RETURNING the towns of the orders flagged, so that each town's open screens are told once.
		rows, err := s.DB.Query(ctx, `UPDATE orders SET warning_at = ? WHERE warning_at IS NULL AND id IN (`+store.Placeholders(len(batch))+`)
			RETURNING town_code`, append([]any{now.UnixMilli()}, batch...)...)
		if err != nil {
			return flagged, fmt.Errorf("flag warnings: %w", err)
		}
		towns := map[string]int{}
		for rows.Next() {
			var town string
			if err := rows.Scan(&town); err != nil {
				rows.Close()
				return flagged, err
			}
			towns[town]++
			flagged++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return flagged, fmt.Errorf("flag warnings: %w", err)
		}
		for town, n := range towns {
			s.AnnounceMany(ctx, town, n, ManyWarnings)
		}
	}
	return flagged, nil
}

// RunEscalator runs EscalateOverdue now and then every interval until ctx is done.
func (s *Store) RunEscalator(ctx context.Context, every time.Duration, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		start := time.Now()
		n, err := s.EscalateOverdue(ctx, s.now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("escalate overdue orders", "err", err)
		case n > 0:
			log.Info("overdue orders escalated", "count", n, "ms", time.Since(start).Milliseconds())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// scanAll reads every row of rows into a T through the scan targets fields gives for it, and
// closes rows.
func scanAll[T any](rows *sql.Rows, fields func(*T) []any) ([]T, error) {
	var out []T
	for rows.Next() {
		var x T
		if err := rows.Scan(fields(&x)...); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, x)
	}
	rows.Close()
	return out, rows.Err()
}
