package demo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/projects"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// TestDemoProjects: the 新泾镇 project demo loads (twice, idempotently): the 2025 congress of 70
// deputies with 66 present chose the ten projects the seed names and invents among twelve
// candidates in a published paper ballot whose recount equals it; the current collection has
// answered, merged and supported proposals.
func TestDemoProjects(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
		for range 2 {
			if _, err := demo.Load(ctx, db, quiet, demo.Projects(now)); err != nil {
				t.Fatal(err)
			}
		}
		towns := []string{world.XinjingCode}
		s := projects.New(db)
		xs, err := s.Published(ctx, towns)
		if err != nil || len(xs) != 1 {
			t.Fatalf("published sessions: %d %v", len(xs), err)
		}
		x := xs[0]
		if x.Expected != 70 || x.Present != 66 || x.Year != 2025 || x.Teller1 == "" || x.Scrutineer == "" {
			t.Errorf("session %+v", x)
		}
		l, _ := s.GetList(ctx, towns, x.ListID)
		if len(l.Candidates) != 12 || l.Seats != 10 {
			t.Errorf("list: %d candidates for %d seats", len(l.Candidates), l.Seats)
		}
		r := x.Rounds[0]
		if r.Issued != 66 || r.Returned != 66 || r.Valid != 65 || r.Invalid != 1 || len(x.Rounds) != 1 {
			t.Errorf("round: %+v", r)
		}
		chosen, err := s.ChosenOf(ctx, towns, x.ID)
		if err != nil || len(chosen) != 10 {
			t.Fatalf("chosen %d %v", len(chosen), err)
		}
		var titles []string
		for _, c := range chosen {
			titles = append(titles, c.Title)
		}
		for _, seed := range []string{"精品小区建设", "社区生境花园建设", "健身点设施更新", "重度残疾人家庭无障碍设施改造", "“江南文化”进社区"} {
			if !slices.Contains(titles, seed) {
				t.Errorf("the seed's project %s was not chosen: %v", seed, titles)
			}
		}
		for _, row := range r.Results {
			if row.Outcome == projects.OutcomeChosen && row.Yes < 36 {
				t.Errorf("chosen with %d yes of 70", row.Yes)
			}
		}
		if rc, err := s.Recount(ctx, towns, x.ID); err != nil || !rc.Match {
			t.Errorf("recount %+v %v", rc, err)
		}
		b, _ := s.GetBody(ctx, towns, x.BodyID)
		linked := 0
		for _, m := range b.Members {
			if m.UserID != 0 {
				linked++
			}
		}
		if len(b.Members) != 70 || linked != 1 {
			t.Errorf("roll: %d members, %d linked", len(b.Members), linked)
		}
		next, _ := s.List(ctx, towns, projects.Filter{Year: 2027})
		st := map[string]int{}
		supported := 0
		for _, p := range next {
			st[p.Status]++
			supported += p.Supports
		}
		if st[projects.StatusMerged] != 1 || st[projects.StatusDeclined] != 1 || st[projects.StatusAccepted] != 2 || st[projects.StatusOpen] != 2 || supported < 10 {
			t.Errorf("collection: %v, %d supports", st, supported)
		}
	})
}
