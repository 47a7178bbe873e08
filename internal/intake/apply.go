package intake

import (
	"context"
	"fmt"
	"strings"

	"github.com/civicgrid/civicgrid/internal/intake/hotline"
	"github.com/civicgrid/civicgrid/internal/orders"
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

func (a *applier) newOrder(row hotline.Row) orders.NewOrder {
	return orders.NewOrder{
		TownCode: a.router.Town, Channel: orders.ChannelHotline, ExternalID: row.HotlineID, Content: row.Content,
		Address: row.Address, Lat: row.Lat, Lng: row.Lng, CallerName: row.Caller, CallerPhone: row.Phone,
		ReceivedAt: row.ReceivedAt, ActorName: a.actor.Name, ActorRole: a.actor.Role,
		DeadlineClass: deadlineClass(row.Kind), LimitDays: row.LimitDays,
	}
}

type details struct{ kind, category, town string }

// apply writes valid rows inside tx and returns one result per row, in order. Rows repeating an
// id of an earlier row of the same call are rejected, as the file reader does within a file.
func (a *applier) apply(ctx context.Context, tx *store.Tx, rows []hotline.Row, idColumn string) ([]Result, error) {
	out := make([]Result, len(rows))
	ids := make([]string, 0, len(rows))
	first := make(map[string]int, len(rows))
	for i, r := range rows {
		out[i] = Result{Line: r.Line, HotlineID: r.HotlineID}
		if j, dup := first[r.HotlineID]; dup {
			out[i].Status = Rejected
			out[i].Errors = []hotline.RowError{{Line: r.Line, Column: idColumn, Field: "hotline_id",
				Reason: fmt.Sprintf("工单编号 %q 与第%d行重复", r.HotlineID, rows[j].Line)}}
			continue
		}
		first[r.HotlineID] = i
		ids = append(ids, r.HotlineID)
	}
	existing, err := a.orders.ByExternalIDs(ctx, tx, a.router.Town, orders.ChannelHotline, ids)
	if err != nil {
		return nil, err
	}
	var known map[int64]details
	if len(existing) > 0 {
		if known, err = loadDetails(ctx, tx, existing); err != nil {
			return nil, err
		}
	}
	var fresh []orders.NewOrder
	var freshIdx []int
	for i, r := range rows {
		if out[i].Status == Rejected {
			continue
		}
		cur, ok := existing[r.HotlineID]
		if !ok {
			n := a.newOrder(r)
			n.Grid, _ = a.router.Grid(r.Lng, r.Lat, r.Address)
			n.Category = a.router.Category(r.CategoryText)
			fresh, freshIdx = append(fresh, n), append(freshIdx, i)
			continue
		}
		out[i].OrderID, out[i].Number, out[i].Grid = cur.ID, cur.Number, cur.Grid
		was, now := known[cur.ID], details{r.Kind, r.CategoryText, r.Town}
		var also []string
		if was.kind != now.kind {
			also = append(also, "kind")
		}
		if was.category != now.category {
			also = append(also, "category_text")
		}
		if was.town != now.town {
			also = append(also, "town_text")
		}
		changed, err := a.orders.ChannelUpdate(ctx, tx, cur, a.newOrder(r), a.actor, ActionHotlineUpdate, also)
		if err != nil {
			return nil, fmt.Errorf("row %d (%s): %w", r.Line, r.HotlineID, err)
		}
		if len(changed) == 0 {
			out[i].Status = Unchanged
			continue
		}
		out[i].Status, out[i].Changed = Updated, changed
		if len(also) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO hotline_details (order_id, kind, category_text, town_text) VALUES (?, ?, ?, ?)
				ON CONFLICT (order_id) DO UPDATE SET kind = excluded.kind, category_text = excluded.category_text, town_text = excluded.town_text`,
				cur.ID, now.kind, now.category, now.town); err != nil {
				return nil, fmt.Errorf("row %d hotline details: %w", r.Line, err)
			}
		}
	}
	if len(fresh) == 0 {
		return out, nil
	}
	made, err := a.orders.BulkCreate(ctx, tx, fresh)
	if err != nil {
		return nil, err
	}
	det := make([]any, 0, 4*len(made))
	for k, o := range made {
		i := freshIdx[k]
		out[i].Status, out[i].OrderID, out[i].Number, out[i].Grid = Created, o.ID, o.Number, o.Grid
		r := rows[i]
		det = append(det, o.ID, r.Kind, r.CategoryText, r.Town)
	}
	if err := insertDetails(ctx, tx, det); err != nil {
		return nil, err
	}
	return out, nil
}

func loadDetails(ctx context.Context, tx *store.Tx, existing map[string]orders.Order) (map[int64]details, error) {
	out := make(map[int64]details, len(existing))
	args := make([]any, 0, len(existing))
	for _, o := range existing {
		args = append(args, o.ID)
	}
	const chunk = 1000
	for start := 0; start < len(args); start += chunk {
		part := args[start:min(start+chunk, len(args))]
		rows, err := tx.Query(ctx, `SELECT order_id, kind, category_text, town_text FROM hotline_details WHERE order_id IN (`+
			store.Placeholders(len(part))+`)`, part...)
		if err != nil {
			return nil, fmt.Errorf("hotline details: %w", err)
		}
		for rows.Next() {
			var id int64
			var d details
			if err := rows.Scan(&id, &d.kind, &d.category, &d.town); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = d
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// insertDetails writes hotline_details rows (4 values each) with multi-row INSERTs.
func insertDetails(ctx context.Context, tx *store.Tx, vals []any) error {
	const per, chunk = 4, 1000
	for start := 0; start < len(vals); start += per * chunk {
		part := vals[start:min(start+per*chunk, len(vals))]
		n := len(part) / per
		q := `INSERT INTO hotline_details (order_id, kind, category_text, town_text) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", n), ", ")
		if _, err := tx.Exec(ctx, q, part...); err != nil {
			return fmt.Errorf("hotline details: %w", err)
		}
	}
	return nil
}
