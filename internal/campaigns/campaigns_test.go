package campaigns_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/auth/authtest"
	"github.com/civicgrid/civicgrid/internal/campaigns"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const xj = world.XinjingCode

var (
	ctx   = context.Background()
	towns = []string{xj} // the demo's 新泾镇, the towns the tests act in
)

// users are the demo users by username.
type users = map[string]auth.User

// each runs body on both databases, each loaded with the demo world, with the campaign service s
// and the demo users u by username (setup).
func each(t *testing.T, body func(t *testing.T, db *store.DB, s *campaigns.Service, u users)) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s, u := setup(t, db)
		body(t, db, s, u)
	})
}

func setup(t *testing.T, db *store.DB) (*campaigns.Service, map[string]auth.User) {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.Load(ctx, db, quiet); err != nil {
		t.Fatal(err)
	}
	return campaigns.New(db, orders.New(db)), authtest.Users(t, db, "admin", "dispatcher", "gridworker", "gridleader", "handler_police", "resident", "lujiazui_admin")
}

func fieldOf(err error) string {
	var fe *problem.FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

func TestCampaignLifecycle(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, s *campaigns.Service, u users) {
		c, err := s.Create(ctx, towns, campaigns.NewCampaign{Name: "测试走访", Kind: campaigns.KindFourHundred, Start: "2025-01-01", End: "2026-12-31",
			Team: []int64{u["handler_police"].ID}}, u["admin"])
		if err != nil {
			t.Fatal(err)
		}
		if c.TownCode != xj || len(c.Team) != 1 || c.Start != "2025-01-01" || c.End != "2026-12-31" {
			t.Fatalf("created %+v", c)
		}
		entries, err := audit.List(ctx, db, audit.Filter{Towns: towns, Entity: "campaign", Action: audit.ActionCreate})
		if err != nil || len(entries) != 1 || entries[0].EntityID != fmt.Sprint(c.ID) || entries[0].ActorID != u["admin"].ID || entries[0].Detail != "测试走访" {
			t.Errorf("audit of the creation: %+v, %v", entries, err)
		}
		// Households of one grid from the address book (not its landmark row, 新泾派出所), the office
		// park from the places.
		n, err := s.AddTargets(ctx, towns, c.ID, campaigns.Bulk{FromAddressBook: true, Grid: "310105102-G04"}, u["admin"])
		if err != nil || n != 12 {
			t.Fatalf("households of G04: added %d, %v; want 12", n, err)
		}
		if n, err := s.AddTargets(ctx, towns, c.ID, campaigns.Bulk{FromAddressBook: true, Grid: "310105102-G04"}, u["admin"]); err != nil || n != 0 {
			t.Fatalf("repeating a bulk add added %d, %v; want 0", n, err)
		}
		if n, err := s.AddTargets(ctx, towns, c.ID, campaigns.Bulk{FromPlacesKind: "office_park"}, u["admin"]); err != nil || n != 1 {
			t.Fatalf("office parks: added %d, %v; want 1 (西郊金融园)", n, err)
		}
		lat, lng := 31.209083, 121.362282 // 西郊金融园, in G05
		st, err := s.AddTarget(ctx, towns, c.ID, campaigns.NewTarget{Kind: campaigns.TargetRiderStation, Name: "快递驿站", Lat: &lat, Lng: &lng}, u["admin"])
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
	each(t, func(t *testing.T, db *store.DB, s *campaigns.Service, u users) {
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
		if _, err := s.AddTarget(ctx, towns, c.ID, campaigns.NewTarget{Kind: "school", Name: "x"}, u["admin"]); fieldOf(err) != "kind" {
			t.Errorf("unknown target kind: %v", err)
		}
		if _, err := s.AddTarget(ctx, towns, c.ID, campaigns.NewTarget{Kind: "merchant", Name: "x", Grid: "310115005-G01"}, u["admin"]); fieldOf(err) != "grid" {
			t.Errorf("grid of another town: %v", err)
		}
		if _, err := s.AddTargets(ctx, towns, c.ID, campaigns.Bulk{FromPlacesKind: "volcano"}, u["admin"]); fieldOf(err) == "" {
			t.Errorf("unknown place kind: %v", err)
		}
		tg, err := s.AddTarget(ctx, towns, c.ID, campaigns.NewTarget{Kind: "merchant", Name: "沿街商户"}, u["admin"])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddTarget(ctx, towns, c.ID, campaigns.NewTarget{Kind: "merchant", Name: "沿街商户"}, u["admin"]); fieldOf(err) != "name" {
			t.Errorf("duplicate target: %v", err)
		}
		ot, err := s.AddTarget(ctx, []string{world.LujiazuiCode}, other.ID, campaigns.NewTarget{Kind: "merchant", Name: "x"}, u["lujiazui_admin"])
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
	each(t, func(t *testing.T, db *store.DB, s *campaigns.Service, u users) {
		c, err := s.Create(ctx, towns, campaigns.NewCampaign{Name: "x", Kind: "other", Start: "2025-01-01", End: "2026-12-31"}, u["admin"])
		if err != nil {
			t.Fatal(err)
		}
		tg, err := s.AddTarget(ctx, towns, c.ID, campaigns.NewTarget{Kind: "merchant", Name: "商户", Grid: "310105102-G01"}, u["admin"])
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

func TestCampaignUpdate(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, s *campaigns.Service, u users) {
		c, err := s.Create(ctx, towns, campaigns.NewCampaign{Name: "测试走访", Kind: campaigns.KindFourHundred, Start: "2025-01-01", End: "2026-12-31",
			Team: []int64{u["handler_police"].ID}}, u["admin"])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Create(ctx, towns, campaigns.NewCampaign{Name: "另一个走访", Kind: campaigns.KindOther, Start: "2025-01-01", End: "2026-12-31"}, u["admin"]); err != nil {
			t.Fatal(err)
		}
		tg, err := s.AddTarget(ctx, towns, c.ID, campaigns.NewTarget{Kind: campaigns.TargetMerchant, Name: "沿街商户", Grid: "310105102-G01"}, u["admin"])
		if err != nil {
			t.Fatal(err)
		}
		if !s.MayVisit(ctx, c, u["handler_police"]) {
			t.Fatal("the team member handler_police may not visit before the update")
		}
		// Rejected input names its field and leaves the stored campaign as it was, team included
		// (the team rows are replaced inside the same transaction).
		before, err := s.Get(ctx, towns, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		good := campaigns.NewCampaign{Name: "测试走访", Kind: campaigns.KindOther, Start: "2025-01-01", End: "2026-12-31", Team: []int64{u["dispatcher"].ID}}
		for _, tc := range []struct {
			name  string
			edit  func(n *campaigns.NewCampaign)
			field string
		}{
			{"empty name", func(n *campaigns.NewCampaign) { n.Name = "  " }, "name"},
			{"name of another campaign", func(n *campaigns.NewCampaign) { n.Name = "另一个走访" }, "name"},
			{"end before start", func(n *campaigns.NewCampaign) { n.Start, n.End = "2025-03-01", "2025-02-01" }, "end"},
			{"start not a date", func(n *campaigns.NewCampaign) { n.Start = "2025-13-01" }, "start"},
			{"unknown kind", func(n *campaigns.NewCampaign) { n.Kind = "party" }, "kind"},
			{"team member of another town", func(n *campaigns.NewCampaign) { n.Team = []int64{u["dispatcher"].ID, u["lujiazui_admin"].ID} }, "team"},
			{"unknown team member", func(n *campaigns.NewCampaign) { n.Team = []int64{999999} }, "team"},
			{"another town", func(n *campaigns.NewCampaign) { n.TownCode = world.LujiazuiCode }, "town"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				n := good
				n.Team = append([]int64(nil), good.Team...)
				tc.edit(&n)
				if _, err := s.Update(ctx, towns, c.ID, n, u["admin"]); fieldOf(err) != tc.field {
					t.Errorf("update %+v: %v, want a 422 on %s", n, err, tc.field)
				}
				if after, err := s.Get(ctx, towns, c.ID); err != nil || !reflect.DeepEqual(after, before) {
					t.Errorf("after a rejected update the campaign is %+v (%v), want %+v", after, err, before)
				}
			})
		}
		// Another town's planner does not find the campaign.
		if _, err := s.Update(ctx, []string{world.LujiazuiCode}, c.ID, good, u["lujiazui_admin"]); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("陆家嘴 updates 新泾镇's campaign: %v, want not found", err)
		}

		got, err := s.Update(ctx, towns, c.ID, campaigns.NewCampaign{Name: " 测试走访（调整） ", Kind: campaigns.KindFullCoverage, Description: " 延长一个月 ",
			Start: "2025-02-01", End: "2027-01-31", Team: []int64{u["dispatcher"].ID, u["dispatcher"].ID}}, u["dispatcher"])
		if err != nil {
			t.Fatal(err)
		}
		stored, err := s.Get(ctx, towns, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []campaigns.Campaign{got, stored} {
			if x.Name != "测试走访（调整）" || x.Kind != campaigns.KindFullCoverage || x.Description != "延长一个月" || x.Start != "2025-02-01" || x.End != "2027-01-31" ||
				x.TownCode != xj || x.CreatedBy != u["admin"].ID || len(x.Team) != 1 || x.Team[0].UserID != u["dispatcher"].ID {
				t.Errorf("updated campaign %+v", x)
			}
		}
		// The removed member is no grid staff and may no longer log visits; the new one may.
		if s.MayVisit(ctx, stored, u["handler_police"]) {
			t.Error("handler_police, removed from the team, may still visit")
		}
		if _, err := s.LogVisit(ctx, towns, c.ID, tg.ID, campaigns.NewVisit{Status: campaigns.StatusVisited}, u["handler_police"]); !errors.Is(err, problem.ErrForbidden) {
			t.Errorf("removed member logs a visit: %v, want forbidden", err)
		}
		if _, err := s.LogVisit(ctx, towns, c.ID, tg.ID, campaigns.NewVisit{Status: campaigns.StatusVisited}, u["dispatcher"]); err != nil {
			t.Errorf("new member logs a visit: %v", err)
		}
		// The town may be repeated, the name kept, and the team emptied; targets and visits stay.
		got, err = s.Update(ctx, towns, c.ID, campaigns.NewCampaign{TownCode: xj, Name: "测试走访（调整）", Kind: campaigns.KindFullCoverage,
			Start: "2025-02-01", End: "2027-01-31"}, u["admin"])
		if err != nil || len(got.Team) != 0 || got.Description != "" {
			t.Errorf("update with the same town and name, no team: %+v, %v", got, err)
		}
		if p, err := s.Progress(ctx, towns, c.ID); err != nil || p.Total.Targets != 1 || p.Total.Visits != 1 {
			t.Errorf("progress after the updates: %+v, %v; want the target and its visit kept", p.Total, err)
		}
		// The period cannot leave out the visit already logged, on either side.
		vs, err := s.Visits(ctx, towns, c.ID, 0)
		if err != nil || len(vs) != 1 {
			t.Fatalf("visits %v, %v", vs, err)
		}
		day := vs[0].VisitedAt.In(workcal.Location())
		for field, period := range map[string][2]string{
			"start": {day.AddDate(0, 0, 1).Format("2006-01-02"), "2027-01-31"},
			"end":   {"2025-02-01", day.AddDate(0, 0, -1).Format("2006-01-02")},
		} {
			n := campaigns.NewCampaign{Name: "测试走访（调整）", Kind: campaigns.KindFullCoverage, Start: period[0], End: period[1]}
			if _, err := s.Update(ctx, towns, c.ID, n, u["admin"]); fieldOf(err) != field {
				t.Errorf("period %v leaving out the visit of %s: %v, want a 422 on %s", period, day.Format("2006-01-02"), err, field)
			}
		}
		if _, err := s.Update(ctx, towns, c.ID, campaigns.NewCampaign{Name: "测试走访（调整）", Kind: campaigns.KindFullCoverage,
			Start: day.Format("2006-01-02"), End: day.Format("2006-01-02")}, u["admin"]); err != nil {
			t.Errorf("a period of just the visit's day: %v", err)
		}
	})
}

func TestCampaignDelete(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, s *campaigns.Service, u users) {
		count := func(table string, id int64) int {
			t.Helper()
			var n int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM `+table+` WHERE campaign_id = ?`, id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// plan makes a campaign with two targets and a team member, and optionally one visit.
		plan := func(name string, visited bool) campaigns.Campaign {
			t.Helper()
			c, err := s.Create(ctx, towns, campaigns.NewCampaign{Name: name, Kind: campaigns.KindOther, Start: "2025-01-01", End: "2026-12-31",
				Team: []int64{u["handler_police"].ID}}, u["admin"])
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range []string{"商户甲", "商户乙"} {
				tg, err := s.AddTarget(ctx, towns, c.ID, campaigns.NewTarget{Kind: campaigns.TargetMerchant, Name: n, Grid: "310105102-G01"}, u["admin"])
				if err != nil {
					t.Fatal(err)
				}
				if visited {
					if _, err := s.LogVisit(ctx, towns, c.ID, tg.ID, campaigns.NewVisit{Status: campaigns.StatusNotHome}, u["gridworker"]); err != nil {
						t.Fatal(err)
					}
					visited = false
				}
			}
			return c
		}
		for _, tc := range []struct {
			name    string
			visited bool
			towns   []string
			by      string
			want    error // nil: deleted
		}{
			{"without visits", false, towns, "dispatcher", nil},
			{"with a visit", true, towns, "admin", problem.ErrConflict},
			{"of another town", false, []string{world.LujiazuiCode}, "lujiazui_admin", problem.ErrNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := plan("删除测试 "+tc.name, tc.visited)
				visits := count("campaign_visits", c.ID)
				err := s.Delete(ctx, tc.towns, c.ID, u[tc.by])
				if tc.want == nil {
					if err != nil {
						t.Fatalf("delete: %v", err)
					}
					if _, err := s.Get(ctx, towns, c.ID); !errors.Is(err, problem.ErrNotFound) {
						t.Errorf("deleted campaign: %v, want not found", err)
					}
					if n, m := count("campaign_targets", c.ID), count("campaign_team", c.ID); n != 0 || m != 0 {
						t.Errorf("%d targets and %d team rows left behind", n, m)
					}
					entries, err := audit.List(ctx, db, audit.Filter{Towns: towns, Entity: "campaign", Action: audit.ActionDelete})
					if err != nil || len(entries) != 1 || entries[0].EntityID != fmt.Sprint(c.ID) || entries[0].ActorID != u[tc.by].ID {
						t.Errorf("audit of the deletion: %+v, %v", entries, err)
					}
					return
				}
				if !errors.Is(err, tc.want) {
					t.Fatalf("delete: %v, want %v", err, tc.want)
				}
				if tc.want == problem.ErrConflict && !strings.Contains(err.Error(), "1 visits") {
					t.Errorf("conflict %q does not say how many visits", err)
				}
				// Everything stays in place.
				if got, err := s.Get(ctx, towns, c.ID); err != nil || got.Name != c.Name || len(got.Team) != 1 {
					t.Errorf("kept campaign %+v, %v", got, err)
				}
				if n, v := count("campaign_targets", c.ID), count("campaign_visits", c.ID); n != 2 || v != visits {
					t.Errorf("%d targets and %d visits after a refused delete, want 2 and %d", n, v, visits)
				}
			})
		}
		// A visit logged while a delete holds the campaign waits for it and, the campaign gone,
		// is refused as not found (on PostgreSQL it used to fail on the foreign key, a 500).
		t.Run("visit racing a delete", func(t *testing.T) {
			if db.Dialect() != store.Postgres {
				t.Skip("SQLite takes one writer at a time: the visit's transaction starts after the delete's")
			}
			c := plan("删除竞争", false)
			var target int64
			if err := db.QueryRow(ctx, `SELECT MIN(id) FROM campaign_targets WHERE campaign_id = ?`, c.ID).Scan(&target); err != nil {
				t.Fatal(err)
			}
			holding, release, deleted := make(chan struct{}), make(chan struct{}), make(chan error, 1)
			go func() {
				deleted <- db.InTx(ctx, func(tx *store.Tx) error {
					if _, err := tx.Exec(ctx, `DELETE FROM campaigns WHERE id = ?`, c.ID); err != nil {
						return err
					}
					close(holding)
					<-release
					return nil
				})
			}()
			<-holding
			visited := make(chan error, 1)
			go func() {
				_, err := s.LogVisit(ctx, towns, c.ID, target, campaigns.NewVisit{Status: campaigns.StatusNotHome}, u["gridworker"])
				visited <- err
			}()
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				var waiting int
				if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
					AND query LIKE 'INSERT INTO campaign_visits%'`).Scan(&waiting); err != nil {
					t.Fatal(err)
				}
				if waiting > 0 {
					break
				}
				select {
				case err := <-visited:
					t.Fatalf("the visit did not wait for the delete: %v", err)
				default:
				}
				if time.Now().After(deadline) {
					t.Fatal("the visit never waited for the delete's lock")
				}
			}
			close(release)
			if err := <-deleted; err != nil {
				t.Fatal(err)
			}
			if err := <-visited; !errors.Is(err, problem.ErrNotFound) {
				t.Errorf("visit logged as its campaign was deleted: %v, want not found", err)
			}
		})
	})
}
