package orders

import (
	"context"
	"time"
)

// Change is what the live screens of the operations centre are told about a committed change of
// an order: where it is, what it is about and what happened. It carries no personal data (no
// content, address, caller or actor), so it may travel through PostgreSQL's NOTIFY and reach
// every screen of the town.
type Change struct {
	Town     string    `json:"town"`
	ID       int64     `json:"id"`
	Number   string    `json:"number"`
	State    string    `json:"state"`
	Category string    `json:"category"`
	Grid     string    `json:"grid,omitempty"`
	Lat      *float64  `json:"lat,omitempty"`
	Lng      *float64  `json:"lng,omitempty"`
	Overdue  bool      `json:"overdue,omitempty"`
	Action   string    `json:"action"`
	At       time.Time `json:"at"`
	// Count is, for a change of many orders at once (Action ActionMany), how many orders of the
	// town changed; such a change names no order.
	Count int `json:"count,omitempty"`
	// Cause is, for ActionMany, what changed them (ManyImport, ManyWarnings).
	Cause string `json:"cause,omitempty"`
}

// ActionMany is the action of a change that stands for many orders of a town committed at once
// (an import's batch, the warning sweep): screens reload their figures instead of applying it.
const ActionMany = "many"

// Causes of a change of many orders.
const (
	ManyImport   = "import"   // a batch of hotline rows imported or pushed
	ManyWarnings = "warnings" // the sweep that flags orders nearing their deadline
)

// ChangeNotifier is the hook point of live updates (internal/live). The store calls OrderChanged
// once a change is committed, from the goroutine that made it, so an implementation must not
// block: the in-process bus hands the change to its subscribers' buffers, the PostgreSQL one
// sends one NOTIFY.
type ChangeNotifier interface {
	OrderChanged(ctx context.Context, c Change)
}

// ChangeOf is the live-screen view of o after action.
func ChangeOf(o Order, action string) Change {
	return Change{Town: o.TownCode, ID: o.ID, Number: o.Number, State: o.State, Category: o.Category, Grid: o.Grid,
		Lat: o.Lat, Lng: o.Lng, Overdue: o.Overdue, Action: action, At: o.UpdatedAt}
}

// announce tells the change notifier, if one is set, that o was committed after action. Batch
// paths inside a caller's transaction (CreateTx, ActTx, BulkCreate: imports, the demo, visit
// campaigns) announce nothing themselves: the caller, once its transaction is committed, calls
// AnnounceMany for the batch (the hotline import and push do, once per committed batch).
func (s *Store) announce(ctx context.Context, o Order, action string) {
	if s.Changes == nil {
		return
	}
	s.Changes.OrderChanged(context.WithoutCancel(ctx), ChangeOf(o, action))
}

// AnnounceMany tells the change notifier, if one is set, that n orders of town were committed at
// once (cause: ManyImport, ManyWarnings): one coalesced change per batch, not one per order, so
// that a million-row import sends a hundred notifications instead of a million. Call it after
// the commit; n <= 0 announces nothing.
func (s *Store) AnnounceMany(ctx context.Context, town string, n int, cause string) {
	if s.Changes == nil || n <= 0 {
		return
	}
	s.Changes.OrderChanged(context.WithoutCancel(ctx), Change{Town: town, Action: ActionMany, Count: n, Cause: cause, At: s.now()})
}
