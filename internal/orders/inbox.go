package orders

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// needStates says, per notification kind, while the need it tells of lasts: the states its order
// must still be in. A notice whose order has moved on (a "to verify" of an order since closed, an
// "assigned" of an order returned) is resolved: the inbox drops it and the API marks it.
var needStates = map[string][]workorder.State{
	KindAssigned:  {workorder.Dispatched, workorder.InProgress},
	KindReturned:  {workorder.Filed},
	KindEscalated: {workorder.Received, workorder.Filed, workorder.Dispatched, workorder.InProgress, workorder.Handled},
	KindRework:    {workorder.InProgress},
	KindRated:     {workorder.Rated},
	KindExtension: {workorder.InProgress},
	KindHandled:   {workorder.Handled},
	// A late callback needs the centre until the resident's rating is recorded, the centre
	// records that the callback ended without one (end_callback: liveCondition), or the order is
	// reopened.
	KindCallbackLate: {workorder.Closed},
	// A co-handling department's feedback is for the lead department while it still handles.
	KindCoReported: {workorder.Dispatched, workorder.InProgress},
}

// liveCondition is the SQL condition (on notifications n, orders o and users u) that a notice
// still needs its user: a notice without an order always does; a request for an extension
// needs the dispatchers only while it is pending.
var liveCondition = func() string {
	parts := []string{`n.order_id IS NULL`}
	for _, kind := range []string{KindAssigned, KindReturned, KindEscalated, KindRework, KindRated, KindExtension, KindHandled, KindCallbackLate, KindCoReported} {
		var qs []string
		for _, s := range needStates[kind] {
			qs = append(qs, "'"+string(s)+"'")
		}
		cond := `(n.kind = '` + kind + `' AND o.state IN (` + strings.Join(qs, ", ") + `)`
		switch kind {
		case KindExtension:
			cond += ` AND (u.role <> '` + workorder.RoleDispatcher + `' OR o.extension_pending = 1)`
		case KindCallbackLate:
			cond += ` AND o.callback_outcome = ''`
		}
		parts = append(parts, cond+`)`)
	}
	return `(` + strings.Join(parts, " OR ") + `)`
}()

// OrderNotices is one line of a user's inbox: an order that needs the user, with its latest
// notice and how many notices (and unread ones) it has.
type OrderNotices struct {
	OrderID     int64  `json:"order_id"`
	OrderNumber string `json:"order_number"`
	// Link is the page of a line about no order (a service request's), empty for orders.
	Link   string       `json:"link,omitempty"`
	Latest Notification `json:"latest"`
	Count  int          `json:"count"`
	Unread int          `json:"unread"`
}

// inboxScan bounds the notices one inbox reads: a user's live notices are few, a backlog of
// thousands is cut to its newest.
const inboxScan = 2000

// Inbox lists the orders that need the user now, one line per order with its latest notice,
// newest first, at most limit lines; and how many orders have an unread notice.
func (s *Store) Inbox(ctx context.Context, userID int64, limit int) ([]OrderNotices, int, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := s.DB.Query(ctx, `SELECT n.id, n.order_id, o.number, n.kind, n.text, n.created_at, n.read_at, n.link
		FROM notifications n JOIN users u ON u.id = n.user_id LEFT JOIN orders o ON o.id = n.order_id
		WHERE n.user_id = ? AND `+liveCondition+` ORDER BY n.id DESC LIMIT ?`, userID, inboxScan)
	if err != nil {
		return nil, 0, fmt.Errorf("inbox of user %d: %w", userID, err)
	}
	defer rows.Close()
	out := []OrderNotices{}
	index := map[int64]int{}
	// A notice without an order but with a link (a service request's) shares its line with the
	// other notices of that link, as an order's notices share theirs.
	linkIndex := map[string]int{}
	unreadOrders := 0
	for rows.Next() {
		var n Notification
		var order sql.NullInt64
		var number sql.NullString
		var created int64
		var read sql.NullInt64
		if err := rows.Scan(&n.ID, &order, &number, &n.Kind, &n.Text, &created, &read, &n.Link); err != nil {
			return nil, 0, err
		}
		n.UserID, n.OrderID, n.OrderNumber, n.CreatedAt, n.ReadAt = userID, order.Int64, number.String, store.FromMillis(created), timePtr(read)
		var i int
		var seen bool
		switch {
		case n.OrderID != 0:
			if i, seen = index[n.OrderID]; !seen {
				index[n.OrderID] = len(out)
			}
		case n.Link != "":
			if i, seen = linkIndex[n.Link]; !seen {
				linkIndex[n.Link] = len(out)
			}
		}
		if !seen {
			i = len(out)
			out = append(out, OrderNotices{OrderID: n.OrderID, OrderNumber: n.OrderNumber, Link: n.Link, Latest: n})
		}
		out[i].Count++
		if n.ReadAt == nil {
			if out[i].Unread == 0 {
				unreadOrders++
			}
			out[i].Unread++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, unreadOrders, nil
}

// UnreadOrders counts the orders that need the user and have a notice the user has not read:
// the number on the bell.
func (s *Store) UnreadOrders(ctx context.Context, userID int64) (int, error) {
	var n int
	// Counted by line as Inbox makes them: per order, per linked page, else per notice.
	err := s.DB.QueryRow(ctx, `SELECT COUNT(DISTINCT CASE WHEN n.order_id IS NOT NULL THEN 'o' || CAST(n.order_id AS TEXT)
		WHEN n.link <> '' THEN n.link ELSE 'n' || CAST(n.id AS TEXT) END)
		FROM notifications n JOIN users u ON u.id = n.user_id LEFT JOIN orders o ON o.id = n.order_id
		WHERE n.user_id = ? AND n.read_at IS NULL AND `+liveCondition, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("unread orders of user %d: %w", userID, err)
	}
	return n, nil
}

// MarkOrderRead marks the user's notices of one order read: the user has opened it.
func (s *Store) MarkOrderRead(ctx context.Context, userID, orderID int64) error {
	_, err := s.DB.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND order_id = ? AND read_at IS NULL`,
		s.now().UnixMilli(), userID, orderID)
	return err
}

// UnreadWithoutOrder counts the user's unread notices that are about no order (bookings,
// volunteer activities): a resident's bell adds them to their reports with news.
func (s *Store) UnreadWithoutOrder(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND order_id IS NULL AND read_at IS NULL`, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("unread notices of user %d: %w", userID, err)
	}
	return n, nil
}
