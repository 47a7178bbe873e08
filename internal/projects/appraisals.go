package projects

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/label"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Appraisal is a department's appraisal of a proposal (部门论证).
type Appraisal struct {
	ID          int64     `json:"id"`
	ProposalID  int64     `json:"project_id"`
	Department  string    `json:"department"`
	DeptName    string    `json:"department_name"`
	Feasibility string    `json:"feasibility"`
	Cost        int64     `json:"cost"` // yuan
	Note        string    `json:"note"`
	Attachment  string    `json:"attachment,omitempty"` // an upload id
	At          time.Time `json:"at"`
}

func appraisals(ctx context.Context, q store.Querier, id int64) ([]Appraisal, error) {
	rows, err := q.Query(ctx, `SELECT a.id, a.proposal_id, a.department_code, d.name, a.feasibility, a.cost, a.note, a.attachment, a.at
		FROM project_appraisals a JOIN departments d ON d.code = a.department_code WHERE a.proposal_id = ? ORDER BY a.at, a.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Appraisal{}
	for rows.Next() {
		var a Appraisal
		var at int64
		if err := rows.Scan(&a.ID, &a.ProposalID, &a.Department, &a.DeptName, &a.Feasibility, &a.Cost, &a.Note, &a.Attachment, &at); err != nil {
			return nil, err
		}
		a.At = time.UnixMilli(at).In(workcal.Location())
		out = append(out, a)
	}
	return out, rows.Err()
}

// Appraise records (or replaces) by's department's appraisal of a proposal. A manager may
// appraise for a department they name.
func (s *Service) Appraise(ctx context.Context, towns []string, id int64, a Appraisal, by auth.User, actor audit.Actor) (Appraisal, error) {
	if err := need(by, auth.PermProjectsAppraise, "appraise proposals"); err != nil {
		return a, err
	}
	a.ProposalID = id
	if a.Department == "" || !by.Can(auth.PermProjectsManage) {
		a.Department = by.DepartmentCode
	}
	if a.Department == "" {
		return a, problem.Field("department", "an appraisal is a department's: your account names no department")
	}
	if !label.Valid(Feasibilities, a.Feasibility) {
		return a, problem.Field("feasibility", "unknown %q; one of %s", a.Feasibility, label.Codes(Feasibilities))
	}
	if a.Cost < 0 || a.Cost > MaxCost {
		return a, problem.Field("cost", "%d yuan is out of range", a.Cost)
	}
	var err error
	if a.Note, err = text("note", a.Note, MaxText, a.Feasibility != "feasible"); err != nil {
		return a, err
	}
	a.At = s.now()
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		p, err := getProposal(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		if p.Status == StatusMerged {
			return problem.Field("proposal", "proposal %d was merged into %d; appraise that one", id, p.MergedInto)
		}
		if err := tx.QueryRow(ctx, `SELECT name FROM departments WHERE code = ? AND town_code = ?`, a.Department, p.TownCode).Scan(&a.DeptName); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return problem.Field("department", "no department %q in this town", a.Department)
			}
			return err
		}
		if a.Attachment != "" {
			var one int
			if err := tx.QueryRow(ctx, `SELECT 1 FROM uploads WHERE town_code = ? AND id = ?`, p.TownCode, a.Attachment).Scan(&one); err != nil {
				return problem.Field("attachment", "was not uploaded to this town")
			}
		}
		err = tx.QueryRow(ctx, `INSERT INTO project_appraisals (proposal_id, department_code, feasibility, cost, note, attachment, by_id, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (proposal_id, department_code) DO UPDATE SET feasibility = excluded.feasibility, cost = excluded.cost,
				note = excluded.note, attachment = excluded.attachment, by_id = excluded.by_id, at = excluded.at
			RETURNING id`, id, a.Department, a.Feasibility, a.Cost, a.Note, a.Attachment, by.ID, a.At.UnixMilli()).Scan(&a.ID)
		if err != nil {
			return err
		}
		return actor.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "project_proposal", EntityID: fmt.Sprint(id),
			TownCode: p.TownCode, Detail: "appraisal " + a.Department + ": " + a.Feasibility})
	})
	return a, err
}
