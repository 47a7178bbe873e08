package services

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// systemUser is who the escalation's timeline event is by.
var systemUser = auth.User{DisplayName: "系统", Role: workorder.RoleSystem}

// EventEscalate is the timeline event of an escalation.
const EventEscalate = "escalate"

// KindOverdue is the notice kind of a request escalated past its deadline.
const KindOverdue = "service_overdue"

// escalateBatch bounds the requests one EscalateOverdue run reads; the next run takes the rest.
const escalateBatch = 500

// EscalateOverdue tells the provider department and the town's dispatchers of every open request
// (received or accepted) past its deadline, once per deadline, as work orders are escalated
// (orders.EscalateOverdue). A request has no escalate transition — its state stays with the
// provider — so the escalation is a notice, an event on its timeline, and escalated_at as the
// marker, all in one transaction; two servers running the job at once race on the conditional
// UPDATE of the marker and only the one that wins it sends the notices. It returns how many
// requests it escalated.
func (s *Service) EscalateOverdue(ctx context.Context, now time.Time) (int, error) {
	type cand struct {
		id, due      int64
		town, dept   string
		number, item string
		requestedBy  int64
	}
	rows, err := s.DB.Query(ctx, `SELECT r.id, r.due_at, r.town_code, r.department, COALESCE(r.number, ''), i.name, r.requested_by
		FROM service_requests r JOIN service_items i ON i.id = r.item_id
		WHERE r.state IN (?, ?) AND r.due_at < ? AND (r.escalated_at IS NULL OR r.escalated_at < r.due_at)
		ORDER BY r.due_at, r.id LIMIT ?`, string(Received), string(Accepted), store.Millis(now), escalateBatch)
	if err != nil {
		return 0, fmt.Errorf("overdue service requests: %w", err)
	}
	var cands []cand
	for rows.Next() {
		var c cand
		if err := rows.Scan(&c.id, &c.due, &c.town, &c.dept, &c.number, &c.item, &c.requestedBy); err != nil {
			rows.Close()
			return 0, err
		}
		cands = append(cands, c)
	}
	if err := closeRows(rows); err != nil {
		return 0, err
	}
	escalated := 0
	for _, c := range cands {
		if err := ctx.Err(); err != nil {
			return escalated, err
		}
		due := store.FromMillis(c.due).In(loc).Format("2006-01-02 15:04")
		text := fmt.Sprintf("服务申请超期：%s（%s）办理期限 %s 已过，请尽快办理", c.number, c.item, due)
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			var state State
			err := tx.QueryRow(ctx, `UPDATE service_requests SET escalated_at = ? WHERE id = ? AND state IN (?, ?) AND due_at < ?
				AND (escalated_at IS NULL OR escalated_at < due_at) RETURNING state`, store.Millis(now), c.id, string(Received), string(Accepted),
				store.Millis(now)).Scan(&state)
			if errors.Is(err, sql.ErrNoRows) {
				return nil // another server escalated it first, or the provider acted meanwhile
			}
			if err != nil {
				return fmt.Errorf("mark overdue service request %d: %w", c.id, err)
			}
			r := Request{ID: c.id, TownCode: c.town, Department: c.dept, RequestedBy: c.requestedBy}
			for _, to := range []Audience{ToProvider, ToDispatchers} {
				if err := s.notify(ctx, tx, to, r, 0, KindOverdue, text); err != nil {
					return err
				}
			}
			if err := s.event(ctx, tx, c.id, EventEscalate, state, state, systemUser, "超期自动督办：办理期限 "+due+" 已过", now); err != nil {
				return err
			}
			escalated++
			return nil
		})
		if err != nil {
			return escalated, err
		}
	}
	return escalated, nil
}

// RunEscalator runs EscalateOverdue now and then every interval until ctx is done.
func (s *Service) RunEscalator(ctx context.Context, every time.Duration, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := s.EscalateOverdue(ctx, s.now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("escalate overdue service requests", "err", err)
		case n > 0:
			log.Info("overdue service requests escalated", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
