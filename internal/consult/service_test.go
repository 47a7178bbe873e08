package consult_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/auth/authtest"
	"github.com/civicgrid/civicgrid/internal/consult"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

var (
	ctx   = context.Background()
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
	towns = []string{world.XinjingCode}
	// now is the tests' clock: consultations run 2026-03-01 … 2026-03-31.
	now = time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
)

type users = map[string]auth.User

func each(t *testing.T, body func(t *testing.T, db *store.DB, s *consult.Service, u users, body consult.Body)) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := demo.Load(ctx, db, quiet); err != nil {
			t.Fatal(err)
		}
		u := authtest.Users(t, db, "admin", "dispatcher", "gridworker", "leader", "resident", "volunteer", "lujiazui_admin")
		s := consult.New(db)
		s.Now = func() time.Time { return now }
		b, err := s.AddBody(ctx, towns, consult.Body{Name: "新泾镇街区治理委员会", Kind: consult.BodyStreetCommittee}, u["admin"])
		if err != nil {
			t.Fatal(err)
		}
		body(t, db, s, u, b)
	})
}

func questions() []consult.Question {
	return []consult.Question{
		{Key: "support", Type: consult.TypeSingle, Title: "您是否支持在青溪路街角建设口袋花园？", Required: true,
			Options: []consult.Option{{Key: "yes", Text: "支持"}, {Key: "no", Text: "不支持"}}},
		{Key: "why", Type: consult.TypeText, Title: "不支持的原因", Required: true, ShowIf: &consult.Condition{Question: "support", AnyOf: []string{"no"}}},
		{Key: "rate", Type: consult.TypeRating, Title: "对街角现状的满意度", Scale: 5},
	}
}

func open(t *testing.T, s *consult.Service, u users, d consult.Draft) consult.Consultation {
	t.Helper()
	if d.Opens == "" {
		d.Opens, d.Closes = "2026-03-01", "2026-03-31"
	}
	if d.Questions == nil {
		d.Questions = questions()
	}
	c, err := s.Create(ctx, towns, d, u["dispatcher"])
	if err != nil {
		t.Fatal(err)
	}
	if c, err = s.Act(ctx, towns, c.ID, "open", consult.Decision{}, u["dispatcher"]); err != nil || c.Status != consult.StatusOpen {
		t.Fatalf("open: %s, %v", c.Status, err)
	}
	return c
}

func answers(t *testing.T, s string) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func ptr(u auth.User) *auth.User { return &u }

func TestLifecycleAndAnswers(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, s *consult.Service, u users, b consult.Body) {
		d := consult.Draft{BodyID: b.ID, Title: "同Xin街区口袋花园意见征询", Opens: "2026-03-01", Closes: "2026-03-31", Questions: questions()}
		if _, err := s.Create(ctx, towns, d, u["gridworker"]); !errors.Is(err, problem.ErrForbidden) {
			t.Errorf("grid worker creates: %v", err)
		}
		if _, err := s.Create(ctx, []string{"310115005"}, d, u["lujiazui_admin"]); problem.FieldOf(err) != "body_id" {
			t.Errorf("another town's body: %v", err)
		}
		c, err := s.Create(ctx, towns, d, u["dispatcher"])
		if err != nil || c.Status != consult.StatusDraft || c.Body.Name != b.Name {
			t.Fatalf("create: %+v, %v", c, err)
		}
		sub := consult.Submission{ClientID: "resident-0001", Answers: answers(t, `{"support": "yes", "rate": 4}`)}
		if _, err := s.Submit(ctx, c.ID, sub, ptr(u["resident"])); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("answer to a draft: %v", err)
		}
		if _, err := s.Act(ctx, towns, c.ID, "decide", consult.Decision{Summary: "x", Decision: "y"}, u["dispatcher"]); !errors.Is(err, problem.ErrConflict) {
			t.Errorf("decide a draft: %v", err)
		}
		if c, err = s.Act(ctx, towns, c.ID, "open", consult.Decision{}, u["dispatcher"]); err != nil {
			t.Fatal(err)
		}
		// Editing an open consultation keeps its questionnaire.
		d2 := d
		d2.Questions = questions()[:1]
		d2.Description = "盘活青溪路街角约1000平方米空间"
		if c2, err := s.Update(ctx, towns, c.ID, d2, u["dispatcher"]); err != nil || len(c2.Questions) != 3 || c2.Description == "" {
			t.Errorf("update open: %d questions, %v", len(c2.Questions), err)
		}

		r1, err := s.Submit(ctx, c.ID, sub, ptr(u["resident"]))
		if err != nil || r1.Duplicate {
			t.Fatalf("answer: %+v, %v", r1, err)
		}
		if r, err := s.Submit(ctx, c.ID, sub, ptr(u["resident"])); err != nil || !r.Duplicate || r.ID != r1.ID {
			t.Errorf("resend: %+v, %v; want the same answer %d", r, err, r1.ID)
		}
		sub2 := sub
		sub2.ClientID = "resident-0002"
		if _, err := s.Submit(ctx, c.ID, sub2, ptr(u["resident"])); !errors.Is(err, consult.ErrAnswered) {
			t.Errorf("second answer: %v", err)
		}
		bad := consult.Submission{ClientID: "resident-bad1", Answers: answers(t, `{"support": "no"}`)}
		var ae *consult.AnswerError
		if _, err := s.Submit(ctx, c.ID, bad, ptr(u["gridworker"])); !errors.Is(err, problem.ErrForbidden) {
			t.Errorf("grid worker answers online: %v", err)
		}
		bad.Paper = true
		if _, err := s.Submit(ctx, c.ID, bad, ptr(u["gridworker"])); !errors.As(err, &ae) || ae.Key != "why" || ae.Problem != consult.ProblemRequired {
			t.Errorf("conditional required: %v", err)
		}
		paper := consult.Submission{ClientID: "paper-00001", Paper: true, Respondent: "王阿姨", Phone: "10021059999",
			Answers: answers(t, `{"support": "no", "why": "担心晚上噪音"}`)}
		if _, err := s.Submit(ctx, c.ID, paper, ptr(u["gridworker"])); err != nil {
			t.Errorf("paper: %v", err)
		}
		if _, err := s.Submit(ctx, c.ID, consult.Submission{ClientID: "anon-000001", Answers: answers(t, `{"support": "yes"}`)}, nil); !errors.Is(err, problem.ErrUnauthenticated) {
			t.Errorf("anonymous where not allowed: %v", err)
		}
		if _, err := s.Submit(ctx, c.ID, consult.Submission{ClientID: "short", Answers: answers(t, `{"support": "yes"}`)}, ptr(u["resident"])); problem.FieldOf(err) != "client_id" {
			t.Errorf("short client id: %v", err)
		}
		res, err := s.Tally(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 2 || res.Questions[0].Counts[0].Count != 1 || res.Questions[0].Counts[1].Count != 1 || res.Questions[1].Texts != 1 ||
			res.Questions[2].Answered != 1 || res.Questions[2].Mean != 4 {
			t.Errorf("tally: %+v", res)
		}
		texts, err := s.Texts(ctx, c, "why", 1)
		if err != nil || texts.Total != 1 || texts.Items[0].Text != "担心晚上噪音" {
			t.Errorf("texts: %+v, %v", texts, err)
		}

		if _, err := s.Act(ctx, towns, c.ID, "close", consult.Decision{}, u["dispatcher"]); err != nil {
			t.Fatal(err)
		}
		late := sub
		late.ClientID = "late-000001"
		if _, err := s.Submit(ctx, c.ID, late, ptr(u["admin"])); !errors.Is(err, problem.ErrForbidden) {
			t.Errorf("admin answers: %v", err)
		}
		paper.ClientID = "paper-00002"
		if _, err := s.Submit(ctx, c.ID, paper, ptr(u["gridworker"])); !errors.Is(err, consult.ErrNotAccepting) {
			t.Errorf("answer after closing: %v", err)
		}
		// The resend of an answer stored before closing is still the same answer.
		if r, err := s.Submit(ctx, c.ID, sub, ptr(u["resident"])); err != nil || r.ID != r1.ID {
			t.Errorf("resend after closing: %+v, %v", r, err)
		}
		if _, err := s.Act(ctx, towns, c.ID, "decide", consult.Decision{Summary: "多数居民支持"}, u["dispatcher"]); problem.FieldOf(err) != "decision" {
			t.Errorf("decide without decision: %v", err)
		}
		c, err = s.Act(ctx, towns, c.ID, "decide", consult.Decision{Summary: "多数居民支持", Decision: "建设同Xin街区口袋花园"}, u["leader"])
		if err != nil || c.Status != consult.StatusDecided || c.Decision != "建设同Xin街区口袋花园" || c.DecidedAt == nil {
			t.Fatalf("decide: %+v, %v", c, err)
		}
		if _, err := s.AddLink(ctx, towns, c.ID, consult.Link{Kind: consult.LinkOrder, Ref: "XJ-NOPE"}, u["dispatcher"]); problem.FieldOf(err) != "ref" {
			t.Errorf("link to a missing order: %v", err)
		}
		if _, err := s.AddLink(ctx, towns, c.ID, consult.Link{Kind: consult.LinkProject, Ref: "2025-社区生境花园建设"}, u["dispatcher"]); err != nil {
			t.Error(err)
		}
		linked, err := s.LinkedTo(ctx, towns, consult.LinkProject, "2025-社区生境花园建设")
		if err != nil || len(linked) != 1 || linked[0].ID != c.ID {
			t.Errorf("linked: %v, %v", linked, err)
		}
		if _, err := s.Get(ctx, []string{"310115005"}, c.ID); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("another town reads: %v", err)
		}
		var audits int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'consultation' AND entity_id = ?`, fmt.Sprint(c.ID)).Scan(&audits); err != nil || audits < 5 {
			t.Errorf("%d audit rows, %v", audits, err)
		}
	})
}

// One answer per household in a grid's consultation: the household is checked against the
// address book and the grid, and a second answer from it is refused whoever enters it.
func TestOneAnswerPerHousehold(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, s *consult.Service, u users, b consult.Body) {
		c := open(t, s, u, consult.Draft{BodyID: b.ID, Title: "程桥小区停车意见", ScopeKind: consult.ScopeGrid, ScopeCode: "310105102-G05", PerHousehold: true})
		a := answers(t, `{"support": "yes"}`)
		if _, err := s.Submit(ctx, c.ID, consult.Submission{ClientID: "hh-resident", Answers: a}, ptr(u["resident"])); problem.FieldOf(err) != "building" {
			t.Errorf("no household: %v", err)
		}
		if _, err := s.Submit(ctx, c.ID, consult.Submission{ClientID: "hh-resident", Answers: a, Building: "青溪路146弄3号", Room: "201"}, ptr(u["resident"])); problem.FieldOf(err) != "building" {
			t.Errorf("household in another grid: %v", err)
		}
		if _, err := s.Submit(ctx, c.ID, consult.Submission{ClientID: "hh-resident", Answers: a, Building: "火星路1号", Room: "201"}, ptr(u["resident"])); problem.FieldOf(err) != "building" {
			t.Errorf("household not in the address book: %v", err)
		}
		if _, err := s.Submit(ctx, c.ID, consult.Submission{ClientID: "hh-resident", Answers: a, Building: "协和路191弄36号", Room: "404室"}, ptr(u["resident"])); err != nil {
			t.Fatal(err)
		}
		// The same household on paper (written differently) is refused; a neighbour is not.
		if _, err := s.Submit(ctx, c.ID, consult.Submission{ClientID: "hh-paper-1", Paper: true, Answers: a, Building: "协和路191弄 36号", Room: "４０４"}, ptr(u["gridworker"])); !errors.Is(err, consult.ErrHouseholdAnswered) {
			t.Errorf("same household on paper: %v", err)
		}
		if _, err := s.Submit(ctx, c.ID, consult.Submission{ClientID: "hh-paper-2", Paper: true, Answers: a, Building: "协和路191弄36号", Room: "405"}, ptr(u["gridworker"])); err != nil {
			t.Errorf("neighbour: %v", err)
		}
		var plain int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM consult_answers WHERE consultation_id = ? AND (household LIKE '%404%' OR household_key LIKE '%404%')`, c.ID).Scan(&plain); err != nil || plain != 0 {
			t.Errorf("the room is stored in plain: %d, %v", plain, err)
		}
	})
}

// A resident tapping send twice on two devices (two client ids) is counted once; the offline
// queue resending one answer many times at once stores it once.
func TestConcurrentDoubleAnswer(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, s *consult.Service, u users, b consult.Body) {
		c := open(t, s, u, consult.Draft{BodyID: b.ID, Title: "并发测试"})
		a := answers(t, `{"support": "yes"}`)
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, errs[i] = s.Submit(ctx, c.ID, consult.Submission{ClientID: fmt.Sprintf("device-%04d", i), Answers: a}, ptr(u["resident"]))
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, consult.ErrAnswered):
				t.Errorf("double answer: %v", err)
			}
		}
		ids := make([]int64, n)
		for i := range n {
			wg.Go(func() {
				r, err := s.Submit(ctx, c.ID, consult.Submission{ClientID: "queued-answer-1", Paper: true, Answers: a}, ptr(u["gridworker"]))
				ids[i], errs[i] = r.ID, err
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Errorf("resend %d: %d, %v; want %d", i, ids[i], errs[i], ids[0])
			}
		}
		var rows int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM consult_answers WHERE consultation_id = ?`, c.ID).Scan(&rows); err != nil || ok != 1 || rows != 2 {
			t.Errorf("%d accepted, %d stored (%v); want 1 and 2", ok, rows, err)
		}
	})
}

// A household-consent consultation (加装电梯) for one building of 6 households, ≥ 2/3 of all
// households agreeing.
func TestConsentConsultation(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, s *consult.Service, u users, b consult.Body) {
		qs := []consult.Question{{Key: "agree", Type: consult.TypeSingle, Title: "您是否同意本楼加装电梯？", Required: true, Consent: true, AgreeKey: "yes",
			Options: []consult.Option{{Key: "yes", Text: "同意"}, {Key: "no", Text: "不同意"}}}}
		rule := consult.ConsentRule{Households: 6, Agreement: consult.Ratio{Num: 2, Den: 3}, AgreeOf: consult.AgreeOfHouseholds}
		c := open(t, s, u, consult.Draft{BodyID: b.ID, Title: "天山西路144弄12号加装电梯", ScopeKind: consult.ScopeBuilding, ScopeCode: "天山西路144弄12号",
			Questions: qs, Consent: &rule})
		if !c.PerHousehold {
			t.Error("a building's consultation counts households")
		}
		for i, choice := range []string{"yes", "yes", "no", "yes"} {
			sub := consult.Submission{ClientID: fmt.Sprintf("lift-%04d", i), Paper: true, Building: "天山西路144弄12号", Room: fmt.Sprintf("%d01", i+1),
				Answers: answers(t, `{"agree": "`+choice+`"}`)}
			if _, err := s.Submit(ctx, c.ID, sub, ptr(u["gridworker"])); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Submit(ctx, c.ID, consult.Submission{ClientID: "lift-other", Paper: true, Building: "天山西路144弄11号", Room: "101",
			Answers: answers(t, `{"agree": "yes"}`)}, ptr(u["gridworker"])); problem.FieldOf(err) != "building" {
			t.Errorf("another building: %v", err)
		}
		res, err := s.Tally(ctx, c)
		if err != nil || res.Consent == nil {
			t.Fatal(res, err)
		}
		if o := res.Consent; o.Answered != 4 || o.Agree != 3 || o.NeedAgree != 4 || o.Passed {
			t.Errorf("3 of 6 agree: %+v", o)
		}
		if _, err := s.Submit(ctx, c.ID, consult.Submission{ClientID: "lift-0005", Paper: true, Building: "天山西路144弄12号", Room: "601",
			Answers: answers(t, `{"agree": "yes"}`)}, ptr(u["gridworker"])); err != nil {
			t.Fatal(err)
		}
		if res, _ = s.Tally(ctx, c); !res.Consent.Passed || res.Consent.Agree != 4 {
			t.Errorf("4 of 6 agree: %+v", res.Consent)
		}
	})
}
