package orders_test

import (
	"testing"

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
