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
	case !label.Valid(Modes, n.Mode):
		return Session{}, problem.Field("mode", "unknown %q; one of %s", n.Mode, label.Codes(Modes))
	case n.QuorumPct < 50 || n.QuorumPct > 99:
		return Session{}, problem.Field("quorum_pct", "%d: more than 50 to 99 per cent of the members must be present", n.QuorumPct)
	case !label.Valid(Bases, n.PassBase):
		return Session{}, problem.Field("pass_base", "unknown %q; one of %s", n.PassBase, label.Codes(Bases))
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
	ids, err := idsOf(ctx, q, `SELECT rc.proposal_id FROM project_round_candidates rc
		JOIN project_sessions s ON s.id = rc.session_id
		LEFT JOIN project_candidates c ON c.list_id = s.list_id AND c.proposal_id = rc.proposal_id
		WHERE rc.session_id = ? AND rc.round = ? ORDER BY COALESCE(c.position, 0), rc.proposal_id`, session, round)
	if ids == nil {
		ids = []int64{}
	}
	return ids, err
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
	return each(ctx, s.DB, getSession, towns, `SELECT s.id FROM project_sessions s JOIN project_lists l ON l.id = s.list_id WHERE `+where+
		` ORDER BY s.id DESC LIMIT 100`, args...)
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
