package ops

import (
	"testing"

	"github.com/civicgrid/civicgrid/internal/live"
	"github.com/civicgrid/civicgrid/internal/orders"
)

// The stream names its events by what the screen must do: apply one order's change, or reload
// (a resync, or many orders of the town at once — ops.js reloads on both).
func TestEventNames(t *testing.T) {
	for _, c := range []struct {
		action, want string
	}{{"dispatch", "order"}, {"receive", "order"}, {live.ActionResync, "resync"}, {orders.ActionMany, "many"}} {
		if got := eventName(orders.Change{Action: c.action}); got != c.want {
			t.Errorf("event of %q: %q, want %q", c.action, got, c.want)
		}
	}
}
