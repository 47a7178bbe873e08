package orders_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Two dispatchers see the same two duplicates and merge them into each other at the same moment,
// A into B and B into A, for 100 pairs at once. Exactly one merge of each pair may win: the other
// must be told that its target was merged meanwhile, and no pair may end with both orders merged
// (the demand would be gone from every queue). On PostgreSQL this failed for most pairs before
// merges locked both orders.
func TestConcurrentCrossMerge(t *testing.T) {
	each(t, at("2025-11-03 10:00"), func(t *testing.T, e env) {
		const pairs = 100
		type pair struct{ a, b orders.Order }
		ps := make([]pair, pairs)
		for i := range ps {
			ps[i] = pair{e.create(t, e.newOrder("同一处垃圾")), e.create(t, e.newOrder("同一处垃圾（重复）"))}
		}
		errs := make([][2]error, pairs)
		start := make(chan struct{})
		var ready, done sync.WaitGroup
		merge := func(o orders.Order, into int64, out *error) {
			defer done.Done()
			ready.Done()
			<-start // every goroutine waits here, so the merges of a pair really overlap
			_, *out = e.s.Act(ctx, e.f.Towns(), o.ID, e.f.As(e.f.Dispatcher), workorder.ActMerge, o.Version,
				workorder.Input{DuplicateOf: into})
		}
		for i, p := range ps {
			ready.Add(2)
			done.Add(2)
			go merge(p.a, p.b.ID, &errs[i][0])
			go merge(p.b, p.a.ID, &errs[i][1])
		}
		ready.Wait()
		close(start)
		done.Wait()

		for i, p := range ps {
			won := 0
			for k, err := range errs[i] {
				switch {
				case err == nil:
					won++
				case errors.Is(err, problem.ErrConflict):
				default:
					t.Errorf("pair %d merge %d: want success or a conflict, got %v", i, k, err)
				}
			}
			a, b := e.get(t, p.a.ID), e.get(t, p.b.ID)
			merged := 0
			for _, o := range []orders.Order{a, b} {
				if o.State == string(workorder.Merged) {
					merged++
				}
			}
			if won != 1 || merged != 1 {
				t.Errorf("pair %d: %d merges succeeded and %d orders ended merged (%s→%d, %s→%d); want exactly one each",
					i, won, merged, a.State, a.DuplicateOf, b.State, b.DuplicateOf)
			}
		}
	})
}
