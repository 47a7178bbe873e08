package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/workorder"
)

// TestPhotosNeedTownOrSignature: knowing a photo's hash is not enough to open it. A signed-in
// user of the photo's town opens it; a user of another town and anyone not signed in do not;
// the tracking page and API hand out signed references, which open without signing in, and a
// forged or moved signature does not.
func TestPhotosNeedTownOrSignature(t *testing.T) {
	eachOrdersApp(t, func(t *testing.T, a *ordersApp) {
		status := func(user, path string) int {
			t.Helper()
			code, _, err := a.send(user, "GET", path, nil, "")
			if err != nil {
				t.Fatal(err)
			}
			return code
		}
		for _, p := range []string{"/uploads/" + a.photo, "/uploads/" + a.photo + "/thumb"} {
			for user, want := range map[string]int{"": 404, "lujiazui_dispatcher": 404, "handler_police": 200, "leader": 200, "resident": 200} {
				if got := status(user, p); got != want {
					t.Errorf("%s as %q = %d, want %d", p, user, got, want)
				}
			}
		}
		// The resident's order, handled with the photo as evidence.
		o := a.walk([]step{{act: workorder.ActFile}, {act: workorder.ActDispatch}, {act: workorder.ActAccept}, {act: workorder.ActReport}})
		var track struct {
			Timeline []struct {
				Photos []string `json:"photos"`
			} `json:"timeline"`
		}
		if code := a.call("", "GET", "/api/v1/track?number="+o.Number+"&code="+o.ShortCode, nil, &track); code != http.StatusOK {
			t.Fatalf("track = %d", code)
		}
		var ref string
		for _, e := range track.Timeline {
			for _, p := range e.Photos {
				ref = p
			}
		}
		if !strings.HasPrefix(ref, a.photo+".") {
			t.Fatalf("tracking shows photo %q, want a signed reference of %s", ref, a.photo)
		}
		for path, want := range map[string]int{
			"/uploads/" + ref:                                 200,
			"/uploads/" + ref + "/thumb":                      200,
			"/uploads/" + a.photo + ".AAAAAAAAAAAAAAAAAAAAAA": 404,
			"/uploads/" + strings.Repeat("0", 64) + ref[64:]:  404, // the signature of another photo
		} {
			if got := status("", path); got != want {
				t.Errorf("anonymous %s = %d, want %d", path, got, want)
			}
		}
		_, page, err := a.send("", "GET", "/track?number="+o.Number+"&code="+o.ShortCode, nil, "")
		if err != nil || !strings.Contains(string(page), "/uploads/"+ref+"/thumb") {
			t.Errorf("tracking page does not link the signed photo (%v)", err)
		}
	})
}

// TestOpen311PhotosThroughHTTP: through the mounted endpoint, a handled order's photo is not
// published until the town sets open311_public_photos; then its link opens without signing in,
// while the bare photo id still does not. A list of 10,000 service codes is a 400.
func TestOpen311PhotosThroughHTTP(t *testing.T) {
	eachOrdersApp(t, func(t *testing.T, a *ordersApp) {
		o := a.walk([]step{{act: workorder.ActFile}, {act: workorder.ActDispatch}, {act: workorder.ActAccept}, {act: workorder.ActReport}})
		mediaURL := func() string {
			t.Helper()
			code, raw, err := a.send("", "GET", "/open311/v2/requests/"+o.Number+".json?jurisdiction_id="+xjTown, nil, "")
			var got []struct {
				MediaURL string `json:"media_url"`
				Address  string `json:"address"`
			}
			if err != nil || code != http.StatusOK || json.Unmarshal(raw, &got) != nil || len(got) != 1 {
				t.Fatalf("open311 request = %d %s (%v)", code, raw, err)
			}
			if strings.Contains(got[0].Address, "36号") {
				t.Errorf("open311 publishes the address %q", got[0].Address)
			}
			return got[0].MediaURL
		}
		if u := mediaURL(); u != "" {
			t.Fatalf("photo published by default: %q", u)
		}
		if _, err := a.db.Exec(context.Background(), `INSERT INTO settings (town_code, key, value) VALUES (?, 'open311_public_photos', 'true')`, xjTown); err != nil {
			t.Fatal(err)
		}
		u := mediaURL()
		if !strings.HasPrefix(u, "/uploads/"+a.photo+".") {
			t.Fatalf("published photo %q, want a signed link to %s", u, a.photo)
		}
		for path, want := range map[string]int{u: http.StatusOK, "/uploads/" + a.photo: http.StatusNotFound} {
			if code, _, err := a.send("", "GET", path, nil, ""); err != nil || code != want {
				t.Errorf("anonymous %s = %d (%v), want %d", path, code, err, want)
			}
		}
		codes := make([]string, 10000)
		for i := range codes {
			codes[i] = fmt.Sprintf("C%d", i)
		}
		code, raw, err := a.send("", "GET", "/open311/v2/requests.json?jurisdiction_id="+xjTown+"&service_code="+strings.Join(codes, ","), nil, "")
		if err != nil || code != http.StatusBadRequest || !strings.Contains(string(raw), "service_code") {
			t.Errorf("10,000 service codes = %d %.200s (%v), want a 400 naming service_code", code, raw, err)
		}
	})
}
