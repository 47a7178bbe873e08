package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	_ "modernc.org/sqlite" // reads the demo's SQLite file for an order's number and code

	"github.com/civicgrid/civicgrid/internal/store"
)

// portalBudget is the front page's budget before images: HTML, CSS and scripts as transferred
// (docs/BENCHMARKS.md, "Portal front page").
const (
	portalBudgetBytes    = 100 * 1024
	portalBudgetRequests = 8
)

// demoDB opens the running demo's SQLite file read-only.
func demoDB(t *testing.T, srv *Server) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(srv.DataDir, store.SQLiteFile)+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatalf("open the demo database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestPortalInBrowser: a resident on a 390 px phone opens the town's front page (/portal),
// switches to the other town and back, visits every section from the front page's buttons
// (report form, follow an order by number and code, projects, results, consultations, the
// service catalogue, bookings, volunteer activities, the practice-network map),
// turns the elderly-friendly mode on and finds large type that persists on the other public
// pages, and turns it off. The same page on a 1280 px desktop, in English too. Screenshots of
// each step.
func TestPortalInBrowser(t *testing.T) {
	srv := StartServer(t)
	phone := NewBrowser(t, 390, 844)
	noScriptErrors(t, phone)
	db := demoDB(t, srv)
	var xinjing, lujiazui string
	must(t, db.QueryRow(`SELECT code FROM regions WHERE name = '新泾镇'`).Scan(&xinjing), "新泾镇's code")
	must(t, db.QueryRow(`SELECT code FROM regions WHERE name = '陆家嘴街道'`).Scan(&lujiazui), "陆家嘴街道's code")

	visit(t, phone, srv.URL+"/portal", "open the portal")
	waitFor(t, phone, `#po-tasks`, "the task buttons")
	if got := evaluate[string](t, phone, `document.querySelector('#po-town').innerText`); got != "新泾镇" {
		t.Errorf("default town = %q, want 新泾镇", got)
	}
	keys := evaluate[[]string](t, phone, `[...document.querySelectorAll('#po-tasks .po-task')].map(a => a.id.replace('po-go-', ''))`)
	want := []string{"report", "track", "projects", "results", "consult", "services", "bookings", "volunteers", "network"}
	if strings.Join(keys, ",") != strings.Join(want, ",") {
		t.Errorf("task buttons = %v, want %v", keys, want)
	}
	if w := evaluate[float64](t, phone, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the phone page scrolls sideways: %v px wide", w)
	}
	Screenshot(t, phone, "portal-phone")

	// The switcher submits itself when a town is picked (the button stays for no-script browsers).
	evaluate[bool](t, phone, fmt.Sprintf(`(() => { const s = document.querySelector('#po-town-select'); s.value = %q; s.dispatchEvent(new Event('change')); return true; })()`, lujiazui))
	waitFor(t, phone, `#po-sec-network`, "陆家嘴街道's page")
	portalPoll(t, phone, `document.querySelector('#po-town').innerText === '陆家嘴街道'`, "the town switched")
	if n := evaluate[string](t, phone, `document.querySelector('#po-sec-network .po-fig').innerText`); n == "0" {
		t.Errorf("陆家嘴街道's network summary shows no centre")
	}
	Screenshot(t, phone, "portal-phone-lujiazui")

	// Every section from the front page's buttons.
	sections := []struct{ key, town, selector string }{
		{"report", xinjing, `#report-form`},
		{"projects", xinjing, `#pj-results`},
		{"results", xinjing, `#portal-list`},
		{"consult", xinjing, `.cs-list`},
		{"services", xinjing, `#sv-aspects`},
		{"bookings", lujiazui, `#bk-resources`},
		{"volunteers", xinjing, `#vol-portal-list .vol-card`},
		{"network", lujiazui, `#map[data-map=network]`},
	}
	for _, s := range sections {
		visit(t, phone, srv.URL+"/portal?town="+s.town, "back to the portal")
		waitFor(t, phone, `#po-go-`+s.key, "the "+s.key+" button")
		must(t, chromedp.Do(phone, chromedp.Click(chromedp.CSS(`#po-go-`+s.key))), "open "+s.key)
		waitFor(t, phone, s.selector, "the "+s.key+" page")
		if e := evaluate[string](t, phone, `(document.querySelector('main .error') || {}).innerText || ''`); e != "" {
			t.Errorf("section %s shows an error: %s", s.key, e)
		}
		if s.key == "network" {
			portalPoll(t, phone, `document.body.dataset.mapReady === '1'`, "the network map drawn")
			if n := evaluate[string](t, phone, `document.querySelector('#map').dataset.sites`); n == "0" {
				t.Errorf("the public network map has no site")
			}
			if n := evaluate[int](t, phone, `document.querySelectorAll('#map .pt-grid-outline').length`); n == 0 {
				t.Errorf("the public network map draws no grid outline (from /report/areas)")
			}
		}
		Screenshot(t, phone, "portal-phone-"+s.key)
	}

	// Follow a demo order by its number and code, from the front page's form.
	var number, code string
	must(t, db.QueryRow(`SELECT number, short_code FROM orders WHERE town_code = ? AND short_code <> '' ORDER BY id LIMIT 1`, xinjing).Scan(&number, &code), "a demo order")
	visit(t, phone, srv.URL+"/portal?town="+xinjing, "back to the portal")
	must(t, chromedp.Do(phone,
		chromedp.SendKeys(chromedp.CSS(`#po-track-number`), number),
		chromedp.SendKeys(chromedp.CSS(`#po-track-code`), code),
		chromedp.Submit(chromedp.CSS(`#po-track-number`)),
	), "look the order up")
	waitFor(t, phone, `#public-order`, "the order on /track")
	Screenshot(t, phone, "portal-phone-track")

	// Elderly-friendly mode: a plain link; large type on the portal and on the other public pages.
	visit(t, phone, srv.URL+"/portal?town="+xinjing, "back to the portal")
	must(t, chromedp.Do(phone, chromedp.Click(chromedp.CSS(`#po-elderly`))), "turn the elderly mode on")
	portalPoll(t, phone, `document.body.classList.contains('elderly') && !!document.querySelector('#po-tasks')`, "the elderly mode on")
	if town := evaluate[string](t, phone, `document.querySelector('#po-town').innerText`); town != "新泾镇" {
		t.Errorf("the toggle went back to %q, want 新泾镇", town)
	}
	px := func(sel string) float64 {
		return evaluate[float64](t, phone, fmt.Sprintf(`parseFloat(getComputedStyle(document.querySelector(%q)).fontSize)`, sel))
	}
	for _, sel := range []string{"body", ".po-task-t", ".po-lines li", "#po-track-number"} {
		if got := px(sel); got < 20 {
			t.Errorf("elderly mode: %s is %.0f px, want ≥ 20", sel, got)
		}
	}
	if cols := evaluate[string](t, phone, `getComputedStyle(document.querySelector('#po-tasks')).gridTemplateColumns`); strings.Contains(strings.TrimSpace(cols), " ") {
		t.Errorf("elderly mode: the task buttons are not one column: %q", cols)
	}
	if h := evaluate[float64](t, phone, `document.querySelector('#po-go-report').getBoundingClientRect().height`); h < 60 {
		t.Errorf("elderly mode: a task button is %.0f px high, want ≥ 60", h)
	}
	Screenshot(t, phone, "portal-phone-elderly")
	for _, page := range []struct{ path, selector string }{
		{"/portal/projects?town=" + xinjing, "#pj-results"},
		{"/report", "#report-form"},
		{"/portal/volunteers?town=" + xinjing, "#vol-portal-list"},
	} {
		visit(t, phone, srv.URL+page.path, "open "+page.path)
		waitFor(t, phone, page.selector, page.path)
		if !evaluate[bool](t, phone, `document.body.classList.contains('elderly')`) {
			t.Errorf("elderly mode did not persist on %s", page.path)
		}
		if got := px("main p, main li, main label"); got < 20 {
			t.Errorf("elderly mode on %s: text is %.0f px, want ≥ 20", page.path, got)
		}
	}
	Screenshot(t, phone, "portal-phone-elderly-volunteers")
	visit(t, phone, srv.URL+"/portal?town="+xinjing, "back to the portal")
	must(t, chromedp.Do(phone, chromedp.Click(chromedp.CSS(`#po-elderly`))), "turn the elderly mode off")
	portalPoll(t, phone, `!document.body.classList.contains('elderly') && !!document.querySelector('#po-tasks')`, "the elderly mode off")
	if got := px("body"); got >= 20 {
		t.Errorf("standard mode: body is %.0f px", got)
	}

	// Desktop, both languages: every button and summary has its English words.
	desk := NewBrowser(t, 1280, 900)
	visit(t, desk, srv.URL+"/portal?town="+xinjing, "the portal on a desktop")
	waitFor(t, desk, `#po-sec-projects`, "the summaries")
	Screenshot(t, desk, "portal-desktop")
	visit(t, desk, srv.URL+"/portal?town="+xinjing+"&lang=en", "the portal in English")
	waitFor(t, desk, `#po-sec-projects`, "the English summaries")
	han := regexp.MustCompile(`\p{Han}`)
	words := evaluate[[]string](t, desk, `[...document.querySelectorAll('.po-task-t, .po-sec-head h3, .po-sec-text, .po-lines li:has(.po-fig) > span, .po-sub, .po-track h2, .po-track label span, .po-foot, .po-elderly, #po-switch button')].map(e => e.innerText)`)
	for _, w := range words {
		// The town's own names (新泾镇) and the titles are data; the interface's words must be English.
		if han.MatchString(w) && !strings.Contains(w, "新泾") {
			t.Errorf("English portal shows Chinese: %q", w)
		}
	}
	Screenshot(t, desk, "portal-desktop-en")
	visit(t, desk, srv.URL+"/portal/network?town="+lujiazui+"&lang=zh", "the network map on a desktop")
	portalPoll(t, desk, `document.body.dataset.mapReady === '1'`, "the network map drawn")
	Screenshot(t, desk, "portal-desktop-network")
}

// TestPortalBudget measures the front page as a phone loads it the first time (empty cache):
// requests and bytes transferred before images, from the browser's resource timing, and holds
// them to the budget (bytes, not time: no timed assertion). The figures are logged for
// docs/BENCHMARKS.md.
func TestPortalBudget(t *testing.T) {
	srv := StartServer(t)
	for _, mode := range []string{"standard", "elderly"} {
		phone := NewBrowser(t, 390, 844)
		if mode == "elderly" {
			visit(t, phone, srv.URL+"/portal/elderly?on=1&next=/healthz", "turn the elderly mode on")
		}
		visit(t, phone, srv.URL+"/portal", "open the portal")
		waitFor(t, phone, `#po-tasks`, "the portal")
		type entry struct {
			Name      string  `json:"name"`
			Initiator string  `json:"initiator"`
			Transfer  float64 `json:"transfer"`
			Body      float64 `json:"body"`
		}
		list := evaluate[[]entry](t, phone, `[performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')].map(e => ({name: e.name, initiator: e.initiatorType || 'navigation', transfer: e.transferSize, body: e.decodedBodySize}))`)
		var bytes, body float64
		requests := 0
		for _, e := range list {
			if e.Initiator == "img" || strings.HasSuffix(e.Name, "/favicon.svg") { // images, the tab's icon included
				continue
			}
			requests++
			bytes += e.Transfer
			body += e.Body
			t.Logf("%s %-10s %7.0f B transferred, %7.0f B body  %s", mode, e.Initiator, e.Transfer, e.Body, strings.TrimPrefix(e.Name, srv.URL))
		}
		t.Logf("portal front page (%s): %d requests, %.1f KB transferred, %.1f KB of bodies, before images", mode, requests, bytes/1024, body/1024)
		if bytes > portalBudgetBytes || bytes == 0 {
			t.Errorf("portal front page (%s): %.0f bytes transferred, budget %d", mode, bytes, portalBudgetBytes)
		}
		if requests > portalBudgetRequests {
			t.Errorf("portal front page (%s): %d requests, budget %d", mode, requests, portalBudgetRequests)
		}
	}
}

// TestPortalShowsNoPersonalData reads the demo's residents (names, phones, ID numbers) and the
// reporters of its orders, and checks that neither town's front page, in either language,
// contains any of them, nor anything shaped like a mobile number or an ID number.
func TestPortalShowsNoPersonalData(t *testing.T) {
	srv := StartServer(t)
	db := demoDB(t, srv)
	var secrets []string
	collect := func(query string) {
		rows, err := db.Query(query)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		defer rows.Close()
		for rows.Next() {
			var s sql.NullString
			must(t, rows.Scan(&s), query)
			if v := strings.TrimSpace(s.String); len([]rune(v)) >= 2 {
				secrets = append(secrets, v)
			}
		}
	}
	collect(`SELECT display_name FROM users WHERE role = 'resident'`)
	collect(`SELECT phone FROM users`)
	collect(`SELECT caller_name FROM orders`)
	collect(`SELECT caller_phone FROM orders`)
	collect(`SELECT name FROM volunteers`)
	collect(`SELECT phone FROM volunteers`)
	collect(`SELECT contact_name FROM bookings`)
	collect(`SELECT contact_phone FROM bookings`)
	if len(secrets) == 0 {
		t.Fatal("the demo has no residents or reporters to look for")
	}
	phone := regexp.MustCompile(`(^|\D)1[3-9]\d{9}(\D|$)`)
	idNumber := regexp.MustCompile(`(^|\D)\d{17}[\dXx](\D|$)`)
	towns, err := db.Query(`SELECT code FROM regions WHERE level = 'town' AND tenant = 1`)
	must(t, err, "the towns")
	var codes []string
	for towns.Next() {
		var c string
		must(t, towns.Scan(&c), "a town")
		codes = append(codes, c)
	}
	towns.Close()
	for _, code := range codes {
		for _, lang := range []string{"zh", "en"} {
			resp, err := http.Get(srv.URL + "/portal?town=" + code + "&lang=" + lang)
			must(t, err, "GET /portal")
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			must(t, err, "read /portal")
			html := string(body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("/portal?town=%s: %d", code, resp.StatusCode)
			}
			for _, s := range secrets {
				if strings.Contains(html, s) {
					t.Errorf("/portal?town=%s&lang=%s shows personal data %q", code, lang, s)
				}
			}
			if m := phone.FindString(html); m != "" {
				t.Errorf("/portal?town=%s shows a phone number %q", code, m)
			}
			if m := idNumber.FindString(html); m != "" {
				t.Errorf("/portal?town=%s shows an ID number %q", code, m)
			}
		}
	}
}

// portalPoll waits until expr is true in the page.
func portalPoll(t *testing.T, ctx context.Context, expr, step string) {
	t.Helper()
	var err error
	// A navigation under way replaces the page's context: poll again in the new page.
	for try := 0; try < 20; try++ {
		if _, err = chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	must(t, err, step)
}
