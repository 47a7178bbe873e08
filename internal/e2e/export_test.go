package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestOrderExportInBrowser: the dispatcher opens the second page of all orders, clicks 导出, sees
// the menu of formats (screenshot), and the xlsx entry's link — the list's sort, not its page —
// answers 200 with a workbook named after the town holding the list's total; so does the CSV entry.
func TestOrderExportInBrowser(t *testing.T) {
	srv, ctx := signedIn(t, "dispatcher", 1440, 900)
	visit(t, ctx, srv.URL+"/orders?sort=-received_at&offset=50", "open the list")
	waitFor(t, ctx, `#export-menu summary`, "the export menu")
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#export-menu summary`)), chromedp.WaitVisible(chromedp.CSS(`#export-menu a[data-format="xlsx"]`))), "open the menu")
	top(t, ctx)
	Screenshot(t, ctx, "orders-export-menu")
	type answer struct {
		Href, Status, Type, Disposition, Rows string
		Size                                  int
	}
	get := func(format string) answer {
		t.Helper()
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
			const a = document.querySelector('#export-menu a[data-format="`+format+`"]');
			const r = await fetch(a.href, {credentials: 'same-origin'});
			const b = await r.arrayBuffer();
			return JSON.stringify({Href: a.getAttribute('href'), Status: String(r.status), Type: r.headers.get('Content-Type'),
				Disposition: r.headers.get('Content-Disposition'), Rows: r.headers.get('X-Export-Rows'), Size: b.byteLength});
		})()`, chromedp.EvalAwaitPromise))
		must(t, err, "fetch the "+format+" export")
		var a answer
		must(t, json.Unmarshal([]byte(raw), &a), "read the answer")
		return a
	}
	x := get("xlsx")
	if x.Status != "200" || x.Type != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" || x.Size < 1000 {
		t.Errorf("xlsx export: %+v", x)
	}
	if !strings.Contains(x.Href, "sort=-received_at") || strings.Contains(x.Href, "offset") {
		t.Errorf("the xlsx link %q does not carry the list's filter and sort alone", x.Href)
	}
	if !strings.Contains(x.Disposition, `filename="orders-310105102-`) || !strings.Contains(x.Disposition, "UTF-8''") {
		t.Errorf("disposition %q", x.Disposition)
	}
	// The export holds the list's total, not a page of it.
	total := evaluate[string](t, ctx, `document.querySelector('.list-bar .muted').innerText.split('/').pop().trim()`)
	if shown := evaluate[int](t, ctx, `document.querySelectorAll('table.orders-table tbody tr:not(.empty)').length`); shown != 50 || total == "50" {
		t.Errorf("the page shows %d of %s orders; the test wants a second page of 50", shown, total)
	}
	if x.Rows != total {
		t.Errorf("export has %s rows, the list %s", x.Rows, total)
	}
	if c := get("csv"); c.Status != "200" || !strings.HasPrefix(c.Type, "text/csv") || c.Rows != total {
		t.Errorf("csv export: %+v", c)
	}

	// On a phone the menu opens inside the screen.
	phone := NewBrowser(t, 390, 844)
	signIn(t, phone, srv, "dispatcher")
	visit(t, phone, srv.URL+"/orders?sort=-received_at&overdue=true", "open the list on the phone")
	waitFor(t, phone, `#export-menu summary`, "the export menu on the phone")
	must(t, chromedp.Do(phone, chromedp.Click(chromedp.CSS(`#export-menu summary`)), chromedp.WaitVisible(chromedp.CSS(`#export-menu a[data-format="csv"]`))), "open the menu on the phone")
	if out := evaluate[string](t, phone, `(() => { const r = document.querySelector('#export-menu .export-list').getBoundingClientRect();
		return r.left >= 0 && r.right <= window.innerWidth ? '' : r.left + '–' + r.right + ' of ' + window.innerWidth; })()`); out != "" {
		t.Errorf("the phone's export menu lies outside the screen: %s", out)
	}
	top(t, phone)
	Screenshot(t, phone, "orders-export-menu-phone")
}
