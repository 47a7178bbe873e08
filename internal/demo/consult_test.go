package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/consult"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// TestDemoConsultations: the consultation demo loads (twice, idempotently) in 新泾镇: the
// pocket garden decided with its answers (a sixth on paper), its summary told from the tally
// and the seed's four modules on top; the fitness consultation open; the elevator's consent met.
func TestDemoConsultations(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx, now := context.Background(), time.Now()
		for range 2 {
			if _, err := demo.Load(ctx, db, quiet, demo.Consultations(now)); err != nil {
				t.Fatal(err)
			}
		}
		s := consult.New(db)
		list, err := s.List(ctx, []string{world.XinjingCode}, consult.Filter{})
		if err != nil || len(list) != 3 {
			t.Fatalf("%d consultations, %v", len(list), err)
		}
		by := map[string]consult.Consultation{}
		for _, c := range list {
			by[c.Title] = c
		}
		g, err := s.Get(ctx, []string{world.XinjingCode}, by[demo.ConsultGarden].ID)
		if err != nil {
			t.Fatal(err)
		}
		if g.Status != consult.StatusDecided || g.AnswerCount != demo.GardenAnswers || g.Body.Name != demo.BodyStreetCommittee || len(g.Links) != 2 {
			t.Errorf("garden: %s, %d answers, %s, %d links", g.Status, g.AnswerCount, g.Body.Name, len(g.Links))
		}
		res, err := s.Tally(ctx, g)
		if err != nil {
			t.Fatal(err)
		}
		paper := 0
		for _, ch := range res.Channels {
			if ch.Key == consult.ChannelPaper {
				paper = ch.Count
			}
		}
		if paper != demo.GardenAnswers/6 {
			t.Errorf("%d paper answers, want %d", paper, demo.GardenAnswers/6)
		}
		// The conditional reason is answered exactly by those who do not support the plan.
		if no := res.Questions[0].Counts[2].Count; no == 0 || res.Questions[1].Texts != no {
			t.Errorf("%d do not support, %d gave a reason", no, res.Questions[1].Texts)
		}
		mods := res.Questions[2].Counts
		for _, top := range mods[:4] {
			for _, rest := range mods[4:] {
				if top.Count <= rest.Count {
					t.Errorf("module %s (%d) not above %s (%d)", top.Text, top.Count, rest.Text, rest.Count)
				}
			}
		}
		if !strings.Contains(g.Summary, "共收到有效问卷168份") || !strings.Contains(g.Decision, "长者运动之家") {
			t.Errorf("summary %q, decision %q", g.Summary, g.Decision)
		}
		if f := by[demo.ConsultFitness]; f.Status != consult.StatusOpen || !f.Accepting() {
			t.Errorf("fitness: %s", f.Status)
		}
		e := by[demo.ConsultElevator]
		er, err := s.Tally(ctx, e)
		if err != nil || er.Consent == nil || !er.Consent.Passed || er.Consent.Answered != 17 || er.Consent.Agree != 14 || e.Status != consult.StatusDecided {
			t.Errorf("elevator: %s, %+v, %v", e.Status, er.Consent, err)
		}
	})
}
