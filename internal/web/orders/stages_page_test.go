package orders_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// named: the owner is shown by the name the order's facts show (department, grid), not a code.
func named(body, owner string) bool {
	return owner != "" && strings.Contains(body, "<dd>"+owner)
}

var stageRowRe = regexp.MustCompile(`<tr data-stage="([a-z_]+)" data-status="([a-z_]+)"><td>([^<]*)</td><td>([^<]*)</td>`)

// TestOrderPageStages: a handled order's page shows its stage clocks — filing and dispatch by the
// operations centre, handling by the department, verification running for the grid — in both
// languages, and the API's order carries the same rows.
func TestOrderPageStages(t *testing.T) {
	webtest.Each(t, demo.WorldWithOrders, func(t *testing.T, a *webtest.App) {
		a.Var("handled", `SELECT o.id FROM orders o JOIN users u ON u.grid_code = o.grid_code
			WHERE u.username = 'gridworker' AND o.state = 'handled' AND o.suspended = 0 ORDER BY o.id LIMIT 1`)
		for _, tc := range []struct{ path, title, centre, handling, verification string }{
			{"/orders/{handled}", "办理时限", "城运中心", "办理", "核查"},
			{"/orders/{handled}?lang=en", "Time limits by stage", "Operations centre", "Handling", "Verification"},
		} {
			body := a.GetOK(t, "gridworker", tc.path)
			if !strings.Contains(body, `<section class="card stages" id="stages"><h2>`+tc.title+`</h2>`) {
				t.Fatalf("%s: no stage table", tc.path)
			}
			rows := map[string][]string{}
			var order []string
			for _, m := range stageRowRe.FindAllStringSubmatch(body, -1) {
				rows[m[1]] = m[2:]
				order = append(order, m[1])
			}
			if order[0] != "filing" || rows["filing"][2] != tc.centre {
				t.Errorf("%s: stages %v, filing %v", tc.path, order, rows["filing"])
			}
			if h := rows["handling"]; h == nil || h[1] != tc.handling || !named(body, h[2]) || (h[0] != "on_time" && h[0] != "late") {
				t.Errorf("%s: handling %v", tc.path, h)
			}
			if v := rows["verification"]; v == nil || v[1] != tc.verification || !named(body, v[2]) ||
				(v[0] != "running" && v[0] != "overdue") {
				t.Errorf("%s: verification %v", tc.path, v)
			}
		}
		body := a.GetOK(t, "gridworker", "/api/v1/orders/{handled}")
		var o struct {
			Stages []struct {
				Stage, Status string
				FinishedAt    *string `json:"finished_at"`
				OnTime        *bool   `json:"on_time"`
			} `json:"stages"`
		}
		if err := json.Unmarshal([]byte(body), &o); err != nil {
			t.Fatal(err)
		}
		last := o.Stages[len(o.Stages)-1]
		if last.Stage != "verification" || last.FinishedAt != nil || last.OnTime != nil {
			t.Fatalf("API stages end with %+v", last)
		}
	})
}
