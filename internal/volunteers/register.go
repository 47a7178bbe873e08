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
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Registration statuses.
const (
	StatusPending  = "pending"  // 待审核
	StatusApproved = "approved" // 已通过: has a volunteer number
	StatusRejected = "rejected" // 未通过, with a reason
)

// Statuses lists the registration statuses.
var Statuses = []Label{
	{Code: StatusPending, ZH: "待审核", EN: "Pending"},
	{Code: StatusApproved, ZH: "已通过", EN: "Approved"},
	{Code: StatusRejected, ZH: "未通过", EN: "Rejected"},
}

// Volunteer is a registered volunteer. IDMasked is all pages show of the ID number; the number
// itself is read through IDNumber by those who may see it whole.
type Volunteer struct {
	ID           int64     `json:"id"`
	TownCode     string    `json:"town"`
	UserID       int64     `json:"user_id,omitempty"`
	Number       string    `json:"number,omitempty"`
	Name         string    `json:"name"`
	IDType       string    `json:"id_type"`
	IDMasked     string    `json:"id_masked"`
	Phone        string    `json:"phone"`
	Skills       string    `json:"skills"`
	Availability string    `json:"availability"`
	GridCode     string    `json:"grid,omitempty"`
	TeamID       int64     `json:"team_id,omitempty"`
	Status       string    `json:"status"`
	Reason       string    `json:"reason,omitempty"`
	RegisteredAt time.Time `json:"registered_at"`
	Minutes      int64     `json:"minutes"`
}

// Application is what a volunteer submits.
type Application struct {
	TownCode     string `json:"town"`
	Name         string `json:"name"`
	IDType       string `json:"id_type"`
	IDNumber     string `json:"id_number"`
	Phone        string `json:"phone"`
	Skills       string `json:"skills"`
	Availability string `json:"availability"`
	GridCode     string `json:"grid"`
	TeamID       int64  `json:"team_id"`
}

func validPhone(p string) bool {
	if len(p) < 7 || len(p) > 20 {
		return false
	}
	for _, r := range p {
		if !(r >= '0' && r <= '9' || r == '-' || r == '+' || r == ' ') {
			return false
		}
	}
	return true
}

// Register records an application of user (0: entered by staff for someone without an account);
// it waits for staff approval. One person (ID type and number) registers once per town, and one
// account once.
func (s *Service) Register(ctx context.Context, towns []string, a Application, userID int64, by audit.Actor) (Volunteer, error) {
	if a.TownCode == "" && len(towns) == 1 {
		a.TownCode = towns[0]
	}
	if !slices.Contains(towns, a.TownCode) {
		return Volunteer{}, problem.Field("town", "not a town you may register in")
	}
	var err error
	if a.Name, err = text("name", a.Name, true, 50); err != nil {
		return Volunteer{}, err
	}
	a.IDNumber = NormaliseID(a.IDNumber)
	if err := ValidateID(a.IDType, a.IDNumber); err != nil {
		return Volunteer{}, err
	}
	a.Phone = strings.TrimSpace(a.Phone)
	if !validPhone(a.Phone) {
		return Volunteer{}, problem.Field("phone", "a phone number of 7 to 20 digits")
	}
	if a.Skills, err = text("skills", a.Skills, false, MaxSkills); err != nil {
		return Volunteer{}, err
	}
	if a.Availability, err = text("availability", a.Availability, false, MaxSkills); err != nil {
		return Volunteer{}, err
	}
	k, err := keysFor(ctx, s.DB)
	if err != nil {
		return Volunteer{}, err
	}
	sealed, err := k.seal(a.IDNumber)
	if err != nil {
		return Volunteer{}, err
	}
	v := Volunteer{TownCode: a.TownCode, UserID: userID, Name: a.Name, IDType: a.IDType, IDMasked: MaskID(a.IDNumber), Phone: a.Phone,
		Skills: a.Skills, Availability: a.Availability, GridCode: a.GridCode, TeamID: a.TeamID, Status: StatusPending, RegisteredAt: s.now()}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := checkGridTeam(ctx, tx, a.TownCode, a.GridCode, a.TeamID); err != nil {
			return err
		}
		if userID != 0 {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM volunteers WHERE town_code = ? AND user_id = ?`, a.TownCode, userID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return problem.Conflict("this account has registered already")
			}
		}
		err := tx.QueryRow(ctx, `INSERT INTO volunteers (town_code, user_id, name, id_type, id_sealed, id_masked, id_hash, phone, skills, availability, grid_code, team_id, status, registered_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			v.TownCode, store.NullIfZero(userID), v.Name, v.IDType, sealed, v.IDMasked, k.idHash(a.IDType, a.IDNumber), v.Phone, v.Skills, v.Availability,
			store.NullIfEmpty(v.GridCode), store.NullIfZero(v.TeamID), v.Status, store.Millis(v.RegisteredAt)).Scan(&v.ID)
		if store.IsUniqueViolation(err) {
			return problem.Field("id_number", "a volunteer with this ID number is registered in the town already")
		}
		if err != nil {
			return err
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "volunteer", EntityID: fmt.Sprint(v.ID), TownCode: v.TownCode, Detail: "registered"})
	})
	return v, err
}

// NumberFormat documents the volunteer number: the town's 9-digit code, the year of approval and
// a 5-digit serial within the town and year (310105102-2026-00017).
const NumberFormat = "TTTTTTTTT-YYYY-NNNNN"

// Decide approves (giving the volunteer number) or rejects (with a reason) a pending registration.
func (s *Service) Decide(ctx context.Context, towns []string, id int64, approve bool, reason string, by audit.Actor) (Volunteer, error) {
	reason, err := text("reason", reason, !approve, 200)
	if err != nil {
		return Volunteer{}, err
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		v, err := s.get(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		if v.Status != StatusPending {
			return problem.Conflict("the registration was decided already (%s)", v.Status)
		}
		now := s.now()
		status, number := StatusRejected, any(nil)
		if approve {
			status = StatusApproved
			year := now.In(workcal.Location()).Year()
			prefix := fmt.Sprintf("%s-%d-", v.TownCode, year)
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM volunteers WHERE number LIKE ?`, prefix+"%").Scan(&n); err != nil {
				return err
			}
			number = fmt.Sprintf("%s%05d", prefix, n+1)
		}
		if _, err := tx.Exec(ctx, `UPDATE volunteers SET status = ?, number = ?, reason = ?, decided_by = ?, decided_at = ? WHERE id = ?`,
			status, number, reason, store.NullIfZero(by.ID), store.Millis(now), id); err != nil {
			if store.IsUniqueViolation(err) {
				return problem.Conflict("another approval took the same number: try again")
			}
			return err
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "volunteer", EntityID: fmt.Sprint(id), TownCode: v.TownCode, Detail: status + " " + reason})
	})
	if err != nil {
		return Volunteer{}, err
	}
	return s.Get(ctx, towns, id)
}

// volunteerCols are a volunteer's columns and total of published (公示 passed) minutes.
func (s *Service) volunteerCols() string {
	return `v.id, v.town_code, v.user_id, v.number, v.name, v.id_type, v.id_masked, v.phone, v.skills, v.availability, v.grid_code, v.team_id, v.status, v.reason, v.registered_at,
	(SELECT COALESCE(SUM(` + s.counted("t") + `), 0) FROM vol_attendance t WHERE t.volunteer_id = v.id)`
}

func scanVolunteer(r interface{ Scan(...any) error }) (Volunteer, error) {
	var v Volunteer
	var user, team sql.NullInt64
	var number, grid sql.NullString
	var at int64
	err := r.Scan(&v.ID, &v.TownCode, &user, &number, &v.Name, &v.IDType, &v.IDMasked, &v.Phone, &v.Skills, &v.Availability, &grid, &team, &v.Status, &v.Reason, &at, &v.Minutes)
	v.UserID, v.Number, v.GridCode, v.TeamID, v.RegisteredAt = user.Int64, number.String, grid.String, team.Int64, store.FromMillis(at)
	return v, err
}

func (s *Service) get(ctx context.Context, q store.Querier, towns []string, id int64) (Volunteer, error) {
	v, err := scanVolunteer(q.QueryRow(ctx, `SELECT `+s.volunteerCols()+` FROM volunteers v WHERE v.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || err == nil && !slices.Contains(towns, v.TownCode) {
		return Volunteer{}, problem.NotFound("volunteer %d", id)
	}
	return v, err
}

// Get returns volunteer id of towns.
func (s *Service) Get(ctx context.Context, towns []string, id int64) (Volunteer, error) {
	return s.get(ctx, s.DB, towns, id)
}

// Of returns the registration of user u in towns (problem.ErrNotFound when u has none).
func (s *Service) Of(ctx context.Context, towns []string, u auth.User) (Volunteer, error) {
	in, args := store.In("v.town_code", towns)
	v, err := scanVolunteer(s.DB.QueryRow(ctx, `SELECT `+s.volunteerCols()+` FROM volunteers v WHERE v.user_id = ? AND `+in+` ORDER BY v.id LIMIT 1`, append([]any{u.ID}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return Volunteer{}, problem.NotFound("volunteer registration of %s", u.Username)
	}
	return v, err
}

// Filter narrows the list of volunteers.
type Filter struct {
	Status string
	Query  string // name or volunteer number contains
	Limit  int
}

// List lists the volunteers of towns, newest registrations first.
func (s *Service) List(ctx context.Context, towns []string, f Filter) ([]Volunteer, error) {
	in, args := store.In("v.town_code", towns)
	where := in
	if f.Status != "" {
		where += ` AND v.status = ?`
		args = append(args, f.Status)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if len([]rune(q)) > 50 {
			return nil, problem.Field("q", "at most 50 characters")
		}
		where += ` AND (v.name LIKE ? OR v.number LIKE ?)`
		args = append(args, "%"+q+"%", "%"+q+"%")
	}
	if f.Limit <= 0 || f.Limit > MaxListRows {
		f.Limit = MaxListRows
	}
	return store.Collect(ctx, s.DB, func(r *sql.Rows) (Volunteer, error) { return scanVolunteer(r) }, `SELECT `+s.volunteerCols()+` FROM volunteers v WHERE `+where+fmt.Sprintf(` ORDER BY v.registered_at DESC, v.id DESC LIMIT %d`, f.Limit), args...)
}

// IDNumber returns the whole ID number of volunteer id. The caller decides who may see it
// (privacy.Volunteers) and audits the view.
func (s *Service) IDNumber(ctx context.Context, towns []string, id int64) (string, error) {
	var sealed, town string
	err := s.DB.QueryRow(ctx, `SELECT id_sealed, town_code FROM volunteers WHERE id = ?`, id).Scan(&sealed, &town)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !slices.Contains(towns, town) {
		return "", problem.NotFound("volunteer %d", id)
	}
	if err != nil {
		return "", err
	}
	k, err := keysFor(ctx, s.DB)
	if err != nil {
		return "", err
	}
	return k.open(sealed)
}
