package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

type campaignJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Town     string `json:"town"`
	Targets  int    `json:"targets"`
	Visited  int    `json:"visited"`
	MayVisit bool   `json:"may_visit"`
}

type progressJSON struct {
	Grids []struct {
		Grid     string  `json:"grid"`
		Targets  int     `json:"targets"`
		Visited  int     `json:"visited"`
		Orders   int     `json:"orders"`
		Coverage float64 `json:"coverage"`
	} `json:"grids"`
	Total struct {
		Targets  int     `json:"targets"`
		Visited  int     `json:"visited"`
		Visits   int     `json:"visits"`
		Orders   int     `json:"orders"`
		Coverage float64 `json:"coverage"`
	} `json:"total"`
}

func TestCampaignsAPI(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		var e apiErr
		for _, tc := range []struct {
			user, body string
			status     int
			field      string
		}{
			{"gridworker", `{"name":"x","kind":"other","start":"2025-01-01","end":"2025-02-01"}`, 403, ""},
			{"admin", `{"name":"x","kind":"party","start":"2025-01-01","end":"2025-02-01"}`, 422, "kind"},
			{"admin", `{"name":"x","kind":"other","start":"2025-03-01","end":"2025-02-01"}`, 422, "end"},
			{"admin", `{"name":"x","kind":"other","start":"2025-03-01","end":"2025-04-01","colour":"red"}`, 400, "colour"},
		} {
			e = apiErr{}
			if got := a.call(tc.user, "POST", "/api/v1/campaigns", tc.body, &e); got != tc.status || e.Error.Field != tc.field {
				t.Errorf("%s POST %s = %d %q (%s), want %d %q", tc.user, tc.body, got, e.Error.Field, e.Error.Message, tc.status, tc.field)
			}
		}
		var c campaignJSON
		if got := a.call("dispatcher", "POST", "/api/v1/campaigns", `{"name":"2025年四百大走访（测试）","kind":"four_hundred","start":"2025-01-01","end":"2026-12-31"}`, &c); got != 201 || c.ID == 0 {
			t.Fatalf("dispatcher creates a campaign: %d %+v", got, c)
		}
		base := fmt.Sprintf("/api/v1/campaigns/%d", c.ID)
		var added struct{ Added int }
		if got := a.call("admin", "POST", base+"/targets", `{"from_address_book":true,"grid":"310105102-G04"}`, &added); got != 201 || added.Added != 12 {
			t.Fatalf("bulk households: %d %+v", got, added)
		}
		if got := a.call("admin", "POST", base+"/targets", `{"from_places_kind":"office_park","kind":"office_building"}`, &added); got != 201 || added.Added != 1 {
			t.Fatalf("bulk office parks: %d %+v", got, added)
		}
		var station struct {
			ID   int64
			Grid string
		}
		if got := a.call("admin", "POST", base+"/targets", `{"kind":"rider_station","name":"快递小哥驿站","lat":31.209083,"lng":121.362282}`, &station); got != 201 || station.Grid != "310105102-G05" {
			t.Fatalf("single station: %d %+v", got, station)
		}
		for _, tc := range []struct{ body, field string }{
			{`{"kind":"school","name":"x"}`, "kind"},
			{`{"kind":"merchant","name":""}`, "name"},
			{`{"kind":"merchant","name":"y","lat":31.2}`, "lng"},
			{`{"from_places_kind":"volcano"}`, "from_places_kind"},
			{`{"from_address_book":true,"grid":"310115005-G01"}`, "grid"},
		} {
			e = apiErr{}
			if got := a.call("admin", "POST", base+"/targets", tc.body, &e); got != 422 || e.Error.Field != tc.field {
				t.Errorf("targets %s = %d %q, want 422 %q", tc.body, got, e.Error.Field, tc.field)
			}
		}
		var list struct {
			Targets []struct {
				ID     int64
				Grid   string
				Status string
			}
			Count int
		}
		if got := a.call("gridworker", "GET", base+"/targets?grid=310105102-G04&status=pending", "", &list); got != 200 || list.Count != 12 {
			t.Fatalf("pending targets of G04: %d %d", got, list.Count)
		}
		tid := list.Targets[0].ID
		var v struct{ ID int64 }
		if got := a.call("gridworker", "POST", fmt.Sprintf("%s/targets/%d/visits", base, tid), `{"status":"visited","findings":"楼道堆放杂物，消防通道受阻","needs":"请物业清理"}`, &v); got != 201 || v.ID == 0 {
			t.Fatalf("log visit: %d", got)
		}
		a.call("gridworker", "POST", fmt.Sprintf("%s/targets/%d/visits", base, list.Targets[1].ID), `{"status":"not_home"}`, nil)
		for _, tc := range []struct {
			user, path, body string
			status           int
			field            string
		}{
			{"gridworker", fmt.Sprintf("%s/targets/%d/visits", base, tid), `{"status":"maybe"}`, 422, "status"},
			{"gridworker", fmt.Sprintf("%s/targets/%d/visits", base, tid), `{"status":"visited","visited_at":"2024-01-01T00:00:00Z"}`, 422, "visited_at"},
			{"resident", fmt.Sprintf("%s/targets/%d/visits", base, tid), `{"status":"visited"}`, 403, ""},
			{"leader", fmt.Sprintf("%s/targets/%d/visits", base, tid), `{"status":"visited"}`, 403, ""},
			{"lujiazui_admin", fmt.Sprintf("%s/targets/%d/visits", base, tid), `{"status":"visited"}`, 404, ""},
		} {
			e = apiErr{}
			if got := a.call(tc.user, "POST", tc.path, tc.body, &e); got != tc.status || e.Error.Field != tc.field {
				t.Errorf("%s visit %s = %d %q (%s), want %d %q", tc.user, tc.body, got, e.Error.Field, e.Error.Message, tc.status, tc.field)
			}
		}
		// A visit to a target of another campaign.
		var c2 campaignJSON
		a.call("admin", "POST", "/api/v1/campaigns", `{"name":"另一个","kind":"other","start":"2025-01-01","end":"2026-12-31"}`, &c2)
		e = apiErr{}
		if got := a.call("gridworker", "POST", fmt.Sprintf("/api/v1/campaigns/%d/targets/%d/visits", c2.ID, tid), `{"status":"visited"}`, &e); got != 422 || e.Error.Field != "target" {
			t.Errorf("visit to another campaign's target = %d %q", got, e.Error.Field)
		}

		// Finding → order, once.
		var first, second struct {
			Created bool
			Order   struct {
				ID      int64
				Number  string
				Channel string
				Grid    string
				Content string
			}
		}
		if got := a.call("gridworker", "POST", fmt.Sprintf("/api/v1/visits/%d/order", v.ID), "", &first); got != 201 || !first.Created || first.Order.Channel != "visit" || first.Order.Grid != "310105102-G04" {
			t.Fatalf("order from visit: %d %+v", got, first)
		}
		if !strings.Contains(first.Order.Content, "楼道堆放杂物") || !strings.Contains(first.Order.Content, "请物业清理") {
			t.Errorf("order content %q lacks the finding and the need", first.Order.Content)
		}
		if got := a.call("gridworker", "POST", fmt.Sprintf("/api/v1/visits/%d/order", v.ID), "", &second); got != 200 || second.Created || second.Order.ID != first.Order.ID {
			t.Errorf("second tap: %d %+v, want 200 and order %d", got, second, first.Order.ID)
		}
		if got := a.call("lujiazui_admin", "POST", fmt.Sprintf("/api/v1/visits/%d/order", v.ID), "", nil); got != 404 {
			t.Errorf("other town's order from visit = %d, want 404", got)
		}

		var p progressJSON
		if got := a.call("leader", "GET", base+"/progress", "", &p); got != 200 {
			t.Fatalf("progress: %d", got)
		}
		if len(p.Grids) != 8 || p.Total.Targets != 14 || p.Total.Visited != 1 || p.Total.Visits != 2 || p.Total.Orders != 1 || p.Total.Coverage != 7.1 {
			t.Errorf("progress total %+v (%d rows), want 14 targets, 1 visited, 2 visits, 1 order, 7.1%%", p.Total, len(p.Grids))
		}
		for _, g := range p.Grids {
			if g.Grid == "310105102-G04" && (g.Targets != 12 || g.Visited != 1 || g.Orders != 1 || g.Coverage != 8.3) {
				t.Errorf("G04 %+v, want 12 targets, 1 visited, 1 order, 8.3%%", g)
			}
		}
		// Isolation: 陆家嘴 does not see 新泾镇's campaign; 长宁区 does.
		for _, tc := range []struct {
			user   string
			status int
		}{{"lujiazui_admin", 404}, {"changning", 200}, {"gridworker", 200}} {
			if got := a.call(tc.user, "GET", base, "", nil); got != tc.status {
				t.Errorf("%s GET campaign = %d, want %d", tc.user, got, tc.status)
			}
			if got := a.call(tc.user, "GET", base+"/progress", "", nil); got != tc.status {
				t.Errorf("%s GET progress = %d, want %d", tc.user, got, tc.status)
			}
		}
		var ljz struct{ Campaigns []campaignJSON }
		if a.call("lujiazui_admin", "GET", "/api/v1/campaigns", "", &ljz); len(ljz.Campaigns) != 0 {
			t.Errorf("陆家嘴 lists %d campaigns of 新泾镇", len(ljz.Campaigns))
		}
		var one campaignJSON
		if a.call("gridworker", "GET", base, "", &one); !one.MayVisit || one.Targets != 14 || one.Visited != 1 {
			t.Errorf("campaign as gridworker: %+v", one)
		}
	})
}

var visitFormRe = regexp.MustCompile(`action="(/campaigns/\d+/visits/\d+/order)"`)

func TestCampaignPages(t *testing.T) {
	a := newApp(t, testdb.SQLite(t))
	var c campaignJSON
	a.call("admin", "POST", "/api/v1/campaigns", `{"name":"“鑫”能量全覆盖走访","kind":"two_coverage","start":"2025-01-01","end":"2026-12-31"}`, &c)
	var tg struct{ ID int64 }
	a.call("admin", "POST", fmt.Sprintf("/api/v1/campaigns/%d/targets", c.ID), `{"kind":"rider_station","name":"快递小哥驿站","lat":31.209083,"lng":121.362282}`, &tg)

	b := newBrowser(t, a.srv.URL)
	if code := b.login("gridworker", "demo-gridworker"); code != http.StatusSeeOther {
		t.Fatalf("sign in: %d", code)
	}
	for path, want := range map[string]string{
		"/campaigns":                       "“鑫”能量全覆盖走访",
		fmt.Sprintf("/campaigns/%d", c.ID): "快递小哥驿站",
		fmt.Sprintf("/campaigns/%d/targets/%d", c.ID, tg.ID): "记录走访",
	} {
		if code, body := b.get(path); code != 200 || !strings.Contains(body, want) {
			t.Errorf("GET %s = %d (contains %q: %v)", path, code, want, strings.Contains(body, want))
		}
	}
	// A refused new campaign keeps what was picked, the team too.
	planner := newBrowser(t, a.srv.URL)
	if code := planner.login("admin", "demo-admin"); code != http.StatusSeeOther {
		t.Fatalf("sign in as admin: %d", code)
	}
	var member int64
	if err := a.db.QueryRow(t.Context(), `SELECT id FROM users WHERE username = 'gridworker'`).Scan(&member); err != nil {
		t.Fatal(err)
	}
	code, body := planner.post("/campaigns", url.Values{"csrf": {planner.csrf("/campaigns")}, "name": {"春季走访"}, "kind": {"two_coverage"},
		"start": {"2025-05-01"}, "end": {"2025-04-01"}, "team": {fmt.Sprint(member)}})
	if code != 422 || !strings.Contains(body, `data-field="end"`) || !strings.Contains(body, fmt.Sprintf(`<option value="%d" selected>`, member)) {
		t.Errorf("refused campaign form = %d; the end field named and the team kept: %v", code, strings.Contains(body, fmt.Sprintf(`<option value="%d" selected>`, member)))
	}

	target := fmt.Sprintf("/campaigns/%d/targets/%d", c.ID, tg.ID)
	tok := b.csrf(target)
	if code, body := b.post(target+"/visits", url.Values{"csrf": {tok}, "status": {"bogus"}}); code != 422 || !strings.Contains(body, `data-field="status"`) {
		t.Errorf("bad visit form = %d", code)
	}
	if code, _ := b.post(target+"/visits", url.Values{"csrf": {tok}, "status": {"visited"}, "findings": {"驿站缺少充电柜"}}); code != http.StatusSeeOther {
		t.Fatalf("visit form = %d", code)
	}
	_, body = b.get(target)
	m := visitFormRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no 转为工单 button on %s", target)
	}
	for i := 0; i < 2; i++ {
		if code, _ := b.post(m[1], url.Values{"csrf": {tok}}); code != http.StatusSeeOther {
			t.Fatalf("转为工单 = %d", code)
		}
	}
	_, body = b.get(target)
	if visitFormRe.MatchString(body) || !strings.Contains(body, `href="/orders/`) {
		t.Errorf("after 转为工单 the page should link the order and offer no second button")
	}
	var n int
	if err := a.db.QueryRow(t.Context(), `SELECT COUNT(*) FROM orders WHERE channel = 'visit'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d visit orders after two taps, want 1 (%v)", n, err)
	}
	// The other town's admin gets a 404 page.
	b2 := newBrowser(t, a.srv.URL)
	b2.login("lujiazui_admin", "demo-lujiazui_admin")
	if code, _ := b2.get(fmt.Sprintf("/campaigns/%d", c.ID)); code != 404 {
		t.Errorf("陆家嘴 admin opens 新泾镇's campaign page: %d, want 404", code)
	}
}
