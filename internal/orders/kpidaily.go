package orders

import (
	"context"

	"github.com/civicgrid/civicgrid/internal/kpi/daily"
	"github.com/civicgrid/civicgrid/internal/store"
)

// The KPI figures kept per day (internal/kpi/daily, docs/KPI.md "How the figures are kept") are
// updated in the transaction of every change of an order that can change a figure: the writer
// reads the orders' contributions before the change (kpiBefore) and applies the difference
// with their contributions after it (kpiAfter). Reading both from the database, rather than
// deriving the difference from what the action meant to do, keeps daily.Contributions the one
// place that knows what an order counts in.

// kpiUpkeep is off only in the baseline of the benchmark that measures the upkeep's cost
// (BenchmarkKPIUpkeep).
var kpiUpkeep = true

// kpiBefore reads the contributions' input of the orders ids before a change.
func kpiBefore(ctx context.Context, tx store.Querier, ids ...int64) (map[int64]*daily.Order, error) {
	if !kpiUpkeep {
		return nil, nil
	}
	return daily.Load(ctx, tx, ids)
}

// kpiAfter applies to kpi_daily the difference between the orders' state now and before.
func (s *Store) kpiAfter(ctx context.Context, tx store.Querier, before map[int64]*daily.Order, ids ...int64) error {
	if !kpiUpkeep {
		return nil
	}
	after, err := daily.Load(ctx, tx, ids)
	if err != nil {
		return err
	}
	return daily.Apply(ctx, tx, daily.Change(before, after, s.Cal))
}

// kpiCreated adds new orders (a creation or a bulk import) to kpi_daily: one upsert per
// distinct row of the whole batch.
func (s *Store) kpiCreated(ctx context.Context, tx store.Querier, ids []int64) error {
	if !kpiUpkeep {
		return nil
	}
	d := daily.NewDelta()
	for start := 0; start < len(ids); start += 1000 {
		os, err := daily.Load(ctx, tx, ids[start:min(start+1000, len(ids))])
		if err != nil {
			return err
		}
		for _, o := range os {
			d.Add(o, s.Cal, 1)
		}
	}
	return daily.Apply(ctx, tx, d)
}
