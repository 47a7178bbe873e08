package orders

import (
	"fmt"
	"time"

	"github.com/civicgrid/civicgrid/internal/workorder"
)

// applySelfHandle closes a grid worker's own patrol report on the spot (自行处置). workorder has
// already checked the state, that the actor raised the order and that it lies in the actor's
// grid; the channel is the store's to check, since only a patrol report is the worker's own find:
// a hotline or resident order the worker typed in for someone else goes through dispatch.
func applySelfHandle(o *Order, ev *Event, now time.Time) error {
	if o.Channel != ChannelPatrol {
		return fmt.Errorf("%w: only a patrol report (网格巡查) can be handled on the spot, this order came by %s",
			workorder.ErrForbidden, o.Channel)
	}
	o.Result = ev.Result
	o.ClosedAt = &now
	ev.Data["self_handled"] = true
	return nil
}
