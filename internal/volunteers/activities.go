package volunteers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/capacity"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// PoolKind is the kind of the capacity pools that hold an activity role's places.
const PoolKind = "activity_role"

// Activity statuses.
const (
	ActivityOpen      = "open"
	ActivityCancelled = "cancelled"
)

// Activity is an activity of a project.
type Activity struct {
	ID           int64     `json:"id"`
	TownCode     string    `json:"town"`
	ProjectID    int64     `json:"project_id"`
	ProjectName  string    `json:"project"`
	Title        string    `json:"title"`
	Description  string    `json:"description"`
	Requirements string    `json:"requirements"`
	Place        string    `json:"place"`
	Lat          *float64  `json:"lat,omitempty"`
	Lng          *float64  `json:"lng,omitempty"`
	RadiusM      int       `json:"radius_m"`
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	LeadID       int64     `json:"lead_id,omitempty"`
	LeadName     string    `json:"lead,omitempty"`
	Status       string    `json:"status"`
	Roles        []Role    `json:"roles"`
	// Figures over the roles' pools.
	Places    int `json:"places"`
	Taken     int `json:"taken"`
	Waiting   int `json:"waiting"`
	Attendees int `json:"attendees"`
}

// Role is a role of an activity with its places, a pool of the capacity engine.
type Role struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Places       int    `json:"places"`
	Requirements string `json:"requirements"`
	PoolID       int64  `json:"pool_id"`
	Taken        int    `json:"taken"`
	Waiting      int    `json:"waiting"`
}

// NewActivity is what a planner submits.
type NewActivity struct {
	ProjectID    int64     `json:"project_id"`
	Title        string    `json:"title"`
	Description  string    `json:"description"`
	Requirements string    `json:"requirements"`
	Place        string    `json:"place"`
	Lat          *float64  `json:"lat"`
	Lng          *float64  `json:"lng"`
	RadiusM      int       `json:"radius_m"`
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	LeadID       int64     `json:"lead_id"`
	Roles        []NewRole `json:"roles"`
}

// NewRole is a role of a new activity.
type NewRole struct {
	Name         string `json:"name"`
	Places       int    `json:"places"`
	Requirements string `json:"requirements"`
}

// MaxActivityHours bounds an activity's length.
const MaxActivityHours = 24

// CreateActivity plans an activity of a project of towns, with a capacity pool per role, in one
// transaction.
func (s *Service) CreateActivity(ctx context.Context, towns []string, n NewActivity, by audit.Actor) (Activity, error) {
	if err := validateActivity(&n); err != nil {
		return Activity{}, err
	}
	var err error
	var id int64
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		var town string
		err := tx.QueryRow(ctx, `SELECT town_code FROM vol_projects WHERE id = ?`, n.ProjectID).Scan(&town)
		if errors.Is(err, sql.ErrNoRows) || err == nil && !slices.Contains(towns, town) {
			return problem.Field("project_id", "no project %d", n.ProjectID)
		}
		if err != nil {
			return err
		}
		if n.LeadID != 0 {
			var role string
			err := tx.QueryRow(ctx, `SELECT role FROM users WHERE id = ? AND town_code = ?`, n.LeadID, town).Scan(&role)
			if err != nil || !auth.Can(role, auth.PermVolunteersLead) {
				return problem.Field("lead_id", "the lead must be a user of the town who may lead activities")
			}
		}
		if err := tx.QueryRow(ctx, `INSERT INTO vol_activities (town_code, project_id, title, description, requirements, place, lat, lng, radius_m, starts_at, ends_at, lead_id, status, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			town, n.ProjectID, n.Title, n.Description, n.Requirements, n.Place, n.Lat, n.Lng, n.RadiusM, store.Millis(n.Start), store.Millis(n.End),
			store.NullIfZero(n.LeadID), ActivityOpen, store.NullIfZero(by.ID), store.Millis(s.now())).Scan(&id); err != nil {
			return err
		}
		for i, r := range n.Roles {
			if _, err := s.addRole(ctx, tx, id, r, n.End); err != nil {
				if store.IsUniqueViolation(err) {
					return problem.Field(fmt.Sprintf("roles[%d].name", i), "two roles of the same name")
				}
				return err
			}
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "vol_activity", EntityID: fmt.Sprint(id), TownCode: town, Detail: n.Title})
	})
	if err != nil {
		return Activity{}, err
	}
	return s.Activity(ctx, towns, id)
}

// validateActivity checks and trims what a planner submits (creating or editing).
func validateActivity(n *NewActivity) error {
	var err error
	if n.Title, err = text("title", n.Title, true, MaxName); err != nil {
		return err
	}
	if n.Description, err = text("description", n.Description, false, MaxText); err != nil {
		return err
	}
	if n.Requirements, err = text("requirements", n.Requirements, false, MaxText); err != nil {
		return err
	}
	if n.Place, err = text("place", n.Place, true, MaxName); err != nil {
		return err
	}
	if n.Start.IsZero() {
		return problem.Field("start", "required")
	}
	if !n.End.After(n.Start) {
		return problem.Field("end", "after the start")
	}
	if n.End.Sub(n.Start) > MaxActivityHours*time.Hour {
		return problem.Field("end", "at most %d hours after the start", MaxActivityHours)
	}
	if (n.Lat == nil) != (n.Lng == nil) || n.Lat != nil && (*n.Lat < -90 || *n.Lat > 90 || *n.Lng < -180 || *n.Lng > 180) {
		return problem.Field("lat", "a latitude and a longitude, both or neither")
	}
	if n.RadiusM == 0 {
		n.RadiusM = DefaultRadius
	}
	if n.RadiusM < 20 || n.RadiusM > 2000 {
		return problem.Field("radius_m", "between 20 and 2000 metres")
	}
	if len(n.Roles) == 0 {
		return problem.Field("roles", "at least one role")
	}
	if len(n.Roles) > MaxRoles {
		return problem.Field("roles", "at most %d roles", MaxRoles)
	}
	for i := range n.Roles {
		r := &n.Roles[i]
		if r.Name, err = text(fmt.Sprintf("roles[%d].name", i), r.Name, true, 50); err != nil {
			return err
		}
		if r.Requirements, err = text(fmt.Sprintf("roles[%d].requirements", i), r.Requirements, false, 500); err != nil {
			return err
		}
		if r.Places < 1 || r.Places > MaxPlaces {
			return problem.Field(fmt.Sprintf("roles[%d].places", i), "between 1 and %d", MaxPlaces)
		}
	}
	return nil
}

// SignUpHold is how long a volunteer promoted from the waiting list has to confirm the place
// before it passes to the next (never past the activity's end: the pool closes then).
const SignUpHold = 12 * time.Hour

func init() { capacity.SweptByOwner(PoolKind) }

// addRole adds a role to an activity with its capacity pool: a hold of SignUpHold for whoever is
// promoted from its waiting list, the pool closing when the activity ends.
func (s *Service) addRole(ctx context.Context, tx *store.Tx, activityID int64, r NewRole, end time.Time) (int64, error) {
	var rid int64
	if err := tx.QueryRow(ctx, `INSERT INTO vol_roles (activity_id, name, places, requirements) VALUES (?, ?, ?, ?) RETURNING id`,
		activityID, r.Name, r.Places, r.Requirements).Scan(&rid); err != nil {
		return 0, err
	}
	p, err := s.engine().CreatePool(ctx, tx, capacity.NewPool{Kind: PoolKind, OwnerRef: fmt.Sprint(rid), Capacity: r.Places, Hold: SignUpHold, ClosesAt: end})
	if err != nil {
		return 0, fmt.Errorf("role %s: %w", r.Name, err)
	}
	_, err = tx.Exec(ctx, `UPDATE vol_roles SET pool_id = ? WHERE id = ?`, p.ID, rid)
	return rid, err
}

// DefaultRadius is the radius of the location check-in when an activity sets none, in metres.
const DefaultRadius = 200

// engine is the capacity engine on the service's clock.
func (s *Service) engine() capacity.Engine { return capacity.Engine{Now: s.now} }

const activityCols = `a.id, a.town_code, a.project_id, p.name, a.title, a.description, a.requirements, a.place, a.lat, a.lng, a.radius_m, a.starts_at, a.ends_at,
	a.lead_id, COALESCE(u.display_name, ''), a.status,
	(SELECT COUNT(*) FROM vol_attendance t WHERE t.activity_id = a.id)`

func scanActivity(r interface{ Scan(...any) error }) (Activity, error) {
	var a Activity
	var lat, lng sql.NullFloat64
	var lead sql.NullInt64
	var start, end int64
	err := r.Scan(&a.ID, &a.TownCode, &a.ProjectID, &a.ProjectName, &a.Title, &a.Description, &a.Requirements, &a.Place, &lat, &lng, &a.RadiusM,
		&start, &end, &lead, &a.LeadName, &a.Status, &a.Attendees)
	if lat.Valid && lng.Valid {
		a.Lat, a.Lng = &lat.Float64, &lng.Float64
	}
	a.Start, a.End, a.LeadID = store.FromMillis(start), store.FromMillis(end), lead.Int64
	return a, err
}

const activityFrom = ` FROM vol_activities a JOIN vol_projects p ON p.id = a.project_id LEFT JOIN users u ON u.id = a.lead_id`

// Activity returns activity id of towns with its roles and their places.
func (s *Service) Activity(ctx context.Context, towns []string, id int64) (Activity, error) {
	return s.activity(ctx, s.DB, towns, id)
}

func (s *Service) activity(ctx context.Context, q store.Querier, towns []string, id int64) (Activity, error) {
	a, err := scanActivity(q.QueryRow(ctx, `SELECT `+activityCols+activityFrom+` WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || err == nil && !slices.Contains(towns, a.TownCode) {
		return Activity{}, problem.NotFound("activity %d", id)
	}
	if err != nil {
		return Activity{}, err
	}
	list := []Activity{a}
	if err := s.fillRoles(ctx, q, list); err != nil {
		return Activity{}, err
	}
	return list[0], nil
}

// fillRoles adds the roles and their pools' figures to as.
func (s *Service) fillRoles(ctx context.Context, q store.Querier, as []Activity) error {
	if len(as) == 0 {
		return nil
	}
	idx := map[int64]int{}
	ids := make([]string, len(as))
	for i, a := range as {
		idx[a.ID] = i
		ids[i] = fmt.Sprint(a.ID)
		as[i].Roles = []Role{}
	}
	in, args := store.In("r.activity_id", ids)
	rows, err := q.Query(ctx, `SELECT r.activity_id, r.id, r.name, r.places, r.requirements, COALESCE(r.pool_id, 0), COALESCE(c.used_people, 0),
		(SELECT COUNT(*) FROM capacity_claims w WHERE w.pool_id = r.pool_id AND w.state = 'waiting')
		FROM vol_roles r LEFT JOIN capacity_pools c ON c.id = r.pool_id WHERE `+in+` ORDER BY r.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var aid int64
		var r Role
		if err := rows.Scan(&aid, &r.ID, &r.Name, &r.Places, &r.Requirements, &r.PoolID, &r.Taken, &r.Waiting); err != nil {
			return err
		}
		a := &as[idx[aid]]
		a.Roles = append(a.Roles, r)
		a.Places += r.Places
		a.Taken += r.Taken
		a.Waiting += r.Waiting
	}
	return rows.Err()
}

// ActivityFilter narrows the list of activities.
type ActivityFilter struct {
	ProjectID int64
	From, To  time.Time // activities starting in [From, To); zero: unbounded
	LeadID    int64
	Limit     int
}

// Activities lists the activities of towns, in start order.
func (s *Service) Activities(ctx context.Context, towns []string, f ActivityFilter) ([]Activity, error) {
	in, args := store.In("a.town_code", towns)
	var where strings.Builder
	where.WriteString(in)
	if f.ProjectID != 0 {
		where.WriteString(` AND a.project_id = ?`)
		args = append(args, f.ProjectID)
	}
	if f.LeadID != 0 {
		where.WriteString(` AND a.lead_id = ?`)
		args = append(args, f.LeadID)
	}
	if !f.From.IsZero() {
		where.WriteString(` AND a.ends_at >= ?`)
		args = append(args, store.Millis(f.From))
	}
	if !f.To.IsZero() {
		where.WriteString(` AND a.starts_at < ?`)
		args = append(args, store.Millis(f.To))
	}
	if f.Limit <= 0 || f.Limit > MaxListRows {
		f.Limit = MaxListRows
	}
	list, err := store.Collect(ctx, s.DB, func(r *sql.Rows) (Activity, error) { return scanActivity(r) }, `SELECT `+activityCols+activityFrom+` WHERE `+where.String()+fmt.Sprintf(` ORDER BY a.starts_at, a.id LIMIT %d`, f.Limit), args...)
	if err != nil {
		return nil, err
	}
	return list, s.fillRoles(ctx, s.DB, list)
}

// MayLead reports whether u leads activity a: its lead, or staff with volunteers:manage.
func MayLead(u auth.User, a Activity) bool {
	return u.Can(auth.PermVolunteersLead) && a.LeadID == u.ID || MayManage(u)
}

// CancelActivity cancels an activity: it closes its pools and tells the signed-up volunteers.
func (s *Service) CancelActivity(ctx context.Context, towns []string, id int64, reason string, by audit.Actor) error {
	reason, err := text("reason", reason, true, 200)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := lockActivity(ctx, tx, id); err != nil {
			return err
		}
		a, err := s.activity(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		if a.Status == ActivityCancelled {
			return problem.Conflict("the activity is cancelled already")
		}
		if _, err := tx.Exec(ctx, `UPDATE vol_activities SET status = ? WHERE id = ?`, ActivityCancelled, id); err != nil {
			return err
		}
		eng := s.engine()
		for _, r := range a.Roles {
			if _, _, err := eng.SetClosed(ctx, tx, r.PoolID, true); err != nil {
				return err
			}
		}
		// Tell everyone signed up, then free their places: the pools are closed, so nobody is
		// promoted into a cancelled activity.
		if err := s.notifySignedUp(ctx, tx, a, "volunteer_cancelled", fmt.Sprintf("活动「%s」（%s）已取消：%s", a.Title, a.Start.In(workcal.Location()).Format("1月2日 15:04"), reason)); err != nil {
			return err
		}
		freed := 0
		for _, r := range a.Roles {
			claims, err := capacity.Claims(ctx, tx, r.PoolID, MaxPlaces*2, capacity.StateConfirmed, capacity.StateHeld, capacity.StateWaiting)
			if err != nil {
				return err
			}
			for _, c := range claims {
				if _, _, err := eng.Cancel(ctx, tx, c.ID, capacity.Canceller{UserID: by.ID, Staff: true, Reason: "activity cancelled: " + reason}); err != nil {
					return fmt.Errorf("free sign-up %d: %w", c.ID, err)
				}
				freed++
			}
		}
		reason = fmt.Sprintf("%s (%d sign-ups freed)", reason, freed)
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "vol_activity", EntityID: fmt.Sprint(id), TownCode: a.TownCode, Detail: "cancelled: " + reason})
	})
}
