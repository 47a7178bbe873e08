package campaigns_test

import (
	"github.com/civicgrid/civicgrid/internal/demo"
	"net/http"
	"testing"

	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// The campaign routes: the happy path, forbidden (campaigns:plan for planning), not found and bad
// input of each.
func TestCampaignScenarios(t *testing.T) {
	webtest.Each(t, demo.World, func(t *testing.T, a *webtest.App) {
		a.Run(t, []webtest.Scenario{
			{Name: "create", User: "dispatcher", Method: "POST", URL: "/api/v1/campaigns",
				Body:   `{"name": "场景走访", "kind": "four_hundred", "start": "2025-01-01", "end": "2026-12-31"}`,
				Status: http.StatusCreated, Contains: []string{"场景走访"}},
			{Name: "create in another town", User: "lujiazui_admin", Method: "POST", URL: "/api/v1/campaigns",
				Body: `{"name": "陆家嘴走访", "kind": "other", "start": "2025-01-01", "end": "2026-12-31"}`, Status: http.StatusCreated},
		})
		a.Var("campaign", `SELECT id FROM campaigns WHERE name = ?`, "场景走访")
		a.Var("other", `SELECT id FROM campaigns WHERE name = ?`, "陆家嘴走访")
		a.Run(t, []webtest.Scenario{
			{Name: "list", User: "gridworker", Method: "GET", URL: "/api/v1/campaigns", Status: http.StatusOK, Contains: []string{"场景走访"}, NotContains: []string{"陆家嘴走访"}},
			{Name: "list without grids:read", User: "resident", Method: "GET", URL: "/api/v1/campaigns", Status: http.StatusForbidden},
			{Name: "create without campaigns:plan", User: "gridworker", Method: "POST", URL: "/api/v1/campaigns",
				Body: `{"name": "x", "kind": "other", "start": "2025-01-01", "end": "2026-12-31"}`, Status: http.StatusForbidden, Contains: []string{"campaigns:plan"}},
			{Name: "create bad input", User: "admin", Method: "POST", URL: "/api/v1/campaigns",
				Body: `{"name": "", "kind": "other", "start": "2025-01-01", "end": "2026-12-31"}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"name"`}},
			{Name: "create unknown field", User: "admin", Method: "POST", URL: "/api/v1/campaigns", Body: `{"colour": "red"}`, Status: http.StatusBadRequest},
			{Name: "one", User: "leader", Method: "GET", URL: "/api/v1/campaigns/{campaign}", Status: http.StatusOK, Contains: []string{"场景走访"}},
			{Name: "one of another town", User: "admin", Method: "GET", URL: "/api/v1/campaigns/{other}", Status: http.StatusNotFound},
			{Name: "one bad id", User: "admin", Method: "GET", URL: "/api/v1/campaigns/x", Status: http.StatusBadRequest},
			{Name: "update without campaigns:plan", User: "gridleader", Method: "PUT", URL: "/api/v1/campaigns/{campaign}",
				Body: `{"name": "x", "kind": "other", "start": "2025-01-01", "end": "2026-12-31"}`, Status: http.StatusForbidden},
			{Name: "update", User: "admin", Method: "PUT", URL: "/api/v1/campaigns/{campaign}",
				Body: `{"name": "场景走访（改）", "kind": "four_hundred", "start": "2025-01-01", "end": "2026-12-31"}`, Status: http.StatusOK, Contains: []string{"场景走访（改）"}},
			{Name: "progress", User: "gridworker", Method: "GET", URL: "/api/v1/campaigns/{campaign}/progress", Status: http.StatusOK},
			{Name: "targets", User: "gridworker", Method: "GET", URL: "/api/v1/campaigns/{campaign}/targets", Status: http.StatusOK},
			{Name: "add target without campaigns:plan", User: "gridworker", Method: "POST", URL: "/api/v1/campaigns/{campaign}/targets",
				Body: `{"kind": "household", "name": "x"}`, Status: http.StatusForbidden},
			{Name: "add target", User: "admin", Method: "POST", URL: "/api/v1/campaigns/{campaign}/targets",
				Body: `{"kind": "rider_station", "name": "快递小哥驿站", "lat": 31.209083, "lng": 121.362282}`, Status: http.StatusCreated, Contains: []string{"快递小哥驿站"}},
			{Name: "target not there", User: "admin", Method: "GET", URL: "/api/v1/campaigns/{campaign}/targets/999999999", Status: http.StatusNotFound},
			{Name: "visit without orders:create", User: "volunteer", Method: "POST", URL: "/api/v1/campaigns/{campaign}/targets/1/visits",
				Body: `{"status": "visited"}`, Status: http.StatusForbidden},
			{Name: "visits", User: "gridworker", Method: "GET", URL: "/api/v1/campaigns/{campaign}/visits", Status: http.StatusOK},
			{Name: "order from a visit not there", User: "gridworker", Method: "POST", URL: "/api/v1/visits/999999999/order", Status: http.StatusNotFound},
			{Name: "delete without campaigns:plan", User: "gridworker", Method: "DELETE", URL: "/api/v1/campaigns/{campaign}", Status: http.StatusForbidden},
			{Name: "page list", User: "gridworker", Method: "GET", URL: "/campaigns", Status: http.StatusOK, Contains: []string{"场景走访（改）"}},
			{Name: "page one", User: "gridworker", Method: "GET", URL: "/campaigns/{campaign}", Status: http.StatusOK},
			{Name: "page one of another town", User: "gridworker", Method: "GET", URL: "/campaigns/{other}", Status: http.StatusNotFound},
			{Name: "page create without campaigns:plan", User: "gridworker", Method: "POST", URL: "/campaigns", Body: "name=x", Status: http.StatusForbidden},
			{Name: "delete", User: "dispatcher", Method: "DELETE", URL: "/api/v1/campaigns/{campaign}", Status: http.StatusNoContent},
			{Name: "delete again", User: "dispatcher", Method: "DELETE", URL: "/api/v1/campaigns/{campaign}", Status: http.StatusNotFound},
		})
	})
}
