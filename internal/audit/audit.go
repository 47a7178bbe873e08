// Package audit keeps the append-only record of who did what to which record — including every
// time someone was shown a resident's personal data. The table refuses UPDATE and DELETE by
// trigger, so the record cannot be rewritten through the application either.
package audit

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/store"
)

// Entry is one audited act.
type Entry struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	ActorID  int64     `json:"actor_id,omitempty"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	Entity   string    `json:"entity"`
	EntityID string    `json:"entity_id,omitempty"`
	TownCode string    `json:"town,omitempty"`
	Detail   string    `json:"detail,omitempty"`
	IP       string    `json:"ip,omitempty"`
}

// Actions with a fixed meaning across capabilities.
const (
	ActionViewPII = "view_personal_data"
	ActionCreate  = "create"
	ActionUpdate  = "update"
	ActionDelete  = "delete"
	ActionLogin   = "login"
	ActionLoginKO = "login_failed"
	// ActionPasswordReset is an administrator setting another user's password;
	// ActionPasswordChange is a user changing their own.
	ActionPasswordReset  = "password_reset"
	ActionPasswordChange = "password_change"
	// ActionExport is a download of records in bulk (the audit log's own export).
	ActionExport = "export"
)

// Actions lists the action codes the application records, for the log's filter and its labels
// (the work-order lifecycle keeps its own in workorder and the order timeline).
var Actions = []string{ActionCreate, ActionUpdate, ActionDelete, ActionViewPII, ActionLogin, ActionLoginKO,
	ActionPasswordReset, ActionPasswordChange, ActionExport, "adopt", "rate", "rectify"}

// Entities lists the kinds of record the log names.
var Entities = []string{"audit_log", "user", "api_token", "grid", "department", "campaign", "order", "campaign_target", "grid_member",
	"dispatch_rule", "address_book", "kpi_exemption", "project_proposal", "project_list", "voting_body", "project_session",
	"result", "result_milestone", "result_inspection", "result_comment", "result_statuses",
	"consultation", "consult_body", "consult_answer",
	"booking", "booking_resource", "booking_slot",
	"volunteer", "vol_project", "vol_activity", "vol_attendance", "vol_record", "vol_certificate"}

// Actor is who made a change, as the log names them: a signed-in user (ID and username) or a
// tool with no account ("demo", "cli"); IP is the client's address when the change came over the
// network. Services that change records take one and record the entry in their transaction.
type Actor struct {
	ID   int64
	Name string
	IP   string
}

// Record appends e as done by a, in q — the transaction that made the change.
func (a Actor) Record(ctx context.Context, q store.Querier, e Entry) error {
	e.ActorID, e.Actor, e.IP = a.ID, a.Name, a.IP
	return Record(ctx, q, e)
}

// Record appends an entry; pass the transaction that made the change so both land or neither.
func Record(ctx context.Context, q store.Querier, e Entry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	var actorID, town any
	if e.ActorID != 0 {
		actorID = e.ActorID
	}
	if e.TownCode != "" {
		town = e.TownCode
	}
	_, err := q.Exec(ctx, `INSERT INTO audit_log (at, actor_id, actor, action, entity, entity_id, town_code, detail, ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.At.UnixMilli(), actorID, e.Actor, e.Action, e.Entity, e.EntityID, town, e.Detail, e.IP)
	return err
}

// Filter narrows a listing.
type Filter struct {
	Towns    []string // entries of these towns; empty means none unless All
	All      bool     // every entry, for the installation's own tools (CLI)
	Entity   string
	EntityID string
	Action   string
	Actor    string    // the actor's username (or tool name), exactly
	From, To time.Time // entries at or after From and before To; zero means open
	Limit    int
	Offset   int // entries to skip, for paging (newest first)
	// Subject finds the entries about one record: those naming it as their entity_id, and the
	// views of personal data whose list of records shown names it (see privacy.Record).
	Subject string
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// ExportLimit bounds an export (one spreadsheet); a page is at most 1000 entries.
const ExportLimit = 50000

// List returns the newest entries first: at most f.Limit (200 when unset or above 1000), after
// skipping f.Offset.
func List(ctx context.Context, q store.Querier, f Filter) ([]Entry, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	return list(ctx, q, f)
}

// Export returns the newest ExportLimit entries f matches, newest first (its Limit and Offset
// ignored).
func Export(ctx context.Context, q store.Querier, f Filter) ([]Entry, error) {
	f.Limit, f.Offset = ExportLimit, 0
	return list(ctx, q, f)
}

func list(ctx context.Context, q store.Querier, f Filter) ([]Entry, error) {
	where, args, none := f.where()
	if none {
		return nil, nil
	}
	query := `SELECT id, at, actor_id, actor, action, entity, entity_id, town_code, detail, ip FROM audit_log WHERE ` + where +
		` ORDER BY id DESC LIMIT ? OFFSET ?`
	args = append(args, f.Limit, max(f.Offset, 0))
	return store.Collect(ctx, q, scanEntry, query, args...)
}

// Count returns how many entries f matches (its Limit and Offset ignored).
func Count(ctx context.Context, q store.Querier, f Filter) (int, error) {
	where, args, none := f.where()
	if none {
		return 0, nil
	}
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE `+where, args...).Scan(&n)
	return n, err
}

func (f Filter) where() (string, []any, bool) {
	query := `1 = 1`
	var args []any
	if !f.All {
		if len(f.Towns) == 0 {
			return "", nil, true
		}
		query += ` AND town_code IN (` + store.Placeholders(len(f.Towns)) + `)`
		for _, t := range f.Towns {
			args = append(args, t)
		}
	}
	if f.Entity != "" {
		query += ` AND entity = ?`
		args = append(args, f.Entity)
	}
	if f.EntityID != "" {
		query += ` AND entity_id = ?`
		args = append(args, f.EntityID)
	}
	if f.Subject != "" {
		query += ` AND (entity_id = ? OR (action = ? AND detail LIKE ? ESCAPE '\'))`
		args = append(args, f.Subject, ActionViewPII, "% "+likeEscaper.Replace(f.Subject)+" %")
	}
	if f.Action != "" {
		query += ` AND action = ?`
		args = append(args, f.Action)
	}
	if f.Actor != "" {
		query += ` AND actor = ?`
		args = append(args, f.Actor)
	}
	if !f.From.IsZero() {
		query += ` AND at >= ?`
		args = append(args, f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		query += ` AND at < ?`
		args = append(args, f.To.UnixMilli())
	}
	return query, args, false
}

func scanEntry(rows *sql.Rows) (Entry, error) {
	var e Entry
	var at int64
	var actorID *int64
	var town *string
	if err := rows.Scan(&e.ID, &at, &actorID, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &town, &e.Detail, &e.IP); err != nil {
		return e, err
	}
	e.At = time.UnixMilli(at)
	if actorID != nil {
		e.ActorID = *actorID
	}
	if town != nil {
		e.TownCode = *town
	}
	return e, nil
}
