package web_test

import (
	"net/http"
	"net/url"
	"strings"
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

// TestJSONBodyMustBeOneValue: every JSON endpoint refuses data after the body's one value, with
// a 400 that says so, and nothing is written; trailing white space is fine.
func TestJSONBodyMustBeOneValue(t *testing.T) {
	a := newApp(t, testdb.SQLite(t))
	var fc featureCollection
	a.call("admin", "GET", "/api/v1/grids", "", &fc)
	grid := itoa(fc.Features[0].Properties.ID)
	cases := []struct{ path, body string }{
		{"/api/v1/departments", `{"code":"xj-trail","name":"尾随","kind":"office"}`},
		{"/api/v1/users", `{"username":"trail_user","role":"volunteer","password":"longenough"}`},
		{"/api/v1/grids/" + grid + "/members", `{"name":"尾随成员","grid_role":"member"}`},
		{"/api/v1/grids", `{"code":"310105102-G97","name":"尾随网格","geometry":` + square + `}`},
		{"/api/v1/orders", `{"content":"尾随测试工单内容","address":"新泾镇"}`},
		{"/api/v1/campaigns", `{"name":"尾随","kind":"general","start":"2025-01-01","end":"2025-02-01"}`},
	}
	for _, c := range cases {
		for _, tail := range []string{"garbage", `{"code":"again"}`, "]", "\x00"} {
			var e apiErr
			code := a.call("admin", "POST", c.path, c.body+tail, &e)
			if code != http.StatusBadRequest || !strings.Contains(e.Error.Message, "JSON") {
				t.Errorf("POST %s with %q after the body: %d %q, want 400 naming the JSON problem", c.path, tail, code, e.Error.Message)
			}
		}
	}
	var deps struct {
		Departments []map[string]string `json:"departments"`
	}
	a.call("admin", "GET", "/api/v1/departments", "", &deps)
	for _, d := range deps.Departments {
		if d["code"] == "xj-trail" {
			t.Error("department written although its body had trailing data")
		}
	}
	if code := a.call("admin", "POST", "/api/v1/departments", cases[0].body+"\n \t\r\n", nil); code != http.StatusCreated {
		t.Errorf("body followed by white space only: %d, want 201", code)
	}
}
