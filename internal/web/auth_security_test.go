package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// TestRedirectTargetsStayOnSite: every redirect target a request chooses — the sign-in "next"
// (query and form) and the "back" of small forms — is checked by the same rule.
func TestRedirectTargetsStayOnSite(t *testing.T) {
	a := newApp(t, testdb.SQLite(t))
	evil := []string{"/\t/evil.example", "//evil.example", `/\evil.example`, "/%2f/evil.example", "https://evil.example"}
	for _, next := range evil {
		b := newBrowser(t, a.srv.URL)
		tok := b.csrf("/login?next=" + url.QueryEscape(next))
		resp, err := b.c.PostForm(a.srv.URL+"/login", url.Values{"csrf": {tok}, "username": {"admin"}, "password": {"demo-admin"}, "next": {next}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("sign-in with next=%q: %d Location %q, want 303 to /", next, resp.StatusCode, loc)
		}
		// The "back" of the notifications form.
		tok = b.csrf("/notifications")
		resp, err = b.c.PostForm(a.srv.URL+"/notifications/read", url.Values{"csrf": {tok}, "back": {next}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Errorf("notifications back=%q: Location %q, want /", next, loc)
		}
	}
	// A path of ours is kept.
	b := newBrowser(t, a.srv.URL)
	tok := b.csrf("/login")
	resp, err := b.c.PostForm(a.srv.URL+"/login", url.Values{"csrf": {tok}, "username": {"admin"}, "password": {"demo-admin"}, "next": {"/orders?state=filed"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "/orders?state=filed" {
		t.Errorf("sign-in with next=/orders?state=filed: Location %q", loc)
	}
}
