package orders

import (
	"context"
	"time"

	"github.com/civicgrid/civicgrid/internal/kpi/daily"
	"github.com/civicgrid/civicgrid/internal/store"
)

// The KPI figures kept per day (internal/kpi/daily, docs/KPI.md "How the figures are kept") are
// updated in the transaction of every change of an order that can change a figure: the writer
// takes the order's contributions before the change and applies the difference with its
// contributions after it. A lifecycle action (act) takes both from the rows it reads and writes
// anyway — the order's row, its stage rows, read once before its effects change them — and reads
// only the exemption more (in the statement that reads the stage rows); the other writers read
// them from the database (kpiLoadBefore, kpiAfter). daily.Contributions stays the one place that
// knows what an order counts in; TestKeptFiguresFollowRandomTransitions and the rebuild checks
// compare what the actions keep with a rebuild from the database.

// kpiUpkeep is off only in the baseline of the benchmark that measures the upkeep's cost
// (BenchmarkKPIUpkeep).
var kpiUpkeep = true

// kpiLoadBefore reads the contributions' input of the order id before a change, locking its row
// (PostgreSQL) first: the order's row is locked before anything of it is read, so that an
// exemption recorded meanwhile waits.
func kpiLoadBefore(ctx context.Context, tx store.Querier, id int64) (map[int64]*daily.Order, error) {
	if !kpiUpkeep {
		return nil, nil
	}
	return daily.LoadLocked(ctx, tx, id)
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

// kpiBefore is the contributions' input of o before an action: its row as act loaded it (locked,
// loadForChange), its stage rows as b holds them before the effects change them, and its
// exemption. It copies what it reads, so that the effects' changes to b do not reach it.
func kpiBefore(o *Order, b *stageBook, exempt bool) *daily.Order {
	if !kpiUpkeep {
		return nil
	}
	return kpiState(o, b, exempt)
}

// kpiState is kpiOrder of o with the stage rows of b.
func kpiState(o *Order, b *stageBook, exempt bool) *daily.Order {
	c := *o
	c.Stages = make([]OrderStage, len(b.rows))
	for i, st := range b.rows {
		c.Stages[i] = *st
	}
	return kpiOrder(&c, exempt)
}

// kpiActed is the difference an action makes to the kept figures: between the order before it
// (kpiBefore) and o as the action writes it, with its stage rows as the effects wrote them (b),
// without reading the order again: the exemption is the one read before (an action never records
// one, and the order's row lock keeps an exemption from being recorded meanwhile on PostgreSQL;
// SQLite runs one write transaction at a time). act applies it with its update of the order
// (daily.With) and daily.Apply. Empty when the upkeep is off.
func (s *Store) kpiActed(was *daily.Order, exempt bool, o *Order, b *stageBook) daily.Delta {
	d := daily.NewDelta()
	if kpiUpkeep {
		d.AddChange(was, kpiState(o, b, exempt), s.Cal)
	}
	return d
}

// kpiOrder is what the contributions read of o, as daily.Load reads it from the database.
func kpiOrder(o *Order, exempt bool) *daily.Order {
	at := func(t *time.Time) int64 {
		if t == nil || t.IsZero() {
			return 0
		}
		return t.UnixMilli()
	}
	d := &daily.Order{ID: o.ID, Town: o.TownCode, State: o.State, Received: o.ReceivedAt.UnixMilli(), Filed: at(o.FiledAt),
		Deadline: at(o.Deadline), Closed: at(o.ClosedAt), Duplicate: o.DuplicateOf != 0, Satisfaction: o.Satisfaction, Exempt: exempt}
	d.Groups[daily.DimTown], d.Groups[daily.DimGrid], d.Groups[daily.DimCommittee] = o.TownCode, o.Grid, o.Committee
	d.Groups[daily.DimDepartment], d.Groups[daily.DimCategory], d.Groups[daily.DimChannel] = o.Department, o.Category, o.Channel
	for _, st := range o.Stages {
		if !st.stored {
			continue // the filing clock shown for a received order before its first action: no row
		}
		onTime := -1
		if st.OnTime != nil {
			onTime = 0
			if *st.OnTime {
				onTime = 1
			}
		}
		d.Stages = append(d.Stages, daily.Stage{Stage: st.Stage, Outcome: st.Outcome, StartedAt: st.StartedAt.UnixMilli(),
			FinishedAt: at(st.FinishedAt), OnTime: onTime, PausedMs: st.PausedWorkingMs})
	}
	return d
}

// kpiCreated adds new orders (a bulk import) to kpi_daily: one upsert per distinct row of the
// whole batch.
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

// kpiCreatedOne adds a new order to kpi_daily from o as Create wrote it (no stage row, no
// exemption yet): its terms are the whole difference.
func (s *Store) kpiCreatedOne(ctx context.Context, tx store.Querier, o *Order) error {
	if !kpiUpkeep {
		return nil
	}
	d := daily.NewDelta()
	d.Add(kpiOrder(o, false), s.Cal, 1)
	return daily.Apply(ctx, tx, d)
}
