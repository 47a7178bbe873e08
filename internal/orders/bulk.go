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

// bulkChunk is how many orders one multi-row INSERT carries: at 18 parameters a row at most
// (an order on PostgreSQL) it stays well under SQLite's 32,766 and PostgreSQL's 65,535 bound
// parameters, and larger chunks gain little.
const bulkChunk = 250

// bulkOrders and bulkEvents are the rows BulkCreate writes: an order and its `receive` event.
// A call's orders share their town, channel and actor (see BulkCreate), so those are bound once.
var (
	bulkOrders = bulkTable{name: "orders",
		shared: []string{"town_code", "state", "version", "channel", "updated_at"},
		cols: []string{"id", "number", "short_code", "external_id", "content", "address", "lat", "lng", "grid_code", "category_code",
			"deadline_class", "limit_days", "caller_name", "caller_phone", "raised_by", "received_at", "channel_data", "category_version"},
		row: "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"}
	bulkEvents = bulkTable{name: "order_events",
		shared: []string{"at", "actor_id", "actor_name", "actor_role", "action", "from_state", "to_state", "photos"},
		cols:   []string{"order_id", "seq", "data"},
		row:    "?, 1, ?"}
)

// Created is what BulkCreate tells about each order it stored.
type Created struct {
	ID        int64
	Number    string
	ShortCode string
	Grid      string // as routed; "" when the order waits to be located
}

// bulkPrepared is the part of a bulk-created order that needs no database: NewOrder
// normalised, and its encoded columns.
type bulkPrepared struct {
	channelData string
	receiveData string // for grid
	grid        string
	shortCode   string
	terms       string // the search terms for COPY, when PrepareBulkFor computed them (hasTerms)
	hasTerms    bool
}

// PrepareBulk validates and normalises n and encodes what BulkCreate will store for it (channel
// data, receive event, short code). It reads no database, so an importer runs it on the
// goroutine that reads the file while an earlier batch is written; BulkCreate does it for
// orders that were not prepared. Changing n afterwards is a mistake: call it again.
func PrepareBulk(n *NewOrder) error {
	n.bulk = nil
	if err := normalise(n); err != nil {
		return err
	}
	n.bulk = &bulkPrepared{channelData: encodeChannelData(n.ChannelData), shortCode: shortCode()}
	n.bulk.setGrid(n, n.Grid)
	return nil
}

func (p *bulkPrepared) setGrid(n *NewOrder, grid string) {
	p.grid = grid
	p.receiveData = string(appendReceiveData(make([]byte, 0, 160), receiveFields{Category: n.Category, Channel: n.Channel,
		DeadlineClass: n.DeadlineClass, ExternalID: n.ExternalID, Grid: grid, LimitDays: n.LimitDays}))
}

// BulkCreate is CreateTx for many orders at once, for importers: it writes exactly the rows
// Create would (the order, numbered, its `receive` event and its search terms) but with a
// handful of round trips per few hundred orders instead of five per order. Ids are reserved up
// front so that numbers and events need no read-back. Every order is validated before anything
// is written, and the first invalid one fails the call with its index; a duplicate external id
// fails the statement (the caller is expected to have looked its ids up first, in the same
// transaction). The orders of one call share their town, channel, actor, raiser and photos (an
// importer's batch does), which BulkCreate checks. Results come back in input order.
func (s *Store) BulkCreate(ctx context.Context, tx *store.Tx, ns []NewOrder) ([]Created, error) {
	out, err := s.bulkCreate(ctx, tx, ns)
	if err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, len(out))
	for i, c := range out {
		ids[i] = c.ID
	}
	// The KPI figures of the new orders, once per distinct row of the batch.
	if err := s.kpiCreated(ctx, tx, ids); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Store) bulkCreate(ctx context.Context, tx *store.Tx, ns []NewOrder) ([]Created, error) {
	if len(ns) == 0 {
		return nil, nil
	}
	now := s.now()
	var t *bulkTown // of the one town
	for i := range ns {
		n := &ns[i]
		if n.bulk == nil {
			if err := PrepareBulk(n); err != nil {
				return nil, fmt.Errorf("order %d: %w", i, err)
			}
		}
		if f := &ns[0]; n.TownCode != f.TownCode || n.Channel != f.Channel || n.ActorName != f.ActorName || n.ActorRole != f.ActorRole ||
			n.RaisedBy != f.RaisedBy || !slices.Equal(n.Photos, f.Photos) {
			return nil, fmt.Errorf("order %d: bulk orders must share the first order's town, channel, actor, raiser and photos", i)
		}
		if n.ReceivedAt.IsZero() {
			n.ReceivedAt = now
		}
		if n.ReceivedAt.After(now.Add(time.Hour)) {
			return nil, fmt.Errorf("order %d: %w", i, problem.Field("received_at", "%s is in the future", n.ReceivedAt.Format(time.RFC3339)))
		}
		if i == 0 {
			var err error
			if t, err = s.bulkTown(ctx, tx, n.TownCode); err != nil {
				return nil, fmt.Errorf("order %d: %w", i, err)
			}
			if len(n.Photos) > 0 {
				if err := checkPhotos(ctx, tx, n.TownCode, n.Photos); err != nil {
					return nil, fmt.Errorf("order %d: %w", i, err)
				}
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
		if n.bulk.grid != n.Grid {
			n.bulk.setGrid(n, n.Grid)
		}
	}
	ids, err := reserveOrderIDs(ctx, tx, len(ns))
	if err != nil {
		return nil, err
	}
	updated := now.Truncate(time.Millisecond).UnixMilli()
	out := make([]Created, len(ns))
	prefix := t.prefix
	if prefix == "" {
		prefix = ns[0].TownCode
	}
	for i := range ns {
		n := &ns[i]
		n.ReceivedAt = n.ReceivedAt.Truncate(time.Millisecond)
		out[i] = Created{ID: ids[i], Number: orderNumber(prefix, n.ReceivedAt, ids[i]), ShortCode: n.bulk.shortCode, Grid: n.Grid}
	}
	f := &ns[0]
	state := string(workorder.Received)
	photos := ""
	if len(f.Photos) > 0 {
		b, _ := json.Marshal(f.Photos)
		photos = string(b)
	}
	if tx.CanCopy() {
		if err := bulkCopy(ctx, tx, ns, out, t, state, updated, photos); err != nil {
			return nil, err
		}
		return out, nil
	}
	orderRows := bulkOrders
	pg := tx.Dialect() == store.Postgres
	if pg {
		// PostgreSQL keeps the terms in the order row; SQLite's indexer finds new orders by id.
		orderRows.cols = append(slices.Clone(orderRows.cols), "search")
		orderRows.row += ", ?::tsvector"
	}
	if err := orderRows.insert(ctx, tx, []any{f.TownCode, state, 1, f.Channel, updated}, len(ns), func(i int, args []any) []any {
		n, c := &ns[i], &out[i]
		var lat, lng any
		if n.Lat != nil {
			lat, lng = *n.Lat, *n.Lng
		}
		args = append(args, c.ID, c.Number, c.ShortCode, store.NullIfEmpty(n.ExternalID), n.Content, n.Address, lat, lng,
			store.NullIfEmpty(n.Grid), n.Category, n.DeadlineClass, n.LimitDays, n.CallerName, n.CallerPhone, store.NullIfZero(n.RaisedBy),
			n.ReceivedAt.UnixMilli(), n.bulk.channelData, t.versionOf(n.Category))
		if pg {
			args = append(args, search.TSVector(searchTerms(n.Content, n.Address)))
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
	if err := bulkEvents.insert(ctx, tx, []any{updated, store.NullIfZero(f.RaisedBy), f.ActorName, f.ActorRole, ActionReceive, "", state, photos},
		len(ns), func(i int, args []any) []any {
			return append(args, out[i].ID, ns[i].bulk.receiveData)
		}); err != nil {
		return nil, fmt.Errorf("insert receive events: %w", err)
	}
	return out, nil
}

// receiveFields are what an order's `receive` event records: how it came in and where it was
// routed.
type receiveFields struct {
	Category, Channel, DeadlineClass, ExternalID, Grid string
	LimitDays                                          int
}

func receiveFieldsOf(o *Order) receiveFields {
	return receiveFields{Category: o.Category, Channel: o.Channel, DeadlineClass: o.DeadlineClass,
		ExternalID: o.ExternalID, Grid: o.Grid, LimitDays: o.limitDays}
}

// data is the event's data as Create stores it.
func (f receiveFields) data() map[string]any {
	data := make(map[string]any, 6)
	data["channel"] = f.Channel
	for _, kv := range [...][2]string{{"external_id", f.ExternalID}, {"category", f.Category}, {"grid", f.Grid}, {"deadline_class", f.DeadlineClass}} {
		if kv[1] != "" {
			data[kv[0]] = kv[1]
		}
	}
	if f.LimitDays > 0 {
		data["limit_days"] = f.LimitDays
	}
	return data
}

// appendReceiveData appends the JSON of f.data() with its keys in encoding/json's order,
// without reflection: BulkCreate writes one per imported order. TestBulkCreateMatchesCreate
// checks both agree.
func appendReceiveData(b []byte, f receiveFields) []byte {
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
	field("category", f.Category)
	field("channel", f.Channel)
	field("deadline_class", f.DeadlineClass)
	field("external_id", f.ExternalID)
	field("grid", f.Grid)
	if f.LimitDays > 0 {
		b = append(b, `,"limit_days":`...)
		b = strconv.AppendInt(b, int64(f.LimitDays), 10)
	}
	return append(b, '}')
}

// bulkTown is what BulkCreate checks orders of one town against, read once per call.
type bulkTown struct {
	prefix     string
	categories map[string]bool
	// categoryVersion is the version of the category tree in force (0: none published).
	categoryVersion int
	grids           map[string]bool
	locator         *places.Locator
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
	if t.categoryVersion, err = CurrentCategoryVersion(ctx, tx, town); err != nil {
		return nil, err
	}
	for _, q := range []struct {
		sql string
		set map[string]bool
	}{
		{`SELECT code FROM categories WHERE town_code = ? AND retired = 0`, t.categories},
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

// bulkTable is a multi-row INSERT whose rows share some values: those are bound once per
// statement (the first row binds them, later rows refer back to them by number) rather than in
// every row, which on SQLite saves a bind per value, and binding is a good part of an import.
type bulkTable struct {
	name   string
	shared []string // columns whose value every row of a call shares
	cols   []string // the other columns
	row    string   // their placeholders: "?" per value, literals allowed
}

// insert writes count rows with multi-row INSERTs of bulkChunk rows, the full-size statement
// prepared once per call. shared holds the values of t.shared; args appends row i's values.
func (t bulkTable) insert(ctx context.Context, tx *store.Tx, shared []any, count int, args func(i int, args []any) []any) error {
	if len(shared) != len(t.shared) {
		return fmt.Errorf("insert %s: %d shared values for %d columns", t.name, len(shared), len(t.shared))
	}
	refs := make([]string, len(t.shared)) // how rows after the first name the shared values
	for k := range refs {
		if tx.Dialect() == store.Postgres {
			refs[k] = "$" + strconv.Itoa(k+1) // Rebind numbers only the "?"s, which follow
		} else {
			refs[k] = "?" + strconv.Itoa(k+1)
		}
	}
	first := "(" + strings.Repeat("?, ", len(t.shared)) + t.row + ")"
	later := "(" + strings.Join(append(refs, t.row), ", ") + ")"
	stmtFor := func(k int) string {
		var b strings.Builder
		b.Grow(64 + len(first) + k*(len(later)+2))
		b.WriteString("INSERT INTO ")
		b.WriteString(t.name)
		b.WriteString(" (")
		b.WriteString(strings.Join(append(slices.Clone(t.shared), t.cols...), ", "))
		b.WriteString(") VALUES ")
		b.WriteString(first)
		for i := 1; i < k; i++ {
			b.WriteString(", ")
			b.WriteString(later)
		}
		return b.String()
	}
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	buf := make([]any, 0, len(shared)+bulkChunk*strings.Count(t.row, "?"))
	for start := 0; start < count; start += bulkChunk {
		end := min(start+bulkChunk, count)
		buf = append(buf[:0], shared...)
		for i := start; i < end; i++ {
			buf = args(i, buf)
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
	if len(ids) == 0 {
		return out, nil
	}
	// A hotline numbers its orders in sequence, so a batch of a new export usually lies past
	// every id the town has: one probe of the id range then answers for the whole batch (10^6
	// rows: 0.9 s of an import's writing time for the lookups, one probe per batch instead).
	// SQLite only: it compares text bytewise, as Go does; PostgreSQL's collation may not.
	if q.Dialect() == store.SQLite {
		lo, hi := slices.Min(ids), slices.Max(ids)
		var inRange int
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM orders WHERE town_code = ? AND channel = ? AND external_id BETWEEN ? AND ?)`,
			town, channel, lo, hi).Scan(&inRange); err != nil {
			return nil, fmt.Errorf("orders by external id: %w", err)
		}
		if inRange == 0 {
			return out, nil
		}
	}
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
	// The receipt time may move (a channel's correction): the KPI figures follow it.
	before, err := kpiLoadBefore(ctx, tx, cur.ID)
	if err != nil {
		return nil, err
	}
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
	if err := s.kpiAfter(ctx, tx, before, cur.ID); err != nil {
		return nil, err
	}
	if next.Content != cur.Content || next.Address != cur.Address {
		doc := searchDoc{ID: cur.ID, Terms: searchTerms(next.Content, next.Address)}
		if err := searchTextChanged(ctx, tx, []searchDoc{doc}); err != nil {
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

// versionOf is the category version an order filed under category records: the one in force,
// or none without a category.
func (t *bulkTown) versionOf(category string) int {
	if category == "" {
		return 0
	}
	return t.categoryVersion
}
