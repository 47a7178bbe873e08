package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/civicgrid/civicgrid/internal/workcal"
)

// TestKPIPrintableReport: the KPI page's "打印版" link opens the printable report — a summary
// and a section per dimension, each with its server-drawn bar chart — without a console error
// (the CSP holds: no inline script or style), and printed it shows no navigation.
func TestKPIPrintableReport(t *testing.T) {
	srv := StartServer(t)
	ctx := NewBrowser(t, 1440, 900)
	noConsoleErrors(t, ctx, "")
	must(t, Login(ctx, srv.URL, "leader", "demo-leader"), "sign in")
	must(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/kpi?period=month")), "the KPI page")
	href := evaluate[string](t, ctx, `document.getElementById('kpi-print').href`)
	must(t, chromedp.Do(ctx, chromedp.Navigate(href)), "the printable report")
	waitFor(t, ctx, `.kp-section svg .kp-bar`, "a section's bar chart")
	if n := evaluate[int](t, ctx, `document.querySelectorAll('.kp-section').length`); n != 6 {
		t.Errorf("%d sections, want the summary and 5 dimensions", n)
	}
	if n := evaluate[int](t, ctx, `document.querySelectorAll('.kp-section svg').length`); n < 4 {
		t.Errorf("%d charts, want one per dimension with groups", n)
	}
	if n := evaluate[int](t, ctx, `document.querySelectorAll('.kp-table tr.kp-total').length`); n != 5 {
		t.Errorf("%d total rows, want 5", n)
	}
	Screenshot(t, ctx, "kpi-print")
	_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
	must(t, err, "print media")
	if shown := evaluate[bool](t, ctx, `[...document.querySelectorAll('header.top, .kp-noprint')].some(e => getComputedStyle(e).display !== 'none')`); shown {
		t.Error("the navigation shows when printed")
	}
	if br := evaluate[string](t, ctx, `getComputedStyle(document.querySelectorAll('.kp-section')[1]).breakBefore`); br != "page" {
		t.Errorf("a dimension's section breaks before %q, want a page", br)
	}
	Screenshot(t, ctx, "kpi-print-printed")

	// The city account's report (no town chosen) is its towns': they come side by side first.
	// Last month's, which both demo towns' orders fill whatever today's date.
	now := time.Now().In(workcal.Location())
	lastMonth := time.Date(now.Year(), now.Month(), 1, 12, 0, 0, 0, now.Location()).AddDate(0, 0, -1).Format("2006-01")
	city := NewBrowser(t, 1440, 900)
	noConsoleErrors(t, city, "")
	signIn(t, city, srv, "shanghai")
	visit(t, city, srv.URL+"/kpi/report/print?month="+lastMonth, "the city's printable report")
	waitFor(t, city, `.kp-section svg .kp-bar`, "a section's bar chart")
	if n := evaluate[int](t, city, `document.querySelectorAll('.kp-section').length`); n != 7 {
		t.Errorf("city: %d sections, want the summary, the towns and 5 dimensions", n)
	}
	if h := evaluate[string](t, city, `document.querySelectorAll('.kp-section h2')[0].textContent`); h != "街镇" {
		t.Errorf("city: first breakdown %q, want 街镇", h)
	}
	if n := evaluate[int](t, city, `document.querySelectorAll('.kp-section')[1].querySelectorAll('svg .kp-bar').length`); n != 2 {
		t.Errorf("city: %d bars on the towns' chart, want 新泾镇's and 陆家嘴's", n)
	}
	Screenshot(t, city, "kpi-print-city")
}
