package orders

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/search"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// bulkChunk is how many orders one multi-row INSERT carries: 21 parameters a row stays well
// under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters, and larger chunks gain little.
const bulkChunk = 250

const bulkOrderCols = `(id, town_code, number, short_code, state, version, channel, external_id, content, address,
	lat, lng, grid_code, category_code, deadline_class, limit_days, caller_name, caller_phone, raised_by, received_at, updated_at, channel_data`

const bulkOrderRow = "(?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"

const bulkEventCols = `(order_id, seq, at, actor_id, actor_name, actor_role, action, from_state, to_state, data, photos)`

const bulkEventRow = "(?, 1, ?, ?, ?, ?, ?, '', ?, ?, ?)"

// BulkCreate is CreateTx for many orders at once, for importers: it writes exactly the rows
// Create would (the order, numbered, its `receive` event and its search terms) but with a
// handful of round trips per few hundred orders instead of five per order. Ids are reserved up
// front so that numbers and events need no read-back. Every order is validated before anything
// is written, and the first invalid one fails the call with its index; a duplicate external id
// fails the statement (the caller is expected to have looked its ids up first, in the same
// transaction). Orders come back in input order.
func (s *Store) BulkCreate(ctx context.Context, tx *store.Tx, ns []NewOrder) ([]Order, error) {
	if len(ns) == 0 {
		return nil, nil
	}
	now := s.now()
	towns := map[string]*bulkTown{}
	for i := range ns {
		n := &ns[i]
		if err := normalise(n); err != nil {
			return nil, fmt.Errorf("order %d: %w", i, err)
		}
		if n.ReceivedAt.IsZero() {
			n.ReceivedAt = now
		}
		if n.ReceivedAt.After(now.Add(time.Hour)) {
			return nil, fmt.Errorf("order %d: %w", i, problem.Field("received_at", "%s is in the future", n.ReceivedAt.Format(time.RFC3339)))
		}
		t := towns[n.TownCode]
		if t == nil {
			var err error
			if t, err = s.bulkTown(ctx, tx, n.TownCode); err != nil {
				return nil, fmt.Errorf("order %d: %w", i, err)
			}
			towns[n.TownCode] = t
		}
		if len(n.Photos) > 0 {
			if err := checkPhotos(ctx, tx, n.TownCode, n.Photos); err != nil {
				return nil, fmt.Errorf("order %d: %w", i, err)
			}
		}
		if n.Category != "" && !t.categories[n.Category] {
			return nil, fmt.Errorf("order %d: %w", i, problem.Field("category", "unknown category %q in town %s", n.Category, n.TownCode))
		}
		switch {
		case n.Grid != "":
			if !t.grids[n.Grid] {
				return nil, fmt.Errorf("order %d: %w", i, problem.Field("grid", "unknown grid %q in town %s", n.Grid, n.TownCode))
			}
		case n.Lat != nil:
			if t.locator == nil {
				var err error
				if t.locator, err = s.locator(ctx, tx, n.TownCode); err != nil {
					return nil, err
				}
			}
			if g, ok := t.locator.Locate(*n.Lng, *n.Lat); ok {
				n.Grid = g.Code
			}
		}
	}
	ids, err := reserveOrderIDs(ctx, tx, len(ns))
	if err != nil {
		return nil, err
	}
	updated := now.Truncate(time.Millisecond)
	out := make([]Order, len(ns))
	rows := make([]bulkRow, len(ns))
	for i := range ns {
		n := &ns[i]
		o := Order{
			ID: ids[i], TownCode: n.TownCode, ShortCode: shortCode(), State: string(workorder.Received), Version: 1,
			Channel: n.Channel, ExternalID: n.ExternalID, Content: n.Content, Address: n.Address, Lat: n.Lat, Lng: n.Lng,
			Grid: n.Grid, Category: n.Category, DeadlineClass: n.DeadlineClass, limitDays: n.LimitDays,
			CallerName: n.CallerName, CallerPhone: n.CallerPhone, RaisedBy: n.RaisedBy,
			ReceivedAt: n.ReceivedAt.Truncate(time.Millisecond), UpdatedAt: updated,
		}
		prefix := towns[n.TownCode].prefix
		if prefix == "" {
			prefix = o.TownCode
		}
		o.Number = orderNumber(prefix, o.ReceivedAt, o.ID)
		channelData := encodeChannelData(n.ChannelData)
		o.ChannelData = cleanChannelData(n.ChannelData)
		// The returned history leaves the event's data out (an importer has no use for it, and a
		// map per order is a tenth of the Go work); the stored event has it.
		ev := Event{Seq: 1, At: updated, ActorID: n.RaisedBy, Actor: n.ActorName, Role: n.ActorRole,
			Action: ActionReceive, To: o.State, Photos: n.Photos}
		data := appendReceiveData(nil, &o)
		o.Events = []Event{ev}
		o.flags(now)
		out[i] = o
		rows[i] = bulkRow{o: &out[i], channelData: channelData, eventData: string(data)}
	}
	pg := tx.Dialect() == store.Postgres
	cols, row := bulkOrderCols+")", bulkOrderRow+")"
	if pg {
		// PostgreSQL keeps the terms in the order row; SQLite's indexer finds new orders by id.
		cols, row = bulkOrderCols+", search)", bulkOrderRow+", ?::tsvector)"
	}
	if err := bulkInsert(ctx, tx, "orders", cols, row, rows, func(r *bulkRow, args []any) []any {
		o := r.o
		var lat, lng any
		if o.Lat != nil {
			lat, lng = *o.Lat, *o.Lng
		}
		args = append(args, o.ID, o.TownCode, o.Number, o.ShortCode, o.State, o.Channel, store.NullIfEmpty(o.ExternalID), o.Content, o.Address,
			lat, lng, store.NullIfEmpty(o.Grid), o.Category, o.DeadlineClass, o.limitDays, o.CallerName, o.CallerPhone, store.NullIfZero(o.RaisedBy),
			o.ReceivedAt.UnixMilli(), o.UpdatedAt.UnixMilli(), r.channelData)
		if pg {
			args = append(args, search.TSVector(store.OrderSearchTerms(o.Content, o.Address)))
		}
		return args
	}); err != nil {
		if store.IsForeignKeyViolation(err) {
			return nil, problem.Field("raised_by", "unknown user")
		}
		if store.IsUniqueViolation(err) {
			return nil, problem.Conflict("an external id of this batch already exists: %v", err)
		}
		return nil, fmt.Errorf("insert orders: %w", err)
	}
	if err := bulkInsert(ctx, tx, "order_events", bulkEventCols, bulkEventRow, rows, func(r *bulkRow, args []any) []any {
		e := &r.o.Events[0]
		photos := ""
		if len(e.Photos) > 0 {
			b, _ := json.Marshal(e.Photos)
			photos = string(b)
		}
		return append(args, r.o.ID, e.At.UnixMilli(), store.NullIfZero(e.ActorID), e.Actor, e.Role, e.Action, e.To, r.eventData, photos)
	}); err != nil {
		return nil, fmt.Errorf("insert receive events: %w", err)
	}
	return out, nil
}

// bulkRow is one order of a BulkCreate with the encoded forms its rows need.
type bulkRow struct {
	o           *Order
	channelData string
	eventData   string
}

// receiveData is the data of an order's `receive` event: how it came in and where it was routed.
func receiveData(o Order) map[string]any {
	data := make(map[string]any, 6)
	data["channel"] = o.Channel
	for _, kv := range [...][2]string{{"external_id", o.ExternalID}, {"category", o.Category}, {"grid", o.Grid}, {"deadline_class", o.DeadlineClass}} {
		if kv[1] != "" {
			data[kv[0]] = kv[1]
		}
	}
	if o.limitDays > 0 {
		data["limit_days"] = o.limitDays
	}
	return data
}

// appendReceiveData appends the JSON of receiveData with its keys in encoding/json's order,
// without reflection: BulkCreate writes one per imported order. bulk_test checks both agree.
func appendReceiveData(b []byte, o *Order) []byte {
	b = append(b, '{')
	field := func(k, v string) {
		if v == "" {
			return
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, k...)
		b = append(b, '"', ':')
		b = store.AppendJSONString(b, v)
	}
	field("category", o.Category)
	field("channel", o.Channel)
	field("deadline_class", o.DeadlineClass)
	field("external_id", o.ExternalID)
	field("grid", o.Grid)
	if o.limitDays > 0 {
		b = append(b, `,"limit_days":`...)
		b = strconv.AppendInt(b, int64(o.limitDays), 10)
	}
	return append(b, '}')
}

// bulkTown is what BulkCreate checks orders of one town against, read once per call.
type bulkTown struct {
	prefix     string
	categories map[string]bool
	grids      map[string]bool
	locator    *places.Locator
}

func (s *Store) bulkTown(ctx context.Context, tx *store.Tx, town string) (*bulkTown, error) {
	var level string
	var tenant int
	var prefix sql.NullString
	err := tx.QueryRow(ctx, `SELECT level, tenant, (SELECT value FROM settings WHERE town_code = regions.code AND key = ?)
		FROM regions WHERE code = ?`, SettingOrderPrefix, town).Scan(&level, &tenant, &prefix)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (level != "town" || tenant != 1)) {
		return nil, problem.Field("town", "%q is not a town that runs CivicGrid", town)
	}
	if err != nil {
		return nil, fmt.Errorf("town %s: %w", town, err)
	}
	t := &bulkTown{prefix: prefix.String, categories: map[string]bool{}, grids: map[string]bool{}}
	for _, q := range []struct {
		sql string
		set map[string]bool
	}{
		{`SELECT code FROM categories WHERE town_code = ?`, t.categories},
		{`SELECT code FROM grids WHERE town_code = ?`, t.grids},
	} {
		rows, err := tx.Query(ctx, q.sql, town)
		if err != nil {
			return nil, fmt.Errorf("town %s: %w", town, err)
		}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return nil, err
			}
			q.set[c] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// reserveOrderIDs takes n order ids in one round trip. On PostgreSQL they come from the identity
// sequence, so concurrent writers never collide. On SQLite the transaction already holds the write
// lock (_txlock=immediate), so the ids after the larger of the highest id and AUTOINCREMENT's
// high-water mark are ours, and inserting them moves the mark as an ordinary insert would.
func reserveOrderIDs(ctx context.Context, tx *store.Tx, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if tx.Dialect() == store.Postgres {
		rows, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('orders', 'id')) FROM generate_series(1, ?)`, n)
		if err != nil {
			return nil, fmt.Errorf("reserve order ids: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		return ids, nil
	}
	var last int64
	if err := tx.QueryRow(ctx, `SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'orders'), 0),
		COALESCE((SELECT MAX(id) FROM orders), 0))`).Scan(&last); err != nil {
		return nil, fmt.Errorf("reserve order ids: %w", err)
	}
	for i := 1; i <= n; i++ {
		ids = append(ids, last+int64(i))
	}
	return ids, nil
}

// bulkInsert writes rows with multi-row INSERTs of bulkChunk rows, the full-size statement
// prepared once per call.
func bulkInsert[T any](ctx context.Context, tx *store.Tx, table, cols, row string, items []T, args func(*T, []any) []any) error {
	stmtFor := func(k int) string {
		var b strings.Builder
		b.Grow(len(cols) + 32 + k*(len(row)+2))
		b.WriteString("INSERT INTO ")
		b.WriteString(table)
		b.WriteByte(' ')
		b.WriteString(cols)
		b.WriteString(" VALUES ")
		for i := 0; i < k; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(row)
		}
		return b.String()
	}
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	buf := make([]any, 0, bulkChunk*strings.Count(row, "?"))
	for start := 0; start < len(items); start += bulkChunk {
		end := min(start+bulkChunk, len(items))
		buf = buf[:0]
		for i := start; i < end; i++ {
			buf = args(&items[i], buf)
		}
		var err error
		if end-start == bulkChunk {
			if full == nil {
				if full, err = tx.Prepare(ctx, stmtFor(bulkChunk)); err != nil {
					return err
				}
			}
			_, err = full.ExecContext(ctx, buf...)
		} else {
			_, err = tx.Exec(ctx, stmtFor(end-start), buf...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ByExternalIDs is ByExternalID for many ids in one query per thousand: an importer looks up a
// whole batch before deciding which rows are new. Ids not found are simply absent from the map.
func (s *Store) ByExternalIDs(ctx context.Context, q store.Querier, town, channel string, ids []string) (map[string]Order, error) {
	out := make(map[string]Order, len(ids))
	const chunk = 1000
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := make([]any, 0, len(part)+2)
		args = append(args, town, channel)
		for _, id := range part {
			args = append(args, id)
		}
		rows, err := q.Query(ctx, `SELECT `+orderCols+` FROM orders WHERE town_code = ? AND channel = ? AND external_id IN (`+
			store.Placeholders(len(part))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("orders by external id: %w", err)
		}
		for rows.Next() {
			o, err := scanOrder(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[o.ExternalID] = o
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	now := s.now()
	for k, o := range out {
		o.flags(now)
		out[k] = o
	}
	return out, nil
}

// LimitDays is the working-day limit the channel imposed at intake (0 = from the class).
func (o Order) LimitDays() int { return o.limitDays }

// ChannelUpdate applies a channel's correction of an order it created — the fields the channel
// owns: received time, caller, phone, address, coordinates (only when n has them), content, time
// limit and the channel's own data. It leaves state, grid, category, department and running
// deadlines alone, since by now the town may have changed them. When anything changed, the
// order's version moves on, its search terms follow a new text, and an event with action and
// {"changed": [...]} is appended; the changed field names come back (nil when the order already
// said the same).
func (s *Store) ChannelUpdate(ctx context.Context, tx *store.Tx, cur Order, n NewOrder, actor ActorInfo, action string) ([]string, error) {
	if err := normalise(&n); err != nil {
		return nil, err
	}
	next := cur
	var changed []string
	set := func(name string, differ bool, apply func()) {
		if differ {
			changed = append(changed, name)
			apply()
		}
	}
	rec := n.ReceivedAt.Truncate(time.Millisecond)
	set("received_at", !n.ReceivedAt.IsZero() && !rec.Equal(cur.ReceivedAt), func() { next.ReceivedAt = rec })
	set("caller_name", n.CallerName != cur.CallerName, func() { next.CallerName = n.CallerName })
	set("caller_phone", n.CallerPhone != cur.CallerPhone, func() { next.CallerPhone = n.CallerPhone })
	set("address", n.Address != cur.Address, func() { next.Address = n.Address })
	set("location", n.Lat != nil && (cur.Lat == nil || *n.Lat != *cur.Lat || *n.Lng != *cur.Lng), func() { next.Lat, next.Lng = n.Lat, n.Lng })
	set("content", n.Content != cur.Content, func() { next.Content = n.Content })
	set("limit_days", n.LimitDays != cur.limitDays, func() { next.limitDays = n.LimitDays })
	if was := cleanChannelData(cur.ChannelData); !maps.Equal(was, cleanChannelData(n.ChannelData)) {
		next.ChannelData = cleanChannelData(n.ChannelData)
		keys := map[string]bool{}
		for k := range was {
			keys[k] = true
		}
		for k := range next.ChannelData {
			keys[k] = true
		}
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			if was[k] != next.ChannelData[k] {
				changed = append(changed, k)
			}
		}
	}
	if len(changed) == 0 {
		return nil, nil
	}
	now := s.now().Truncate(time.Millisecond)
	var lat, lng any
	if next.Lat != nil {
		lat, lng = *next.Lat, *next.Lng
	}
	res, err := tx.Exec(ctx, `UPDATE orders SET received_at = ?, caller_name = ?, caller_phone = ?, address = ?, lat = ?, lng = ?,
		content = ?, limit_days = ?, channel_data = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		next.ReceivedAt.UnixMilli(), next.CallerName, next.CallerPhone, next.Address, lat, lng,
		next.Content, next.limitDays, encodeChannelData(next.ChannelData), now.UnixMilli(), cur.ID, cur.Version)
	if err != nil {
		return nil, fmt.Errorf("update order %d: %w", cur.ID, err)
	}
	if k, err := res.RowsAffected(); err != nil || k != 1 {
		return nil, problem.Conflict("order %d changed while the %s update was applied; try again", cur.ID, cur.Channel)
	}
	if next.Content != cur.Content || next.Address != cur.Address {
		doc := store.SearchDoc{ID: cur.ID, Terms: store.OrderSearchTerms(next.Content, next.Address)}
		if err := store.SearchTextChanged(ctx, tx, []store.SearchDoc{doc}); err != nil {
			return nil, err
		}
	}
	ev := Event{Seq: cur.Version + 1, At: now, ActorID: actor.UserID, Actor: actor.Name, Role: actor.Role,
		Action: action, From: cur.State, To: cur.State, Data: map[string]any{"changed": changed, "channel": cur.Channel}}
	if err := appendEvent(ctx, tx, cur.ID, ev); err != nil {
		return nil, err
	}
	return changed, nil
}
