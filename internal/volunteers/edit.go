package volunteers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/capacity"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// ActivityEdit is what the lead (or staff) changes of an activity after creating it: its text,
// time, place and roles. Roles with an ID are changed; roles without one are added; a role left
// out stays as it was (a role with sign-ups is never removed from under them).
type ActivityEdit struct {
	Title        string     `json:"title"`
	Description  string     `json:"description"`
	Requirements string     `json:"requirements"`
	Place        string     `json:"place"`
	Lat          *float64   `json:"lat"`
	Lng          *float64   `json:"lng"`
	RadiusM      int        `json:"radius_m"`
	Start        time.Time  `json:"start"`
	End          time.Time  `json:"end"`
	Roles        []EditRole `json:"roles"`
}

// EditRole is a role in an edit: ID 0 adds one.
type EditRole struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Places       int    `json:"places"`
	Requirements string `json:"requirements"`
}

// EditOf is the edit that changes nothing: the form's starting values.
func EditOf(a Activity) ActivityEdit {
	e := ActivityEdit{Title: a.Title, Description: a.Description, Requirements: a.Requirements, Place: a.Place, Lat: a.Lat, Lng: a.Lng,
		RadiusM: a.RadiusM, Start: a.Start, End: a.End}
	for _, r := range a.Roles {
		e.Roles = append(e.Roles, EditRole{ID: r.ID, Name: r.Name, Places: r.Places, Requirements: r.Requirements})
	}
	return e
}

// EditActivity changes an open activity that has not ended, in one transaction with its audit
// row and notices:
//
//   - Places of a role are never set below the places taken (confirmed, held, checked in): the
//     edit is refused with a field error on that role naming the number, and the lead cancels
//     sign-ups first if they must. We chose refusing over moving the excess back to the waiting
//     list: a volunteer told they are confirmed keeps the place they were given.
//   - More places promote from the waiting list at once (the engine's rule), each promoted
//     volunteer told.
//   - A change of time or place tells every volunteer signed up (confirmed, held or waiting),
//     and a new start re-arms the day-before reminder. The time cannot change once attendance
//     has been recorded (hours are clipped to the planned time).
//
// Only the activity's lead or staff with volunteers:manage may edit (MayLead; the caller checks).
func (s *Service) EditActivity(ctx context.Context, towns []string, id int64, e ActivityEdit, by audit.Actor) (Activity, error) {
	n := NewActivity{Title: e.Title, Description: e.Description, Requirements: e.Requirements, Place: e.Place, Lat: e.Lat, Lng: e.Lng,
		RadiusM: e.RadiusM, Start: e.Start, End: e.End}
	for _, r := range e.Roles {
		n.Roles = append(n.Roles, NewRole{Name: r.Name, Places: r.Places, Requirements: r.Requirements})
	}
	if err := validateActivity(&n); err != nil {
		return Activity{}, err
	}
	for i := range e.Roles {
		e.Roles[i].Name, e.Roles[i].Requirements = n.Roles[i].Name, n.Roles[i].Requirements
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := lockActivity(ctx, tx, id); err != nil {
			return err
		}
		a, err := s.activity(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		if a.Status == ActivityCancelled {
			return problem.Conflict("the activity is cancelled")
		}
		if !s.now().Before(a.End) {
			return problem.Conflict("the activity has ended: it can no longer be changed")
		}
		timeChanged := !n.Start.Equal(a.Start) || !n.End.Equal(a.End)
		placeChanged := n.Place != a.Place || !sameCoord(n.Lat, a.Lat) || !sameCoord(n.Lng, a.Lng)
		if timeChanged && a.Attendees > 0 {
			return problem.Field("start", "attendance has been recorded: the time can no longer change")
		}
		byID := map[int64]Role{}
		for _, r := range a.Roles {
			byID[r.ID] = r
		}
		if len(a.Roles)+countNew(e.Roles) > MaxRoles {
			return problem.Field("roles", "at most %d roles", MaxRoles)
		}
		eng := s.engine()
		var changes []string
		var changesOf []capacity.Change
		seen := map[int64]bool{}
		for i, r := range e.Roles {
			field := fmt.Sprintf("roles[%d]", i)
			if r.ID == 0 {
				rid, err := s.addRole(ctx, tx, id, NewRole{Name: r.Name, Places: r.Places, Requirements: r.Requirements}, n.End)
				if err != nil {
					if store.IsUniqueViolation(err) {
						return problem.Field(field+".name", "two roles of the same name")
					}
					return err
				}
				changes = append(changes, fmt.Sprintf("role %d %s added with %d places", rid, r.Name, r.Places))
				continue
			}
			old, ok := byID[r.ID]
			if !ok || seen[r.ID] {
				return problem.Field(field+".id", "no role %d of this activity", r.ID)
			}
			seen[r.ID] = true
			if r.Places != old.Places {
				_, ch, err := eng.SetCapacity(ctx, tx, old.PoolID, r.Places, 0)
				if errors.Is(err, capacity.ErrBelowUsed) {
					p, perr := capacity.GetPool(ctx, tx, old.PoolID)
					if perr != nil {
						return perr
					}
					return problem.Field(field+".places", "at least %d: %d volunteers hold places in this role (cancel sign-ups first)", p.UsedPeople, p.UsedPeople)
				}
				if err != nil {
					return err
				}
				changesOf = append(changesOf, ch)
				changes = append(changes, fmt.Sprintf("role %d places %d→%d", r.ID, old.Places, r.Places))
			}
			if r.Name != old.Name || r.Requirements != old.Requirements || r.Places != old.Places {
				if _, err := tx.Exec(ctx, `UPDATE vol_roles SET name = ?, places = ?, requirements = ? WHERE id = ?`, r.Name, r.Places, r.Requirements, r.ID); err != nil {
					if store.IsUniqueViolation(err) {
						return problem.Field(field+".name", "two roles of the same name")
					}
					return err
				}
				if r.Name != old.Name {
					changes = append(changes, fmt.Sprintf("role %d renamed %s→%s", r.ID, old.Name, r.Name))
				}
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE vol_activities SET title = ?, description = ?, requirements = ?, place = ?, lat = ?, lng = ?, radius_m = ?, starts_at = ?, ends_at = ? WHERE id = ?`,
			n.Title, n.Description, n.Requirements, n.Place, n.Lat, n.Lng, n.RadiusM, store.Millis(n.Start), store.Millis(n.End), id); err != nil {
			return err
		}
		if timeChanged {
			// The roles' pools close when the activity ends (no hold runs past it).
			if _, err := tx.Exec(ctx, `UPDATE capacity_pools SET closes_at = ? WHERE kind = ? AND id IN (SELECT pool_id FROM vol_roles WHERE activity_id = ?)`,
				store.Millis(n.End), PoolKind, id); err != nil {
				return err
			}
			changes = append(changes, fmt.Sprintf("time %s–%s → %s–%s", stamp(a.Start), stamp(a.End), stamp(n.Start), stamp(n.End)))
			if !n.Start.Equal(a.Start) {
				// The reminder is for the new start.
				if _, err := tx.Exec(ctx, `UPDATE vol_activities SET reminded_at = NULL WHERE id = ?`, id); err != nil {
					return err
				}
			}
		}
		if placeChanged {
			changes = append(changes, fmt.Sprintf("place %s → %s", a.Place, n.Place))
		}
		if n.Title != a.Title || n.Description != a.Description || n.Requirements != a.Requirements || n.RadiusM != a.RadiusM {
			changes = append(changes, "text or check-in radius")
		}
		if len(changes) == 0 {
			return nil
		}
		if timeChanged || placeChanged {
			now, err := s.activity(ctx, tx, towns, id)
			if err != nil {
				return err
			}
			msg := fmt.Sprintf("活动「%s」有变更：时间 %s–%s，地点 %s。如不能参加，请取消报名。", n.Title, local(n.Start).Format("1月2日 15:04"), local(n.End).Format("15:04"), n.Place)
			if err := s.notifySignedUp(ctx, tx, now, "volunteer_changed", msg); err != nil {
				return err
			}
		}
		for _, ch := range changesOf {
			if err := s.tell(ctx, tx, ch); err != nil {
				return err
			}
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "vol_activity", EntityID: fmt.Sprint(id), TownCode: a.TownCode,
			Detail: "edited: " + strings.Join(changes, "; ")})
	})
	if err != nil {
		return Activity{}, err
	}
	return s.Activity(ctx, towns, id)
}

func countNew(rs []EditRole) int {
	n := 0
	for _, r := range rs {
		if r.ID == 0 {
			n++
		}
	}
	return n
}

func sameCoord(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func local(t time.Time) time.Time { return t.In(workcal.Location()) }

func stamp(t time.Time) string { return local(t).Format("2006-01-02 15:04") }

// lockActivity serialises the edits and the cancelling of one activity: on PostgreSQL a row lock
// held to the end of the transaction (SQLite's writer is alone already), so an edit never works
// from a state another edit or a cancel has just changed.
func lockActivity(ctx context.Context, tx *store.Tx, id int64) error {
	if tx.Dialect() != store.Postgres {
		return nil
	}
	_, err := tx.Exec(ctx, `SELECT id FROM vol_activities WHERE id = ? FOR UPDATE`, id)
	return err
}
