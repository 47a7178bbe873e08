package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paulmach/orb/planar"

	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// TestRefusedReportsCountTowardFlood: refused attempts (a photo bomb, too many photos, a file
// that is not a photo, a body over the limit, the honeypot) use up the flood limit like reports:
// after five of them a good report from the same address is refused with 429.
func TestRefusedReportsCountTowardFlood(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		base := proxiedApp(t, db)
		const ip = "198.51.100.40"
		cl := newClient(t, base, ip)
		png := testPNG(t, 7)
		attempts := []struct {
			name   string
			fields url.Values
			photos []photoPart
			status int
		}{
			{"bomb", nil, []photoPart{{"bomb.png", hugePNG(50000, 50000)}}, 413},
			{"four photos", nil, []photoPart{{"a.png", png}, {"b.png", png}, {"c.png", png}, {"d.png", png}}, 422},
			{"not a photo", nil, []photoPart{{"x.exe", []byte("MZ not an image")}}, 422},
			{"honeypot", url.Values{"website": {"http://spam.example"}}, nil, 400},
		}
		for _, a := range attempts {
			if code, _, _ := cl.report(a.fields, a.photos); code != a.status {
				t.Fatalf("%s = %d, want %d", a.name, code, a.status)
			}
		}
		// The fifth: a body over the limit, from another device at the same address.
		other := newClient(t, base, ip)
		_, page, _ := other.get("/report")
		body, ctype := multipartBody(url.Values{"csrf": {csrfRe.FindStringSubmatch(page)[1]}}, []photoPart{{"big.jpg", make([]byte, 32<<20)}})
		req, _ := http.NewRequest("POST", base+"/report", body)
		req.Header.Set("Content-Type", ctype)
		if code, _, _ := other.do(req); code != 413 {
			t.Fatalf("oversized body = %d, want 413", code)
		}
		code, page, hdr := cl.report(nil, nil)
		if code != http.StatusTooManyRequests || !strings.Contains(page, "提交过于频繁") || hdr.Get("Retry-After") == "" {
			t.Errorf("a good report after five refused ones = %d (Retry-After %q), want 429", code, hdr.Get("Retry-After"))
		}
		// Another address is not affected.
		if code, _, _ := newClient(t, base, "198.51.100.41").report(nil, nil); code != http.StatusSeeOther {
			t.Errorf("a report from another address = %d", code)
		}
		if n := residentOrders(t, db); n != 1 {
			t.Errorf("%d orders, want 1", n)
		}
	})
}

// gridPoint is a point (lat, lng) inside the first grid of a town.
func gridPoint(t *testing.T, db *store.DB, town string) (string, string, string) {
	t.Helper()
	gs, err := places.Grids(context.Background(), db, []string{town})
	if err != nil || len(gs) == 0 {
		t.Fatalf("grids of %s: %v", town, err)
	}
	for _, g := range gs {
		c, _ := planar.CentroidArea(g.Polygon)
		if planar.PolygonContains(g.Polygon, c) {
			return fmt.Sprintf("%.6f", c[1]), fmt.Sprintf("%.6f", c[0]), g.Code
		}
	}
	t.Fatalf("no grid of %s contains its centroid", town)
	return "", "", ""
}

// TestReportPointInAnotherTown: a patrol report at a point inside another town's grids is
// refused on lat (it used to be stored in the worker's own town and grid); a resident's report
// there goes to that town and its grid, whichever town was picked.
func TestReportPointInAnotherTown(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		lat, lng, ljzGrid := gridPoint(t, a.db, world.LujiazuiCode)
		w := signedIn(t, a, "gridworker")
		_, page := w.get("/patrol")
		form := url.Values{"csrf": {csrfRe.FindStringSubmatch(page)[1]}, "content": {"路面塌陷"}, "lat": {lat}, "lng": {lng},
			"client_id": {"0f8e9a6c-7777-4a2b-9c3d-aaaaaaaaaaaa"}}
		code, body, _ := w.postMultipart("/patrol", form, []photoPart{{"a.png", testPNG(t, 5)}}, "application/json")
		if code != 422 || !strings.Contains(body, `"field":"lat"`) || !strings.Contains(body, "陆家嘴") {
			t.Errorf("patrol at a point of 陆家嘴 = %d %s, want 422 on lat naming the town", code, body)
		}
		var n int
		if err := a.db.QueryRow(context.Background(), `SELECT COUNT(*) FROM orders WHERE channel = 'patrol'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d patrol orders after the refusal (%v)", n, err)
		}
		// At home the same form is fine.
		hlat, hlng := pointIn(t, a.db, workerGrid)
		form.Set("lat", hlat)
		form.Set("lng", hlng)
		if code, body, _ := w.postMultipart("/patrol", form, []photoPart{{"a.png", testPNG(t, 5)}}, "application/json"); code != http.StatusCreated {
			t.Errorf("patrol at home = %d %s", code, body)
		}

		b := newBrowser(t, a.srv.URL)
		_, rp := b.get("/report")
		rform := url.Values{"csrf": {csrfRe.FindStringSubmatch(rp)[1]}, "content": {"路灯不亮已经三天了"}, "town": {reportTown}, "lat": {lat}, "lng": {lng}}
		if code, _, _ := b.postMultipart("/report", rform, nil, ""); code != http.StatusSeeOther {
			t.Fatalf("resident report at a point of 陆家嘴 = %d", code)
		}
		var town, grid string
		if err := a.db.QueryRow(context.Background(), `SELECT town_code, grid_code FROM orders WHERE channel = 'resident'`).Scan(&town, &grid); err != nil {
			t.Fatal(err)
		}
		if town != world.LujiazuiCode || grid != ljzGrid {
			t.Errorf("resident report stored in %s/%s, want %s/%s", town, grid, world.LujiazuiCode, ljzGrid)
		}
	})
}

// TestTrackGuessLimits: wrong number+code guesses are limited per order number and per client
// address, on /track, /api/v1/track and the report confirmation alike, with 429, Retry-After and
// a message in the visitor's language. While a number is locked even its right code waits.
func TestTrackGuessLimits(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		base := proxiedApp(t, db)
		reported := func(ip string) (string, string) {
			code, _, hdr := newClient(t, base, ip).report(nil, nil)
			loc, _ := url.Parse(hdr.Get("Location"))
			if code != http.StatusSeeOther || loc == nil || loc.Query().Get("code") == "" {
				t.Fatalf("report = %d → %q", code, hdr.Get("Location"))
			}
			return loc.Query().Get("number"), loc.Query().Get("code")
		}
		number, code := reported("203.0.113.1")
		wrong := "ZZZZZZ"
		if code == wrong {
			wrong = "YYYYYY"
		}
		track := func(cl *client, path, number, code string) (int, string, http.Header) {
			return cl.get(path + "?" + url.Values{"number": {number}, "code": {code}}.Encode())
		}

		// Per number: ten wrong guesses from one address, then the number is locked for everyone,
		// the right code included.
		a := newClient(t, base, "203.0.113.10")
		for i := range 10 {
			if status, _, _ := track(a, "/track", number, wrong); status != http.StatusNotFound {
				t.Fatalf("wrong guess %d = %d, want 404", i+1, status)
			}
		}
		status, page, hdr := track(a, "/track", number, code)
		if status != http.StatusTooManyRequests || hdr.Get("Retry-After") == "" || !strings.Contains(page, "查询过于频繁") {
			t.Errorf("right code after 10 wrong guesses = %d (Retry-After %q), want 429", status, hdr.Get("Retry-After"))
		}
		b := newClient(t, base, "203.0.113.11")
		status, body, hdr := track(b, "/api/v1/track", number, code)
		if status != http.StatusTooManyRequests || hdr.Get("Retry-After") == "" || !strings.Contains(body, `"status":429`) {
			t.Errorf("API from another address on the locked number = %d %s", status, body)
		}
		b.get("/track?lang=en")
		if status, page, _ := track(b, "/track", number, code); status != 429 || !strings.Contains(html.UnescapeString(page), "Too many wrong tries") {
			t.Errorf("English /track on the locked number = %d", status)
		}
		if status, _, _ := track(b, "/report/done", number, code); status != 429 {
			t.Errorf("/report/done on the locked number = %d, want 429", status)
		}

		// Per address: 30 wrong guesses spread over numbers (3 each, under the per-number limit),
		// then every number is refused from that address, and only from it.
		c := newClient(t, base, "203.0.113.20")
		for i := range 30 {
			n := fmt.Sprintf("XJ-20260101-%06d", 900000+i/3)
			if status, _, _ := track(c, "/api/v1/track", n, wrong); status != http.StatusNotFound {
				t.Fatalf("guess %d from one address = %d, want 404", i+1, status)
			}
		}
		other, otherCode := reported("203.0.113.2")
		if status, _, _ := track(c, "/track", other, otherCode); status != http.StatusTooManyRequests {
			t.Errorf("31st lookup from the guessing address = %d, want 429", status)
		}
		if status, _, _ := track(c, "/report/done", other, otherCode); status != http.StatusTooManyRequests {
			t.Errorf("/report/done from the guessing address = %d, want 429", status)
		}
		d := newClient(t, base, "203.0.113.21")
		if status, page, _ := track(d, "/track", other, otherCode); status != http.StatusOK || !strings.Contains(page, other) {
			t.Errorf("right code from another address = %d", status)
		}
		// Right codes cost nothing: a resident may check their order as often as they like.
		for i := range 40 {
			if status, _, _ := track(d, "/api/v1/track", other, otherCode); status != http.StatusOK {
				t.Fatalf("right lookup %d = %d", i+1, status)
			}
		}
	})
}
