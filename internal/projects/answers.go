package projects

import (
	"context"
	"fmt"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Supported returns which of ids the user supports.
func (s *Service) Supported(ctx context.Context, user int64, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if user == 0 || len(ids) == 0 {
		return out, nil
	}
	args := []any{user}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := s.DB.Query(ctx, `SELECT proposal_id FROM project_supports WHERE user_id = ? AND proposal_id IN (`+store.Placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// Support records by's support of a proposal (one per person: the unique key refuses a second)
// and returns the proposal's support count. A merged proposal's supports belong to the kept one.
func (s *Service) Support(ctx context.Context, towns []string, id int64, by auth.User, on bool) (int, error) {
	if err := need(by, auth.PermProjectsPropose, "support livelihood projects"); err != nil {
		return 0, err
	}
	var n int
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		p, err := getProposal(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		if p.Status == StatusMerged {
			return problem.Field("proposal", "proposal %d was merged into %d: support that one", p.ID, p.MergedInto)
		}
		if on {
			_, err = tx.Exec(ctx, `INSERT INTO project_supports (proposal_id, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
				id, by.ID, s.now().UnixMilli())
		} else {
			_, err = tx.Exec(ctx, `DELETE FROM project_supports WHERE proposal_id = ? AND user_id = ?`, id, by.ID)
		}
		if err != nil {
			return err
		}
		return tx.QueryRow(ctx, `UPDATE project_proposals SET supports = (SELECT COUNT(*) FROM project_supports WHERE proposal_id = ?)
			WHERE id = ? RETURNING supports`, id, id).Scan(&n)
	})
	return n, err
}

// Reply is a staff answer to a proposal: accepted into the shortlist, or declined with a reason.
type Reply struct {
	Accept bool   `json:"accept"`
	Text   string `json:"text"`
}

// Answer records the town's answer to a proposal; the author sees it on their page and the
// public on the proposal's. An answer may be changed until the proposal is on a candidate list.
func (s *Service) Answer(ctx context.Context, towns []string, id int64, r Reply, by auth.User, actor audit.Actor) (Proposal, error) {
	if err := need(by, auth.PermProjectsManage, "answer proposals"); err != nil {
		return Proposal{}, err
	}
	txt, err := text("text", r.Text, MaxReply, !r.Accept)
	if err != nil {
		if !r.Accept {
			return Proposal{}, problem.Field("text", "a declined proposal needs the reason, in words its author understands")
		}
		return Proposal{}, err
	}
	var p Proposal
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if p, err = getProposal(ctx, tx, towns, id); err != nil {
			return err
		}
		if p.Status == StatusMerged {
			return problem.Field("proposal", "proposal %d was merged into %d; answer that one", p.ID, p.MergedInto)
		}
		var onList int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM project_candidates WHERE proposal_id = ?`, id).Scan(&onList); err != nil {
			return err
		}
		if onList > 0 && !r.Accept {
			return problem.Field("accept", "proposal %d is on a candidate list; take it off the list before declining it", id)
		}
		p.Status, p.Reply, p.RepliedAt = StatusDeclined, txt, s.now().In(workcal.Location())
		if r.Accept {
			p.Status = StatusAccepted
		}
		if _, err := tx.Exec(ctx, `UPDATE project_proposals SET status = ?, reply = ?, replied_by = ?, replied_at = ? WHERE id = ?`,
			p.Status, p.Reply, by.ID, p.RepliedAt.UnixMilli(), id); err != nil {
			return err
		}
		return actor.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "project_proposal", EntityID: fmt.Sprint(id),
			TownCode: p.TownCode, Detail: "answer: " + p.Status})
	})
	return p, err
}

// Merge merges the duplicate proposal from into the kept one: from points to into, is answered
// with a note naming it, and its supports move to into (a person who supported both counts once).
func (s *Service) Merge(ctx context.Context, towns []string, from, into int64, by auth.User, actor audit.Actor) (Proposal, error) {
	if err := need(by, auth.PermProjectsManage, "merge proposals"); err != nil {
		return Proposal{}, err
	}
	if from == into {
		return Proposal{}, problem.Field("into", "a proposal cannot be merged into itself")
	}
	var kept Proposal
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		dup, err := getProposal(ctx, tx, towns, from)
		if err != nil {
			return err
		}
		if kept, err = getProposal(ctx, tx, towns, into); err != nil {
			return problem.Field("into", "no proposal %d in your towns", into)
		}
		switch {
		case dup.TownCode != kept.TownCode:
			return problem.Field("into", "proposal %d is of another town", into)
		case dup.Status == StatusMerged:
			return problem.Field("proposal", "proposal %d was merged already (into %d)", from, dup.MergedInto)
		case kept.Status == StatusMerged:
			return problem.Field("into", "proposal %d was itself merged into %d; merge into that one", into, kept.MergedInto)
		}
		var onList int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM project_candidates WHERE proposal_id = ?`, from).Scan(&onList); err != nil {
			return err
		}
		if onList > 0 {
			return problem.Field("proposal", "proposal %d is on a candidate list and cannot be merged away", from)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO project_supports (proposal_id, user_id, created_at)
			SELECT ?, user_id, created_at FROM project_supports WHERE proposal_id = ? ON CONFLICT DO NOTHING`, into, from); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM project_supports WHERE proposal_id = ?`, from); err != nil {
			return err
		}
		now := s.now().UnixMilli()
		note := fmt.Sprintf("与第 %d 号建议“%s”内容相同，已合并办理。", into, kept.Title)
		if _, err := tx.Exec(ctx, `UPDATE project_proposals SET status = ?, merged_into = ?, supports = 0, reply = ?, replied_by = ?, replied_at = ?
			WHERE id = ?`, StatusMerged, into, note, by.ID, now, from); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `UPDATE project_proposals SET supports = (SELECT COUNT(*) FROM project_supports WHERE proposal_id = ?)
			WHERE id = ? RETURNING supports`, into, into).Scan(&kept.Supports); err != nil {
			return err
		}
		return actor.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "project_proposal", EntityID: fmt.Sprint(from),
			TownCode: dup.TownCode, Detail: fmt.Sprintf("merged into %d", into)})
	})
	return kept, err
}
