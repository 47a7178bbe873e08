package projects

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// newBallotID is a random id: ballots carry no sequence that could be matched to the order in
// which members voted.
func newBallotID() string { return followCode() + followCode() + followCode() }

func insertBallot(ctx context.Context, tx *store.Tx, session int64, round int, channel string, b Ballot, seats int, teller int64) (string, error) {
	id := newBallotID()
	if _, err := tx.Exec(ctx, `INSERT INTO project_ballots (id, session_id, round, channel, valid, entered_by) VALUES (?, ?, ?, ?, ?, ?)`,
		id, session, round, channel, store.Bool(b.Yeses() <= seats), store.NullIfZero(teller)); err != nil {
		return "", err
	}
	ids := make([]int64, 0, len(b))
	for p := range b {
		ids = append(ids, p)
	}
	slices.Sort(ids)
	for _, p := range ids {
		if _, err := tx.Exec(ctx, `INSERT INTO project_ballot_marks (ballot_id, proposal_id, choice) VALUES (?, ?, ?)`, id, p, b[p]); err != nil {
			return "", err
		}
	}
	return id, nil
}

// paperRoom is the round of a paper session that n more ballots may be entered into: not
// counted, and no more ballots entered than returned (or, before the tellers give the returned
// count, issued).
func paperRoom(x Session, round, n int) (*Round, error) {
	r, err := roundOf(x, round)
	if err != nil {
		return nil, err
	}
	switch {
	case x.Mode != ModePaper:
		return nil, problem.Field("mode", "this session votes electronically: members vote on their phones")
	case r.Status == RoundCounted:
		return nil, problem.Conflict("round %d is counted", round)
	case r.Returned > 0 && r.Entered+n > r.Returned:
		return nil, problem.Field("returned", "%d ballots returned and %d entered: no room for %d more in this round", r.Returned, r.Entered, n)
	case r.Entered+n > r.Issued:
		return nil, problem.Field("issued", "%d ballots issued and %d entered: no room for %d more in this round", r.Issued, r.Entered, n)
	}
	return r, nil
}

// EnterBallot stores one paper ballot as the tellers read it (the teller at the keyboard is
// recorded, the voter is not known). A ballot with more yes than seats is stored and counted as
// invalid.
func (s *Service) EnterBallot(ctx context.Context, towns []string, id int64, round int, b Ballot, by auth.User, actor audit.Actor) (string, error) {
	var bid string
	err := s.change(ctx, towns, id, by, actor, "enter paper ballots", func(tx *store.Tx, x Session) (string, error) {
		r, err := paperRoom(x, round, 1)
		if err != nil {
			return "", err
		}
		if err := CheckBallot(r.Candidates, b); err != nil {
			return "", err
		}
		bid, err = insertBallot(ctx, tx, id, round, ModePaper, b, r.Seats, by.ID)
		return fmt.Sprintf("round %d: paper ballot entered", round), err
	})
	return bid, err
}

// ErrVoted is the answer to a second vote by one member in one round.
var ErrVoted = problem.New(problem.ErrConflict, "", "you have voted in this round already: each member votes once")

// Member returns by's entry on the roll of a session's body, if any.
func (s *Service) memberOf(ctx context.Context, q store.Querier, x Session, by auth.User) (Member, bool, error) {
	var m Member
	err := q.QueryRow(ctx, `SELECT id, name FROM voting_members WHERE body_id = ? AND user_id = ? AND active = 1`, x.BodyID, by.ID).Scan(&m.ID, &m.Name)
	if errors.Is(err, sql.ErrNoRows) || by.ID == 0 {
		return m, false, nil
	}
	return m, err == nil, err
}

// Vote casts by's electronic ballot in the session's open round: once per member (the "has
// voted" roll, written in the same transaction as the anonymous ballot, refuses a second), only
// inside the round's window, and never with more yes than seats.
func (s *Service) Vote(ctx context.Context, towns []string, id int64, round int, b Ballot, by auth.User) error {
	if err := need(by, auth.PermProjectsVote, "vote"); err != nil {
		return err
	}
	now := s.now()
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		x, err := getSession(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		r, err := roundOf(x, round)
		if err != nil {
			return err
		}
		m, ok, err := s.memberOf(ctx, tx, x, by)
		if err != nil {
			return err
		}
		switch {
		case !ok:
			return problem.Forbidden("you are not on the roll of %s", x.BodyName)
		case x.Mode != ModeElectronic:
			return problem.Field("mode", "this session votes on paper ballots")
		case !r.OpenAt(now):
			return problem.Conflict("round %d is not open for votes now (%s – %s)", round, r.OpensAt.Format(time.DateTime), r.ClosesAt.Format(time.DateTime))
		}
		var present int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM project_present WHERE session_id = ? AND member_id = ?`, id, m.ID).Scan(&present); err != nil {
			return err
		}
		if present == 0 {
			return problem.Forbidden("you are not recorded as present at this session")
		}
		if err := CheckBallot(r.Candidates, b); err != nil {
			return err
		}
		if n := b.Yeses(); n > r.Seats {
			return problem.Field("marks", "%d yes votes; at most %d (the seats of this round) — the ballot would be invalid", n, r.Seats)
		}
		res, err := tx.Exec(ctx, `INSERT INTO project_voted (session_id, round, member_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, id, round, m.ID)
		if err != nil {
			if store.IsUniqueViolation(err) {
				return ErrVoted
			}
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrVoted
		}
		_, err = insertBallot(ctx, tx, id, round, ModeElectronic, b, r.Seats, 0)
		return err
	})
}

// HasVoted reports whether by is on the "has voted" roll of a round.
func (s *Service) HasVoted(ctx context.Context, x Session, round int, by auth.User) (bool, error) {
	m, ok, err := s.memberOf(ctx, s.DB, x, by)
	if err != nil || !ok {
		return false, err
	}
	var n int
	err = s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM project_voted WHERE session_id = ? AND round = ? AND member_id = ?`, x.ID, round, m.ID).Scan(&n)
	return n > 0, err
}

// OpenFor returns the sessions of towns whose current round takes by's electronic vote now.
func (s *Service) OpenFor(ctx context.Context, towns []string, by auth.User) ([]Session, error) {
	if !by.Can(auth.PermProjectsVote) {
		return nil, nil
	}
	where, args := store.In("l.town_code", towns)
	xs, err := each(ctx, s.DB, getSession, towns, `SELECT s.id FROM project_sessions s JOIN project_lists l ON l.id = s.list_id
		JOIN voting_members m ON m.body_id = s.body_id AND m.user_id = ? AND m.active = 1
		WHERE s.status = ? AND s.mode = ? AND `+where+` ORDER BY s.id`, append([]any{by.ID, SessionVoting, ModeElectronic}, args...)...)
	if err != nil {
		return nil, err
	}
	var out []Session
	now := s.now()
	for _, x := range xs {
		if r := x.Current(); r != nil && r.OpenAt(now) {
			out = append(out, x)
		}
	}
	return out, nil
}

// Close closes a round for votes. An electronic round's ballots issued are those present and
// returned the ballots cast.
func (s *Service) Close(ctx context.Context, towns []string, id int64, round int, by auth.User, actor audit.Actor) error {
	return s.change(ctx, towns, id, by, actor, "close ballots", func(tx *store.Tx, x Session) (string, error) {
		r, err := roundOf(x, round)
		if err != nil {
			return "", err
		}
		if r.Status != RoundOpen {
			return "", problem.Conflict("round %d is %s, not open", round, r.Status)
		}
		issued, returned := r.Issued, r.Returned
		if x.Mode == ModeElectronic {
			issued, returned = x.Present, r.Entered
		}
		closes := s.now()
		if r.ClosesAt.Before(closes) {
			closes = r.ClosesAt
		}
		_, err = tx.Exec(ctx, `UPDATE project_rounds SET status = ?, issued = ?, returned = ?, closes_at = ? WHERE session_id = ? AND round = ?`,
			RoundClosed, issued, returned, closes.UnixMilli(), id, round)
		return fmt.Sprintf("round %d closed", round), err
	})
}
