package orders_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// TestSeveralTownsList: the city account's list (新泾镇 and 陆家嘴) names the categories and grids
// of its rows without rendering every town's pickers: a town picker instead, whose choice narrows
// the list (page and API) to that town and brings its grid, category and department pickers back.
// A town outside the caller's is not found, as for the other routes that take ?town=.
func TestSeveralTownsList(t *testing.T) {
	webtest.Each(t, demo.World, func(t *testing.T, a *webtest.App) {
		// The demo world without its orders has no category tree: a small one for each town, one
		// leaf of 新泾镇 that no order is filed under (the city's list does not render it).
		for _, c := range [][]string{
			{world.XinjingCode, "T1", "", "测试大类"}, {world.XinjingCode, "T101", "T1", "楼道堆物类"}, {world.XinjingCode, "T102", "T1", "无人用类"},
			{world.LujiazuiCode, "L1", "", "陆家嘴大类"}, {world.LujiazuiCode, "L101", "L1", "路灯类"},
		} {
			if _, err := a.DB.Exec(context.Background(), `INSERT INTO categories (town_code, code, parent_code, name) VALUES (?, ?, ?, ?)`,
				c[0], c[1], c[2], c[3]); err != nil {
				t.Fatal(err)
			}
		}
		a.Vars["cat"], a.Vars["catname"], a.Vars["unused"] = "T101", "楼道堆物类", "无人用类"
		a.Var("grid", `SELECT code FROM grids WHERE town_code = ? ORDER BY code LIMIT 1`, world.XinjingCode)
		a.Var("gridname", `SELECT name FROM grids WHERE town_code = ? ORDER BY code LIMIT 1`, world.XinjingCode)
		a.Var("othergrid", `SELECT name FROM grids WHERE town_code = ? ORDER BY code LIMIT 1`, world.LujiazuiCode)
		a.Run(t, []webtest.Scenario{
			{Name: "create", User: "dispatcher", Method: "POST", URL: "/api/v1/orders",
				Body: `{"content": "楼道堆放杂物", "address": "新泾一村", "category": "{cat}", "grid": "{grid}"}`, Status: http.StatusCreated},
			{Name: "create in another town", User: "lujiazui_admin", Method: "POST", URL: "/api/v1/orders", Body: `{"content": "路灯不亮", "address": "陆家嘴"}`,
				Status: http.StatusCreated},
		})
		a.Var("number", `SELECT number FROM orders WHERE town_code = ? ORDER BY id LIMIT 1`, world.XinjingCode)
		a.Var("othernumber", `SELECT number FROM orders WHERE town_code = ? ORDER BY id LIMIT 1`, world.LujiazuiCode)
		xj, ljz := world.XinjingCode, world.LujiazuiCode
		a.Run(t, []webtest.Scenario{
			{Name: "city list: the rows' names, a town picker, no town's pickers", User: "shanghai", Method: "GET", URL: "/orders?sort=-received_at",
				Status:      http.StatusOK,
				Contains:    []string{"{number}", "{othernumber}", "{catname}", `<select name="town"`, "全部街镇", "选定街镇后可按网格、分类、部门筛选"},
				NotContains: []string{`<select name="grid"`, `<select name="category"`, `<select name="department"`, "{unused}", "{othergrid}"}},
			{Name: "city list of one town: its pickers, its orders", User: "shanghai", Method: "GET", URL: "/orders?sort=-received_at&town=" + ljz,
				Status:      http.StatusOK,
				Contains:    []string{"{othernumber}", `<select name="grid"`, "{othergrid}", `<option value="` + ljz + `" selected>`},
				NotContains: []string{"{number}", "{gridname}", "选定街镇后"}},
			{Name: "city list by a grid without a town: the grid stays chosen", User: "shanghai", Method: "GET", URL: "/orders?sort=-received_at&grid={grid}",
				Status:      http.StatusOK,
				Contains:    []string{"{number}", `<option value="{grid}" selected>`},
				NotContains: []string{"{othernumber}", "{othergrid}"}},
			{Name: "city api of one town", User: "shanghai", Method: "GET", URL: "/api/v1/orders?town=" + xj, Status: http.StatusOK,
				Contains: []string{"{number}"}, NotContains: []string{"{othernumber}"}},
			{Name: "town account: its pickers, no town picker", User: "dispatcher", Method: "GET", URL: "/orders?sort=-received_at", Status: http.StatusOK,
				Contains: []string{`<select name="grid"`, `<select name="category"`, "{unused}"}, NotContains: []string{`<select name="town"`, "{othernumber}"}},
			{Name: "town account, its own town", User: "dispatcher", Method: "GET", URL: "/api/v1/orders?town=" + xj, Status: http.StatusOK,
				Contains: []string{"{number}"}},
			{Name: "town account, another town: not found", User: "dispatcher", Method: "GET", URL: "/orders?town=" + ljz, Status: http.StatusNotFound},
			{Name: "api, another town: not found", User: "dispatcher", Method: "GET", URL: "/api/v1/orders?town=" + ljz, Status: http.StatusNotFound},
			{Name: "export, another town: not found", User: "dispatcher", Method: "GET", URL: "/orders/export?format=csv&town=" + ljz, Status: http.StatusNotFound},
			{Name: "town too long", User: "shanghai", Method: "GET", URL: "/api/v1/orders?town=" + strings.Repeat("x", 200), Status: http.StatusBadRequest},
		})
	})
}
