package projects_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/auth/authtest"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/projects"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

var (
	ctx   = context.Background()
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
	xj    = world.XinjingCode
	towns = []string{xj}
	cli   = audit.Actor{Name: "test"}
)

// now is the tests' clock: the autumn of 2024, when the 2025 projects are collected.
var now = time.Date(2024, 10, 15, 9, 0, 0, 0, time.UTC)

type fixture struct {
	db    *store.DB
	s     *projects.Service
	users map[string]auth.User
}

// each runs body on both databases with the demo world (no demo projects) loaded.
func each(t *testing.T, body func(t *testing.T, f fixture)) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := demo.Load(ctx, db, quiet); err != nil {
			t.Fatal(err)
		}
		f := fixture{db: db, s: projects.New(db), users: authtest.Users(t, db, "admin", "dispatcher", "handler_police", "handler_committee", "gridworker", "deputy", "resident", "leader", "volunteer", "lujiazui_admin")}
		f.s.Now = func() time.Time { return now }
		body(t, f)
	})
}

func fieldOf(err error) string { return problem.FieldOf(err) }

func (f fixture) propose(t *testing.T, by string, title string) projects.Proposal {
	t.Helper()
	p, err := f.s.Propose(ctx, towns, projects.NewProposal{Title: title, Description: title + "：居民反映多年，希望今年列入实事项目。",
		Category: "housing", EstCost: 500000}, f.users[by], cli)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProposalsCollectSupportAnswerMerge(t *testing.T) {
	each(t, func(t *testing.T, f fixture) {
		// Anonymous: a name and a phone are required (the phone check).
		anon := projects.NewProposal{Title: "加装电梯", Description: "天山星城 5 号楼老人多，上下楼困难，希望加装电梯。", Category: "housing"}
		if _, err := f.s.Propose(ctx, towns, anon, projects.Anonymous, cli); fieldOf(err) != "author_name" {
			t.Fatalf("anonymous without name: %v", err)
		}
		anon.AuthorName = "李先生"
		anon.AuthorPhone = "138-abc"
		if _, err := f.s.Propose(ctx, towns, anon, projects.Anonymous, cli); fieldOf(err) != "author_phone" {
			t.Fatalf("anonymous with a bad phone: %v", err)
		}
		anon.AuthorPhone = "13800001111"
		lat, lng := 31.2153, 121.3700
		anon.Lat, anon.Lng = &lat, &lng
		a, err := f.s.Propose(ctx, towns, anon, projects.Anonymous, cli)
		if err != nil {
			t.Fatal(err)
		}
		if a.Source != projects.SourceResident || a.AuthorID != 0 || a.Year != 2025 || a.Code == "" || a.Grid == "" {
			t.Errorf("anonymous proposal = %+v; want resident source, year 2025, a code and a grid", a)
		}
		if _, err := f.s.ByCode(ctx, a.ID, "WRONG"); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("by a wrong code: %v", err)
		}
		if got, err := f.s.ByCode(ctx, a.ID, strings.ToLower(a.Code)); err != nil || got.ID != a.ID {
			t.Errorf("by code: %v %v", got.ID, err)
		}
		// A grid worker enters for a resident; a volunteer may not propose.
		gw, err := f.s.Propose(ctx, towns, projects.NewProposal{Title: "5号楼加装电梯", Description: "居民王阿姨托网格员反映：5号楼需要电梯。",
			Category: "housing", AuthorName: "王阿姨"}, f.users["gridworker"], cli)
		if err != nil || gw.Source != projects.SourceGridWorker || gw.AuthorName != "王阿姨" || gw.EnteredBy != f.users["gridworker"].ID {
			t.Fatalf("grid worker's proposal %+v: %v", gw, err)
		}
		if _, err := f.s.Propose(ctx, towns, anon, f.users["volunteer"], cli); !errors.Is(err, problem.ErrForbidden) {
			t.Errorf("volunteer proposes: %v", err)
		}
		// The committee's proposal names the committee.
		cm := f.propose(t, "handler_committee", "林泉路口袋公园")
		if cm.Source != projects.SourceCommittee || cm.AuthorName != "林泉路居委会" {
			t.Errorf("committee proposal source %s author %s", cm.Source, cm.AuthorName)
		}
		// Supports: one per person.
		for range 2 {
			if n, err := f.s.Support(ctx, towns, a.ID, f.users["resident"], true); err != nil || n != 1 {
				t.Fatalf("support: %d %v", n, err)
			}
		}
		if n, _ := f.s.Support(ctx, towns, a.ID, f.users["deputy"], true); n != 2 {
			t.Errorf("second person's support: %d, want 2", n)
		}
		if n, _ := f.s.Support(ctx, towns, gw.ID, f.users["resident"], true); n != 1 {
			t.Errorf("support of the duplicate: %d", n)
		}
		if n, _ := f.s.Support(ctx, towns, gw.ID, f.users["gridworker"], true); n != 2 {
			t.Errorf("support of the duplicate: %d", n)
		}
		// Merge the grid worker's duplicate into the anonymous one: supports move, the resident
		// who supported both counts once (2 + gridworker = 3).
		kept, err := f.s.Merge(ctx, towns, gw.ID, a.ID, f.users["dispatcher"], cli)
		if err != nil || kept.Supports != 3 {
			t.Fatalf("merge: supports %d, %v", kept.Supports, err)
		}
		dup, _ := f.s.Get(ctx, towns, gw.ID)
		if dup.Status != projects.StatusMerged || dup.MergedInto != a.ID || dup.Supports != 0 || !strings.Contains(dup.Reply, fmt.Sprint(a.ID)) {
			t.Errorf("merged proposal %+v", dup)
		}
		if _, err := f.s.Support(ctx, towns, gw.ID, f.users["deputy"], true); fieldOf(err) != "proposal" {
			t.Errorf("support of a merged proposal: %v", err)
		}
		if _, err := f.s.Merge(ctx, towns, gw.ID, a.ID, f.users["resident"], cli); !errors.Is(err, problem.ErrForbidden) {
			t.Errorf("resident merges: %v", err)
		}
		// Answers: a decline needs a reason; the author's list shows the answer.
		rp := f.propose(t, "resident", "小区停车难")
		if _, err := f.s.Answer(ctx, towns, rp.ID, projects.Reply{Accept: false}, f.users["dispatcher"], cli); fieldOf(err) != "text" {
			t.Errorf("decline without reason: %v", err)
		}
		if _, err := f.s.Answer(ctx, towns, rp.ID, projects.Reply{Text: "已由区交通委统筹"}, f.users["dispatcher"], cli); err != nil {
			t.Fatal(err)
		}
		mine, err := f.s.List(ctx, towns, projects.Filter{AuthorID: f.users["resident"].ID})
		if err != nil || len(mine) != 1 || mine[0].Status != projects.StatusDeclined || mine[0].Reply != "已由区交通委统筹" {
			t.Errorf("my proposals: %+v %v", mine, err)
		}
		// Appraisal by a department; another town's user sees nothing.
		ap, err := f.s.Appraise(ctx, towns, a.ID, projects.Appraisal{Feasibility: "feasible", Cost: 1200000}, f.users["handler_police"], cli)
		if err != nil || ap.Department != "xj-police" {
			t.Fatalf("appraise: %+v %v", ap, err)
		}
		if _, err := f.s.Appraise(ctx, towns, a.ID, projects.Appraisal{Feasibility: "infeasible"}, f.users["handler_police"], cli); fieldOf(err) != "note" {
			t.Errorf("infeasible without a note: %v", err)
		}
		if _, err := f.s.Get(ctx, []string{"310115005"}, a.ID); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("another town reads the proposal: %v", err)
		}
	})
}

// ballotSetup makes n accepted proposals on a list with seats, a body of members (the first
// linked to the demo deputy) with present of them present, and a session in mode.
func (f fixture) ballotSetup(t *testing.T, n, seats, members, present int, mode string) (projects.Session, []int64, projects.Body) {
	t.Helper()
	mgr := f.users["dispatcher"]
	var ids []int64
	l, err := f.s.CreateList(ctx, towns, projects.NewList{Year: 2025, Seats: seats}, mgr, cli)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		p := f.propose(t, "dispatcher", fmt.Sprintf("候选项目%02d", i+1))
		if _, err := f.s.Answer(ctx, towns, p.ID, projects.Reply{Accept: true, Text: "纳入候选"}, mgr, cli); err != nil {
			t.Fatal(err)
		}
		if err := f.s.SetCandidate(ctx, towns, l.ID, projects.Candidate{ProposalID: p.ID, Department: "xj-construction"}, mgr, cli); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	var ms []projects.NewMember
	for i := range members {
		m := projects.NewMember{Name: fmt.Sprintf("代表%02d", i+1)}
		if i == 0 {
			m.UserID = f.users["deputy"].ID
		}
		ms = append(ms, m)
	}
	b, err := f.s.CreateBody(ctx, towns, "", "congress", "新泾镇第二十届人民代表大会", ms, mgr, cli)
	if err != nil {
		t.Fatal(err)
	}
	x, err := f.s.CreateSession(ctx, towns, projects.NewSession{ListID: l.ID, BodyID: b.ID, Name: "第五次会议", Mode: mode}, mgr, cli)
	if err != nil {
		t.Fatal(err)
	}
	var pres []int64
	for _, m := range b.Members[:present] {
		pres = append(pres, m.ID)
	}
	if err := f.s.SetPresent(ctx, towns, x.ID, pres, mgr, cli); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetTellers(ctx, towns, x.ID, "计票人甲", "计票人乙", "监票人丙", mgr, cli); err != nil {
		t.Fatal(err)
	}
	return x, ids, b
}

func TestPaperBallotRules(t *testing.T) {
	each(t, func(t *testing.T, f fixture) {
		mgr := f.users["dispatcher"]
		// 4 candidates for 3 seats with ratio 1.2 → 3.6 → 4 needed: met. Roll 12, 9 present.
		x, ids, _ := f.ballotSetup(t, 3, 3, 12, 9, projects.ModePaper)
		closes := now.Add(time.Hour)
		// 差额 not met: 3 candidates for 3 seats.
		err := f.s.Open(ctx, towns, x.ID, closes, mgr, cli)
		if fieldOf(err) != "candidates" || !strings.Contains(err.Error(), "差额") {
			t.Fatalf("open with 3 for 3: %v", err)
		}
		p := f.propose(t, "dispatcher", "候选项目04")
		f.s.Answer(ctx, towns, p.ID, projects.Reply{Accept: true}, mgr, cli)
		if err := f.s.SetCandidate(ctx, towns, x.ListID, projects.Candidate{ProposalID: p.ID}, mgr, cli); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
		// Quorum not met: 6 of 12 present is exactly half.
		b, _ := f.s.GetBody(ctx, towns, x.BodyID)
		var six []int64
		for _, m := range b.Members[:6] {
			six = append(six, m.ID)
		}
		f.s.SetPresent(ctx, towns, x.ID, six, mgr, cli)
		if err := f.s.Open(ctx, towns, x.ID, closes, mgr, cli); fieldOf(err) != "present" || !strings.Contains(err.Error(), "quorum") {
			t.Fatalf("open with 6 of 12: %v", err)
		}
		var nine []int64
		for _, m := range b.Members[:9] {
			nine = append(nine, m.ID)
		}
		f.s.SetPresent(ctx, towns, x.ID, nine, mgr, cli)
		if err := f.s.Open(ctx, towns, x.ID, closes, mgr, cli); err != nil {
			t.Fatal(err)
		}
		if err := f.s.SetCandidate(ctx, towns, x.ListID, projects.Candidate{ProposalID: p.ID, Budget: 1}, mgr, cli); !errors.Is(err, problem.ErrConflict) {
			t.Errorf("list changes after the ballot opened: %v", err)
		}
		// Returned > issued refused.
		if err := f.s.SetCounts(ctx, towns, x.ID, 1, 9, 10, mgr, cli); fieldOf(err) != "returned" {
			t.Errorf("returned 10 of 9: %v", err)
		}
		if err := f.s.SetCounts(ctx, towns, x.ID, 1, 10, 10, mgr, cli); fieldOf(err) != "issued" {
			t.Errorf("issued 10 with 9 present: %v", err)
		}
		if err := f.s.SetCounts(ctx, towns, x.ID, 1, 9, 9, mgr, cli); err != nil {
			t.Fatal(err)
		}
		// 9 ballots, base all = 12, threshold 7, 3 seats. c1..c4 = ids[0..3]:
		//   4 × yes c1 c2 c3;  3 × yes c1 c2 c4;  1 × yes c3 c4 (+ no c1);  1 × yes to all four (invalid).
		// Valid 8. c1: 4+3 = 7; c2: 4+3 = 7; c3: 4+1 = 5; c4: 3+1 = 4. c1, c2 pass (7 ≥ 7); c3, c4 fail.
		c := ids
		enter := func(n int, b projects.Ballot) {
			for range n {
				if _, err := f.s.EnterBallot(ctx, towns, x.ID, 1, b, mgr, cli); err != nil {
					t.Fatal(err)
				}
			}
		}
		enter(4, projects.Ballot{c[0]: projects.Yes, c[1]: projects.Yes, c[2]: projects.Yes, c[3]: projects.No})
		enter(3, projects.Ballot{c[0]: projects.Yes, c[1]: projects.Yes, c[3]: projects.Yes})
		enter(1, projects.Ballot{c[0]: projects.No, c[2]: projects.Yes, c[3]: projects.Yes})
		enter(1, projects.Ballot{c[0]: projects.Yes, c[1]: projects.Yes, c[2]: projects.Yes, c[3]: projects.Yes})
		if _, err := f.s.EnterBallot(ctx, towns, x.ID, 1, projects.Ballot{c[0]: projects.Yes}, mgr, cli); fieldOf(err) != "returned" {
			t.Errorf("a tenth ballot with 9 returned: %v", err)
		}
		if _, err := f.s.Count(ctx, towns, x.ID, 1, mgr, cli); !errors.Is(err, problem.ErrConflict) {
			t.Errorf("count an open round: %v", err)
		}
		if err := f.s.Close(ctx, towns, x.ID, 1, mgr, cli); err != nil {
			t.Fatal(err)
		}
		tl, err := f.s.Count(ctx, towns, x.ID, 1, mgr, cli)
		if err != nil {
			t.Fatal(err)
		}
		if tl.Valid != 8 || tl.Invalid != 1 || tl.Threshold != 7 || len(tl.Chosen) != 2 || tl.Chosen[0] != c[0] || tl.Chosen[1] != c[1] {
			t.Errorf("tally %+v", tl)
		}
		x, _ = f.s.GetSession(ctx, towns, x.ID)
		if x.Status != projects.SessionCounted || len(x.Rounds) != 1 {
			t.Fatalf("session %s with %d rounds", x.Status, len(x.Rounds))
		}
		// Publish calls the hook inside the transaction; a failing hook rolls it back.
		var got []projects.Chosen
		fail := true
		projects.OnChosen(func(ctx context.Context, tx *store.Tx, ch []projects.Chosen) error {
			if fail {
				return errors.New("results not ready")
			}
			got = ch
			return nil
		})
		if _, err := f.s.Publish(ctx, towns, x.ID, mgr, cli); err == nil {
			t.Fatal("publish with a failing hook succeeded")
		}
		if x, _ = f.s.GetSession(ctx, towns, x.ID); x.Status != projects.SessionCounted {
			t.Errorf("failed publish left status %s", x.Status)
		}
		fail = false
		if _, err := f.s.Publish(ctx, towns, x.ID, mgr, cli); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ProjectID != c[0] || got[0].Year != 2025 || got[0].Town != xj || got[0].Department != "xj-construction" || got[0].Budget != 500000 {
			t.Errorf("hook got %+v", got)
		}
		// The proposals carry the ballot's verdict once published.
		for i, want := range []string{projects.BallotChosen, projects.BallotChosen, projects.BallotNotChosen, projects.BallotNotChosen} {
			if p, _ := f.s.Get(ctx, towns, c[i]); p.Ballot != want {
				t.Errorf("candidate %d: ballot %q, want %q", i+1, p.Ballot, want)
			}
		}
		// The recount equals the published result …
		rc, err := f.s.Recount(ctx, towns, x.ID)
		if err != nil || !rc.Match || len(rc.Rounds) != 1 {
			t.Fatalf("recount %+v %v", rc, err)
		}
		// … and finds a ballot changed behind the count's back.
		if _, err := f.db.Exec(ctx, `UPDATE project_ballot_marks SET choice = 'yes' WHERE proposal_id = ? AND choice = 'no' AND ballot_id IN
			(SELECT id FROM project_ballots WHERE session_id = ? AND valid = 1)`, c[3], x.ID); err != nil {
			t.Fatal(err)
		}
		if rc, _ := f.s.Recount(ctx, towns, x.ID); rc.Match || len(rc.Rounds[0].Difference) == 0 {
			t.Errorf("recount after tampering matches: %+v", rc)
		}
	})
}

func TestTieGoesToReVote(t *testing.T) {
	each(t, func(t *testing.T, f fixture) {
		mgr := f.users["dispatcher"]
		// 3 candidates for 2 seats (3 ≥ 2.4), roll 12, 11 present; threshold 7 of 12.
		x, c, _ := f.ballotSetup(t, 3, 2, 12, 11, projects.ModePaper)
		if err := f.s.Open(ctx, towns, x.ID, now.Add(time.Hour), mgr, cli); err != nil {
			t.Fatal(err)
		}
		f.s.SetCounts(ctx, towns, x.ID, 1, 11, 11, mgr, cli)
		// 4 × yes c1 c2; 4 × yes c1 c3; 3 × yes c2 c3 → c1 8, c2 7, c3 7: tie at the last seat.
		for i, b := range []struct {
			n int
			b projects.Ballot
		}{{4, projects.Ballot{c[0]: projects.Yes, c[1]: projects.Yes}}, {4, projects.Ballot{c[0]: projects.Yes, c[2]: projects.Yes}},
			{3, projects.Ballot{c[1]: projects.Yes, c[2]: projects.Yes}}} {
			for range b.n {
				if _, err := f.s.EnterBallot(ctx, towns, x.ID, 1, b.b, mgr, cli); err != nil {
					t.Fatal(i, err)
				}
			}
		}
		f.s.Close(ctx, towns, x.ID, 1, mgr, cli)
		tl, err := f.s.Count(ctx, towns, x.ID, 1, mgr, cli)
		if err != nil || len(tl.Chosen) != 1 || len(tl.Tied) != 2 || tl.SeatsLeft != 1 {
			t.Fatalf("round 1: %+v %v", tl, err)
		}
		x, _ = f.s.GetSession(ctx, towns, x.ID)
		r2 := x.Current()
		if x.Status != projects.SessionVoting || r2.Number != 2 || r2.Seats != 1 || len(r2.Candidates) != 2 || r2.Status != projects.RoundOpen {
			t.Fatalf("round 2: %+v (session %s)", r2, x.Status)
		}
		if _, err := f.s.Publish(ctx, towns, x.ID, mgr, cli); !errors.Is(err, problem.ErrConflict) {
			t.Errorf("publish with a re-vote pending: %v", err)
		}
		// A ballot of round 2 may only name the tied ones.
		if _, err := f.s.EnterBallot(ctx, towns, x.ID, 2, projects.Ballot{c[0]: projects.Yes}, mgr, cli); fieldOf(err) != "marks" {
			t.Errorf("round 2 ballot naming a chosen one: %v", err)
		}
		f.s.SetCounts(ctx, towns, x.ID, 2, 11, 11, mgr, cli)
		// 8 × yes c3, 3 × yes c2 → c3 (8 ≥ 7) wins the last seat.
		for i := range 11 {
			b := projects.Ballot{c[2]: projects.Yes, c[1]: projects.No}
			if i >= 8 {
				b = projects.Ballot{c[1]: projects.Yes, c[2]: projects.No}
			}
			if _, err := f.s.EnterBallot(ctx, towns, x.ID, 2, b, mgr, cli); err != nil {
				t.Fatal(err)
			}
		}
		f.s.Close(ctx, towns, x.ID, 2, mgr, cli)
		tl, err = f.s.Count(ctx, towns, x.ID, 2, mgr, cli)
		if err != nil || len(tl.Chosen) != 1 || tl.Chosen[0] != c[2] {
			t.Fatalf("round 2: %+v %v", tl, err)
		}
		ch, _ := f.s.ChosenOf(ctx, towns, x.ID)
		if len(ch) != 2 || ch[0].ProjectID != c[0] || ch[1].ProjectID != c[2] {
			t.Errorf("chosen %+v, want c1 and c3", ch)
		}
		if rc, err := f.s.Recount(ctx, towns, x.ID); err != nil || !rc.Match || len(rc.Rounds) != 2 {
			t.Errorf("recount %+v %v", rc, err)
		}
	})
}

func TestElectronicVote(t *testing.T) {
	each(t, func(t *testing.T, f fixture) {
		mgr, dep := f.users["dispatcher"], f.users["deputy"]
		x, c, _ := f.ballotSetup(t, 4, 3, 5, 5, projects.ModeElectronic)
		if err := f.s.Vote(ctx, towns, x.ID, 1, projects.Ballot{c[0]: projects.Yes}, dep); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("vote before the ballot opened: %v", err)
		}
		if err := f.s.Open(ctx, towns, x.ID, now.Add(30*time.Minute), mgr, cli); err != nil {
			t.Fatal(err)
		}
		if err := f.s.Vote(ctx, towns, x.ID, 1, projects.Ballot{c[0]: projects.Yes, c[1]: projects.Yes, c[2]: projects.Yes, c[3]: projects.Yes}, dep); fieldOf(err) != "marks" {
			t.Errorf("4 yes for 3 seats: %v", err)
		}
		if err := f.s.Vote(ctx, towns, x.ID, 1, projects.Ballot{c[0]: projects.Yes}, f.users["resident"]); !errors.Is(err, problem.ErrForbidden) {
			t.Errorf("a resident votes: %v", err)
		}
		// Outside the window.
		f.s.Now = func() time.Time { return now.Add(31 * time.Minute) }
		if err := f.s.Vote(ctx, towns, x.ID, 1, projects.Ballot{c[0]: projects.Yes}, dep); !errors.Is(err, problem.ErrConflict) {
			t.Errorf("vote after the window: %v", err)
		}
		f.s.Now = func() time.Time { return now.Add(time.Minute) }
		if open, _ := f.s.OpenFor(ctx, towns, dep); len(open) != 1 {
			t.Errorf("open ballots for the deputy: %d", len(open))
		}
		if err := f.s.Vote(ctx, towns, x.ID, 1, projects.Ballot{c[0]: projects.Yes, c[1]: projects.No}, dep); err != nil {
			t.Fatal(err)
		}
		if err := f.s.Vote(ctx, towns, x.ID, 1, projects.Ballot{c[0]: projects.Yes}, dep); !errors.Is(err, projects.ErrVoted) {
			t.Errorf("second vote: %v", err)
		}
		x, _ = f.s.GetSession(ctx, towns, x.ID)
		if r := x.Current(); r.Entered != 1 || r.Voted != 1 {
			t.Errorf("entered %d voted %d", r.Entered, r.Voted)
		}
		if err := f.s.Close(ctx, towns, x.ID, 1, mgr, cli); err != nil {
			t.Fatal(err)
		}
		x, _ = f.s.GetSession(ctx, towns, x.ID)
		if r := x.Current(); r.Issued != 5 || r.Returned != 1 {
			t.Errorf("electronic issued %d returned %d, want 5 and 1", r.Issued, r.Returned)
		}
	})
}

// TestConcurrentDoubleVote: one deputy votes from eight phones at once; the "has voted" roll and
// the ballot are written in one transaction, so exactly one ballot is stored and counted.
func TestConcurrentDoubleVote(t *testing.T) {
	each(t, func(t *testing.T, f fixture) {
		mgr, dep := f.users["dispatcher"], f.users["deputy"]
		x, c, _ := f.ballotSetup(t, 4, 3, 5, 5, projects.ModeElectronic)
		if err := f.s.Open(ctx, towns, x.ID, now.Add(30*time.Minute), mgr, cli); err != nil {
			t.Fatal(err)
		}
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = f.s.Vote(ctx, towns, x.ID, 1, projects.Ballot{c[i%4]: projects.Yes}, dep)
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, projects.ErrVoted):
				t.Errorf("concurrent vote: %v", err)
			}
		}
		var ballots, voted int
		f.db.QueryRow(ctx, `SELECT COUNT(*) FROM project_ballots WHERE session_id = ?`, x.ID).Scan(&ballots)
		f.db.QueryRow(ctx, `SELECT COUNT(*) FROM project_voted WHERE session_id = ?`, x.ID).Scan(&voted)
		if ok != 1 || ballots != 1 || voted != 1 {
			t.Errorf("%d votes accepted, %d ballots, %d roll rows; want 1 each", ok, ballots, voted)
		}
	})
}

// TestBallotTablesHoldNoVoter: the schema itself keeps ballots secret — no column of the ballot
// tables names a member or a voter, and no time is kept that could be matched to the roll.
func TestBallotTablesHoldNoVoter(t *testing.T) {
	db := testdb.SQLite(t)
	for _, table := range []string{"project_ballots", "project_ballot_marks"} {
		rows, err := db.Query(ctx, `SELECT name FROM pragma_table_info(?)`, table)
		if err != nil {
			t.Fatal(err)
		}
		var cols []string
		for rows.Next() {
			var c string
			rows.Scan(&c)
			cols = append(cols, c)
		}
		rows.Close()
		if len(cols) == 0 {
			t.Fatalf("no columns in %s", table)
		}
		for _, c := range cols {
			if strings.Contains(c, "member") || strings.Contains(c, "user") || strings.Contains(c, "voter") || strings.HasSuffix(c, "_at") {
				t.Errorf("%s.%s could link a ballot to a voter", table, c)
			}
		}
	}
}

// TestImportBallots: the tellers' sheet goes in all or nothing, under the same limits as ballots
// entered one by one, and counts the same.
func TestImportBallots(t *testing.T) {
	each(t, func(t *testing.T, f fixture) {
		mgr := f.users["dispatcher"]
		x, c, _ := f.ballotSetup(t, 3, 2, 10, 9, projects.ModePaper)
		if err := f.s.Open(ctx, towns, x.ID, now.Add(time.Hour), mgr, cli); err != nil {
			t.Fatal(err)
		}
		if err := f.s.SetCounts(ctx, towns, x.ID, 1, 9, 9, mgr, cli); err != nil {
			t.Fatal(err)
		}
		cands, err := f.s.RoundCandidates(ctx, towns, x.ID, 1)
		if err != nil || len(cands) != 3 {
			t.Fatalf("round candidates %v %v", cands, err)
		}
		head := []string{}
		for _, cd := range cands {
			head = append(head, fmt.Sprintf("%d %s", cd.ProposalID, cd.Title))
		}
		rows := [][]string{head}
		// 10 rows: 7 × yes yes no; 2 × no yes yes; 1 × yes yes yes (invalid for 2 seats).
		for i := range 10 {
			switch {
			case i < 7:
				rows = append(rows, []string{"赞成", "赞成", "反对"})
			case i < 9:
				rows = append(rows, []string{"反对", "赞成", "赞成"})
			default:
				rows = append(rows, []string{"赞成", "赞成", "赞成"})
			}
		}
		bs, err := projects.ParseBallots(rows, cands, 1)
		if err != nil || len(bs) != 10 {
			t.Fatalf("parse: %d %v", len(bs), err)
		}
		if _, err := f.s.EnterBallots(ctx, towns, x.ID, 1, bs, mgr, cli); fieldOf(err) != "returned" {
			t.Fatalf("10 ballots with 9 returned: %v", err)
		}
		if x, _ = f.s.GetSession(ctx, towns, x.ID); x.Current().Entered != 0 {
			t.Fatalf("a refused import left %d ballots", x.Current().Entered)
		}
		// Drop one of the first seven: 6 × (yes yes no), 2 × (no yes yes), 1 invalid.
		if n, err := f.s.EnterBallots(ctx, towns, x.ID, 1, bs[1:], mgr, cli); err != nil || n != 9 {
			t.Fatalf("import 9: %d %v", n, err)
		}
		f.s.Close(ctx, towns, x.ID, 1, mgr, cli)
		tl, err := f.s.Count(ctx, towns, x.ID, 1, mgr, cli)
		// Base 10, threshold 6: c1 6 yes, c2 8, c3 2 → c2 and c1 chosen; 8 valid, 1 invalid.
		if err != nil || tl.Valid != 8 || tl.Invalid != 1 || len(tl.Chosen) != 2 || tl.Chosen[0] != c[1] || tl.Chosen[1] != c[0] {
			t.Fatalf("count after import: %+v %v", tl, err)
		}
	})
}
