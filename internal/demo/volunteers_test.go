package demo_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/volunteers"
)

// TestDemoVolunteers: the volunteer demo loads (twice, idempotently) with 新泾镇's alliance, its
// five projects, ~60 volunteers with 周根宝 among them, a season of attendances whose totals equal
// the per-volunteer sums, today's activity open for sign-up, a full activity with a waiting list,
// and certificates that verify.
func TestDemoVolunteers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now()
		for i := 0; i < 2; i++ {
			if _, err := demo.Load(ctx, db, slog.New(slog.DiscardHandler), demo.Volunteers(now)); err != nil {
				t.Fatal(err)
			}
		}
		towns := []string{world.XinjingCode}
		s := volunteers.New(db)
		ps, err := s.Projects(ctx, towns)
		if err != nil || len(ps) != 5 {
			t.Fatalf("projects %d, %v", len(ps), err)
		}
		for _, p := range ps {
			if p.Activities == 0 || p.Minutes == 0 || p.GridCode == "" {
				t.Errorf("project %s: %d activities, %d minutes, grid %q", p.Name, p.Activities, p.Minutes, p.GridCode)
			}
		}
		vs, err := s.List(ctx, towns, volunteers.Filter{})
		if err != nil || len(vs) < 55 || len(vs) > 70 {
			t.Fatalf("%d volunteers, %v", len(vs), err)
		}
		// Totals count the hours whose 7-day publication (公示) has passed; the last week's are
		// shown pending.
		var sum, total, pending int64
		for _, v := range vs {
			total += v.Minutes
			lines, _ := s.Service(ctx, v.ID, 0)
			for _, l := range lines {
				sum += int64(l.Counted(time.Now()))
				if l.Pending(time.Now()) {
					pending += int64(l.Credited())
				}
			}
		}
		if sum != total || total < 60*200 || pending == 0 {
			t.Errorf("minutes: list %d, attendances %d, pending %d", total, sum, pending)
		}
		u, _ := auth.UserByUsername(ctx, db, "volunteer")
		me, err := s.Of(ctx, towns, u)
		if err != nil || me.Status != volunteers.StatusApproved || me.Name != u.DisplayName {
			t.Fatalf("周根宝: %+v, %v", me, err)
		}
		as, err := s.Activities(ctx, towns, volunteers.ActivityFilter{From: now})
		if err != nil {
			t.Fatal(err)
		}
		var today, waiting bool
		for _, a := range as {
			if a.Title == demo.VolunteerToday && a.Start.Before(now) && a.End.After(now) && a.Taken < a.Places {
				today = true
			}
			if a.Waiting > 0 {
				waiting = true
			}
		}
		if !today || !waiting {
			t.Errorf("today's activity %v, a waiting list %v", today, waiting)
		}
		certs, err := s.CertificatesOf(ctx, towns, 0)
		if err != nil || len(certs) < 10 {
			t.Fatalf("%d certificates, %v", len(certs), err)
		}
		if p, err := s.Verify(ctx, certs[0].Number, certs[0].Code); err != nil || p.Number != certs[0].Number {
			t.Errorf("verify a demo certificate: %+v, %v", p, err)
		}
		st, err := s.YearStats(ctx, towns, world.XinjingCode, now.Year())
		if err != nil || st.Registered < 50 {
			t.Errorf("stats %+v, %v", st, err)
		}
	})
}
