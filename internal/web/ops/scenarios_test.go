package ops_test

import (
	"net/http"
	"testing"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// The operations centre's routes: the happy path, forbidden, not found and bad input of each.
func TestOpsScenarios(t *testing.T) {
	webtest.Each(t, demo.WorldWithOrders, func(t *testing.T, a *webtest.App) {
		a.Var("number", `SELECT number FROM orders WHERE town_code = ? AND lat IS NOT NULL ORDER BY received_at DESC, id DESC LIMIT 1`, world.XinjingCode)
		a.Var("othernumber", `SELECT number FROM orders WHERE town_code = ? ORDER BY received_at DESC LIMIT 1`, world.LujiazuiCode)
		a.Var("grid", `SELECT code FROM grids WHERE town_code = ? ORDER BY code LIMIT 1`, world.XinjingCode)
		a.Run(t, []webtest.Scenario{
			{Name: "points", User: "dispatcher", Method: "GET", URL: "/api/v1/ops/points?days=90&open=false", Status: http.StatusOK,
				Contains: []string{`"points"`, "{number}", `"truncated":false`}, NotContains: []string{"{othernumber}", `"content"`, `"address"`, `"caller`}},
			{Name: "points limited", User: "leader", Method: "GET", URL: "/api/v1/ops/points?days=90&open=false&limit=1", Status: http.StatusOK,
				Contains: []string{"{number}", `"truncated":true`}},
			{Name: "points of a town of the caller", User: "admin", Method: "GET", URL: "/api/v1/ops/points?town=" + world.XinjingCode, Status: http.StatusOK},
			{Name: "points of another town", User: "dispatcher", Method: "GET", URL: "/api/v1/ops/points?town=" + world.LujiazuiCode, Status: http.StatusNotFound},
			{Name: "points days too many", User: "dispatcher", Method: "GET", URL: "/api/v1/ops/points?days=91", Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"days"`}},
			{Name: "points days zero", User: "dispatcher", Method: "GET", URL: "/api/v1/ops/points?days=0", Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"days"`}},
			{Name: "points days not a number", User: "dispatcher", Method: "GET", URL: "/api/v1/ops/points?days=x", Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"days"`}},
			{Name: "points limit too high", User: "dispatcher", Method: "GET", URL: "/api/v1/ops/points?limit=5001", Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"limit"`}},
			{Name: "points open not a bool", User: "dispatcher", Method: "GET", URL: "/api/v1/ops/points?open=maybe", Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"open"`}},
			{Name: "points without ops:read", User: "handler_police", Method: "GET", URL: "/api/v1/ops/points", Status: http.StatusForbidden},
			{Name: "points of a grid worker", User: "gridworker", Method: "GET", URL: "/api/v1/ops/points", Status: http.StatusForbidden},
			{Name: "points anonymous", Method: "GET", URL: "/api/v1/ops/points", Status: http.StatusUnauthorized},
			{Name: "figures", User: "leader", Method: "GET", URL: "/api/v1/ops/figures", Status: http.StatusOK, Contains: []string{"{grid}", `"total"`, `"today"`}},
			{Name: "figures of another town", User: "leader", Method: "GET", URL: "/api/v1/ops/figures?town=" + world.LujiazuiCode, Status: http.StatusNotFound},
			{Name: "figures without ops:read", User: "deputy", Method: "GET", URL: "/api/v1/ops/figures", Status: http.StatusForbidden},
			{Name: "heat", User: "dispatcher", Method: "GET", URL: "/api/v1/ops/heat?days=90", Status: http.StatusOK, Contains: []string{`"cells":[{`}},
			{Name: "heat of a category nobody reported", User: "dispatcher", Method: "GET", URL: "/api/v1/ops/heat?days=90&category=nope", Status: http.StatusOK, Contains: []string{`"cells":[]`}},
			{Name: "heat bad days", User: "dispatcher", Method: "GET", URL: "/api/v1/ops/heat?days=-1", Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"days"`}},
			{Name: "live without ops:read", User: "resident", Method: "GET", URL: "/api/v1/live", Status: http.StatusForbidden},
			{Name: "live of another town", User: "dispatcher", Method: "GET", URL: "/api/v1/live?town=" + world.LujiazuiCode, Status: http.StatusNotFound},
			{Name: "live anonymous", Method: "GET", URL: "/api/v1/live", Status: http.StatusUnauthorized},
			{Name: "hotspots", User: "dispatcher", Method: "GET", URL: "/api/v1/ops/hotspots", Status: http.StatusOK, Contains: []string{`"hotspots":[`}},
			{Name: "hotspots of another town", User: "dispatcher", Method: "GET", URL: "/api/v1/ops/hotspots?town=" + world.LujiazuiCode, Status: http.StatusNotFound},
			{Name: "hotspots without ops:read", User: "resident", Method: "GET", URL: "/api/v1/ops/hotspots", Status: http.StatusForbidden},
			{Name: "page hotspots", User: "leader", Method: "GET", URL: "/ops/hotspots", Status: http.StatusOK, Contains: []string{"治理堵点", "泊松"}},
			{Name: "page hotspots without ops:read", User: "gridworker", Method: "GET", URL: "/ops/hotspots", Status: http.StatusForbidden},
			{Name: "supervise by a dispatcher", User: "dispatcher", Method: "POST", URL: "/ops/hotspots/supervise",
				Body: "town=" + world.XinjingCode + "&grid={grid}&category=x&from=1", Status: http.StatusForbidden},
			{Name: "supervise without a week", User: "leader", Method: "POST", URL: "/ops/hotspots/supervise",
				Body: "town=" + world.XinjingCode + "&grid={grid}&category=x", Status: http.StatusUnprocessableEntity},
			{Name: "supervise in another town", User: "leader", Method: "POST", URL: "/ops/hotspots/supervise",
				Body: "town=" + world.LujiazuiCode + "&grid={grid}&category=x&from=1", Status: http.StatusNotFound},
			{Name: "supervise without orders:act", User: "deputy", Method: "POST", URL: "/ops/hotspots/supervise",
				Body: "town=" + world.XinjingCode + "&grid={grid}&category=x&from=1", Status: http.StatusForbidden},
			{Name: "page map", User: "dispatcher", Method: "GET", URL: "/ops/map", Status: http.StatusOK,
				Contains: []string{`id="ops-data"`, "/static/ops-map.js", "leaflet.markercluster.js", "leaflet-heat.js", "mapbase.js"}},
			{Name: "page map in English", User: "leader", Method: "GET", URL: "/ops/map?lang=en", Status: http.StatusOK, Contains: []string{"Operations live map", "Colour grids by"}},
			{Name: "page map without ops:read", User: "handler_police", Method: "GET", URL: "/ops/map", Status: http.StatusForbidden},
			{Name: "page map anonymous goes to sign-in", Method: "GET", URL: "/ops/map", Status: http.StatusSeeOther, Location: "/login"},
			{Name: "page wall", User: "admin", Method: "GET", URL: "/ops/wall", Status: http.StatusOK, Contains: []string{`class="ops-wall"`, "/static/ops-wall.js", "城运中心"}},
			{Name: "page wall without ops:read", User: "volunteer", Method: "GET", URL: "/ops/wall", Status: http.StatusForbidden},
		})
	})
}
