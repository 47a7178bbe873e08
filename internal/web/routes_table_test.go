package web_test

import (
	"io"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/docsync"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/web"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// routeTable is the recorded route table of a server built on an empty database.
func routeTable(t *testing.T) []kit.Route {
	t.Helper()
	s, err := web.New(web.Config{DB: testdb.SQLite(t), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return s.Routes()
}

// A route that changes something needs a permission to change something: a write route guarded
// by a :read permission lets every reader write (as campaigns did with grids:read).
func TestWriteRoutesNeedWritePermission(t *testing.T) {
	rs := routeTable(t)
	if len(rs) < 80 {
		t.Fatalf("only %d routes recorded", len(rs))
	}
	for _, r := range rs {
		switch r.Method {
		case "POST", "PUT", "PATCH", "DELETE":
			if strings.HasSuffix(r.Perm, ":read") {
				t.Errorf("%s %s (%s) is a write route guarded by %s", r.Method, r.Path, r.Capability, r.Perm)
			}
		}
	}
}

// Every route is recorded once, with a capability and a rule.
func TestRoutesRecordedOnce(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range routeTable(t) {
		key := r.Method + " " + r.Path
		if seen[key] {
			t.Errorf("%s recorded twice", key)
		}
		seen[key] = true
		if r.Capability == "" || r.Kind == "" {
			t.Errorf("%s: capability %q, kind %q", key, r.Capability, r.Kind)
		}
	}
}

func TestRoutesDocInSync(t *testing.T) {
	docsync.Check(t, "ROUTES.md", "kit.RoutesMarkdown", "\n"+kit.RoutesMarkdown(routeTable(t))+"\n",
		"the route table; run: go test ./internal/web -run TestRoutesDocInSync -update")
}

// Each web package's own scripts and styles are served at the /static/ paths the templates and
// the service worker name, next to the shell's.
func TestStaticFilesOfEveryPackage(t *testing.T) {
	s, err := web.New(web.Config{DB: testdb.SQLite(t), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"app.js", "dom.js", "vendor/leaflet/leaflet.js", "orders.js", "map.js", "patrol.js", "report.css",
		"intake.js", "campaigns.js", "campaigns.css"} {
		if _, err := fs.Stat(s.StaticFS(), name); err != nil {
			t.Errorf("/static/%s: %v", name, err)
		}
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/static/patrol.js", nil))
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Type"), "javascript") {
		t.Errorf("GET /static/patrol.js = %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
}
