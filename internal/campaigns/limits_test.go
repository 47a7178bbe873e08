package campaigns_test

import (
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/campaigns"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
)

// TestTeamIsBounded: a team longer than MaxTeam is refused naming team before any write (a
// 200,000-id team once held the write transaction for seconds); a team at the bound, with
// repeated ids, is checked and stored in one go, and an unknown id is still named.
func TestTeamIsBounded(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, s *campaigns.Service, u users) {
		// Valid ids, repeated: a team that only its length makes wrong.
		huge := make([]int64, 200000)
		for i := range huge {
			huge[i] = u["gridworker"].ID
		}
		_, err := s.Create(ctx, towns, campaigns.NewCampaign{Name: "大团队", Kind: "other", Start: "2025-01-01", End: "2025-12-31", Team: huge}, u["admin"])
		if fieldOf(err) != "team" {
			t.Fatalf("200,000 team ids: %v, want a field error on team", err)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM campaigns WHERE name = '大团队'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("refused campaign stored: %d, %v", n, err)
		}
		c, err := s.Create(ctx, towns, campaigns.NewCampaign{Name: "小团队", Kind: "other", Start: "2025-01-01", End: "2025-12-31"}, u["admin"])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Update(ctx, towns, c.ID, campaigns.NewCampaign{Name: "小团队", Kind: "other", Start: "2025-01-01", End: "2025-12-31", Team: huge[:campaigns.MaxTeam+1]}, u["admin"]); fieldOf(err) != "team" {
			t.Errorf("update with %d team ids: %v, want a field error on team", campaigns.MaxTeam+1, err)
		}
		team := make([]int64, 0, campaigns.MaxTeam)
		for len(team) < campaigns.MaxTeam {
			team = append(team, u["gridworker"].ID, u["handler_police"].ID)
		}
		got, err := s.Update(ctx, towns, c.ID, campaigns.NewCampaign{Name: "小团队", Kind: "other", Start: "2025-01-01", End: "2025-12-31", Team: team}, u["admin"])
		if err != nil || len(got.Team) != 2 {
			t.Fatalf("team of %d ids naming 2 users: %+v, %v", len(team), got.Team, err)
		}
		_, err = s.Update(ctx, towns, c.ID, campaigns.NewCampaign{Name: "小团队", Kind: "other", Start: "2025-01-01", End: "2025-12-31",
			Team: []int64{u["gridworker"].ID, u["lujiazui_admin"].ID}}, u["admin"])
		if fieldOf(err) != "team" {
			t.Errorf("a user of another town on the team: %v, want a field error on team", err)
		}
		if got, err := s.Get(ctx, towns, c.ID); err != nil || len(got.Team) != 2 {
			t.Errorf("a refused update changed the team: %+v, %v", got.Team, err)
		}
	})
}

// TestVisitPhotoMustBeTheVisitors: a visit's photo_id must name a photo its visitor uploaded to the
// campaign's town; otherwise the visit is refused naming photo_id and nothing is stored.
func TestVisitPhotoMustBeTheVisitors(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, s *campaigns.Service, u users) {
		st := orders.New(db)
		c, err := s.Create(ctx, towns, campaigns.NewCampaign{Name: "照片", Kind: "other", Start: "2025-01-01", End: "2026-12-31"}, u["admin"])
		if err != nil {
			t.Fatal(err)
		}
		tg, err := s.AddTarget(ctx, towns, c.ID, campaigns.NewTarget{Kind: "merchant", Name: "商户", Grid: "310105102-G04"}, u["admin"])
		if err != nil {
			t.Fatal(err)
		}
		photo := func(name, town string, by int64) string {
			id := fmt.Sprintf("%x", sha256.Sum256([]byte(name)))
			if err := st.SaveUpload(ctx, orders.Upload{ID: id, TownCode: town, MIME: "image/jpeg", Size: 10, CreatedBy: by, CreatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			return id
		}
		own := photo("own", xj, u["gridworker"].ID)
		for name, id := range map[string]string{
			"unknown":           fmt.Sprintf("%x", sha256.Sum256([]byte("nothing"))),
			"another town's":    photo("lujiazui", "310115005", u["lujiazui_admin"].ID),
			"another visitor's": photo("leader's", xj, u["gridleader"].ID),
		} {
			_, err := s.LogVisit(ctx, towns, c.ID, tg.ID, campaigns.NewVisit{Status: "visited", Findings: "x", PhotoID: id}, u["gridworker"])
			if fieldOf(err) != "photo_id" {
				t.Errorf("%s photo: %v, want a field error on photo_id", name, err)
			}
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM campaign_visits WHERE target_id = ?`, tg.ID).Scan(&n); err != nil || n != 0 {
			t.Fatalf("refused visits stored: %d, %v", n, err)
		}
		v, err := s.LogVisit(ctx, towns, c.ID, tg.ID, campaigns.NewVisit{Status: "visited", Findings: "x", PhotoID: own}, u["gridworker"])
		if err != nil || v.PhotoID != own {
			t.Errorf("the visitor's own photo: %+v, %v", v, err)
		}
	})
}
