package bookings_test

import (
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/bookings"
	"github.com/civicgrid/civicgrid/internal/capacity"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// TestBookingNoticesLightTheBell: a confirmed booking, a place on the waiting list, the offer of a
// hold, its warning before it runs out (once), its expiry and a staff cancellation each write one
// notification for the booker, which the bell counts (a notice without an order needs its user).
func TestBookingNoticesLightTheBell(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s, clk, u := setup(t, db)
		lz := []string{world.LujiazuiCode}
		mgr := u["lujiazui_admin"]
		res, err := s.CreateResource(ctx, lz, bookings.NewResource{TownCode: world.LujiazuiCode, Kind: bookings.KindPlace, Name: "共享客厅",
			Who: bookings.WhoAnyone, HoldHours: 12, MaxPerHolder: 2}, actor(mgr), mgr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateSlots(ctx, lz, res.ID, bookings.SlotPattern{From: "2026-12-10", To: "2026-12-10", Weekdays: []int{4}, Times: []string{"14:00-16:00"}, Capacity: 1}, actor(mgr), mgr); err != nil {
			t.Fatal(err)
		}
		day := time.Date(2026, 12, 10, 0, 0, 0, 0, clk.Now().Location())
		slots, err := s.Slots(ctx, res.ID, day, day.AddDate(0, 0, 1))
		if err != nil || len(slots) != 1 {
			t.Fatalf("slots: %v %v", slots, err)
		}
		count := func(who auth.User, kind string) int {
			t.Helper()
			var n int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND kind = ? AND order_id IS NULL`, who.ID, kind).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		book := func(who auth.User) bookings.Booking {
			t.Helper()
			b, err := s.Book(ctx, slots[0].ID, bookings.Request{ContactPhone: "13812345678"}, actor(who), who)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		first := book(u["volunteer"])
		second := book(u["resident"])
		book(u["gridworker"])
		if first.State != capacity.StateConfirmed || second.State != capacity.StateWaiting || count(u["volunteer"], bookings.KindConfirmed) != 1 || count(u["resident"], bookings.KindWaiting) != 1 {
			t.Fatalf("booking notices: %s %s", first.State, second.State)
		}
		// Staff cancel the first: it is told why; the resident is offered a 12-hour hold.
		if _, err := s.CancelAsStaff(ctx, lz, first.ID, "场地维修", actor(mgr), mgr); err != nil {
			t.Fatal(err)
		}
		if count(u["volunteer"], bookings.KindCancelled) != 1 || count(u["resident"], bookings.NoticeKind) != 1 {
			t.Fatal("the staff cancellation and the offer were not both told")
		}
		// Not yet within the warning; then 7 h later within it, warned once however often swept.
		if n, err := s.WarnHolds(ctx); err != nil || n != 0 {
			t.Fatalf("warnings 12 h before: %d %v", n, err)
		}
		clk.Advance(7 * time.Hour)
		for range 2 {
			if _, err := s.WarnHolds(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if count(u["resident"], bookings.KindExpiring) != 1 {
			t.Fatalf("%d hold warnings, want 1", count(u["resident"], bookings.KindExpiring))
		}
		// The hold runs out: the resident is told, the gridworker is offered the place.
		clk.Advance(6 * time.Hour)
		if _, err := s.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if count(u["resident"], bookings.KindExpired) != 1 || count(u["gridworker"], bookings.NoticeKind) != 1 {
			t.Fatal("the expiry and the next offer were not told")
		}
		// The resident's bell counts them (the shell's count of notices that need the user).
		var unread int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL AND kind LIKE 'booking%'`, u["resident"].ID).Scan(&unread); err != nil || unread != 4 {
			t.Errorf("resident's unread booking notices: %d, want 4 (waiting, offer, warning, expiry), %v", unread, err)
		}
	})
}
