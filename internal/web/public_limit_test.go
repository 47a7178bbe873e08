package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/web"

	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// Every public route — the report form and its areas, tracking, sign-in, Open311 — answers an
// anonymous client 429 with Retry-After once its address has used the public burst, for every
// public route alike (one budget per address); signed-in callers are not counted. Without the
// limit an anonymous client could keep the server busy through any public route.
func TestPublicRoutesAreRateLimited(t *testing.T) {
	a := newApp(t, testdb.SQLite(t))
	paths := []string{"/report/areas", "/track", "/login", "/report", "/open311/v2/services.json", "/portal/results", "/api/v1/public/results"}
	// The bucket refills while the test runs (on a loaded machine the calls are slow), so the
	// test calls on past the burst until every route has answered 429 once, within a bound.
	limited := map[string]bool{}
	for i := 0; i < 3*web.PublicBurst && len(limited) < len(paths); i++ {
		p := paths[i%len(paths)]
		resp, err := http.Get(a.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			limited[p] = true
			if resp.Header.Get("Retry-After") == "" {
				t.Errorf("%s: 429 without Retry-After", p)
			}
			if i < web.PublicBurst-1 {
				t.Fatalf("%s: limited after %d calls, before the burst of %v", p, i, web.PublicBurst)
			}
		}
	}
	if len(limited) < len(paths) {
		t.Fatalf("routes limited past the burst: %v, want every public route of %v", limited, paths)
	}
	// Right after, each route is still held back, but for what the bucket refilled meanwhile
	// (PublicBurst a minute): a slow machine may earn a call back.
	start, passed := time.Now(), 0
	for _, p := range paths {
		resp, err := http.Get(a.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests {
			passed++
		}
	}
	if refilled := int(time.Since(start).Minutes() * float64(web.PublicBurst)); passed > refilled {
		t.Errorf("anonymous calls after the burst: %d of %d answered, the bucket refilled %d", passed, len(paths), refilled)
	}
	// A signed-in caller from the same address is not held back by the anonymous budget.
	if code := a.call("dispatcher", "GET", "/open311/v2/services.json?jurisdiction_id=310105102", "", nil); code != http.StatusOK {
		t.Errorf("signed-in Open311 call after the anonymous burst: %d, want 200", code)
	}
	if code := a.call("dispatcher", "GET", "/api/v1/track?number=x&code=y", "", nil); code == http.StatusTooManyRequests {
		t.Errorf("signed-in tracking call held back by the anonymous budget")
	}
}
