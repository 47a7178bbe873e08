package portal_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// world is the demo world with the practice network and the volunteers, whose sections the
// portal summarises.
func world(ctx context.Context, db *store.DB, _ string) error {
	now := time.Now()
	_, err := demo.Load(ctx, db, slog.New(slog.DiscardHandler), demo.Party(now), demo.Volunteers(now))
	return err
}

// The portal's routes and the public pages it leads to that came with it: the front page of
// each town (anonymous, signed in, English), an unknown town, the elderly toggle (a plain link
// that sets the cookie and goes back, never off the site), the public network map and the
// volunteer activities.
func TestPortalScenarios(t *testing.T) {
	webtest.Each(t, world, func(t *testing.T, a *webtest.App) {
		a.Var("xinjing", `SELECT code FROM regions WHERE name = '新泾镇'`)
		a.Var("lujiazui", `SELECT code FROM regions WHERE name = '陆家嘴街道'`)
		a.Run(t, []webtest.Scenario{
			{Name: "front page, default town", Method: "GET", URL: "/portal", Status: http.StatusOK,
				Contains: []string{"新泾镇", "我要反映", "查询进度", "民生项目", "协商议事", "服务清单", "场馆预约", "志愿活动", "党群阵地地图", `action="/track"`, "/portal/services?town={xinjing}", "长辈模式"}},
			{Name: "front page, other town", Method: "GET", URL: "/portal?town={lujiazui}", Status: http.StatusOK,
				Contains: []string{"陆家嘴街道", "浦东新区", "/portal/network?town={lujiazui}"}},
			{Name: "front page in English", Method: "GET", URL: "/portal?town={xinjing}&lang=en", Status: http.StatusOK,
				Contains: []string{"Report a problem", "Follow a report", "Service network map", "Large text"}},
			{Name: "front page signed in", User: "resident", Method: "GET", URL: "/portal", Status: http.StatusOK, Contains: []string{"新泾镇"}},
			{Name: "unknown town", Method: "GET", URL: "/portal?town=999", Status: http.StatusNotFound},
			{Name: "elderly on", Method: "GET", URL: "/portal/elderly?on=1&next=/portal%3Ftown%3D{lujiazui}", Status: http.StatusSeeOther, Location: "/portal?town={lujiazui}"},
			{Name: "elderly off", Method: "GET", URL: "/portal/elderly?on=0&next=/report", Status: http.StatusSeeOther, Location: "/report"},
			{Name: "elderly never leaves the site", Method: "GET", URL: "/portal/elderly?on=1&next=//evil.example", Status: http.StatusSeeOther, Location: "/portal"},
			{Name: "the header's toggle comes back to the same page", Method: "GET", URL: "/portal/projects?town={lujiazui}", Status: http.StatusOK,
				Contains: []string{"/portal/elderly?on=1&amp;next=%2fportal%2fprojects%3ftown%3d{lujiazui}"}},
			{Name: "public network map", Method: "GET", URL: "/portal/network?town={lujiazui}", Status: http.StatusOK, Contains: []string{"pt-sites-data", "/report/areas?town={lujiazui}"}},
			{Name: "public network, unknown town", Method: "GET", URL: "/portal/network?town=999", Status: http.StatusNotFound},
			{Name: "public volunteer activities", Method: "GET", URL: "/portal/volunteers?town={xinjing}", Status: http.StatusOK, Contains: []string{"vol-portal-list"}},
			{Name: "public volunteer activities, unknown town", Method: "GET", URL: "/portal/volunteers?town=999", Status: http.StatusNotFound},
		})
	})
}
