package bookings_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/auth/authtest"
	"github.com/civicgrid/civicgrid/internal/bookings"
	"github.com/civicgrid/civicgrid/internal/capacity"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

var ctx = context.Background()

type clock struct{ ms atomic.Int64 }

func (c *clock) Now() time.Time          { return time.UnixMilli(c.ms.Load()) }
func (c *clock) Advance(d time.Duration) { c.ms.Add(d.Milliseconds()) }

func setup(t *testing.T, db *store.DB) (*bookings.Service, *clock, map[string]auth.User) {
	t.Helper()
	if _, err := demo.Load(ctx, db, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	u := authtest.Users(t, db, "lujiazui_admin", "resident", "volunteer", "gridworker", "admin")
	clk := &clock{}
	clk.ms.Store(time.Date(2026, 12, 7, 8, 0, 0, 0, workcal.Location()).UnixMilli())
	return &bookings.Service{DB: db, Now: clk.Now}, clk, u
}

func actor(u auth.User) audit.Actor { return audit.Actor{ID: u.ID, Name: u.Username} }

// TestRouteBookedByGroups walks 陆家嘴's red route through a full slot: units book groups, the
// last waits, a cancellation promotes it with a hold and a notice, it confirms, the manager
// checks it in by its code and marks another as not come.
func TestRouteBookedByGroups(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s, clk, u := setup(t, db)
		lz := []string{world.LujiazuiCode}
		mgr := u["lujiazui_admin"]
		res, err := s.CreateResource(ctx, lz, bookings.NewResource{TownCode: world.LujiazuiCode, Kind: bookings.KindRoute, Name: "陆家嘴红色足迹路线",
			Who: bookings.WhoUnits, GroupMin: 5, GroupMax: 30, HoldHours: 24, MaxPerHolder: 1,
			Points: []bookings.Point{{Name: "起点", Lat: 31.24, Lng: 121.50}, {Name: "终点", Lat: 31.235, Lng: 121.51}}}, actor(mgr), mgr)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Points) != 2 || res.Points[1].Seq != 2 {
			t.Fatalf("points: %+v", res.Points)
		}
		if _, err := s.CreateResource(ctx, lz, bookings.NewResource{TownCode: world.LujiazuiCode, Kind: bookings.KindPlace, Name: "x"}, actor(u["resident"]), u["resident"]); !errors.Is(err, problem.ErrForbidden) {
			t.Fatalf("a resident creates a resource: %v", err)
		}
		n, err := s.CreateSlots(ctx, lz, res.ID, bookings.SlotPattern{From: "2026-12-08", To: "2026-12-14", Weekdays: []int{2, 4, 6},
			Times: []string{"09:30-11:30", "14:00-16:00"}, Capacity: 40, MaxGroups: 2}, actor(mgr), mgr)
		if err != nil || n != 6 { // Tue 8, Thu 10, Sat 12 × 2
			t.Fatalf("slots: %d %v, want 6", n, err)
		}
		// Again: nothing new.
		if n, err := s.CreateSlots(ctx, lz, res.ID, bookings.SlotPattern{From: "2026-12-08", To: "2026-12-14", Weekdays: []int{2, 4, 6},
			Times: []string{"09:30-11:30", "14:00-16:00"}, Capacity: 40, MaxGroups: 2}, actor(mgr), mgr); err != nil || n != 0 {
			t.Fatalf("slots again: %d %v", n, err)
		}
		day := time.Date(2026, 12, 8, 0, 0, 0, 0, workcal.Location())
		slots, err := s.Slots(ctx, res.ID, day, day.AddDate(0, 0, 1))
		if err != nil || len(slots) != 2 || slots[0].StartsAt.Hour() != 9 || slots[0].StartsAt.Minute() != 30 {
			t.Fatalf("slots of the 8th: %+v %v", slots, err)
		}
		slot := slots[0]
		group := func(who auth.User, unit string, size int) (bookings.Booking, error) {
			return s.Book(ctx, slot.ID, bookings.Request{UnitName: unit, PartySize: size, ContactName: "王芳", ContactPhone: "13812345678"}, actor(who), who)
		}
		// Only units book here; a group's size is within the rule.
		if _, err := s.Book(ctx, slot.ID, bookings.Request{}, actor(u["resident"]), u["resident"]); problem.FieldOf(err) != "unit_name" {
			t.Fatalf("an individual books a units-only route: %v", err)
		}
		if _, err := group(u["resident"], "某单位", 3); problem.FieldOf(err) != "party_size" {
			t.Fatalf("a group of 3 (min 5): %v", err)
		}
		a, err := group(u["resident"], "陆家嘴社区党群服务中心党支部", 25)
		if err != nil || a.State != capacity.StateConfirmed || len(a.Code) != bookings.CodeLen {
			t.Fatalf("first group: %+v %v", a, err)
		}
		b, err := group(u["volunteer"], "东昌新村居民区党总支", 10)
		if err != nil || b.State != capacity.StateConfirmed {
			t.Fatalf("second group: %+v %v", b, err)
		}
		// Two groups is the slot's maximum: the third waits (though 5 places are left).
		c, err := group(u["gridworker"], "梅园新村第一居民区党总支", 5)
		if err != nil || c.State != capacity.StateWaiting || c.Position != 1 {
			t.Fatalf("third group: %+v %v", c, err)
		}
		// One live booking per unit on this route.
		other := slots[1]
		if _, err := s.Book(ctx, other.ID, bookings.Request{UnitName: "陆家嘴社区党群服务中心党支部", PartySize: 5, ContactName: "李", ContactPhone: "13900000000"}, actor(u["resident"]), u["resident"]); problem.FieldOf(err) != "slot" {
			t.Fatalf("a second booking of the same unit: %v", err)
		}
		// b cancels: c gets a hold of 24 hours and a notice.
		if _, err := s.Cancel(ctx, b.ID, actor(u["volunteer"]), u["volunteer"]); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Cancel(ctx, a.ID, actor(u["volunteer"]), u["volunteer"]); !errors.Is(err, problem.ErrNotFound) {
			t.Fatalf("cancelling someone else's booking: %v", err)
		}
		got, err := s.Get(ctx, c.ID)
		if err != nil || got.State != capacity.StateHeld || !got.HoldUntil.Equal(clk.Now().Add(24*time.Hour)) {
			t.Fatalf("promoted: %+v %v", got, err)
		}
		var notice string
		if err := db.QueryRow(ctx, `SELECT text FROM notifications WHERE user_id = ? AND kind = ?`, u["gridworker"].ID, bookings.NoticeKind).Scan(&notice); err != nil || !strings.Contains(notice, c.Code) {
			t.Fatalf("notice: %q %v", notice, err)
		}
		clk.Advance(time.Hour)
		if got, err = s.Confirm(ctx, c.ID, actor(u["gridworker"]), u["gridworker"]); err != nil || got.State != capacity.StateConfirmed {
			t.Fatalf("confirm: %+v %v", got, err)
		}
		// At the place: check-in by the code as typed, a no-show for the other.
		if _, err := s.CheckIn(ctx, lz, strings.ToLower(c.Code[:4])+"-"+strings.ToLower(c.Code[4:]), actor(u["resident"]), u["resident"]); !errors.Is(err, problem.ErrNotFound) && !errors.Is(err, problem.ErrForbidden) {
			t.Fatalf("a resident checks in: %v", err)
		}
		if got, err = s.CheckIn(ctx, lz, strings.ToLower(c.Code[:4])+"-"+strings.ToLower(c.Code[4:]), actor(mgr), mgr); err != nil || got.State != capacity.StateCheckedIn {
			t.Fatalf("check-in: %+v %v", got, err)
		}
		if got, err = s.NoShow(ctx, lz, a.ID, actor(mgr), mgr); err != nil || got.State != capacity.StateNoShow {
			t.Fatalf("no-show: %+v %v", got, err)
		}
		if _, err := s.CheckIn(ctx, lz, "NOPE1234", actor(mgr), mgr); problem.FieldOf(err) != "code" {
			t.Fatalf("unknown code: %v", err)
		}
		// Another town's manager sees nothing of it.
		if _, err := s.NoShow(ctx, []string{world.XinjingCode}, a.ID, actor(u["admin"]), u["admin"]); !errors.Is(err, problem.ErrNotFound) {
			t.Fatalf("another town's manager: %v", err)
		}
		_, days, err := s.DayList(ctx, lz, res.ID, day)
		if err != nil || len(days) != 2 || len(days[0].Bookings) != 3 {
			t.Fatalf("day list: %+v %v", days, err)
		}
		occ, err := s.OccupancyByDay(ctx, lz, res.ID, day, day.AddDate(0, 0, 7))
		if err != nil || len(occ) != 3 || occ[0].Capacity != 80 || occ[0].CheckedIn != 5 || occ[0].NoShow != 25 {
			t.Fatalf("occupancy: %+v %v", occ, err)
		}
		// Closing the other slot refuses bookings.
		if _, err := s.CloseSlot(ctx, lz, other.ID, true, actor(mgr), mgr); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Book(ctx, other.ID, bookings.Request{UnitName: "新单位", PartySize: 5, ContactName: "赵", ContactPhone: "13900000001"}, actor(u["volunteer"]), u["volunteer"]); problem.FieldOf(err) != "slot" {
			t.Fatalf("booking a closed slot: %v", err)
		}
		// A slot that has begun takes no bookings.
		clk.Advance(3 * 24 * time.Hour)
		if _, err := group(u["volunteer"], "迟到单位", 5); problem.FieldOf(err) != "slot" {
			t.Fatalf("booking a past slot: %v", err)
		}
		var n2 int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'booking'`).Scan(&n2); err != nil || n2 < 7 {
			t.Fatalf("audit rows: %d %v", n2, err)
		}
	})
}

// TestHoldExpiresToTheNext: a resident's hold that is not confirmed passes to the next on the
// list when anyone reads the slot — no ticker.
func TestHoldExpiresToTheNext(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		s, clk, u := setup(t, db)
		xj := []string{world.XinjingCode}
		mgr := u["admin"]
		res, err := s.CreateResource(ctx, xj, bookings.NewResource{TownCode: world.XinjingCode, Kind: bookings.KindPlace, Name: "新泾镇民间文化艺术展示馆", HoldHours: 2}, actor(mgr), mgr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateSlots(ctx, xj, res.ID, bookings.SlotPattern{From: "2026-12-09", To: "2026-12-09", Weekdays: []int{3}, Times: []string{"10:00-11:00"}, Capacity: 1}, actor(mgr), mgr); err != nil {
			t.Fatal(err)
		}
		day := time.Date(2026, 12, 9, 0, 0, 0, 0, workcal.Location())
		slots, _ := s.Slots(ctx, res.ID, day, day.AddDate(0, 0, 1))
		var bs []bookings.Booking
		for _, n := range []string{"resident", "volunteer", "gridworker"} {
			b, err := s.Book(ctx, slots[0].ID, bookings.Request{}, actor(u[n]), u[n])
			if err != nil {
				t.Fatal(err)
			}
			bs = append(bs, b)
		}
		if bs[0].State != capacity.StateConfirmed || bs[1].Position != 1 || bs[2].Position != 2 {
			t.Fatalf("states: %+v", bs)
		}
		if _, err := s.Cancel(ctx, bs[0].ID, actor(u["resident"]), u["resident"]); err != nil {
			t.Fatal(err)
		}
		clk.Advance(2*time.Hour + time.Second)
		// Reading the third booking sweeps the slot: the volunteer's hold expired, the grid worker holds.
		got, err := s.Get(ctx, bs[2].ID)
		if err != nil || got.State != capacity.StateHeld {
			t.Fatalf("third after the hold expired: %+v %v", got, err)
		}
		if _, err := s.Confirm(ctx, bs[1].ID, actor(u["volunteer"]), u["volunteer"]); !errors.Is(err, problem.ErrConflict) {
			t.Fatalf("confirming an expired hold: %v", err)
		}
		if sl, _ := s.Slot(ctx, slots[0].ID); sl.Used != 1 || sl.Left != 0 {
			t.Fatalf("slot: %+v", sl)
		}
	})
}
