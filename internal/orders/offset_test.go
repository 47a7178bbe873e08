package orders_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/store"

	"github.com/civicgrid/civicgrid/internal/orders"
)

// An offset deeper than MaxOffset is refused naming the field, unless a cursor pages (then the
// offset only numbers the page, as the list page's next links send it).
func TestListCapsTheOffset(t *testing.T) {
	each(t, at("2025-06-02 10:00"), func(t *testing.T, e env) {
		a := e.create(t, e.newOrder("楼道堆物 一"))
		b := e.create(t, e.newOrder("楼道堆物 二"))
		if _, _, err := e.s.List(ctx, orders.Filter{Towns: e.f.Towns(), Offset: orders.MaxOffset}); err != nil {
			t.Fatalf("offset %d: %v", orders.MaxOffset, err)
		}
		_, _, err := e.s.List(ctx, orders.Filter{Towns: e.f.Towns(), Offset: orders.MaxOffset + 1})
		wantField(t, err, "offset")
		_, list, err := e.s.List(ctx, orders.Filter{Towns: e.f.Towns(), Offset: 500_000, Sort: "-id", After: orders.CursorOf(b, "-id")})
		if err != nil || len(list) != 1 || list[0].ID != a.ID {
			t.Fatalf("a cursor with a deep offset: %v %v", list, err)
		}
	})
}

// A page at an offset is the same slice of the list as the first pages hold, in every sort, for
// one town and for several (the page's ids are picked first, then its rows read).
func TestOffsetPageIsTheListsSlice(t *testing.T) {
	each(t, at("2025-06-02 10:00"), func(t *testing.T, e env) {
		for i := 0; i < 9; i++ {
			e.create(t, e.newOrder(fmt.Sprintf("楼道堆物 %d", i)))
		}
		for _, towns := range [][]string{e.f.Towns(), {e.f.Town, e.f.OtherTown}} {
			for sort := range orders.Sorts {
				f := orders.Filter{Towns: towns, Sort: sort, Limit: 20}
				_, all, err := e.s.List(ctx, f)
				if err != nil || len(all) != 9 {
					t.Fatalf("%s: %d orders, %v", sort, len(all), err)
				}
				f.Offset, f.Limit = 3, 4
				_, page, err := e.s.List(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := ids(page), ids(all[3:7]); !slices.Equal(got, want) {
					t.Errorf("%v %s: offset 3 = %v, want %v", towns, sort, got, want)
				}
			}
		}
	})
}

// A city's page at an offset picks its ids from the time index, then reads its own rows by id:
// the orders it skips are not read at all — on SQLite the index holds the rowid, on PostgreSQL
// the id is the index's last column (migration 0039), so that the walk is an Index Only Scan.
func TestOffsetPagePicksIdsFromAnIndex(t *testing.T) {
	each(t, at("2025-06-02 10:00"), func(t *testing.T, e env) {
		fillArchive(t, e)
		q, args, err := e.s.PageSQL(orders.Filter{Towns: []string{e.f.Town, e.f.OtherTown}, Offset: 5000})
		if err != nil {
			t.Fatal(err)
		}
		plan := explain(t, e.db, q, args)
		want := []string{"COVERING INDEX orders_received_town"}
		if e.db.Dialect() == store.Postgres {
			want = []string{"Index Only Scan Backward using orders_received_town", "Index Scan using orders_pkey"}
		}
		for _, w := range want {
			if !strings.Contains(plan, w) {
				t.Errorf("the page's ids are not picked from the time index first (no %q)\n%s\n%s", w, q, plan)
			}
		}
	})
}

func ids(os []orders.Order) []int64 {
	out := make([]int64, len(os))
	for i, o := range os {
		out[i] = o.ID
	}
	return out
}
