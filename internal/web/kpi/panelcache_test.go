package kpi_test

import (
	"context"
	"regexp"
	"strconv"
	"testing"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

var receivedToday = regexp.MustCompile(`data-key="received"><b>([0-9,]+)</b>`)

// TestLeaderHomeSeesANewOrderAtOnce: the leader's panel is kept between loads, yet an order
// received through the server (announced on its live bus) shows on the next load.
func TestLeaderHomeSeesANewOrderAtOnce(t *testing.T) {
	webtest.Each(t, demo.WorldWithOrders, func(t *testing.T, a *webtest.App) {
		received := func() int {
			t.Helper()
			m := receivedToday.FindStringSubmatch(a.GetOK(t, "leader", "/"))
			if m == nil {
				t.Fatal("no received-today figure on the leader's home")
			}
			n, _ := strconv.Atoi(m[1])
			return n
		}
		before := received()
		if again := received(); again != before {
			t.Fatalf("received today %d, then %d with no change", before, again)
		}
		var town string
		if err := a.DB.QueryRow(context.Background(), `SELECT town_code FROM users WHERE username = 'leader'`).Scan(&town); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Server.Kit.Orders.Create(context.Background(), orders.NewOrder{TownCode: town, Channel: orders.ChannelHotline,
			Content: "路灯不亮", Address: "新泾一村 12 号", ActorName: "派单员", ActorRole: workorder.RoleDispatcher}); err != nil {
			t.Fatal(err)
		}
		if after := received(); after != before+1 {
			t.Errorf("received today %d after a new order, want %d", after, before+1)
		}
	})
}
