package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// TestUsersPageNamesAndEdit: the users page names towns, departments and grids (codes as hints,
// never two codes run together); an administrator edits a user and resets a password (generated
// and shown once, or chosen; the length rule applies); the user's sessions end.
func TestUsersPageNamesAndEdit(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		ctx := context.Background()
		gw := a.user("gridworker")
		town, _ := places.GetRegion(ctx, a.db, gw.TownCode)
		grid, _ := places.GridByCode(ctx, a.db, []string{gw.TownCode}, gw.GridCode)
		admin := newBrowser(t, a.srv.URL)
		admin.login("admin", demo.Password("admin"))
		_, body := admin.get("/admin/users")
		if strings.Contains(body, gw.TownCode+town.ParentCode) || strings.Contains(body, "310105102310105") {
			t.Error("users page runs two codes together")
		}
		for _, want := range []string{town.Name + `<span class="hint">` + gw.TownCode, "<span>" + grid.Name + `</span><span class="hint">` + grid.Code, "/admin/users/" + itoa(gw.ID) + "/edit"} {
			if !strings.Contains(body, want) {
				t.Errorf("users page lacks %q", want)
			}
		}
		// The grid worker signs in elsewhere; the admin edits and resets.
		worker := newBrowser(t, a.srv.URL)
		worker.login("gridworker", demo.Password("gridworker"))
		if code, _ := worker.get("/admin/users/" + itoa(gw.ID) + "/edit"); code != 403 {
			t.Errorf("grid worker opens the edit page: %d", code)
		}
		edit := "/admin/users/" + itoa(gw.ID)
		tok := admin.csrf(edit + "/edit")
		form := url.Values{"csrf": {tok}, "display_name": {"新名字"}, "phone": {"13900000001"}, "role": {"gridworker"}, "grid": {""}, "enabled": {"1"}}
		if code, body := admin.post(edit, form); code != 422 || !strings.Contains(body, `data-field="grid"`) {
			t.Errorf("grid worker without grid = %d, want 422 naming grid", code)
		}
		form.Set("grid", gw.GridCode)
		if code, _ := admin.post(edit, form); code != http.StatusSeeOther {
			t.Fatalf("edit = %d", code)
		}
		if u, _ := auth.UserByID(ctx, a.db, []string{gw.TownCode}, gw.ID); u.DisplayName != "新名字" || u.Phone != "13900000001" {
			t.Errorf("after edit: %+v", u)
		}
		// Reset: too short, then generated and shown once.
		if code, _ := admin.post(edit+"/password", url.Values{"csrf": {tok}, "password": {"short"}}); code != 422 {
			t.Errorf("short password = %d, want 422", code)
		}
		code, body := admin.post(edit+"/password", url.Values{"csrf": {tok}, "password": {""}})
		m := regexp.MustCompile(`<span class="secret">([^<]+)</span>`).FindStringSubmatch(body)
		if code != 200 || m == nil {
			t.Fatalf("reset = %d, no password shown", code)
		}
		if code, _ := worker.get("/"); code != http.StatusSeeOther {
			t.Errorf("grid worker's session after reset = %d, want a redirect to sign in", code)
		}
		if code := newBrowser(t, a.srv.URL).login("gridworker", m[1]); code != http.StatusSeeOther {
			t.Errorf("sign-in with the generated password = %d", code)
		}
		if _, body := admin.get(edit + "/edit"); strings.Contains(body, m[1]) {
			t.Error("the generated password is shown again")
		}
		// Audited, with names on the audit page.
		if _, body := admin.get("/admin/audit?action=password_reset"); !strings.Contains(body, "重置密码") || !strings.Contains(body, "新名字 (gridworker)") {
			t.Error("the reset is not on the audit page with the user named")
		}
		// The admin may not demote or disable themselves.
		self := a.user("admin")
		if code, _ := admin.post("/admin/users/"+itoa(self.ID), url.Values{"csrf": {tok}, "display_name": {"x"}, "role": {"leader"}, "enabled": {"1"}}); code != 422 {
			t.Errorf("admin demotes themselves = %d, want 422", code)
		}
	})
}

// TestChangeOwnPassword: every signed-in user changes their password with the current one; a
// wrong current one, a mismatch or a short one is refused; other sessions end, this one stays.
func TestChangeOwnPassword(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		here, there := newBrowser(t, a.srv.URL), newBrowser(t, a.srv.URL)
		here.login("resident", demo.Password("resident"))
		there.login("resident", demo.Password("resident"))
		tok := here.csrf("/account/password")
		post := func(cur, next, confirm string) (int, string) {
			return here.post("/account/password", url.Values{"csrf": {tok}, "current_password": {cur}, "new_password": {next}, "confirm_password": {confirm}})
		}
		for _, c := range []struct{ cur, next, confirm, want string }{
			{"wrong-pass", "a-new-password", "a-new-password", "当前密码不正确"},
			{demo.Password("resident"), "a-new-password", "another-one", "两次输入的新密码不一致"},
			{demo.Password("resident"), "short", "short", "至少需要 8 个字符"},
		} {
			if code, body := post(c.cur, c.next, c.confirm); code < 400 || !strings.Contains(body, c.want) {
				t.Errorf("%+v: %d, want an error %q", c, code, c.want)
			}
		}
		if code, _ := post(demo.Password("resident"), "a-new-password", "a-new-password"); code != http.StatusSeeOther {
			t.Fatalf("change = %d", code)
		}
		if code, _ := here.get("/"); code != 200 {
			t.Errorf("this session after the change = %d", code)
		}
		if code, _ := there.get("/"); code != http.StatusSeeOther {
			t.Errorf("the other session after the change = %d, want a redirect to sign in", code)
		}
		if code := newBrowser(t, a.srv.URL).login("resident", "a-new-password"); code != http.StatusSeeOther {
			t.Errorf("sign-in with the new password = %d", code)
		}
	})
}

// TestUserUpdateAndResetAPI: PATCH changes a user with the form's rules; the reset answers a
// generated password once; both need users:write; the admin cannot demote themselves.
func TestUserUpdateAndResetAPI(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		ctx := context.Background()
		u := a.user("dispatcher")
		self := a.user("admin")
		path := "/api/v1/users/" + itoa(u.ID)
		var e apiErr
		if code := a.call("admin", "PATCH", path, `{"display_name":"x","role":"handler"}`, &e); code != 422 || e.Error.Field != "department" {
			t.Errorf("handler without department = %d %+v", code, e)
		}
		var got auth.User
		if code := a.call("admin", "PATCH", path, `{"display_name":"调度甲","phone":"13900000002","role":"dispatcher"}`, &got); code != 200 || got.DisplayName != "调度甲" {
			t.Errorf("PATCH = %d %+v", code, got)
		}
		if code := a.call("dispatcher", "PATCH", path, `{"display_name":"y","role":"dispatcher"}`, nil); code != 403 {
			t.Errorf("dispatcher PATCH = %d, want 403", code)
		}
		if code := a.call("admin", "PATCH", "/api/v1/users/"+itoa(self.ID), `{"display_name":"a","role":"leader"}`, nil); code != 422 {
			t.Errorf("admin demotes themselves = %d, want 422", code)
		}
		var out map[string]any
		if code := a.call("admin", "POST", path+"/password", `{}`, &out); code != 200 || len(out["password"].(string)) < auth.MinPasswordLen {
			t.Errorf("reset = %d %v", code, out)
		}
		out = nil
		if code := a.call("admin", "POST", path+"/password", `{"password":"chosen-one-pw"}`, &out); code != 200 || out["password"] != nil {
			t.Errorf("set = %d %v (the chosen password must not be echoed)", code, out)
		}
		if _, err := auth.Authenticate(ctx, a.db, "dispatcher", "chosen-one-pw", "192.0.2.3"); err != nil {
			t.Errorf("chosen password refused: %v", err)
		}
		if code := a.call("changning", "POST", path+"/password", `{}`, nil); code != 404 && code != 403 {
			t.Errorf("another town's admin resets = %d, want 403/404", code)
		}
	})
}

// TestAdminPagesEnglishLabels: in English the users, edit, password and audit pages' headings,
// column heads, labels and buttons hold no Chinese (names in the data may).
func TestAdminPagesEnglishLabels(t *testing.T) {
	a := newApp(t, testdb.SQLite(t))
	b := newBrowser(t, a.srv.URL)
	b.login("admin", demo.Password("admin"))
	gw, _ := auth.UserByUsername(context.Background(), a.db, "gridworker")
	cjk := regexp.MustCompile(`\p{Han}`)
	labels := regexp.MustCompile(`<(?:th|label|button|h1|h2|option value="")[^>]*>([^<]*)<`)
	for _, p := range []string{"/admin/users", "/admin/users/" + itoa(gw.ID) + "/edit", "/account/password", "/admin/audit"} {
		code, body := b.get(p + "?lang=en")
		if code != 200 {
			t.Fatalf("%s = %d", p, code)
		}
		ms := labels.FindAllStringSubmatch(body, -1)
		if len(ms) < 4 {
			t.Errorf("%s: only %d labels found", p, len(ms))
		}
		for _, m := range ms {
			if cjk.MatchString(m[1]) {
				t.Errorf("%s: Chinese in an English label: %q", p, m[1])
			}
		}
	}
}

// TestDepartmentKindInWords: the departments page names a department's kind in the page's
// language, not by its code.
func TestDepartmentKindInWords(t *testing.T) {
	a := newApp(t, testdb.SQLite(t))
	b := newBrowser(t, a.srv.URL)
	b.login("admin", demo.Password("admin"))
	if _, body := b.get("/admin/departments?lang=zh"); !strings.Contains(body, "<td>居委会</td>") || strings.Contains(body, "<td>committee</td>") {
		t.Error("zh departments page shows the kind's code")
	}
	if _, body := b.get("/admin/departments?lang=en"); strings.Contains(body, "<td>committee</td>") {
		t.Error("en departments page shows the kind's code")
	}
}
