package orders_test

import (
	"testing"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

func inbox(t *testing.T, s *orders.Store, user int64) ([]orders.OrderNotices, int) {
	t.Helper()
	lines, unread, err := s.Inbox(ctx, user, 50)
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.UnreadOrders(ctx, user)
	if err != nil || n != unread {
		t.Fatalf("UnreadOrders = %d, %v; Inbox says %d", n, err, unread)
	}
	return lines, unread
}

// The inbox: one line per order that needs the user, its latest notice first, read when the user
// opens the order, gone once the need is (issue #11 item 6).
func TestInbox(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, at("2025-10-09 09:00"))
		a := e.inProgress(t, "井盖缺失")
		b := e.inProgress(t, "路灯不亮")
		// Two notices about a (assigned, then rework after a failed verification), one about b.
		photo := e.upload(t)
		a = e.do(t, a, e.f.Handler, workorder.ActReport, workorder.Input{Result: "已补装", Photos: []string{photo}})
		lines, unread := inbox(t, e.s, e.f.GridLeader)
		if len(lines) != 1 || lines[0].OrderID != a.ID || lines[0].Latest.Kind != orders.KindHandled || unread != 1 {
			t.Fatalf("grid leader's inbox %+v (unread %d)", lines, unread)
		}
		// The handler's "assigned" of a is resolved: a waits for verification now.
		lines, unread = inbox(t, e.s, e.f.Handler)
		if len(lines) != 1 || lines[0].OrderID != b.ID || unread != 1 {
			t.Fatalf("handler's inbox after reporting a: %+v (unread %d)", lines, unread)
		}
		a = e.do(t, a, e.f.GridWorker, workorder.ActVerifyFail, workorder.Input{Reason: "井盖不匹配"})
		lines, unread = inbox(t, e.s, e.f.Handler)
		if len(lines) != 2 || lines[0].OrderID != a.ID || lines[0].Latest.Kind != orders.KindRework || lines[0].Count != 2 || unread != 2 {
			t.Fatalf("handler's inbox after the rework: %+v (unread %d)", lines, unread)
		}
		// The grid leader's "to verify" of a is resolved by the grid worker's verification.
		if lines, _ := inbox(t, e.s, e.f.GridLeader); len(lines) != 0 {
			t.Errorf("grid leader's inbox after the verification: %+v", lines)
		}
		all, _, err := e.s.Notifications(ctx, e.f.GridLeader, false, 10)
		if err != nil || len(all) != 1 || !all[0].Resolved {
			t.Errorf("grid leader's flat list: %+v, %v", all, err)
		}
		// Opening a reads its notices; b still waits.
		if err := e.s.MarkOrderRead(ctx, e.f.Handler, a.ID); err != nil {
			t.Fatal(err)
		}
		lines, unread = inbox(t, e.s, e.f.Handler)
		if len(lines) != 2 || lines[0].Unread != 0 || lines[1].Unread != 1 || unread != 1 {
			t.Fatalf("handler's inbox after opening a: %+v (unread %d)", lines, unread)
		}
		// An extension request needs the dispatchers only while it is pending.
		deadline := at("2025-10-30 17:00")
		b = e.do(t, b, e.f.Handler, workorder.ActExtend, workorder.Input{Deadline: &deadline, Reason: "等配件"})
		if lines, _ := inbox(t, e.s, e.f.Dispatcher); len(lines) != 1 || lines[0].OrderID != b.ID {
			t.Fatalf("dispatcher's inbox with a pending extension: %+v", lines)
		}
		b = e.do(t, b, e.f.Dispatcher, workorder.ActApproveExtension, workorder.Input{})
		if lines, _ := inbox(t, e.s, e.f.Dispatcher); len(lines) != 0 {
			t.Errorf("dispatcher's inbox after approving: %+v", lines)
		}
		if lines, _ := inbox(t, e.s, e.f.Handler); len(lines) != 2 || lines[0].OrderID != b.ID || lines[0].Latest.Kind != orders.KindExtension {
			t.Errorf("handler's inbox after the approval: %+v", lines)
		}
	})
}
