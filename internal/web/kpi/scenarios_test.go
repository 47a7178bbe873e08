package kpi_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// The KPI routes: the happy path, forbidden roles and bad input of each.
func TestKPIScenarios(t *testing.T) {
	webtest.Each(t, demo.WorldWithOrders, func(t *testing.T, a *webtest.App) {
		a.Var("number", `SELECT number FROM orders WHERE town_code = ? ORDER BY id LIMIT 1`, world.XinjingCode)
		a.Var("other", `SELECT number FROM orders WHERE town_code = ? ORDER BY id LIMIT 1`, world.LujiazuiCode)
		// Scheduled reports (kpi.WriteDueReports' names): the leader's town's in both languages and
		// another town's.
		dir := a.Server.ReportsDir()
		if err := os.MkdirAll(dir, 0o750); err != nil {
			t.Fatal(err)
		}
		for _, town := range []string{world.XinjingCode, world.LujiazuiCode} {
			for _, name := range []string{"kpi-" + town + "-2026-10.xlsx", "kpi-" + town + "-2026-10.en.xlsx"} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte("PK"), 0o640); err != nil {
					t.Fatal(err)
				}
			}
		}
		a.Run(t, []webtest.Scenario{
			{Name: "scheduled reports", User: "leader", Method: "GET", URL: "/kpi/reports", Status: http.StatusOK,
				Contains: []string{"定期报表", `href="/kpi/reports/kpi-` + world.XinjingCode + `-2026-10.xlsx"`, `href="/kpi/reports/kpi-` + world.XinjingCode + `-2026-10.en.xlsx"`, "<td>中文</td>", "<td>英文</td>"}, NotContains: []string{"kpi-" + world.LujiazuiCode}},
			{Name: "scheduled English report download", User: "leader", Method: "GET", URL: "/kpi/reports/kpi-" + world.XinjingCode + "-2026-10.en.xlsx", Status: http.StatusOK},
			{Name: "scheduled report download", User: "leader", Method: "GET", URL: "/kpi/reports/kpi-" + world.XinjingCode + "-2026-10.xlsx", Status: http.StatusOK},
			{Name: "scheduled report of another town", User: "leader", Method: "GET", URL: "/kpi/reports/kpi-" + world.LujiazuiCode + "-2026-10.xlsx", Status: http.StatusNotFound},
			{Name: "scheduled report bad name", User: "leader", Method: "GET", URL: "/kpi/reports/..%2Fsecret.xlsx", Status: http.StatusNotFound},
			{Name: "scheduled report missing", User: "leader", Method: "GET", URL: "/kpi/reports/kpi-" + world.XinjingCode + "-2026-Q1.xlsx", Status: http.StatusNotFound},
			{Name: "scheduled reports forbidden", User: "gridworker", Method: "GET", URL: "/kpi/reports", Status: http.StatusForbidden},
			{Name: "api", User: "leader", Method: "GET", URL: "/api/v1/kpi?period=year&by=channel", Status: http.StatusOK,
				Contains: []string{`"received"`, `"on_time_handling_rate"`, `"previous"`, `"last_year"`, `"by":"channel"`}},
			{Name: "api dispatcher", User: "dispatcher", Method: "GET", URL: "/api/v1/kpi?from=2026-01-01&to=2026-01-31", Status: http.StatusOK},
			{Name: "api district account", User: "changning", Method: "GET", URL: "/api/v1/kpi?by=town", Status: http.StatusOK, Contains: []string{world.XinjingCode}},
			{Name: "api city account", User: "shanghai", Method: "GET", URL: "/api/v1/kpi?by=town", Status: http.StatusOK, Contains: []string{world.LujiazuiCode}},
			{Name: "api anonymous", Method: "GET", URL: "/api/v1/kpi", Status: http.StatusUnauthorized},
			{Name: "api handler forbidden", User: "handler_market", Method: "GET", URL: "/api/v1/kpi", Status: http.StatusForbidden},
			{Name: "api volunteer forbidden", User: "volunteer", Method: "GET", URL: "/api/v1/kpi", Status: http.StatusForbidden},
			{Name: "api bad date", User: "leader", Method: "GET", URL: "/api/v1/kpi?from=2026-02-30", Status: http.StatusUnprocessableEntity, Contains: []string{`"from"`}},
			{Name: "api bad to", User: "leader", Method: "GET", URL: "/api/v1/kpi?from=2026-03-01&to=yesterday", Status: http.StatusUnprocessableEntity, Contains: []string{`"to"`}},
			{Name: "api bad period", User: "leader", Method: "GET", URL: "/api/v1/kpi?period=decade", Status: http.StatusUnprocessableEntity, Contains: []string{`"period"`}},
			{Name: "api bad dimension", User: "leader", Method: "GET", URL: "/api/v1/kpi?by=street", Status: http.StatusUnprocessableEntity, Contains: []string{`"by"`}},
			{Name: "api another town", User: "leader", Method: "GET", URL: "/api/v1/kpi?town=" + world.LujiazuiCode, Status: http.StatusUnprocessableEntity, Contains: []string{`"town"`}},
			{Name: "page", User: "leader", Method: "GET", URL: "/kpi?period=month", Status: http.StatusOK,
				Contains: []string{"按期处置率", `id="kpi-chart"`, "kpi=on_time_handling_rate", "环比", "同比"}},
			{Name: "page by department in English", User: "leader", Method: "GET", URL: "/kpi?by=department&lang=en", Status: http.StatusOK,
				Contains: []string{"On-time handling rate", "Department"}},
			{Name: "page bad date", User: "leader", Method: "GET", URL: "/kpi?from=2026-1-1", Status: http.StatusUnprocessableEntity},
			{Name: "page forbidden", User: "gridworker", Method: "GET", URL: "/kpi", Status: http.StatusForbidden},
			{Name: "page offers the monthly report", User: "leader", Method: "GET", URL: "/kpi?from=2026-10-01&period=month", Status: http.StatusOK,
				Contains: []string{`href="/kpi/report?month=2026-10&amp;town="`}},
			{Name: "monthly report", User: "leader", Method: "GET", URL: "/kpi/report?month=2026-10", Status: http.StatusOK},
			{Name: "monthly report of a district", User: "changning", Method: "GET", URL: "/kpi/report?month=2026-10&town=" + world.XinjingCode, Status: http.StatusOK},
			{Name: "monthly report bad month", User: "leader", Method: "GET", URL: "/kpi/report?month=2026-13", Status: http.StatusUnprocessableEntity},
			{Name: "monthly report another town", User: "leader", Method: "GET", URL: "/kpi/report?month=2026-10&town=" + world.LujiazuiCode, Status: http.StatusUnprocessableEntity},
			{Name: "page offers the quarterly report", User: "leader", Method: "GET", URL: "/kpi?from=2026-10-01&period=month", Status: http.StatusOK,
				Contains: []string{`href="/kpi/report?quarter=2026-Q4&amp;town="`}},
			{Name: "quarterly report", User: "leader", Method: "GET", URL: "/kpi/report?quarter=2026-Q3", Status: http.StatusOK},
			{Name: "quarterly report bad quarter", User: "leader", Method: "GET", URL: "/kpi/report?quarter=2026-Q5", Status: http.StatusUnprocessableEntity,
				Contains: []string{"季度（如 2026-Q3）"}},
			{Name: "quarterly report forbidden", User: "handler_market", Method: "GET", URL: "/kpi/report?quarter=2026-Q3", Status: http.StatusForbidden},
			{Name: "page offers the printable report", User: "leader", Method: "GET", URL: "/kpi?from=2026-10-01&period=month", Status: http.StatusOK,
				Contains: []string{`href="/kpi/report/print?month=2026-10&amp;town="`, "打印版"}},
			{Name: "printable monthly report", User: "leader", Method: "GET", URL: "/kpi/report/print?month=2026-10", Status: http.StatusOK,
				Contains: []string{"考核指标报表 2026-10", "按期处置率", "<svg", `class="kp-bar"`, "合计", "网格", "部门", "渠道"}},
			{Name: "printable quarterly report in English", User: "leader", Method: "GET", URL: "/kpi/report/print?quarter=2026-Q3&lang=en", Status: http.StatusOK,
				Contains: []string{"KPI report 2026-Q3", "On-time handling rate", "Total", "Satisfaction"}},
			{Name: "printable report of the city's towns side by side", User: "shanghai", Method: "GET", URL: "/kpi/report/print?month=2026-10", Status: http.StatusOK,
				Contains: []string{"<h2>街镇</h2>", `<th scope="row">新泾镇</th>`, `<th scope="row">陆家嘴`, "<h2>网格</h2>", "合计"}},
			{Name: "printable report of a district", User: "changning", Method: "GET", URL: "/kpi/report/print?month=2026-10&town=" + world.XinjingCode, Status: http.StatusOK},
			{Name: "printable report bad month", User: "leader", Method: "GET", URL: "/kpi/report/print?month=2026-13", Status: http.StatusUnprocessableEntity, Contains: []string{"月份（如 2026-10）"}},
			{Name: "printable report bad quarter", User: "leader", Method: "GET", URL: "/kpi/report/print?quarter=Q3", Status: http.StatusUnprocessableEntity, Contains: []string{"季度（如 2026-Q3）"}},
			{Name: "printable report bad month in English", User: "leader", Method: "GET", URL: "/kpi/report/print?month=2026-1&lang=en", Status: http.StatusUnprocessableEntity, Contains: []string{"Month (such as 2026-10)"}},
			{Name: "printable report another town", User: "leader", Method: "GET", URL: "/kpi/report/print?month=2026-10&town=" + world.LujiazuiCode, Status: http.StatusUnprocessableEntity},
			{Name: "printable report grid worker forbidden", User: "gridworker", Method: "GET", URL: "/kpi/report/print?month=2026-10", Status: http.StatusForbidden},
			{Name: "monthly report forbidden", User: "handler_market", Method: "GET", URL: "/kpi/report?month=2026-10", Status: http.StatusForbidden},
			{Name: "rankings", User: "leader", Method: "GET", URL: "/kpi/rankings?period=year", Status: http.StatusOK,
				Contains: []string{"部门排名", "网格排名", `action="/kpi/exemptions"`}},
			{Name: "rankings dispatcher sees no exemption form", User: "dispatcher", Method: "GET", URL: "/kpi/rankings", Status: http.StatusOK,
				NotContains: []string{`action="/kpi/exemptions"`}},
			{Name: "rankings forbidden", User: "resident", Method: "GET", URL: "/kpi/rankings", Status: http.StatusForbidden},
			{Name: "exempt", User: "leader", Method: "POST", URL: "/kpi/exemptions", Body: "order={number}&reason=申诉通过：系统故障", Status: http.StatusSeeOther},
			{Name: "exempt twice", User: "leader", Method: "POST", URL: "/kpi/exemptions", Body: "order={number}&reason=again", Status: http.StatusUnprocessableEntity},
			{Name: "exempt without reason", User: "leader", Method: "POST", URL: "/kpi/exemptions", Body: "order={number}&reason=", Status: http.StatusUnprocessableEntity},
			{Name: "exempt another town's order", User: "leader", Method: "POST", URL: "/kpi/exemptions", Body: "order={other}&reason=x", Status: http.StatusUnprocessableEntity},
			{Name: "exempt forbidden to the dispatcher", User: "dispatcher", Method: "POST", URL: "/kpi/exemptions", Body: "order={number}&reason=x", Status: http.StatusForbidden},
			{Name: "rankings list the exemption", User: "leader", Method: "GET", URL: "/kpi/rankings", Status: http.StatusOK, Contains: []string{"{number}", "申诉通过：系统故障"}},
			{Name: "order list by a figure", User: "leader", Method: "GET", URL: "/orders?kpi=received&kpi_from=2020-01-01&kpi_to=2030-12-31", Status: http.StatusOK},
			{Name: "order list by a bad figure", User: "leader", Method: "GET", URL: "/api/v1/orders?kpi=nonsense&kpi_from=2026-01-01&kpi_to=2026-01-31", Status: http.StatusUnprocessableEntity, Contains: []string{`"kpi"`}},
			{Name: "order list by a figure without dates", User: "leader", Method: "GET", URL: "/api/v1/orders?kpi=received", Status: http.StatusUnprocessableEntity, Contains: []string{`"kpi_from"`}},
			{Name: "order list of a late owner", User: "leader", Method: "GET", URL: "/api/v1/orders?late_owner=centre:" + world.XinjingCode, Status: http.StatusOK},
			{Name: "order list of the orders with a late stage", User: "leader", Method: "GET", URL: "/api/v1/orders?late=1", Status: http.StatusOK},
			{Name: "order list with a bad late", User: "leader", Method: "GET", URL: "/api/v1/orders?late=maybe", Status: http.StatusUnprocessableEntity, Contains: []string{`"late"`}},
			{Name: "order list of a bad late owner", User: "leader", Method: "GET", URL: "/api/v1/orders?late_owner=mayor:x", Status: http.StatusUnprocessableEntity, Contains: []string{`"late_owner"`}},
			{Name: "leader home", User: "leader", Method: "GET", URL: "/", Status: http.StatusOK, Contains: []string{`id="kpi-home"`, "超期环节", `id="kpi-late-all"`}},
			{Name: "district home", User: "changning", Method: "GET", URL: "/", Status: http.StatusOK, Contains: []string{`id="kpi-area"`, "各街镇本月指标"}},
			{Name: "city home", User: "shanghai", Method: "GET", URL: "/", Status: http.StatusOK, Contains: []string{`id="kpi-area"`, "各区本月指标"}},
			{Name: "dispatcher home keeps its queues", User: "dispatcher", Method: "GET", URL: "/", Status: http.StatusOK, NotContains: []string{`id="kpi-home"`, `id="kpi-area"`}},
		})
	})
}
