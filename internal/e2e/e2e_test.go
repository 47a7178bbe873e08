package e2e

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestMain(m *testing.M) { os.Exit(RunTests(m)) }

// Grids of the demo: 新泾镇 (长宁区) has 8, 陆家嘴街道 (浦东新区) has 3.
const (
	xinjingGrids  = 8
	lujiazuiGrids = 3
)

func TestFoundationMapInBrowser(t *testing.T) {
	srv := StartServer(t)
	ctx := NewBrowser(t, 1280, 800)

	must(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#login-form button[type="submit"]`)),
	), "open /login")
	Screenshot(t, ctx, "login")

	signIn(t, ctx, srv, "admin")
	must(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`.stats`))), "home page")
	Screenshot(t, ctx, "home")

	n, err := OpenMap(ctx, srv.URL)
	must(t, err, "map")
	if n != xinjingGrids {
		t.Errorf("#map data-grids = %d, want %d", n, xinjingGrids)
	}
	if got := evaluate[int](t, ctx, `document.querySelectorAll('#map svg path.grid-polygon').length`); got != xinjingGrids {
		t.Errorf("SVG has %d path.grid-polygon, want %d", got, xinjingGrids)
	}
	if side := evaluate[string](t, ctx, `document.querySelector('.map-side').innerText`); !strings.Contains(side, "示意范围") {
		t.Errorf("map side panel lacks the 示意范围 notice:\n%s", side)
	}
	if items := evaluate[int](t, ctx, `document.querySelectorAll('#grid-list li').length`); items != xinjingGrids {
		t.Errorf("grid list has %d items, want %d", items, xinjingGrids)
	}

	must(t, WaitMapIdle(ctx), "map")
	Screenshot(t, ctx, "map-overview")

	// A click on a grid in the list zooms to it and shows its members.
	must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#grid-list li`)),
		chromedp.WaitVisible(chromedp.CSS(`#grid-detail table tr`)),
	), "open a grid from the list")
	detail, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#grid-detail`)))
	must(t, err, "read the grid detail")
	if !strings.Contains(detail, "新泾镇第一网格") || !strings.Contains(detail, "网格长") {
		t.Errorf("grid detail does not show 新泾镇第一网格 and its 网格长:\n%s", detail)
	}
	must(t, WaitMapIdle(ctx), "map after the click")
	Screenshot(t, ctx, "map")

	must(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/admin/grids"),
		chromedp.WaitVisible(chromedp.CSS(`table.table tbody tr`)),
	), "open /admin/grids")
	if rows := evaluate[int](t, ctx, `document.querySelectorAll('table.table tbody tr').length`); rows != xinjingGrids {
		t.Errorf("/admin/grids lists %d grids, want %d", rows, xinjingGrids)
	}
	Screenshot(t, ctx, "grids")
}

func TestPhoneLayout(t *testing.T) {
	srv := StartServer(t)
	ctx := NewBrowser(t, 390, 844)

	signIn(t, ctx, srv, "gridworker")
	must(t, chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`.menu-toggle`)),
		chromedp.WaitNotVisible(chromedp.CSS(`.nav`)),
	), "home page with the nav collapsed")
	if w := evaluate[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("home page is %d px wide on a 390 px phone: it scrolls sideways", w)
	}
	Screenshot(t, ctx, "phone-home")

	must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.menu-toggle`)),
		chromedp.WaitVisible(chromedp.CSS(`.nav a[href="/map"]`)),
	), "open the nav with ☰")

	n, err := OpenMap(ctx, srv.URL)
	must(t, err, "map")
	if n != xinjingGrids {
		t.Errorf("#map data-grids = %d, want %d", n, xinjingGrids)
	}
	must(t, chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`#map`)),
		chromedp.WaitNotVisible(chromedp.CSS(`.nav`)),
	), "map visible, nav collapsed")
	must(t, WaitMapIdle(ctx), "map")
	type rect struct{ Width, Height float64 }
	r := evaluate[rect](t, ctx, `(() => { const r = document.getElementById('map').getBoundingClientRect(); return {Width: r.width, Height: r.height}; })()`)
	if r.Width < 380 || r.Height < 300 {
		t.Errorf("#map is %.0f×%.0f px on a 390×844 phone, want the full width and at least 300 px high", r.Width, r.Height)
	}
	Screenshot(t, ctx, "phone-map")
}

func TestSignInFailsWithWrongPassword(t *testing.T) {
	srv := StartServer(t)
	ctx := NewBrowser(t, 1280, 800)

	err := Login(ctx, srv.URL, "admin", "not-the-password")
	if err == nil {
		t.Fatal("sign in with a wrong password succeeded")
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	must(t, err, "location")
	if !strings.HasSuffix(loc, "/login") {
		t.Errorf("after a wrong password the browser is on %s, want /login", loc)
	}
	must(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`.error[role="alert"]`))), "error message")
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.error[role="alert"]`)))
	must(t, err, "read the error message")
	if !strings.Contains(msg, "用户名或密码错误") {
		t.Errorf("error message = %q, want 用户名或密码错误", msg)
	}
}

func TestDistrictRollup(t *testing.T) {
	srv := StartServer(t)
	for _, tc := range []struct {
		user  string
		grids int
	}{
		{"changning", xinjingGrids},       // 长宁区 leader: 新泾镇 only, not 浦东新区's 陆家嘴街道
		{"lujiazui_admin", lujiazuiGrids}, // 陆家嘴街道's own admin
	} {
		t.Run(tc.user, func(t *testing.T) {
			ctx := NewBrowser(t, 1280, 800)
			must(t, Login(ctx, srv.URL, tc.user, "demo-"+tc.user), "sign in")
			n, err := OpenMap(ctx, srv.URL)
			must(t, err, "map")
			if n != tc.grids {
				t.Errorf("%s sees %d grids on /map, want %d", tc.user, n, tc.grids)
			}
			if got := evaluate[int](t, ctx, `document.querySelectorAll('#map svg path.grid-polygon').length`); got != tc.grids {
				t.Errorf("%s: SVG has %d path.grid-polygon, want %d", tc.user, got, tc.grids)
			}
		})
	}
}

// must ends the test when a browser step fails.
func must(t *testing.T, err error, step string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// signedIn starts a server on the demo, opens a browser window of width×height and signs in as
// the demo user (password demo-<user>).
func signedIn(t *testing.T, user string, width, height int) (*Server, context.Context) {
	t.Helper()
	srv := StartServer(t)
	ctx := NewBrowser(t, width, height)
	signIn(t, ctx, srv, user)
	return srv, ctx
}

// signIn signs the browser in to srv as the demo user (password demo-<user>).
func signIn(t *testing.T, ctx context.Context, srv *Server, user string) {
	t.Helper()
	must(t, Login(ctx, srv.URL, user, "demo-"+user), "sign in as "+user)
}

// visit opens url in the browser; step names it when it fails.
func visit(t *testing.T, ctx context.Context, url, step string) {
	t.Helper()
	must(t, chromedp.Do(ctx, chromedp.Navigate(url)), step)
}

// evaluate runs a JavaScript expression in the page and returns its value.
func evaluate[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}
