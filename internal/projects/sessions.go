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
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Session is a ballot session of a voting body on a candidate list (票决会议).
type Session struct {
	ID          int64     `json:"id"`
	ListID      int64     `json:"list_id"`
	TownCode    string    `json:"town"`
	Year        int       `json:"year"`
	BodyID      int64     `json:"body_id"`
	BodyName    string    `json:"body_name"`
	Name        string    `json:"name"`
	Mode        string    `json:"mode"`
	QuorumPct   int       `json:"quorum_pct"`
	PassBase    string    `json:"pass_base"`
	Members     int       `json:"members"`  // active members on the roll now
	Expected    int       `json:"expected"` // 应到: the roll when the ballot opened
	Present     int       `json:"present"`  // 实到
	Status      string    `json:"status"`
	Teller1     string    `json:"teller1"`
	Teller2     string    `json:"teller2"`
	Scrutineer  string    `json:"scrutineer"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	CreatedAt   time.Time `json:"created_at"`
	Rounds      []Round   `json:"rounds"`
}

// Round is one round of a session.
type Round struct {
	Number     int       `json:"round"`
	Seats      int       `json:"seats"`
	Status     string    `json:"status"`
	Issued     int       `json:"issued"`   // 发出票数
	Returned   int       `json:"returned"` // 收回票数
	Valid      int       `json:"valid"`
	Invalid    int       `json:"invalid"`
	Entered    int       `json:"entered"` // ballots stored so far
	Voted      int       `json:"voted"`   // members on the "has voted" roll (electronic)
	OpensAt    time.Time `json:"opens_at"`
	ClosesAt   time.Time `json:"closes_at"`
	Candidates []int64   `json:"candidates"`
	Results    []Row     `json:"results,omitempty"` // once counted, most yes first
}

// OpenAt reports whether electronic votes are taken at t.
func (r Round) OpenAt(t time.Time) bool {
	return r.Status == RoundOpen && !t.Before(r.OpensAt) && t.Before(r.ClosesAt)
}

// Current is the session's last round, or nil.
func (s Session) Current() *Round {
	if len(s.Rounds) == 0 {
		return nil
	}
	return &s.Rounds[len(s.Rounds)-1]
}

// Base is the number of members the majority is counted of.
func (s Session) Base() int {
	if s.PassBase == BasePresent {
		return s.Present
	}
	return s.Expected
}

// NewSession is what a manager submits to set up a ballot.
type NewSession struct {
	ListID    int64  `json:"list_id"`
	BodyID    int64  `json:"body_id"`
	Name      string `json:"name"`
	Mode      string `json:"mode"`
	QuorumPct int    `json:"quorum_pct"` // 0: 50 (more than half)
	PassBase  string `json:"pass_base"`  // "": all
}

// CreateSession sets up a ballot session of a body on a list.
func (s *Service) CreateSession(ctx context.Context, towns []string, n NewSession, by auth.User, actor audit.Actor) (Session, error) {
	if err := need(by, auth.PermProjectsManage, "set up ballots"); err != nil {
		return Session{}, err
	}
	if n.QuorumPct == 0 {
		n.QuorumPct = 50
	}
	if n.PassBase == "" {
		n.PassBase = BaseAll
	}
	name, err := text("name", n.Name, MaxSessionName, true)
	if err != nil {
		return Session{}, err
	}
	switch {
	case !valid(Modes, n.Mode):
		return Session{}, problem.Field("mode", "unknown %q; one of %s", n.Mode, codes(Modes))
	case n.QuorumPct < 50 || n.QuorumPct > 99:
		return Session{}, problem.Field("quorum_pct", "%d: more than 50 to 99 per cent of the members must be present", n.QuorumPct)
	case !valid(Bases, n.PassBase):
		return Session{}, problem.Field("pass_base", "unknown %q; one of %s", n.PassBase, codes(Bases))
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		l, err := getList(ctx, tx, towns, n.ListID)
		if err != nil {
			return problem.Field("list_id", "no candidate list %d in your towns", n.ListID)
		}
		b, err := getBody(ctx, tx, []string{l.TownCode}, n.BodyID)
		if err != nil {
			return problem.Field("body_id", "no voting body %d in the list's town", n.BodyID)
		}
		if err := tx.QueryRow(ctx, `INSERT INTO project_sessions (list_id, body_id, name, mode, quorum_pct, pass_base, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, l.ID, b.ID, name, n.Mode, n.QuorumPct, n.PassBase, store.NullIfZero(by.ID),
			s.now().UnixMilli()).Scan(&id); err != nil {
			return err
		}
		return actor.Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "project_session", EntityID: fmt.Sprint(id),
			TownCode: l.TownCode, Detail: name})
	})
	if err != nil {
		return Session{}, err
	}
	return s.GetSession(ctx, towns, id)
}

// GetSession returns a session of one of towns with its rounds and counts.
func (s *Service) GetSession(ctx context.Context, towns []string, id int64) (Session, error) {
	return getSession(ctx, s.DB, towns, id)
}

func getSession(ctx context.Context, q store.Querier, towns []string, id int64) (Session, error) {
	where, args := store.In("l.town_code", towns)
	var x Session
	var published sql.NullInt64
	var created int64
	err := q.QueryRow(ctx, `SELECT s.id, s.list_id, l.town_code, l.year, s.body_id, b.name, s.name, s.mode, s.quorum_pct, s.pass_base, s.expected,
		s.status, s.teller1, s.teller2, s.scrutineer, s.published_at, s.created_at,
		(SELECT COUNT(*) FROM project_present p WHERE p.session_id = s.id),
		(SELECT COUNT(*) FROM voting_members m WHERE m.body_id = s.body_id AND m.active = 1)
		FROM project_sessions s JOIN project_lists l ON l.id = s.list_id JOIN voting_bodies b ON b.id = s.body_id
		WHERE s.id = ? AND `+where, append([]any{id}, args...)...).Scan(&x.ID, &x.ListID, &x.TownCode, &x.Year, &x.BodyID, &x.BodyName, &x.Name,
		&x.Mode, &x.QuorumPct, &x.PassBase, &x.Expected, &x.Status, &x.Teller1, &x.Teller2, &x.Scrutineer, &published, &created, &x.Present, &x.Members)
	if errors.Is(err, sql.ErrNoRows) {
		return x, problem.NotFound("ballot session %d", id)
	}
	if err != nil {
		return x, err
	}
	if published.Valid {
		x.PublishedAt = time.UnixMilli(published.Int64).In(workcal.Location())
	}
	x.CreatedAt = time.UnixMilli(created)
	if x.Status == SessionDraft {
		x.Expected = x.Members
	}
	rows, err := q.Query(ctx, `SELECT r.round, r.seats, r.status, r.issued, r.returned, r.valid, r.invalid, r.opens_at, r.closes_at,
		(SELECT COUNT(*) FROM project_ballots b WHERE b.session_id = r.session_id AND b.round = r.round),
		(SELECT COUNT(*) FROM project_voted v WHERE v.session_id = r.session_id AND v.round = r.round)
		FROM project_rounds r WHERE r.session_id = ? ORDER BY r.round`, id)
	if err != nil {
		return x, err
	}
	for rows.Next() {
		var r Round
		var opens, closes int64
		if err := rows.Scan(&r.Number, &r.Seats, &r.Status, &r.Issued, &r.Returned, &r.Valid, &r.Invalid, &opens, &closes, &r.Entered, &r.Voted); err != nil {
			rows.Close()
			return x, err
		}
		r.OpensAt, r.ClosesAt = time.UnixMilli(opens).In(workcal.Location()), time.UnixMilli(closes).In(workcal.Location())
		x.Rounds = append(x.Rounds, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return x, err
	}
	for i := range x.Rounds {
		r := &x.Rounds[i]
		if r.Candidates, err = roundCandidates(ctx, q, id, r.Number); err != nil {
			return x, err
		}
		if r.Status == RoundCounted {
			if r.Results, err = storedResults(ctx, q, id, r.Number); err != nil {
				return x, err
			}
		}
	}
	return x, nil
}

func roundCandidates(ctx context.Context, q store.Querier, session int64, round int) ([]int64, error) {
	rows, err := q.Query(ctx, `SELECT rc.proposal_id FROM project_round_candidates rc
		JOIN project_sessions s ON s.id = rc.session_id
		LEFT JOIN project_candidates c ON c.list_id = s.list_id AND c.proposal_id = rc.proposal_id
		WHERE rc.session_id = ? AND rc.round = ? ORDER BY COALESCE(c.position, 0), rc.proposal_id`, session, round)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func storedResults(ctx context.Context, q store.Querier, session int64, round int) ([]Row, error) {
	rows, err := q.Query(ctx, `SELECT r.proposal_id, r.yes, r.no, r.abstain, r.passed, r.outcome FROM project_results r
		JOIN project_sessions s ON s.id = r.session_id
		LEFT JOIN project_candidates c ON c.list_id = s.list_id AND c.proposal_id = r.proposal_id
		WHERE r.session_id = ? AND r.round = ? ORDER BY r.yes DESC, COALESCE(c.position, 0), r.proposal_id`, session, round)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Row{}
	for rows.Next() {
		var r Row
		var passed int
		if err := rows.Scan(&r.ProposalID, &r.Yes, &r.No, &r.Abstain, &passed, &r.Outcome); err != nil {
			return nil, err
		}
		r.Passed = passed == 1
		out = append(out, r)
	}
	return out, rows.Err()
}

// Sessions returns the sessions of towns, newest first.
func (s *Service) Sessions(ctx context.Context, towns []string) ([]Session, error) {
	where, args := store.In("l.town_code", towns)
	rows, err := s.DB.Query(ctx, `SELECT s.id FROM project_sessions s JOIN project_lists l ON l.id = s.list_id WHERE `+where+
		` ORDER BY s.id DESC LIMIT 100`, args...)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := []Session{}
	for _, id := range ids {
		x, err := getSession(ctx, s.DB, towns, id)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// change runs fn on a session of towns inside one transaction, with the manager check and an
// audit row.
func (s *Service) change(ctx context.Context, towns []string, id int64, by auth.User, actor audit.Actor, what string,
	fn func(tx *store.Tx, x Session) (detail string, err error)) error {
	if err := need(by, auth.PermProjectsManage, what); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		x, err := getSession(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		detail, err := fn(tx, x)
		if err != nil {
			return err
		}
		return actor.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "project_session", EntityID: fmt.Sprint(id),
			TownCode: x.TownCode, Detail: detail})
	})
}

// SetTellers records the two tellers (计票人) and the scrutineer (监票人) of a session.
func (s *Service) SetTellers(ctx context.Context, towns []string, id int64, t1, t2, scrutineer string, by auth.User, actor audit.Actor) error {
	names := []*string{&t1, &t2, &scrutineer}
	for i, f := range []string{"teller1", "teller2", "scrutineer"} {
		v, err := text(f, *names[i], MaxNameLen, true)
		if err != nil {
			return err
		}
		*names[i] = v
	}
	if t1 == t2 {
		return problem.Field("teller2", "the two tellers must be two people")
	}
	if scrutineer == t1 || scrutineer == t2 {
		return problem.Field("scrutineer", "the scrutineer may not be one of the tellers")
	}
	return s.change(ctx, towns, id, by, actor, "record tellers", func(tx *store.Tx, x Session) (string, error) {
		if x.Status == SessionPublished || x.Status == SessionCounted {
			return "", problem.Conflict("the session is %s: its tellers are on the record", x.Status)
		}
		_, err := tx.Exec(ctx, `UPDATE project_sessions SET teller1 = ?, teller2 = ?, scrutineer = ? WHERE id = ?`, t1, t2, scrutineer, id)
		return "tellers " + t1 + ", " + t2 + "; scrutineer " + scrutineer, err
	})
}

// SetPresent records who is present (实到) before the ballot opens.
func (s *Service) SetPresent(ctx context.Context, towns []string, id int64, members []int64, by auth.User, actor audit.Actor) error {
	if len(members) > MaxMembers {
		return problem.Field("present", "%d members; a roll has at most %d", len(members), MaxMembers)
	}
	return s.change(ctx, towns, id, by, actor, "record attendance", func(tx *store.Tx, x Session) (string, error) {
		if x.Status != SessionDraft {
			return "", problem.Conflict("the ballot has opened: attendance is fixed")
		}
		if _, err := tx.Exec(ctx, `DELETE FROM project_present WHERE session_id = ?`, id); err != nil {
			return "", err
		}
		seen := map[int64]bool{}
		for i, m := range members {
			if seen[m] {
				continue
			}
			seen[m] = true
			res, err := tx.Exec(ctx, `INSERT INTO project_present (session_id, member_id)
				SELECT ?, id FROM voting_members WHERE id = ? AND body_id = ? AND active = 1`, id, m, x.BodyID)
			if err != nil {
				return "", err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return "", problem.Field("present", "entry %d: member %d is not on this body's roll", i+1, m)
			}
		}
		return fmt.Sprintf("present %d", len(seen)), nil
	})
}

// MaxWindow bounds an electronic voting window.
const MaxWindow = 24 * time.Hour

// Open opens the ballot (round 1 over the whole list) after checking the 差额 rule, the quorum
// and, for paper ballots, the tellers; electronic votes are taken until closes.
func (s *Service) Open(ctx context.Context, towns []string, id int64, closes time.Time, by auth.User, actor audit.Actor) error {
	now := s.now()
	return s.change(ctx, towns, id, by, actor, "open ballots", func(tx *store.Tx, x Session) (string, error) {
		if x.Status != SessionDraft {
			return "", problem.Conflict("the session is %s, not in preparation", x.Status)
		}
		l, err := getList(ctx, tx, towns, x.ListID)
		if err != nil {
			return "", err
		}
		if err := CheckCompetitive(len(l.Candidates), l.Seats, l.MinRatio); err != nil {
			return "", err
		}
		if !Quorate(x.Members, x.Present, x.QuorumPct) {
			return "", problem.Field("present", "quorum not met: %d of %d members present; more than %d%% must be", x.Present, x.Members, x.QuorumPct)
		}
		if x.Mode == ModePaper && (x.Teller1 == "" || x.Teller2 == "" || x.Scrutineer == "") {
			return "", problem.Field("teller1", "a paper ballot needs two tellers and a scrutineer on record before it opens")
		}
		if !closes.After(now) || closes.Sub(now) > MaxWindow {
			return "", problem.Field("closes_at", "the voting window must end after now and within %s", MaxWindow)
		}
		if _, err := tx.Exec(ctx, `UPDATE project_sessions SET status = ?, expected = ? WHERE id = ?`, SessionVoting, x.Members, id); err != nil {
			return "", err
		}
		ids := make([]int64, len(l.Candidates))
		for i, c := range l.Candidates {
			ids[i] = c.ProposalID
		}
		if err := openRound(ctx, tx, id, 1, l.Seats, ids, now, closes, x); err != nil {
			return "", err
		}
		return fmt.Sprintf("opened: %d candidates for %d seats, %d of %d present", len(ids), l.Seats, x.Present, x.Members), nil
	})
}

func openRound(ctx context.Context, tx *store.Tx, session int64, round, seats int, candidates []int64, opens, closes time.Time, x Session) error {
	issued := 0
	if x.Mode == ModePaper {
		issued = x.Present // the tellers correct it if fewer ballots went out
	}
	if _, err := tx.Exec(ctx, `INSERT INTO project_rounds (session_id, round, seats, status, issued, opens_at, closes_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		session, round, seats, RoundOpen, issued, opens.UnixMilli(), closes.UnixMilli()); err != nil {
		return err
	}
	for _, c := range candidates {
		if _, err := tx.Exec(ctx, `INSERT INTO project_round_candidates (session_id, round, proposal_id) VALUES (?, ?, ?)`, session, round, c); err != nil {
			return err
		}
	}
	return nil
}

func roundOf(x Session, n int) (*Round, error) {
	for i := range x.Rounds {
		if x.Rounds[i].Number == n {
			return &x.Rounds[i], nil
		}
	}
	return nil, problem.NotFound("round %d of session %d", n, x.ID)
}

// SetCounts records a paper round's ballots issued (发出) and returned (收回): returned may not
// exceed issued, issued may not exceed those present.
func (s *Service) SetCounts(ctx context.Context, towns []string, id int64, round, issued, returned int, by auth.User, actor audit.Actor) error {
	return s.change(ctx, towns, id, by, actor, "record ballots issued and returned", func(tx *store.Tx, x Session) (string, error) {
		r, err := roundOf(x, round)
		if err != nil {
			return "", err
		}
		if err := checkCounts(x, *r, issued, returned); err != nil {
			return "", err
		}
		_, err = tx.Exec(ctx, `UPDATE project_rounds SET issued = ?, returned = ? WHERE session_id = ? AND round = ?`, issued, returned, id, round)
		return fmt.Sprintf("round %d: issued %d, returned %d", round, issued, returned), err
	})
}

func checkCounts(x Session, r Round, issued, returned int) error {
	switch {
	case r.Status == RoundCounted:
		return problem.Conflict("round %d is counted", r.Number)
	case x.Mode != ModePaper:
		return problem.Field("issued", "an electronic round counts its ballots itself")
	case issued < 0 || issued > x.Present:
		return problem.Field("issued", "%d ballots issued; %d members are present", issued, x.Present)
	case returned < 0 || returned > issued:
		return problem.Field("returned", "%d ballots returned but %d issued: more ballots came back than went out, the round must be repeated", returned, issued)
	case returned < r.Entered:
		return problem.Field("returned", "%d returned, but %d ballots are entered already", returned, r.Entered)
	}
	return nil
}

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

// EnterBallot stores one paper ballot as the tellers read it (the teller at the keyboard is
// recorded, the voter is not known). A ballot with more yes than seats is stored and counted as
// invalid.
func (s *Service) EnterBallot(ctx context.Context, towns []string, id int64, round int, b Ballot, by auth.User, actor audit.Actor) (string, error) {
	var bid string
	err := s.change(ctx, towns, id, by, actor, "enter paper ballots", func(tx *store.Tx, x Session) (string, error) {
		r, err := roundOf(x, round)
		if err != nil {
			return "", err
		}
		switch {
		case x.Mode != ModePaper:
			return "", problem.Field("mode", "this session votes electronically: members vote on their phones")
		case r.Status == RoundCounted:
			return "", problem.Conflict("round %d is counted", round)
		case r.Returned > 0 && r.Entered >= r.Returned:
			return "", problem.Field("returned", "%d ballots returned and %d entered: no more ballots in this round", r.Returned, r.Entered)
		case r.Entered >= r.Issued:
			return "", problem.Field("issued", "%d ballots issued and %d entered: no more ballots in this round", r.Issued, r.Entered)
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
	rows, err := s.DB.Query(ctx, `SELECT s.id FROM project_sessions s JOIN project_lists l ON l.id = s.list_id
		JOIN voting_members m ON m.body_id = s.body_id AND m.user_id = ? AND m.active = 1
		WHERE s.status = ? AND s.mode = ? AND `+where+` ORDER BY s.id`, append([]any{by.ID, SessionVoting, ModeElectronic}, args...)...)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	var out []Session
	now := s.now()
	for _, id := range ids {
		x, err := getSession(ctx, s.DB, towns, id)
		if err != nil {
			return nil, err
		}
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
		if _, err := tx.Exec(ctx, `UPDATE project_sessions SET status = ?, published_at = ? WHERE id = ?`, SessionPublished, s.now().UnixMilli(), id); err != nil {
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
