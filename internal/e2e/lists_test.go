package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/civicgrid/civicgrid/internal/workcal"
)

// listFit is what listFitJS measures of the orders list on the current page.
type listFit struct {
	Rows   int
	Bad    []string // cells that overflow or are taller than three lines
	Height int      // the page's height
	Width  int      // the page's width
	Town   bool     // a town column
	Towns  []string // the town cells' texts
	Grids  []string // the grid cells' texts
}

// listFitJS measures every cell of the orders list: the columns that must show all of their
// content (number, state, category, department, grid, town, received time, countdown) may not
// overflow their cell, and no cell may be taller than three lines of text.
const listFitJS = `(() => {
	const rows = [...document.querySelectorAll('table.orders-table tbody tr:not(.empty)')];
	const bad = [];
	for (const tr of rows) for (const td of tr.children) {
		const cs = getComputedStyle(td);
		const lines = (td.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom)) / parseFloat(cs.lineHeight);
		const what = td.className + ' «' + td.innerText.trim().slice(0, 40) + '»';
		if (/c-(num|state|town|cat|grid|dept|recv|due)/.test(td.className) && td.scrollWidth > td.clientWidth + 1)
			bad.push(what + ' overflows: ' + td.scrollWidth + ' > ' + td.clientWidth);
		if (lines > 3.2) bad.push(what + ' is ' + lines.toFixed(1) + ' lines high');
	}
	const box = document.querySelector('.table-scroll');
	if (box.scrollWidth > box.clientWidth + 1) bad.push('the table is ' + box.scrollWidth + ' px wide in a box of ' + box.clientWidth + ' px: its right side is cut off');
	const texts = sel => [...document.querySelectorAll(sel)].map(e => e.innerText.trim());
	return {Rows: rows.length, Bad: bad, Height: document.documentElement.scrollHeight, Width: document.documentElement.scrollWidth,
		Town: !!document.querySelector('table.orders-table th.c-town'), Towns: texts('table.orders-table td.c-town'), Grids: texts('table.orders-table td.c-grid')};
})()`

// maxListHeight bounds the height of a page of 50 orders at 1440×900 (it was 5,954 px), per
// language: English names of categories and departments are three times as long as Chinese
// ones, and the longest wrap.
var maxListHeight = map[string]int{"zh": 2150, "en": 2400}

// TestOrderListsInBrowser: the orders list fits at 1440 px in Chinese and English, as a town's
// dispatcher and as the city's leader (who sees a town column); 50 orders make a page under
// maxListHeight; the countdown's colour and words match the working time left; the map folds
// away and stays folded; and on a 390 px phone, every page the grid worker's menu offers, and
// the pages they lead to, fit the screen, with the orders as cards and the filters folded.
func TestOrderListsInBrowser(t *testing.T) {
	srv := StartServer(t)
	for _, c := range []struct {
		user, lang string
		town       bool
	}{
		{"dispatcher", "zh", false},
		{"dispatcher", "en", false},
		{"shanghai", "zh", true},
		{"shanghai", "en", true},
		{"changning", "zh", true}, // a district's leader: the town column too, though 长宁区 has one CivicGrid town
	} {
		t.Run(c.user+"-"+c.lang, func(t *testing.T) {
			ctx := NewBrowser(t, 1440, 900)
			must(t, Login(ctx, srv.URL, c.user, "demo-"+c.user), "sign in as "+c.user)
			visit(t, ctx, srv.URL+"/orders?sort=-received_at&lang="+c.lang, "open all orders")
			waitFor(t, ctx, `table.orders-table tbody tr`, "the list")
			m := evaluate[listFit](t, ctx, listFitJS)
			if m.Rows != 50 {
				t.Errorf("%d rows, want a page of 50", m.Rows)
			}
			for _, b := range m.Bad {
				t.Errorf("%s %s: %s", c.user, c.lang, b)
			}
			if m.Height > maxListHeight[c.lang] || m.Width > 1440 {
				t.Errorf("a page of %d orders is %d×%d px, want at most 1440×%d", m.Rows, m.Width, m.Height, maxListHeight[c.lang])
			}
			t.Logf("%s %s: %d rows, page %d×%d px", c.user, c.lang, m.Rows, m.Width, m.Height)
			// The list fits beside the map: orders.js did not have to fold it away.
			if evaluate[bool](t, ctx, `document.documentElement.classList.contains('orders-map-off')`) {
				t.Error("the map was folded away to make room for the list")
			}
			if m.Town != c.town {
				t.Errorf("town column shown: %v, want %v", m.Town, c.town)
			}
			if c.town {
				for i, town := range m.Towns {
					if town == "" || strings.HasPrefix(m.Grids[i], town) && m.Grids[i] != "" {
						t.Errorf("row %d: town %q, grid %q (the grid repeats its town)", i, town, m.Grids[i])
					}
				}
			}
			if c.user == "shanghai" {
				// The demo's newest orders are all 新泾镇's; the city sees 陆家嘴街道 too.
				seen := map[string]bool{}
				visit(t, ctx, srv.URL+"/orders?sort=id&lang="+c.lang, "open the oldest orders")
				waitFor(t, ctx, `table.orders-table tbody tr`, "the list")
				for _, town := range append(m.Towns, evaluate[listFit](t, ctx, listFitJS).Towns...) {
					seen[town] = true
				}
				if len(seen) < 2 {
					t.Errorf("the city's list shows the towns %v, want both demo towns", seen)
				}
				visit(t, ctx, srv.URL+"/orders?sort=-received_at&lang="+c.lang, "open all orders")
				waitFor(t, ctx, `table.orders-table tbody tr`, "the list")
			}
			Screenshot(t, ctx, "lists-"+c.user+"-"+c.lang)
		})
	}

	t.Run("countdown", func(t *testing.T) { checkCountdowns(t, srv) })
	t.Run("map-toggle", func(t *testing.T) { checkMapToggle(t, srv) })
	t.Run("phone", func(t *testing.T) { checkPhoneSweep(t, srv) })
}

// checkCountdowns compares each open order's countdown on the list with the working time left
// to its deadline, reckoned here on the working-day calendar: red under one working day or
// overdue, amber under three or flagged as a warning, green otherwise, paused while suspended.
func checkCountdowns(t *testing.T, srv *Server) {
	ctx := NewBrowser(t, 1440, 900)
	signIn(t, ctx, srv, "dispatcher")
	cal := workcal.Default()
	days := regexp.MustCompile(`^剩 (\d+) 工作日$`)
	seen := map[string]int{}
	for _, q := range []string{"overdue=true", "state=dispatched,in_progress&sort=deadline", "state=dispatched,in_progress&sort=-deadline"} {
		must(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/orders?lang=zh&"+q)), "open "+q)
		waitFor(t, ctx, `table.orders-table tbody tr`, "the list")
		type row struct {
			ID      string
			Urgency string
			Class   string
			Text    string
		}
		rows := evaluate[[]row](t, ctx, `[...document.querySelectorAll('table.orders-table tbody tr[data-urgency]')].map(tr => ({
			ID: tr.querySelector('a[href^="/orders/"]').getAttribute('href').slice(8), Urgency: tr.dataset.urgency,
			Class: (tr.querySelector('.cd') || {}).className || '', Text: (tr.querySelector('.cd') || {}).textContent || ''}))`)
		now := time.Now()
		for _, r := range rows {
			var o struct {
				State     string     `json:"state"`
				Deadline  *time.Time `json:"deadline"`
				Suspended bool       `json:"suspended"`
				Warning   bool       `json:"warning"`
			}
			if code := apiFetch(t, ctx, "GET", "/api/v1/orders/"+r.ID, "", &o); code != 200 {
				t.Fatalf("GET order %s: %d", r.ID, code)
			}
			if o.Deadline == nil {
				continue
			}
			want := "ok"
			var left time.Duration
			switch {
			case o.Suspended:
				want = "paused"
			case !now.Before(*o.Deadline):
				want = "late"
			default:
				left = cal.WorkingDuration(now, *o.Deadline)
				if edge := min((left - 24*time.Hour).Abs(), (left - 72*time.Hour).Abs()); edge < 2*time.Minute {
					continue // too close to a threshold to tell
				}
				switch {
				case left < 24*time.Hour:
					want = "late"
				case left < 72*time.Hour || o.Warning:
					want = "soon"
				}
			}
			seen[want]++
			if r.Urgency != want || r.Class != "cd cd-"+want {
				t.Errorf("order %s (deadline %s, %v of working time left): urgency %q, class %q, want %s", r.ID, o.Deadline.In(workcal.Location()).Format("01-02 15:04"), left.Round(time.Minute), r.Urgency, r.Class, want)
			}
			switch m := days.FindStringSubmatch(r.Text); {
			case want == "late" && left == 0 && !strings.HasPrefix(r.Text, "超期") && !strings.HasPrefix(r.Text, "刚超期"):
				t.Errorf("overdue order %s says %q", r.ID, r.Text)
			case left >= 24*time.Hour && (m == nil || m[1] != strconv.Itoa(int(left/(24*time.Hour)))):
				t.Errorf("order %s has %v of working time left and says %q", r.ID, left.Round(time.Minute), r.Text)
			}
		}
	}
	t.Logf("countdowns checked: %v", seen)
	if seen["late"] == 0 || seen["ok"]+seen["soon"] == 0 {
		t.Errorf("the demo's lists gave countdowns %v; want overdue orders and orders with time left", seen)
	}
}

// checkMapToggle: the map beside the list folds away, the list takes its width, and the choice
// survives a reload.
func checkMapToggle(t *testing.T, srv *Server) {
	ctx := NewBrowser(t, 1440, 900)
	signIn(t, ctx, srv, "dispatcher")
	visit(t, ctx, srv.URL+"/orders?sort=-received_at", "open the list")
	waitFor(t, ctx, `#map-toggle:not([hidden])`, "the map button")
	sideShown := `getComputedStyle(document.getElementById('orders-map-side')).display !== 'none'`
	listWidth := `document.querySelector('table.orders-table').getBoundingClientRect().width`
	if !evaluate[bool](t, ctx, sideShown) {
		t.Fatal("the map is folded before it was asked to be")
	}
	before := evaluate[float64](t, ctx, listWidth)
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#map-toggle`))), "fold the map")
	if evaluate[bool](t, ctx, sideShown) {
		t.Error("the map still shows after 收起地图")
	}
	if after := evaluate[float64](t, ctx, listWidth); after < before+200 {
		t.Errorf("the list is %.0f px wide with the map folded, %.0f with it", after, before)
	}
	must(t, chromedp.Do(ctx, chromedp.Reload()), "reload")
	waitFor(t, ctx, `#map-toggle:not([hidden])`, "the map button")
	if evaluate[bool](t, ctx, sideShown) {
		t.Error("the folded map came back after a reload")
	}
	if got := evaluate[string](t, ctx, `document.getElementById('map-toggle').textContent`); got != "显示地图" {
		t.Errorf("the button says %q with the map folded", got)
	}
	Screenshot(t, ctx, "lists-map-folded")
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#map-toggle`))), "unfold the map")
	if !evaluate[bool](t, ctx, sideShown) || evaluate[string](t, ctx, `localStorage.getItem('cg.ordersMap')`) != "shown" {
		t.Error("the map did not come back, or the choice was not remembered")
	}
}

// phoneOverflowJS lists what sticks out of a 390 px screen: the page's own width, and any
// element of the page (maps and charts aside) whose right edge passes the screen's, which a
// scrolling box would otherwise hide.
const phoneOverflowJS = `(() => {
	const out = [];
	if (document.documentElement.scrollWidth > 390) out.push('page ' + document.documentElement.scrollWidth + ' px wide');
	for (const e of document.querySelectorAll('main *')) {
		if (e.closest('.leaflet-container, .chart, .cp-chart, [_echarts_instance_]')) continue;
		const r = e.getBoundingClientRect();
		if (r.width > 0 && r.right > 391) out.push(e.tagName.toLowerCase() + '.' + String(e.className).replace(/ /g, '.') + ' reaches ' + Math.round(r.right) + ' px');
	}
	return out.slice(0, 5);
})()`

// checkPhoneSweep visits, as the grid worker on a phone, every page of the menu and the pages
// they link to (queues, orders, campaigns and their targets, grids, notifications, patrol), and
// asserts that none is wider than the screen.
func checkPhoneSweep(t *testing.T, srv *Server) {
	ctx := NewBrowser(t, 390, 844)
	failed := watchFailures(t, ctx)
	signIn(t, ctx, srv, "gridworker")
	queue := evaluate[[]string](t, ctx, `[...document.querySelectorAll('.nav a')].map(a => a.getAttribute('href'))`)
	queue = append(queue, "/notifications", "/orders/new", "/account/tokens", "/orders?sort=-received_at", "/orders?sort=-received_at&lang=en")
	follow := regexp.MustCompile(`^/(orders\?[^#]*|orders/\d+|campaigns/\d+|campaigns/\d+/targets/\d+|admin/grids/[^/?#]+|patrol/done/\d+)$`)
	seen := map[string]bool{}
	kinds := map[string]int{} // at most two pages of each kind
	kind := func(p string) string { return regexp.MustCompile(`\d+|[?].*`).ReplaceAllString(p, "#") }
	visited := 0
	for i := 0; i < len(queue) && visited < 30; i++ {
		p := queue[i]
		if seen[p] || kinds[kind(p)] >= 2 {
			continue
		}
		seen[p] = true
		kinds[kind(p)]++
		visited++
		must(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+p)), "open "+p)
		waitFor(t, ctx, `main`, p)
		if strings.HasPrefix(p, "/orders?") {
			checkPhoneCards(t, ctx, p)
		}
		if over := evaluate[[]string](t, ctx, phoneOverflowJS); len(over) > 0 {
			t.Errorf("%s on a 390 px phone: %v", p, over)
		}
		for _, href := range evaluate[[]string](t, ctx, `[...document.querySelectorAll('main a[href^="/"]')].map(a => a.getAttribute('href'))`) {
			if follow.MatchString(href) && !seen[href] {
				queue = append(queue, href)
			}
		}
		switch {
		case p == "/orders?sort=-received_at", p == "/admin/grids", strings.HasPrefix(p, "/campaigns/") && !strings.Contains(p, "targets"):
			top(t, ctx)
			Screenshot(t, ctx, "lists-phone"+strings.NewReplacer("/", "-", "?", "-", "=", "-", "&", "-", "_", "-").Replace(strings.ToLower(p)))
		}
	}
	for _, want := range []string{"/", "/patrol", "/orders", "/campaigns", "/notifications", "/admin/grids"} {
		if !seen[want] {
			t.Errorf("the sweep did not reach %s (seen %v)", want, seen)
		}
	}
	if kinds["/campaigns/#/targets/#"] == 0 || kinds["/orders/#"] == 0 {
		t.Errorf("the sweep reached no campaign target or no order page: %v", kinds)
	}
	t.Logf("%d pages on the phone", visited)
	if f := failed(); len(f) > 0 {
		t.Errorf("failed requests: %v", f)
	}
}

// checkPhoneCards: on a phone the orders are cards (no table header, each row a box with its
// text) and the filters fold behind their 筛选 button until it is pressed.
func checkPhoneCards(t *testing.T, ctx context.Context, p string) {
	t.Helper()
	type cards struct {
		Head     bool
		Rows     int
		Flex     int
		Open     bool
		Summary  bool
		MaxCard  float64
		FormSeen bool
	}
	c := evaluate[cards](t, ctx, `(() => {
		const rows = [...document.querySelectorAll('table.orders-table tbody tr:not(.empty)')];
		const box = document.querySelector('details.filters-box');
		return {Head: getComputedStyle(document.querySelector('table.orders-table thead')).display !== 'none', Rows: rows.length,
			Flex: rows.filter(r => getComputedStyle(r).display === 'flex').length, Open: box.open,
			Summary: getComputedStyle(box.querySelector('summary')).display !== 'none',
			MaxCard: Math.max(0, ...rows.map(r => r.getBoundingClientRect().height)),
			FormSeen: box.querySelector('form').checkVisibility()};
	})()`)
	if c.Head || c.Flex != c.Rows {
		t.Errorf("%s: table header shown %v, %d of %d rows are cards", p, c.Head, c.Flex, c.Rows)
	}
	if c.Open || !c.Summary || c.FormSeen {
		t.Errorf("%s: filters open %v, 筛选 button shown %v, form shown %v; want them folded behind the button", p, c.Open, c.Summary, c.FormSeen)
	}
	if c.MaxCard > 200 {
		t.Errorf("%s: a card is %.0f px high", p, c.MaxCard)
	}
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`details.filters-box > summary`))), "open the filters")
	if !evaluate[bool](t, ctx, `document.querySelector('details.filters-box form').checkVisibility()`) {
		t.Errorf("%s: 筛选 does not open the filters", p)
	}
	if over := evaluate[[]string](t, ctx, phoneOverflowJS); len(over) > 0 {
		t.Errorf("%s with the filters open: %v", p, over)
	}
	Screenshot(t, ctx, fmt.Sprintf("lists-phone-filters-%d", len(p)))
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`details.filters-box > summary`))), "fold the filters")
	// The map is folded on a phone until asked for; then it comes above the cards, full width.
	side := `document.getElementById('orders-map-side').getBoundingClientRect()`
	if evaluate[float64](t, ctx, side+`.height`) > 0 {
		t.Errorf("%s: the map shows on a phone before it is asked for", p)
	}
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#map-toggle`))), "show the map")
	if w, y := evaluate[float64](t, ctx, side+`.width`), evaluate[float64](t, ctx, side+`.top - document.querySelector('table.orders-table').getBoundingClientRect().top`); w < 360 || y > 0 {
		t.Errorf("%s: the map is %.0f px wide and %.0f px below the cards' top; want the full width, above them", p, w, y)
	}
	if over := evaluate[[]string](t, ctx, phoneOverflowJS); len(over) > 0 {
		t.Errorf("%s with the map shown: %v", p, over)
	}
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#map-toggle`))), "fold the map")
}
