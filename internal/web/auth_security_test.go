package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/web"
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
		{"/api/v1/intake/hotline", `{"工单编号":"PUSH-TRAIL","来电时间":"2025-09-30 10:03","诉求内容":"尾随测试工单内容"}`},
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

// TestCrossTownLinksAnswerAlike: each API and page that links two records checks both are in the
// caller's towns, and answers a record of another town exactly as it answers one that does not
// exist (same status, same field, same message apart from the echoed input), on both databases.
func TestCrossTownLinksAnswerAlike(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		ctx := context.Background()
		id := func(username string) string {
			u, err := auth.UserByUsername(ctx, a.db, username)
			if err != nil {
				t.Fatal(err)
			}
			return itoa(u.ID)
		}
		var xinjing, lujiazui featureCollection
		a.call("admin", "GET", "/api/v1/grids", "", &xinjing)
		a.call("lujiazui_admin", "GET", "/api/v1/grids", "", &lujiazui)
		xjGrid, ljzGrid := itoa(xinjing.Features[0].Properties.ID), itoa(lujiazui.Features[0].Properties.ID)
		cases := []struct {
			name, user, path, body, foreign, unknown string
		}{
			// The finding: a 陆家嘴 admin attaching a 新泾镇 user to a 陆家嘴 grid (201), or an unknown id (500).
			{"grid member's user", "lujiazui_admin", "/api/v1/grids/" + ljzGrid + "/members", `{"name":"张三","grid_role":"member","user_id":%s}`, id("dispatcher"), "987654"},
			{"grid member's user (新泾镇)", "admin", "/api/v1/grids/" + xjGrid + "/members", `{"name":"张三","grid_role":"member","user_id":%s}`, id("lujiazui_admin"), "987654"},
			{"grid member's department", "admin", "/api/v1/grids/" + xjGrid + "/members", `{"name":"张三","grid_role":"member","department":"%s"}`, "ljz-police", "no-such-dept"},
			{"grid of the member", "lujiazui_admin", "/api/v1/grids/%s/members", `{"name":"张三","grid_role":"member"}`, xjGrid, "987654"},
			{"user's department", "admin", "/api/v1/users", `{"username":"link_u1","role":"handler","department":"%s","password":"longenough"}`, "ljz-police", "no-such-dept"},
			{"user's grid", "admin", "/api/v1/users", `{"username":"link_u2","role":"gridworker","grid":"%s","password":"longenough"}`, "310115005-G01", "no-such-grid"},
			{"user's town", "admin", "/api/v1/users", `{"username":"link_u3","role":"volunteer","town":"%s","password":"longenough"}`, "310115005", "999999999"},
			{"department's code", "admin", "/api/v1/departments", `{"code":"%s","name":"抢注","kind":"office"}`, "ljz-police", ""},
			{"campaign team", "admin", "/api/v1/campaigns", `{"name":"走访","kind":"other","start":"2025-01-01","end":"2025-02-01","team":[%s]}`, id("lujiazui_admin"), "987654"},
		}
		for _, c := range cases {
			var ef, eu apiErr
			pf, pu := c.path, c.path
			if strings.Contains(c.path, "%s") {
				pf, pu = fmt.Sprintf(c.path, c.foreign), fmt.Sprintf(c.path, c.unknown)
			}
			bf, bu := c.body, c.body
			if !strings.Contains(c.path, "%s") {
				bf, bu = fmt.Sprintf(c.body, c.foreign), fmt.Sprintf(c.body, c.unknown)
			}
			codeF := a.call(c.user, "POST", pf, bf, &ef)
			if c.unknown == "" { // no "unknown" twin: a taken code must not say whose it is
				if codeF < 400 || codeF >= 500 || strings.Contains(ef.Error.Message, "town") || strings.Contains(ef.Error.Message, "陆家嘴") {
					t.Errorf("%s of another town: %d %q; want a 4xx that does not say whose it is", c.name, codeF, ef.Error.Message)
				}
				continue
			}
			codeU := a.call(c.user, "POST", pu, bu, &eu)
			mf := strings.ReplaceAll(ef.Error.Message, c.foreign, "…")
			mu := strings.ReplaceAll(eu.Error.Message, c.unknown, "…")
			if codeF < 400 || codeF >= 500 || codeF != codeU || ef.Error.Field != eu.Error.Field || mf != mu {
				t.Errorf("%s: another town's record → %d %s %q; unknown → %d %s %q; want the same 4xx", c.name,
					codeF, ef.Error.Field, ef.Error.Message, codeU, eu.Error.Field, eu.Error.Message)
			}
		}
		// Nothing was linked: the 新泾镇 dispatcher is no member of a 陆家嘴 grid.
		var n int
		if err := a.db.QueryRow(ctx, `SELECT COUNT(*) FROM grid_members m JOIN users u ON u.id = m.user_id JOIN grids g ON g.code = m.grid_code
			WHERE u.town_code <> g.town_code`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d grid members linked to a user of another town (%v)", n, err)
		}
		// The admin page's member form: another town's department is refused like an unknown one.
		b := newBrowser(t, a.srv.URL)
		b.login("admin", "demo-admin")
		grid := xinjing.Features[0].Properties.Code
		tok := b.csrf("/admin/grids/" + grid)
		codeF, bodyF := b.post("/admin/grids/"+grid+"/members", url.Values{"csrf": {tok}, "name": {"张三"}, "grid_role": {"member"}, "department": {"ljz-police"}})
		codeU, bodyU := b.post("/admin/grids/"+grid+"/members", url.Values{"csrf": {tok}, "name": {"张三"}, "grid_role": {"member"}, "department": {"no-such-dept"}})
		if codeF != http.StatusUnprocessableEntity || codeU != codeF || strings.Contains(bodyF, "陆家嘴") != strings.Contains(bodyU, "陆家嘴") {
			t.Errorf("member form with another town's department: %d; with an unknown one: %d", codeF, codeU)
		}
	})
}

// TestFreeTextLimitsThroughAPI: a megabyte (or a NUL, or an unknown department kind) in any
// free-text field of users, departments, grids and grid members is a 422 naming the field.
func TestFreeTextLimitsThroughAPI(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		var fc featureCollection
		a.call("admin", "GET", "/api/v1/grids", "", &fc)
		members := "/api/v1/grids/" + itoa(fc.Features[0].Properties.ID) + "/members"
		huge := strings.Repeat("长", 1<<18) // 768 KiB of UTF-8
		cases := []struct{ path, body, field string }{
			{"/api/v1/users", `{"username":"lim1","role":"volunteer","password":"longenough","display_name":"` + huge + `"}`, "display_name"},
			{"/api/v1/users", `{"username":"lim2","role":"volunteer","password":"longenough","phone":"` + huge + `"}`, "phone"},
			{"/api/v1/users", `{"username":"lim3","role":"volunteer","password":"longenough","display_name":"王\u0000五"}`, "display_name"},
			{"/api/v1/users", `{"username":"lim4","role":"volunteer","password":"` + strings.Repeat("p", 2000) + `"}`, "password"},
			{"/api/v1/users", `{"username":"` + strings.Repeat("u", 65) + `","role":"volunteer","password":"longenough"}`, "username"},
			{"/api/v1/departments", `{"code":"lim-d1","name":"` + huge + `","kind":"office"}`, "name"},
			{"/api/v1/departments", `{"code":"lim-d2","name":"部门","kind":"secret police"}`, "kind"},
			{"/api/v1/departments", `{"code":"lim-d3","name":"部门","kind":"office","phone":"` + huge + `"}`, "phone"},
			{"/api/v1/departments", `{"code":"` + huge + `","name":"部门","kind":"office"}`, "code"},
			{"/api/v1/grids", `{"code":"310105102-G90","name":"` + huge + `","geometry":` + square + `}`, "name"},
			{"/api/v1/grids", `{"code":"310105102-G91","name":"网格","note":"` + huge + `","geometry":` + square + `}`, "note"},
			{members, `{"name":"` + huge + `","grid_role":"member"}`, "name"},
			{members, `{"name":"张三","grid_role":"member","phone":"` + huge + `"}`, "phone"},
		}
		for _, c := range cases {
			var e apiErr
			if code := a.call("admin", "POST", c.path, c.body, &e); code != http.StatusUnprocessableEntity || e.Error.Field != c.field {
				t.Errorf("POST %s with a bad %s: %d field=%q %.120q; want 422 on %s", c.path, c.field, code, e.Error.Field, e.Error.Message, c.field)
			}
		}
		// The department page offers the kinds as a list and refuses free text with the field named.
		b := newBrowser(t, a.srv.URL)
		b.login("admin", "demo-admin")
		_, page := b.get("/admin/departments")
		if !strings.Contains(page, `<select name="kind">`) || !strings.Contains(page, `value="police"`) {
			t.Error("department form has no list of kinds")
		}
		code, body := b.post("/admin/departments", url.Values{"csrf": {b.csrf("/admin/departments")}, "code": {"lim-page"}, "name": {"部门"}, "kind": {"whatever"}, "town": {"310105102"}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, `data-field="kind"`) {
			t.Errorf("department page with a free-text kind: %d", code)
		}
		// The admin forms tell the error in the page's language, like every other page.
		for _, lang := range []string{"zh", "en"} {
			b.get("/admin/departments?lang=" + lang)
			_, body := b.post("/admin/departments", url.Values{"csrf": {b.csrf("/admin/departments")}, "code": {"lim-page"}, "name": {"部门"}, "kind": {"whatever"}, "town": {"310105102"}})
			m := langErrorRe.FindStringSubmatch(body)
			if m == nil || hanRe.MatchString(m[1]) != (lang == "zh") {
				t.Errorf("department form error in %s: %q", lang, m)
			}
		}
	})
}

// TestTokensExpireAndAreRevokedOneByOne: expired and revoked tokens get a 401 that says why;
// an administrator lists and revokes the tokens of their own town's users only, and everyone
// lists and revokes their own, on both databases.
func TestTokensExpireAndAreRevokedOneByOne(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		ctx := context.Background()
		userOf := func(name string) auth.User {
			u, err := auth.UserByUsername(ctx, a.db, name)
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		tokenID := func(u auth.User) int64 {
			ts, err := auth.Tokens(ctx, a.db, u.ID)
			if err != nil || len(ts) == 0 {
				t.Fatalf("tokens of %s: %v %v", u.Username, ts, err)
			}
			return ts[0].ID
		}
		dispatcher, leader, admin := userOf("dispatcher"), userOf("leader"), userOf("admin")

		// Expired: 401 saying so.
		if _, err := a.db.Exec(ctx, `UPDATE api_tokens SET expires_at = ? WHERE user_id = ?`, time.Now().Add(-time.Hour).UnixMilli(), leader.ID); err != nil {
			t.Fatal(err)
		}
		var e apiErr
		if code := a.call("leader", "GET", "/api/v1/me", "", &e); code != http.StatusUnauthorized || !strings.Contains(e.Error.Message, "expired") {
			t.Errorf("expired token: %d %q, want 401 saying it expired", code, e.Error.Message)
		}

		// The admin page of another town's administrator: the user is not found, the token survives.
		lj := newBrowser(t, a.srv.URL)
		lj.login("lujiazui_admin", demo.Password("lujiazui_admin"))
		page := fmt.Sprintf("/admin/users/%d/tokens", dispatcher.ID)
		if code, _ := lj.get(page); code != http.StatusNotFound {
			t.Errorf("陆家嘴 admin listing a 新泾镇 user's tokens: %d, want 404", code)
		}
		tid := tokenID(dispatcher)
		revoke := fmt.Sprintf("%s/%d/revoke", page, tid)
		if code, _ := lj.post(revoke, url.Values{"csrf": {lj.csrf("/")}}); code != http.StatusNotFound {
			t.Errorf("陆家嘴 admin revoking a 新泾镇 user's token: %d, want 404", code)
		}
		if code := a.call("dispatcher", "GET", "/api/v1/me", "", nil); code != http.StatusOK {
			t.Fatalf("dispatcher's token after a refused revocation: %d", code)
		}

		// Their own town's administrator sees and revokes it.
		b := newBrowser(t, a.srv.URL)
		b.login("admin", "demo-admin")
		if code, body := b.get(page); code != http.StatusOK || !strings.Contains(body, fmt.Sprintf(`data-token="%d"`, tid)) {
			t.Errorf("admin listing the dispatcher's tokens: %d", code)
		}
		// A token of someone else posted under this user's page is not found.
		if code, _ := b.post(fmt.Sprintf("%s/%d/revoke", page, tokenID(admin)), url.Values{"csrf": {b.csrf(page)}}); code != http.StatusNotFound {
			t.Errorf("revoking the admin's token under the dispatcher's page: %d, want 404", code)
		}
		if code, _ := b.post(revoke, url.Values{"csrf": {b.csrf(page)}}); code != http.StatusSeeOther {
			t.Errorf("admin revoking the dispatcher's token: %d, want 303", code)
		}
		if code := a.call("dispatcher", "GET", "/api/v1/me", "", &e); code != http.StatusUnauthorized || !strings.Contains(e.Error.Message, "revoked") {
			t.Errorf("revoked token: %d %q, want 401 saying it was revoked", code, e.Error.Message)
		}
		if code := a.call("admin", "GET", "/api/v1/me", "", nil); code != http.StatusOK {
			t.Errorf("revoking one token touched another: admin's token answers %d", code)
		}

		// Anyone lists and revokes their own tokens, and only theirs.
		g := newBrowser(t, a.srv.URL)
		g.login("gridworker", demo.Password("gridworker"))
		own := tokenID(userOf("gridworker"))
		_, body := g.get("/account/tokens")
		if !strings.Contains(body, fmt.Sprintf(`data-token="%d"`, own)) || strings.Contains(body, fmt.Sprintf(`data-token="%d"`, tokenID(admin))) {
			t.Error("/account/tokens does not list exactly the caller's tokens")
		}
		if code, _ := g.post(fmt.Sprintf("/account/tokens/%d/revoke", tokenID(admin)), url.Values{"csrf": {g.csrf("/account/tokens")}}); code != http.StatusNotFound {
			t.Errorf("grid worker revoking the admin's token: %d, want 404", code)
		}
		if code, _ := g.post(fmt.Sprintf("/account/tokens/%d/revoke", own), url.Values{"csrf": {g.csrf("/account/tokens")}}); code != http.StatusSeeOther {
			t.Errorf("grid worker revoking their own token: %d, want 303", code)
		}
		if code := a.call("gridworker", "GET", "/api/v1/me", "", nil); code != http.StatusUnauthorized {
			t.Errorf("own revoked token: %d, want 401", code)
		}
		if code := a.call("admin", "GET", "/api/v1/me", "", nil); code != http.StatusOK {
			t.Errorf("admin's token after the grid worker's attempt: %d", code)
		}
	})
}

// TestReenableUserFromAdminPage: an administrator disables a user (who can no longer sign in
// and whose tokens stop) and enables them again (who can sign in again); both audited.
func TestReenableUserFromAdminPage(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		u := a.user("leader")
		b := newBrowser(t, a.srv.URL)
		b.login("admin", "demo-admin")
		action := fmt.Sprintf("/admin/users/%d/disable", u.ID)
		if code, _ := b.post(action, url.Values{"csrf": {b.csrf("/admin/users")}, "disabled": {"1"}}); code != http.StatusSeeOther {
			t.Fatalf("disable: %d", code)
		}
		if code := newBrowser(t, a.srv.URL).login("leader", demo.Password("leader")); code != http.StatusUnauthorized {
			t.Errorf("disabled user signing in: %d, want 401", code)
		}
		if code := a.call("leader", "GET", "/api/v1/me", "", nil); code != http.StatusUnauthorized {
			t.Errorf("disabled user's token: %d, want 401", code)
		}
		if _, body := b.get("/admin/users"); !strings.Contains(body, `name="disabled" value="0"`) {
			t.Error("users page offers no way to enable the disabled user")
		}
		if code, _ := b.post(action, url.Values{"csrf": {b.csrf("/admin/users")}, "disabled": {"0"}}); code != http.StatusSeeOther {
			t.Fatalf("enable: %d", code)
		}
		if code := newBrowser(t, a.srv.URL).login("leader", demo.Password("leader")); code != http.StatusSeeOther {
			t.Errorf("re-enabled user signing in: %d, want 303", code)
		}
		var log struct {
			Entries []map[string]any `json:"entries"`
		}
		a.call("admin", "GET", "/api/v1/audit?entity=user&entity_id="+itoa(u.ID)+"&action=update", "", &log)
		if len(log.Entries) != 2 || log.Entries[0]["detail"] != "disabled=false" || log.Entries[0]["actor"] != "admin" {
			t.Errorf("audit of disabling and enabling: %v", log.Entries)
		}
	})
}

// TestSignInDelaysAreTheGuessers: behind a proxy, five wrong passwords from one address delay
// that address (429 with Retry-After and the wait in the message); the account's owner signs in
// from their own address at once.
func TestSignInDelaysAreTheGuessers(t *testing.T) {
	a := newApp(t, testdb.SQLite(t))
	srv := httptest.NewServer(quietServer(t, web.Config{DB: a.db, TrustProxy: true}).Handler())
	defer srv.Close()
	attempt := func(from, password string) (*http.Response, string) {
		b := newBrowser(t, srv.URL)
		tok := b.csrf("/login")
		form := url.Values{"csrf": {tok}, "username": {"dispatcher"}, "password": {password}}
		req, _ := http.NewRequest("POST", srv.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", from)
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	for i := 0; i < auth.MaxFailures; i++ {
		if resp, _ := attempt("198.51.100.66", "guess-"+itoa(int64(i))); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, body := attempt("198.51.100.66", "demo-dispatcher")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "秒后再试") {
		t.Errorf("attacker's next attempt: %d Retry-After %q; want 429 with the wait", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp, _ := attempt("192.0.2.1", "demo-dispatcher"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the dispatcher from their own address: %d, want 303 (signed in)", resp.StatusCode)
	}
}
