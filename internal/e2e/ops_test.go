package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// waitTrue polls a JavaScript condition for up to 20 s.
func waitTrue(t *testing.T, ctx context.Context, expr, what string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr)); err == nil && ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: %s did not become true within 20 s", what, expr)
}

// TestLiveMapInBrowser: a dispatcher's live map (/ops/map) colours the grids, clusters the
// orders, shows a grid's figures and queue link on click and a heat layer on demand; an order
// created through the API from another browser appears on the map and in the feed without a
// reload. The wall screen fills 1920×1080 without scrollbars and turns its panels; the map also
// works on a 390 px phone.
func TestLiveMapInBrowser(t *testing.T) {
	srv := StartServer(t)
	ctx := NewBrowser(t, 1440, 900)
	failed := watchFailures(t, ctx)
	must(t, Login(ctx, srv.URL, "dispatcher", "demo-dispatcher"), "sign in as dispatcher")
	must(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/ops/map")), "open /ops/map")
	waitFor(t, ctx, `body[data-map-ready="1"]`, "the live map")
	waitFor(t, ctx, `#ops-status[data-state="on"]`, "the live stream")
	if n := evaluate[int](t, ctx, `Number(document.getElementById('map').dataset.grids)`); n < 4 {
		t.Errorf("the live map drew %d grids", n)
	}
	before := evaluate[int](t, ctx, `Number(document.getElementById('map').dataset.points)`)
	if before == 0 {
		t.Error("no order points on the live map of the demo town")
	}
	if legend := evaluate[string](t, ctx, `document.querySelector('#map .ops-legend').innerText`); !strings.Contains(legend, "在办量") {
		t.Errorf("the legend does not name the measure: %q", legend)
	}
	// Grids are coloured: more than one fill among them (the demo's open load differs by grid).
	fills := evaluate[[]string](t, ctx, `[...new Set([...document.querySelectorAll('#map .leaflet-overlay-pane path.leaflet-interactive')].map(p => p.getAttribute('fill')))]`)
	if len(fills) < 2 {
		t.Errorf("grid fills %v: the grids are not coloured by the measure", fills)
	}
	must(t, chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.__sameLoad = true; undefined`)), "mark the page")

	// Another dispatcher's browser creates an order through the API.
	desk := NewBrowser(t, 1280, 800)
	must(t, Login(desk, srv.URL, "dispatcher", "demo-dispatcher"), "sign in at the desk")
	var created struct {
		ID     int64
		Number string
	}
	body := `{"content": "实况测试：路灯不亮", "address": "剑河路176弄", "category": "1101", "lat": 31.2216, "lng": 121.3765}`
	if code := apiFetch(t, desk, "POST", "/api/v1/orders", body, &created); code != 201 {
		t.Fatalf("create an order = %d", code)
	}
	waitFor(t, ctx, fmt.Sprintf(`#ops-feed li[data-id="%d"].fresh`, created.ID), "the new order in the live feed")
	waitTrue(t, ctx, fmt.Sprintf(`Number(document.getElementById('map').dataset.points) === %d`, before+1), "the new order's point")
	if !evaluate[bool](t, ctx, `window.__sameLoad === true`) {
		t.Error("the page was reloaded")
	}
	if feed := evaluate[string](t, ctx, `document.getElementById('ops-feed').innerText`); !strings.Contains(feed, created.Number) {
		t.Errorf("the feed lacks %s: %q", created.Number, feed)
	}

	// A grid clicked shows its figures and a link to its queue.
	must(t, chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('#map .leaflet-overlay-pane path.leaflet-interactive').dispatchEvent(new MouseEvent('click', {bubbles: true})); undefined`)), "click a grid")
	waitFor(t, ctx, `#ops-grid a[href^="/orders?grid="]`, "the grid's queue link")
	if figs := evaluate[string](t, ctx, `document.querySelector('#ops-grid .ops-figs').innerText`); !strings.Contains(figs, "在办") || !strings.Contains(figs, "满意率") {
		t.Errorf("the grid's figures: %q", figs)
	}
	// The measure changes the legend; the heat layer draws cells.
	setSelect(t, ctx, `#ops-controls select[name="measure"]`, "satisfaction")
	waitTrue(t, ctx, `document.querySelector('#map .ops-legend').innerText.includes('满意率')`, "the satisfaction legend")
	setSelect(t, ctx, `#ops-controls select[name="measure"]`, "open")
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#ops-controls input[name="heat"]`))), "heat layer on")
	waitTrue(t, ctx, `Number(document.getElementById('map').dataset.heatCells) > 0 && !!document.querySelector('#map canvas.leaflet-heatmap-layer')`, "the heat layer")
	must(t, WaitMapIdle(ctx), "map idle")
	Screenshot(t, ctx, "ops-map")

	// The wall screen at 1920×1080: no scrollbars, large type, panels in turn.
	wall := NewBrowser(t, 1920, 1080)
	must(t, Login(wall, srv.URL, "leader", "demo-leader"), "sign in as leader")
	must(t, chromedp.Do(wall, chromedp.Navigate(srv.URL+"/ops/wall?pause=1")), "open the wall")
	waitFor(t, wall, `body[data-map-ready="1"]`, "the wall's map")
	waitFor(t, wall, `#ops-status[data-state="on"]`, "the wall's live stream")
	must(t, WaitMapIdle(wall), "wall map idle")
	noScroll := `document.documentElement.scrollHeight <= innerHeight && document.documentElement.scrollWidth <= innerWidth`
	if !evaluate[bool](t, wall, noScroll) {
		t.Errorf("the wall scrolls: %v", evaluate[[]int](t, wall, `[document.documentElement.scrollWidth, document.documentElement.scrollHeight]`))
	}
	if evaluate[string](t, wall, `document.body.dataset.panel`) != "map" || evaluate[string](t, wall, `document.body.dataset.paused`) != "1" {
		t.Error("?pause=1 does not hold the map panel")
	}
	Screenshot(t, wall, "ops-wall-map")
	must(t, chromedp.Do(wall, chromedp.KeyEvent(kb.ArrowRight)), "next panel")
	waitFor(t, wall, `body[data-panel="numbers"]`, "the numbers panel")
	waitTrue(t, wall, `/^\d+$/.test(document.querySelector('.wall-num[data-key="open"] b').textContent)`, "the open orders figure")
	if px := evaluate[float64](t, wall, `parseFloat(getComputedStyle(document.querySelector('.wall-num b')).fontSize)`); px < 64 {
		t.Errorf("the wall's figures are %v px: not readable across a room", px)
	}
	if !evaluate[bool](t, wall, noScroll) {
		t.Error("the numbers panel scrolls")
	}
	Screenshot(t, wall, "ops-wall-numbers")
	must(t, chromedp.Do(wall, chromedp.KeyEvent(kb.ArrowRight)), "next panel")
	waitFor(t, wall, `body[data-panel="feed"]`, "the feed panel")
	if body2 := `{"content": "实况测试：窨井盖缺失", "address": "剑河路176弄", "category": "1101", "lat": 31.2201, "lng": 121.3770}`; apiFetch(t, desk, "POST", "/api/v1/orders", body2, &created) != 201 {
		t.Fatal("create a second order")
	}
	waitFor(t, wall, fmt.Sprintf(`#ops-feed li[data-id="%d"]`, created.ID), "the second order on the wall's feed")
	if !evaluate[bool](t, wall, noScroll) {
		t.Error("the feed panel scrolls")
	}
	Screenshot(t, wall, "ops-wall-feed")
	// Without ?pause the panels turn by themselves.
	must(t, chromedp.Do(wall, chromedp.Navigate(srv.URL+"/ops/wall?rotate=5")), "open the rotating wall")
	waitFor(t, wall, `body[data-panel="map"]`, "the first panel")
	waitFor(t, wall, `body[data-panel="numbers"]`, "the second panel after 5 s")

	// Four more orders of the category at the same place: the hotspots page shows its rules and,
	// as the demo's baseline of this category in this grid is low, most likely a hotspot with its
	// trend chart and a 督办 button for the leader.
	for i := range 4 {
		b := fmt.Sprintf(`{"content": "实况测试：路灯不亮 %d", "address": "剑河路176弄", "category": "1101", "lat": 31.2217, "lng": 121.3766}`, i)
		if apiFetch(t, desk, "POST", "/api/v1/orders", b, nil) != 201 {
			t.Fatal("create an order of the hotspot")
		}
	}
	must(t, chromedp.Do(wall, chromedp.Navigate(srv.URL+"/ops/hotspots")), "open the hotspots page")
	waitFor(t, wall, `p.note`, "the hotspots page")
	if n := evaluate[int](t, wall, `document.querySelectorAll('#hotspots tbody tr').length`); n > 0 {
		waitFor(t, wall, `#hotspot-chart[data-shown="0"] canvas`, "the hotspot's trend chart")
		if evaluate[int](t, wall, `document.querySelectorAll('#hotspots form[action="/ops/hotspots/supervise"] button').length`) != n {
			t.Error("the leader has no 督办 button on each hotspot")
		}
	} else {
		t.Log("no hotspot in the demo world this week")
	}
	Screenshot(t, wall, "ops-hotspots")

	// A phone shows the map and its side panel below it, nothing sideways.
	phone := NewBrowser(t, 390, 844)
	must(t, Login(phone, srv.URL, "dispatcher", "demo-dispatcher"), "sign in on the phone")
	must(t, chromedp.Do(phone, chromedp.Navigate(srv.URL+"/ops/map")), "open /ops/map on the phone")
	waitFor(t, phone, `body[data-map-ready="1"]`, "the phone's map")
	must(t, WaitMapIdle(phone), "phone map idle")
	if w := evaluate[int](t, phone, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("the live map is %d px wide on a 390 px phone", w)
	}
	Screenshot(t, phone, "ops-map-phone")
	if f := failed(); len(f) > 0 {
		t.Errorf("failed requests: %v", f)
	}
}
