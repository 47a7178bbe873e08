package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestKPIInBrowser: the leader's home (today's numbers, what is late, what got worse, the
// departments' ranks), the KPI page with its chart, a figure clicked leading to exactly the orders
// it counts (the list's total equals the figure), the rankings, the district's and the city's
// homes — on a desktop and on a phone, with screenshots.
func TestKPIInBrowser(t *testing.T) {
	srv := StartServer(t)
	for _, size := range []struct {
		name          string
		width, height int
	}{{"desktop", 1440, 900}, {"phone", 390, 844}} {
		t.Run(size.name, func(t *testing.T) {
			suffix := ""
			if size.name == "phone" {
				suffix = "-phone"
			}
			ctx := NewBrowser(t, size.width, size.height)
			must(t, Login(ctx, srv.URL, "leader", "demo-leader"), "sign in")
			must(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")), "home")
			waitFor(t, ctx, `#kpi-home`, "the leader's KPI panel")
			if n := evaluate[int](t, ctx, `document.querySelectorAll('#kpi-home .kpi-stat').length`); n != 3 {
				t.Errorf("the leader's home shows %d of today's numbers, want 3", n)
			}
			noOverflow(t, ctx, "leader home")
			Screenshot(t, ctx, "kpi-home-leader"+suffix)
			if evaluate[bool](t, ctx, `!!document.querySelector('#kpi-home td a[data-count]')`) {
				clickCounts(t, ctx, srv.URL+"/", `#kpi-home td a[data-count]`) // what is late, by its owner
				clickCounts(t, ctx, srv.URL+"/", `#kpi-late-all`)              // the orders with a late stage, each once
			}

			must(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/kpi?period=year")), "the KPI page")
			waitFor(t, ctx, `#kpi-chart canvas`, "the breakdown chart")
			if n := evaluate[int](t, ctx, `document.querySelectorAll('#kpi-figures .kpi-figure').length`); n != 14 {
				t.Errorf("%d figures on the KPI page, want 14", n)
			}
			noOverflow(t, ctx, "KPI page")
			Screenshot(t, ctx, "kpi-page"+suffix)
			// The monthly report button downloads a workbook.
			got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => { const r = await fetch(document.getElementById('kpi-report').href, {credentials: 'same-origin'});
				return r.status + ' ' + r.headers.get('Content-Type') + ' ' + (await r.arrayBuffer()).byteLength; })()`, chromedp.EvalAwaitPromise))
			must(t, err, "fetch the monthly report")
			if !strings.HasPrefix(got, "200 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet ") {
				t.Errorf("the monthly report button answers %s", got)
			}

			// A figure, a rate's numerator and a breakdown cell each open the order list with as
			// many orders as they count.
			for _, css := range []string{
				`#kpi-figures .kpi-figure[data-key="received"] a.kpi-value`,
				`#kpi-figures .kpi-figure[data-key="on_time_handling_rate"] .kpi-counts a:first-child`,
				`#kpi-figures .kpi-figure[data-key="closed"] a.kpi-value`,
				`#kpi-by tbody tr:first-child a[data-key="received"]`,
			} {
				clickCounts(t, ctx, srv.URL+"/kpi?period=year", css)
			}

			must(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/kpi/rankings?period=year")), "rankings")
			waitFor(t, ctx, `table.kpi-league`, "the league tables")
			if n := evaluate[int](t, ctx, `document.querySelectorAll('table.kpi-league tbody tr').length`); n < 2 {
				t.Errorf("the league tables have %d rows", n)
			}
			noOverflow(t, ctx, "rankings")
			Screenshot(t, ctx, "kpi-rankings"+suffix)

			for _, who := range []struct{ user, title string }{{"changning", "各街镇本月指标"}, {"shanghai", "各区本月指标"}} {
				area := NewBrowser(t, size.width, size.height)
				must(t, Login(area, srv.URL, who.user, "demo-"+who.user), "sign in "+who.user)
				must(t, chromedp.Do(area, chromedp.Navigate(srv.URL+"/")), "home of "+who.user)
				waitFor(t, area, `#kpi-area`, who.user+"'s side-by-side table")
				if txt := evaluate[string](t, area, `document.querySelector('#kpi-area h2').innerText`); !strings.Contains(txt, who.title) {
					t.Errorf("%s's home panel: %q", who.user, txt)
				}
				if n := evaluate[int](t, area, `document.querySelectorAll('#kpi-area tbody tr th').length`); n < 1 {
					t.Errorf("%s's home has no rows", who.user)
				}
				noOverflow(t, area, who.user+" home")
				Screenshot(t, area, "kpi-home-"+who.user+suffix)
			}
		})
	}
}

// clickCounts opens page, clicks the link at css and checks the order list it opens holds as
// many orders as the link's data-count.
func clickCounts(t *testing.T, ctx context.Context, page, css string) {
	t.Helper()
	must(t, chromedp.Do(ctx, chromedp.Navigate(page)), "open "+page)
	waitFor(t, ctx, css, "the figure "+css)
	want := evaluate[string](t, ctx, `document.querySelector('`+css+`').dataset.count`)
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(css))), "click "+css)
	waitFor(t, ctx, `.list-bar`, "the order list")
	got := evaluate[string](t, ctx, `(() => { const m = document.querySelector('.list-bar .muted'); return m ? m.innerText.split('/').pop().trim() : '0'; })()`)
	if got != want {
		t.Errorf("%s counts %s orders; the list it opens has %s (%s)", css, want, got, evaluate[string](t, ctx, `location.search`))
	}
	if n, _ := strconv.Atoi(want); n == 0 {
		t.Logf("%s counts no orders", css)
	}
}

// noOverflow fails when the page is wider than the screen.
func noOverflow(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	if w := evaluate[string](t, ctx, `document.documentElement.scrollWidth > window.innerWidth ? document.documentElement.scrollWidth + ' > ' + window.innerWidth : ''`); w != "" {
		t.Errorf("%s is wider than the screen: %s", what, w)
	}
}
