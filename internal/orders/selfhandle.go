package orders

import (
	"context"
	"fmt"

	"github.com/civicgrid/civicgrid/internal/workorder"
)

// markSelfHandled marks a grid worker's own patrol report handled on the spot (自行处置; the
// table's next effects record the result and close it). workorder has already checked the state,
// that the actor raised the order and that it lies in the actor's grid; the channel is the
// store's to check, since only a patrol report is the worker's own find: a hotline or resident
// order the worker typed in for someone else goes through dispatch.
func markSelfHandled(_ context.Context, c *change) error {
	if c.o.Channel != ChannelPatrol {
		return fmt.Errorf("%w: only a patrol report (网格巡查) can be handled on the spot, this order came by %s",
			workorder.ErrForbidden, c.o.Channel)
	}
	c.ev.Data["self_handled"] = true
	return nil
}
