package orders_test

import (
	"github.com/civicgrid/civicgrid/internal/demo"
	"net/http"
	"testing"

	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// The order routes: the happy path, forbidden, not found and bad input of each.
func TestOrderScenarios(t *testing.T) {
	webtest.Each(t, demo.World, func(t *testing.T, a *webtest.App) {
		// The demo world has no orders: the first scenarios make one in each town.
		a.Run(t, []webtest.Scenario{
			{Name: "create", User: "dispatcher", Method: "POST", URL: "/api/v1/orders", Body: `{"content": "楼道堆放杂物", "address": "新泾一村"}`,
				Status: http.StatusCreated, Contains: []string{"楼道堆放杂物"}},
			{Name: "create in another town", User: "lujiazui_admin", Method: "POST", URL: "/api/v1/orders", Body: `{"content": "路灯不亮", "address": "陆家嘴"}`,
				Status: http.StatusCreated},
		})
		a.Var("order", `SELECT id FROM orders WHERE town_code = ? ORDER BY id LIMIT 1`, world.XinjingCode)
		a.Var("number", `SELECT number FROM orders WHERE town_code = ? ORDER BY id LIMIT 1`, world.XinjingCode)
		a.Var("other", `SELECT id FROM orders WHERE town_code = ? ORDER BY id LIMIT 1`, world.LujiazuiCode)
		a.Run(t, []webtest.Scenario{
			{Name: "list", User: "dispatcher", Method: "GET", URL: "/api/v1/orders", Status: http.StatusOK, Contains: []string{`"number"`}},
			{Name: "list anonymous", Method: "GET", URL: "/api/v1/orders", Status: http.StatusUnauthorized},
			{Name: "list without orders:read", User: "volunteer", Method: "GET", URL: "/api/v1/orders", Status: http.StatusForbidden},
			{Name: "list bad filter", User: "dispatcher", Method: "GET", URL: "/api/v1/orders?from=yesterday", Status: http.StatusBadRequest},
			{Name: "one", User: "dispatcher", Method: "GET", URL: "/api/v1/orders/{order}", Status: http.StatusOK, Contains: []string{"{number}"}},
			{Name: "one of another town", User: "dispatcher", Method: "GET", URL: "/api/v1/orders/{other}", Status: http.StatusNotFound},
			{Name: "one not there", User: "dispatcher", Method: "GET", URL: "/api/v1/orders/999999999", Status: http.StatusNotFound},
			{Name: "one bad id", User: "dispatcher", Method: "GET", URL: "/api/v1/orders/abc", Status: http.StatusBadRequest},
			{Name: "create without orders:create", User: "volunteer", Method: "POST", URL: "/api/v1/orders", Body: `{"content": "x"}`, Status: http.StatusForbidden},
			{Name: "create unknown field", User: "dispatcher", Method: "POST", URL: "/api/v1/orders", Body: `{"nope": 1}`,
				Status: http.StatusBadRequest, Contains: []string{"nope"}},
			{Name: "create trailing data", User: "dispatcher", Method: "POST", URL: "/api/v1/orders", Body: `{"content": "x"} {}`, Status: http.StatusBadRequest},
			{Name: "act unknown action", User: "dispatcher", Method: "POST", URL: "/api/v1/orders/{order}/actions", Body: `{"action": "fly", "version": 1}`,
				Status: http.StatusBadRequest, Contains: []string{"action"}},
			{Name: "act on another town's order", User: "dispatcher", Method: "POST", URL: "/api/v1/orders/{other}/actions", Body: `{"action": "file", "version": 1}`,
				Status: http.StatusNotFound},
			{Name: "categories", User: "dispatcher", Method: "GET", URL: "/api/v1/categories", Status: http.StatusOK, Contains: []string{`"categories"`}},
			{Name: "categories of another town", User: "dispatcher", Method: "GET", URL: "/api/v1/categories?town=" + world.LujiazuiCode, Status: http.StatusNotFound},
			{Name: "notifications", User: "dispatcher", Method: "GET", URL: "/api/v1/notifications", Status: http.StatusOK},
			{Name: "notifications anonymous", Method: "GET", URL: "/api/v1/notifications", Status: http.StatusUnauthorized},
			{Name: "upload without a file", User: "dispatcher", Method: "POST", URL: "/api/v1/uploads", Body: "town=" + world.XinjingCode, Status: http.StatusBadRequest},
			{Name: "page list", User: "dispatcher", Method: "GET", URL: "/orders?state=received", Status: http.StatusOK, Contains: []string{"{number}"}},
			{Name: "page list past its end says how many there are", User: "dispatcher", Method: "GET", URL: "/orders?offset=10000", Status: http.StatusOK,
				Contains: []string{"0 / "}, NotContains: []string{"10001–"}},
			// Deeper than orders.MaxOffset without a cursor: refused, naming the field and the way on.
			{Name: "page list past the deepest offset", User: "dispatcher", Method: "GET", URL: "/orders?offset=10001", Status: http.StatusUnprocessableEntity},
			{Name: "api list past the deepest offset", User: "dispatcher", Method: "GET", URL: "/api/v1/orders?offset=500000", Status: http.StatusUnprocessableEntity,
				Contains: []string{`"offset"`, "after="}},
			{Name: "page list anonymous goes to sign-in", Method: "GET", URL: "/orders", Status: http.StatusSeeOther},
			{Name: "page one", User: "dispatcher", Method: "GET", URL: "/orders/{order}", Status: http.StatusOK, Contains: []string{"{number}"}},
			// The dispatch form of a received order without a category: departments grouped by kind,
			// the town's preset table, and no "similar orders" (anything in the grid would be).
			{Name: "page one dispatch form", User: "dispatcher", Method: "GET", URL: "/orders/{order}", Status: http.StatusOK,
				Contains:    []string{`<optgroup label="城运中心">`, `<optgroup label="居委会">`, `data-leads="{`, `class="wide co-picker"`, `type="checkbox" name="co_departments"`},
				NotContains: []string{`id="similar"`, `name="co_departments" multiple`, "ljz-"}},
			{Name: "page new shows the dispatcher the preset", User: "dispatcher", Method: "GET", URL: "/orders/new", Status: http.StatusOK,
				Contains: []string{`class="lead-note new-lead"`, "按类别预设"}},
			{Name: "page one of another town", User: "dispatcher", Method: "GET", URL: "/orders/{other}", Status: http.StatusNotFound},
			{Name: "page new without orders:create", User: "volunteer", Method: "GET", URL: "/orders/new", Status: http.StatusForbidden},
		})
	})
}
