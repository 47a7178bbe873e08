package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/bookings"
	"github.com/civicgrid/civicgrid/internal/capacity"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// TestDemoBookings: the bookings demo loads (twice, idempotently): 陆家嘴's red route with its 13
// points and slots over a month ahead, past visits checked in or not come, a full slot with two
// groups waiting; 新泾镇's five places, the 生境花园 visited.
func TestDemoBookings(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now()
		for range 2 {
			if _, err := demo.Load(ctx, db, quiet, demo.Bookings(now)); err != nil {
				t.Fatal(err)
			}
		}
		s := &bookings.Service{DB: db}
		lz, err := s.Resources(ctx, []string{world.LujiazuiCode})
		if err != nil || len(lz) != 1 || lz[0].Name != demo.BookingRedRoute {
			t.Fatalf("陆家嘴 resources: %+v %v", lz, err)
		}
		route, err := s.Resource(ctx, lz[0].ID)
		if err != nil || len(route.Points) != 13 {
			t.Fatalf("route points: %d %v", len(route.Points), err)
		}
		slots, err := s.Slots(ctx, route.ID, now.AddDate(0, 0, -15), now.AddDate(0, 0, 31))
		if err != nil || len(slots) < 30 {
			t.Fatalf("route slots: %d %v", len(slots), err)
		}
		full, future := 0, 0
		for _, sl := range slots {
			if sl.StartsAt.After(now) {
				future++
				if sl.Left == 0 && sl.Waiting == 2 {
					full++
				}
			}
		}
		if full != 1 || future < 20 {
			t.Fatalf("future slots %d, full with two waiting %d; want a month ahead and one", future, full)
		}
		occ, err := s.OccupancyByDay(ctx, []string{world.LujiazuiCode}, route.ID, now.AddDate(0, 0, -15), now)
		if err != nil {
			t.Fatal(err)
		}
		came, missed := 0, 0
		for _, o := range occ {
			came += o.CheckedIn
			missed += o.NoShow
		}
		if came == 0 || missed == 0 {
			t.Fatalf("past route visits: %d checked in, %d not come", came, missed)
		}
		xj, err := s.Resources(ctx, []string{world.XinjingCode})
		if err != nil || len(xj) != 5 {
			t.Fatalf("新泾镇 resources: %d %v", len(xj), err)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM bookings b JOIN booking_resources r ON r.id = b.resource_id
			JOIN capacity_claims c ON c.id = b.claim_id WHERE r.name = ? AND c.state = ?`, demo.BookingGarden, capacity.StateCheckedIn).Scan(&n); err != nil || n == 0 {
			t.Fatalf("生境花园 visits checked in: %d %v", n, err)
		}
	})
}
