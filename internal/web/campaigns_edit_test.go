package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// campaignState is what a planner can change of a campaign, and the figures that must survive
// a refused change, as GET /api/v1/campaigns/{id} answers them.
type campaignState struct {
	ID          int64  `json:"id"`
	Town        string `json:"town"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	Description string `json:"description"`
	Start       string `json:"start"`
	End         string `json:"end"`
	Team        []struct {
		UserID int64 `json:"user_id"`
	} `json:"team"`
	Targets  int  `json:"targets"`
	Visits   int  `json:"visits"`
	MayVisit bool `json:"may_visit"`
}

func userIDs(t *testing.T, a *app, names ...string) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	for _, n := range names {
		var id int64
		if err := a.db.QueryRow(t.Context(), `SELECT id FROM users WHERE username = ?`, n).Scan(&id); err != nil {
			t.Fatalf("user %s: %v", n, err)
		}
		ids[n] = id
	}
	return ids
}

func TestCampaignEditAPI(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		ids := userIDs(t, a, "leader", "dispatcher", "lujiazui_admin")
		var c, other campaignState
		if got := a.call("admin", "POST", "/api/v1/campaigns", fmt.Sprintf(`{"name":"编辑测试","kind":"four_hundred","start":"2025-01-01","end":"2026-12-31","team":[%d]}`, ids["leader"]), &c); got != 201 {
			t.Fatalf("create: %d", got)
		}
		if got := a.call("admin", "POST", "/api/v1/campaigns", `{"name":"另一个","kind":"other","start":"2025-01-01","end":"2026-12-31"}`, &other); got != 201 {
			t.Fatalf("create another: %d", got)
		}
		base := fmt.Sprintf("/api/v1/campaigns/%d", c.ID)
		var tg struct{ ID int64 }
		if got := a.call("admin", "POST", base+"/targets", `{"kind":"merchant","name":"沿街商户","grid":"310105102-G01"}`, &tg); got != 201 {
			t.Fatalf("add target: %d", got)
		}
		state := func(id int64) campaignState {
			t.Helper()
			var s campaignState
			if got := a.call("admin", "GET", fmt.Sprintf("/api/v1/campaigns/%d", id), "", &s); got != 200 {
				t.Fatalf("GET campaign %d = %d", id, got)
			}
			return s
		}
		before := state(c.ID)
		// The leader is on the team (but no grid staff), so may visit.
		var asLeader campaignState
		if a.call("leader", "GET", base, "", &asLeader); !asLeader.MayVisit {
			t.Fatalf("team member leader may not visit: %+v", asLeader)
		}
		good := fmt.Sprintf(`"kind":"full_coverage","start":"2025-02-01","end":"2027-01-31","team":[%d]`, ids["dispatcher"])
		for _, tc := range []struct {
			user, body string
			status     int
			field      string
		}{
			{"gridworker", `{"name":"新名称",` + good + `}`, 403, ""},
			{"leader", `{"name":"新名称",` + good + `}`, 403, ""},
			{"lujiazui_admin", `{"name":"新名称",` + good + `}`, 404, ""},
			{"admin", `{"name":"",` + good + `}`, 422, "name"},
			{"admin", `{"name":"另一个",` + good + `}`, 422, "name"},
			{"admin", `{"name":"新名称","kind":"party","start":"2025-02-01","end":"2027-01-31"}`, 422, "kind"},
			{"admin", `{"name":"新名称","kind":"other","start":"2025-03-01","end":"2025-02-01"}`, 422, "end"},
			{"admin", fmt.Sprintf(`{"name":"新名称","kind":"other","start":"2025-02-01","end":"2027-01-31","team":[%d,%d]}`, ids["dispatcher"], ids["lujiazui_admin"]), 422, "team"},
			{"admin", `{"name":"新名称","town":"` + world.LujiazuiCode + `",` + good + `}`, 422, "town"},
			{"admin", `{"name":"新名称","colour":"red",` + good + `}`, 400, "colour"},
		} {
			var e apiErr
			if got := a.call(tc.user, "PUT", base, tc.body, &e); got != tc.status || e.Error.Field != tc.field {
				t.Errorf("%s PUT %s = %d %q (%s), want %d %q", tc.user, tc.body, got, e.Error.Field, e.Error.Message, tc.status, tc.field)
			}
			if after := state(c.ID); !reflect.DeepEqual(after, before) {
				t.Errorf("after the refused PUT %s the campaign is %+v, want %+v", tc.body, after, before)
			}
		}
		var updated campaignState
		if got := a.call("dispatcher", "PUT", base, `{"name":"编辑测试（调整）","description":"延期一个月",`+good+`}`, &updated); got != 200 {
			t.Fatalf("dispatcher PUT = %d", got)
		}
		stored := state(c.ID)
		for _, x := range []campaignState{updated, stored} {
			if x.Name != "编辑测试（调整）" || x.Kind != "full_coverage" || x.Description != "延期一个月" || x.Start != "2025-02-01" || x.End != "2027-01-31" ||
				x.Town != before.Town || len(x.Team) != 1 || x.Team[0].UserID != ids["dispatcher"] {
				t.Errorf("updated campaign %+v", x)
			}
		}
		// The leader, dropped from the team and no grid staff, may no longer log visits.
		if a.call("leader", "GET", base, "", &asLeader); asLeader.MayVisit {
			t.Error("leader, removed from the team, may still visit")
		}
		if got := a.call("leader", "POST", fmt.Sprintf("%s/targets/%d/visits", base, tg.ID), `{"status":"visited"}`, nil); got != 403 {
			t.Errorf("removed member logs a visit = %d, want 403", got)
		}

		// Delete: the other campaign has no visits; this one gets one now.
		if got := a.call("gridworker", "POST", fmt.Sprintf("%s/targets/%d/visits", base, tg.ID), `{"status":"not_home"}`, nil); got != 201 {
			t.Fatalf("log visit = %d", got)
		}
		withVisit := state(c.ID)
		for _, tc := range []struct {
			user   string
			id     int64
			status int
		}{
			{"gridworker", other.ID, 403},
			{"leader", other.ID, 403},
			{"lujiazui_admin", other.ID, 404},
			{"admin", c.ID, 409},
			{"dispatcher", other.ID, 204},
			{"admin", other.ID, 404}, // gone
		} {
			var e apiErr
			if got := a.call(tc.user, "DELETE", fmt.Sprintf("/api/v1/campaigns/%d", tc.id), "", &e); got != tc.status {
				t.Errorf("%s DELETE campaign %d = %d (%s), want %d", tc.user, tc.id, got, e.Error.Message, tc.status)
			}
			if tc.status == 409 && !strings.Contains(e.Error.Message, "has 1 visits") {
				t.Errorf("409 says %q; want it to name the visits", e.Error.Message)
			}
		}
		if after := state(c.ID); !reflect.DeepEqual(after, withVisit) || after.Targets != 1 || after.Visits != 1 {
			t.Errorf("after the refused DELETE the campaign is %+v, want %+v", after, withVisit)
		}
		if got := a.call("admin", "GET", fmt.Sprintf("/api/v1/campaigns/%d/targets/%d", c.ID, tg.ID), "", nil); got != 200 {
			t.Errorf("target of the kept campaign = %d", got)
		}
		var n int
		if err := a.db.QueryRow(t.Context(), `SELECT COUNT(*) FROM campaign_targets WHERE campaign_id = ?`, other.ID).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d targets of the deleted campaign left (%v)", n, err)
		}
	})
}

// The two operations are in openapi.json (TestHealthMetricsAndOpenAPI checks every API route too).
func TestCampaignEditOpenAPI(t *testing.T) {
	a := newApp(t, testdb.SQLite(t))
	var spec struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if code := a.call("", "GET", "/api/openapi.json", "", &spec); code != 200 {
		t.Fatalf("openapi.json = %d", code)
	}
	var routes [][]string
	for _, r := range a.web.Routes() {
		if r.Capability == "campaigns" && r.Kind == "api" && (r.Method == "PUT" || r.Method == "DELETE") {
			routes = append(routes, []string{"", r.Method, r.Path})
		}
	}
	if len(routes) < 2 {
		t.Fatalf("found %d PUT/DELETE campaign routes in the route table, want 2", len(routes))
	}
	for _, m := range routes {
		if _, ok := spec.Paths[m[2]][strings.ToLower(m[1])]; !ok {
			t.Errorf("route %s %s missing from openapi.json", m[1], m[2])
		}
	}
}

var (
	editFormRe   = regexp.MustCompile(`<details class="card cp-edit" id="cp-edit"( open)?>`)
	deleteFormRe = regexp.MustCompile(`action="/campaigns/\d+/delete"`)
)

func TestCampaignEditPages(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		ids := userIDs(t, a, "leader", "gridworker")
		var c, kept campaignState
		a.call("admin", "POST", "/api/v1/campaigns", fmt.Sprintf(`{"name":"页面编辑测试","kind":"other","start":"2025-01-01","end":"2026-12-31","team":[%d]}`, ids["leader"]), &c)
		a.call("admin", "POST", "/api/v1/campaigns", `{"name":"已有走访的活动","kind":"other","start":"2025-01-01","end":"2026-12-31"}`, &kept)
		var tg struct{ ID int64 }
		a.call("admin", "POST", fmt.Sprintf("/api/v1/campaigns/%d/targets", kept.ID), `{"kind":"merchant","name":"商户","grid":"310105102-G01"}`, &tg)
		if got := a.call("gridworker", "POST", fmt.Sprintf("/api/v1/campaigns/%d/targets/%d/visits", kept.ID, tg.ID), `{"status":"visited"}`, nil); got != 201 {
			t.Fatalf("log visit = %d", got)
		}
		page := fmt.Sprintf("/campaigns/%d", c.ID)

		b := newBrowser(t, a.srv.URL)
		if code := b.login("dispatcher", "demo-dispatcher"); code != http.StatusSeeOther {
			t.Fatalf("sign in: %d", code)
		}
		_, body := b.get(page)
		if m := editFormRe.FindStringSubmatch(body); m == nil || m[1] != "" {
			t.Fatalf("planner's page lacks the folded edit section")
		}
		for _, want := range []string{`action="/campaigns/` + fmt.Sprint(c.ID) + `/edit"`, fmt.Sprintf(`<option value="%d" selected>`, ids["leader"]),
			fmt.Sprintf(`<option value="%d">`, ids["gridworker"]), `value="页面编辑测试"`, "编辑走访活动"} {
			if !strings.Contains(body, want) {
				t.Errorf("edit form lacks %s", want)
			}
		}
		// The confirmation is asked by app.js (the policy allows no inline handler).
		if !deleteFormRe.MatchString(body) || !strings.Contains(body, `data-confirm="`) || !strings.Contains(body, `<script src="/static/app.js">`) {
			t.Errorf("a campaign without visits offers no delete button with a confirmation")
		}
		if _, body := b.get(fmt.Sprintf("/campaigns/%d", kept.ID)); deleteFormRe.MatchString(body) || !editFormRe.MatchString(body) {
			t.Errorf("a campaign with visits: want the edit form but no delete button")
		}

		tok := b.csrf(page)
		form := func(name, start, end string, team ...int64) url.Values {
			v := url.Values{"csrf": {tok}, "name": {name}, "kind": {"full_coverage"}, "start": {start}, "end": {end}, "description": {"改期"}}
			for _, id := range team {
				v.Add("team", fmt.Sprint(id))
			}
			return v
		}
		var before campaignState
		a.call("admin", "GET", fmt.Sprintf("/api/v1/campaigns/%d", c.ID), "", &before)
		for _, tc := range []struct {
			name  string
			form  url.Values
			field string
		}{
			{"empty name", form("", "2025-01-01", "2026-12-31", ids["gridworker"]), "name"},
			{"end before start", form("页面编辑测试", "2025-03-01", "2025-02-01"), "end"},
			{"name taken", form("已有走访的活动", "2025-01-01", "2026-12-31"), "name"},
		} {
			code, body := b.post(page+"/edit", tc.form)
			if code != 422 || !strings.Contains(body, `data-field="`+tc.field+`"`) {
				t.Errorf("%s: edit form = %d, want 422 naming %s", tc.name, code, tc.field)
			}
			// The refused form comes back unfolded with what was posted.
			if m := editFormRe.FindStringSubmatch(body); m == nil || m[1] != " open" || !strings.Contains(body, `value="`+tc.form.Get("end")+`"`) {
				t.Errorf("%s: the refused edit form is not shown open with the posted values", tc.name)
			}
			var after campaignState
			if a.call("admin", "GET", fmt.Sprintf("/api/v1/campaigns/%d", c.ID), "", &after); !reflect.DeepEqual(after, before) {
				t.Errorf("%s: campaign changed to %+v", tc.name, after)
			}
		}
		if code, _ := b.post(page+"/edit", form("页面编辑测试（改）", "2025-02-01", "2027-01-31", ids["gridworker"])); code != http.StatusSeeOther {
			t.Fatalf("edit form = %d, want a redirect", code)
		}
		if _, body := b.get(page); !strings.Contains(body, "页面编辑测试（改）") || !strings.Contains(body, "2027-01-31") {
			t.Errorf("the page does not show the edited campaign")
		}
		var edited campaignState
		if a.call("admin", "GET", fmt.Sprintf("/api/v1/campaigns/%d", c.ID), "", &edited); edited.Name != "页面编辑测试（改）" || len(edited.Team) != 1 || edited.Team[0].UserID != ids["gridworker"] {
			t.Errorf("after the edit form: %+v", edited)
		}

		// The page offers no delete button once there are visits, but a visit may come in after
		// the page was shown: the post is refused with the reason, on the campaign page.
		if code, body := b.post(fmt.Sprintf("/campaigns/%d/delete", kept.ID), url.Values{"csrf": {tok}}); code != http.StatusConflict || !strings.Contains(body, "活动将保留备查") {
			t.Errorf("deleting a campaign with visits = %d, want 409 with the reason", code)
		}
		if got := a.call("admin", "GET", fmt.Sprintf("/api/v1/campaigns/%d", kept.ID), "", nil); got != 200 {
			t.Errorf("campaign with visits after the refused delete = %d", got)
		}

		// A grid worker gets neither form and may not post them; another town does not find it.
		gw := newBrowser(t, a.srv.URL)
		gw.login("gridworker", "demo-gridworker")
		if _, body := gw.get(page); editFormRe.MatchString(body) || deleteFormRe.MatchString(body) {
			t.Errorf("a grid worker sees the planners' forms")
		}
		gtok := gw.csrf(page)
		ljz := newBrowser(t, a.srv.URL)
		ljz.login("lujiazui_admin", "demo-lujiazui_admin")
		ltok := ljz.csrf("/campaigns")
		for _, tc := range []struct {
			who    *browser
			path   string
			form   url.Values
			status int
		}{
			{gw, page + "/edit", url.Values{"csrf": {gtok}, "name": {"x"}, "kind": {"other"}, "start": {"2025-01-01"}, "end": {"2025-02-01"}}, 403},
			{gw, page + "/delete", url.Values{"csrf": {gtok}}, 403},
			{ljz, page + "/edit", url.Values{"csrf": {ltok}, "name": {"x"}, "kind": {"other"}, "start": {"2025-01-01"}, "end": {"2025-02-01"}}, 404},
			{ljz, page + "/delete", url.Values{"csrf": {ltok}}, 404},
		} {
			if code, _ := tc.who.post(tc.path, tc.form); code != tc.status {
				t.Errorf("POST %s = %d, want %d", tc.path, code, tc.status)
			}
		}

		if code, _ := b.post(page+"/delete", url.Values{"csrf": {tok}}); code != http.StatusSeeOther {
			t.Fatalf("delete form = %d, want a redirect", code)
		}
		if code, _ := b.get(page); code != 404 {
			t.Errorf("deleted campaign page = %d, want 404", code)
		}
		if _, body := b.get("/campaigns"); strings.Contains(body, "页面编辑测试") || !strings.Contains(body, "已有走访的活动") {
			t.Errorf("the list should show only the kept campaign")
		}
	})
}
