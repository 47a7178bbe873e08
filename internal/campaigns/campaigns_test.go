package campaigns_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/campaigns"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const xj = world.XinjingCode

func setup(t *testing.T, db *store.DB) (*campaigns.Service, map[string]auth.User) {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.Load(ctx, db, quiet); err != nil {
		t.Fatal(err)
	}
	users := map[string]auth.User{}
	for _, n := range []string{"admin", "dispatcher", "gridworker", "gridleader", "handler_police", "resident", "lujiazui_admin"} {
		u, err := auth.UserByUsername(ctx, db, n)
		if err != nil {
			t.Fatal(err)
		}
		users[n] = u
	}
	return campaigns.New(db, orders.New(db)), users
}

func fieldOf(err error) string {
	var fe *problem.FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

func TestCampaignLifecycle(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, u := setup(t, db)
		towns := []string{xj}
		c, err := s.Create(ctx, towns, campaigns.NewCampaign{Name: "测试走访", Kind: campaigns.KindFourHundred, Start: "2025-01-01", End: "2026-12-31",
			Team: []int64{u["handler_police"].ID}}, u["admin"])
		if err != nil {
			t.Fatal(err)
		}
		if c.TownCode != xj || len(c.Team) != 1 || c.Start != "2025-01-01" || c.End != "2026-12-31" {
			t.Fatalf("created %+v", c)
		}
		// Households of one grid from the address book, the office park from the places.
		n, err := s.AddTargets(ctx, towns, c.ID, campaigns.Bulk{FromAddressBook: true, Grid: "310105102-G04"})
		if err != nil || n != 12 {
			t.Fatalf("households of G04: added %d, %v; want 12", n, err)
		}
		if n, err := s.AddTargets(ctx, towns, c.ID, campaigns.Bulk{FromAddressBook: true, Grid: "310105102-G04"}); err != nil || n != 0 {
			t.Fatalf("repeating a bulk add added %d, %v; want 0", n, err)
		}
		if n, err := s.AddTargets(ctx, towns, c.ID, campaigns.Bulk{FromPlacesKind: "office_park"}); err != nil || n != 1 {
			t.Fatalf("office parks: added %d, %v; want 1 (西郊金融园)", n, err)
		}
		lat, lng := 31.209083, 121.362282 // 西郊金融园, in G05
		st, err := s.AddTarget(ctx, towns, c.ID, campaigns.NewTarget{Kind: campaigns.TargetRiderStation, Name: "快递驿站", Lat: &lat, Lng: &lng})
		if err != nil || st.Grid != "310105102-G05" {
			t.Fatalf("station located in %q (%v), want 310105102-G05", st.Grid, err)
		}
		all, err := s.Targets(ctx, towns, c.ID, campaigns.TargetFilter{})
		if err != nil || len(all) != 14 {
			t.Fatalf("%d targets (%v), want 14", len(all), err)
		}
		var g04 []campaigns.Target
		for _, x := range all {
			if x.Grid == "310105102-G04" {
				g04 = append(g04, x)
			}
		}
		at := time.Now().Add(-time.Hour)
		// 3 of the 12 households visited (one after a first "not at home"), one refused; the station visited.
		log := func(tid int64, status, findings string, who auth.User) campaigns.Visit {
			t.Helper()
			v, err := s.LogVisit(ctx, towns, c.ID, tid, campaigns.NewVisit{Status: status, VisitedAt: &at, Findings: findings}, who)
			if err != nil {
				t.Fatalf("log visit: %v", err)
			}
			return v
		}
		log(g04[0].ID, campaigns.StatusNotHome, "", u["gridworker"])
		v1 := log(g04[0].ID, campaigns.StatusVisited, "楼道堆物", u["gridworker"])
		log(g04[1].ID, campaigns.StatusVisited, "", u["gridleader"])
		log(g04[2].ID, campaigns.StatusVisited, "", u["handler_police"]) // team member
		log(g04[3].ID, campaigns.StatusRefused, "", u["gridworker"])
		log(g04[4].ID, campaigns.StatusNotHome, "", u["gridworker"])
		log(st.ID, campaigns.StatusVisited, "缺少充电柜", u["gridworker"])

		// Finding → order, once.
		o, created, err := s.OrderFromVisit(ctx, towns, v1.ID, u["gridworker"])
		if err != nil || !created {
			t.Fatalf("order from visit: created=%v, %v", created, err)
		}
		if o.Channel != orders.ChannelVisit || o.Grid != "310105102-G04" || o.RaisedBy != u["gridworker"].ID || o.Address != g04[0].Address || o.Lat == nil {
			t.Errorf("order %+v", o)
		}
		again, created, err := s.OrderFromVisit(ctx, towns, v1.ID, u["gridleader"])
		if err != nil || created || again.ID != o.ID {
			t.Errorf("second tap: order %d created=%v %v; want the same order %d", again.ID, created, err, o.ID)
		}
		var norders int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM orders WHERE channel = 'visit'`).Scan(&norders); err != nil || norders != 1 {
			t.Errorf("%d visit orders, want 1", norders)
		}

		p, err := s.Progress(ctx, towns, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Grids) != 8 {
			t.Errorf("%d progress rows, want the 8 grids", len(p.Grids))
		}
		rows := map[string]campaigns.GridProgress{}
		for _, r := range p.Grids {
			rows[r.Grid] = r
		}
		g := rows["310105102-G04"]
		if g.Targets != 12 || g.Visited != 3 || g.Visits != 6 || g.Orders != 1 || g.Coverage != 25 || g.NotHome != 1 || g.Refused != 1 {
			t.Errorf("G04 = %+v, want 12 targets, 3 visited, 6 visits, 1 order, 25%%, 1 not home, 1 refused", g)
		}
		g = rows["310105102-G05"]
		if g.Targets != 2 || g.Visited != 1 || g.Coverage != 50 || g.Orders != 0 {
			t.Errorf("G05 = %+v, want 2 targets, 1 visited, 50%%", g)
		}
		if p.Total.Targets != 14 || p.Total.Visited != 4 || p.Total.Visits != 7 || p.Total.Orders != 1 || p.Total.Coverage != 28.6 {
			t.Errorf("total = %+v, want 14 targets, 4 visited, 7 visits, 1 order, 28.6%%", p.Total)
		}
		for status, want := range map[string]int{"visited": 4, "unvisited": 10, "pending": 8, "not_home": 1, "refused": 1} {
			ts, err := s.Targets(ctx, towns, c.ID, campaigns.TargetFilter{Status: status})
			if err != nil || len(ts) != want {
				t.Errorf("status %s: %d targets (%v), want %d", status, len(ts), err, want)
			}
		}
		list, err := s.List(ctx, towns)
		if err != nil || len(list) != 1 || list[0].Visited != 4 || list[0].Coverage != 28.6 {
			t.Errorf("list = %+v, %v", list, err)
		}
		tg, err := s.Target(ctx, towns, c.ID, g04[0].ID)
		if err != nil || len(tg.Visits) != 2 || tg.Status != campaigns.StatusVisited || tg.Visits[0].OrderNumber != o.Number {
			t.Errorf("target with visits = %+v, %v", tg, err)
		}
	})
}

func TestCampaignRulesAndIsolation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, u := setup(t, db)
		towns := []string{xj}
		for _, tc := range []struct {
			n     campaigns.NewCampaign
			field string
		}{
			{campaigns.NewCampaign{Name: "", Kind: "four_hundred", Start: "2025-01-01", End: "2025-02-01"}, "name"},
			{campaigns.NewCampaign{Name: "x", Kind: "party", Start: "2025-01-01", End: "2025-02-01"}, "kind"},
			{campaigns.NewCampaign{Name: "x", Kind: "other", Start: "2025-13-01", End: "2025-02-01"}, "start"},
			{campaigns.NewCampaign{Name: "x", Kind: "other", Start: "2025-03-01", End: "2025-02-01"}, "end"},
			{campaigns.NewCampaign{Name: "x", Kind: "other", Start: "2025-01-01", End: "2025-02-01", TownCode: world.LujiazuiCode}, "town"},
			{campaigns.NewCampaign{Name: "x", Kind: "other", Start: "2025-01-01", End: "2025-02-01", Team: []int64{u["lujiazui_admin"].ID}}, "team"},
		} {
			if _, err := s.Create(ctx, towns, tc.n, u["admin"]); fieldOf(err) != tc.field {
				t.Errorf("create %+v: %v, want a 422 on %s", tc.n, err, tc.field)
			}
		}
		c, err := s.Create(ctx, towns, campaigns.NewCampaign{Name: "x", Kind: "other", Start: "2025-01-01", End: "2026-12-31"}, u["admin"])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Create(ctx, towns, campaigns.NewCampaign{Name: "x", Kind: "other", Start: "2025-01-01", End: "2026-12-31"}, u["admin"]); fieldOf(err) != "name" {
			t.Errorf("duplicate name: %v", err)
		}
		other, err := s.Create(ctx, []string{world.LujiazuiCode}, campaigns.NewCampaign{Name: "陆家嘴走访", Kind: "other", Start: "2025-01-01", End: "2026-12-31"}, u["lujiazui_admin"])
		if err != nil {
			t.Fatal(err)
		}
		// Another town's campaign does not exist for 新泾镇.
		if _, err := s.Get(ctx, towns, other.ID); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("other town's campaign: %v, want not found", err)
		}
		if _, err := s.Progress(ctx, towns, other.ID); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("other town's progress: %v, want not found", err)
		}
		if _, err := s.AddTarget(ctx, towns, c.ID, campaigns.NewTarget{Kind: "school", Name: "x"}); fieldOf(err) != "kind" {
			t.Errorf("unknown target kind: %v", err)
		}
		if _, err := s.AddTarget(ctx, towns, c.ID, campaigns.NewTarget{Kind: "merchant", Name: "x", Grid: "310115005-G01"}); fieldOf(err) != "grid" {
			t.Errorf("grid of another town: %v", err)
		}
		if _, err := s.AddTargets(ctx, towns, c.ID, campaigns.Bulk{FromPlacesKind: "volcano"}); fieldOf(err) == "" {
			t.Errorf("unknown place kind: %v", err)
		}
		tg, err := s.AddTarget(ctx, towns, c.ID, campaigns.NewTarget{Kind: "merchant", Name: "沿街商户"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddTarget(ctx, towns, c.ID, campaigns.NewTarget{Kind: "merchant", Name: "沿街商户"}); fieldOf(err) != "name" {
			t.Errorf("duplicate target: %v", err)
		}
		ot, err := s.AddTarget(ctx, []string{world.LujiazuiCode}, other.ID, campaigns.NewTarget{Kind: "merchant", Name: "x"})
		if err != nil {
			t.Fatal(err)
		}
		visited := campaigns.NewVisit{Status: "visited", Findings: "问题"}
		// Visit to a target of another campaign → 422 on target.
		if _, err := s.LogVisit(ctx, towns, c.ID, ot.ID, visited, u["gridworker"]); fieldOf(err) != "target" {
			t.Errorf("visit to another campaign's target: %v", err)
		}
		if _, err := s.LogVisit(ctx, towns, c.ID, tg.ID, campaigns.NewVisit{Status: "maybe"}, u["gridworker"]); fieldOf(err) != "status" {
			t.Errorf("unknown status: %v", err)
		}
		future := time.Now().Add(48 * time.Hour)
		if _, err := s.LogVisit(ctx, towns, c.ID, tg.ID, campaigns.NewVisit{Status: "visited", VisitedAt: &future}, u["gridworker"]); fieldOf(err) != "visited_at" {
			t.Errorf("visit in the future: %v", err)
		}
		early := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
		if _, err := s.LogVisit(ctx, towns, c.ID, tg.ID, campaigns.NewVisit{Status: "visited", VisitedAt: &early}, u["gridworker"]); fieldOf(err) != "visited_at" {
			t.Errorf("visit before the start: %v", err)
		}
		if _, err := s.LogVisit(ctx, towns, c.ID, tg.ID, campaigns.NewVisit{Status: "visited", Category: "9999"}, u["gridworker"]); fieldOf(err) != "category" {
			t.Errorf("unknown category: %v", err)
		}
		// Neither on the team nor grid staff.
		for _, who := range []string{"handler_police", "admin", "resident"} {
			if _, err := s.LogVisit(ctx, towns, c.ID, tg.ID, visited, u[who]); !errors.Is(err, problem.ErrForbidden) {
				t.Errorf("%s logs a visit: %v, want forbidden", who, err)
			}
		}
		// Another town's grid worker cannot even see the campaign.
		if _, err := s.LogVisit(ctx, []string{world.LujiazuiCode}, c.ID, tg.ID, visited, u["lujiazui_admin"]); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("other town logs a visit: %v, want not found", err)
		}
		empty, err := s.LogVisit(ctx, towns, c.ID, tg.ID, campaigns.NewVisit{Status: "not_home"}, u["gridworker"])
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.OrderFromVisit(ctx, towns, empty.ID, u["gridworker"]); fieldOf(err) != "findings" {
			t.Errorf("order from a visit without findings: %v", err)
		}
		if _, _, err := s.OrderFromVisit(ctx, []string{world.LujiazuiCode}, empty.ID, u["lujiazui_admin"]); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("order from another town's visit: %v, want not found", err)
		}
	})
}

// Concurrent taps on "转为工单" make one order.
func TestOrderFromVisitOnceUnderRace(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, u := setup(t, db)
		towns := []string{xj}
		c, err := s.Create(ctx, towns, campaigns.NewCampaign{Name: "x", Kind: "other", Start: "2025-01-01", End: "2026-12-31"}, u["admin"])
		if err != nil {
			t.Fatal(err)
		}
		tg, err := s.AddTarget(ctx, towns, c.ID, campaigns.NewTarget{Kind: "merchant", Name: "商户", Grid: "310105102-G01"})
		if err != nil {
			t.Fatal(err)
		}
		v, err := s.LogVisit(ctx, towns, c.ID, tg.ID, campaigns.NewVisit{Status: "visited", Needs: "需要帮助"}, u["gridworker"])
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		ids := make([]int64, 4)
		errs := make([]error, 4)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o, _, err := s.OrderFromVisit(ctx, towns, v.ID, u["gridworker"])
				ids[i], errs[i] = o.ID, err
			}()
		}
		wg.Wait()
		for i := range ids {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Errorf("tap %d: order %d, %v; want order %d", i, ids[i], errs[i], ids[0])
			}
		}
	})
}

func TestDemoCampaigns(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now()
		extras := []demo.Extra{demo.Orders(t.TempDir(), now), campaigns.DemoExtra(now)}
		if _, err := demo.Load(ctx, db, quiet, extras...); err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Load(ctx, db, quiet, extras...); err != nil { // idempotent
			t.Fatal(err)
		}
		s := campaigns.New(db, orders.New(db))
		list, err := s.List(ctx, []string{xj})
		if err != nil || len(list) != 2 {
			t.Fatalf("demo campaigns: %d, %v", len(list), err)
		}
		byName := map[string]campaigns.Summary{}
		for _, c := range list {
			byName[c.Name] = c
		}
		four := byName[campaigns.DemoFourHundred]
		if four.Targets < 100 || four.Coverage < 50 || four.Coverage > 70 || four.Orders < 3 {
			t.Errorf("%s: %+v, want >100 targets, ~60%% visited, a few orders", campaigns.DemoFourHundred, four.Totals)
		}
		news := byName[campaigns.DemoNewSectors]
		if news.Targets < 8 || news.Visited < 3 || news.Orders != 2 {
			t.Errorf("%s: %+v", campaigns.DemoNewSectors, news.Totals)
		}
		var closed int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM orders o JOIN campaign_visits v ON v.order_id = o.id WHERE o.state = 'closed'`).Scan(&closed); err != nil || closed != four.Orders {
			t.Errorf("%d closed orders from the 2025 campaign (%v), want %d", closed, err, four.Orders)
		}
		p, err := s.Progress(ctx, []string{xj}, four.ID)
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
