package orders

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// ResidentMessage is what the person who reported an order is told when it moves: the order, the
// way to reach the person, and the news in both languages (workorder.ResidentNewsTable).
type ResidentMessage struct {
	OrderID  int64
	Number   string
	TownCode string
	// UserID is the resident's account (0 for a report sent without signing in).
	UserID int64
	// Phone is the number the resident left (personal data: never log it whole).
	Phone  string
	Kind   workorder.ResidentKind
	Action workorder.Action
	State  string
	At     time.Time
	// ZH and EN are the message, filled in.
	ZH, EN string
}

// ResidentNotifier is the hook point of SMS, WeChat or any other way to reach residents. The
// store calls Notify once the change is committed, with a context that outlives the request;
// an implementation that talks to a slow gateway should queue and return. An error is logged
// and changes nothing: the order has moved either way.
type ResidentNotifier interface {
	Notify(ctx context.Context, m ResidentMessage) error
}

// residentMessage is the message action, applied by actor, gives the resident who reported o,
// if there is news to give and someone to give it to.
func (s *Store) residentMessage(ctx context.Context, o Order, action workorder.Action, actor ActorInfo) (ResidentMessage, bool, error) {
	news, ok := workorder.ResidentNewsOf(action)
	if !ok || (actor.UserID != 0 && actor.UserID == o.RaisedBy) {
		return ResidentMessage{}, false, nil
	}
	resident := o.Channel == ChannelResident
	if !resident && o.RaisedBy != 0 {
		var role string
		if err := s.DB.QueryRow(ctx, `SELECT role FROM users WHERE id = ?`, o.RaisedBy).Scan(&role); err != nil {
			return ResidentMessage{}, false, fmt.Errorf("who raised order %s: %w", o.Number, err)
		}
		resident = role == workorder.RoleResident
	}
	userID := int64(0)
	if resident && o.RaisedBy != 0 {
		userID = o.RaisedBy
	}
	if !resident || (userID == 0 && o.CallerPhone == "") {
		return ResidentMessage{}, false, nil
	}
	reason := ""
	if n := len(o.Events); n > 0 {
		reason = o.Events[n-1].Reason
	}
	deadline := ""
	if o.Deadline != nil {
		deadline = fmtTime(o.Deadline)
	}
	return ResidentMessage{OrderID: o.ID, Number: o.Number, TownCode: o.TownCode, UserID: userID, Phone: o.CallerPhone,
		Kind: news.Kind, Action: action, State: o.State, At: o.UpdatedAt,
		ZH: news.Text("zh", o.Number, reason, deadline), EN: news.Text("en", o.Number, reason, deadline)}, true, nil
}

// tellResident hands the news of a committed action to the resident notifier, if one is set.
func (s *Store) tellResident(ctx context.Context, o Order, action workorder.Action, actor ActorInfo) {
	if s.Residents == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	m, ok, err := s.residentMessage(ctx, o, action, actor)
	if err == nil && ok {
		err = s.Residents.Notify(ctx, m)
	}
	if err != nil {
		slog.WarnContext(ctx, "resident notice not sent", "order", o.Number, "action", string(action), "err", err)
	}
}

// ResidentSeen returns, for each of ids that the user has opened on the resident's pages, the
// order's version at that moment.
func (s *Store) ResidentSeen(ctx context.Context, userID int64, ids []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(ids) == 0 {
		return out, nil
	}
	if len(ids) > MaxListValues {
		return nil, fmt.Errorf("seen orders: %d ids, at most %d in one call", len(ids), MaxListValues)
	}
	args := []any{userID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := s.DB.Query(ctx, `SELECT order_id, seen_version FROM resident_seen WHERE user_id = ? AND order_id IN (`+
		store.Placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("seen orders of user %d: %w", userID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var v int
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		out[id] = v
	}
	return out, rows.Err()
}

// MarkResidentSeen records that the user has seen order id at version.
func (s *Store) MarkResidentSeen(ctx context.Context, userID, orderID int64, version int) error {
	_, err := s.DB.Exec(ctx, `INSERT INTO resident_seen (user_id, order_id, seen_version, seen_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id, order_id) DO UPDATE SET seen_version = excluded.seen_version, seen_at = excluded.seen_at`,
		userID, orderID, version, s.now().UnixMilli())
	if err != nil {
		return fmt.Errorf("mark order %d seen: %w", orderID, err)
	}
	return nil
}

// ResidentReportsWithNews counts the reports the user raised that have news they have not seen:
// a step of workorder.ResidentNewsTable after the version they last opened (after the report
// itself when never opened) — the same steps "my reports" marks new, so the resident's bell and
// the page agree.
func (s *Store) ResidentReportsWithNews(ctx context.Context, userID int64) (int, error) {
	acts := make([]string, 0, len(workorder.ResidentNewsTable))
	for _, n := range workorder.ResidentNewsTable {
		acts = append(acts, string(n.Action))
	}
	in, args := store.In("e.action", acts)
	var n int
	err := s.DB.QueryRow(ctx, `SELECT COUNT(DISTINCT o.id) FROM orders o
		JOIN order_events e ON e.order_id = o.id
		LEFT JOIN resident_seen rs ON rs.user_id = o.raised_by AND rs.order_id = o.id
		WHERE o.raised_by = ? AND e.seq > COALESCE(rs.seen_version, 1) AND `+in, append([]any{userID}, args...)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("reports with news of user %d: %w", userID, err)
	}
	return n, nil
}
