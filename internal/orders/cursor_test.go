package orders_test

import (
	"slices"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/orders"
)

// TestListKeyset pages through a list by cursor, forwards and back, and gets the pages that
// offsets give, in every sort that pages by keyset; equal times are told apart by id.
func TestListKeyset(t *testing.T) {
	each(t, at("2025-06-02 10:00"), func(t *testing.T, e env) {
		base := at("2025-06-01 08:00")
		for i := range 7 {
			n := e.newOrder("路灯不亮")
			n.ReceivedAt = base.Add(time.Duration(i/2) * time.Hour) // pairs share a time
			e.create(t, n)
		}
		ids := func(os []orders.Order) []int64 {
			var out []int64
			for _, o := range os {
				out = append(out, o.ID)
			}
			return out
		}
		for _, sort := range []string{"-received_at", "received_at", "id", "-id", "-updated_at"} {
			f := orders.Filter{Towns: e.f.Towns(), Sort: sort, Limit: 3}
			var byOffset [][]int64
			for off := 0; off < 7; off += 3 {
				f.Offset = off
				_, page, err := e.s.List(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				byOffset = append(byOffset, ids(page))
			}
			f.Offset = 0
			_, page, _ := e.s.List(ctx, f)
			var pages [][]orders.Order
			for len(page) > 0 {
				pages = append(pages, page)
				f.After = orders.CursorOf(page[len(page)-1], sort)
				if _, page, _ = e.s.List(ctx, f); len(pages) > 5 {
					t.Fatalf("sort %s: no end", sort)
				}
			}
			if len(pages) != len(byOffset) {
				t.Fatalf("sort %s: %d pages by cursor, %d by offset", sort, len(pages), len(byOffset))
			}
			for i := range pages {
				if !slices.Equal(ids(pages[i]), byOffset[i]) {
					t.Errorf("sort %s page %d: cursor %v, offset %v", sort, i, ids(pages[i]), byOffset[i])
				}
			}
			// Back from the last page to the one before it.
			f.After, f.Before = "", orders.CursorOf(pages[2][0], sort)
			if _, back, _ := e.s.List(ctx, f); !slices.Equal(ids(back), byOffset[1]) {
				t.Errorf("sort %s: before the last page %v, want %v", sort, ids(back), byOffset[1])
			}
		}
		if _, _, err := e.s.List(ctx, orders.Filter{Towns: e.f.Towns(), After: "x"}); err == nil {
			t.Error("a cursor that is not key.id was taken")
		}
	})
}
