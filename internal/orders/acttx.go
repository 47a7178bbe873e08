package orders

import (
	"context"

	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// ActTx is Act inside the caller's transaction, for loaders that replay many orders' histories
// at once (the demo) and must not pay a commit per step.
func (s *Store) ActTx(ctx context.Context, tx *store.Tx, towns []string, id int64, a ActorInfo, action workorder.Action, version int, in workorder.Input) (Order, error) {
	return s.act(ctx, tx, towns, id, a, action, version, in, s.now())
}
