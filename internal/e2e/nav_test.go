package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/web"
)

// TestNavEveryRole: the grouped navigation of every demo role, on a 1280 px desktop and a 390 px
// phone, in Chinese and English. The bar fits (no sideways scrolling; one row on a desktop); every
// link the role may see — the flat list the server's kit gives for that user — is reachable
// through the bar and its menus (on a phone, through the ☰ panel) and no other; a menu opens
// and closes from the keyboard with focus where a keyboard user expects it.
func TestNavEveryRole(t *testing.T) {
	srv := StartServer(t)
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{DataDir: srv.DataDir})
	must(t, err, "open the server's database")
	t.Cleanup(func() { db.Close() })
	// The server's own navigation: the same registrations, asked for each user's flat list.
	shell, err := web.New(web.Config{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), DataDir: t.TempDir()})
	must(t, err, "build the web shell")

	for _, user := range []string{"admin", "dispatcher", "leader", "handler_police", "gridworker", "gridleader", "resident", "deputy", "volunteer"} {
		u, err := auth.UserByUsername(ctx, db, user)
		must(t, err, "demo user "+user)
		var want []string
		for _, e := range shell.Kit.NavLinks(u) {
			want = append(want, e.Href)
		}
		slices.Sort(want)
		for _, width := range []int{1280, 390} {
			t.Run(fmt.Sprintf("%s-%d", user, width), func(t *testing.T) {
				b := NewBrowser(t, width, 844)
				must(t, Login(b, srv.URL, user, "demo-"+user), "sign in as "+user)
				for _, lang := range []string{"en", "zh"} {
					visit(t, b, srv.URL+"/?lang="+lang, "home in "+lang)
					if width < 600 {
						checkPhoneNav(t, b, want, fmt.Sprintf("%s %d %s", user, width, lang))
					} else {
						checkDesktopNav(t, b, want, fmt.Sprintf("%s %d %s", user, width, lang))
					}
				}
				if user == "admin" {
					checkActiveGroup(t, b, srv.URL, width)
				}
			})
		}
	}
}

// navFits fails the test when the page scrolls sideways.
func navFits(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	if w := evaluate[[]int](t, ctx, `[document.documentElement.scrollWidth, innerWidth]`); w[0] > w[1] {
		t.Errorf("%s: the page is %d px wide in a %d px window", where, w[0], w[1])
	}
}

// offeredLinks are the hrefs of the nav's links, without the phone panel's account link.
const offeredLinks = `[...document.querySelectorAll('.nav a')].map(a => a.getAttribute('href')).filter(h => h !== '/account/password').sort()`

func checkDesktopNav(t *testing.T, ctx context.Context, want []string, where string) {
	t.Helper()
	navFits(t, ctx, where)
	if got := evaluate[[]string](t, ctx, offeredLinks); !slices.Equal(got, want) {
		t.Errorf("%s: the nav holds %v, want %v", where, got, want)
	}
	// One row: the header keeps its height, every item of the bar shares one line, and the bar
	// ends before the account corner begins.
	row := evaluate[struct {
		Header, Tops, Right, Corner float64
		Toggle                      bool
	}](t, ctx, `(() => {
		const items = [...document.querySelectorAll('.nav > *')].filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect());
		const tops = items.map(r => r.top);
		return {Header: document.querySelector('.top').getBoundingClientRect().height,
			Tops: Math.max(...tops) - Math.min(...tops), Right: Math.max(...items.map(r => r.right)),
			Corner: document.querySelector('.top-right').getBoundingClientRect().left,
			Toggle: document.querySelector('.menu-toggle').offsetParent !== null};
	})()`)
	if row.Header > 60 || row.Tops > 2 || row.Right > row.Corner || row.Toggle {
		t.Errorf("%s: the bar is not one row: header %.0f px, item tops differ by %.0f px, bar ends at %.0f px and the corner starts at %.0f px, ☰ shown %v",
			where, row.Header, row.Tops, row.Right, row.Corner, row.Toggle)
	}

	// Every link: on the bar, or shown once its menu's button is clicked.
	reached := map[string]bool{}
	for _, h := range evaluate[[]string](t, ctx, `[...document.querySelectorAll('.nav > a')].filter(a => a.offsetParent !== null).map(a => a.getAttribute('href'))`) {
		reached[h] = true
	}
	menus := evaluate[[]string](t, ctx, `[...document.querySelectorAll('.nav-group-btn')].map(b => b.getAttribute('aria-controls'))`)
	for i, id := range menus {
		btn := fmt.Sprintf(`.nav-group-btn[aria-controls=%q]`, id)
		if evaluate[bool](t, ctx, fmt.Sprintf(`document.getElementById(%q).offsetParent !== null`, id)) {
			t.Errorf("%s: menu %s is open before its button is pressed", where, id)
		}
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(btn)), chromedp.WaitVisible(chromedp.CSS("#"+id+" a"))), where+": open menu "+id)
		state := evaluate[struct {
			Expanded string
			Open     int
			Links    []string
			Inside   bool
		}](t, ctx, fmt.Sprintf(`(() => { const m = document.getElementById(%q), r = m.getBoundingClientRect();
			return {Expanded: document.querySelector(%q).getAttribute('aria-expanded'),
				Open: [...document.querySelectorAll('.nav-menu')].filter(m => m.offsetParent !== null).length,
				Links: [...m.querySelectorAll('a')].filter(a => a.offsetParent !== null).map(a => a.getAttribute('href')),
				Inside: r.left >= 0 && r.right <= innerWidth && r.bottom <= innerHeight}; })()`, id, btn))
		if state.Expanded != "true" || state.Open != 1 || !state.Inside {
			t.Errorf("%s: menu %s opened: aria-expanded=%s, %d menus open, inside the window %v", where, id, state.Expanded, state.Open, state.Inside)
		}
		for _, h := range state.Links {
			reached[h] = true
		}
		if (i == 0 || i == len(menus)-1) && where[len(where)-2:] == "en" {
			viewShot(t, ctx, fmt.Sprintf("nav-%s-menu%d", shotName(where), i+1))
		}
		// A second click closes it.
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(btn)), chromedp.WaitNotVisible(chromedp.CSS("#"+id))), where+": close menu "+id)
	}
	if got := sortedKeys(reached); !slices.Equal(got, want) {
		t.Errorf("%s: the bar and its menus reach %v, want %v", where, got, want)
	}
	if len(menus) == 0 {
		return
	}

	// The keyboard: Enter on the first menu's button opens it; ArrowDown moves to its first
	// link; Escape closes the menu and gives focus back to the button; ArrowDown on the button
	// opens it on its first link; Tab past the last link closes it.
	first := fmt.Sprintf(`.nav-group-btn[aria-controls=%q]`, menus[0])
	menu := "#" + menus[0]
	must(t, chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(first)), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(menu+" a"))), where+": Enter opens the menu")
	must(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)), where+": Tab into the menu")
	if !evaluate[bool](t, ctx, fmt.Sprintf(`document.activeElement === document.querySelector(%q)`, menu+" a")) {
		t.Errorf("%s: Tab after opening a menu does not reach its first link", where)
	}
	must(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown)), where+": ArrowDown in the menu")
	if !evaluate[bool](t, ctx, fmt.Sprintf(`document.activeElement === document.querySelectorAll(%q)[1]`, menu+" a")) {
		t.Errorf("%s: ArrowDown in a menu does not move to its next link", where)
	}
	must(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape), chromedp.WaitNotVisible(chromedp.CSS(menu))), where+": Escape closes the menu")
	if !evaluate[bool](t, ctx, fmt.Sprintf(`document.activeElement === document.querySelector(%q) && document.activeElement.getAttribute('aria-expanded') === 'false'`, first)) {
		t.Errorf("%s: after Escape the focus is not on the menu's button, or the button still says it is expanded", where)
	}
	must(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown), chromedp.WaitVisible(chromedp.CSS(menu+" a"))), where+": ArrowDown opens the menu")
	if !evaluate[bool](t, ctx, fmt.Sprintf(`document.activeElement === document.querySelector(%q)`, menu+" a")) {
		t.Errorf("%s: ArrowDown on a menu's button does not focus its first link", where)
	}
	n := evaluate[int](t, ctx, fmt.Sprintf(`document.querySelectorAll(%q).length`, menu+" a"))
	for range n {
		must(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)), where+": Tab through the menu")
	}
	must(t, chromedp.Do(ctx, chromedp.WaitNotVisible(chromedp.CSS(menu))), where+": Tab out of the menu closes it")
}

func checkPhoneNav(t *testing.T, ctx context.Context, want []string, where string) {
	t.Helper()
	navFits(t, ctx, where)
	if evaluate[bool](t, ctx, `document.querySelector('.nav').offsetParent !== null || document.querySelector('.menu-toggle').getAttribute('aria-expanded') !== 'false'`) {
		t.Errorf("%s: the navigation is open before ☰ is pressed", where)
	}
	if where[len(where)-2:] == "en" {
		viewShot(t, ctx, "nav-"+shotName(where)+"-closed")
	}
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.menu-toggle`)), chromedp.WaitVisible(chromedp.CSS(`.nav`))), where+": open the panel")
	navFits(t, ctx, where+" with the panel open")
	panel := evaluate[struct {
		Top, Bottom, Header, Width, Height float64
		Expanded                           string
		Sections                           int
		Groups                             int
		Links                              []string
	}](t, ctx, `(() => { const r = document.querySelector('.nav').getBoundingClientRect();
		return {Top: r.top, Bottom: r.bottom, Header: document.querySelector('.top').getBoundingClientRect().bottom,
			Width: r.width, Height: innerHeight,
			Expanded: document.querySelector('.menu-toggle').getAttribute('aria-expanded'),
			Sections: [...document.querySelectorAll('.nav-section')].filter(s => s.offsetParent !== null).length,
			Groups: document.querySelectorAll('.nav-group').length,
			Links: [...document.querySelectorAll('.nav a')].filter(a => a.offsetParent !== null && a.getBoundingClientRect().width > 0)
				.map(a => a.getAttribute('href')).filter(h => h !== '/account/password').sort()}; })()`)
	if panel.Expanded != "true" || panel.Top < panel.Header-1 || panel.Top > panel.Header+1 || panel.Bottom < panel.Height-1 || panel.Width < 389 {
		t.Errorf("%s: the panel is not full height under the header: %+v", where, panel)
	}
	if panel.Sections != panel.Groups {
		t.Errorf("%s: %d menus shown as %d sections", where, panel.Groups, panel.Sections)
	}
	if !slices.Equal(panel.Links, want) {
		t.Errorf("%s: the panel offers %v, want %v", where, panel.Links, want)
	}
	if where[len(where)-2:] == "en" {
		viewShot(t, ctx, "nav-"+shotName(where)+"-open")
	}
	if !evaluate[bool](t, ctx, `document.querySelector('main').inert`) {
		t.Errorf("%s: the page under the open panel can still be reached with Tab", where)
	}
	// Escape closes the panel and puts the focus back on ☰.
	must(t, chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`.nav a`)), chromedp.KeyEvent(kb.Escape), chromedp.WaitNotVisible(chromedp.CSS(`.nav`))), where+": Escape closes the panel")
	if !evaluate[bool](t, ctx, `document.activeElement === document.querySelector('.menu-toggle') && document.activeElement.getAttribute('aria-expanded') === 'false' && !document.querySelector('main').inert`) {
		t.Errorf("%s: after Escape the focus is not on ☰, or ☰ still says the panel is open", where)
	}
}

// checkActiveGroup: on the audit log the admin's 管理 menu is marked as holding the page, and
// inside it (or the phone panel) the audit link is the current page.
func checkActiveGroup(t *testing.T, ctx context.Context, base string, width int) {
	t.Helper()
	visit(t, ctx, base+"/admin/audit?lang=zh", "the audit log")
	where := fmt.Sprintf("/admin/audit at %d px", width)
	if got := evaluate[string](t, ctx, `[...document.querySelectorAll('.nav-group.active .nav-group-btn')].map(b => b.textContent.trim()).join('|')`); got != "管理" {
		t.Errorf("%s: the menus marked active are %q, want 管理", where, got)
	}
	current := `.nav-group.active a[aria-current="page"][href="/admin/audit"]`
	if width < 600 {
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.menu-toggle`)), chromedp.WaitVisible(chromedp.CSS(current))), where+": open the panel")
	} else {
		if bg := evaluate[string](t, ctx, `getComputedStyle(document.querySelector('.nav-group.active .nav-group-btn')).backgroundColor`); bg == "rgba(0, 0, 0, 0)" {
			t.Errorf("%s: the active menu's button is not highlighted", where)
		}
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.nav-group.active .nav-group-btn`)), chromedp.WaitVisible(chromedp.CSS(current))), where+": open 管理")
	}
	viewShot(t, ctx, fmt.Sprintf("nav-admin-%d-zh-audit", width))
}

// viewShot saves what the window shows (Screenshot takes the whole page, which would draw the
// phone panel over only the first screen of a long page).
func viewShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	must(t, err, "screenshot "+name)
	dir, err := ShotsDir()
	must(t, err, "screenshot "+name)
	path := filepath.Join(dir, name+".png")
	must(t, os.WriteFile(path, png, 0o644), "screenshot "+name)
	t.Logf("screenshot %s", path)
}

func shotName(where string) string {
	out := []rune{}
	for _, r := range where {
		if r == ' ' || r == '_' {
			r = '-'
		}
		out = append(out, r)
	}
	return string(out)
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestNavWithoutScript: with JavaScript off a menu still opens — while the focus is in it (the
// keyboard: Tab onto its button, then along its links) — and the ☰ panel opens on a phone
// (app.css's fallback).
func TestNavWithoutScript(t *testing.T) {
	srv := StartServer(t)
	for _, width := range []int{1280, 390} {
		b := NewBrowser(t, width, 844)
		must(t, Login(b, srv.URL, "admin", "demo-admin"), "sign in as admin")
		_, err := chromedp.Call(b, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		must(t, err, "turn script off")
		visit(t, b, srv.URL+"/?lang=zh", "home without script")
		if evaluate[bool](t, b, `document.querySelector('.nav').classList.contains('nav-js')`) {
			t.Fatal("app.js ran with script disabled")
		}
		if width < 600 {
			must(t, chromedp.Do(b, chromedp.Focus(chromedp.CSS(`.menu-toggle`)), chromedp.WaitVisible(chromedp.CSS(`.nav a[href="/admin/audit"]`))), "390 px: ☰ focused shows the panel")
			continue
		}
		must(t, chromedp.Do(b, chromedp.Focus(chromedp.CSS(`.nav-group-btn`)), chromedp.WaitVisible(chromedp.CSS(`.nav-group:first-of-type .nav-menu a`))), "1280 px: a focused menu button shows its menu")
		must(t, chromedp.Do(b, chromedp.KeyEvent(kb.Tab)), "Tab into the menu")
		if !evaluate[bool](t, b, `document.activeElement.closest('.nav-menu') !== null && document.activeElement.offsetParent !== null`) {
			t.Error("1280 px: Tab from a menu button without script does not reach a shown link of its menu")
		}
		viewShot(t, b, "nav-admin-1280-zh-noscript")
	}
}
