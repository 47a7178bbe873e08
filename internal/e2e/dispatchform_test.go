package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The dispatcher's form (issue #11 item 9): a new order without a category shows no "similar
// orders"; choosing a category presets the lead department and says why; the co-handlers are a
// checklist filtered by typing, ticked by plain clicks (no Ctrl); the dispatch goes through.
// Also the order's map without a tile server: grid names and a legend (item 10).
func TestDispatchFormInBrowser(t *testing.T) {
	srv, ctx := signedIn(t, "dispatcher", 1440, 900)

	// The new-order form: the category's preset lead department is shown as soon as one is chosen.
	visit(t, ctx, srv.URL+"/orders/new", "open the new-order form")
	waitFor(t, ctx, `#new-order select[name="category"]`, "the new-order form")
	if !evaluate[bool](t, ctx, `document.querySelector('.new-lead').hidden`) {
		t.Error("the preset note shows before a category is chosen")
	}
	setSelect(t, ctx, `#new-order select[name="category"]`, "1101")
	// 噪声扰民 goes to the police station: by its category by day, by the night-noise rule at night.
	if note := evaluate[string](t, ctx, `document.querySelector('.new-lead').hidden ? '' : document.querySelector('.new-lead').textContent`); !strings.Contains(note, "新泾派出所") || !strings.Contains(note, "预设") {
		t.Errorf("the new-order form's preset note for 噪声扰民 is %q, want 新泾派出所 and why", note)
	}
	Screenshot(t, ctx, "dispatch-new-order")
	// The order itself is taken without a category, as a call often is.
	setSelect(t, ctx, `#new-order select[name="category"]`, "")
	must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#new-order textarea[name="content"]`), "剑河路176弄门口晚上有人大声喧哗"),
		chromedp.SendKeys(chromedp.CSS(`#new-order input[name="address"]`), "剑河路176弄"),
		chromedp.SendKeys(chromedp.CSS(`#lat`), "31.221525"),
		chromedp.SendKeys(chromedp.CSS(`#lng`), "121.376464"),
		chromedp.Click(chromedp.CSS(`#new-order button.primary`)),
	), "send the new order")
	waitFor(t, ctx, `#act-file_dispatch`, "the new order's dispatch form")

	// No category: no "similar orders".
	if evaluate[bool](t, ctx, `!!document.getElementById('similar')`) {
		t.Error("the similar-orders box shows for an order without a category")
	}
	// The lead departments: grouped, the committees last.
	groups := evaluate[[]string](t, ctx, `[...document.querySelectorAll('#act-file_dispatch select[name="department"] optgroup')].map(g => g.label)`)
	if len(groups) < 3 || groups[0] != "城运中心" || groups[len(groups)-1] != "居委会" {
		t.Errorf("the lead department's groups are %v, want 城运中心 first and 居委会 last", groups)
	}
	// Choosing the category presets the lead department, and says why: a dispatch rule of the
	// town (治安隐患 goes to the station of the grid's area), else the category's own department.
	for _, c := range []struct{ category, lead, why string }{
		{"1402", "xj-police", "按派单规则预设"},
		{"0101", "xj-sanitation", "按类别预设"},
	} {
		setSelect(t, ctx, `#act-file_dispatch select[name="category"]`, c.category)
		if v := evaluate[string](t, ctx, `document.querySelector('#act-file_dispatch select[name="department"]').value`); v != c.lead {
			t.Errorf("the lead department after choosing %s is %q, want %s", c.category, v, c.lead)
		}
		if note := evaluate[string](t, ctx, `(n => n.hidden ? '' : n.textContent)(document.querySelector('#act-file_dispatch .lead-note'))`); note != c.why {
			t.Errorf("the preset's reason for %s is %q, want %s", c.category, note, c.why)
		}
	}
	// A department the dispatcher chose stays when the category changes again.
	setSelect(t, ctx, `#act-file_dispatch select[name="department"]`, "xj-police-lk")
	setSelect(t, ctx, `#act-file_dispatch select[name="category"]`, "1402")
	if v := evaluate[string](t, ctx, `document.querySelector('#act-file_dispatch select[name="department"]').value`); v != "xj-police-lk" {
		t.Errorf("the dispatcher's choice was overwritten by the preset: %q", v)
	}
	setSelect(t, ctx, `#act-file_dispatch select[name="category"]`, "1101")
	// The lead department's filter: typing narrows the list to what matches.
	must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#act-file_dispatch .dept-picker .picker-filter`), "市场")), "filter the lead departments")
	shown := evaluate[[]string](t, ctx, `[...document.querySelectorAll('#act-file_dispatch select[name="department"] option')].filter(o => o.value && !o.hidden).map(o => o.textContent)`)
	if len(shown) != 2 || !strings.Contains(shown[0], "市场监管所") {
		t.Errorf("the lead departments matching 市场 are %v, want the two market offices", shown)
	}
	clearInput(t, ctx, `#act-file_dispatch .dept-picker .picker-filter`)
	setSelect(t, ctx, `#act-file_dispatch select[name="department"]`, "xj-police")

	// The co-handlers: type to filter, tick with plain clicks.
	filter := `#act-file_dispatch .co-picker .picker-filter`
	must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(filter), "居委")), "filter the co-handlers")
	visible := evaluate[int](t, ctx, `[...document.querySelectorAll('#act-file_dispatch .co-picker label.check')].filter(l => !l.hidden).length`)
	total := evaluate[int](t, ctx, `document.querySelectorAll('#act-file_dispatch .co-picker label.check').length`)
	if visible < 2 || visible >= total {
		t.Errorf("the co-handler filter 居委 leaves %d of %d departments", visible, total)
	}
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#act-file_dispatch .co-picker label.check:not([hidden]) input`))), "tick a committee")
	clearInput(t, ctx, filter)
	must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(filter), "城管 执法")), "filter again")
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#act-file_dispatch .co-picker label.check:not([hidden]) input`))), "tick the law enforcement team")
	ticked := evaluate[[]string](t, ctx, `[...document.querySelectorAll('#act-file_dispatch .co-picker input:checked')].map(c => c.value)`)
	chips := evaluate[int](t, ctx, `document.querySelectorAll('#act-file_dispatch .co-picker .chip').length`)
	if len(ticked) != 2 || chips != 2 {
		t.Errorf("after two plain clicks %v are ticked and %d chips shown, want 2 and 2", ticked, chips)
	}
	// The map of the order without tiles: the grids' names and a legend.
	waitFor(t, ctx, `#order-map[data-ready="1"]`, "the order's map")
	if n := evaluate[int](t, ctx, `document.querySelectorAll('#order-map .cg-label-grid:not(.cg-hidden)').length`); n == 0 {
		t.Error("the order's map shows no grid name")
	}
	if !evaluate[bool](t, ctx, `!!document.querySelector('#order-map .cg-legend')`) {
		t.Error("the order's map has no legend")
	}
	top(t, ctx)
	Screenshot(t, ctx, "dispatch-order-form")

	// Dispatch, and the order says to whom.
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#act-file_dispatch button[type="submit"]`))), "dispatch")
	waitFor(t, ctx, `#order-state[data-state="dispatched"]`, "the dispatched order")
	facts := evaluate[string](t, ctx, `document.querySelector('.facts').innerText`)
	if !strings.Contains(facts, "新泾派出所") || !strings.Contains(facts, "综合行政执法队") {
		t.Errorf("the dispatched order's facts lack the lead or the co-handler:\n%s", facts)
	}

	// Two more calls about the noise, with the category: each lists the others as similar, and
	// says why (same category, and same grid or how far).
	var first, second struct{ ID int64 }
	for _, o := range []struct {
		out      any
		lat, lng string
	}{{&first, "31.221600", "121.376500"}, {&second, "31.221900", "121.377100"}} {
		body := `{"content": "晚上广场舞音响太响", "address": "剑河路176弄", "category": "1101", "lat": ` + o.lat + `, "lng": ` + o.lng + `}`
		if code := apiFetch(t, ctx, "POST", "/api/v1/orders", body, o.out); code != 201 {
			t.Fatalf("create a similar order = %d", code)
		}
	}
	similar := fmt.Sprintf("/orders/%d", second.ID)
	must(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+similar)), "open "+similar)
	waitFor(t, ctx, `#similar li`, "the similar orders")
	whys := evaluate[[]string](t, ctx, `[...document.querySelectorAll('#similar li .why')].map(w => w.textContent)`)
	if len(whys) < 2 {
		t.Errorf("the similar orders of %s are %v, want the dispatched one and the other call", similar, whys)
	}
	for _, why := range whys {
		if !strings.Contains(why, "同类别") || !(strings.Contains(why, "同网格") || strings.Contains(why, "相距")) {
			t.Errorf("a similar order says %q, want 同类别 and 同网格 or a distance", why)
		}
	}
	top(t, ctx)
	Screenshot(t, ctx, "dispatch-similar")
}

// clearInput empties the text box css, as deleting its text does (an input event).
func clearInput(t *testing.T, ctx context.Context, css string) {
	t.Helper()
	evaluate[bool](t, ctx, `(i => { i.value = ''; i.dispatchEvent(new Event('input', {bubbles: true})); return true; })(document.querySelector('`+css+`'))`)
}

// setSelect chooses value in the select css, as a person does (a change event).
func setSelect(t *testing.T, ctx context.Context, css, value string) {
	t.Helper()
	ok := evaluate[bool](t, ctx, `(() => { const s = document.querySelector('`+css+`'); if (!s) return false;
		s.value = '`+value+`'; s.dispatchEvent(new Event('change', {bubbles: true})); return s.value === '`+value+`'; })()`)
	if !ok {
		t.Fatalf("choose %q in %s: no such select or option", value, css)
	}
}

// The grid map without a tile server (item 10): grid names, the town outline and a legend; and
// the city account's map, which fits both of its towns and shows labels that do not overlap.
func TestOfflineMapInBrowser(t *testing.T) {
	srv, ctx := signedIn(t, "dispatcher", 1440, 900)
	if _, err := OpenMap(ctx, srv.URL); err != nil {
		t.Fatal(err)
	}
	must(t, WaitMapIdle(ctx), "map idle")
	if n := evaluate[int](t, ctx, `document.querySelectorAll('#map .leaflet-tile').length`); n != 0 {
		t.Errorf("%d tiles without a tile server", n)
	}
	gridLabels := evaluate[[]string](t, ctx, `[...document.querySelectorAll('#map .cg-label-grid:not(.cg-hidden)')].map(e => e.textContent)`)
	t.Logf("grid names shown: %v", gridLabels)
	if len(gridLabels) < 4 {
		t.Errorf("the map shows %d grid names: %v", len(gridLabels), gridLabels)
	}
	legend := evaluate[string](t, ctx, `(document.querySelector('#map .cg-legend') || {}).innerText || ''`)
	for _, w := range []string{"街镇边界", "网格", "居民区", "地标"} {
		if !strings.Contains(legend, w) {
			t.Errorf("the legend lacks %s: %q", w, legend)
		}
	}
	if !evaluate[bool](t, ctx, `document.querySelectorAll('#map path[stroke-dasharray]').length > 0`) {
		t.Error("no town outline is drawn")
	}
	checkLabelsApart(t, ctx, "dispatcher")
	Screenshot(t, ctx, "map-offline")

	city := NewBrowser(t, 1440, 900)
	signIn(t, city, srv, "shanghai")
	if _, err := OpenMap(city, srv.URL); err != nil {
		t.Fatal(err)
	}
	must(t, WaitMapIdle(city), "map idle")
	// Both towns' names show, inside the map.
	towns := evaluate[[]string](t, city, `(() => { const m = document.getElementById('map').getBoundingClientRect();
		return [...document.querySelectorAll('#map .cg-label-town:not(.cg-hidden) .cg-label-text')].filter(e => {
			const r = e.getBoundingClientRect(); return r.left >= m.left && r.right <= m.right && r.top >= m.top && r.bottom <= m.bottom;
		}).map(e => e.textContent); })()`)
	if len(towns) != 2 {
		t.Errorf("the city map shows the towns %v inside the view, want both", towns)
	}
	checkLabelsApart(t, city, "shanghai")
	Screenshot(t, city, "map-offline-city")
}

// checkLabelsApart fails when two shown labels of #map overlap on the page.
func checkLabelsApart(t *testing.T, ctx context.Context, who string) {
	t.Helper()
	clashes := evaluate[[]string](t, ctx, `(() => {
		const ls = [...document.querySelectorAll('#map .cg-label:not(.cg-hidden) .cg-label-text')].map(e => [e.textContent, e.getBoundingClientRect()]);
		const out = [];
		for (let i = 0; i < ls.length; i++) for (let j = i + 1; j < ls.length; j++) {
			const a = ls[i][1], b = ls[j][1];
			if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) out.push(ls[i][0] + ' / ' + ls[j][0]);
		}
		return out; })()`)
	if len(clashes) > 0 {
		t.Errorf("%s: labels overlap: %v", who, clashes)
	}
	if n := evaluate[int](t, ctx, `document.querySelectorAll('#map .cg-label:not(.cg-hidden)').length`); n == 0 {
		t.Errorf("%s: no label shown", who)
	}
}
