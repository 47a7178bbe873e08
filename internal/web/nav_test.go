package web_test

import (
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// navRoles are the demo's users of every role.
var navRoles = []string{"admin", "dispatcher", "leader", "handler_police", "gridworker", "gridleader", "resident", "deputy", "volunteer"}

// ownLinks may stand on the bar outside a menu: Home, and a resident's two everyday pages.
var ownLinks = []string{"/", "/my/reports", "/report"}

// Every navigation link belongs to a declared menu with a Chinese and an English label, except
// the few meant to stand on the bar by themselves.
func TestNavEntriesHaveDeclaredGroups(t *testing.T) {
	a := newApp(t, testdb.SQLite(t))
	declared := map[string]bool{}
	for _, g := range a.web.Kit.NavGroups() {
		if !kit.HasMessage(g.Key) {
			t.Errorf("menu %q has no message", g.Key)
		}
		declared[g.Key] = true
	}
	if len(declared) < 5 || len(declared) > 8 {
		t.Errorf("%d menus: a bar of a few menus wants 5 to 8", len(declared))
	}
	for _, role := range auth.Roles {
		for _, e := range a.web.Kit.NavLinks(auth.User{Role: role.Code}) {
			switch {
			case e.Group == "" && !slices.Contains(ownLinks, e.Href):
				t.Errorf("%s (%s) is in no menu", e.Href, role.Code)
			case e.Group != "" && !declared[e.Group]:
				t.Errorf("%s (%s) is in the undeclared menu %q", e.Href, role.Code, e.Group)
			}
		}
	}
}

var (
	navBlockRe = regexp.MustCompile(`(?s)<nav class="nav"[^>]*>(.*?)</nav>`)
	navHrefRe  = regexp.MustCompile(`<a [^>]*href="([^"]+)"`)
	navLinkRe  = regexp.MustCompile(`<a class="nav-link[^"]*" href="([^"]+)"`)
	navGroupRe = regexp.MustCompile(`(?s)<div class="nav-group[^"]*">\s*<button class="nav-group-btn" type="button" aria-expanded="false" aria-controls="([^"]+)">([^<]+)</button>\s*<div class="nav-menu" id="([^"]+)">(.*?)</div>\s*</div>`)
)

// The bar each role gets offers exactly the links the role may see, each once, gathered into a
// few menus; a menu holds at least two links (one is shown as the link itself); the menu that
// holds the page shown is marked.
func TestNavBarPerRole(t *testing.T) {
	a := newApp(t, testdb.SQLite(t))
	for _, u := range navRoles {
		b := newBrowser(t, a.srv.URL)
		if code := b.login(u, demo.Password(u)); code != http.StatusSeeOther {
			t.Fatalf("%s sign-in = %d", u, code)
		}
		var want []string
		for _, e := range a.web.Kit.NavLinks(a.user(u)) {
			want = append(want, e.Href)
		}
		code, body := b.get("/?lang=en")
		m := navBlockRe.FindStringSubmatch(body)
		if code != 200 || m == nil {
			t.Fatalf("%s: home = %d without a nav", u, code)
		}
		var got []string
		for _, h := range navHrefRe.FindAllStringSubmatch(m[1], -1) {
			if h[1] != "/account/password" { // the phone panel's account link
				got = append(got, html.UnescapeString(h[1]))
			}
		}
		slices.Sort(got)
		sortedWant := slices.Sorted(slices.Values(want))
		if !slices.Equal(got, sortedWant) {
			t.Errorf("%s: the bar offers %v, want %v", u, got, sortedWant)
		}
		groups := navGroupRe.FindAllStringSubmatch(m[1], -1)
		var bar []string
		for _, g := range groups {
			if g[1] != g[3] {
				t.Errorf("%s: the button of menu %s controls %s", u, g[3], g[1])
			}
			if n := len(navHrefRe.FindAllString(g[4], -1)); n < 2 {
				t.Errorf("%s: menu %s holds %d link", u, g[2], n)
			}
			var in []string
			for _, h := range navHrefRe.FindAllStringSubmatch(g[4], -1) {
				in = append(in, h[1])
			}
			bar = append(bar, g[2]+" "+strings.Join(in, ","))
		}
		if n := strings.Count(m[1], `<div class="nav-group`); n != len(groups) {
			t.Errorf("%s: %d menus, %d of them in the expected markup", u, n, len(groups))
		}
		if top := len(groups) + strings.Count(m[1], `class="nav-link`); top > 8 {
			t.Errorf("%s: %d items on the bar, want at most 8", u, top)
		}
		var own []string
		for _, l := range navLinkRe.FindAllStringSubmatch(m[1], -1) {
			own = append(own, l[1])
		}
		t.Logf("%s: %d links; on the bar %v; menus %v", u, len(want), own, bar)
	}

	// The page shown marks its link and the menu that holds it.
	b := newBrowser(t, a.srv.URL)
	b.login("admin", demo.Password("admin"))
	_, body := b.get("/admin/audit?lang=en")
	m := navBlockRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no nav on /admin/audit")
	}
	for _, g := range navGroupRe.FindAllStringSubmatch(m[1], -1) {
		active := strings.Contains(g[0], `class="nav-group active"`)
		if holds := strings.Contains(g[4], `href="/admin/audit" class="active" aria-current="page"`); holds != active {
			t.Errorf("/admin/audit: menu %s active=%v, holds the page=%v", g[2], active, holds)
		}
	}
}

// Every label the shell draws from a capability's registration — navigation links, home tiles
// and portal sections — has a text (a missing one shows its key, as "bk.home manage" once did on
// the admin's home: templates are scanned for keys, registrations were not).
func TestRegisteredEntriesHaveMessages(t *testing.T) {
	a := newApp(t, testdb.SQLite(t))
	check := func(what, key string) {
		if key != "" && !kit.HasMessage(key) {
			t.Errorf("%s: message %q has no text", what, key)
		}
	}
	for _, role := range auth.Roles {
		for _, e := range a.web.Kit.NavLinks(auth.User{Role: role.Code}) {
			check("nav "+e.Href, e.Key)
		}
	}
	for _, e := range a.web.Kit.HomeEntries() {
		check("home tile "+e.Href, e.Title)
		check("home tile "+e.Href, e.Text)
	}
	for _, e := range a.web.Kit.PortalEntries() {
		check("portal section "+e.Key, e.Title)
		check("portal section "+e.Key, e.Text)
	}
}
