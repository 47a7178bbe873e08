package services

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Request is one service request with where it stands.
type Request struct {
	ID           int64      `json:"id"`
	Number       string     `json:"number"`
	TownCode     string     `json:"town"`
	ItemID       int64      `json:"item_id"`
	ItemName     string     `json:"item"`
	ItemNameEN   string     `json:"item_en,omitempty"`
	Department   string     `json:"provider_department"`
	DeptName     string     `json:"provider_department_name,omitempty"`
	State        State      `json:"state"`
	RequestedBy  int64      `json:"requested_by"`
	Requester    string     `json:"requester"` // the account's display name
	OnBehalf     bool       `json:"on_behalf"` // 代办: a grid worker for a resident
	Grid         string     `json:"grid,omitempty"`
	Organisation string     `json:"organisation,omitempty"`
	ContactName  string     `json:"contact_name"`
	ContactPhone string     `json:"contact_phone"`
	Address      string     `json:"address,omitempty"`
	Note         string     `json:"note,omitempty"`
	Result       string     `json:"result,omitempty"`
	Reason       string     `json:"reason,omitempty"`
	Satisfaction string     `json:"satisfaction,omitempty"`
	Comment      string     `json:"comment,omitempty"`
	Returned     int        `json:"returned"`
	ReceivedAt   time.Time  `json:"received_at"`
	DueAt        time.Time  `json:"due_at"`
	AcceptedAt   *time.Time `json:"accepted_at,omitempty"`
	DeliveredAt  *time.Time `json:"delivered_at,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	Overdue      bool       `json:"overdue"`
	Version      int        `json:"version"`
	Events       []Event    `json:"events,omitempty"`
}

// Event is one step of a request's timeline.
type Event struct {
	Action    string    `json:"action"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	Actor     string    `json:"actor"`
	ActorRole string    `json:"actor_role"`
	Text      string    `json:"text,omitempty"`
	At        time.Time `json:"at"`
}

// Subject is the request as the lifecycle sees it.
func (r Request) Subject() Subject {
	return Subject{State: r.State, Department: r.Department, RequestedBy: r.RequestedBy}
}

// Masked is the request with its personal data masked (contact, address, and the names and
// numbers in its texts).
func (r Request) Masked() Request {
	names := []string{r.ContactName}
	r.ContactName = privacy.MaskName(r.ContactName)
	r.ContactPhone = privacy.MaskPhone(r.ContactPhone)
	r.Address = privacy.CoarseAddress(r.Address)
	r.Note = privacy.MaskText(r.Note, names...)
	r.Result = privacy.MaskText(r.Result, names...)
	r.Comment = privacy.MaskText(r.Comment, names...)
	for i := range r.Events {
		r.Events[i].Text = privacy.MaskText(r.Events[i].Text, names...)
	}
	return r
}

// Facts are what privacy.Rules need of the request: its town, the provider department, its grid,
// and whether the viewer made it.
func (r Request) Facts(viewer int64) privacy.Facts {
	return privacy.Facts{Town: r.TownCode, Own: viewer != 0 && viewer == r.RequestedBy, Departments: []string{r.Department}, Grid: r.Grid}
}

// NewRequest is what a requester submits.
type NewRequest struct {
	ItemID       int64  `json:"item_id"`
	Organisation string `json:"organisation"` // the enterprise or shop a merchant requests for
	ContactName  string `json:"contact_name"`
	ContactPhone string `json:"contact_phone"`
	Address      string `json:"address"`
	Note         string `json:"note"`
	// OnBehalf is a grid worker's 代办 for a resident (an elderly one, say): the contact is the
	// resident, and the request belongs to the worker's grid.
	OnBehalf bool `json:"on_behalf"`
}

var phonePattern = regexp.MustCompile(`^[0-9+\- ]{5,20}$`)

func (n *NewRequest) check(u auth.User) error {
	n.ContactName, n.ContactPhone = strings.TrimSpace(n.ContactName), strings.TrimSpace(n.ContactPhone)
	if n.OnBehalf && u.Role != auth.RoleGridWorker && u.Role != auth.RoleGridLeader {
		return problem.Field("on_behalf", "only grid workers and grid leaders request on a resident's behalf (代办)")
	}
	if n.ContactName == "" && !n.OnBehalf {
		n.ContactName = u.DisplayName
	}
	for _, f := range []struct {
		name, v  string
		n        int
		required bool
	}{{"organisation", n.Organisation, MaxName, false}, {"contact_name", n.ContactName, 40, true}, {"contact_phone", n.ContactPhone, 20, true},
		{"address", n.Address, 200, n.OnBehalf}, {"note", n.Note, MaxText, false}} {
		if err := text(f.name, f.v, f.n, f.required); err != nil {
			return err
		}
	}
	if !phonePattern.MatchString(n.ContactPhone) {
		return problem.Field("contact_phone", "%q is not a phone number", n.ContactPhone)
	}
	return nil
}

// Create makes a request of an item of one of towns by u: received now, due after the item's
// promised working days; the provider department is told.
func (s *Service) Create(ctx context.Context, towns []string, u auth.User, n NewRequest, by audit.Actor) (Request, error) {
	if err := n.check(u); err != nil {
		return Request{}, err
	}
	it, err := s.Item(ctx, n.ItemID)
	if err != nil || !slices.Contains(towns, it.TownCode) {
		return Request{}, problem.Field("item_id", "no service item %d in your town", n.ItemID)
	}
	if !it.Active {
		return Request{}, problem.Field("item_id", "%s is not offered now", it.Name)
	}
	now := s.now()
	grid := ""
	if n.OnBehalf {
		grid = u.GridCode
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		id, err = insertID(ctx, tx, `INSERT INTO service_requests (town_code, item_id, department, state, requested_by, on_behalf, grid_code,
			organisation, contact_name, contact_phone, address, note, received_at, due_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, it.TownCode, it.ID, it.Department, string(Received), u.ID, store.Bool(n.OnBehalf), grid,
			strings.TrimSpace(n.Organisation), n.ContactName, n.ContactPhone, strings.TrimSpace(n.Address), strings.TrimSpace(n.Note),
			store.Millis(now), store.Millis(Due(now, it.Days)), store.Millis(now))
		if err != nil {
			return err
		}
		number := fmt.Sprintf("FW%s%05d", now.In(loc).Format("060102"), id%100000)
		if _, err := tx.Exec(ctx, `UPDATE service_requests SET number = ? WHERE id = ?`, number, id); err != nil {
			return err
		}
		text := "申请" + it.Name
		if n.OnBehalf {
			text = "代办申请" + it.Name
		}
		if err := s.event(ctx, tx, id, "request", "", Received, u, text, now); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, ToProvider, Request{ID: id, TownCode: it.TownCode, Department: it.Department, RequestedBy: u.ID}, u.ID,
			"service_requested", fmt.Sprintf("新的服务申请 %s（%s），请于 %s 前办结", number, it.Name, Due(now, it.Days).In(loc).Format("2006-01-02 15:04"))); err != nil {
			return err
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "service_request", EntityID: number, TownCode: it.TownCode,
			Detail: text})
	})
	if err != nil {
		return Request{}, err
	}
	return s.Request(ctx, towns, id)
}

func (s *Service) event(ctx context.Context, tx *store.Tx, id int64, action string, from, to State, u auth.User, text string, at time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO service_request_events (request_id, action, from_state, to_state, actor_id, actor_name, actor_role, text, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, action, string(from), string(to), store.NullIfZero(u.ID), u.DisplayName, u.Role, text, store.Millis(at))
	return err
}

// RequestLink is the page of request id: service notices carry it (notifications.link) so that
// the inbox links to the request and opening the request reads them.
func RequestLink(id int64) string { return fmt.Sprintf("/services/requests/%d", id) }

// notify tells an audience of a request (never the actor) through the notifications every user
// reads, linked to the request's page.
func (s *Service) notify(ctx context.Context, tx *store.Tx, to Audience, r Request, actor int64, kind, text string) error {
	now := store.Millis(s.now())
	link := RequestLink(r.ID)
	var err error
	switch to {
	case ToRequester:
		if r.RequestedBy == actor {
			return nil
		}
		_, err = tx.Exec(ctx, `INSERT INTO notifications (user_id, kind, text, link, created_at) VALUES (?, ?, ?, ?, ?)`, r.RequestedBy, kind, text, link, now)
	case ToProvider:
		_, err = tx.Exec(ctx, `INSERT INTO notifications (user_id, kind, text, link, created_at)
			SELECT id, ?, ?, ?, ? FROM users WHERE town_code = ? AND department_code = ? AND disabled = 0 AND id <> ?`, kind, text, link, now, r.TownCode, r.Department, actor)
	case ToDispatchers:
		_, err = tx.Exec(ctx, `INSERT INTO notifications (user_id, kind, text, link, created_at)
			SELECT id, ?, ?, ?, ? FROM users WHERE town_code = ? AND role = ? AND disabled = 0 AND id <> ?`, kind, text, link, now, r.TownCode, auth.RoleDispatcher, actor)
	}
	if err != nil {
		return fmt.Errorf("notify %s: %w", kind, err)
	}
	return nil
}

// MarkNoticesRead marks user's notices of request id read: the user has opened the request.
func (s *Service) MarkNoticesRead(ctx context.Context, userID, id int64) error {
	_, err := s.DB.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL AND order_id IS NULL AND link = ?`,
		store.Millis(s.now()), userID, RequestLink(id))
	if err != nil {
		return fmt.Errorf("read notices of service request %d: %w", id, err)
	}
	return nil
}

const requestCols = `r.id, COALESCE(r.number, ''), r.town_code, r.item_id, i.name, i.name_en, r.department, COALESCE(d.name, ''), r.state, r.requested_by,
	COALESCE(u.display_name, ''), r.on_behalf, r.grid_code, r.organisation, r.contact_name, r.contact_phone, r.address, r.note, r.result, r.reason,
	r.satisfaction, r.comment, r.returned, r.received_at, r.due_at, r.accepted_at, r.delivered_at, r.closed_at, r.version`

const requestFrom = ` FROM service_requests r JOIN service_items i ON i.id = r.item_id LEFT JOIN departments d ON d.code = r.department
	LEFT JOIN users u ON u.id = r.requested_by`

func optTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := store.FromMillis(v.Int64)
	return &t
}

func (s *Service) scanRequest(sc interface{ Scan(...any) error }) (Request, error) {
	var r Request
	var behalf int
	var received, due int64
	var acc, del, closed sql.NullInt64
	err := sc.Scan(&r.ID, &r.Number, &r.TownCode, &r.ItemID, &r.ItemName, &r.ItemNameEN, &r.Department, &r.DeptName, &r.State, &r.RequestedBy,
		&r.Requester, &behalf, &r.Grid, &r.Organisation, &r.ContactName, &r.ContactPhone, &r.Address, &r.Note, &r.Result, &r.Reason,
		&r.Satisfaction, &r.Comment, &r.Returned, &received, &due, &acc, &del, &closed, &r.Version)
	r.OnBehalf = behalf != 0
	r.ReceivedAt, r.DueAt = store.FromMillis(received), store.FromMillis(due)
	r.AcceptedAt, r.DeliveredAt, r.ClosedAt = optTime(acc), optTime(del), optTime(closed)
	r.Overdue = IsOpen(r.State) && s.now().After(r.DueAt)
	return r, err
}

// Request returns one request of towns with its timeline.
func (s *Service) Request(ctx context.Context, towns []string, id int64) (Request, error) {
	r, err := s.scanRequest(s.DB.QueryRow(ctx, `SELECT `+requestCols+requestFrom+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || err == nil && !slices.Contains(towns, r.TownCode) {
		return Request{}, problem.NotFound("service request %d", id)
	}
	if err != nil {
		return Request{}, err
	}
	rows, err := s.DB.Query(ctx, `SELECT action, from_state, to_state, actor_name, actor_role, text, created_at FROM service_request_events
		WHERE request_id = ? ORDER BY id`, id)
	if err != nil {
		return Request{}, err
	}
	for rows.Next() {
		var e Event
		var at int64
		if err := rows.Scan(&e.Action, &e.From, &e.To, &e.Actor, &e.ActorRole, &e.Text, &at); err != nil {
			rows.Close()
			return Request{}, err
		}
		e.At = store.FromMillis(at)
		r.Events = append(r.Events, e)
	}
	return r, closeRows(rows)
}

// Visible reports whether u may see request r at all: the requester, the provider department's
// handlers, and the town's dispatchers, admins and leaders.
func Visible(u auth.User, r Request) bool {
	switch u.Role {
	case auth.RoleHandler:
		return u.DepartmentCode != "" && u.DepartmentCode == r.Department
	case auth.RoleDispatcher, auth.RoleAdmin, auth.RoleLeader:
		return true
	}
	return u.ID == r.RequestedBy
}

// Filter narrows a list.
type Filter struct {
	State   string // a state, "open", or "" for all
	Overdue bool
	Limit   int
}

// MaxList bounds a list.
const MaxList = 500

// List returns the requests u may see in towns, newest first: one's own for requesters, the
// department's for handlers, the town's for dispatchers, admins and leaders.
func (s *Service) List(ctx context.Context, towns []string, u auth.User, f Filter) ([]Request, error) {
	in, args := store.In("r.town_code", towns)
	q := `SELECT ` + requestCols + requestFrom + ` WHERE ` + in
	switch u.Role {
	case auth.RoleHandler:
		q += ` AND r.department = ?`
		args = append(args, u.DepartmentCode)
	case auth.RoleDispatcher, auth.RoleAdmin, auth.RoleLeader:
	default:
		q += ` AND r.requested_by = ?`
		args = append(args, u.ID)
	}
	switch f.State {
	case "":
	case "open":
		q += ` AND r.state IN (?, ?)`
		args = append(args, string(Received), string(Accepted))
	default:
		q += ` AND r.state = ?`
		args = append(args, f.State)
	}
	if f.Overdue {
		q += ` AND r.state IN (?, ?) AND r.due_at < ?`
		args = append(args, string(Received), string(Accepted), store.Millis(s.now()))
	}
	if f.Limit <= 0 || f.Limit > MaxList {
		f.Limit = MaxList
	}
	rows, err := s.DB.Query(ctx, q+fmt.Sprintf(` ORDER BY r.id DESC LIMIT %d`, f.Limit), args...)
	if err != nil {
		return nil, err
	}
	out := []Request{}
	for rows.Next() {
		r, err := s.scanRequest(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
	}
	return out, closeRows(rows)
}

// Act takes action act on request id for u, through the lifecycle table: the state moves, the
// row's effects apply, its notices go out, and the event and the audit row land in the same
// transaction, guarded by the request's version (a stale screen gets a conflict).
func (s *Service) Act(ctx context.Context, towns []string, u auth.User, id int64, act Action, in Input, by audit.Actor) (Request, error) {
	r, err := s.Request(ctx, towns, id)
	if err != nil {
		return Request{}, err
	}
	if !Visible(u, r) {
		return Request{}, problem.NotFound("service request %d", id)
	}
	t, err := Decide(r.Subject(), Actor{UserID: u.ID, Role: u.Role, Department: u.DepartmentCode}, act, in)
	if err != nil {
		return Request{}, err
	}
	now := s.now()
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		set := []string{"state = ?", "version = version + 1", "updated_at = ?"}
		args := []any{string(t.To), store.Millis(now)}
		for _, e := range t.Effects {
			switch e {
			case EffStampAccepted:
				set, args = append(set, "accepted_at = ?"), append(args, store.Millis(now))
			case EffSetResult:
				set, args = append(set, "result = ?"), append(args, strings.TrimSpace(in.Result))
			case EffStampDelivered:
				set, args = append(set, "delivered_at = ?"), append(args, store.Millis(now))
			case EffSetReason:
				set, args = append(set, "reason = ?"), append(args, strings.TrimSpace(in.Reason))
			case EffCountReturn:
				set = append(set, "returned = returned + 1")
			case EffStampClosed:
				set, args = append(set, "closed_at = ?"), append(args, store.Millis(now))
			case EffSetRating:
				set, args = append(set, "satisfaction = ?", "comment = ?"), append(args, in.Satisfaction, strings.TrimSpace(in.Comment))
			}
		}
		res, err := tx.Exec(ctx, `UPDATE service_requests SET `+strings.Join(set, ", ")+` WHERE id = ? AND version = ?`, append(args, id, r.Version)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			if err != nil {
				return err
			}
			return problem.Conflict("the request changed meanwhile; reload it")
		}
		text := strings.TrimSpace(in.Result + " " + in.Reason + " " + in.Note + " " + in.Comment)
		if in.Satisfaction != "" {
			text = strings.TrimSpace(in.Satisfaction + " " + text)
		}
		if err := s.event(ctx, tx, id, string(act), r.State, t.To, u, text, now); err != nil {
			return err
		}
		for _, n := range t.Notify {
			if n.OnlyDissatisfied && in.Satisfaction != "dissatisfied" {
				continue
			}
			msg := strings.NewReplacer("{number}", r.Number, "{item}", r.ItemName, "{reason}", in.Reason, "{result}", short(in.Result)).Replace(n.Text)
			if err := s.notify(ctx, tx, n.To, r, u.ID, n.Kind, msg); err != nil {
				return err
			}
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "service_request", EntityID: r.Number, TownCode: r.TownCode,
			Detail: fmt.Sprintf("%s: %s → %s", act, r.State, t.To)})
	})
	if err != nil {
		return Request{}, err
	}
	return s.Request(ctx, towns, id)
}

func short(s string) string {
	if r := []rune(strings.TrimSpace(s)); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return strings.TrimSpace(s)
}
