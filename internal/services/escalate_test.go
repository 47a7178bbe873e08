package services_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/services"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// An open request past its deadline is escalated once per deadline, on both databases: the
// provider department and the dispatchers get one notice each linked to the request, the
// timeline one event, and running the job again (or two at once) adds nothing; a request
// delivered in time is left alone; opening the request reads the user's notices of it.
func TestEscalateOverdue(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, db, slog.New(slog.DiscardHandler), demo.Services(time.Now())); err != nil {
			t.Fatal(err)
		}
		u := users(t, db, "resident", "handler_market", "dispatcher")
		var item int64
		if err := db.QueryRow(ctx, `SELECT id FROM service_items WHERE name = ?`, "食品安全快检").Scan(&item); err != nil {
			t.Fatal(err)
		}
		clock := time.Date(2027, 3, 1, 9, 0, 0, 0, workcal.Location())
		s := &services.Service{DB: db, Now: func() time.Time { return clock }}
		by := audit.Actor{Name: "test"}
		late, err := s.Create(ctx, town, u["resident"], services.NewRequest{ItemID: item, ContactPhone: "13900004444"}, by)
		if err != nil {
			t.Fatal(err)
		}
		done, err := s.Create(ctx, town, u["resident"], services.NewRequest{ItemID: item, ContactPhone: "13900004444"}, by)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Act(ctx, town, u["handler_market"], done.ID, services.ActAccept, services.Input{}, by); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Act(ctx, town, u["handler_market"], done.ID, services.ActDeliver, services.Input{Result: "已检测"}, by); err != nil {
			t.Fatal(err)
		}
		notices := func(who string, id int64) int {
			t.Helper()
			var n int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND kind = ? AND link = ?`,
				u[who].ID, services.KindOverdue, services.RequestLink(id)).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// Before the deadline nothing of this test's requests is escalated.
		if _, err := s.EscalateOverdue(ctx, late.DueAt.Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		if n := notices("handler_market", late.ID); n != 0 {
			t.Fatalf("escalated before the deadline: %d notices", n)
		}
		after := late.DueAt.Add(time.Hour)
		n, err := s.EscalateOverdue(ctx, after)
		if err != nil || n < 1 {
			t.Fatalf("first run escalated %d: %v", n, err)
		}
		// Twice more, two at once: still one notice each.
		errs := make(chan error, 2)
		for range 2 {
			go func() { _, err := s.EscalateOverdue(ctx, after.Add(time.Hour)); errs <- err }()
		}
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.EscalateOverdue(ctx, after.Add(48*time.Hour)); err != nil || n != 0 {
			t.Fatalf("a later run escalated %d: %v", n, err)
		}
		for _, who := range []string{"handler_market", "dispatcher"} {
			if n := notices(who, late.ID); n != 1 {
				t.Fatalf("%s told of the late request %d times, want 1", who, n)
			}
			if n := notices(who, done.ID); n != 0 {
				t.Fatalf("%s told of the delivered request %d times, want 0", who, n)
			}
		}
		if n := notices("resident", late.ID); n != 0 {
			t.Fatalf("the requester got %d overdue notices", n)
		}
		var events int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM service_request_events WHERE request_id = ? AND action = ?`,
			late.ID, services.EventEscalate).Scan(&events); err != nil || events != 1 {
			t.Fatalf("%d escalation events: %v", events, err)
		}
		if err := s.MarkNoticesRead(ctx, u["handler_market"].ID, late.ID); err != nil {
			t.Fatal(err)
		}
		var unread int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND link = ? AND read_at IS NULL`,
			u["handler_market"].ID, services.RequestLink(late.ID)).Scan(&unread); err != nil || unread != 0 {
			t.Fatalf("%d notices of the opened request unread: %v", unread, err)
		}
	})
}
