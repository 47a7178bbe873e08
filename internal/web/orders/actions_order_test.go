package orders_test

import (
	"github.com/civicgrid/civicgrid/internal/demo"
	"regexp"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

var tabRe = regexp.MustCompile(`<button type="button" class="action-tab([^"]*)" data-target="act-([a-z_]+)">`)
var formRe = regexp.MustCompile(`<form [^>]*class="form action-form" id="act-([a-z_]+)"([^>]*)>`)

// TestOrderPageButtonOrder: a handler who has accepted an order is offered 处置反馈 first (and
// selected), 退单 last, red, asking before it is sent; a grid worker verifying sees pass first and
// rework last; no destructive form opens preselected.
func TestOrderPageButtonOrder(t *testing.T) {
	webtest.Each(t, demo.WorldWithOrders, func(t *testing.T, a *webtest.App) {
		// Which department has an accepted order depends on the day the demo was generated, so the
		// handler is whoever leads the first one.
		a.Var("accepted", `SELECT o.id FROM orders o WHERE o.state = 'in_progress' AND o.suspended = 0 AND o.extension_pending = 0
			AND EXISTS (SELECT 1 FROM users u WHERE u.role = 'handler' AND u.department_code = o.department_code) ORDER BY o.id LIMIT 1`)
		a.Var("acceptedBy", `SELECT MIN(u.username) FROM users u JOIN orders o ON o.department_code = u.department_code
			WHERE u.role = 'handler' AND o.id = `+a.Vars["accepted"])
		handler := a.Vars["acceptedBy"]
		a.Var("handled", `SELECT o.id FROM orders o JOIN users u ON u.grid_code = o.grid_code
			WHERE u.username = 'gridworker' AND o.state = 'handled' AND o.suspended = 0 ORDER BY o.id LIMIT 1`)
		for _, tc := range []struct {
			user, order string
			want        []string
			danger      string
		}{
			{handler, "/orders/{accepted}", []string{"report", "extend", "return"}, "return"},
			{handler, "/orders/{accepted}?lang=en", []string{"report", "extend", "return"}, "return"},
			{"gridworker", "/orders/{handled}", []string{"verify_pass", "verify_fail"}, "verify_fail"},
		} {
			body := a.GetOK(t, tc.user, tc.order)
			var got []string
			for _, m := range tabRe.FindAllStringSubmatch(body, -1) {
				got = append(got, m[2])
				if m[2] == tc.want[0] && !strings.Contains(m[1], "active") {
					t.Errorf("%s: the first tab %s is not selected", tc.user, m[2])
				}
				if strings.Contains(m[1], "danger") && strings.Contains(m[1], "active") {
					t.Errorf("%s: the danger tab %s is preselected", tc.user, m[2])
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("%s %s: tabs %v, want %v", tc.user, tc.order, got, tc.want)
			}
			for _, m := range formRe.FindAllStringSubmatch(body, -1) {
				hasConfirm := strings.Contains(m[2], "data-confirm=")
				if (m[1] == tc.danger) != hasConfirm {
					t.Errorf("%s: form %s data-confirm=%v: %s", tc.user, m[1], hasConfirm, m[0])
				}
				if (m[1] == tc.want[0]) == strings.Contains(m[2], "hidden") {
					t.Errorf("%s: form %s visibility wrong: %s", tc.user, m[1], m[0])
				}
			}
		}
		if _, body := a.Get(handler, "/orders/{accepted}"); !strings.Contains(body, `data-confirm="确定要「退单」吗？"`) {
			t.Error("退单 asks nothing before it is sent")
		}
	})
}
