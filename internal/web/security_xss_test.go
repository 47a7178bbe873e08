package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/web"
)

// The policy of a server whose tiles come from https://{s}.tile.example.org.
const wantCSP = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; " +
	"img-src 'self' data: blob: https://*.tile.example.org; style-src 'self' 'unsafe-inline'"

// TestContentSecurityPolicyOnEveryResponse: pages, API, static files, the service worker,
// redirects, refusals and errors of every kind carry the same policy.
func TestContentSecurityPolicyOnEveryResponse(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		if _, err := demo.Load(ctx, db, quiet); err != nil {
			t.Fatal(err)
		}
		s, err := web.New(web.Config{DB: db, Log: quiet, TileURL: "https://{s}.tile.example.org/{z}/{x}/{y}.png"})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(s.Handler())
		t.Cleanup(srv.Close)
		admin, err := auth.UserByUsername(ctx, db, "admin")
		if err != nil {
			t.Fatal(err)
		}
		token, err := auth.CreateToken(ctx, db, admin.ID, "csp test")
		if err != nil {
			t.Fatal(err)
		}
		check := func(who string, c *http.Client, method, path, bearer string) {
			t.Helper()
			req, _ := http.NewRequest(method, srv.URL+path, nil)
			if bearer != "" {
				req.Header.Set("Authorization", "Bearer "+bearer)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if got := resp.Header.Get("Content-Security-Policy"); got != wantCSP {
				t.Errorf("%s %s %s (%d): Content-Security-Policy = %q", who, method, path, resp.StatusCode, got)
			}
		}
		anon := newBrowser(t, srv.URL).c
		for _, r := range []struct{ method, path string }{
			{"GET", "/login"}, {"GET", "/report"}, {"GET", "/report/areas"}, {"GET", "/report/done"}, {"GET", "/track"},
			{"GET", "/track?number=X&code=Y"}, {"GET", "/healthz"}, {"GET", "/metrics"}, {"GET", "/static/app.css"},
			{"GET", "/static/dom.js"}, {"GET", "/static/vendor/leaflet/leaflet.js"}, {"GET", "/static/missing.js"}, {"GET", "/sw.js"},
			{"GET", "/api/openapi.json"}, {"GET", "/api/v1/track"}, {"GET", "/api/v1/grids"}, {"GET", "/api/v1/nope"},
			{"GET", "/uploads/not-a-photo"}, {"GET", "/map"}, {"GET", "/nope"}, {"POST", "/login"}, {"DELETE", "/healthz"},
			{"POST", "/api/v1/orders"},
		} {
			check("anonymous", anon, r.method, r.path, "")
		}
		for _, p := range []string{"/api/v1/me", "/api/v1/grids", "/api/v1/orders?limit=1", "/api/v1/orders/999999999", "/api/v1/orders/x"} {
			check("token", http.DefaultClient, "GET", p, token)
		}
		for user, paths := range map[string][]string{
			"admin": {"/", "/map", "/orders", "/orders/new", "/orders/999999999", "/admin/grids", "/admin/grids/nope", "/admin/departments",
				"/admin/users", "/admin/audit", "/campaigns", "/campaigns/999999999", "/intake/hotline", "/notifications", "/patrol"},
			"gridworker": {"/", "/patrol", "/admin/users"},
			"resident":   {"/", "/orders", "/report"},
		} {
			b := newBrowser(t, srv.URL)
			if code := b.login(user, demo.Password(user)); code != http.StatusSeeOther {
				t.Fatalf("%s sign-in = %d", user, code)
			}
			for _, p := range paths {
				check(user, b.c, "GET", p, "")
			}
			check(user, b.c, "POST", "/admin/departments", "") // no CSRF token: 403
		}
	})
}

var (
	scriptRe     = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script\s*>`)
	tagRe        = regexp.MustCompile(`(?s)<[a-zA-Z][^<>]*>`)
	handlerRe    = regexp.MustCompile(`(?i)(?:^|[\s"'/])on[a-z]+\s*=`)
	actionOnlyRe = regexp.MustCompile(`^\{\{[^{}]*\}\}$`)
)

// TestTemplatesHaveNoInlineCode reads every page template: a <script> either loads a file of
// this site or is a JSON data block holding one template action; no tag has an on…= handler;
// no javascript: URL and no htmx hx-on. The Content-Security-Policy would block such code, so
// it would be broken, not merely unsafe.
func TestTemplatesHaveNoInlineCode(t *testing.T) {
	// The shell's templates and every web package's own (web/<capability>/templates).
	files, err := filepath.Glob(filepath.Join("templates", "*.html"))
	more, _ := filepath.Glob(filepath.Join("*", "templates", "*.html"))
	files = append(files, more...)
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates found: %v", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := string(raw)
		for _, m := range scriptRe.FindAllStringSubmatch(src, -1) {
			attrs, body := m[1], strings.TrimSpace(m[2])
			switch {
			case strings.Contains(attrs, "src="):
				if body != "" || !strings.Contains(attrs, `src="/static/`) {
					t.Errorf("%s: %s: a script loads a file of this site and holds nothing", f, m[0])
				}
			case strings.Contains(attrs, `type="application/json"`):
				if !actionOnlyRe.MatchString(body) {
					t.Errorf("%s: %s: a JSON block holds exactly one template action, which html/template escapes", f, m[0])
				}
			default:
				t.Errorf("%s: inline script %s", f, m[0])
			}
		}
		for _, tag := range tagRe.FindAllString(src, -1) {
			if handlerRe.MatchString(tag) {
				t.Errorf("%s: inline event handler in %s", f, tag)
			}
		}
		for _, bad := range []string{"javascript:", "hx-on", "vbscript:"} {
			if strings.Contains(strings.ToLower(src), bad) {
				t.Errorf("%s contains %q", f, bad)
			}
		}
	}
}

// TestStaticScriptsBuildText reads the site's own scripts: none writes HTML (innerHTML and its
// relatives), none evaluates strings, Leaflet tooltips and popups get nodes built by dom.js,
// ECharts tooltips use its text formatter, and the tile attribution is escaped.
func TestStaticScriptsBuildText(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("static", "*.js"))
	more, _ := filepath.Glob(filepath.Join("*", "static", "*.js"))
	files = append(files, more...)
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts found: %v", err)
	}
	forbidden := regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\s*\(|new Function|set(?:Timeout|Interval)\(\s*['"]|\.html\(|srcdoc|createContextualFragment|DOMParser`)
	leafletContent := regexp.MustCompile(`\.(?:bindTooltip|bindPopup|setTooltipContent|setPopupContent|setContent)\(\s*([^,)]*)`)
	tooltip := regexp.MustCompile(`tooltip:\s*\{[^}]*\}`)
	attribution := regexp.MustCompile(`attribution:\s*([^,}]*)`)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := string(raw)
		for i, line := range strings.Split(src, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			if m := forbidden.FindString(line); m != "" {
				t.Errorf("%s:%d: %s writes or runs strings as code: %s", f, i+1, m, strings.TrimSpace(line))
			}
		}
		for _, m := range leafletContent.FindAllStringSubmatch(src, -1) {
			if !strings.HasPrefix(m[1], "cg.el(") && !strings.HasPrefix(m[1], "h(") {
				t.Errorf("%s: %s: pass a node built with cg.el, Leaflet inserts a string as HTML", f, m[0])
			}
		}
		for _, m := range tooltip.FindAllString(src, -1) {
			if !strings.Contains(m, "formatter: cg.axisTooltip") {
				t.Errorf("%s: %s: ECharts inserts its tooltip as HTML; use formatter: cg.axisTooltip", f, m)
			}
		}
		for _, m := range attribution.FindAllStringSubmatch(src, -1) {
			if !strings.HasPrefix(m[1], "cg.esc(") {
				t.Errorf("%s: %s: Leaflet shows the attribution as HTML; escape it with cg.esc", f, m[0])
			}
		}
	}
}

// TestJSONScriptBlocksKeepNamesInside: a name holding </script> stays inside the page's JSON data
// blocks (html/template escapes <, > and & there) and reads back whole.
func TestJSONScriptBlocksKeepNamesInside(t *testing.T) {
	const evil = `</script><script>window.__xss=1</script><!--`
	eachApp(t, func(t *testing.T, a *app) {
		withCategories(t, a)
		ctx := context.Background()
		town := reportTown
		for _, q := range []string{
			`UPDATE places SET name = ? || name WHERE town_code = ? AND kind <> 'estate'`,
			`UPDATE grids SET name = ? || name WHERE town_code = ?`,
			`UPDATE categories SET name = ? || name WHERE town_code = ?`,
		} {
			if _, err := a.db.Exec(ctx, q, evil, town); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		var o struct{ ID int64 }
		lat, lng := pointIn(t, a.db, firstGrid(t, a.db, town))
		body := fmt.Sprintf(`{"content":"路灯不亮","address":"新泾镇","lat":%s,"lng":%s,"category":"%s"}`, lat, lng, firstLeafCategory(t, a.db, town))
		if code := a.call("admin", "POST", "/api/v1/orders", body, &o); code != http.StatusCreated {
			t.Fatalf("create order = %d", code)
		}
		var cp struct{ ID int64 }
		if code := a.call("admin", "POST", "/api/v1/campaigns", `{"name":"走访","kind":"other","start":"2025-01-01","end":"2035-01-01"}`, &cp); code != http.StatusCreated {
			t.Fatalf("create campaign = %d", code)
		}
		tb, _ := json.Marshal(map[string]any{"name": evil, "kind": "household", "lat": json.Number(lat), "lng": json.Number(lng)})
		if code := a.call("admin", "POST", fmt.Sprintf("/api/v1/campaigns/%d/targets", cp.ID), string(tb), nil); code != http.StatusCreated {
			t.Fatalf("add target = %d", code)
		}
		b := signedIn(t, a, "admin")
		for _, p := range []struct {
			path   string
			blocks []string
		}{
			{"/map", []string{"places-data"}},
			{"/orders", []string{"pins-data"}},
			{fmt.Sprintf("/campaigns/%d", cp.ID), []string{"cp-progress-data", "cp-pins-data", "cp-labels"}},
		} {
			code, page := b.get(p.path)
			if code != http.StatusOK {
				t.Fatalf("%s = %d", p.path, code)
			}
			if strings.Contains(strings.ToLower(page), "<script>window.__xss") {
				t.Errorf("%s: the name broke out of its JSON block", p.path)
			}
			for _, id := range p.blocks {
				m := regexp.MustCompile(`<script id="` + id + `" type="application/json">(.*?)</script>`).FindStringSubmatch(page)
				if m == nil {
					t.Errorf("%s: no JSON block %s", p.path, id)
					continue
				}
				var v any
				if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &v); err != nil {
					// html.UnescapeString is a no-op on valid blocks; it only helps the message.
					t.Errorf("%s: block %s is not JSON (%v): %.200s", p.path, id, err, m[1])
					continue
				}
				if id != "cp-labels" && !strings.Contains(fmt.Sprint(v), evil) {
					t.Errorf("%s: block %s lost the name: %.300s", p.path, id, m[1])
				}
			}
		}
	})
}

func firstGrid(t *testing.T, db *store.DB, town string) string {
	t.Helper()
	var code string
	if err := db.QueryRow(context.Background(), `SELECT code FROM grids WHERE town_code = ? ORDER BY code LIMIT 1`, town).Scan(&code); err != nil {
		t.Fatal(err)
	}
	return code
}

func firstLeafCategory(t *testing.T, db *store.DB, town string) string {
	t.Helper()
	var code string
	err := db.QueryRow(context.Background(), `SELECT c.code FROM categories c WHERE c.town_code = ? AND c.parent_code <> ''
		AND NOT EXISTS (SELECT 1 FROM categories k WHERE k.town_code = c.town_code AND k.parent_code = c.code) ORDER BY c.code LIMIT 1`, town).Scan(&code)
	if err != nil {
		t.Fatal(err)
	}
	return code
}
