// Package volunteers runs a town's volunteer service (志愿服务): its alliance (新泾镇's 向"新"力
// 志愿服务联盟) with teams and member units, volunteer projects per grid (泾彩悦读, 健康守护, 乐颐空间,
// 尚廉新泾, 文明保畅), volunteers registered under their real name, activities of a project with roles
// whose places are pools of the shared capacity engine (internal/capacity), check-in and check-out
// by a rotating signed code or by location, service hours from actual attendance, the other
// records 民政部令第67号 names (training, awards, evaluations) and certificates anyone can verify.
//
// The rules and their sources are in docs/VOLUNTEERS.md.
package volunteers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/label"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Label is a code with its Chinese and English names (internal/label's, shared by every capability).
type Label = label.Label

// LabelOf returns the name of code among ls in lang, or the code itself.
func LabelOf(ls []Label, code, lang string) string { return label.Of(ls, code, lang) }

// Team kinds of the alliance.
const (
	TeamService = "team" // 志愿服务队, with a leader
	TeamUnit    = "unit" // 成员单位
)

// TeamKinds lists the kinds of the alliance's members.
var TeamKinds = []Label{{Code: TeamService, ZH: "志愿服务队", EN: "Volunteer team"}, {Code: TeamUnit, ZH: "成员单位", EN: "Member unit"}}

// Limits of what a request may carry.
const (
	MaxName     = 100
	MaxText     = 2000
	MaxRoles    = 20
	MaxPlaces   = 500
	MaxSkills   = 200
	MaxListRows = 500
)

// Service reads and changes a town's volunteer service. Every call is scoped to the caller's
// towns; a record of another town is not found.
type Service struct {
	DB *store.DB
	// Now is the clock; tests set it.
	Now workcal.Clock
}

// New returns a service on db.
func New(db *store.DB) *Service { return &Service{DB: db, Now: time.Now} }

func (s *Service) now() time.Time { return s.Now.Time() }

// MayManage reports whether u approves registrations, plans projects and activities, issues
// certificates and exports statistics (volunteers:manage).
func MayManage(u auth.User) bool { return u.Can(auth.PermVolunteersManage) }

// text checks a required or optional text field and its length.
func text(field, v string, required bool, max int) (string, error) {
	v = strings.TrimSpace(v)
	if required && v == "" {
		return "", problem.Field(field, "required")
	}
	if utf8.RuneCountInString(v) > max {
		return "", problem.Field(field, "at most %d characters", max)
	}
	return v, nil
}

// Alliance is a town's volunteer alliance, the issuing body of its certificates.
type Alliance struct {
	TownCode       string `json:"town"`
	Name           string `json:"name"`
	Issuer         string `json:"issuer"`
	PersonInCharge string `json:"person_in_charge"`
	Contact        string `json:"contact"`
}

// Team is a team or member unit of the alliance.
type Team struct {
	ID       int64  `json:"id"`
	TownCode string `json:"town"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Leader   string `json:"leader"`
}

// Project is a volunteer project of a grid.
type Project struct {
	ID          int64  `json:"id"`
	TownCode    string `json:"town"`
	GridCode    string `json:"grid,omitempty"`
	GridName    string `json:"grid_name,omitempty"`
	TeamID      int64  `json:"team_id,omitempty"`
	TeamName    string `json:"team_name,omitempty"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Activities  int    `json:"activities"`
	Minutes     int64  `json:"minutes"`
}

// GetAlliance returns the alliance of town.
func (s *Service) GetAlliance(ctx context.Context, towns []string, town string) (Alliance, error) {
	if !slices.Contains(towns, town) {
		return Alliance{}, problem.NotFound("alliance of %s", town)
	}
	a := Alliance{TownCode: town}
	err := s.DB.QueryRow(ctx, `SELECT name, issuer, person_in_charge, contact FROM vol_alliances WHERE town_code = ?`, town).
		Scan(&a.Name, &a.Issuer, &a.PersonInCharge, &a.Contact)
	if errors.Is(err, sql.ErrNoRows) {
		return Alliance{}, problem.NotFound("alliance of %s", town)
	}
	return a, err
}

// SetAlliance creates or replaces the alliance of a.TownCode.
func (s *Service) SetAlliance(ctx context.Context, towns []string, a Alliance, by audit.Actor) error {
	if !slices.Contains(towns, a.TownCode) {
		return problem.NotFound("town %s", a.TownCode)
	}
	var err error
	if a.Name, err = text("name", a.Name, true, MaxName); err != nil {
		return err
	}
	if a.Issuer, err = text("issuer", a.Issuer, true, MaxName); err != nil {
		return err
	}
	if a.PersonInCharge, err = text("person_in_charge", a.PersonInCharge, true, MaxName); err != nil {
		return err
	}
	if a.Contact, err = text("contact", a.Contact, true, MaxName); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO vol_alliances (town_code, name, issuer, person_in_charge, contact, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (town_code) DO UPDATE SET name = excluded.name, issuer = excluded.issuer, person_in_charge = excluded.person_in_charge, contact = excluded.contact`,
			a.TownCode, a.Name, a.Issuer, a.PersonInCharge, a.Contact, store.Millis(s.now())); err != nil {
			return err
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "vol_project", EntityID: "alliance", TownCode: a.TownCode, Detail: "alliance " + a.Name})
	})
}

// AddTeam adds a team or member unit to the alliance of town.
func (s *Service) AddTeam(ctx context.Context, towns []string, t Team, by audit.Actor) (Team, error) {
	if !slices.Contains(towns, t.TownCode) {
		return Team{}, problem.NotFound("town %s", t.TownCode)
	}
	if !label.Valid(TeamKinds, t.Kind) {
		return Team{}, problem.Field("kind", "one of team, unit")
	}
	var err error
	if t.Name, err = text("name", t.Name, true, MaxName); err != nil {
		return Team{}, err
	}
	if t.Leader, err = text("leader", t.Leader, false, MaxName); err != nil {
		return Team{}, err
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO vol_teams (town_code, kind, name, leader, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			t.TownCode, t.Kind, t.Name, t.Leader, store.Millis(s.now())).Scan(&t.ID); err != nil {
			if store.IsUniqueViolation(err) {
				return problem.Field("name", "a team or unit of that name exists")
			}
			return err
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "vol_project", EntityID: fmt.Sprintf("team %d", t.ID), TownCode: t.TownCode, Detail: t.Name})
	})
	return t, err
}

// Teams lists the teams and member units of towns.
func (s *Service) Teams(ctx context.Context, towns []string) ([]Team, error) {
	in, args := store.In("town_code", towns)
	return store.Collect(ctx, s.DB, func(r *sql.Rows) (Team, error) {
		var t Team
		return t, r.Scan(&t.ID, &t.TownCode, &t.Kind, &t.Name, &t.Leader)
	}, `SELECT id, town_code, kind, name, leader FROM vol_teams WHERE `+in+` ORDER BY kind, id`, args...)
}

// AddProject adds a volunteer project to a grid of town.
func (s *Service) AddProject(ctx context.Context, towns []string, p Project, by audit.Actor) (Project, error) {
	if !slices.Contains(towns, p.TownCode) {
		return Project{}, problem.NotFound("town %s", p.TownCode)
	}
	var err error
	if p.Name, err = text("name", p.Name, true, MaxName); err != nil {
		return Project{}, err
	}
	if p.Description, err = text("description", p.Description, false, MaxText); err != nil {
		return Project{}, err
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := checkGridTeam(ctx, tx, p.TownCode, p.GridCode, p.TeamID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO vol_projects (town_code, grid_code, team_id, name, description, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			p.TownCode, store.NullIfEmpty(p.GridCode), store.NullIfZero(p.TeamID), p.Name, p.Description, store.Millis(s.now())).Scan(&p.ID); err != nil {
			if store.IsUniqueViolation(err) {
				return problem.Field("name", "a project of that name exists")
			}
			return err
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "vol_project", EntityID: fmt.Sprint(p.ID), TownCode: p.TownCode, Detail: p.Name})
	})
	return p, err
}

// Projects lists the projects of towns with their activity counts and hours.
func (s *Service) Projects(ctx context.Context, towns []string) ([]Project, error) {
	in, args := store.In("p.town_code", towns)
	return store.Collect(ctx, s.DB, func(r *sql.Rows) (Project, error) {
		var p Project
		var grid, gname, tname sql.NullString
		var team sql.NullInt64
		err := r.Scan(&p.ID, &p.TownCode, &grid, &gname, &team, &tname, &p.Name, &p.Description, &p.Activities, &p.Minutes)
		p.GridCode, p.GridName, p.TeamID, p.TeamName = grid.String, gname.String, team.Int64, tname.String
		return p, err
	}, `SELECT p.id, p.town_code, p.grid_code, g.name, p.team_id, t.name, p.name, p.description,
		(SELECT COUNT(*) FROM vol_activities a WHERE a.project_id = p.id AND a.status <> 'cancelled'),
		(SELECT COALESCE(SUM(`+s.counted("t2")+`), 0) FROM vol_attendance t2 JOIN vol_activities a2 ON a2.id = t2.activity_id WHERE a2.project_id = p.id)
		FROM vol_projects p LEFT JOIN grids g ON g.code = p.grid_code LEFT JOIN vol_teams t ON t.id = p.team_id
		WHERE `+in+` ORDER BY p.id`, args...)
}

// day is the Shanghai calendar day of t.
func day(t time.Time) string { return t.In(workcal.Location()).Format("2006-01-02") }

// checkGridTeam checks that grid (when given) and team (when not 0) belong to town.
func checkGridTeam(ctx context.Context, q store.Querier, town, grid string, team int64) error {
	if grid != "" {
		var n int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM grids WHERE code = ? AND town_code = ?`, grid, town).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return problem.Field("grid", "no grid %s in the town", grid)
		}
	}
	if team != 0 {
		var n int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM vol_teams WHERE id = ? AND town_code = ?`, team, town).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return problem.Field("team_id", "no team %d in the town", team)
		}
	}
	return nil
}
