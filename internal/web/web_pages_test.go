package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// browser is a cookie-keeping client that submits forms like a browser.
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(path string) (int, string) {
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (b *browser) post(path string, form url.Values) (int, string) {
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var csrfRe = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

func (b *browser) csrf(path string) string {
	_, body := b.get(path)
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s", path)
	}
	return m[1]
}

func (b *browser) login(user, password string) int {
	tok := b.csrf("/login")
	code, _ := b.post("/login", url.Values{"csrf": {tok}, "username": {user}, "password": {password}})
	return code
}

func TestSignInCSRFAndThrottling(t *testing.T) {
	a := newApp(t, testdb.SQLite(t))
	b := newBrowser(t, a.srv.URL)
	if code, _ := b.get("/map"); code != http.StatusSeeOther {
		t.Errorf("anonymous /map = %d, want a redirect to sign in", code)
	}
	// The sign-in form itself needs its CSRF token.
	if code, _ := b.post("/login", url.Values{"username": {"admin"}, "password": {"demo-admin"}}); code != 403 {
		t.Errorf("sign-in without CSRF token = %d, want 403", code)
	}
	if code := b.login("admin", "wrong-password"); code != 401 {
		t.Errorf("wrong password = %d, want 401", code)
	}
	if code := b.login("admin", "demo-admin"); code != http.StatusSeeOther {
		t.Fatalf("sign-in = %d, want 303", code)
	}
	if code, body := b.get("/map"); code != 200 || !strings.Contains(body, "示意范围") {
		t.Errorf("/map after sign-in = %d (illustrative note present: %v)", code, strings.Contains(body, "示意范围"))
	}
	// A form post without the session's CSRF token is refused and changes nothing.
	form := url.Values{"code": {"xj-test"}, "name": {"测试部门"}, "kind": {"office"}, "town": {"310105102"}}
	if code, _ := b.post("/admin/departments", form); code != 403 {
		t.Errorf("department form without CSRF = %d, want 403", code)
	}
	var deps struct {
		Departments []map[string]string `json:"departments"`
	}
	a.call("admin", "GET", "/api/v1/departments", "", &deps)
	for _, d := range deps.Departments {
		if d["code"] == "xj-test" {
			t.Fatal("department created despite the missing CSRF token")
		}
	}
	form.Set("csrf", b.csrf("/admin/departments"))
	if code, _ := b.post("/admin/departments", form); code != http.StatusSeeOther {
		t.Errorf("department form with CSRF = %d, want 303", code)
	}
	// Throttling: after five failures even the right password is refused for a while.
	other := newBrowser(t, a.srv.URL)
	for i := 0; i < auth.MaxFailures; i++ {
		other.login("dispatcher", "nope-nope")
	}
	if code := other.login("dispatcher", "demo-dispatcher"); code != http.StatusTooManyRequests {
		t.Errorf("sign-in after %d failures = %d, want 429", auth.MaxFailures, code)
	}
}

func TestPagesRenderForEveryRole(t *testing.T) {
	a := newApp(t, testdb.SQLite(t))
	for _, u := range []string{"admin", "dispatcher", "handler_police", "gridworker", "gridleader", "leader", "deputy", "resident", "volunteer", "changning"} {
		b := newBrowser(t, a.srv.URL)
		if code := b.login(u, demo.Password(u)); code != http.StatusSeeOther {
			t.Fatalf("%s sign-in = %d", u, code)
		}
		code, body := b.get("/")
		if code != 200 || !strings.Contains(body, "欢迎") {
			t.Errorf("%s home = %d", u, code)
		}
		if code, _ := b.get("/account/password"); code != 200 {
			t.Errorf("%s /account/password = %d, want 200", u, code)
		}
		for _, p := range []string{"/map", "/admin/grids", "/admin/departments", "/admin/users", "/admin/audit", "/admin/audit/export", "/orders/export?format=csv", "/admin/users/1/edit", "/report", "/track", "/kpi", "/kpi/rankings", "/ops/map", "/ops/wall", "/projects", "/projects/candidates", "/my/proposals", "/portal/projects", "/portal/projects/propose",
			"/results", "/results/report", "/results/bulk", "/portal/results",
			"/consultations", "/portal/consultations",
			"/party", "/party/councils", "/party/agreements", "/party/matching", "/party/network", "/coverage",
			"/portal/bookings", "/bookings/mine", "/bookings/manage",
			"/portal/services", "/services/requests", "/services/admin", "/services/admin/items/new",
			"/portal", "/portal/network", "/portal/volunteers"} {
			code, _ := b.get(p)
			if code != 200 && code != 403 {
				t.Errorf("%s %s = %d, want 200 or 403", u, p, code)
			}
		}
		// The resident's own list: the resident's; staff are sent to theirs, who have one.
		want := map[bool]int{true: 200, false: 303}[u == "resident"]
		if u == "volunteer" {
			want = 403
		}
		if code, _ := b.get("/my/reports"); code != want {
			t.Errorf("%s /my/reports = %d, want %d", u, code, want)
		}
	}
	b := newBrowser(t, a.srv.URL)
	b.login("admin", "demo-admin")
	if code, body := b.get("/admin/grids?lang=en"); code != 200 || !strings.Contains(body, "Grids") {
		t.Errorf("English grids page = %d", code)
	}
}
