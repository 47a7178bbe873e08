package dispatch_test

import (
	"net/http"
	"testing"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// The dispatch routes: the happy path, forbidden, not found and bad input of each, on the demo's
// rules (demo.DispatchRules: the western grids' public-security demands go to 临空派出所, night
// noise to the police, the rest of nobody's to the town's office).
func TestDispatchScenarios(t *testing.T) {
	webtest.Each(t, demo.WorldWithOrders, func(t *testing.T, a *webtest.App) {
		a.Var("west", `SELECT code FROM grids WHERE town_code = ? ORDER BY code DESC LIMIT 1`, world.XinjingCode)
		a.Var("east", `SELECT code FROM grids WHERE town_code = ? ORDER BY code LIMIT 1`, world.XinjingCode)
		a.Var("rule", `SELECT id FROM dispatch_rules WHERE town_code = ? ORDER BY id LIMIT 1`, world.XinjingCode)
		a.Var("otherrule", `SELECT id FROM dispatch_rules WHERE town_code = ? ORDER BY id LIMIT 1`, world.LujiazuiCode)
		a.Run(t, []webtest.Scenario{
			{Name: "rules", User: "dispatcher", Method: "GET", URL: "/api/v1/dispatch/rules", Status: http.StatusOK, Contains: []string{`"lead":"xj-police"`}, NotContains: []string{"ljz-police"}},
			{Name: "rules anonymous", Method: "GET", URL: "/api/v1/dispatch/rules", Status: http.StatusUnauthorized},
			{Name: "rules without dispatch:read", User: "gridworker", Method: "GET", URL: "/api/v1/dispatch/rules", Status: http.StatusForbidden},
			{Name: "suggest battery theft in a western grid", User: "dispatcher", Method: "GET",
				URL: "/api/v1/dispatch/suggest?text=%E5%B0%8F%E5%8C%BA%E7%94%B5%E7%93%B6%E8%A2%AB%E7%9B%97&grid={west}", Status: http.StatusOK,
				Contains: []string{`"category":"1402"`, `"lead":"xj-police-lk"`, `"by":"rule"`, `"matched":["top_class","grid"]`, `"words":[`}},
			{Name: "suggest the same in an eastern grid", User: "dispatcher", Method: "GET",
				URL: "/api/v1/dispatch/suggest?category=1402&grid={east}", Status: http.StatusOK, Contains: []string{`"lead":"xj-police"`, `"matched":["top_class"]`}},
			{Name: "suggest night noise", User: "leader", Method: "GET",
				URL: "/api/v1/dispatch/suggest?category=1101&grid={east}&at=2026-11-30T23:10:00%2B08:00", Status: http.StatusOK, Contains: []string{`"lead":"xj-police"`, `"time"`}},
			{Name: "suggest daytime noise: the category's department", User: "leader", Method: "GET",
				URL: "/api/v1/dispatch/suggest?category=1101&grid={east}&at=2026-11-30T10:10:00%2B08:00", Status: http.StatusOK, Contains: []string{`"by":"category"`}},
			{Name: "suggest unknown category", User: "dispatcher", Method: "GET", URL: "/api/v1/dispatch/suggest?category=99", Status: http.StatusUnprocessableEntity, Contains: []string{"category"}},
			{Name: "suggest another town", User: "dispatcher", Method: "GET", URL: "/api/v1/dispatch/suggest?town=" + world.LujiazuiCode, Status: http.StatusUnprocessableEntity, Contains: []string{"town"}},
			{Name: "suggest bad time", User: "dispatcher", Method: "GET", URL: "/api/v1/dispatch/suggest?at=tonight", Status: http.StatusUnprocessableEntity, Contains: []string{"at"}},
			{Name: "suggest bad point", User: "dispatcher", Method: "GET", URL: "/api/v1/dispatch/suggest?lat=x&lng=1", Status: http.StatusUnprocessableEntity, Contains: []string{"lat"}},
			{Name: "create rule", User: "admin", Method: "POST", URL: "/api/v1/dispatch/rules",
				Body: `{"category": "0403", "lead": "xj-opscentre", "co": ["xj-police"], "enabled": true, "note": "燃气异味城运中心先响应"}`, Status: http.StatusCreated, Contains: []string{`"lead":"xj-opscentre"`}},
			{Name: "create rule without dispatch:write", User: "dispatcher", Method: "POST", URL: "/api/v1/dispatch/rules", Body: `{"lead": "xj-office"}`, Status: http.StatusForbidden},
			{Name: "create rule naming another town's department", User: "admin", Method: "POST", URL: "/api/v1/dispatch/rules",
				Body: `{"lead": "ljz-police"}`, Status: http.StatusUnprocessableEntity, Contains: []string{"lead"}},
			{Name: "create rule unknown field", User: "admin", Method: "POST", URL: "/api/v1/dispatch/rules", Body: `{"lead": "xj-office", "colour": 1}`, Status: http.StatusBadRequest, Contains: []string{"colour"}},
			{Name: "update rule", User: "admin", Method: "PUT", URL: "/api/v1/dispatch/rules/{rule}", Body: `{"category": "14", "lead": "xj-police", "enabled": false}`, Status: http.StatusOK, Contains: []string{`"enabled":false`}},
			{Name: "update another town's rule", User: "admin", Method: "PUT", URL: "/api/v1/dispatch/rules/{otherrule}", Body: `{"lead": "xj-police"}`, Status: http.StatusNotFound},
			{Name: "delete another town's rule", User: "admin", Method: "DELETE", URL: "/api/v1/dispatch/rules/{otherrule}", Status: http.StatusNotFound},
			{Name: "delete rule bad id", User: "admin", Method: "DELETE", URL: "/api/v1/dispatch/rules/x", Status: http.StatusBadRequest},
			{Name: "page", User: "admin", Method: "GET", URL: "/admin/dispatch", Status: http.StatusOK, Contains: []string{"派单规则", "临空派出所", "属地兜底", `name="co"`, "智能建议准确率"}},
			{Name: "page try", User: "dispatcher", Method: "GET", URL: "/admin/dispatch?try=1&text=%E7%94%B5%E7%93%B6%E8%A2%AB%E7%9B%97&grid={west}", Status: http.StatusOK,
				Contains: []string{"治安隐患", "<mark>电瓶被盗</mark>", "临空派出所", "按规则 #"}, NotContains: []string{`id="dispatch-form"`}},
			{Name: "page in English", User: "leader", Method: "GET", URL: "/admin/dispatch?lang=en", Status: http.StatusOK, Contains: []string{"Dispatch rules", "Every grid"}},
			{Name: "page without dispatch:read", User: "handler_police", Method: "GET", URL: "/admin/dispatch", Status: http.StatusForbidden},
			{Name: "page save rule", User: "admin", Method: "POST", URL: "/admin/dispatch/rules", Body: "category=1202&lead=xj-construction&from=&to=&enabled=1", Status: http.StatusSeeOther},
			{Name: "page save rule refused names the field", User: "admin", Method: "POST", URL: "/admin/dispatch/rules", Body: "category=1202&lead=xj-construction&from=25:00&to=", Status: http.StatusUnprocessableEntity,
				Contains: []string{"开始", `aria-invalid="true"`}},
			{Name: "page delete another town's rule", User: "admin", Method: "POST", URL: "/admin/dispatch/rules/{otherrule}/delete", Status: http.StatusNotFound},
		})
	})
}
