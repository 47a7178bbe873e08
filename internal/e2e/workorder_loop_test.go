package e2e

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The closed loop of one order, as the people of the 新泾镇 demo do it.
const (
	loopGrid       = "310105102-G04" // 新泾镇第四网格: the grid of the demo gridworker
	loopCategory   = "1003"          // 楼道堆物
	loopDepartment = "xj-police"     // 新泾派出所, the department of handler_police
	loopHandler    = "handler_police"
	loopAddress    = "淮阴路143弄"
	loopContent    = "淮阴小区淮阴路143弄12号楼楼道堆放大量纸板杂物，存在消防隐患"
)

// 淮阴路143弄 in the demo address book, inside grid G04.
var loopPoint = struct{ Lat, Lng float64 }{31.221297, 121.393338}

func TestWorkOrderLoopInBrowser(t *testing.T) {
	srv := StartServer(t)
	photo := scenePNG(t, "stairwell-cleared.png", 60)

	// 1. The resident reports the problem from the report form and lands on their own page of it.
	resident := NewBrowser(t, 1280, 900)
	signIn(t, resident, srv, "resident")
	must(t, chromedp.Do(resident,
		chromedp.Navigate(srv.URL+"/report"),
		chromedp.WaitVisible(chromedp.CSS(`#report-form textarea[name="content"]`)),
		chromedp.SendKeys(chromedp.CSS(`#report-form textarea[name="content"]`), loopContent),
		chromedp.SendKeys(chromedp.CSS(`#report-form input[name="address"]`), loopAddress),
	), "fill /report")
	pickPoint(t, resident, loopPoint.Lat, loopPoint.Lng)
	top(t, resident)
	Screenshot(t, resident, "loop-1-resident-form")
	submit(t, resident, `#report-submit`, "submit the report")
	waitFor(t, resident, `#my-report[data-state=received]`, "the resident's page of the report")
	id, number := reportIdentity(t, resident)
	t.Logf("order %s (id %d)", number, id)
	if !strings.HasPrefix(number, "310105102-") {
		t.Errorf("order number %q does not start with the town code", number)
	}
	if flash := flashText(t, resident); !strings.Contains(flash, number) {
		t.Errorf("after submitting the flash says %q, want the order number %s", flash, number)
	}
	shortCode := evaluate[string](t, resident, `(() => { const c = document.querySelectorAll('.res-meta code'); return c.length ? c[c.length-1].innerText.trim() : ''; })()`)
	if len(shortCode) != 6 {
		t.Errorf("查询码 on the report page = %q, want a 6-character code", shortCode)
	}
	Screenshot(t, resident, "loop-1-resident-new")

	// 2. The dispatcher finds it in the 待立案 queue, files and dispatches it to the police.
	dispatcher := NewBrowser(t, 1280, 900)
	signIn(t, dispatcher, srv, "dispatcher")
	openQueue(t, dispatcher, srv.URL, "state=received", id, "received queue")
	Screenshot(t, dispatcher, "loop-2-queue")
	searchFor(t, dispatcher, "纸板杂物 淮阴路", id, true)
	mapIdle(t, dispatcher, "orders-map")
	Screenshot(t, dispatcher, "loop-2-search")
	searchFor(t, dispatcher, "纸板杂物 陆家嘴", id, false)
	openQueue(t, dispatcher, srv.URL, "state=received", id, "received queue")
	openFromQueue(t, dispatcher, id)
	waitState(t, dispatcher, "received")
	if first := evaluate[string](t, dispatcher, `document.querySelector('.action-tab').dataset.target`); first != "act-file_dispatch" {
		t.Errorf("the dispatcher's first action tab is %q, want act-file_dispatch", first)
	}
	openTab(t, dispatcher, "file_dispatch")
	must(t, chromedp.Do(dispatcher,
		chromedp.SetValue(chromedp.CSS(`#act-file_dispatch select[name="category"]`), loopCategory),
		chromedp.SetValue(chromedp.CSS(`#act-file_dispatch select[name="grid"]`), loopGrid),
		chromedp.SetValue(chromedp.CSS(`#act-file_dispatch select[name="department"]`), loopDepartment),
	), "fill 立案并派遣")
	submit(t, dispatcher, `#act-file_dispatch button[type="submit"]`, "submit 立案并派遣")
	waitState(t, dispatcher, "dispatched")
	if label := evaluate[string](t, dispatcher, `document.getElementById('order-state').innerText`); label != "已派遣" {
		t.Errorf("state label after 立案并派遣 = %q, want 已派遣", label)
	}
	facts := evaluate[string](t, dispatcher, `document.querySelector('.facts').innerText`)
	for _, want := range []string{"楼道堆物", "第四网格", "派出所"} {
		if !strings.Contains(facts, want) {
			t.Errorf("order facts after dispatch lack %q:\n%s", want, facts)
		}
	}
	top(t, dispatcher)
	mapIdle(t, dispatcher, "order-map")
	Screenshot(t, dispatcher, "loop-3-dispatched")

	// 3. The police handler accepts it, then reports it handled with a photo.
	handler := NewBrowser(t, 1280, 900)
	must(t, Login(handler, srv.URL, loopHandler, "demo-"+loopHandler), "sign in as "+loopHandler)
	openQueue(t, handler, srv.URL, "state=dispatched&department="+url.QueryEscape(loopDepartment), id, "handler's 待签收 queue")
	openFromQueue(t, handler, id)
	waitState(t, handler, "dispatched")
	openTab(t, handler, "accept")
	submit(t, handler, `#act-accept button[type="submit"]`, "submit 签收")
	waitState(t, handler, "in_progress")
	openTab(t, handler, "report")
	must(t, chromedp.Do(handler,
		chromedp.SendKeys(chromedp.CSS(`#act-report textarea[name="result"]`), "已会同物业清理楼道纸板杂物约2立方米，告知住户不得在楼道堆物，消防通道已畅通"),
		chromedp.SetUploadFiles(chromedp.CSS(`#act-report input[name="photos"]`), []string{photo}),
	), "fill 处置反馈")
	submit(t, handler, `#act-report button[type="submit"]`, "submit 处置反馈")
	waitState(t, handler, "handled")
	if label := evaluate[string](t, handler, `document.getElementById('order-state').innerText`); label != "已处置待核查" {
		t.Errorf("state label after 处置反馈 = %q, want 已处置待核查", label)
	}
	waitPhoto(t, handler, `#timeline li.ev-report .photos img`)
	top(t, handler)
	mapIdle(t, handler, "order-map")
	Screenshot(t, handler, "loop-4-handled")

	// 4. The grid worker verifies it on a phone and closes it.
	phone := NewBrowser(t, 390, 844)
	signIn(t, phone, srv, "gridworker")
	openQueue(t, phone, srv.URL, "state=handled&grid="+url.QueryEscape(loopGrid), id, "gridworker's 待核查 queue")
	openFromQueue(t, phone, id)
	waitState(t, phone, "handled")
	openTab(t, phone, "verify_pass")
	must(t, chromedp.Do(phone,
		chromedp.SendKeys(chromedp.CSS(`#act-verify_pass textarea[name="note"]`), "现场核查：楼道已清空，消防通道畅通"),
	), "fill 核查通过")
	if w := evaluate[int](t, phone, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the order page is %d px wide on a 390 px phone: it scrolls sideways", w)
	}
	must(t, chromedp.Do(phone, chromedp.ScrollIntoView(chromedp.CSS(`#act-verify_pass`))), "scroll to the form")
	top(t, phone)
	mapIdle(t, phone, "order-map")
	Screenshot(t, phone, "loop-5-verify-phone")
	submit(t, phone, `#act-verify_pass button[type="submit"]`, "submit 核查通过")
	waitState(t, phone, "closed")
	if w := evaluate[int](t, phone, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the closed order page is %d px wide on a 390 px phone", w)
	}
	top(t, phone)
	mapIdle(t, phone, "order-map")
	Screenshot(t, phone, "loop-5-verify-phone-closed")

	// 5. The resident rates the closed order: satisfied.
	rater := NewBrowser(t, 1280, 900)
	signIn(t, rater, srv, "resident")
	must(t, chromedp.Do(rater, chromedp.Navigate(fmt.Sprintf("%s/track?number=%s&code=%s", srv.URL, url.QueryEscape(number), url.QueryEscape(shortCode)))), "open /track")
	waitFor(t, rater, `#public-order`, "the order on /track")
	rateLink := fmt.Sprintf(`a[href="/my/reports/%d"]`, id)
	if n := evaluate[int](t, rater, `document.querySelectorAll('`+rateLink+`').length`); n != 1 {
		t.Errorf("/track offers the resident %d links to rate the closed order, want 1", n)
	}
	must(t, chromedp.Do(rater, chromedp.Click(chromedp.CSS(rateLink))), "open the report to rate it")
	waitFor(t, rater, `#my-report[data-state=closed] ~ #rate`, "the rating form")
	must(t, chromedp.Do(rater,
		chromedp.Click(chromedp.CSS(`#rate input[value="satisfied"] + span`)),
		chromedp.SendKeys(chromedp.CSS(`#rate textarea[name="comment"]`), "处理很及时，楼道干净了，谢谢！"),
	), "fill the rating")
	submit(t, rater, `#rate-submit`, "submit the rating")
	waitFor(t, rater, `#my-report[data-state=rated]`, "the rated report")
	if loc := evaluate[string](t, rater, `location.pathname`); loc != fmt.Sprintf("/my/reports/%d", id) {
		t.Errorf("after rating the resident is on %s, want their page of the report", loc)
	}
	if label := evaluate[string](t, rater, `document.getElementById('res-state').innerText`); label != "已办结" {
		t.Errorf("state after rating = %q, want 已办结", label)
	}
	if rating := evaluate[string](t, rater, `document.getElementById('res-rating').innerText`); !strings.Contains(rating, "满意") {
		t.Errorf("the rating shown after rating lacks 满意: %q", rating)
	}
	waitPhoto(t, rater, `#res-result .res-photos img`)
	top(t, rater)
	Screenshot(t, rater, "loop-6-rated")

	// 6. The history, through the JSON API as the resident sees it.
	var got struct {
		State        string `json:"state"`
		Satisfaction string `json:"satisfaction"`
		Grid         string `json:"grid"`
		Category     string `json:"category"`
		Department   string `json:"department"`
		Events       []struct {
			Action string   `json:"action"`
			Role   string   `json:"role"`
			From   string   `json:"from"`
			To     string   `json:"to"`
			Photos []string `json:"photos"`
		} `json:"events"`
	}
	if code := apiFetch(t, rater, "GET", fmt.Sprintf("/api/v1/orders/%d", id), "", &got); code != 200 {
		t.Fatalf("GET /api/v1/orders/%d = %d", id, code)
	}
	if got.State != "rated" || got.Satisfaction != "satisfied" || got.Grid != loopGrid || got.Category != loopCategory || got.Department != loopDepartment {
		t.Errorf("order: state %q satisfaction %q grid %q category %q department %q; want rated satisfied %s %s %s",
			got.State, got.Satisfaction, got.Grid, got.Category, got.Department, loopGrid, loopCategory, loopDepartment)
	}
	want := []struct{ action, role, to string }{
		{"receive", "resident", "received"},
		{"file", "dispatcher", "filed"},
		{"dispatch", "dispatcher", "dispatched"},
		{"accept", "handler", "in_progress"},
		{"report", "handler", "handled"},
		{"verify_pass", "gridworker", "closed"},
		{"rate", "resident", "rated"},
	}
	var history []string
	for _, e := range got.Events {
		history = append(history, e.Action+"/"+e.Role+"→"+e.To)
	}
	if len(got.Events) != len(want) {
		t.Fatalf("events: %v, want %d", history, len(want))
	}
	for i, w := range want {
		e := got.Events[i]
		if e.Action != w.action || e.Role != w.role || e.To != w.to {
			t.Errorf("event %d = %s/%s→%s, want %s/%s→%s (history %v)", i, e.Action, e.Role, e.To, w.action, w.role, w.to, history)
		}
		if w.action == "report" && len(e.Photos) != 1 {
			t.Errorf("the report event has %d photos, want 1", len(e.Photos))
		}
	}
}

// pickPoint taps the location picker of /orders/new until the marker sits on lat/lng: two taps
// calibrate pixels against degrees (Web Mercator is linear at this scale), the third hits the
// point. It works whatever view the map opened on, with or without grid outlines.
func pickPoint(t *testing.T, ctx context.Context, lat, lng float64) {
	t.Helper()
	must(t, chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`#pick-map.leaflet-container`)),
		chromedp.ScrollIntoView(chromedp.CSS(`#pick-map`)),
	), "picker map")
	// The staff's picker (orders.js) fits the view to the base map (mapbase.js) once
	// /api/v1/basemap answers; the resident's report form (patrol.js) to the public outlines; both
	// then say they are ready.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('pick-map').dataset.ready === '1'`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the picker did not draw the base map: %v", err)
	}
	must(t, waitPickerIdle(ctx), "picker map idle")
	type box struct{ Left, Top, Width, Height float64 }
	b := evaluate[box](t, ctx, `(() => { const r = document.getElementById('pick-map').getBoundingClientRect(); return {Left: r.left, Top: r.top, Width: r.width, Height: r.height}; })()`)
	tap := func(x, y float64) (float64, float64) {
		t.Helper()
		before := evaluate[string](t, ctx, `document.getElementById('lat').value + ',' + document.getElementById('lng').value`)
		must(t, chromedp.Do(ctx, chromedp.MouseClickXY(x, y)), "tap the picker map")
		js := fmt.Sprintf(`document.getElementById('lat').value + ',' + document.getElementById('lng').value !== %q`, before)
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(5*time.Second))); err != nil {
			t.Fatalf("a tap at (%.0f, %.0f) set no position: %v", x, y, err)
		}
		la, _ := strconv.ParseFloat(evaluate[string](t, ctx, `document.getElementById('lat').value`), 64)
		ln, _ := strconv.ParseFloat(evaluate[string](t, ctx, `document.getElementById('lng').value`), 64)
		return la, ln
	}
	x0, y0 := b.Left+b.Width/2, b.Top+b.Height/2
	lat0, lng0 := tap(x0, y0)
	lat1, lng1 := tap(x0+40, y0+40)
	degX, degY := (lng1-lng0)/40, (lat1-lat0)/40 // degrees per pixel
	if degX == 0 || degY == 0 {
		t.Fatalf("the picker map gives the same position for two taps 40 px apart")
	}
	x, y := x0+(lng-lng0)/degX, y0+(lat-lat0)/degY
	if x < b.Left+5 || x > b.Left+b.Width-5 || y < b.Top+5 || y > b.Top+b.Height-5 {
		t.Fatalf("(%f, %f) is outside the picker's view: (%.0f, %.0f) in %+v", lat, lng, x, y, b)
	}
	la, ln := tap(x, y)
	if math.Abs(la-lat) > 3*math.Abs(degY) || math.Abs(ln-lng) > 3*math.Abs(degX) {
		t.Fatalf("tapped (%f, %f), want (%f, %f)", la, ln, lat, lng)
	}
}

// submit clicks a form's submit button and waits for the page the server answers with.
func submit(t *testing.T, ctx context.Context, button, step string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(sctx, chromedp.Click(chromedp.CSS(button))); err != nil {
		msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + ': ' + document.body.innerText.slice(0, 600)`))
		t.Fatalf("%s: %v\n%s", step, err, msg)
	}
	if msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('.error[role=alert]') || {}).innerText || ''`)); msg != "" {
		t.Fatalf("%s: the page shows an error: %s", step, msg)
	}
}

// waitState waits for the order page to show the order in state.
func waitState(t *testing.T, ctx context.Context, state string) {
	t.Helper()
	waitFor(t, ctx, `#order-state[data-state=`+state+`]`, "order state "+state)
}

// reportIdentity reads the report's id from the URL of the resident's page and its number.
func reportIdentity(t *testing.T, ctx context.Context) (int64, string) {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	must(t, err, "location")
	u, err := url.Parse(loc)
	must(t, err, "parse the location")
	id, err := strconv.ParseInt(strings.TrimPrefix(u.Path, "/my/reports/"), 10, 64)
	if err != nil {
		t.Fatalf("after submitting the browser is on %s, not the resident's page of a report", loc)
	}
	return id, strings.TrimSpace(evaluate[string](t, ctx, `document.getElementById('res-number').innerText`))
}

// orderIdentity reads the order's id from the URL and its number from the heading.
func orderIdentity(t *testing.T, ctx context.Context) (int64, string) {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	must(t, err, "location")
	u, err := url.Parse(loc)
	must(t, err, "parse the location")
	id, err := strconv.ParseInt(strings.TrimPrefix(u.Path, "/orders/"), 10, 64)
	if err != nil {
		t.Fatalf("after submitting the browser is on %s, not an order page", loc)
	}
	number := strings.TrimSpace(evaluate[string](t, ctx, `document.querySelector('h1 code').innerText`))
	if number == "" {
		t.Fatal("the order page shows no number in its heading")
	}
	return id, number
}

func flashText(t *testing.T, ctx context.Context) string {
	t.Helper()
	return evaluate[string](t, ctx, `(document.querySelector('.flash') || {}).innerText || ''`)
}

// searchFor types words into the list's search box and checks whether the order is found.
func searchFor(t *testing.T, ctx context.Context, words string, id int64, found bool) {
	t.Helper()
	evaluate[bool](t, ctx, `(() => { document.querySelector('input[name="q"]').value = ''; return true })()`)
	must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), words+"\n")), "search "+words)
	// Enter submits the filter form; the poll may start on the page being left, so a poll cut
	// short by the navigation is tried again.
	var err error
	for range 5 {
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](`new URLSearchParams(location.search).get('q') === `+strconv.Quote(words)+
			` && document.readyState === 'complete' && !!document.querySelector('table.orders-table tbody')`,
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
		if err == nil || !strings.Contains(err.Error(), "(-32000)") { // the page went away under the poll
			break
		}
	}
	if err != nil {
		t.Fatalf("searching %q did not show a list: %v", words, err)
	}
	n := evaluate[int](t, ctx, fmt.Sprintf(`document.querySelectorAll('table.orders-table a[href="/orders/%d"]').length`, id))
	if (n == 1) != found {
		list := evaluate[string](t, ctx, `document.querySelector('table.orders-table').innerText.slice(0, 600)`)
		t.Fatalf("searching %q lists order %d %d times, want found=%v:\n%s", words, id, n, found, list)
	}
}

// openQueue opens /orders?query and checks that the order is listed; it waits for the list's
// map to draw so that a screenshot shows it.
func openQueue(t *testing.T, ctx context.Context, base, query string, id int64, what string) {
	t.Helper()
	must(t, chromedp.Do(ctx, chromedp.Navigate(base+"/orders?"+query)), "open "+what)
	waitFor(t, ctx, `table.orders-table tbody`, what)
	if n := evaluate[int](t, ctx, fmt.Sprintf(`document.querySelectorAll('table.orders-table a[href="/orders/%d"]').length`, id)); n != 1 {
		list := evaluate[string](t, ctx, `document.querySelector('table.orders-table').innerText.slice(0, 600)`)
		t.Fatalf("%s (/orders?%s) does not list order %d:\n%s", what, query, id, list)
	}
	if tab := evaluate[string](t, ctx, `(document.querySelector('.tabs a.active') || {}).innerText || ''`); tab == "" {
		t.Errorf("%s: no queue tab is marked active for /orders?%s", what, query)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('#orders-map path.leaflet-interactive').length > 0`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Errorf("%s: the list's map drew nothing: %v", what, err)
	}
	mapIdle(t, ctx, "orders-map")
}

// mapIdle waits until the Leaflet map #id has stopped panning and zooming (the order page zooms
// to the pin after the first view), so that a screenshot shows it at rest.
func mapIdle(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	if n := evaluate[int](t, ctx, `document.querySelectorAll('#`+id+`.leaflet-container').length`); n == 0 {
		return // no map on this page (an order without a location)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](strings.Replace(mapIdleJS, `getElementById('map')`, `getElementById('`+id+`')`, 1), chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("wait for the map #%s to stop moving: %v", id, err)
	}
}

// openFromQueue follows the order's link in the list.
func openFromQueue(t *testing.T, ctx context.Context, id int64) {
	t.Helper()
	link := fmt.Sprintf(`table.orders-table a[href="/orders/%d"]`, id)
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(sctx, chromedp.Click(chromedp.CSS(link))); err != nil {
		t.Fatalf("open order %d from the list: %v", id, err)
	}
}

// openTab shows the action form #act-<action> with its tab and checks that only it is shown.
func openTab(t *testing.T, ctx context.Context, action string) {
	t.Helper()
	tab := `.action-tab[data-target="act-` + action + `"]`
	waitFor(t, ctx, tab, "the "+action+" tab")
	must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(tab)),
		chromedp.WaitVisible(chromedp.CSS(`#act-`+action)),
	), "open the "+action+" form")
	if n := evaluate[int](t, ctx, `[...document.querySelectorAll('.action-form')].filter(f => !f.hidden).length`); n != 1 {
		t.Errorf("%d action forms are shown after clicking the %s tab, want 1", n, action)
	}
}

// waitPhoto scrolls a (lazy-loaded) timeline photo into view and waits until it has loaded.
func waitPhoto(t *testing.T, ctx context.Context, css string) {
	t.Helper()
	waitFor(t, ctx, css, "the photo thumbnail")
	must(t, chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.CSS(css))), "scroll to the photo")
	js := fmt.Sprintf(`(() => { const i = document.querySelector(%q); return i.complete && i.naturalWidth > 0; })()`, css)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the photo thumbnail %s did not load: %v", css, err)
	}
}
