package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Pages in one language (issue #11 item 5): an order page in English has no Chinese in its
// headings, labels, buttons and timeline (the order's own text aside), and the error pages a
// Chinese user meets are in Chinese.
func TestPagesInOneLanguageInBrowser(t *testing.T) {
	srv := StartServer(t)
	han := regexp.MustCompile(`\p{Han}`)
	ctx := NewBrowser(t, 1440, 900)
	signIn(t, ctx, srv, "dispatcher")
	visit(t, ctx, srv.URL+"/orders?state=closed&lang=en", "open the closed orders")
	waitFor(t, ctx, `table.orders-table a[href^="/orders/"]`, "a closed order")
	href := evaluate[string](t, ctx, `document.querySelector('table.orders-table a[href^="/orders/"]').getAttribute('href')`)
	must(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+href)), "open "+href)
	waitFor(t, ctx, `#timeline li`, "the timeline")
	texts := evaluate[[]string](t, ctx, `[...document.querySelectorAll('h1, h2, h3, dt, label, th, .action-tab, .ev-head b')]
		.map(e => [...e.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim()).filter(s => s)`)
	if len(texts) < 8 {
		t.Errorf("only %d texts on the English order page", len(texts))
	}
	for _, s := range texts {
		if han.MatchString(s) {
			t.Errorf("English order page: Chinese in %q", s)
		}
	}
	data := evaluate[[]string](t, ctx, `[...document.querySelectorAll('#timeline .muted.small')].map(e => e.textContent)`)
	for _, d := range data {
		for _, part := range strings.Split(d, " · ") {
			if key, _, _ := strings.Cut(part, ": "); han.MatchString(key) || regexp.MustCompile(`^[a-z]+_[a-z_]+$`).MatchString(key) {
				t.Errorf("English timeline data label %q in %q", key, d)
			}
		}
	}
	Screenshot(t, ctx, "lang-en-order")

	// The campaign page in English: its add-target form names latitude and longitude and the
	// kinds of places in words.
	admin := NewBrowser(t, 1440, 900)
	signIn(t, admin, srv, "admin")
	visit(t, admin, srv.URL+"/campaigns?lang=en", "open the campaigns")
	waitFor(t, admin, `a[href^="/campaigns/"]`, "a campaign")
	cp := evaluate[string](t, admin, `document.querySelector('a[href^="/campaigns/"]').getAttribute('href')`)
	must(t, chromedp.Do(admin, chromedp.Navigate(srv.URL+cp)), "open "+cp)
	waitFor(t, admin, `#cp-add`, "the add-target form")
	labels := evaluate[[]string](t, admin, `[...document.querySelectorAll('#cp-add label, #cp-add select:not([name=grid]) option, h2, h3, th')]
		.map(e => [...e.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim()).filter(s => s)`)
	for _, s := range labels {
		if han.MatchString(s) && !strings.Contains(s, "走访") || s == "lat" || s == "lng" || regexp.MustCompile(`^[a-z_]+$`).MatchString(s) {
			t.Errorf("English campaign page: %q", s)
		}
	}
	Screenshot(t, admin, "lang-en-campaign")

	for _, c := range []struct{ user, path, name string }{
		{"resident", "/admin/users?lang=zh", "lang-zh-403"},
		{"dispatcher", "/orders/99999999?lang=zh", "lang-zh-404"},
	} {
		ctx := NewBrowser(t, 1440, 900)
		must(t, Login(ctx, srv.URL, c.user, "demo-"+c.user), "sign in as "+c.user)
		must(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+c.path)), "open "+c.path)
		waitFor(t, ctx, `.error`, "the error line")
		msg := evaluate[string](t, ctx, `document.querySelector('.error').textContent + ' ' + document.querySelector('h1').textContent + ' ' + document.title`)
		if !han.MatchString(msg) || regexp.MustCompile(`(?i)not found|forbidden|may not`).MatchString(msg) {
			t.Errorf("%s %s: the error page is not in Chinese: %q", c.user, c.path, msg)
		}
		Screenshot(t, ctx, c.name)
	}
}
