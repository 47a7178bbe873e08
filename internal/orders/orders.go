// Package orders is the work-order store (工单闭环): it keeps every demand, whatever its channel,
// as one order with an append-only history, and applies the lifecycle decided by package
// workorder — loading an order, asking [workorder.Decide], and writing the [workorder.Decision]
// in one transaction guarded by the order's version, so two people acting at once never both win.
//
// The rules (who may do what, in which state, with which input) live in workorder only; this
// package adds what needs the database: codes that must exist in the town, deadlines on the
// working-day calendar, suspensions, notifications and the overdue escalator.
package orders

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Channels an order can arrive through.
const (
	ChannelHotline  = "hotline"  // 12345 热线
	ChannelPatrol   = "patrol"   // 网格巡查
	ChannelResident = "resident" // 居民上报
	ChannelVisit    = "visit"    // 走访
	ChannelOpen311  = "open311"  // Open311 GeoReport v2
	ChannelAPI      = "api"      // other systems
)

// Channels lists the channels with their labels, Chinese first.
var Channels = []struct{ Code, ZH, EN string }{
	{ChannelHotline, "12345热线", "12345 hotline"},
	{ChannelPatrol, "网格巡查", "Grid patrol"},
	{ChannelResident, "居民上报", "Resident report"},
	{ChannelVisit, "走访", "Door-to-door visit"},
	{ChannelOpen311, "Open311", "Open311"},
	{ChannelAPI, "接口", "API"},
}

// ValidChannel reports whether c is one of [Channels].
func ValidChannel(c string) bool {
	for _, ch := range Channels {
		if ch.Code == c {
			return true
		}
	}
	return false
}

// Order is one work order. Overdue is computed against the store's clock when the order is read:
// open, running (not suspended) and past its deadline. Warning (预警) is open, running, not yet
// overdue and flagged by EscalateOverdue once the town's warning fraction of the allowed working
// time is used; List's Warning filter means the same.
type Order struct {
	ID                int64      `json:"id"`
	Number            string     `json:"number"`
	ShortCode         string     `json:"short_code"`
	TownCode          string     `json:"town"`
	State             string     `json:"state"`
	Version           int        `json:"version"`
	Channel           string     `json:"channel"`
	ExternalID        string     `json:"external_id"`
	Content           string     `json:"content"`
	Address           string     `json:"address"`
	Lat               *float64   `json:"lat"`
	Lng               *float64   `json:"lng"`
	Grid              string     `json:"grid"`
	Committee         string     `json:"committee"`
	Category          string     `json:"category"`
	CategoryVersion   int        `json:"category_version"` // the category tree's version its category was chosen from (0: before versions)
	DeadlineClass     string     `json:"deadline_class"`
	Department        string     `json:"department"`
	CoDepartments     []string   `json:"co_departments"`
	CallerName        string     `json:"caller_name"`
	CallerPhone       string     `json:"caller_phone"`
	RaisedBy          int64      `json:"raised_by"`
	ReceivedAt        time.Time  `json:"received_at"`
	FiledAt           *time.Time `json:"filed_at"`
	Deadline          *time.Time `json:"deadline"`
	ClosedAt          *time.Time `json:"closed_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	Suspended         bool       `json:"suspended"`
	ExtensionPending  bool       `json:"extension_pending"`
	ExtensionDeadline *time.Time `json:"extension_deadline"`
	Satisfaction      string     `json:"satisfaction"`
	// CallbackOutcome is how the callback (回访) ended without a rating: unreachable, declined,
	// no_contact (workorder.CallbackOutcomes); "" while it runs, once rated, and before closing.
	CallbackOutcome string `json:"callback_outcome"`
	Result          string `json:"result"`
	ReturnedCount   int    `json:"returned_count"`
	ReworkCount     int    `json:"rework_count"`
	ReopenCount     int    `json:"reopen_count"`
	EscalationLevel int    `json:"escalation_level"`
	DuplicateOf     int64  `json:"duplicate_of"`
	Overdue         bool   `json:"overdue"`
	Warning         bool   `json:"warning"`
	// ChannelData is what the channel said beyond the order's columns, kept as written (the
	// hotline's 诉求类型 as kind, its category text and 街镇 text).
	ChannelData map[string]string `json:"channel_data,omitempty"`
	Events      []Event           `json:"events,omitempty"`
	// Stages are the order's stage clocks (办理时限 per stage and owner), with the events.
	Stages []OrderStage `json:"stages,omitempty"`

	// Bookkeeping the lifecycle needs but clients do not.
	limitDays      int       // working days imposed at intake (hotline), 0 = from the class
	suspendedSince time.Time // start of the open suspension
	suspendedTotal int64     // ms suspended so far, closed intervals only
	escalatedAt    time.Time
	escalateTo     []*OrderStage // the stages an escalation in progress blames (notice ToStageOwner)
	warningAt      time.Time
}

// Event is one entry of an order's history.
type Event struct {
	Seq     int            `json:"seq"`
	At      time.Time      `json:"at"`
	ActorID int64          `json:"actor_id"`
	Actor   string         `json:"actor"`
	Role    string         `json:"role"`
	Action  string         `json:"action"`
	From    string         `json:"from"`
	To      string         `json:"to"`
	Reason  string         `json:"reason,omitempty"`
	Note    string         `json:"note,omitempty"`
	Result  string         `json:"result,omitempty"`
	Comment string         `json:"comment,omitempty"`
	Data    map[string]any `json:"data,omitempty"`
	Photos  []string       `json:"photos,omitempty"`
}

// ActionReceive is the action of an order's first event; it is not in the transition table
// because nobody takes it on an existing order.
const ActionReceive = "receive"

// ActorInfo is who acts: the lifecycle's actor plus the name the history shows.
type ActorInfo struct {
	workorder.Actor
	Name string
}

// Store reads and changes work orders.
type Store struct {
	DB  *store.DB
	Cal *workcal.Calendar
	// Now is the clock for deadlines, events and the overdue flags; tests set it.
	Now func() time.Time
	// Locator, when set, gives the grid locator of a town (the HTTP layer caches one); when nil,
	// Create builds one from the town's grids for each order that needs it.
	Locator func(ctx context.Context, town string) (*places.Locator, error)
	// Residents, when set, is told when an order a resident reported moves (resident.go); nil
	// tells nobody.
	Residents ResidentNotifier
	// Changes, when set, is told of every order created or moved through Create and Act
	// (changes.go: the live screens); nil tells nobody.
	Changes ChangeNotifier

	// searchWalk overrides manyHits and searchWalkRows when set (tests: both plans on a few
	// orders).
	searchWalk *[2]int
}

// New returns a store on db with the default calendar (official holidays 2024–2026).
func New(db *store.DB) *Store {
	return &Store{DB: db, Cal: workcal.Default(), Now: time.Now}
}

func (s *Store) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// wo is the part of o the lifecycle decides on.
func (o Order) wo() workorder.Order {
	return workorder.Order{
		ID: o.ID, State: workorder.State(o.State), Grid: o.Grid, Department: o.Department,
		CoDepartments: o.CoDepartments, Suspended: o.Suspended, ExtensionPending: o.ExtensionPending,
		Satisfaction: o.Satisfaction, CallbackOutcome: o.CallbackOutcome, RaisedBy: o.RaisedBy, Version: o.Version,
	}
}

// Allowed lists the actions a may take on o now (input aside), for buttons and the API.
func (s *Store) Allowed(o Order, a workorder.Actor) []workorder.Action {
	return workorder.AllowedActions(o.wo(), a)
}

// orderCols is the column list scanOrder reads, in order.
const orderCols = `id, town_code, number, short_code, state, version, channel, external_id, content, address,
	lat, lng, grid_code, committee_code, category_code, deadline_class, limit_days, department_code, co_departments,
	caller_name, caller_phone, raised_by, received_at, filed_at, deadline_at, closed_at, updated_at,
	suspended, suspended_since, suspended_total_ms, extension_pending, extension_deadline, satisfaction,
	returned_count, rework_count, reopen_count, escalated_at, escalation_level, warning_at, duplicate_of, result, channel_data, category_version,
	callback_outcome`

type scanner interface{ Scan(dest ...any) error }

func scanOrder(r scanner, extra ...any) (Order, error) {
	var o Order
	var number, external, grid, committee, dept sql.NullString
	var lat, lng sql.NullFloat64
	var raisedBy, filed, deadline, closed, since, extDeadline, escalated, warning, dup sql.NullInt64
	var received, updated int64
	var suspended, extPending int
	var co, channelData string
	dest := []any{&o.ID, &o.TownCode, &number, &o.ShortCode, &o.State, &o.Version, &o.Channel, &external, &o.Content, &o.Address,
		&lat, &lng, &grid, &committee, &o.Category, &o.DeadlineClass, &o.limitDays, &dept, &co,
		&o.CallerName, &o.CallerPhone, &raisedBy, &received, &filed, &deadline, &closed, &updated,
		&suspended, &since, &o.suspendedTotal, &extPending, &extDeadline, &o.Satisfaction,
		&o.ReturnedCount, &o.ReworkCount, &o.ReopenCount, &escalated, &o.EscalationLevel, &warning, &dup, &o.Result, &channelData, &o.CategoryVersion,
		&o.CallbackOutcome}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return o, err
	}
	o.Number, o.ExternalID, o.Grid, o.Committee, o.Department = number.String, external.String, grid.String, committee.String, dept.String
	if lat.Valid && lng.Valid {
		o.Lat, o.Lng = &lat.Float64, &lng.Float64
	}
	o.CoDepartments = splitList(co)
	o.ChannelData = decodeChannelData(channelData)
	o.RaisedBy, o.DuplicateOf = raisedBy.Int64, dup.Int64
	o.ReceivedAt, o.UpdatedAt = store.FromMillis(received), store.FromMillis(updated)
	o.FiledAt, o.Deadline, o.ClosedAt, o.ExtensionDeadline = timePtr(filed), timePtr(deadline), timePtr(closed), timePtr(extDeadline)
	o.Suspended, o.ExtensionPending = suspended == 1, extPending == 1
	o.suspendedSince, o.escalatedAt, o.warningAt = nullTime(since), nullTime(escalated), nullTime(warning)
	return o, nil
}

// flags computes the fields that depend on the clock. A suspended order's clock is stopped, so
// it is neither overdue nor close to it; a closed one has nothing left to be late for.
func (o *Order) flags(now time.Time) {
	open := workorder.IsOpen(workorder.State(o.State)) && !o.Suspended && o.Deadline != nil
	o.Overdue = open && now.After(*o.Deadline)
	o.Warning = open && !o.Overdue && !o.warningAt.IsZero()
}

func timePtr(n sql.NullInt64) *time.Time {
	if !n.Valid || n.Int64 == 0 {
		return nil
	}
	t := time.UnixMilli(n.Int64)
	return &t
}

func nullTime(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return store.FromMillis(n.Int64)
}

// ms is the stored form of an optional time: NULL for nil or zero.
func ms(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func msZero(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// encodeChannelData is the stored form of a channel's extra fields: a JSON object of the
// non-empty ones, "" when there are none.
func encodeChannelData(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k, v := range m {
		if v != "" {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return ""
	}
	sort.Strings(keys)
	b := []byte{'{'}
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = store.AppendJSONString(b, k)
		b = append(b, ':')
		b = store.AppendJSONString(b, m[k])
	}
	return string(append(b, '}'))
}

// cleanChannelData is m without its empty values, nil when none are left: the form an order
// reads back. m itself is returned when it has no empty values.
func cleanChannelData(m map[string]string) map[string]string {
	n := 0
	for _, v := range m {
		if v != "" {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	if n == len(m) {
		return m
	}
	out := make(map[string]string, n)
	for k, v := range m {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// decodeChannelData reads encodeChannelData's form; empty values are dropped, as they are when
// written, so a stored {"kind": ""} equals no kind at all.
func decodeChannelData(s string) map[string]string {
	if s == "" {
		return nil
	}
	var m map[string]string
	if json.Unmarshal([]byte(s), &m) != nil {
		return nil
	}
	for k, v := range m {
		if v == "" {
			delete(m, k)
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// load reads one order of the given towns.
func (s *Store) load(ctx context.Context, q store.Querier, towns []string, id int64) (Order, error) {
	where, args := store.In("town_code", towns)
	o, err := scanOrder(q.QueryRow(ctx, `SELECT `+orderCols+` FROM orders WHERE id = ? AND `+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return o, problem.NotFound("order %d", id)
	}
	if err != nil {
		return o, fmt.Errorf("order %d: %w", id, err)
	}
	return o, nil
}

// loadForChange is load for an action: with the KPI upkeep on, on PostgreSQL, it locks the
// order's row (SELECT … FOR UPDATE: after a wait, the row as the other transaction left it), so
// that the upkeep's reading of the order before the action and the action's change are not
// interleaved with an exemption (kpi.Service.Exempt locks the row too, and does not change it).
func (s *Store) loadForChange(ctx context.Context, q store.Querier, towns []string, id int64) (Order, error) {
	if !kpiUpkeep || q.Dialect() != store.Postgres {
		return s.load(ctx, q, towns, id)
	}
	where, args := store.In("town_code", towns)
	o, err := scanOrder(q.QueryRow(ctx, `SELECT `+orderCols+` FROM orders WHERE id = ? AND `+where+` FOR UPDATE`, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return o, problem.NotFound("order %d", id)
	}
	if err != nil {
		return o, fmt.Errorf("order %d: %w", id, err)
	}
	return o, nil
}

// Get returns an order of the given towns; an order of another town is simply not found.
func (s *Store) Get(ctx context.Context, towns []string, id int64, withEvents bool) (Order, error) {
	o, err := s.load(ctx, s.DB, towns, id)
	if err != nil {
		return o, err
	}
	if withEvents {
		if o.Events, err = events(ctx, s.DB, o.ID); err != nil {
			return o, err
		}
		if o.Stages, err = s.stagesOf(ctx, s.DB, &o, s.now()); err != nil {
			return o, err
		}
	}
	o.flags(s.now())
	return o, nil
}

// ByNumber is the residents' tracking lookup: the order number and its short code must both
// match, so numbers, which are guessable, do not reveal orders on their own.
func (s *Store) ByNumber(ctx context.Context, number, shortCode string) (Order, error) {
	number, shortCode = strings.TrimSpace(number), strings.ToUpper(strings.TrimSpace(shortCode))
	// A number ends with the order's id (orderNumber), so the lookup goes by primary key and
	// the number needs no index of its own: one index fewer to write for every imported order.
	i := strings.LastIndexByte(number, '-')
	id, perr := strconv.ParseInt(number[i+1:], 10, 64)
	if i < 0 || perr != nil {
		return Order{}, problem.NotFound("order %s", number)
	}
	o, err := scanOrder(s.DB.QueryRow(ctx, `SELECT `+orderCols+` FROM orders WHERE id = ? AND number = ?`, id, number))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && subtle.ConstantTimeCompare([]byte(o.ShortCode), []byte(shortCode)) != 1) {
		return Order{}, problem.NotFound("order %s", number)
	}
	if err != nil {
		return Order{}, err
	}
	if o.Events, err = events(ctx, s.DB, o.ID); err != nil {
		return Order{}, err
	}
	o.flags(s.now())
	return o, nil
}

// ByExternalID finds the order an intake channel already created for its own id (a hotline order
// number, an Open311 token), so that importing the same file twice creates nothing twice.
func (s *Store) ByExternalID(ctx context.Context, q store.Querier, town, channel, externalID string) (Order, error) {
	o, err := scanOrder(q.QueryRow(ctx, `SELECT `+orderCols+` FROM orders WHERE town_code = ? AND channel = ? AND external_id = ?`,
		town, channel, externalID))
	if errors.Is(err, sql.ErrNoRows) {
		return o, problem.NotFound("order %s/%s in town %s", channel, externalID, town)
	}
	if err != nil {
		return o, err
	}
	o.flags(s.now())
	return o, nil
}

func events(ctx context.Context, q store.Querier, orderID int64) ([]Event, error) {
	rows, err := q.Query(ctx, `SELECT seq, at, actor_id, actor_name, actor_role, action, from_state, to_state,
		reason, note, result, comment, data, photos FROM order_events WHERE order_id = ? ORDER BY seq`, orderID)
	if err != nil {
		return nil, fmt.Errorf("events of order %d: %w", orderID, err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var at int64
		var actor sql.NullInt64
		var data, photos string
		if err := rows.Scan(&e.Seq, &at, &actor, &e.Actor, &e.Role, &e.Action, &e.From, &e.To,
			&e.Reason, &e.Note, &e.Result, &e.Comment, &data, &photos); err != nil {
			return nil, err
		}
		e.At, e.ActorID = store.FromMillis(at), actor.Int64
		if data != "" {
			if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
				return nil, fmt.Errorf("order %d event %d data: %w", orderID, e.Seq, err)
			}
		}
		if photos != "" {
			if err := json.Unmarshal([]byte(photos), &e.Photos); err != nil {
				return nil, fmt.Errorf("order %d event %d photos: %w", orderID, e.Seq, err)
			}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// appendEvent writes one history entry; seq is the order's version after the change, which the
// UNIQUE (order_id, seq) constraint turns into a second guard against lost updates.
func appendEvent(ctx context.Context, q store.Querier, orderID int64, e Event) error {
	var data, photos string
	if len(e.Data) > 0 {
		b, err := json.Marshal(e.Data)
		if err != nil {
			return err
		}
		data = string(b)
	}
	if len(e.Photos) > 0 {
		b, err := json.Marshal(e.Photos)
		if err != nil {
			return err
		}
		photos = string(b)
	}
	_, err := q.Exec(ctx, `INSERT INTO order_events (order_id, seq, at, actor_id, actor_name, actor_role, action, from_state, to_state,
		reason, note, result, comment, data, photos) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		orderID, e.Seq, e.At.UnixMilli(), store.NullIfZero(e.ActorID), e.Actor, e.Role, e.Action, e.From, e.To,
		e.Reason, e.Note, e.Result, e.Comment, data, photos)
	if err != nil {
		return fmt.Errorf("order %d event %s: %w", orderID, e.Action, err)
	}
	return nil
}
