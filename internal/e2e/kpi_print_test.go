package e2e

import (
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
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
}
