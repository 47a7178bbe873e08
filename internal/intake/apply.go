package intake

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/civicgrid/civicgrid/internal/intake/hotline"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// What happened to one row.
const (
	Created   = "created"
	Updated   = "updated"
	Unchanged = "unchanged"
	Rejected  = "rejected"
)

// ActionHotlineUpdate is the event appended when a re-imported or re-pushed row corrects an order.
const ActionHotlineUpdate = "hotline_update"

// Result is the outcome of one row.
type Result struct {
	Line      int
	HotlineID string
	Status    string // Created, Updated, Unchanged or Rejected
	OrderID   int64
	Number    string   // the order's number, empty when rejected
	Grid      string   // the grid of a created order, "" when it waits to be located
	Changed   []string // for Updated: the fields that changed
	Errors    []hotline.RowError
}

// applier writes valid rows of one town: new ones in bulk, known ones as corrections.
type applier struct {
	orders *orders.Store
	router *Router
	actor  orders.ActorInfo
	header map[string]string // field key → column as written in the file; nil for pushed JSON
	// dialect is the database's: on PostgreSQL prepare also computes the search terms as COPY
	// sends them (orders.PrepareBulkFor).
	dialect store.Dialect
}

// column is how errors name a field's column: as the file wrote it, else by the field's key.
func (a *applier) column(field string) string {
	if c := a.header[field]; c != "" {
		return c
	}
	return field
}

// townError rejects a row whose 街镇 names another town: an export may cover several, and a
// row of a neighbour must not become an order here.
func (a *applier) townError(row hotline.Row, column string) []hotline.RowError {
	if row.Town == "" {
		return nil
	}
	t := normalise(row.Town)
	name, short := a.router.TownName, shortName(a.router.TownName)
	if strings.Contains(t, short) || strings.Contains(name, t) {
		return nil
	}
	return []hotline.RowError{{Line: row.Line, Column: column, Field: "town",
		Reason: fmt.Sprintf("街镇 %q 不是本次导入的%s", row.Town, name)}}
}

// deadlineClass follows the Shanghai hotline's time limits: consultations, suggestions and
// praise are answered within a working day, requests and complaints within five.
func deadlineClass(kind string) string {
	switch kind {
	case "consult", "suggestion", "praise":
		return workorder.ClassConsult
	case "help", "complaint":
		return workorder.ClassGeneral
	}
	return ""
}

// prepare turns a valid row into the order it becomes: routed to a grid (coordinates, then the
// address book), its category mapped, encoded for BulkCreate. It reads nothing from the
// database, so an importer runs it while the previous batch is being written. A row the order
// rules refuse although the file's checks passed is rejected naming the field, as is a row of
// another town (townError; townColumn names its column).
func (a *applier) prepare(row hotline.Row, townColumn string) (prepared, []hotline.RowError) {
	if errs := a.townError(row, townColumn); len(errs) > 0 {
		return prepared{}, errs
	}
	// A receipt time in the future would put the deadline there too; the store refuses it, and
	// refused at write time it would take the rest of the batch with it.
	if now := a.now(); row.ReceivedAt.After(now.Add(time.Hour)) {
		return prepared{}, []hotline.RowError{{Line: row.Line, Column: a.column("received_at"), Field: "received_at",
			Reason: fmt.Sprintf("来电时间 %s 晚于当前时间", row.ReceivedAt.In(now.Location()).Format("2006-01-02 15:04"))}}
	}
	n := orders.NewOrder{
		TownCode: a.router.Town, Channel: orders.ChannelHotline, ExternalID: row.HotlineID, Content: row.Content,
		Address: row.Address, Lat: row.Lat, Lng: row.Lng, CallerName: row.Caller, CallerPhone: row.Phone,
		ReceivedAt: row.ReceivedAt, ActorName: a.actor.Name, ActorRole: a.actor.Role,
		DeadlineClass: deadlineClass(row.Kind), LimitDays: row.LimitDays,
		ChannelData: map[string]string{"kind": row.Kind, "category_text": row.CategoryText, "town_text": row.Town},
	}
	n.Grid, _ = a.router.Grid(row.Lng, row.Lat, row.Address)
	n.Category = a.router.Category(row.CategoryText)
	if err := orders.PrepareBulkFor(&n, a.dialect); err != nil {
		return prepared{}, []hotline.RowError{a.rowError(row, err)}
	}
	return prepared{row: row, order: n}, nil
}

func (a *applier) now() time.Time {
	if a.orders.Now != nil {
		return a.orders.Now()
	}
	return time.Now()
}

// storeFields maps the order store's field names to the hotline's where they differ.
var storeFields = map[string]string{"caller_name": "caller", "caller_phone": "phone", "external_id": "hotline_id",
	"category_text": "category", "town_text": "town"}

// rowError is the store's or the database's refusal of one row, naming the row and, as far as
// it can be told, the column.
func (a *applier) rowError(row hotline.Row, err error) hotline.RowError {
	e := hotline.RowError{Line: row.Line, Field: "hotline_id", Reason: err.Error()}
	var fe *problem.FieldError
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &fe):
		e.Field, e.Reason = fe.Field, fe.Reason
		if f, ok := storeFields[fe.Field]; ok {
			e.Field = f
		}
	case errors.As(err, &pe):
		e.Reason = "数据库拒收此行：" + pe.Message
	case errors.Is(err, problem.ErrConflict):
		e.Reason = "该工单正被同时写入，本行未导入，请稍后重新导入"
	default:
		e.Reason = "数据库拒收此行：" + err.Error()
	}
	e.Column = a.column(e.Field)
	return e
}

// refusedValue reports whether err is the database or the store refusing what one row holds —
// PostgreSQL's data exceptions (SQLSTATE 22…), integrity violations (23…) and program limits
// (54…, such as a search term too long), SQLite's constraint, size and type failures, a field
// the store refused, or a clash with a concurrent writer of the same id — rather than the
// database failing, after which no row can be judged. Only then is a batch retried row by row.
func refusedValue(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code[:2] {
		case "22", "23", "54":
			return true
		}
		return false
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CONSTRAINT, sqlite3.SQLITE_TOOBIG, sqlite3.SQLITE_MISMATCH:
			return true
		}
		return false
	}
	var fe *problem.FieldError
	return errors.As(err, &fe) || errors.Is(err, problem.ErrConflict)
}

// applyEach is apply one row at a time, each behind a savepoint: a row the database refuses
// (refusedValue) is rolled back alone and rejected with the reason, and the other rows are
// written. Importers fall back to it when a whole batch failed on such a row, so that one bad
// cell never blocks the rows around it. It is slower than apply, and only ever used after a
// failure.
func (a *applier) applyEach(ctx context.Context, tx *store.Tx, rows []prepared, idColumn string) ([]Result, error) {
	out := make([]Result, len(rows))
	first := make(map[string]int, len(rows))
	for i, p := range rows {
		r := p.row
		var repeated bool
		if out[i], repeated = startResult(rows, i, first, idColumn); repeated {
			continue
		}
		if _, err := tx.Exec(ctx, `SAVEPOINT import_row`); err != nil {
			return nil, err
		}
		res, err := a.apply(ctx, tx, rows[i:i+1], idColumn)
		if err != nil {
			if !refusedValue(err) {
				return nil, err
			}
			if _, rerr := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT import_row`); rerr != nil {
				return nil, rerr
			}
			out[i].Status, out[i].Errors = Rejected, []hotline.RowError{a.rowError(r, err)}
			continue
		}
		if _, err := tx.Exec(ctx, `RELEASE SAVEPOINT import_row`); err != nil {
			return nil, err
		}
		out[i] = res[0]
	}
	return out, nil
}

// startResult is the result of rows[i] before it is written: rejected (repeated) when an
// earlier row of rows holds the same hotline id. first maps each id to the index of its first
// row; startResult adds rows[i]'s id when it is new.
func startResult(rows []prepared, i int, first map[string]int, idColumn string) (res Result, repeated bool) {
	r := rows[i].row
	res = Result{Line: r.Line, HotlineID: r.HotlineID}
	if j, dup := first[r.HotlineID]; dup {
		res.Status = Rejected
		res.Errors = []hotline.RowError{{Line: r.Line, Column: idColumn, Field: "hotline_id",
			Reason: fmt.Sprintf("工单编号 %q 与第%d行重复", r.HotlineID, rows[j].row.Line)}}
		return res, true
	}
	first[r.HotlineID] = i
	return res, false
}

// ownOrder reports whether an order holding a hotline number is the importer's to correct: of
// the hotline channel and raised by no user account (the importer never sets one).
func ownOrder(o orders.Order) bool {
	return o.Channel == orders.ChannelHotline && o.RaisedBy == 0
}

// prepared is a valid row and the order it becomes.
type prepared struct {
	row   hotline.Row
	order orders.NewOrder
}

// apply writes prepared rows inside tx and returns one result per row, in order. Rows repeating
// an id of an earlier row of the same call are rejected, as the file reader does within a file.
func (a *applier) apply(ctx context.Context, tx *store.Tx, rows []prepared, idColumn string) ([]Result, error) {
	out := make([]Result, len(rows))
	ids := make([]string, 0, len(rows))
	first := make(map[string]int, len(rows))
	for i, p := range rows {
		var repeated bool
		if out[i], repeated = startResult(rows, i, first, idColumn); repeated {
			continue
		}
		ids = append(ids, p.row.HotlineID)
	}
	existing, err := a.orders.ByExternalIDs(ctx, tx, a.router.Town, orders.ChannelHotline, ids)
	if err != nil {
		return nil, err
	}
	fresh := make([]orders.NewOrder, 0, len(rows))
	freshIdx := make([]int, 0, len(rows))
	for i, p := range rows {
		if out[i].Status == Rejected {
			continue
		}
		cur, ok := existing[p.row.HotlineID]
		if !ok {
			fresh, freshIdx = append(fresh, p.order), append(freshIdx, i)
			continue
		}
		if !ownOrder(cur) {
			// The look-up asks for hotline orders only; an order that nevertheless carries this
			// number but was raised by a user account did not come from the hotline (a form
			// that once let users set channel and external id). Writing the caller's name and
			// phone into it would show them to that user: refuse the row, change nothing.
			out[i].Status = Rejected
			out[i].Errors = []hotline.RowError{{Line: p.row.Line, Column: idColumn, Field: "hotline_id",
				Reason: fmt.Sprintf("工单编号 %q 已被一张并非热线导入的工单（%s）占用，本行未导入；请联系管理员核查该工单", p.row.HotlineID, cur.Number)}}
			continue
		}
		out[i].OrderID, out[i].Number, out[i].Grid = cur.ID, cur.Number, cur.Grid
		changed, err := a.orders.ChannelUpdate(ctx, tx, cur, p.order, a.actor, ActionHotlineUpdate)
		if err != nil {
			return nil, fmt.Errorf("row %d (%s): %w", p.row.Line, p.row.HotlineID, err)
		}
		if len(changed) == 0 {
			out[i].Status = Unchanged
			continue
		}
		out[i].Status, out[i].Changed = Updated, changed
	}
	if len(fresh) == 0 {
		return out, nil
	}
	made, err := a.orders.BulkCreate(ctx, tx, fresh)
	if err != nil {
		return nil, err
	}
	for k, o := range made {
		i := freshIdx[k]
		out[i].Status, out[i].OrderID, out[i].Number, out[i].Grid = Created, o.ID, o.Number, o.Grid
	}
	return out, nil
}
