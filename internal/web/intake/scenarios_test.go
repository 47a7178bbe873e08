package intake_test

import (
	"github.com/civicgrid/civicgrid/internal/demo"
	"net/http"
	"testing"

	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// The intake routes (hotline, patrol, resident report, tracking, Open311): the happy path,
// forbidden, not found and bad input of each.
func TestIntakeScenarios(t *testing.T) {
	webtest.Each(t, demo.World, func(t *testing.T, a *webtest.App) {
		a.Run(t, []webtest.Scenario{
			{Name: "hotline page", User: "dispatcher", Method: "GET", URL: "/intake/hotline", Status: http.StatusOK},
			{Name: "hotline page without intake:import", User: "gridworker", Method: "GET", URL: "/intake/hotline", Status: http.StatusForbidden},
			{Name: "hotline template", User: "admin", Method: "GET", URL: "/intake/hotline/template.xlsx", Status: http.StatusOK},
			{Name: "hotline job not there", User: "dispatcher", Method: "GET", URL: "/intake/hotline/jobs/nope", Status: http.StatusNotFound},
			{Name: "hotline push without intake:import", User: "leader", Method: "POST", URL: "/api/v1/intake/hotline", Body: `{"orders": []}`, Status: http.StatusForbidden},
			{Name: "hotline push anonymous", Method: "POST", URL: "/api/v1/intake/hotline", Body: `{"orders": []}`, Status: http.StatusUnauthorized},
			{Name: "hotline push trailing data", User: "dispatcher", Method: "POST", URL: "/api/v1/intake/hotline", Body: `{} {}`, Status: http.StatusBadRequest},
			{Name: "patrol page", User: "gridworker", Method: "GET", URL: "/patrol", Status: http.StatusOK},
			{Name: "patrol page without orders:create", User: "volunteer", Method: "GET", URL: "/patrol", Status: http.StatusForbidden},
			{Name: "patrol done not there", User: "gridworker", Method: "GET", URL: "/patrol/done/999999999", Status: http.StatusNotFound},
			{Name: "report page anonymous", Method: "GET", URL: "/report", Status: http.StatusOK},
			{Name: "report areas", Method: "GET", URL: "/report/areas", Status: http.StatusOK},
			{Name: "track page", Method: "GET", URL: "/track", Status: http.StatusOK},
			{Name: "track unknown order", Method: "GET", URL: "/api/v1/track?number=NOPE&code=ABCDEF", Status: http.StatusNotFound},
			{Name: "open311 services", Method: "GET", URL: "/open311/v2/services.json?jurisdiction_id=310105102", Status: http.StatusOK},
			{Name: "open311 request not there", Method: "GET", URL: "/open311/v2/requests/NOPE.json?jurisdiction_id=310105102", Status: http.StatusNotFound},
			{Name: "open311 post without api_key", Method: "POST", URL: "/open311/v2/requests.json", Body: "jurisdiction_id=310105102&service_code=x&lat=31.2&long=121.36", Status: http.StatusForbidden},
		})
	})
}
