package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/civicgrid/civicgrid/internal/store"
)

// xssBrief are the two payloads the capabilities added after TestStoredXSSInBrowser carry: an
// element with a handler and a break out of an attribute into a script.
var xssBrief = []string{`<img src=x onerror=window.__xss=1>`, `"><script>window.__xss=1</script>`}

func evil2(name string, i int) string { return name + xssBrief[i%len(xssBrief)] }

// openAll opens every map tooltip (hover) and the tooltip of every ECharts chart at its first
// category, the way a person moving over them would.
func (b *watchedBrowser) openAll(t *testing.T) {
	t.Helper()
	// Maps draw after their data arrive: wait for the shapes of any map on the page.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if evaluate[bool](t, b.ctx, `!document.querySelector('.leaflet-container') || document.querySelectorAll('.leaflet-interactive').length > 0 || document.body.dataset.mapReady === '1'`) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.hoverAll(t, "body")
	evaluate[bool](t, b.ctx, `(() => {
		if (window.echarts) document.querySelectorAll('[_echarts_instance_]').forEach(el => {
			const c = echarts.getInstanceByDom(el);
			if (c) c.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0});
		});
		return true;
	})()`)
	time.Sleep(300 * time.Millisecond)
}

// openPopups clicks the first shape of every map on the page, as a person opening its popup
// does. A click may also lead to another page (a list's marker opens its record): then it reports
// false, and the caller checks that page too.
func (b *watchedBrowser) openPopups(t *testing.T) bool {
	t.Helper()
	before := evaluate[string](t, b.ctx, `location.href`)
	evaluate[bool](t, b.ctx, `(() => {
		document.querySelectorAll('.leaflet-container').forEach(m => {
			const e = m.querySelector('.leaflet-marker-icon, path.leaflet-interactive');
			if (e) e.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: 30, clientY: 30}));
		});
		return true;
	})()`)
	time.Sleep(400 * time.Millisecond)
	b.wait(t, "")
	return evaluate[string](t, b.ctx, `location.href`) == before
}

// TestStoredXSSNewCapabilitiesInBrowser is TestStoredXSSInBrowser for the capabilities added
// after it: livelihood projects (proposals, ballots, the portal), results (milestones, timeline,
// ratings), consultations (topics, questions and options), bookings (places, routes and their
// points on the map), volunteers (teams, projects, activities, the QR page, certificates) and party
// building (organisations, council units, meetings, agreements, needs and resources, the network
// map, the coverage map). Party names go in through the API (as the office would type them);
// the others are written into the demo's own records, as their forms would store them. Every page
// is opened with its tooltips, popups and chart tooltips open: nothing may run, become markup or be
// blocked by the policy, and the names show as text.
func TestStoredXSSNewCapabilitiesInBrowser(t *testing.T) {
	tiles, _ := tileServer(t)
	tileURL := fmt.Sprintf("http://{s}.tiles.localhost:%d/{z}/{x}/{y}.png", tiles.Listener.Addr().(*net.TCPAddr).Port)
	srv := StartServer(t, "--tiles", tileURL)
	ctx := context.Background()
	desk := newWatchedBrowser(t, "admin", 1280, 900)
	desk.signIn(t, srv.URL, "admin", "demo-admin")

	// ---- party building, through the API ----
	var tree struct {
		Organisations []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"organisations"`
	}
	if code := apiFetch(t, desk.ctx, "GET", "/api/v1/party/orgs", "", &tree); code != 200 || len(tree.Organisations) == 0 {
		t.Fatalf("GET /api/v1/party/orgs = %d", code)
	}
	orgName := evil2("两新联合党支部", 0)
	var org struct{ ID int64 }
	if code := apiFetch(t, desk.ctx, "POST", "/api/v1/party/orgs", jsonOf(map[string]any{"town": xssTown, "parent_id": tree.Organisations[0].ID,
		"name": orgName, "kind": "branch", "sector": "enterprise", "secretary": evil2("周书记", 1)}), &org); code != 201 {
		t.Fatalf("create organisation = %d", code)
	}
	siteName, siteOffers := evil2("新泾实践点", 1), evil2("理论宣讲", 0)
	var site struct{ ID int64 }
	if code := apiFetch(t, desk.ctx, "POST", "/api/v1/party/network", jsonOf(map[string]any{"town": xssTown, "kind": "point", "name": siteName,
		"enterprise": true, "offers": siteOffers, "lat": 31.2168, "lng": 121.3702}), &site); code != 201 {
		t.Fatalf("add network site = %d", code)
	}
	agreement, party1, commitment := evil2("联建协议", 0), evil2("甲方党支部", 1), evil2("共建先锋岗", 0)
	if code := apiFetch(t, desk.ctx, "POST", "/api/v1/party/agreements", jsonOf(map[string]any{"town": xssTown, "title": agreement,
		"signed_on": time.Now().Format("2006-01-02"), "parties": []string{party1, orgName},
		"commitments": []map[string]any{{"text": commitment, "owner": party1, "due_days": 10}}}), nil); code != 201 {
		t.Fatalf("create agreement = %d", code)
	}
	needArea, needText, resUnit, resText := evil2("福泉居民区", 1), evil2("助餐志愿者", 0), evil2("驻区单位", 1), evil2("每周送餐", 0)
	var need, res struct{ ID int64 }
	apiFetch(t, desk.ctx, "POST", "/api/v1/party/needs", jsonOf(map[string]any{"town": xssTown, "area": needArea, "text": needText}), &need)
	apiFetch(t, desk.ctx, "POST", "/api/v1/party/resources", jsonOf(map[string]any{"town": xssTown, "unit": resUnit, "text": resText}), &res)
	matchNote := evil2("助餐项目", 1)
	if code := apiFetch(t, desk.ctx, "POST", "/api/v1/party/matches", jsonOf(map[string]any{"need_id": need.ID, "resource_id": res.ID, "note": matchNote}), nil); code != 201 {
		t.Fatalf("match = %d", code)
	}
	entity := evil2("天山楼宇", 0)
	if code := apiFetch(t, desk.ctx, "POST", "/api/v1/coverage/entities", jsonOf(map[string]any{"town": xssTown, "kind": "office_building", "name": entity,
		"liaison": evil2("徐联络员", 1), "liaison_since": "2026-01-05", "lat": 31.2171, "lng": 121.3712}), nil); code != 201 {
		t.Fatalf("add coverage entity = %d", code)
	}

	// ---- the others, in the demo's records ----
	db, err := store.Open(ctx, store.Options{DataDir: srv.DataDir})
	must(t, err, "open the server's database")
	defer db.Close()
	first := func(q string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := db.QueryRow(ctx, q, args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	rename := func(table, col string, id int64, i int) string {
		t.Helper()
		var old string
		must(t, db.QueryRow(ctx, `SELECT `+col+` FROM `+table+` WHERE id = ?`, id).Scan(&old), "read "+table)
		v := evil2(old, i)
		if _, err := db.Exec(ctx, `UPDATE `+table+` SET `+col+` = ? WHERE id = ?`, v, id); err != nil {
			t.Fatalf("rename %s %d: %v", table, id, err)
		}
		return v
	}
	// Council units, a meeting (title, agenda) and the first convener's unit.
	councilID := first(`SELECT id FROM party_councils WHERE town_code = ? ORDER BY id LIMIT 1`, xssTown)
	unitName := rename("party_council_units", "name", first(`SELECT id FROM party_council_units WHERE council_id = ? ORDER BY id LIMIT 1`, councilID), 0)
	meetingID := first(`SELECT id FROM party_meetings WHERE council_id = ? ORDER BY held_on DESC LIMIT 1`, councilID)
	meetingTitle := rename("party_meetings", "title", meetingID, 1)
	topOrg := rename("party_orgs", "name", tree.Organisations[0].ID, 1)

	// Projects: a proposal, a voting session.
	proposalID := first(`SELECT id FROM project_proposals WHERE town_code = ? ORDER BY id LIMIT 1`, xssTown)
	proposal := rename("project_proposals", "title", proposalID, 0)
	rename("project_proposals", "description", proposalID, 1)
	var sessionID int64
	_ = db.QueryRow(ctx, `SELECT id FROM project_sessions ORDER BY id LIMIT 1`).Scan(&sessionID)
	var sessionName string
	if sessionID != 0 {
		sessionName = rename("project_sessions", "name", sessionID, 1)
	}
	// Results: a project with a milestone, a timeline entry and a comment.
	resultID := first(`SELECT id FROM results WHERE town_code = ? ORDER BY id LIMIT 1`, xssTown)
	result := rename("results", "title", resultID, 1)
	rename("results", "place", resultID, 0)
	var milestone string
	if id := firstOr(t, db, `SELECT id FROM result_milestones WHERE result_id = ? ORDER BY id LIMIT 1`, resultID); id != 0 {
		milestone = rename("result_milestones", "title", id, 0)
	}
	var timeline string
	if id := firstOr(t, db, `SELECT id FROM result_timeline WHERE result_id = ? AND body <> '' ORDER BY id LIMIT 1`, resultID); id != 0 {
		timeline = rename("result_timeline", "body", id, 1)
	}
	// renameListed renames the title of the first record the list API at url returns under key
	// (table holds it) and reads it back through url/<id>, so the record is one the pages show.
	renameListed := func(url, key, table string) (int64, string) {
		var list map[string]json.RawMessage
		var rows []struct {
			ID int64 `json:"id"`
		}
		if code := apiFetch(t, desk.ctx, "GET", url, "", &list); code != 200 || json.Unmarshal(list[key], &rows) != nil || len(rows) == 0 {
			t.Fatalf("GET %s = %d", url, code)
		}
		id := rows[0].ID
		title := rename(table, "title", id, 0)
		var one struct {
			Title string `json:"title"`
		}
		if apiFetch(t, desk.ctx, "GET", fmt.Sprintf("%s/%d", url, id), "", &one); one.Title != title {
			t.Logf("%s %d reads %q through the API after the rename to %q", table, id, one.Title, title)
		}
		return id, title
	}
	// Consultations: the topic, its title and every question and option label.
	// The consultation and the activity are the ones the server lists (read back through the API
	// after the rename: what the pages show).
	consultID, consult := renameListed("/api/v1/consultations", "consultations", "consultations")
	rename("consultations", "topic", consultID, 1)
	var qn string
	must(t, db.QueryRow(ctx, `SELECT questionnaire FROM consultations WHERE id = ?`, consultID).Scan(&qn), "questionnaire")
	var qv any
	must(t, json.Unmarshal([]byte(qn), &qv), "decode the questionnaire")
	var labels []string
	qv = poison(qv, "", &labels)
	qb, _ := json.Marshal(qv)
	if _, err := db.Exec(ctx, `UPDATE consultations SET questionnaire = ? WHERE id = ?`, string(qb), consultID); err != nil {
		t.Fatal(err)
	}
	// Bookings: a place and a route with its points.
	placeID := first(`SELECT id FROM booking_resources WHERE kind = 'place' ORDER BY id LIMIT 1`)
	place := rename("booking_resources", "name", placeID, 0)
	routeID := firstOr(t, db, `SELECT id FROM booking_resources WHERE kind = 'route' ORDER BY id LIMIT 1`)
	var route, point string
	if routeID != 0 {
		route = rename("booking_resources", "name", routeID, 1)
		point = evil2("中共一大会址", 0)
		if _, err := db.Exec(ctx, `UPDATE booking_points SET name = ? WHERE resource_id = ? AND seq = (SELECT MIN(seq) FROM booking_points WHERE resource_id = ?)`, point, routeID, routeID); err != nil {
			t.Fatal(err)
		}
	}
	// Volunteers: a team, a project, an activity (title and place), a certificate.
	team := rename("vol_teams", "name", first(`SELECT id FROM vol_teams ORDER BY id LIMIT 1`), 0)
	vproject := rename("vol_projects", "name", first(`SELECT id FROM vol_projects WHERE town_code = ? ORDER BY id LIMIT 1`, xssTown), 1)
	activityID, activity := renameListed("/api/v1/volunteer-activities", "activities", "vol_activities")
	rename("vol_activities", "place", activityID, 1)
	var certNumber, certName string
	if id := firstOr(t, db, `SELECT id FROM vol_certificates ORDER BY id LIMIT 1`); id != 0 {
		certName = rename("vol_certificates", "name", id, 1)
		must(t, db.QueryRow(ctx, `SELECT number FROM vol_certificates WHERE id = ?`, id).Scan(&certNumber), "certificate number")
	}

	// ---- the pages ----
	type pg struct {
		path string
		want []string
	}
	pages := []pg{
		{"/party", []string{orgName, topOrg}},
		{fmt.Sprintf("/party/orgs/%d", org.ID), []string{orgName}},
		{fmt.Sprintf("/party/councils/%d", councilID), []string{unitName, meetingTitle}},
		{fmt.Sprintf("/party/meetings/%d", meetingID), []string{meetingTitle}},
		{"/party/agreements", []string{agreement, party1, commitment}},
		{"/party/matching", []string{needArea, needText, resUnit, resText, matchNote}},
		{"/party/network", []string{siteName, siteOffers}},
		{fmt.Sprintf("/party/network/%d/edit", site.ID), nil},
		{"/party/orgs/new", []string{topOrg}},
		{"/party/roster", nil},
		{"/coverage", []string{entity}},
		{"/projects", []string{proposal}},
		{fmt.Sprintf("/projects/proposals/%d", proposalID), []string{proposal}},
		{"/projects/candidates", nil},
		{"/results", []string{result}},
		{fmt.Sprintf("/results/%d", resultID), []string{result, milestone, timeline}},
		{"/results/report", nil},
		{"/consultations", []string{consult}},
		{fmt.Sprintf("/consultations/%d", consultID), []string{consult}},
		{fmt.Sprintf("/consultations/%d/results", consultID), nil},
		{"/bookings/manage", []string{place}},
		{fmt.Sprintf("/bookings/manage/%d", placeID), []string{place}},
		{"/volunteers", nil},
		{"/volunteers/activities", []string{vproject}}, // upcoming ones; the renamed one may be past
		{fmt.Sprintf("/volunteers/activities/%d", activityID), []string{vproject}},
		{fmt.Sprintf("/volunteers/activities/%d/lead", activityID), []string{activity}},
		{"/volunteers/manage", []string{vproject}},
		{"/volunteers/stats", nil},
	}
	if sessionID != 0 {
		pages = append(pages, pg{fmt.Sprintf("/projects/sessions/%d", sessionID), []string{sessionName}})
	}
	if certNumber != "" {
		pages = append(pages, pg{"/volunteers/certificates/" + certNumber, []string{certName}})
	}
	for _, p := range pages {
		desk.open(t, srv.URL, p.path, "")
		desk.openAll(t)
		var want []string
		for _, w := range p.want {
			if w != "" {
				want = append(want, w)
			}
		}
		desk.checkPage(t, want...)
		if desk.openPopups(t) {
			desk.checkPage(t, want...)
		} else {
			desk.checkPage(t) // the record a marker leads to
		}
		if strings.HasPrefix(p.path, "/party/network") || p.path == "/coverage" || strings.HasPrefix(p.path, "/results/") {
			desk.shot(t, "xss-new"+strings.NewReplacer("/", "-").Replace(p.path))
		}
	}
	// The network map's tooltip and popup of the stored site show its name as text.
	desk.open(t, srv.URL, "/party/network", `document.body.dataset.mapReady === '1'`)
	desk.hoverAll(t, "#map")
	evaluate[bool](t, desk.ctx, `(() => { const els = document.querySelectorAll('#map path.pt-site'); els[els.length - 1].dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: 30, clientY: 30})); return true; })()`)
	if pop := evaluate[string](t, desk.ctx, `(document.querySelector('#map .leaflet-popup-content') || {}).textContent || ''`); !strings.Contains(pop, siteName) || !strings.Contains(pop, siteOffers) {
		t.Errorf("network popup shows %q, want the site's name and offers as text", pop)
	}
	desk.checkPage(t, siteName)
	desk.shot(t, "xss-new-network-popup")

	// ---- the public portal, anonymous ----
	anon := newWatchedBrowser(t, "anonymous", 390, 844)
	public := []pg{
		{"/portal/projects", nil},
		{fmt.Sprintf("/portal/projects/proposals/%d", proposalID), nil},
		{"/portal/results", nil},
		{fmt.Sprintf("/portal/results/%d", resultID), nil},
		{"/portal/consultations", nil},
		{fmt.Sprintf("/portal/consultations/%d", consultID), nil},
		{"/portal/bookings", []string{place}},
		{fmt.Sprintf("/portal/bookings/%d", placeID), []string{place}},
		{"/volunteers/verify", nil},
	}
	if routeID != 0 {
		public = append(public, pg{fmt.Sprintf("/portal/bookings/%d", routeID), []string{route, point}})
	}
	for _, p := range public {
		resp, err := chromedp.RunResponse(anon.ctx, chromedp.Navigate(srv.URL+p.path))
		must(t, err, "anonymous: open "+p.path)
		if resp.Status != 200 {
			continue // not public in this state (a proposal not yet published): nothing shown
		}
		anon.wait(t, "")
		if !evaluate[bool](t, anon.ctx, `!!document.body && document.contentType === 'text/html'`) {
			continue // not a page (an image, a file)
		}
		anon.openAll(t)
		anon.checkPage(t, p.want...)
		if anon.openPopups(t) {
			anon.checkPage(t, p.want...)
		} else {
			anon.checkPage(t)
		}
		if strings.HasPrefix(p.path, "/portal/bookings/") {
			anon.shot(t, "xss-new"+strings.NewReplacer("/", "-").Replace(p.path))
		}
	}
	// The team's name and the questionnaire's labels are not asserted on a page (which pages show
	// them depends on the demo's state); every page above was still checked for script and markup
	// with them stored.
	_, _ = team, labels
}

// firstOr is the first column of the first row of q, or 0 when there is none.
func firstOr(t *testing.T, db *store.DB, q string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := db.QueryRow(context.Background(), q, args...).Scan(&id); err != nil {
		return 0
	}
	return id
}

// poison appends a payload to every label a questionnaire shows (questions' and options' text,
// titles, labels), leaving codes and keys alone; labels collects them.
func poison(v any, key string, labels *[]string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			x[k] = poison(c, k, labels)
		}
		return x
	case []any:
		for i, c := range x {
			x[i] = poison(c, key, labels)
		}
		return x
	case string:
		switch key {
		case "text", "label", "title", "zh", "question", "prompt":
			s := evil2(x, len(*labels))
			*labels = append(*labels, s)
			return s
		}
	}
	return v
}
