package places_test

import (
	"github.com/civicgrid/civicgrid/internal/demo"
	"net/http"
	"testing"

	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// The places routes: the happy path, forbidden, not found and bad input of each.
func TestPlacesScenarios(t *testing.T) {
	webtest.Each(t, demo.World, func(t *testing.T, a *webtest.App) {
		a.Var("grid", `SELECT id FROM grids WHERE town_code = ? ORDER BY id LIMIT 1`, world.XinjingCode)
		a.Var("code", `SELECT code FROM grids WHERE town_code = ? ORDER BY id LIMIT 1`, world.XinjingCode)
		a.Var("other", `SELECT id FROM grids WHERE town_code = ? ORDER BY id LIMIT 1`, world.LujiazuiCode)
		a.Var("othercode", `SELECT code FROM grids WHERE town_code = ? ORDER BY id LIMIT 1`, world.LujiazuiCode)
		a.Run(t, []webtest.Scenario{
			{Name: "towns", User: "admin", Method: "GET", URL: "/api/v1/towns", Status: http.StatusOK, Contains: []string{world.XinjingCode}},
			{Name: "towns anonymous", Method: "GET", URL: "/api/v1/towns", Status: http.StatusUnauthorized},
			{Name: "grids", User: "gridworker", Method: "GET", URL: "/api/v1/grids", Status: http.StatusOK, Contains: []string{"{code}"}, NotContains: []string{"{othercode}"}},
			{Name: "grids of another town", User: "admin", Method: "GET", URL: "/api/v1/grids?town=" + world.LujiazuiCode, Status: http.StatusNotFound},
			{Name: "grids without grids:read", User: "resident", Method: "GET", URL: "/api/v1/grids", Status: http.StatusForbidden},
			{Name: "grid", User: "admin", Method: "GET", URL: "/api/v1/grids/{grid}", Status: http.StatusOK, Contains: []string{"{code}"}},
			{Name: "grid of another town", User: "admin", Method: "GET", URL: "/api/v1/grids/{other}", Status: http.StatusNotFound},
			{Name: "grid bad id", User: "admin", Method: "GET", URL: "/api/v1/grids/x", Status: http.StatusBadRequest},
			{Name: "save grid without grids:write", User: "dispatcher", Method: "PUT", URL: "/api/v1/grids/{grid}", Body: `{"name": "x"}`, Status: http.StatusForbidden},
			{Name: "save grid unknown field", User: "admin", Method: "PUT", URL: "/api/v1/grids/{grid}", Body: `{"colour": "red"}`,
				Status: http.StatusBadRequest, Contains: []string{"colour"}},
			{Name: "delete grid of another town", User: "admin", Method: "DELETE", URL: "/api/v1/grids/{other}", Status: http.StatusNotFound},
			{Name: "add member bad input", User: "admin", Method: "POST", URL: "/api/v1/grids/{grid}/members", Body: `{"name": ""}`, Status: http.StatusUnprocessableEntity},
			{Name: "remove member not there", User: "admin", Method: "DELETE", URL: "/api/v1/grid-members/999999999", Status: http.StatusNotFound},
			{Name: "departments", User: "dispatcher", Method: "GET", URL: "/api/v1/departments", Status: http.StatusOK},
			{Name: "save department without departments:write", User: "dispatcher", Method: "POST", URL: "/api/v1/departments", Body: `{"code": "x"}`, Status: http.StatusForbidden},
			{Name: "save department in another town", User: "admin", Method: "POST", URL: "/api/v1/departments",
				Body: `{"code": "x", "town": "` + world.LujiazuiCode + `", "name": "x", "kind": "bureau"}`, Status: http.StatusUnprocessableEntity},
			{Name: "committees", User: "admin", Method: "GET", URL: "/api/v1/committees", Status: http.StatusOK},
			{Name: "places", User: "admin", Method: "GET", URL: "/api/v1/places", Status: http.StatusOK},
			// The offline base map: the caller's towns only, no person in it, so residents' maps have it too.
			{Name: "basemap", User: "dispatcher", Method: "GET", URL: "/api/v1/basemap", Status: http.StatusOK,
				Contains: []string{`"outline"`, `"committees"`, `"landmarks"`, "{code}", "淞虹路地铁站"}, NotContains: []string{"{othercode}", `"members"`, `"phone"`}},
			{Name: "basemap of a resident", User: "resident", Method: "GET", URL: "/api/v1/basemap", Status: http.StatusOK, Contains: []string{"{code}"}},
			{Name: "basemap of another town", User: "dispatcher", Method: "GET", URL: "/api/v1/basemap?town=" + world.LujiazuiCode, Status: http.StatusNotFound},
			{Name: "basemap anonymous", Method: "GET", URL: "/api/v1/basemap", Status: http.StatusUnauthorized},
			{Name: "page map", User: "volunteer", Method: "GET", URL: "/map", Status: http.StatusOK},
			{Name: "page map anonymous goes to sign-in", Method: "GET", URL: "/map", Status: http.StatusSeeOther},
			{Name: "page grids", User: "admin", Method: "GET", URL: "/admin/grids", Status: http.StatusOK, Contains: []string{"{code}"}},
			{Name: "page grid", User: "admin", Method: "GET", URL: "/admin/grids/{code}", Status: http.StatusOK},
			{Name: "page grid of another town", User: "admin", Method: "GET", URL: "/admin/grids/{othercode}", Status: http.StatusNotFound},
			{Name: "page departments without departments:read", User: "resident", Method: "GET", URL: "/admin/departments", Status: http.StatusForbidden},
		})
	})
}
