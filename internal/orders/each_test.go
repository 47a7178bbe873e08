package orders_test

import (
	"slices"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Each walks the same orders in the same order as the list's pages, for every sort (ties on the
// sort column and orders without a deadline included), in batches smaller than the list.
func TestEachFollowsTheList(t *testing.T) {
	each(t, at("2025-11-03 09:00"), func(t *testing.T, e env) {
		f := e.f
		for i := range 11 {
			// Two orders per hour: ties on received_at, broken by id.
			e.clock.Set(at("2025-11-03 09:00").Add(time.Duration(i/2) * time.Hour))
			o := e.create(t, e.newOrder("楼道堆物"))
			if i%3 == 0 {
				// Filed orders have a deadline, the others none (NULL).
				e.do(t, o, f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.Category, Grid: f.Grid})
			}
		}
		other := e.newOrder("陆家嘴")
		other.TownCode, other.Grid, other.Category = f.OtherTown, f.OtherGrid, ""
		e.create(t, other)
		for sort := range orders.Sorts {
			for _, filter := range []orders.Filter{{Towns: f.Towns(), Sort: sort}, {Towns: f.Towns(), Sort: sort, States: []string{"received"}}} {
				filter.Limit = 500
				total, list, err := e.s.List(ctx, filter)
				if err != nil {
					t.Fatal(err)
				}
				var want, got []int64
				for _, o := range list {
					want = append(want, o.ID)
				}
				batches := 0
				if err := e.s.Each(ctx, filter, 2, func(os []orders.Order) error {
					batches++
					for _, o := range os {
						got = append(got, o.ID)
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) {
					t.Errorf("sort %s states %v: Each gave %v, the list %v", sort, filter.States, got, want)
				}
				if n, err := e.s.Count(ctx, filter, orders.CountBound); err != nil || n != total {
					t.Errorf("sort %s: Count = %d, %v; the list's total %d", sort, n, err, total)
				}
				if batches < len(want)/2 {
					t.Errorf("sort %s: %d batches for %d orders", sort, batches, len(want))
				}
			}
		}
		if err := e.s.Each(ctx, orders.Filter{Towns: f.Towns(), Sort: "nonsense"}, 0, func([]orders.Order) error { return nil }); err == nil {
			t.Error("Each took an unknown sort")
		}
	})
}
