package kit

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestSafeNext: only paths of this site survive; every way of leading a browser elsewhere, raw
// or percent-encoded, falls back to "/".
func TestSafeNext(t *testing.T) {
	bad := []string{
		"", "evil.example", "https://evil.example", "http:evil.example", "https:evil.example", "//evil.example",
		"///evil.example", "////evil.example", `/\evil.example`, `\\evil.example`, `\/evil.example`, `/\/evil.example`,
		"/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "\t//evil.example", " //evil.example", "/ /evil.example",
		"/\x00/evil.example", "/\x7f/evil.example", "/\x0b/evil.example", "/\x0c/evil.example", "\x01//evil.example",
		"/%09/evil.example", "/%0a/evil.example", "/%0d/evil.example", "/%2f/evil.example", "/%2F/evil.example",
		"/%5c/evil.example", "/%5C/evil.example", "/%5c%5cevil.example", "/%00/evil.example", "/%20/evil.example",
		"java\nscript:alert(1)", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
		"/\u2028/evil.example", "/\u200b/evil.example", "/\u202e/evil.example", "/\u3000/evil.example", "/\ufeff/evil.example",
		"/%e2%80%8b/evil.example", "/%zz", "/orders?x=\n", "/orders#\t", "/" + strings.Repeat("a", 2048),
		"/\xff/evil.example", "mailto:a@evil.example", "//evil.example/%2e%2e", "/\\\\evil.example", "/../\\evil.example",
	}
	for _, n := range bad {
		if got := SafeNext(n); got != "/" {
			t.Errorf("safeNext(%q) = %q, want /", n, got)
		}
	}
	good := []string{
		"/", "/orders", "/orders?state=received&department=xj-police", "/orders/42", "/admin/grids/310105102-G01",
		"/orders?q=%E5%99%AA%E9%9F%B3&page=2", "/orders?q=噪音", "/map#grid-3", "/campaigns/1/targets/2?flash=ok",
		"/orders?next=//evil.example", "/a/b/../c",
	}
	for _, n := range good {
		if got := SafeNext(n); got != n {
			t.Errorf("safeNext(%q) = %q, want it kept", n, got)
		}
	}
}

// TestSafeNextThroughRedirect: what safeNext lets through, http.Redirect sends as a Location
// that a browser resolves against our own origin.
func TestSafeNextThroughRedirect(t *testing.T) {
	base, _ := url.Parse("https://civicgrid.example/login")
	for _, n := range []string{"/orders?q=噪音", "/a/b/../c", "/\t/evil.example", "/%2f/evil.example"} {
		rec := httptest.NewRecorder()
		http.Redirect(rec, httptest.NewRequest("POST", "/login", nil), SafeNext(n), http.StatusSeeOther)
		// A browser removes tabs and newlines before resolving; do the same.
		loc := strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(rec.Header().Get("Location"))
		u, err := base.Parse(loc)
		if err != nil || u.Host != base.Host {
			t.Errorf("next %q → Location %q resolves to host %q", n, rec.Header().Get("Location"), u.Host)
		}
	}
}

// TestRedirectFlashKeepsTheFragment: the notice's query goes before a place in the page, where the
// browser sends it, and the page reads it back signed.
func TestRedirectFlashKeepsTheFragment(t *testing.T) {
	for _, tc := range []struct{ to, path, rawQueryPrefix, frag string }{
		{"/party/matching#pt-needs", "/party/matching", "flash=", "pt-needs"},
		{"/orders?state=open#list", "/orders", "state=open&flash=", "list"},
		{"/orders", "/orders", "flash=", ""},
	} {
		w := httptest.NewRecorder()
		RedirectFlash(w, httptest.NewRequest(http.MethodPost, "/x", nil), tc.to, "已记录")
		loc, err := url.Parse(w.Header().Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		if loc.Path != tc.path || loc.Fragment != tc.frag || !strings.HasPrefix(loc.RawQuery, tc.rawQueryPrefix) {
			t.Errorf("RedirectFlash(%q) → %q: want path %q, query starting %q, fragment %q", tc.to, loc, tc.path, tc.rawQueryPrefix, tc.frag)
		}
		back := httptest.NewRequest(http.MethodGet, loc.RequestURI(), nil)
		if got := FlashFrom(back); got != "已记录" {
			t.Errorf("RedirectFlash(%q): the page reads the notice %q", tc.to, got)
		}
	}
}
