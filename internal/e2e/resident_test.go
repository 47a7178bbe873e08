package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// residentStaffWords are the staff's words no resident page may show (outside what people wrote:
// the report's own text, a reply, a reason).
var residentStaffWords = []string{"工单", "派遣", "立案", "签收", "退单", "督办", "处置部门", "核查"}

// residentChrome is the text of the page a resident reads, without the free texts people wrote.
const residentChromeJS = `(() => {
	const c = document.body.cloneNode(true);
	c.querySelectorAll('.res-content, .res-content-full, .res-step-text, .res-result p, .res-address, .res-rating, textarea').forEach(e => e.remove());
	return c.innerText;
})()`

// The resident's own pages on a phone and a desktop: my reports, one report, the report form with
// its map picker, and rating a closed report, staying on the resident's page — no sideways
// overflow on the phone, no console error (no 403 from a staff API), no staff vocabulary.
func TestResidentPagesInBrowser(t *testing.T) {
	srv := StartServer(t)
	for _, size := range []struct {
		name   string
		w, h   int
		report string
	}{{"phone", 390, 844, "路灯不亮已经三天，晚上出行不安全"}, {"desktop", 1440, 900, "小区门口人行道地砖松动，老人容易绊倒"}} {
		t.Run(size.name, func(t *testing.T) {
			b := newWatchedBrowser(t, "resident-"+size.name, size.w, size.h)
			ctx := b.ctx
			signIn(t, ctx, srv, "resident")
			check := func(what string) {
				t.Helper()
				if size.w < 600 {
					if w := evaluate[int](t, ctx, `document.documentElement.scrollWidth`); w > size.w {
						t.Errorf("%s is %d px wide on a %d px phone", what, w, size.w)
					}
				}
				text := evaluate[string](t, ctx, residentChromeJS)
				for _, word := range residentStaffWords {
					if strings.Contains(text, word) {
						t.Errorf("%s shows the staff word %q:\n%s", what, word, text)
					}
				}
				b.mu.Lock()
				defer b.mu.Unlock()
				for _, m := range b.logs {
					if m.Type == "error" || m.IsException() {
						t.Errorf("%s: console %s: %s (%s)", what, m.Type, m.Text, m.URL)
					}
				}
				b.logs = nil
			}
			shot := func(name string) {
				t.Helper()
				top(t, ctx)
				Screenshot(t, ctx, "resident-"+size.name+"-"+name)
			}

			// Home: the menu and the tile lead to the resident's pages, not the staff's.
			if n := evaluate[int](t, ctx, `document.querySelectorAll('a[href="/orders"], a[href="/orders/new"]').length`); n != 0 {
				t.Errorf("the resident's home offers %d links to the staff's order pages", n)
			}
			check("home")
			shot("home")

			// My reports: cards with the state in words and what happens next.
			visit(t, ctx, srv.URL+"/my/reports", "open my reports")
			waitFor(t, ctx, `#my-reports .res-card`, "my reports")
			if n := evaluate[int](t, ctx, `document.querySelectorAll('#my-reports .res-card').length`); n < 3 {
				t.Errorf("my reports shows %d cards, want the demo resident's reports", n)
			}
			if n := evaluate[int](t, ctx, `[...document.querySelectorAll('#my-reports .res-card')].filter(c => c.querySelector('.res-state') && c.querySelector('.res-next')).length`); n != evaluate[int](t, ctx, `document.querySelectorAll('#my-reports .res-card').length`) {
				t.Error("a card lacks its state or what happens next")
			}
			check("my reports")
			shot("my-reports")

			// One report, opened from its card.
			must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#my-reports .res-card .res-card-link`))), "open the first report")
			waitFor(t, ctx, `#res-steps li`, "the report's progress")
			check("a report")
			shot("report")

			// Rate a closed report and stay on the resident's page.
			visit(t, ctx, srv.URL+"/my/reports", "back to my reports")
			waitFor(t, ctx, `#my-reports .res-card`, "my reports")
			href := evaluate[string](t, ctx, `(document.querySelector('#my-reports .res-card[data-state="closed"] .res-card-link') || {}).pathname || ''`)
			if href == "" {
				t.Fatal("no closed report to rate among the demo resident's reports")
			}
			visit(t, ctx, srv.URL+href, "open the closed report")
			waitFor(t, ctx, `#rate`, "the rating form")
			must(t, chromedp.Do(ctx,
				chromedp.Click(chromedp.CSS(`#rate input[value="basically_satisfied"] + span`)),
				chromedp.SendKeys(chromedp.CSS(`#rate textarea[name="comment"]`), "处理及时，谢谢"),
			), "fill the rating")
			check("the rating form")
			shot("rate")
			submit(t, ctx, `#rate-submit`, "submit the rating")
			waitFor(t, ctx, `#my-report[data-state=rated]`, "the rated report")
			if loc := evaluate[string](t, ctx, `location.pathname`); loc != href {
				t.Errorf("after rating the resident is on %s, want %s", loc, href)
			}
			if r := evaluate[string](t, ctx, `document.getElementById('res-rating').innerText`); !strings.Contains(r, "基本满意") {
				t.Errorf("the rating shown = %q", r)
			}
			check("the rated report")
			shot("rated")

			// The report form: a point set by tapping the map, no channel and no coordinates shown.
			must(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/report"), chromedp.WaitVisible(chromedp.CSS(`#report-form`))), "open the report form")
			if n := evaluate[int](t, ctx, `document.querySelectorAll('#report-form [name="channel"], #report-form input[name="lat"]:not([type="hidden"]), #report-form input[name="lng"]:not([type="hidden"])').length`); n != 0 {
				t.Errorf("the report form shows %d channel or coordinate fields", n)
			}
			tapMap(t, ctx)
			if loc := evaluate[string](t, ctx, `document.getElementById('loc-text').innerText`); !strings.Contains(loc, "已在地图上标出位置") || strings.Contains(loc, "31.") {
				t.Errorf("after the tap the form says %q, want words, not coordinates", loc)
			}
			must(t, chromedp.Do(ctx,
				chromedp.SendKeys(chromedp.CSS(`#content`), size.report),
				chromedp.SendKeys(chromedp.CSS(`#address`), "新泾一村北门"),
			), "fill the report")
			check("the report form")
			shot("form")
			submit(t, ctx, `#report-submit`, "send the report")
			waitFor(t, ctx, `#my-report[data-state=received]`, "the new report's page")
			if body := evaluate[string](t, ctx, `document.getElementById('my-report').innerText`); !strings.Contains(body, size.report) || !strings.Contains(body, "待受理") {
				t.Errorf("the new report's page:\n%s", body)
			}
			if f := flashText(t, ctx); !strings.Contains(f, "已收到您的反映") {
				t.Errorf("the flash after sending = %q", f)
			}
			check("the new report")
			shot("sent")

			// The staff's pages send the resident back to theirs.
			visit(t, ctx, srv.URL+"/orders/new", "open the staff's form")
			waitFor(t, ctx, `#report-form`, "the resident's form instead")
			visit(t, ctx, srv.URL+"/orders", "open the staff's list")
			waitFor(t, ctx, `#my-reports`, "the resident's list instead")
			if n := evaluate[int](t, ctx, fmt.Sprintf(`[...document.querySelectorAll('#my-reports .res-content')].filter(e => e.innerText.includes(%q)).length`, size.report)); n != 1 {
				t.Errorf("the new report shows %d times in my reports, want once", n)
			}
			check("my reports after sending")
		})
	}
}
