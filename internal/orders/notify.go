package orders

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Notification kinds: the lifecycle's, as workorder's table names them.
const (
	KindAssigned     = string(workorder.NoticeAssigned)     // 派遣给本部门
	KindReturned     = string(workorder.NoticeReturned)     // 退单
	KindEscalated    = string(workorder.NoticeEscalated)    // 督办
	KindRework       = string(workorder.NoticeRework)       // 返工 / 重办
	KindRated        = string(workorder.NoticeRated)        // 不满意评价
	KindExtension    = string(workorder.NoticeExtension)    // 延期申请及审批
	KindHandled      = string(workorder.NoticeHandled)      // 已处置，待核查
	KindCallbackLate = string(workorder.NoticeCallbackLate) // 回访超期
	KindCoReported   = string(workorder.NoticeCoReported)   // 协办反馈
)

// Notification tells a user that an order needs them.
type Notification struct {
	ID          int64      `json:"id"`
	UserID      int64      `json:"user_id"`
	OrderID     int64      `json:"order_id"`
	OrderNumber string     `json:"order_number"`
	Kind        string     `json:"kind"`
	Text        string     `json:"text"`
	CreatedAt   time.Time  `json:"created_at"`
	ReadAt      *time.Time `json:"read_at"`
	// Link is the page a notice about no order is about (a service request's), empty otherwise.
	Link string `json:"link,omitempty"`
	// Resolved is true once the need the notice told of is gone (the order moved on); the inbox
	// leaves such notices out.
	Resolved bool `json:"resolved"`
}

// Notify sends one notification to one user.
func (s *Store) Notify(ctx context.Context, q store.Querier, userID, orderID int64, kind, text string) error {
	_, err := q.Exec(ctx, `INSERT INTO notifications (user_id, order_id, kind, text, created_at) VALUES (?, ?, ?, ?, ?)`,
		userID, store.NullIfZero(orderID), kind, text, s.now().UnixMilli())
	if err != nil {
		return fmt.Errorf("notify user %d: %w", userID, err)
	}
	return nil
}

// NotifyDepartment notifies every active user of a department of the town; it returns how many.
func (s *Store) NotifyDepartment(ctx context.Context, q store.Querier, town, department string, orderID int64, kind, text string) (int, error) {
	return s.notifyWhere(ctx, q, town, 0, orderID, kind, text, `department_code = ?`, department)
}

// NotifyRole notifies every active user with the role in the town (e.g. every dispatcher).
func (s *Store) NotifyRole(ctx context.Context, q store.Querier, town, role string, orderID int64, kind, text string) (int, error) {
	return s.notifyWhere(ctx, q, town, 0, orderID, kind, text, `role = ?`, role)
}

// notifyWhere fans out with one INSERT … SELECT, so a department of any size costs one statement.
// The actor is left out: nobody needs telling what they just did.
func (s *Store) notifyWhere(ctx context.Context, q store.Querier, town string, exclude, orderID int64, kind, text, where string, args ...any) (int, error) {
	all := append([]any{store.NullIfZero(orderID), kind, text, s.now().UnixMilli(), town, exclude}, args...)
	res, err := q.Exec(ctx, `INSERT INTO notifications (user_id, order_id, kind, text, created_at)
		SELECT id, ?, ?, ?, ? FROM users WHERE town_code = ? AND disabled = 0 AND id <> ? AND (`+where+`)`, all...)
	if err != nil {
		return 0, fmt.Errorf("notify %s: %w", kind, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// notifyFor sends the notices the table row of an applied action lists: the next people to act
// on the order, each notice to the union of its audiences in one statement.
func (s *Store) notifyFor(ctx context.Context, q store.Querier, o Order, d workorder.Decision, ev Event, actor int64) error {
	var text *strings.Replacer
	for _, n := range d.Notify {
		if !n.When.Holds(o.wo()) {
			continue
		}
		var where []string
		var args []any
		for _, a := range n.To {
			if w, wargs, ok := audience(o, a); ok {
				where = append(where, w)
				args = append(args, wargs...)
			}
		}
		if len(where) == 0 {
			continue // e.g. the grid staff of an order without a grid: nobody
		}
		if text == nil {
			text = noticeText(o, ev)
		}
		if _, err := s.notifyWhere(ctx, q, o.TownCode, actor, o.ID, string(n.Kind), text.Replace(n.Text),
			strings.Join(where, " OR "), args...); err != nil {
			return err
		}
	}
	return nil
}

// audience is the condition on users of the order's town that selects a, or false when a is
// nobody for this order.
func audience(o Order, a workorder.Audience) (string, []any, bool) {
	switch a {
	case workorder.ToLeadDepartment:
		return `department_code = ?`, []any{o.Department}, true
	case workorder.ToCoDepartments:
		if len(o.CoDepartments) == 0 {
			return "", nil, false
		}
		args := make([]any, len(o.CoDepartments))
		for i, c := range o.CoDepartments {
			args[i] = c
		}
		return `department_code IN (` + store.Placeholders(len(args)) + `)`, args, true
	case workorder.ToLeadHandlers:
		return `(role = ? AND department_code = ?)`, []any{workorder.RoleHandler, o.Department}, true
	case workorder.ToLeaders:
		return `role = ?`, []any{workorder.RoleLeader}, true
	case workorder.ToDispatchers:
		return `role = ?`, []any{workorder.RoleDispatcher}, true
	case workorder.ToStageOwner:
		return stageOwnersWhere(o, o.escalateTo)
	case workorder.ToGridStaff:
		if o.Grid == "" {
			return "", nil, false
		}
		return `(grid_code = ? AND role IN (?, ?))`, []any{o.Grid, workorder.RoleGridWorker, workorder.RoleGridLeader}, true
	}
	return "", nil, false
}

// noticeText fills workorder.Placeholders from the order as the action left it and its event.
func noticeText(o Order, ev Event) *strings.Replacer {
	return strings.NewReplacer(
		workorder.PhOrder, "工单 "+o.Number,
		workorder.PhContent, excerpt(o.Content),
		workorder.PhResult, excerpt(o.Result),
		workorder.PhReason, ev.Reason,
		workorder.PhNote, ev.Note,
		workorder.PhComment, ev.Comment,
		workorder.PhDeadline, fmtTime(o.Deadline),
		workorder.PhRequestedDeadline, fmtTime(o.ExtensionDeadline),
		workorder.PhLevel, strconv.Itoa(o.EscalationLevel),
	)
}

// Notifications lists a user's notifications one by one, newest first, resolved ones marked, with
// the number still unread (the API's flat list; pages use Inbox).
func (s *Store) Notifications(ctx context.Context, userID int64, unreadOnly bool, limit int) ([]Notification, int, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	where := `n.user_id = ?`
	if unreadOnly {
		where += ` AND n.read_at IS NULL`
	}
	rows, err := s.DB.Query(ctx, `SELECT n.id, n.user_id, n.order_id, o.number, n.kind, n.text, n.created_at, n.read_at, n.link,
		CASE WHEN `+liveCondition+` THEN 0 ELSE 1 END
		FROM notifications n JOIN users u ON u.id = n.user_id LEFT JOIN orders o ON o.id = n.order_id
		WHERE `+where+` ORDER BY n.id DESC LIMIT ?`, userID, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("notifications of user %d: %w", userID, err)
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		var n Notification
		var order sql.NullInt64
		var number sql.NullString
		var created int64
		var read sql.NullInt64
		var resolved int
		if err := rows.Scan(&n.ID, &n.UserID, &order, &number, &n.Kind, &n.Text, &created, &read, &n.Link, &resolved); err != nil {
			return nil, 0, err
		}
		n.Resolved = resolved == 1
		n.OrderID, n.OrderNumber, n.CreatedAt, n.ReadAt = order.Int64, number.String, store.FromMillis(created), timePtr(read)
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	var unread int
	err = s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, userID).Scan(&unread)
	return out, unread, err
}

// MaxMarkRead bounds the notifications one MarkRead names.
const MaxMarkRead = 500

// MarkRead marks the given notifications of the user read; nil ids marks all of them.
func (s *Store) MarkRead(ctx context.Context, userID int64, ids []int64) error {
	now := s.now().UnixMilli()
	if ids == nil {
		_, err := s.DB.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, now, userID)
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	if len(ids) > MaxMarkRead {
		// One placeholder each: SQLite refuses a statement with more than 32,766.
		return problem.Field("ids", "%d notifications; at most %d at a time", len(ids), MaxMarkRead)
	}
	args := []any{now, userID}
	for _, id := range ids {
		args = append(args, id)
	}
	_, err := s.DB.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL AND id IN (`+
		store.Placeholders(len(ids))+`)`, args...)
	return err
}

func excerpt(s string) string {
	r := []rune(s)
	if len(r) <= 40 {
		return s
	}
	return string(r[:40]) + "…"
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.In(workcal.Location()).Format("2006-01-02 15:04")
}
