package projects

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
)

// List is a town's candidate list for a year (候选项目清单).
type List struct {
	ID         int64       `json:"id"`
	TownCode   string      `json:"town"`
	Year       int         `json:"year"`
	Seats      int         `json:"seats"`
	MinRatio   int         `json:"min_ratio"` // hundredths: 120 = 1.2
	Frozen     bool        `json:"frozen"`    // a ballot has opened on it: it no longer changes
	CreatedAt  time.Time   `json:"created_at"`
	Candidates []Candidate `json:"candidates"`
}

// Candidate is a proposal on a candidate list, with its owner department and budget.
type Candidate struct {
	ProposalID  int64    `json:"project_id"`
	Position    int      `json:"position"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Category    string   `json:"category"`
	Department  string   `json:"department,omitempty"`
	DeptName    string   `json:"department_name,omitempty"`
	Budget      int64    `json:"budget"` // yuan
	Grid        string   `json:"grid,omitempty"`
	Lat         *float64 `json:"lat,omitempty"`
	Lng         *float64 `json:"lng,omitempty"`
}

// NewList is what a manager submits to form a list.
type NewList struct {
	TownCode string `json:"town"`
	Year     int    `json:"year"`
	Seats    int    `json:"seats"`
	MinRatio int    `json:"min_ratio"` // 0: 120
}

// CreateList forms a town's candidate list for a year; one list per town and year.
func (s *Service) CreateList(ctx context.Context, towns []string, n NewList, by auth.User, actor audit.Actor) (List, error) {
	if err := need(by, auth.PermProjectsManage, "form candidate lists"); err != nil {
		return List{}, err
	}
	n.TownCode = strings.TrimSpace(n.TownCode)
	if n.TownCode == "" && len(towns) == 1 {
		n.TownCode = towns[0]
	}
	if n.MinRatio == 0 {
		n.MinRatio = 120
	}
	switch {
	case !slices.Contains(towns, n.TownCode):
		return List{}, problem.Field("town", "%q is not one of your towns", n.TownCode)
	case n.Year < 2000 || n.Year > 2100:
		return List{}, problem.Field("year", "%d is not a year", n.Year)
	case n.Seats < 1 || n.Seats > MaxCandidates:
		return List{}, problem.Field("seats", "%d: between 1 and %d", n.Seats, MaxCandidates)
	case n.MinRatio < 101 || n.MinRatio > 300:
		return List{}, problem.Field("min_ratio", "%d hundredths: a 差额 ratio is between 1.01 and 3.00", n.MinRatio)
	}
	l := List{TownCode: n.TownCode, Year: n.Year, Seats: n.Seats, MinRatio: n.MinRatio, CreatedAt: s.now(), Candidates: []Candidate{}}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO project_lists (town_code, year, seats, min_ratio, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING RETURNING id`, l.TownCode, l.Year, l.Seats, l.MinRatio, store.NullIfZero(by.ID), l.CreatedAt.UnixMilli()).Scan(&l.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return problem.Field("year", "the town has a candidate list for %d already", l.Year)
		}
		if err != nil {
			return err
		}
		return actor.Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "project_list", EntityID: fmt.Sprint(l.ID),
			TownCode: l.TownCode, Detail: fmt.Sprintf("%d: %d seats, ratio %s", l.Year, l.Seats, ratioText(l.MinRatio))})
	})
	return l, err
}

// UpdateList changes a list's seats and ratio while no session has opened a ballot on it.
func (s *Service) UpdateList(ctx context.Context, towns []string, id int64, seats, ratio int, by auth.User, actor audit.Actor) (List, error) {
	if err := need(by, auth.PermProjectsManage, "change candidate lists"); err != nil {
		return List{}, err
	}
	if seats < 1 || seats > MaxCandidates {
		return List{}, problem.Field("seats", "%d: between 1 and %d", seats, MaxCandidates)
	}
	if ratio < 101 || ratio > 300 {
		return List{}, problem.Field("min_ratio", "%d hundredths: a 差额 ratio is between 1.01 and 3.00", ratio)
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		l, err := getList(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		if err := listFrozen(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE project_lists SET seats = ?, min_ratio = ? WHERE id = ?`, seats, ratio, id); err != nil {
			return err
		}
		return actor.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "project_list", EntityID: fmt.Sprint(id),
			TownCode: l.TownCode, Detail: fmt.Sprintf("%d seats, ratio %s", seats, ratioText(ratio))})
	})
	if err != nil {
		return List{}, err
	}
	return s.GetList(ctx, towns, id)
}

// listFrozen refuses changes to a list a ballot has opened on.
func listFrozen(ctx context.Context, q store.Querier, id int64) error {
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM project_sessions WHERE list_id = ? AND status <> ?`, id, SessionDraft).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return problem.Conflict("a ballot on this candidate list has opened: the list can no longer change")
	}
	return nil
}

// SetCandidate puts an accepted proposal on a list (or updates its department and budget).
func (s *Service) SetCandidate(ctx context.Context, towns []string, listID int64, c Candidate, by auth.User, actor audit.Actor) error {
	if err := need(by, auth.PermProjectsManage, "form candidate lists"); err != nil {
		return err
	}
	if c.Budget < 0 || c.Budget > MaxCost {
		return problem.Field("budget", "%d yuan is out of range", c.Budget)
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		l, err := getList(ctx, tx, towns, listID)
		if err != nil {
			return err
		}
		if err := listFrozen(ctx, tx, listID); err != nil {
			return err
		}
		p, err := getProposal(ctx, tx, []string{l.TownCode}, c.ProposalID)
		if err != nil {
			return problem.Field("project_id", "no proposal %d in the list's town", c.ProposalID)
		}
		if p.Status != StatusAccepted {
			return problem.Field("project_id", "proposal %d is %s: answer it as accepted into the shortlist first", p.ID, p.Status)
		}
		if c.Department != "" {
			var one int
			if err := tx.QueryRow(ctx, `SELECT 1 FROM departments WHERE code = ? AND town_code = ?`, c.Department, l.TownCode).Scan(&one); err != nil {
				return problem.Field("department", "no department %q in this town", c.Department)
			}
		}
		if c.Budget == 0 {
			c.Budget = p.EstCost
			for _, a := range p.Appraisals {
				if a.Cost > 0 {
					c.Budget = a.Cost
				}
			}
		}
		if len(l.Candidates) >= MaxCandidates && !slices.ContainsFunc(l.Candidates, func(x Candidate) bool { return x.ProposalID == p.ID }) {
			return problem.Field("project_id", "the list has %d candidates already, the most it may have", MaxCandidates)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO project_candidates (list_id, proposal_id, position, department_code, budget) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (list_id, proposal_id) DO UPDATE SET department_code = excluded.department_code, budget = excluded.budget`,
			listID, p.ID, len(l.Candidates)+1, store.NullIfEmpty(c.Department), c.Budget); err != nil {
			return err
		}
		return actor.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "project_list", EntityID: fmt.Sprint(listID),
			TownCode: l.TownCode, Detail: fmt.Sprintf("candidate %d", p.ID)})
	})
}

// RemoveCandidate takes a proposal off a list before any ballot opened on it.
func (s *Service) RemoveCandidate(ctx context.Context, towns []string, listID, proposal int64, by auth.User, actor audit.Actor) error {
	if err := need(by, auth.PermProjectsManage, "form candidate lists"); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		l, err := getList(ctx, tx, towns, listID)
		if err != nil {
			return err
		}
		if err := listFrozen(ctx, tx, listID); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `DELETE FROM project_candidates WHERE list_id = ? AND proposal_id = ?`, listID, proposal)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return problem.NotFound("candidate %d on list %d", proposal, listID)
		}
		return actor.Record(ctx, tx, audit.Entry{Action: audit.ActionDelete, Entity: "project_list", EntityID: fmt.Sprint(listID),
			TownCode: l.TownCode, Detail: fmt.Sprintf("candidate %d", proposal)})
	})
}

// GetList returns a list of one of towns with its candidates in order.
func (s *Service) GetList(ctx context.Context, towns []string, id int64) (List, error) {
	return getList(ctx, s.DB, towns, id)
}

// ListFor returns the list of a town and year.
func (s *Service) ListFor(ctx context.Context, town string, year int) (List, error) {
	var id int64
	err := s.DB.QueryRow(ctx, `SELECT id FROM project_lists WHERE town_code = ? AND year = ?`, town, year).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return List{}, problem.NotFound("candidate list %d", year)
	}
	if err != nil {
		return List{}, err
	}
	return getList(ctx, s.DB, []string{town}, id)
}

func getList(ctx context.Context, q store.Querier, towns []string, id int64) (List, error) {
	where, args := store.In("town_code", towns)
	var l List
	var created int64
	err := q.QueryRow(ctx, `SELECT id, town_code, year, seats, min_ratio, created_at FROM project_lists WHERE id = ? AND `+where,
		append([]any{id}, args...)...).Scan(&l.ID, &l.TownCode, &l.Year, &l.Seats, &l.MinRatio, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return l, problem.NotFound("candidate list %d", id)
	}
	if err != nil {
		return l, err
	}
	l.CreatedAt = time.UnixMilli(created)
	l.Frozen = errors.Is(listFrozen(ctx, q, id), problem.ErrConflict)
	rows, err := q.Query(ctx, `SELECT c.proposal_id, c.position, p.title, p.description, p.category, COALESCE(c.department_code, ''),
		COALESCE(d.name, ''), c.budget, COALESCE(p.grid_code, ''), p.lat, p.lng
		FROM project_candidates c JOIN project_proposals p ON p.id = c.proposal_id LEFT JOIN departments d ON d.code = c.department_code
		WHERE c.list_id = ? ORDER BY c.position, c.proposal_id`, id)
	if err != nil {
		return l, err
	}
	defer rows.Close()
	l.Candidates = []Candidate{}
	for rows.Next() {
		var c Candidate
		var lat, lng sql.NullFloat64
		if err := rows.Scan(&c.ProposalID, &c.Position, &c.Title, &c.Description, &c.Category, &c.Department, &c.DeptName, &c.Budget,
			&c.Grid, &lat, &lng); err != nil {
			return l, err
		}
		if lat.Valid && lng.Valid {
			c.Lat, c.Lng = &lat.Float64, &lng.Float64
		}
		l.Candidates = append(l.Candidates, c)
	}
	for i := range l.Candidates {
		l.Candidates[i].Position = i + 1
	}
	return l, rows.Err()
}

// Lists returns the lists of towns, newest year first.
func (s *Service) Lists(ctx context.Context, towns []string) ([]List, error) {
	where, args := store.In("town_code", towns)
	return each(ctx, s.DB, getList, towns, `SELECT id FROM project_lists WHERE `+where+` ORDER BY year DESC, id DESC LIMIT 100`, args...)
}
