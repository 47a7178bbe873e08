package projects

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Ballots returns the stored ballots of a round: anonymous, in random id order.
func (s *Service) Ballots(ctx context.Context, towns []string, id int64, round int) ([]StoredBallot, error) {
	if _, err := getSession(ctx, s.DB, towns, id); err != nil {
		return nil, err
	}
	return ballots(ctx, s.DB, id, round)
}

// StoredBallot is a ballot as stored: its random id, channel, validity and choices. It holds
// nothing about who cast it.
type StoredBallot struct {
	ID      string `json:"id"`
	Channel string `json:"channel"`
	Valid   bool   `json:"valid"`
	Marks   Ballot `json:"marks"`
}

func ballots(ctx context.Context, q store.Querier, session int64, round int) ([]StoredBallot, error) {
	rows, err := q.Query(ctx, `SELECT b.id, b.channel, b.valid, COALESCE(m.proposal_id, 0), COALESCE(m.choice, '') FROM project_ballots b
		LEFT JOIN project_ballot_marks m ON m.ballot_id = b.id WHERE b.session_id = ? AND b.round = ? ORDER BY b.id, m.proposal_id`, session, round)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []StoredBallot{}
	for rows.Next() {
		var id, channel, choice string
		var valid int
		var p int64
		if err := rows.Scan(&id, &channel, &valid, &p, &choice); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].ID != id {
			out = append(out, StoredBallot{ID: id, Channel: channel, Valid: valid == 1, Marks: Ballot{}})
		}
		if p != 0 {
			out[len(out)-1].Marks[p] = choice
		}
	}
	return out, rows.Err()
}

func tallyRound(ctx context.Context, q store.Querier, x Session, r Round) (Tally, error) {
	bs, err := ballots(ctx, q, x.ID, r.Number)
	if err != nil {
		return Tally{}, err
	}
	marks := make([]Ballot, len(bs))
	for i, b := range bs {
		marks[i] = b.Marks
	}
	return Count(r.Candidates, r.Seats, x.Base(), marks), nil
}

// Count counts a closed round from its stored ballots and records the result. Candidates tied at
// the last seat get a new round of their own for the seats left (same rules, same window length);
// otherwise the session is counted and may be published.
func (s *Service) Count(ctx context.Context, towns []string, id int64, round int, by auth.User, actor audit.Actor) (Tally, error) {
	var t Tally
	now := s.now()
	err := s.change(ctx, towns, id, by, actor, "count ballots", func(tx *store.Tx, x Session) (string, error) {
		r, err := roundOf(x, round)
		if err != nil {
			return "", err
		}
		switch {
		case r.Status == RoundOpen:
			return "", problem.Conflict("round %d is still open: close it first", round)
		case r.Status == RoundCounted:
			return "", problem.Conflict("round %d is counted already", round)
		case !Quorate(x.Expected, x.Present, x.QuorumPct):
			return "", problem.Field("present", "quorum not met: %d of %d members present", x.Present, x.Expected)
		case r.Returned > r.Issued:
			return "", problem.Field("returned", "%d ballots returned but %d issued: the round is void and must be repeated", r.Returned, r.Issued)
		case x.Mode == ModePaper && r.Entered != r.Returned:
			return "", problem.Field("returned", "%d ballots returned but %d entered: enter every returned ballot before counting", r.Returned, r.Entered)
		}
		if t, err = tallyRound(ctx, tx, x, *r); err != nil {
			return "", err
		}
		for _, row := range t.Rows {
			if _, err := tx.Exec(ctx, `INSERT INTO project_results (session_id, round, proposal_id, yes, no, abstain, passed, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				id, round, row.ProposalID, row.Yes, row.No, row.Abstain, store.Bool(row.Passed), row.Outcome); err != nil {
				return "", err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE project_rounds SET status = ?, valid = ?, invalid = ? WHERE session_id = ? AND round = ?`,
			RoundCounted, t.Valid, t.Invalid, id, round); err != nil {
			return "", err
		}
		if len(t.Tied) > 0 {
			if err := openRound(ctx, tx, id, round+1, t.SeatsLeft, t.Tied, now, now.Add(r.ClosesAt.Sub(r.OpensAt)), x); err != nil {
				return "", err
			}
			return fmt.Sprintf("round %d counted: %d chosen, %d tied for %d seats: re-vote in round %d", round, len(t.Chosen), len(t.Tied), t.SeatsLeft, round+1), nil
		}
		if _, err := tx.Exec(ctx, `UPDATE project_sessions SET status = ? WHERE id = ?`, SessionCounted, id); err != nil {
			return "", err
		}
		return fmt.Sprintf("round %d counted: %d chosen", round, len(t.Chosen)), nil
	})
	return t, err
}

// Recounted is a recount of a session: each counted round's result as the stored ballots give it
// now, and whether it equals the recorded (published) one.
type Recounted struct {
	Session int64          `json:"session_id"`
	Rounds  []RoundRecount `json:"rounds"`
	Match   bool           `json:"match"`
}

// RoundRecount is one round's recount.
type RoundRecount struct {
	Round      int      `json:"round"`
	Tally      Tally    `json:"tally"`
	Stored     []Row    `json:"stored"`
	Match      bool     `json:"match"`
	Difference []string `json:"difference,omitempty"`
}

// Recount recomputes every counted round of a session from its stored ballots and compares the
// result with the recorded one. Anyone who may read the session may recount it.
func (s *Service) Recount(ctx context.Context, towns []string, id int64) (Recounted, error) {
	x, err := getSession(ctx, s.DB, towns, id)
	if err != nil {
		return Recounted{}, err
	}
	out := Recounted{Session: id, Match: true, Rounds: []RoundRecount{}}
	for _, r := range x.Rounds {
		if r.Status != RoundCounted {
			continue
		}
		t, err := tallyRound(ctx, s.DB, x, r)
		if err != nil {
			return out, err
		}
		rr := RoundRecount{Round: r.Number, Tally: t, Stored: r.Results, Match: true}
		stored := map[int64]Row{}
		for _, row := range r.Results {
			stored[row.ProposalID] = row
		}
		if t.Valid != r.Valid || t.Invalid != r.Invalid {
			rr.Difference = append(rr.Difference, fmt.Sprintf("valid/invalid %d/%d recorded, %d/%d recounted", r.Valid, r.Invalid, t.Valid, t.Invalid))
		}
		for _, row := range t.Rows {
			if st, ok := stored[row.ProposalID]; !ok || st != row {
				rr.Difference = append(rr.Difference, fmt.Sprintf("project %d: recorded %+v, recounted %+v", row.ProposalID, st, row))
			}
		}
		if len(t.Rows) != len(r.Results) {
			rr.Difference = append(rr.Difference, fmt.Sprintf("%d rows recorded, %d recounted", len(r.Results), len(t.Rows)))
		}
		rr.Match = len(rr.Difference) == 0
		out.Match = out.Match && rr.Match
		out.Rounds = append(out.Rounds, rr)
	}
	return out, nil
}

// ChosenOf returns the projects a counted session chose, in list order.
func (s *Service) ChosenOf(ctx context.Context, towns []string, id int64) ([]Chosen, error) {
	x, err := getSession(ctx, s.DB, towns, id)
	if err != nil {
		return nil, err
	}
	return chosenOf(ctx, s.DB, x)
}

func chosenOf(ctx context.Context, q store.Querier, x Session) ([]Chosen, error) {
	rows, err := q.Query(ctx, `SELECT p.id, p.title, p.description, p.category, COALESCE(c.department_code, ''), c.budget, COALESCE(p.grid_code, ''),
		COALESCE(p.lat, 0), COALESCE(p.lng, 0)
		FROM project_results r JOIN project_proposals p ON p.id = r.proposal_id
		JOIN project_candidates c ON c.list_id = ? AND c.proposal_id = r.proposal_id
		WHERE r.session_id = ? AND r.outcome = ? ORDER BY c.position, p.id`, x.ListID, x.ID, OutcomeChosen)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Chosen{}
	for rows.Next() {
		c := Chosen{Town: x.TownCode, Year: x.Year, SessionID: x.ID}
		if err := rows.Scan(&c.ProjectID, &c.Title, &c.Description, &c.Category, &c.Department, &c.Budget, &c.Grid, &c.Lat, &c.Lon); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Publish publishes a counted session's result on the portal and hands the chosen projects to
// the OnChosen hooks inside the same transaction.
func (s *Service) Publish(ctx context.Context, towns []string, id int64, by auth.User, actor audit.Actor) ([]Chosen, error) {
	var chosen []Chosen
	err := s.change(ctx, towns, id, by, actor, "publish results", func(tx *store.Tx, x Session) (string, error) {
		if x.Status != SessionCounted {
			return "", problem.Conflict("the session is %s: only a counted session is published", x.Status)
		}
		var err error
		if chosen, err = chosenOf(ctx, tx, x); err != nil {
			return "", err
		}
		at := s.now()
		for i := range chosen {
			chosen[i].PublishedAt = at
		}
		if _, err := tx.Exec(ctx, `UPDATE project_sessions SET status = ?, published_at = ? WHERE id = ?`, SessionPublished, at.UnixMilli(), id); err != nil {
			return "", err
		}
		if err := runHooks(ctx, tx, chosen); err != nil {
			return "", fmt.Errorf("publish session %d: %w", id, err)
		}
		titles := make([]string, len(chosen))
		for i, c := range chosen {
			titles[i] = c.Title
		}
		return "published: " + strings.Join(titles, "、"), nil
	})
	return chosen, err
}

// Published returns the published sessions of a town, newest year first (the portal's list).
func (s *Service) Published(ctx context.Context, towns []string) ([]Session, error) {
	all, err := s.Sessions(ctx, towns)
	if err != nil {
		return nil, err
	}
	out := []Session{}
	for _, x := range all {
		if x.Status == SessionPublished {
			out = append(out, x)
		}
	}
	slices.SortStableFunc(out, func(a, b Session) int { return b.Year - a.Year })
	return out, nil
}
