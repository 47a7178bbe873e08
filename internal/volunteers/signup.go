package volunteers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/capacity"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// holderRef is how a volunteer holds claims in the capacity engine.
func holderRef(volunteerID int64) string { return "volunteer:" + strconv.FormatInt(volunteerID, 10) }

func volunteerOfRef(ref string) int64 {
	id, _ := strconv.ParseInt(strings.TrimPrefix(ref, "volunteer:"), 10, 64)
	return id
}

// SignUp is a volunteer's claim on a role of an activity.
type SignUp struct {
	ClaimID    int64     `json:"claim_id"`
	ActivityID int64     `json:"activity_id"`
	Activity   string    `json:"activity"`
	Project    string    `json:"project"`
	Place      string    `json:"place"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	RoleID     int64     `json:"role_id"`
	Role       string    `json:"role"`
	State      string    `json:"state"`
	Position   int       `json:"position,omitempty"` // on the waiting list
	Status     string    `json:"activity_status"`
}

// roleOf reads a role, its activity and pool.
func (s *Service) roleOf(ctx context.Context, q store.Querier, towns []string, roleID int64) (Activity, Role, error) {
	var aid int64
	err := q.QueryRow(ctx, `SELECT activity_id FROM vol_roles WHERE id = ?`, roleID).Scan(&aid)
	if errors.Is(err, sql.ErrNoRows) {
		return Activity{}, Role{}, problem.NotFound("role %d", roleID)
	}
	if err != nil {
		return Activity{}, Role{}, err
	}
	a, err := s.activity(ctx, q, towns, aid)
	if err != nil {
		return Activity{}, Role{}, err
	}
	for _, r := range a.Roles {
		if r.ID == roleID {
			return a, r, nil
		}
	}
	return Activity{}, Role{}, problem.NotFound("role %d", roleID)
}

// liveClaimOn returns the volunteer's live claim on any role of activity a (0 when none).
func liveClaimOn(ctx context.Context, q store.Querier, a Activity, volunteerID int64) (capacity.Claim, Role, error) {
	for _, r := range a.Roles {
		var id int64
		err := q.QueryRow(ctx, `SELECT id FROM capacity_claims WHERE pool_id = ? AND holder_kind = ? AND holder_ref = ?
			AND state IN ('confirmed','waiting','held','checked_in','no_show') ORDER BY id DESC LIMIT 1`, r.PoolID, capacity.HolderUser, holderRef(volunteerID)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return capacity.Claim{}, Role{}, err
		}
		c, err := capacity.GetClaim(ctx, q, id)
		return c, r, err
	}
	return capacity.Claim{}, Role{}, nil
}

// SignUpFor claims a place in a role for an approved volunteer through the capacity engine:
// confirmed when a place is free, else on the waiting list. One role per activity per volunteer;
// sign-up until the activity ends (joining one under way), not once it was cancelled.
func (s *Service) SignUpFor(ctx context.Context, towns []string, roleID int64, v Volunteer, by audit.Actor) (SignUp, error) {
	if v.Status != StatusApproved {
		return SignUp{}, problem.Conflict("only approved volunteers sign up: the registration is %s", v.Status)
	}
	var out SignUp
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		a, r, err := s.roleOf(ctx, tx, towns, roleID)
		if err != nil {
			return err
		}
		if a.TownCode != v.TownCode {
			return problem.NotFound("role %d", roleID)
		}
		if a.Status != ActivityOpen {
			return problem.Conflict("the activity is cancelled")
		}
		if !s.now().Before(a.End) {
			return problem.Conflict("the activity has ended")
		}
		if c, other, err := liveClaimOn(ctx, tx, a, v.ID); err != nil {
			return err
		} else if c.ID != 0 {
			return problem.Conflict("signed up already, as %s", other.Name)
		}
		c, ch, err := s.engine().Claim(ctx, tx, capacity.ClaimRequest{PoolID: r.PoolID, HolderKind: capacity.HolderUser, HolderRef: holderRef(v.ID), Size: 1})
		if err != nil {
			return err
		}
		if err := s.tell(ctx, tx, ch); err != nil {
			return err
		}
		out = SignUp{ClaimID: c.ID, ActivityID: a.ID, Activity: a.Title, Project: a.ProjectName, Place: a.Place, Start: a.Start, End: a.End,
			RoleID: r.ID, Role: r.Name, State: c.State, Position: c.Position, Status: a.Status}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "vol_activity", EntityID: fmt.Sprint(a.ID), TownCode: a.TownCode,
			Detail: fmt.Sprintf("sign-up %s as %s: %s", v.Number, r.Name, c.State)})
	})
	return out, err
}

// CancelSignUp withdraws a volunteer's sign-up for an activity; the freed place goes to the
// first on the waiting list in the same transaction (the engine), who is told.
func (s *Service) CancelSignUp(ctx context.Context, towns []string, activityID int64, v Volunteer, by audit.Actor) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		a, err := s.activity(ctx, tx, towns, activityID)
		if err != nil {
			return err
		}
		c, _, err := liveClaimOn(ctx, tx, a, v.ID)
		if err != nil {
			return err
		}
		if c.ID == 0 {
			return problem.NotFound("sign-up of %s for activity %d", v.Number, activityID)
		}
		_, ch, err := s.engine().Cancel(ctx, tx, c.ID, capacity.Canceller{UserID: v.UserID})
		if err != nil {
			return err
		}
		if err := s.tell(ctx, tx, ch); err != nil {
			return err
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "vol_activity", EntityID: fmt.Sprint(a.ID), TownCode: a.TownCode,
			Detail: fmt.Sprintf("sign-up of %s cancelled (%d promoted)", v.Number, len(ch.Promoted))})
	})
}

// SignUps lists a volunteer's sign-ups (live and past), newest activity first.
func (s *Service) SignUps(ctx context.Context, v Volunteer) ([]SignUp, error) {
	claims, err := capacity.HolderClaims(ctx, s.DB, capacity.HolderUser, holderRef(v.ID), MaxListRows)
	if err != nil {
		return nil, err
	}
	out := []SignUp{}
	for _, c := range claims {
		var su SignUp
		var start, end int64
		err := s.DB.QueryRow(ctx, `SELECT a.id, a.title, p.name, a.place, a.starts_at, a.ends_at, r.id, r.name, a.status
			FROM vol_roles r JOIN vol_activities a ON a.id = r.activity_id JOIN vol_projects p ON p.id = a.project_id WHERE r.pool_id = ?`, c.PoolID).
			Scan(&su.ActivityID, &su.Activity, &su.Project, &su.Place, &start, &end, &su.RoleID, &su.Role, &su.Status)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		su.Start, su.End, su.ClaimID, su.State = store.FromMillis(start), store.FromMillis(end), c.ID, c.State
		if c.State == capacity.StateWaiting {
			if full, err := capacity.GetClaim(ctx, s.DB, c.ID); err == nil {
				su.Position = full.Position
			}
		}
		out = append(out, su)
	}
	return out, nil
}

// RosterEntry is one line of an activity's roster: a sign-up or a walk-in, with attendance.
type RosterEntry struct {
	VolunteerID int64       `json:"volunteer_id"`
	Number      string      `json:"number"`
	Name        string      `json:"name"`
	Phone       string      `json:"phone"`
	Role        string      `json:"role"`
	State       string      `json:"state"` // the claim's state, "walk_in" without a claim
	Position    int         `json:"position,omitempty"`
	Attendance  *Attendance `json:"attendance,omitempty"`
}

// Roster lists the sign-ups of an activity in each role's order (confirmed first, then the
// waiting list in its order) and the walk-ins, each with attendance.
func (s *Service) Roster(ctx context.Context, towns []string, activityID int64) ([]RosterEntry, error) {
	a, err := s.Activity(ctx, towns, activityID)
	if err != nil {
		return nil, err
	}
	att, err := s.Attendances(ctx, towns, activityID)
	if err != nil {
		return nil, err
	}
	byVol := map[int64]*Attendance{}
	for i := range att {
		byVol[att[i].VolunteerID] = &att[i]
	}
	out := []RosterEntry{}
	seen := map[int64]bool{}
	for _, r := range a.Roles {
		claims, err := capacity.Claims(ctx, s.DB, r.PoolID, MaxPlaces*2, capacity.StateConfirmed, capacity.StateHeld, capacity.StateCheckedIn, capacity.StateNoShow, capacity.StateWaiting)
		if err != nil {
			return nil, err
		}
		waiting := 0
		for _, c := range claims {
			vid := volunteerOfRef(c.HolderRef)
			e := RosterEntry{VolunteerID: vid, Role: r.Name, State: c.State}
			if c.State == capacity.StateWaiting {
				waiting++
				e.Position = waiting
			}
			if err := s.DB.QueryRow(ctx, `SELECT COALESCE(number, ''), name, phone FROM volunteers WHERE id = ?`, vid).Scan(&e.Number, &e.Name, &e.Phone); err != nil {
				return nil, fmt.Errorf("roster volunteer %d: %w", vid, err)
			}
			e.Attendance = byVol[vid]
			seen[vid] = true
			out = append(out, e)
		}
	}
	for i := range att {
		if !seen[att[i].VolunteerID] {
			out = append(out, RosterEntry{VolunteerID: att[i].VolunteerID, Number: att[i].Number, Name: att[i].Name, Phone: att[i].Phone, Role: att[i].Role, State: "walk_in", Attendance: &att[i]})
		}
	}
	return out, nil
}

// notifyVolunteer tells a volunteer with an account through the notifications every user reads.
func (s *Service) notifyVolunteer(ctx context.Context, q store.Querier, volunteerID int64, kind, msg string) error {
	var user sql.NullInt64
	if err := q.QueryRow(ctx, `SELECT user_id FROM volunteers WHERE id = ?`, volunteerID).Scan(&user); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	}
	if !user.Valid {
		return nil
	}
	_, err := q.Exec(ctx, `INSERT INTO notifications (user_id, kind, text, created_at) VALUES (?, ?, ?, ?)`, user.Int64, kind, msg, store.Millis(s.now()))
	return err
}

// notifySignedUp tells every volunteer with a live sign-up for a.
func (s *Service) notifySignedUp(ctx context.Context, q store.Querier, a Activity, kind, msg string) error {
	for _, r := range a.Roles {
		claims, err := capacity.Claims(ctx, q, r.PoolID, MaxPlaces*2, capacity.StateConfirmed, capacity.StateHeld, capacity.StateWaiting)
		if err != nil {
			return err
		}
		for _, c := range claims {
			if err := s.notifyVolunteer(ctx, q, volunteerOfRef(c.HolderRef), kind, msg); err != nil {
				return err
			}
		}
	}
	return nil
}

// ReminderLead is how long before an activity's start its volunteers are reminded.
const ReminderLead = 24 * time.Hour

// SendReminders tells the confirmed volunteers of every open activity starting within
// ReminderLead that has not been reminded yet, once; it returns the activities reminded. The
// server runs it on a ticker; the CLI too.
func (s *Service) SendReminders(ctx context.Context) (int, error) {
	now := s.now()
	ids, err := store.Collect(ctx, s.DB, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, `SELECT id FROM vol_activities WHERE status = 'open' AND reminded_at IS NULL AND starts_at > ? AND starts_at <= ? ORDER BY id LIMIT 500`,
		store.Millis(now), store.Millis(now.Add(ReminderLead)))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			res, err := tx.Exec(ctx, `UPDATE vol_activities SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL`, store.Millis(now), id)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k == 0 {
				return nil // another server reminded it
			}
			var town string
			if err := tx.QueryRow(ctx, `SELECT town_code FROM vol_activities WHERE id = ?`, id).Scan(&town); err != nil {
				return err
			}
			a, err := s.activity(ctx, tx, []string{town}, id)
			if err != nil {
				return err
			}
			for _, r := range a.Roles {
				claims, err := capacity.Claims(ctx, tx, r.PoolID, MaxPlaces*2, capacity.StateConfirmed)
				if err != nil {
					return err
				}
				for _, c := range claims {
					msg := fmt.Sprintf("活动提醒：「%s」%s 在 %s 开始（%s），请准时签到。", a.Title, a.Start.In(workcal.Location()).Format("1月2日 15:04"), a.Place, r.Name)
					if err := s.notifyVolunteer(ctx, tx, volunteerOfRef(c.HolderRef), "volunteer_reminder", msg); err != nil {
						return err
					}
				}
			}
			n++
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// RunReminders passes on the sign-up holds that ran out (SweepHolds) and sends the reminders
// every period until ctx ends (each activity is claimed by an
// update, so several servers on one database remind once).
func (s *Service) RunReminders(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.SweepHolds(ctx); err != nil && ctx.Err() == nil {
			log.Warn("volunteer sign-up holds", "err", err)
		}
		if n, err := s.SendReminders(ctx); err != nil && ctx.Err() == nil {
			log.Warn("volunteer reminders", "err", err)
		} else if n > 0 {
			log.Info("volunteer reminders sent", "activities", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
