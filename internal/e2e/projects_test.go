package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The livelihood projects from proposal to published result, in the browser: a resident proposes
// on a phone (390 px) with a place on the map; the operations centre answers it, forms next
// year's candidate list and an electronic ballot of a deputies' liaison station; the deputy sees
// the open ballot on her phone's home, is stopped from choosing more yes than seats (in the page
// and by the server), and votes; the centre closes, counts and publishes; an anonymous visitor
// finds the chosen projects on the portal, in Chinese and English, beside the demo's 2025 ballot
// of the town congress with its chart.
func TestProjectsInBrowser(t *testing.T) {
	srv := StartServer(t)
	title := "天山西路人行道加装无障碍坡道"

	// 1. A resident proposes on a phone.
	res := newWatchedBrowser(t, "projects-resident", 390, 844)
	signIn(t, res.ctx, srv, "resident")
	visit(t, res.ctx, srv.URL+"/portal/projects/propose", "open the proposal form")
	waitFor(t, res.ctx, `#pj-pick.leaflet-container`, "the place picker")
	must(t, chromedp.Do(res.ctx,
		chromedp.SendKeys(chromedp.CSS(`#pj-title`), title),
		chromedp.SendKeys(chromedp.CSS(`#pj-description`), "天山西路人行道路口没有坡道，轮椅和婴儿车上下很不方便，建议在各路口加装无障碍坡道。"),
		chromedp.SetValue(chromedp.CSS(`#pj-category`), "disability"),
		chromedp.SendKeys(chromedp.CSS(`#pj-place`), "天山西路与淞虹路口"),
		chromedp.SendKeys(chromedp.CSS(`#pj-cost`), "30万"),
		chromedp.Click(chromedp.CSS(`#pj-pick`)),
	), "fill in the proposal")
	if lat := evaluate[string](t, res.ctx, `document.getElementById('pj-lat').value`); lat == "" {
		t.Error("tapping the map set no position")
	}
	noOverflow(t, res.ctx, "the proposal form on a phone")
	top(t, res.ctx)
	Screenshot(t, res.ctx, "projects-propose-phone")
	must(t, chromedp.Do(res.ctx, chromedp.Click(chromedp.CSS(`#pj-submit`))), "submit the proposal")
	waitFor(t, res.ctx, `#pj-my .pj-card`, "my proposals")
	id := evaluate[string](t, res.ctx, fmt.Sprintf(`[...document.querySelectorAll('#pj-my .pj-card')].find(c => c.innerText.includes(%q))?.dataset.id || ''`, title))
	if id == "" {
		t.Fatalf("my proposals does not list %s", title)
	}
	noOverflow(t, res.ctx, "my proposals on a phone")
	Screenshot(t, res.ctx, "projects-my-phone")

	// 2. The operations centre answers it and sets up next year's ballot.
	ops := newWatchedBrowser(t, "projects-ops", 1280, 900)
	signIn(t, ops.ctx, srv, "dispatcher")
	visit(t, ops.ctx, srv.URL+"/projects", "open the proposals")
	waitFor(t, ops.ctx, `body[data-map-ready]`, "the proposals map")
	if n := evaluate[int](t, ops.ctx, `document.querySelectorAll('.pj-pin').length`); n < 5 {
		t.Errorf("the proposals map shows %d pins", n)
	}
	Screenshot(t, ops.ctx, "projects-list-desktop")
	visit(t, ops.ctx, srv.URL+"/projects/proposals/"+id, "open the resident's proposal")
	waitFor(t, ops.ctx, `#pj-answer-form`, "the answer form")
	must(t, chromedp.Do(ops.ctx,
		chromedp.SetValue(chromedp.CSS(`#pj-decision`), "accept"),
		chromedp.SendKeys(chromedp.CSS(`#pj-reply-text`), "感谢建议。已纳入明年实事项目候选，由镇城建中心测算费用。"),
		chromedp.Click(chromedp.CSS(`#pj-answer`)),
	), "answer the proposal")
	waitFor(t, ops.ctx, `.flash`, "the answer recorded")
	if st := evaluate[string](t, ops.ctx, `document.getElementById('pj-status').innerText`); st != "已纳入候选" {
		t.Errorf("status after the answer: %q", st)
	}
	top(t, ops.ctx)
	Screenshot(t, ops.ctx, "projects-proposal-answered")

	var accepted struct {
		Proposals []struct {
			ID   int64  `json:"id"`
			Year int    `json:"year"`
			Titl string `json:"title"`
		} `json:"proposals"`
	}
	if code := apiFetch(t, ops.ctx, "GET", "/api/v1/projects/proposals?status=accepted", "", &accepted); code != 200 {
		t.Fatalf("accepted proposals = %d", code)
	}
	year := 0
	var ids []int64
	for _, p := range accepted.Proposals {
		if fmt.Sprint(p.ID) == id {
			year = p.Year
		}
	}
	// The resident's proposal first, then the others of its year.
	for _, p := range accepted.Proposals {
		if fmt.Sprint(p.ID) == id {
			ids = append([]int64{p.ID}, ids...)
		} else if p.Year == year {
			ids = append(ids, p.ID)
		}
	}
	if len(ids) < 3 {
		t.Fatalf("%d accepted proposals for %d, want the demo's two and the resident's", len(ids), year)
	}
	var list struct{ ID int64 }
	if code := apiFetch(t, ops.ctx, "POST", "/api/v1/projects/lists", fmt.Sprintf(`{"year": %d, "seats": 2, "min_ratio": 120}`, year), &list); code != 201 {
		t.Fatalf("create the list = %d", code)
	}
	for _, p := range ids[:3] {
		if code := apiFetch(t, ops.ctx, "POST", fmt.Sprintf("/api/v1/projects/lists/%d/candidates", list.ID), fmt.Sprintf(`{"project_id": %d}`, p), nil); code != 200 {
			t.Fatalf("add candidate %d = %d", p, code)
		}
	}
	var bodies struct {
		Bodies []struct {
			Members []struct {
				Name   string `json:"name"`
				UserID int64  `json:"user_id"`
			} `json:"members"`
		} `json:"bodies"`
	}
	apiFetch(t, ops.ctx, "GET", "/api/v1/projects/bodies", "", &bodies)
	var deputy int64
	for _, b := range bodies.Bodies {
		for _, m := range b.Members {
			if m.UserID != 0 {
				deputy = m.UserID
			}
		}
	}
	if deputy == 0 {
		t.Fatal("the demo congress links no deputy's account")
	}
	var body struct {
		ID      int64
		Members []struct{ ID int64 }
	}
	if code := apiFetch(t, ops.ctx, "POST", "/api/v1/projects/bodies", fmt.Sprintf(`{"kind": "liaison", "name": "新泾镇人大代表联络站（试点）", "members": [{"name": "田海燕", "sector": "居民区", "user_id": %d}]}`, deputy), &body); code != 201 {
		t.Fatalf("create the liaison station = %d", code)
	}
	var sess struct{ ID int64 }
	if code := apiFetch(t, ops.ctx, "POST", "/api/v1/projects/sessions", fmt.Sprintf(`{"list_id": %d, "body_id": %d, "name": "%d年实事项目电子票决（试点）", "mode": "electronic", "pass_base": "present"}`, list.ID, body.ID, year), &sess); code != 201 {
		t.Fatalf("create the session = %d", code)
	}
	if code := apiFetch(t, ops.ctx, "POST", fmt.Sprintf("/api/v1/projects/sessions/%d/present", sess.ID), fmt.Sprintf(`{"members": [%d]}`, body.Members[0].ID), nil); code != 200 {
		t.Fatalf("record attendance = %d", code)
	}
	if code := apiFetch(t, ops.ctx, "POST", fmt.Sprintf("/api/v1/projects/sessions/%d/open", sess.ID), `{"minutes": 30}`, nil); code != 200 {
		t.Fatalf("open the ballot = %d", code)
	}
	visit(t, ops.ctx, srv.URL+"/projects/candidates", "open the candidates")
	waitFor(t, ops.ctx, fmt.Sprintf(`#pj-list-%d`, year), "next year's list")
	Screenshot(t, ops.ctx, "projects-candidates-desktop")

	// 3. The deputy votes on her phone.
	dep := newWatchedBrowser(t, "projects-deputy", 390, 844)
	signIn(t, dep.ctx, srv, "deputy")
	waitFor(t, dep.ctx, `#pj-open-ballots a`, "the open ballot on the deputy's home")
	Screenshot(t, dep.ctx, "projects-deputy-home-phone")
	must(t, chromedp.Do(dep.ctx, chromedp.Click(chromedp.CSS(`#pj-open-ballots a`))), "open the ballot")
	waitFor(t, dep.ctx, `#pj-ballot`, "the phone ballot")
	// The server refuses three yes for two seats too.
	marks := []string{}
	for _, p := range ids[:3] {
		marks = append(marks, fmt.Sprintf(`"%d": "yes"`, p))
	}
	if code := apiFetch(t, dep.ctx, "POST", fmt.Sprintf("/api/v1/projects/sessions/%d/rounds/1/vote", sess.ID), `{"marks": {`+strings.Join(marks, ",")+`}}`, nil); code != 422 {
		t.Errorf("three yes for two seats = %d, want 422", code)
	}
	choose := func(n int, choice string) {
		t.Helper()
		must(t, chromedp.Do(dep.ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`.pj-cand[data-id="%d"] .pj-choice.%s span`, ids[n-1], choice)))),
			fmt.Sprintf("choose %s for candidate %d", choice, ids[n-1]))
	}
	choose(1, "yes") // the resident's proposal
	choose(2, "yes")
	choose(3, "yes") // one too many: the page takes it back
	if n := evaluate[string](t, dep.ctx, `document.getElementById('pj-yes-count').innerText`); n != "2" {
		t.Errorf("yes count after a third yes = %s, want 2", n)
	}
	if evaluate[bool](t, dep.ctx, `document.getElementById('pj-over').hidden`) {
		t.Error("no warning after a yes beyond the seats")
	}
	if evaluate[bool](t, dep.ctx, fmt.Sprintf(`document.querySelector('.pj-cand[data-id="%d"] input[value=yes]').checked`, ids[2])) {
		t.Error("the over-seat yes stayed chosen")
	}
	choose(3, "no")
	noOverflow(t, dep.ctx, "the phone ballot")
	top(t, dep.ctx)
	Screenshot(t, dep.ctx, "projects-ballot-phone")
	must(t, chromedp.Do(dep.ctx, chromedp.Click(chromedp.CSS(`#pj-cast`))), "cast the ballot")
	waitFor(t, dep.ctx, `#pj-voted`, "the ballot cast")
	Screenshot(t, dep.ctx, "projects-voted-phone")

	// 4. The centre closes, counts and publishes.
	visit(t, ops.ctx, fmt.Sprintf("%s/projects/sessions/%d", srv.URL, sess.ID), "open the session")
	// Each step's page shows the next step's button (and publishing, the link to the portal).
	for _, step := range [][2]string{{"#pj-close", "#pj-count"}, {"#pj-count", "#pj-publish"}, {"#pj-publish", `#pj-result a[href^="/portal/projects/"]`}} {
		waitFor(t, ops.ctx, step[0], step[0])
		must(t, chromedp.Do(ops.ctx, chromedp.Click(chromedp.CSS(step[0]))), step[0])
		waitFor(t, ops.ctx, step[1], step[0]+" done")
	}
	waitFor(t, ops.ctx, `body[data-chart-ready]`, "the result chart")
	if s := evaluate[string](t, ops.ctx, `document.getElementById('pj-session-status').innerText`); s != "已公布" {
		t.Errorf("session status %q after publishing", s)
	}
	if !evaluate[bool](t, ops.ctx, `!!document.querySelector('#pj-recount.ok')`) {
		t.Error("the session page does not show the recount equal to the result")
	}
	top(t, ops.ctx)
	Screenshot(t, ops.ctx, "projects-session-published")

	// The resident sees the verdict on her own page.
	visit(t, res.ctx, srv.URL+"/my/proposals", "open my proposals again")
	waitFor(t, res.ctx, `#pj-my .pj-card`, "my proposals")
	if !evaluate[bool](t, res.ctx, fmt.Sprintf(`!!document.querySelector('#pj-my .pj-card[data-id="%s"] .pj-b-chosen')`, id)) {
		t.Error("the resident's proposal does not show it was chosen")
	}
	Screenshot(t, res.ctx, "projects-my-chosen-phone")

	// 5. Anyone sees the results on the portal, in Chinese and English.
	for _, lang := range []string{"zh", "en"} {
		for _, size := range []struct {
			name string
			w, h int
		}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
			pub := newWatchedBrowser(t, "projects-portal-"+lang+"-"+size.name, size.w, size.h)
			visit(t, pub.ctx, srv.URL+"/portal/projects?lang="+lang, "open the portal")
			waitFor(t, pub.ctx, `#pj-results`, "the portal")
			text := evaluate[string](t, pub.ctx, `document.body.innerText`)
			if !strings.Contains(text, title) || !strings.Contains(text, "精品小区建设") {
				t.Errorf("%s portal lacks the new result or the 2025 one", lang)
			}
			if size.name == "phone" {
				noOverflow(t, pub.ctx, "the portal on a phone")
			}
			Screenshot(t, pub.ctx, "projects-portal-"+lang+"-"+size.name)
			visit(t, pub.ctx, srv.URL+"/portal/projects/2025?lang="+lang, "open the 2025 result")
			waitFor(t, pub.ctx, `body[data-chart-ready]`, "the 2025 chart")
			if n := evaluate[string](t, pub.ctx, `document.getElementById('pj-chart').dataset.bars`); n != "12" {
				t.Errorf("the 2025 chart has %s bars, want 12", n)
			}
			if n := evaluate[int](t, pub.ctx, `document.querySelectorAll('#pj-chosen-list li').length`); n != 10 {
				t.Errorf("the 2025 result lists %d chosen, want 10", n)
			}
			want := map[string]string{"zh": "当选项目", "en": "Chosen projects"}[lang]
			if !strings.Contains(evaluate[string](t, pub.ctx, `document.body.innerText`), want) {
				t.Errorf("%s 2025 page lacks %q", lang, want)
			}
			if size.name == "phone" {
				noOverflow(t, pub.ctx, "the result on a phone")
			}
			Screenshot(t, pub.ctx, "projects-result-2025-"+lang+"-"+size.name)
			visit(t, pub.ctx, fmt.Sprintf("%s/portal/projects/%d?lang=%s", srv.URL, year, lang), "open next year's result")
			waitFor(t, pub.ctx, `#pj-chosen-list`, "next year's result")
			if !strings.Contains(evaluate[string](t, pub.ctx, `document.getElementById('pj-chosen-list').innerText`), title) {
				t.Errorf("%s: the resident's proposal is not among the chosen", lang)
			}
		}
	}
}
