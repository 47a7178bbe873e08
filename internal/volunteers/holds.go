package volunteers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/capacity"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// tell sends the notices of what a transition did beyond its own claim: a volunteer promoted
// from the waiting list is offered the place until the hold runs out (or, in a pool made before
// holds, confirmed at once); one whose hold ran out hears the place passed on. It runs in the
// transition's transaction.
func (s *Service) tell(ctx context.Context, q store.Querier, ch capacity.Change) error {
	for _, c := range ch.Promoted {
		title, start, role, err := s.claimActivity(ctx, q, c.PoolID)
		if err != nil {
			return err
		}
		msg := fmt.Sprintf("您已从候补转为正式报名：活动「%s」（%s，%s）", title, local(start).Format("1月2日 15:04"), role)
		kind := "volunteer_promoted"
		if c.State == capacity.StateHeld {
			kind = "volunteer_offer"
			msg = fmt.Sprintf("候补有空位：活动「%s」（%s，%s）为您保留名额，请在 %s 前到活动页面确认，逾期将转给下一位。", title, local(start).Format("1月2日 15:04"), role,
				local(c.HoldUntil).Format("1月2日 15:04"))
		}
		if err := s.notifyVolunteer(ctx, q, volunteerOfRef(c.HolderRef), kind, msg); err != nil {
			return err
		}
	}
	for _, c := range ch.Expired {
		title, start, _, err := s.claimActivity(ctx, q, c.PoolID)
		if err != nil {
			return err
		}
		if err := s.notifyVolunteer(ctx, q, volunteerOfRef(c.HolderRef), "volunteer_offer_expired",
			fmt.Sprintf("活动「%s」（%s）为您保留的名额未在期限内确认，已转给下一位候补。", title, local(start).Format("1月2日 15:04"))); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) claimActivity(ctx context.Context, q store.Querier, poolID int64) (title string, start time.Time, role string, err error) {
	var ms int64
	err = q.QueryRow(ctx, `SELECT a.title, a.starts_at, r.name FROM vol_roles r JOIN vol_activities a ON a.id = r.activity_id WHERE r.pool_id = ?`, poolID).Scan(&title, &ms, &role)
	return title, store.FromMillis(ms), role, err
}

// ConfirmSignUp takes up the place a volunteer was offered from the waiting list, before the hold
// runs out (after, the place has passed on: a conflict).
func (s *Service) ConfirmSignUp(ctx context.Context, towns []string, activityID int64, v Volunteer, by audit.Actor) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		a, err := s.activity(ctx, tx, towns, activityID)
		if err != nil {
			return err
		}
		c, _, err := liveClaimOn(ctx, tx, a, v.ID)
		if err != nil {
			return err
		}
		if c.ID == 0 || c.State != capacity.StateHeld {
			return problem.NotFound("place offered to %s for activity %d", v.Number, activityID)
		}
		_, ch, err := s.engine().Confirm(ctx, tx, c.ID)
		if errors.Is(err, capacity.ErrHoldExpired) {
			return problem.Conflict("the offer ran out and passed to the next on the waiting list")
		}
		if err != nil {
			return err
		}
		if err := s.tell(ctx, tx, ch); err != nil {
			return err
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "vol_activity", EntityID: fmt.Sprint(a.ID), TownCode: a.TownCode,
			Detail: fmt.Sprintf("sign-up of %s confirmed from the waiting list", v.Number)})
	})
}

// SweepHolds passes on every sign-up hold that ran out, telling the volunteers, one transaction
// per role (the reminders' ticker runs it; every sign-up transition sweeps its own role too).
func (s *Service) SweepHolds(ctx context.Context) (int, error) {
	return s.engine().SweepKind(ctx, s.DB, PoolKind, func(tx *store.Tx, _ int64, ch capacity.Change) error {
		return s.tell(ctx, tx, ch)
	})
}
