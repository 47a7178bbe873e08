package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/campaigns"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// TestDemoCampaigns: the campaign demo loads (twice, idempotently) with the two campaigns of 新泾镇,
// the 2025 one about 60 % visited with its orders closed, the current one with two open orders.
func TestDemoCampaigns(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now()
		extras := []demo.Extra{demo.Orders(t.TempDir(), now), demo.Campaigns(now)}
		if _, err := demo.Load(ctx, db, quiet, extras...); err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Load(ctx, db, quiet, extras...); err != nil { // idempotent
			t.Fatal(err)
		}
		s := campaigns.New(db, orders.New(db))
		list, err := s.List(ctx, []string{world.XinjingCode})
		if err != nil || len(list) != 2 {
			t.Fatalf("demo campaigns: %d, %v", len(list), err)
		}
		byName := map[string]campaigns.Summary{}
		for _, c := range list {
			byName[c.Name] = c
		}
		four := byName[demo.CampaignFourHundred]
		if four.Targets < 100 || four.Coverage < 50 || four.Coverage > 70 || four.Orders < 3 {
			t.Errorf("%s: %+v, want >100 targets, ~60%% visited, a few orders", demo.CampaignFourHundred, four.Totals)
		}
		news := byName[demo.CampaignNewSectors]
		if news.Targets < 8 || news.Visited < 3 || news.Orders != 2 {
			t.Errorf("%s: %+v", demo.CampaignNewSectors, news.Totals)
		}
		var closed int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM orders o JOIN campaign_visits v ON v.order_id = o.id WHERE o.state = 'closed'`).Scan(&closed); err != nil || closed != four.Orders {
			t.Errorf("%d closed orders from the 2025 campaign (%v), want %d", closed, err, four.Orders)
		}
		p, err := s.Progress(ctx, []string{world.XinjingCode}, four.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Grids {
			if r.Grid == "" || r.Targets == 0 || r.Visited == 0 {
				t.Errorf("grid row %+v: every grid should have targets and visits", r)
			}
		}
	})
}
