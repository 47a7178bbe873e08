package orders

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/civicgrid/civicgrid/internal/store"
)

// Reads of many orders at once, for callers that are handed lists (Open311's service_code and
// service_request_id): one query for the list, whatever its length, never one per item. The
// callers bound the lists; these functions only refuse what no caller should send.

// MaxListValues bounds any list of values a caller passes here in one call (categories, ids):
// each is a bound parameter, and both databases cap those per statement.
const MaxListValues = 1000

// categoriesCondition matches orders of any of codes, a code being a category or, for a top class
// (大类), any of its children — Filter.Category's rule for a list.
func categoriesCondition(codes []string) (string, []any) {
	ph := store.Placeholders(len(codes))
	args := make([]any, 0, 2*len(codes))
	for _, c := range codes {
		args = append(args, c)
	}
	args = append(args, args...)
	return `(category_code IN (` + ph + `) OR category_code IN (SELECT code FROM categories c WHERE c.town_code = orders.town_code AND c.parent_code IN (` + ph + `)))`, args
}

// ByIDs returns the orders among ids that belong to towns, in no particular order, with their
// histories when withEvents; ids that are not found are left out.
func (s *Store) ByIDs(ctx context.Context, towns []string, ids []int64, withEvents bool) ([]Order, error) {
	if len(ids) == 0 || len(towns) == 0 {
		return nil, nil
	}
	if len(ids) > MaxListValues {
		return nil, fmt.Errorf("orders by id: %d ids, at most %d in one call", len(ids), MaxListValues)
	}
	where, args := store.In("town_code", towns)
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := s.DB.Query(ctx, `SELECT `+orderCols+` FROM orders WHERE `+where+` AND id IN (`+store.Placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("orders by id: %w", err)
	}
	defer rows.Close()
	var out []Order
	byID := map[int64]int{}
	now := s.now()
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, err
		}
		o.flags(now)
		byID[o.ID] = len(out)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !withEvents || len(out) == 0 {
		return out, nil
	}
	found := make([]any, 0, len(out))
	for _, o := range out {
		found = append(found, o.ID)
		out[byID[o.ID]].Events = []Event{}
	}
	return out, eventsOfMany(ctx, s.DB, found, func(id int64, e Event) {
		i := byID[id]
		out[i].Events = append(out[i].Events, e)
	})
}

// eventsOfMany reads the histories of the orders ids in one query and hands each event, in order,
// to add.
func eventsOfMany(ctx context.Context, q store.Querier, ids []any, add func(orderID int64, e Event)) error {
	rows, err := q.Query(ctx, `SELECT order_id, seq, at, actor_id, actor_name, actor_role, action, from_state, to_state,
		reason, note, result, comment, data, photos FROM order_events WHERE order_id IN (`+store.Placeholders(len(ids))+`) ORDER BY order_id, seq`, ids...)
	if err != nil {
		return fmt.Errorf("events of %d orders: %w", len(ids), err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Event
		var orderID, at int64
		var actor sql.NullInt64
		var data, photos string
		if err := rows.Scan(&orderID, &e.Seq, &at, &actor, &e.Actor, &e.Role, &e.Action, &e.From, &e.To,
			&e.Reason, &e.Note, &e.Result, &e.Comment, &data, &photos); err != nil {
			return err
		}
		e.At, e.ActorID = store.FromMillis(at), actor.Int64
		if data != "" {
			if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
				return fmt.Errorf("order %d event %d data: %w", orderID, e.Seq, err)
			}
		}
		if strings.TrimSpace(photos) != "" {
			if err := json.Unmarshal([]byte(photos), &e.Photos); err != nil {
				return fmt.Errorf("order %d event %d photos: %w", orderID, e.Seq, err)
			}
		}
		add(orderID, e)
	}
	return rows.Err()
}
