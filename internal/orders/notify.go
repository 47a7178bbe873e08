package orders

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Notification kinds.
const (
	KindAssigned  = "assigned"  // 派遣给本部门
	KindReturned  = "returned"  // 退单
	KindEscalated = "escalated" // 督办
	KindRework    = "rework"    // 返工 / 重办
	KindRated     = "rated"     // 不满意评价
	KindExtension = "extension" // 延期申请及审批
	KindHandled   = "handled"   // 已处置，待核查
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

// notifyFor sends what an applied action calls for: the next people to act on the order.
func (s *Store) notifyFor(ctx context.Context, q store.Querier, o Order, d workorder.Decision, ev Event, actor int64) error {
	var kind, text, where string
	var args []any
	head := "工单 " + o.Number
	switch d.Action {
	case workorder.ActDispatch:
		kind, text = KindAssigned, fmt.Sprintf("派遣：%s 已派至贵部门 — %s", head, excerpt(o.Content))
		depts := append([]string{o.Department}, o.CoDepartments...)
		where = `department_code IN (` + store.Placeholders(len(depts)) + `)`
		for _, c := range depts {
			args = append(args, c)
		}
	case workorder.ActReturn:
		kind, text = KindReturned, fmt.Sprintf("退单：%s 被退回，请重新派遣（%s）", head, ev.Reason)
		where, args = `role = ?`, []any{workorder.RoleDispatcher}
	case workorder.ActExtend:
		kind, text = KindExtension, fmt.Sprintf("延期申请：%s 申请延期至 %s（%s）", head, fmtTime(o.ExtensionDeadline), ev.Reason)
		where, args = `role = ?`, []any{workorder.RoleDispatcher}
	case workorder.ActApproveExtension:
		kind, text = KindExtension, fmt.Sprintf("延期已同意：%s 新期限 %s", head, fmtTime(o.Deadline))
		where, args = `department_code = ?`, []any{o.Department}
	case workorder.ActRefuseExtension:
		kind, text = KindExtension, fmt.Sprintf("延期未同意：%s 请按原期限 %s 办结（%s）", head, fmtTime(o.Deadline), ev.Reason)
		where, args = `department_code = ?`, []any{o.Department}
	case workorder.ActReport:
		if o.Grid == "" {
			return nil
		}
		kind, text = KindHandled, fmt.Sprintf("待核查：%s 已处置 — %s", head, excerpt(o.Result))
		where, args = `grid_code = ? AND role IN (?, ?)`, []any{o.Grid, workorder.RoleGridWorker, workorder.RoleGridLeader}
	case workorder.ActVerifyFail:
		kind, text = KindRework, fmt.Sprintf("返工：%s 核查未通过（%s）", head, ev.Reason)
		where, args = `department_code = ?`, []any{o.Department}
	case workorder.ActReopen:
		kind, text = KindRework, fmt.Sprintf("重办：%s 评价不满意，请于 %s 前重新办理（%s）", head, fmtTime(o.Deadline), ev.Reason)
		where, args = `department_code = ?`, []any{o.Department}
	case workorder.ActEscalate:
		kind, text = KindEscalated, fmt.Sprintf("督办：%s 第 %d 次督办 — %s", head, o.EscalationLevel, ev.Note)
		where, args = `(role = ? AND department_code = ?) OR role = ?`, []any{workorder.RoleHandler, o.Department, workorder.RoleLeader}
	case workorder.ActRate:
		if o.Satisfaction != workorder.Dissatisfied {
			return nil
		}
		kind, text = KindRated, fmt.Sprintf("不满意：%s 回访评价为不满意，可重办 — %s", head, ev.Comment)
		where, args = `role = ?`, []any{workorder.RoleDispatcher}
	default:
		return nil
	}
	_, err := s.notifyWhere(ctx, q, o.TownCode, actor, o.ID, kind, text, where, args...)
	return err
}

// Notifications lists a user's notifications, newest first, with the number still unread.
func (s *Store) Notifications(ctx context.Context, userID int64, unreadOnly bool, limit int) ([]Notification, int, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	where := `n.user_id = ?`
	if unreadOnly {
		where += ` AND n.read_at IS NULL`
	}
	rows, err := s.DB.Query(ctx, `SELECT n.id, n.user_id, n.order_id, o.number, n.kind, n.text, n.created_at, n.read_at
		FROM notifications n LEFT JOIN orders o ON o.id = n.order_id WHERE `+where+` ORDER BY n.id DESC LIMIT ?`, userID, limit)
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
		if err := rows.Scan(&n.ID, &n.UserID, &order, &number, &n.Kind, &n.Text, &created, &read); err != nil {
			return nil, 0, err
		}
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
