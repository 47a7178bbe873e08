package media

import (
	"context"
	"runtime"

	"golang.org/x/sync/semaphore"
)

// DecodeMemory is what all decodes running at once may hold together, by their estimates.
const DecodeMemory = 1 << 30

// gate bounds the decodes running at once: each takes its estimated memory from a budget, and at
// least budget/slots, so that no more than slots run together however small they are (decoding
// is CPU-bound: more than a couple per core only makes each slower). A decode estimated above
// the whole budget waits until it can run alone. Waiters are served in order, so a large photo
// is not starved by a stream of small ones.
type gate struct {
	sem    *semaphore.Weighted
	budget int64
	floor  int64
}

func newGate(slots int, budget int64) *gate {
	slots = max(1, slots)
	return &gate{sem: semaphore.NewWeighted(budget), budget: budget, floor: budget / int64(slots)}
}

// enter waits for room for a decode of the given memory estimate, or for ctx to end.
func (g *gate) enter(ctx context.Context, memory int64) (release func(), err error) {
	w := min(max(memory, g.floor), g.budget)
	if err := g.sem.Acquire(ctx, w); err != nil {
		return nil, err
	}
	return func() { g.sem.Release(w) }, nil
}

// decodes is the server-wide gate: two decodes per core, 1 GiB in all.
var decodes = newGate(2*runtime.GOMAXPROCS(0), DecodeMemory)
