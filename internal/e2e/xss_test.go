package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/civicgrid/civicgrid/internal/store"
)

// xssPayloads would each set window.__xss if a page put a name into the DOM as HTML: an element
// with a handler, a break out of a quoted attribute, and a break out of a <script> data block.
var xssPayloads = []string{
	`<img src=x onerror="window.__xss=1">`,
	`"><svg onload=window.__xss=1>`,
	`</script><script>window.__xss=1</script>`,
}

// evil is a name as an attacker stores it: a plausible name followed by payload i.
func evil(name string, i int) string { return name + xssPayloads[i%len(xssPayloads)] }

const (
	xssTown      = "310105102" // 新泾镇
	xssOtherTown = "310115005" // 陆家嘴街道
)

// pageWatch is installed in every document before the page's own scripts run: it records the
// violations of the Content-Security-Policy (an inline handler that a slip let into the page is
// blocked, and shows up here).
const pageWatch = `(() => {
	if (window.__cspViolations) return;
	window.__cspViolations = [];
	document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
		e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + (e.sourceFile || location.pathname) + ':' + e.lineNumber + ' ' + (e.sample || '')));
})()`

// watchedBrowser is NewBrowser with pageWatch in every document and the console recorded.
type watchedBrowser struct {
	ctx  context.Context
	name string
	mu   sync.Mutex
	logs []chromedp.ConsoleMessage
}

func newWatchedBrowser(t *testing.T, name string, width, height int) *watchedBrowser {
	t.Helper()
	b := &watchedBrowser{ctx: NewBrowser(t, width, height), name: name}
	if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: pageWatch}); err != nil {
		t.Fatalf("%s: install the CSP watch: %v", name, err)
	}
	recordConsole(b.ctx, &b.mu, &b.logs)
	t.Cleanup(func() { b.checkConsole(t) })
	return b
}

// recordConsole appends every console message of the browser ctx to *logs, under mu, until the
// browser ends.
func recordConsole(ctx context.Context, mu *sync.Mutex, logs *[]chromedp.ConsoleMessage) {
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			mu.Lock()
			*logs = append(*logs, m)
			mu.Unlock()
		}
	}()
}

// checkConsole fails the test for a CSP report or an uncaught exception in the console: either
// means an app script was blocked or broke.
func (b *watchedBrowser) checkConsole(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.logs {
		text := m.Text
		if m.IsException() || strings.Contains(text, "Content Security Policy") || strings.Contains(text, "Content-Security-Policy") {
			t.Errorf("%s: console %s: %s (%s:%d)", b.name, m.Type, text, m.URL, m.Line)
		}
	}
}

// pageState is what checkPage reads from the current page.
type pageState struct {
	URL        string
	XSS        bool
	Injected   []string
	Violations []string
	Text       string // the visible text plus the text of every tooltip, popup and chart tooltip
}

const pageStateJS = `(() => {
	const injected = [...document.querySelectorAll('img[src="x"], svg[onload], [onerror], [onload], script:not([src]):not([type="application/json"])')]
		.map(e => e.outerHTML.slice(0, 160));
	const extra = [...document.querySelectorAll('.leaflet-tooltip, .leaflet-popup-content, .leaflet-control-attribution, .cg-tooltip, svg text, option, optgroup')]
		.map(e => e.tagName === 'OPTGROUP' ? e.label : e.textContent);
	return {URL: location.pathname + location.search, XSS: window.__xss !== undefined, Injected: injected,
		Violations: (window.__cspViolations || []).slice(), Text: document.body.innerText + '\n' + extra.join('\n')};
})()`

// checkPage fails the test if a payload ran or became markup on the current page, or if the
// policy blocked anything, and checks that each of want shows as literal text.
func (b *watchedBrowser) checkPage(t *testing.T, want ...string) pageState {
	t.Helper()
	var s pageState
	raw, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`JSON.stringify(`+pageStateJS+`)`))
	must(t, err, b.name+": read the page")
	must(t, json.Unmarshal([]byte(raw), &s), "decode the page state")
	if s.XSS {
		t.Errorf("%s %s: a stored name ran script (window.__xss is set)", b.name, s.URL)
	}
	for _, e := range s.Injected {
		t.Errorf("%s %s: a stored name became markup: %s", b.name, s.URL, e)
	}
	for _, v := range s.Violations {
		t.Errorf("%s %s: Content-Security-Policy violation: %s", b.name, s.URL, v)
	}
	for _, w := range want {
		if !strings.Contains(s.Text, w) {
			t.Errorf("%s %s: %q is not shown as text; the page shows:\n%.1500s", b.name, s.URL, w, s.Text)
		}
	}
	return s
}

// open navigates and waits for the document and for ready (a JavaScript condition, "" for none).
func (b *watchedBrowser) open(t *testing.T, base, path, ready string) {
	t.Helper()
	must(t, chromedp.Do(b.ctx, chromedp.Navigate(base+path)), b.name+": open "+path)
	b.wait(t, ready)
}

// wait waits for the current document and for ready. A check that meets a document being
// replaced (a redirect) fails; that only means "not yet".
func (b *watchedBrowser) wait(t *testing.T, ready string) {
	t.Helper()
	if ready == "" {
		ready = "true"
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.readyState === 'complete' && !!(`+ready+`)`))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			msg, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`location.href + ': ' + document.body.innerText.slice(0, 300)`))
			t.Fatalf("%s: not ready within 20 s (%s): %v\n%s", b.name, ready, err, msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// hoverAll opens the hover tooltip of every interactive Leaflet shape inside sel, the way a
// pointer moving over each would, and returns how many there were.
func (b *watchedBrowser) hoverAll(t *testing.T, sel string) int {
	t.Helper()
	return evaluate[int](t, b.ctx, `(() => {
		const els = document.querySelectorAll('`+sel+` .leaflet-interactive');
		els.forEach(e => e.dispatchEvent(new MouseEvent('mouseover', {bubbles: true, clientX: 20, clientY: 20})));
		return els.length;
	})()`)
}

// hoverReal moves the real pointer to the middle of the first element matching css.
func (b *watchedBrowser) hoverReal(t *testing.T, css string) {
	t.Helper()
	type pt struct{ X, Y float64 }
	p := evaluate[pt](t, b.ctx, `(() => { const e = document.querySelector('`+css+`'); e.scrollIntoView({block: 'center'});
		const r = e.getBoundingClientRect(); return {X: r.left + r.width / 2, Y: r.top + r.height / 2}; })()`)
	must(t, chromedp.Do(b.ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, p.X, p.Y)), "move the pointer")
}

// showChartTip opens the ECharts tooltip of the chart in #id at the first category whose label
// contains label ("" for the last one), as hovering its bar does.
func (b *watchedBrowser) showChartTip(t *testing.T, id, label string) {
	t.Helper()
	ok := evaluate[bool](t, b.ctx, fmt.Sprintf(`(() => {
		const c = echarts.getInstanceByDom(document.getElementById(%q));
		if (!c) return false;
		const cats = c.getOption().xAxis[0].data;
		let i = cats.findIndex(x => String(x).includes(%q));
		if (%q === '') i = cats.length - 1;
		if (i < 0) return false;
		c.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: i});
		return true;
	})()`, id, label, label))
	if !ok {
		t.Errorf("%s: chart #%s has no category %q", b.name, id, label)
		return
	}
	pctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(pctx, chromedp.Poll[bool](`!!document.querySelector('#`+id+` .cg-tooltip')`, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Errorf("%s: the tooltip of #%s did not open: %v", b.name, id, err)
	}
}

// signIn signs out whoever is signed in (the cookies go) and signs in as user.
func (b *watchedBrowser) signIn(t *testing.T, base, user, password string) {
	t.Helper()
	if _, err := chromedp.Call(b.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatalf("clear cookies: %v", err)
	}
	b.name = user
	must(t, Login(b.ctx, base, user, password), "sign in as "+user)
}

// shot saves a screenshot under the system's temporary directory, even when scripts/screenshots.sh
// points the README's pictures at docs/screenshots: script-bearing names are not for the README.
func (b *watchedBrowser) shot(t *testing.T, name string) {
	t.Helper()
	dir := filepath.Join(os.TempDir(), "civicgrid-e2e-shots")
	must(t, os.MkdirAll(dir, 0o755), "screenshot directory")
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	must(t, err, "screenshot "+name)
	path := filepath.Join(dir, name+".png")
	must(t, os.WriteFile(path, png, 0o644), "write "+path)
	t.Logf("screenshot %s", path)
}

// tileServer serves one plain map tile for every request and counts the requests.
func tileServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for x := 0; x < 256; x++ {
		for y := 0; y < 256; y++ {
			c := color.RGBA{236, 232, 222, 255}
			if x == 0 || y == 0 {
				c = color.RGBA{200, 196, 186, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "image/png")
		w.Write(buf.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// TestStoredXSSInBrowser stores script-bearing names in every named thing that a map, a list or
// a chart shows — grids (also of another town, which the public /report page shows), grid
// members, places, committees, departments, categories, towns, campaigns, targets, visits,
// orders, users, an import file — and opens every page that draws them as the roles that see
// them, with tooltips and popups open. No payload may run or become markup, the policy may block
// nothing (the app's own scripts all work under it), and each name shows as the text typed.
func TestStoredXSSInBrowser(t *testing.T) {
	tiles, tileHits := tileServer(t)
	// A tile server on another origin, named with Leaflet's {s} subdomains as public ones are:
	// the policy must allow exactly it (*.tiles.localhost resolves to this machine).
	tileURL := fmt.Sprintf("http://{s}.tiles.localhost:%d/{z}/{x}/{y}.png", tiles.Listener.Addr().(*net.TCPAddr).Port)
	attribution := evil("© 测试底图", 0)
	srv := StartServer(t, "--tiles", tileURL, "--tiles-attribution", attribution)
	ctx := context.Background()

	// ---- store the names ----
	desk := newWatchedBrowser(t, "admin", 1280, 900)
	desk.signIn(t, srv.URL, "admin", "demo-admin")
	var grids struct {
		Features []struct {
			Properties struct {
				ID       int64  `json:"id"`
				Code     string `json:"code"`
				Name     string `json:"name"`
				TownCode string `json:"town_code"`
			} `json:"properties"`
		} `json:"features"`
	}
	if code := apiFetch(t, desk.ctx, "GET", "/api/v1/grids", "", &grids); code != 200 || len(grids.Features) < 3 {
		t.Fatalf("GET /api/v1/grids = %d, %d grids", code, len(grids.Features))
	}
	gridNames := map[string]string{} // code → stored name
	for i := 0; i < 3; i++ {
		p := grids.Features[i].Properties
		name := evil(p.Name, i)
		if code := apiFetch(t, desk.ctx, "PUT", fmt.Sprintf("/api/v1/grids/%d", p.ID), jsonOf(map[string]any{"name": name}), nil); code != 200 {
			t.Fatalf("rename grid %s = %d", p.Code, code)
		}
		gridNames[p.Code] = name
	}
	grid1 := grids.Features[0].Properties.Code

	var deps struct {
		Departments []map[string]any `json:"departments"`
	}
	apiFetch(t, desk.ctx, "GET", "/api/v1/departments", "", &deps)
	var deptNames []string
	var dept1 string
	for i, d := range deps.Departments[:2] {
		d["name"] = evil(fmt.Sprint(d["name"]), i+1)
		if code := apiFetch(t, desk.ctx, "POST", "/api/v1/departments", jsonOf(d), nil); code != 201 {
			t.Fatalf("rename department %v = %d", d["code"], code)
		}
		deptNames = append(deptNames, d["name"].(string))
		if i == 0 {
			dept1 = fmt.Sprint(d["code"])
		}
	}
	memberName := evil("王建国", 0)
	if code := apiFetch(t, desk.ctx, "POST", fmt.Sprintf("/api/v1/grids/%d/members", grids.Features[0].Properties.ID),
		jsonOf(map[string]any{"name": memberName, "grid_role": "member", "department": dept1}), nil); code != 201 {
		t.Fatalf("add grid member = %d", code)
	}
	workerName := evil("李网格员", 1)
	var worker struct{ ID int64 }
	if code := apiFetch(t, desk.ctx, "POST", "/api/v1/users", jsonOf(map[string]any{"username": "xss_worker", "display_name": workerName,
		"role": "gridworker", "town": xssTown, "grid": grid1, "phone": "13900000000", "password": "xss-worker-pw"}), &worker); code != 201 {
		t.Fatalf("create user = %d", code)
	}

	// What no API writes (places, committees, categories, town names) goes into the database.
	db, err := store.Open(ctx, store.Options{DataDir: srv.DataDir})
	must(t, err, "open the server's database")
	defer db.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var placeNames, committeeNames, categoryNames []string
	rows, err := db.Query(ctx, `SELECT id, name FROM places WHERE town_code = ? AND kind <> 'estate' ORDER BY id LIMIT 3`, xssTown)
	must(t, err, "places")
	type idName struct {
		id   int64
		name string
	}
	var ps []idName
	for rows.Next() {
		var p idName
		must(t, rows.Scan(&p.id, &p.name), "scan place")
		ps = append(ps, p)
	}
	rows.Close()
	for i, p := range ps {
		n := evil(p.name, i)
		exec(`UPDATE places SET name = ? WHERE id = ?`, n, p.id)
		placeNames = append(placeNames, n)
	}
	var committee string
	must(t, db.QueryRow(ctx, `SELECT code FROM committees WHERE grid_code = ? ORDER BY code LIMIT 1`, grid1).Scan(&committee), "committee")
	committeeNames = append(committeeNames, evil("刘家宅居委", 2))
	exec(`UPDATE committees SET name = ? WHERE code = ?`, committeeNames[0], committee)
	var category string
	must(t, db.QueryRow(ctx, `SELECT c.code FROM categories c WHERE c.town_code = ? AND c.parent_code <> ''
		AND NOT EXISTS (SELECT 1 FROM categories k WHERE k.town_code = c.town_code AND k.parent_code = c.code) ORDER BY c.code LIMIT 1`, xssTown).Scan(&category), "category")
	categoryNames = append(categoryNames, evil("路灯损坏", 0))
	exec(`UPDATE categories SET name = ? WHERE town_code = ? AND code = ?`, categoryNames[0], xssTown, category)
	otherTownName := evil("陆家嘴街道", 1)
	exec(`UPDATE regions SET name = ? WHERE code = ?`, otherTownName, xssOtherTown)

	// Another town's admin renames one of its grids: the public /report page shows it to all.
	other := newWatchedBrowser(t, "lujiazui_admin", 1280, 900)
	other.signIn(t, srv.URL, "lujiazui_admin", "demo-lujiazui_admin")
	var ogrids struct {
		Features []struct {
			Properties struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			} `json:"properties"`
		} `json:"features"`
	}
	apiFetch(t, other.ctx, "GET", "/api/v1/grids", "", &ogrids)
	otherGrid := evil(ogrids.Features[0].Properties.Name, 0)
	if code := apiFetch(t, other.ctx, "PUT", fmt.Sprintf("/api/v1/grids/%d", ogrids.Features[0].Properties.ID), jsonOf(map[string]any{"name": otherGrid}), nil); code != 200 {
		t.Fatalf("lujiazui_admin renames a grid = %d", code)
	}

	// An order in grid 1 with the renamed category, and a campaign with targets and a visit.
	var lat, lng float64
	must(t, db.QueryRow(ctx, `SELECT lat, lng FROM places WHERE grid_code = ? ORDER BY id LIMIT 1`, grid1).Scan(&lat, &lng), "a point in grid 1")
	content, address, caller := evil("小区门口路灯不亮", 0), evil("天山西路1号", 1), evil("张先生", 2)
	var order struct {
		ID        int64  `json:"id"`
		Number    string `json:"number"`
		ShortCode string `json:"short_code"`
	}
	if code := apiFetch(t, desk.ctx, "POST", "/api/v1/orders", jsonOf(map[string]any{"content": content, "address": address, "caller_name": caller,
		"caller_phone": "13800000000", "category": category, "lat": lat, "lng": lng}), &order); code != 201 {
		t.Fatalf("create order = %d", code)
	}
	campaignName := evil("四百大走访", 1)
	var cp struct{ ID int64 }
	start, end := time.Now().AddDate(0, -1, 0).Format("2006-01-02"), time.Now().AddDate(0, 2, 0).Format("2006-01-02")
	if code := apiFetch(t, desk.ctx, "POST", "/api/v1/campaigns", jsonOf(map[string]any{"name": campaignName, "kind": "other", "start": start, "end": end,
		"description": evil("入户走访", 2), "team": []int64{worker.ID}}), &cp); code != 201 {
		t.Fatalf("create campaign = %d", code)
	}
	var targetNames []string
	var target1 int64
	for i := 0; i < 3; i++ {
		n := evil(fmt.Sprintf("独居老人%d号", i+1), i)
		var tg struct{ ID int64 }
		if code := apiFetch(t, desk.ctx, "POST", fmt.Sprintf("/api/v1/campaigns/%d/targets", cp.ID), jsonOf(map[string]any{"name": n, "address": evil("仙霞西路", i),
			"kind": "household", "lat": lat + float64(i)*0.0003, "lng": lng}), &tg); code != 201 {
			t.Fatalf("add target = %d", code)
		}
		targetNames = append(targetNames, n)
		if i == 0 {
			target1 = tg.ID
		}
	}

	// ---- the phone of the grid worker whose name is a payload: /patrol, a visit ----
	phone := newWatchedBrowser(t, "xss_worker", 390, 844)
	phone.signIn(t, srv.URL, "xss_worker", "xss-worker-pw")
	findings := evil("楼道灯坏了", 0)
	if code := apiFetch(t, phone.ctx, "POST", fmt.Sprintf("/api/v1/campaigns/%d/targets/%d/visits", cp.ID, target1),
		jsonOf(map[string]any{"status": "visited", "findings": findings, "needs": evil("修灯", 1)}), nil); code != 201 {
		t.Fatalf("log visit = %d", code)
	}
	phone.open(t, srv.URL, "/", "")
	phone.checkPage(t, workerName)
	// The menu button of the narrow layout works without its former inline handler.
	must(t, chromedp.Do(phone.ctx, chromedp.Click(chromedp.CSS(`.menu-toggle`))), "open the menu")
	if !evaluate[bool](t, phone.ctx, `document.body.classList.contains('nav-open') && getComputedStyle(document.querySelector('.nav')).display !== 'none'`) {
		t.Error("the menu button does not open the menu")
	}
	phone.open(t, srv.URL, "/patrol", `document.getElementById('pick-map').dataset.ready === '1'`)
	if n := phone.hoverAll(t, "#pick-map"); n < len(grids.Features) {
		t.Errorf("/patrol drew %d outlines, want at least %d", n, len(grids.Features))
	}
	phone.checkPage(t, gridNames[grid1], categoryNames[0])
	phone.shot(t, "xss-patrol")
	phone.open(t, srv.URL, fmt.Sprintf("/campaigns/%d/targets/%d", cp.ID, target1), "")
	phone.checkPage(t, targetNames[0], findings, workerName, campaignName)

	// ---- the admin's pages ----
	desk.open(t, srv.URL, "/map", `document.body.dataset.mapReady === '1'`)
	n := desk.hoverAll(t, "#map")
	if n < len(grids.Features)/2 {
		t.Errorf("/map has %d interactive shapes", n)
	}
	must(t, chromedp.Do(desk.ctx, chromedp.Click(chromedp.CSS(`#grid-list li[data-code="`+grid1+`"]`))), "open grid 1's details")
	must(t, WaitMapIdle(desk.ctx), "map idle")
	st := desk.checkPage(t, append(append([]string{memberName, deptNames[0], attribution}, placeNames...), gridNames[grid1], gridNames[grids.Features[1].Properties.Code])...)
	if !strings.Contains(st.Text, strings.TrimPrefix(gridNames[grid1], "新泾镇")) {
		t.Errorf("/map: the grid label of %s is not its name as text", grid1)
	}
	if tileHits.Load() == 0 {
		t.Error("/map loaded no tiles: the policy must allow the tile server")
	}
	desk.shot(t, "xss-map")

	desk.open(t, srv.URL, "/orders", `document.querySelectorAll('#orders-map .leaflet-interactive').length > 0`)
	desk.hoverAll(t, "#orders-map")
	desk.checkPage(t, content, categoryNames[0], gridNames[grid1])
	desk.shot(t, "xss-orders")
	desk.open(t, srv.URL, fmt.Sprintf("/orders/%d", order.ID), `document.querySelectorAll('#order-map .leaflet-interactive').length > 0`)
	// The order page names the grid without its town.
	desk.checkPage(t, content, address, caller, categoryNames[0], strings.TrimPrefix(gridNames[grid1], "新泾镇"))

	desk.open(t, srv.URL, "/campaigns", "")
	desk.checkPage(t, campaignName)
	desk.open(t, srv.URL, fmt.Sprintf("/campaigns/%d", cp.ID), `document.body.dataset.mapReady === '1' && document.body.dataset.chartReady === '1'`)
	desk.hoverAll(t, "#map")
	// A click on grid 1 (the first polygon: the API lists grids by code) opens its popup.
	evaluate[bool](t, desk.ctx, `(document.querySelector('#map path.cp-grid-polygon').dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: 200, clientY: 250})), true)`)
	desk.showChartTip(t, "cp-chart", xssPayloads[0])
	desk.checkPage(t, append([]string{campaignName, workerName, findings, gridNames[grid1]}, targetNames...)...)
	if pop := evaluate[string](t, desk.ctx, `(document.querySelector('#map .leaflet-popup-content') || {}).textContent || ''`); !strings.Contains(pop, gridNames[grid1]) {
		t.Errorf("campaign page: the grid popup shows %q, want grid 1's name as text", pop)
	}
	if tip := evaluate[string](t, desk.ctx, `(document.querySelector('#cp-chart .cg-tooltip') || {}).textContent || ''`); !strings.Contains(tip, xssPayloads[0]) {
		t.Errorf("campaign chart tooltip shows %q, want the grid name as text", tip)
	}
	must(t, WaitMapIdle(desk.ctx), "campaign map idle")
	desk.shot(t, "xss-campaign")
	desk.open(t, srv.URL, fmt.Sprintf("/campaigns/%d/targets/%d", cp.ID, target1), "")
	desk.checkPage(t, targetNames[0], findings, workerName)

	// Deleting a campaign without visits asks first (app.js, formerly an inline handler); a "no"
	// keeps it.
	var empty struct{ ID int64 }
	if code := apiFetch(t, desk.ctx, "POST", "/api/v1/campaigns", jsonOf(map[string]any{"name": evil("空走访", 0), "kind": "other", "start": start, "end": end}), &empty); code != 201 {
		t.Fatalf("create campaign = %d", code)
	}
	desk.open(t, srv.URL, fmt.Sprintf("/campaigns/%d", empty.ID), `document.body.dataset.mapReady === '1'`)
	asked := evaluate[string](t, desk.ctx, `(() => {
		let asked = '';
		window.confirm = m => { asked = m; return false; };
		document.getElementById('campaign-delete-form').requestSubmit();
		return asked;
	})()`)
	time.Sleep(300 * time.Millisecond)
	if asked == "" || evaluate[string](t, desk.ctx, `location.pathname`) != fmt.Sprintf("/campaigns/%d", empty.ID) {
		t.Errorf("delete without a confirmation: asked %q, now on %s", asked, evaluate[string](t, desk.ctx, `location.pathname`))
	}
	desk.checkPage(t, evil("空走访", 0))

	for _, p := range []struct {
		path string
		want []string
	}{
		{"/admin/grids", append([]string{gridNames[grid1], memberName}, committeeNames...)},
		{"/admin/grids/" + grid1, []string{gridNames[grid1], memberName}},
		{"/admin/departments", deptNames},
		{"/admin/users", []string{workerName}},
		{"/admin/audit", nil},
		{"/notifications", nil},
		{"/orders/new", []string{categoryNames[0]}},
	} {
		desk.open(t, srv.URL, p.path, "")
		desk.checkPage(t, p.want...)
	}
	// The operations centre's screens draw grid and category names with scripts: the live map's
	// grid and point tooltips, its category picker, the wall screen, the hotspots, the KPI page's
	// breakdown table and chart tooltip.
	desk.open(t, srv.URL, "/ops/map", `(d => d.grids > 0 && d.points > 0)(document.getElementById('map').dataset)`)
	if n := desk.hoverAll(t, "#map"); n == 0 {
		t.Error("/ops/map has no interactive shapes")
	}
	desk.checkPage(t, gridNames[grid1], categoryNames[0])
	desk.open(t, srv.URL, "/ops/wall?pause=1", `document.body.dataset.panel`)
	desk.checkPage(t)
	desk.open(t, srv.URL, "/ops/hotspots", "")
	desk.checkPage(t)
	for _, by := range []struct{ by, want string }{{"grid", gridNames[grid1]}, {"category", categoryNames[0]}} {
		desk.open(t, srv.URL, "/kpi?by="+by.by, `window.echarts && echarts.getInstanceByDom(document.getElementById('kpi-chart'))`)
		desk.showChartTip(t, "kpi-chart", "")
		desk.checkPage(t, by.want)
	}
	desk.open(t, srv.URL, "/kpi/rankings", "")
	desk.checkPage(t)
	desk.open(t, srv.URL, "/", `window.echarts && echarts.getInstanceByDom(document.getElementById('intake-chart'))`)
	desk.showChartTip(t, "intake-chart", "")
	desk.checkPage(t)

	// A hotline export whose file name, cells and column are payloads.
	desk.open(t, srv.URL, "/intake/hotline", "")
	// The browser sends a quote in a file name as %22: this payload needs none.
	file := filepath.Join(t.TempDir(), "热线导出<img src=x onerror=window.__xss=1>.csv")
	var csvBuf bytes.Buffer
	w := csv.NewWriter(&csvBuf)
	w.WriteAll([][]string{
		{"工单编号", "来电时间", "诉求人", "联系电话", "诉求地址", "经度", "纬度", "诉求类型", "诉求分类", "诉求内容", "办理时限", "街镇"},
		{"XSS-1", "2026-11-01 09:00:00", evil("赵女士", 0), "13900001111", evil("天山西路2号", 1), "", "", "投诉", "", evil("噪音扰民", 2), "3", "新泾镇"},
		{"XSS-2", evil("2026-13-45", 0), "钱先生", "13900002222", "仙霞西路", "", "", "求助", "", "共享单车堆放", "5", "新泾镇"},
	})
	must(t, os.WriteFile(file, csvBuf.Bytes(), 0o644), "write the export")
	must(t, chromedp.Do(desk.ctx, chromedp.SetUploadFiles(chromedp.CSS(`form[action="/intake/hotline"] input[type="file"]`), []string{file})), "attach the export")
	submit(t, desk.ctx, `form[action="/intake/hotline"] button.primary`, "upload the export")
	desk.wait(t, `(() => { const s = document.querySelector('#intake-job [data-k="status"]'); return s && s.textContent.trim() !== '' && s.textContent.trim() !== '导入中…'; })()`)
	evaluate[bool](t, desk.ctx, `(document.querySelector('#intake-job details') || {}).open = true, true`)
	desk.checkPage(t, filepath.Base(file))

	// ---- the public pages ----
	anon := newWatchedBrowser(t, "anonymous", 1280, 900)
	anon.open(t, srv.URL, "/report", `document.getElementById('pick-map').dataset.ready === '1'`)
	if n := anon.hoverAll(t, "#pick-map"); n < len(grids.Features)+len(ogrids.Features) {
		t.Errorf("/report drew %d outlines, want the grids of both towns", n)
	}
	anon.hoverReal(t, "#pick-map path.leaflet-interactive")
	anon.checkPage(t, otherGrid, gridNames[grid1], otherTownName, categoryNames[0])
	anon.shot(t, "xss-report")
	anon.open(t, srv.URL, "/track?"+url.Values{"number": {order.Number}, "code": {order.ShortCode}}.Encode(), "")
	anon.checkPage(t, content)

	// ---- every other role's home and map ----
	other.open(t, srv.URL, "/map", `document.body.dataset.mapReady === '1'`)
	other.hoverAll(t, "#map")
	other.checkPage(t, strings.TrimPrefix(otherGrid, "陆家嘴街道"))
	roles := newWatchedBrowser(t, "roles", 1280, 900)
	for _, u := range []string{"dispatcher", "handler_police", "gridworker", "gridleader", "leader", "deputy", "volunteer", "resident", "changning"} {
		roles.signIn(t, srv.URL, u, "demo-"+u)
		roles.open(t, srv.URL, "/", "")
		if evaluate[bool](t, roles.ctx, `!!document.getElementById('intake-chart')`) {
			roles.open(t, srv.URL, "/", `window.echarts && echarts.getInstanceByDom(document.getElementById('intake-chart'))`)
			roles.showChartTip(t, "intake-chart", "")
		}
		roles.checkPage(t)
		for _, p := range []struct{ path, ready, hover string }{
			{"/map", `document.body.dataset.mapReady`, "#map"},
			{"/orders", `document.querySelector('#orders-map .leaflet-container, #orders-map.leaflet-container')`, "#orders-map"},
			{"/campaigns/" + fmt.Sprint(cp.ID), `document.body.dataset.mapReady`, "#map"},
		} {
			resp, err := chromedp.RunResponse(roles.ctx, chromedp.Navigate(srv.URL+p.path))
			must(t, err, u+": open "+p.path)
			if resp.Status != 200 {
				continue
			}
			if evaluate[string](t, roles.ctx, `location.pathname`) != p.path {
				// Sent elsewhere (a resident's /orders is their own /my/reports): that page, no map.
				roles.checkPage(t)
				continue
			}
			roles.wait(t, p.ready)
			roles.hoverAll(t, p.hover)
			roles.checkPage(t)
		}
	}
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
