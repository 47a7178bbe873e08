package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/civicgrid/civicgrid/internal/store"
)

// The handler's order page (issue #11 item 2): 处置反馈 first and open, 退单 last, red and asking
// before it is sent; and the handler's inbox, one line per order (item 6).
func TestHandlerOrderPageInBrowser(t *testing.T) {
	srv := StartServer(t)
	// Which department has an order in progress depends on the day the demo was generated: the
	// handler is one of the department leading the first one.
	db, err := store.Open(context.Background(), store.Options{DataDir: srv.DataDir})
	must(t, err, "open the server's database")
	var user, dept string
	err = db.QueryRow(context.Background(), `SELECT MIN(u.username), o.department_code FROM orders o JOIN users u
		ON u.department_code = o.department_code AND u.role = 'handler'
		WHERE o.state = 'in_progress' AND o.suspended = 0 AND o.extension_pending = 0
		GROUP BY o.id, o.department_code ORDER BY o.id LIMIT 1`).Scan(&user, &dept)
	db.Close()
	must(t, err, "a department with an order in progress")
	ctx := NewBrowser(t, 1440, 900)
	signIn(t, ctx, srv, user)
	visit(t, ctx, srv.URL+"/orders?state=in_progress&department="+dept, "open the in-progress queue")
	waitFor(t, ctx, `table.orders-table a[href^="/orders/"]`, "an order in progress")
	href := evaluate[string](t, ctx, `document.querySelector('table.orders-table a[href^="/orders/"]').getAttribute('href')`)
	Screenshot(t, ctx, "screens-handler-queue")
	must(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+href)), "open "+href)
	waitFor(t, ctx, `#actions .action-tab`, "the action tabs")
	tabs := evaluate[[]string](t, ctx, `[...document.querySelectorAll('#actions .action-tab')].map(b => b.textContent.trim())`)
	if len(tabs) < 2 || tabs[0] != "处置反馈" || tabs[len(tabs)-1] != "退单" {
		t.Errorf("the handler's action tabs are %v, want 处置反馈 first and 退单 last", tabs)
	}
	if shown := evaluate[[]string](t, ctx, `[...document.querySelectorAll('.action-form')].filter(f => !f.hidden).map(f => f.id)`); len(shown) != 1 || shown[0] != "act-report" {
		t.Errorf("forms shown on opening: %v, want act-report", shown)
	}
	if confirm := evaluate[string](t, ctx, `document.getElementById('act-return').dataset.confirm || ''`); !strings.Contains(confirm, "退单") {
		t.Errorf("退单 asks %q before it is sent", confirm)
	}
	if red := evaluate[bool](t, ctx, `document.querySelector('.action-tab[data-target="act-return"]').classList.contains('danger')`); !red {
		t.Error("the 退单 tab is not red")
	}
	top(t, ctx)
	Screenshot(t, ctx, "screens-handler-order")
	// Sending 退单 asks first; saying no keeps the order where it is.
	openTab(t, ctx, "return")
	must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#act-return textarea[name="reason"]`), "非本部门职责")), "fill the reason")
	asked := evaluate[string](t, ctx, `(() => {
		let asked = '';
		window.confirm = m => { asked = m; return false; };
		document.getElementById('act-return').requestSubmit();
		return asked;
	})()`)
	time.Sleep(300 * time.Millisecond)
	if asked == "" || evaluate[string](t, ctx, `location.pathname`) != href {
		t.Errorf("退单 sent without asking: asked %q, now on %s", asked, evaluate[string](t, ctx, `location.pathname`))
	}

	visit(t, ctx, srv.URL+"/notifications", "open the notifications")
	waitFor(t, ctx, `ul.inbox`, "the inbox")
	numbers := evaluate[[]string](t, ctx, `[...document.querySelectorAll('ul.inbox li a code')].map(c => c.textContent)`)
	seen := map[string]bool{}
	for _, n := range numbers {
		if seen[n] {
			t.Errorf("order %s has two lines in the inbox", n)
		}
		seen[n] = true
	}
	Screenshot(t, ctx, "screens-handler-notifications")
	ctx2 := NewBrowser(t, 390, 844)
	signIn(t, ctx2, srv, "gridworker")
	Screenshot(t, ctx2, "screens-gridworker-home")
	visit(t, ctx2, srv.URL+"/notifications", "open the notifications")
	waitFor(t, ctx2, `ul.inbox`, "the inbox")
	Screenshot(t, ctx2, "screens-gridworker-notifications")

	// The dispatcher, in English: file and dispatch first and open, reject last and red.
	desk := NewBrowser(t, 1440, 900)
	signIn(t, desk, srv, "dispatcher")
	Screenshot(t, desk, "screens-dispatcher-home")
	visit(t, desk, srv.URL+"/orders?state=received&lang=en", "open the received queue")
	waitFor(t, desk, `table.orders-table a[href^="/orders/"]`, "a received order")
	href = evaluate[string](t, desk, `document.querySelector('table.orders-table a[href^="/orders/"]').getAttribute('href')`)
	must(t, chromedp.Do(desk, chromedp.Navigate(srv.URL+href)), "open "+href)
	waitFor(t, desk, `#actions .action-tab`, "the action tabs")
	targets := evaluate[[]string](t, desk, `[...document.querySelectorAll('#actions .action-tab')].map(b => b.dataset.target)`)
	if len(targets) < 2 || targets[0] != "act-file_dispatch" || targets[len(targets)-1] != "act-reject" {
		t.Errorf("the dispatcher's action tabs are %v, want file_dispatch first and reject last", targets)
	}
	if active := evaluate[string](t, desk, `document.querySelector('.action-tab.active').dataset.target`); active != "act-file_dispatch" {
		t.Errorf("the dispatcher's page opens on %s", active)
	}
	Screenshot(t, desk, "screens-dispatcher-order-en")
}
