package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/civicgrid/civicgrid/internal/workcal"
)

// TestAuditAndUsersInBrowser: the admin and the leader open the audit log filtered to their own
// sign-ins and see it in local time with their names and the action in words; the admin's users
// page names towns, departments and grids; the edit and password pages open.
func TestAuditAndUsersInBrowser(t *testing.T) {
	srv := StartServer(t)
	for _, who := range []struct{ user, name string }{{"admin", "admin"}, {"leader", "leader"}} {
		ctx := NewBrowser(t, 1440, 900)
		failed := watchFailures(t, ctx)
		must(t, Login(ctx, srv.URL, who.user, "demo-"+who.user), "sign in")
		signedIn := time.Now().In(workcal.Location())
		must(t, chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/admin/audit?action=login&actor="+who.user),
			chromedp.WaitVisible(chromedp.CSS(`table.audit tbody tr`)),
		), "open the audit log")
		cells := evaluate[[]string](t, ctx, `Array.from(document.querySelectorAll('table.audit tbody tr:first-child td')).map(td => td.innerText)`)
		if len(cells) < 4 {
			t.Fatalf("%s: first audit row %v", who.user, cells)
		}
		at, err := time.ParseInLocation("2006-01-02 15:04:05", cells[0], workcal.Location())
		if err != nil || at.Sub(signedIn).Abs() > 2*time.Minute {
			t.Errorf("%s: first row's time %q, want the local time of the sign-in, about %s", who.user, cells[0], signedIn.Format("2006-01-02 15:04:05"))
		}
		if !strings.HasSuffix(cells[1], "("+who.user+")") || strings.HasPrefix(cells[1], "(") {
			t.Errorf("%s: actor cell %q, want \"display name (%s)\"", who.user, cells[1], who.user)
		}
		if cells[2] != "登录" {
			t.Errorf("%s: action cell %q, want 登录", who.user, cells[2])
		}
		if total := evaluate[string](t, ctx, `document.querySelector('#audit-total').innerText`); !strings.Contains(total, "北京时间") {
			t.Errorf("%s: the page does not say which time it shows: %q", who.user, total)
		}
		Screenshot(t, ctx, "audit-"+who.user)
		if who.user != "admin" {
			continue
		}
		must(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/admin/audit?lang=en"), chromedp.WaitVisible(chromedp.CSS(`table.audit tbody tr`))), "whole log")
		if w := evaluate[int](t, ctx, `document.documentElement.scrollWidth`); w > 1440 {
			t.Errorf("audit page is %d px wide at 1440", w)
		}
		Screenshot(t, ctx, "audit-admin-all-en")
		must(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/admin/users?lang=zh"), chromedp.WaitVisible(chromedp.CSS(`table.users`))), "users page")
		town := evaluate[string](t, ctx, `document.querySelector('tr[data-user="gridworker"] td.town').innerText`)
		if !strings.Contains(town, "新泾镇") || strings.Contains(town, "310105102310105") {
			t.Errorf("gridworker's town cell %q, want its name", town)
		}
		if w := evaluate[int](t, ctx, `document.documentElement.scrollWidth`); w > 1440 {
			t.Errorf("users page is %d px wide at 1440", w)
		}
		Screenshot(t, ctx, "users-admin")
		must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`tr[data-user="gridworker"] a[href$="/edit"]`)), chromedp.WaitVisible(chromedp.CSS(`#user-edit`))), "edit page")
		Screenshot(t, ctx, "user-edit")
		must(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/account/password"), chromedp.WaitVisible(chromedp.CSS(`#change-password`))), "account page")
		Screenshot(t, ctx, "account-password")
		if f := failed(); len(f) > 0 {
			t.Errorf("failed requests (404s and the like): %v", f)
		}
	}
}

// TestGridWorkerPhoneMenu: on a 390 px phone the grid worker's menu opens from the header and
// lists 巡查上报 (/patrol) and the password page; nothing overflows sideways.
func TestGridWorkerPhoneMenu(t *testing.T) {
	srv := StartServer(t)
	ctx := NewBrowser(t, 390, 844)
	failed := watchFailures(t, ctx)
	signIn(t, ctx, srv, "gridworker")
	if w := evaluate[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("home is %d px wide on a 390 px phone", w)
	}
	if v := evaluate[bool](t, ctx, `getComputedStyle(document.querySelector('.nav')).display !== 'none'`); v {
		t.Error("the menu is open before the button is pressed")
	}
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.menu-toggle`)), chromedp.WaitVisible(chromedp.CSS(`.nav a[href="/patrol"]`))), "open the menu")
	links := evaluate[[]string](t, ctx, `Array.from(document.querySelectorAll('.nav a')).filter(a => a.offsetParent).map(a => a.innerText.trim())`)
	joined := strings.Join(links, "|")
	for _, want := range []string{"首页", "巡查上报", "修改密码"} {
		if !strings.Contains(joined, want) {
			t.Errorf("phone menu %v lacks %s", links, want)
		}
	}
	if w := evaluate[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("open menu is %d px wide on a 390 px phone", w)
	}
	Screenshot(t, ctx, "phone-gridworker-menu")
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.nav a[href="/patrol"]`)), chromedp.WaitVisible(chromedp.CSS(`form`))), "open patrol")
	if loc := evaluate[string](t, ctx, `location.pathname`); loc != "/patrol" {
		t.Errorf("menu link led to %s", loc)
	}
	must(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/account/password"), chromedp.WaitVisible(chromedp.CSS(`#change-password`))), "password page")
	if w := evaluate[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("password page is %d px wide on a 390 px phone", w)
	}
	Screenshot(t, ctx, "phone-gridworker-password")
	if f := failed(); len(f) > 0 {
		t.Errorf("failed requests (404s and the like): %v", f)
	}
}
