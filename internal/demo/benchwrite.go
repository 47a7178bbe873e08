package demo

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/search"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// The generator's rows and how they are written. An order's row is written once, in the state
// its life left it: before, BulkCreate inserted it as received and an UPDATE … FROM (VALUES …)
// per 200 orders moved it on, which on PostgreSQL wrote every row twice (and a dead version into
// every index) and on SQLite cost a third of the time. The columns BulkCreate filled are filled
// here as it does (number <prefix>-<yyyymmdd>-<id>, a 6-character short code, the receive
// event stamped with the time of the import, its data as orders' appendReceiveData writes it,
// the search terms' tsvector on PostgreSQL), those of the life as the UPDATE did.

// benchTable is one table the generator writes: its columns, in the order of a row's values.
type benchTable struct {
	name string
	cols []string
}

var (
	benchOrderCols = []string{"id", "town_code", "number", "short_code", "state", "version", "channel", "external_id", "content", "address",
		"lat", "lng", "grid_code", "category_code", "deadline_class", "limit_days", "department_code", "co_departments", "caller_name",
		"caller_phone", "received_at", "filed_at", "deadline_at", "closed_at", "updated_at", "suspended", "suspended_since",
		"suspended_total_ms", "satisfaction", "returned_count", "rework_count", "reopen_count", "escalated_at", "escalation_level",
		"warning_at", "duplicate_of", "result", "channel_data", "category_version", "callback_outcome"}
	benchTables = []benchTable{
		{"orders", benchOrderCols},
		{"order_events", []string{"order_id", "seq", "at", "actor_name", "actor_role", "action", "from_state", "to_state", "reason", "note",
			"result", "comment", "data"}},
		{"order_stages", []string{"order_id", "seq", "stage", "owner_kind", "owner_code", "started_at", "due_at", "finished_at", "on_time",
			"outcome", "paused_since", "paused_working_ms", "escalated_at", "order_town"}},
		{"order_departments", []string{"order_id", "department", "role", "town_code"}},
		{"order_suspensions", []string{"order_id", "start_at", "end_at"}},
		{"kpi_exemptions", []string{"order_id", "town_code", "reason", "created_by_name", "created_at"}},
	}
	// benchPGOrders is orders with the search terms, which PostgreSQL keeps in the row.
	benchPGOrders = benchTable{"orders", append(append([]string{}, benchOrderCols...), "search")}
)

// The indexes of benchTables in benchRows.vals.
const (
	tOrders = iota
	tEvents
	tStages
	tDepartments
	tSuspensions
	tExemptions
)

// benchRows are the rows of one batch of orders, each table's values one after another (a
// multi-row INSERT binds them as they lie; COPY reads them row by row).
type benchRows struct {
	n    int // orders
	vals [len(tableNames)][]any
}

var tableNames = [...]string{"orders", "order_events", "order_stages", "order_departments", "order_suspensions", "kpi_exemptions"}

// ratingKey is a row of order_ratings.
type ratingKey struct{ town, grid, department, satisfaction string }

// batch lives one batch of a town's generated orders and returns their rows. offset is the
// batch's first order's index in the generator's call (a duplicate's MergedInto counts from there).
func (g *benchGen) batch(sim *lifeSim, town benchTown, batch []world.DemoOrder, offset int, old bool) *benchRows {
	w, rng := sim.w, sim.rng
	// Ids as BulkCreate gave them: one call per channel, in the order of world.Channels.
	ids := make([]int64, len(batch))
	for _, ch := range world.Channels {
		for i := range batch {
			if batch[i].Channel == ch {
				ids[i] = g.nextID
				g.nextID++
			}
		}
	}
	r := &benchRows{n: len(batch)}
	r.vals[tOrders] = make([]any, 0, len(batch)*(len(benchOrderCols)+1))
	r.vals[tEvents] = make([]any, 0, len(batch)*7*13)
	r.vals[tStages] = make([]any, 0, len(batch)*6*14)
	for i, d := range batch {
		state := d.TargetState
		if old && workorder.IsOpen(workorder.State(state)) && rng.IntN(500) > 0 {
			// An old order is finished; one in 500 is left open, long overdue.
			state = string(workorder.Closed)
			if rng.IntN(3) > 0 {
				state = string(workorder.Rated)
			}
		}
		var l *benchLife
		if state != string(workorder.Received) {
			l = &benchLife{id: ids[i], town: w.Town.Code, category: d.CategoryCode, grid: d.GridCode, received: d.ReceivedAt.Truncate(time.Millisecond),
				class: workorder.ClassGeneral}
			if cat, ok := w.Category(d.CategoryCode); ok && cat.Deadline != "" {
				l.class = cat.Deadline
			}
			if d.MergedInto >= 0 {
				d.MergedInto -= offset
			}
			sim.live(l, d, state, ids, i, old)
			sim.escalateAndExempt(l)
			l.order()
		}
		g.rows(r, town, &d, ids[i], l)
	}
	return r
}

// rows appends the rows of order d (id) with its life l (nil: still as received).
func (g *benchGen) rows(r *benchRows, town benchTown, d *world.DemoOrder, id int64, l *benchLife) {
	content, address := strings.TrimSpace(d.Content), strings.TrimSpace(d.Address)
	received := d.ReceivedAt.Truncate(time.Millisecond)
	category := strings.TrimSpace(d.CategoryCode)
	categoryVersion := 0
	if category != "" {
		categoryVersion = town.categoryVersion
	}
	externalID := strings.TrimSpace(d.HotlineID)
	number := fmt.Sprintf("%s-%s-%06d", town.prefix, received.In(world.Shanghai).Format("20060102"), id)
	o := r.vals[tOrders]
	base := len(o)
	o = append(o, id, town.code, number, benchShortCode(id), string(workorder.Received), 1, d.Channel, store.NullIfEmpty(externalID),
		content, address, d.Lat, d.Lng, store.NullIfEmpty(d.GridCode), category)
	if l == nil {
		o = append(o, "", 0, nil, "", strings.TrimSpace(d.CallerName), strings.TrimSpace(d.CallerPhone), received.UnixMilli(),
			nil, nil, nil, g.written.UnixMilli(), 0, nil, int64(0), "", 0, 0, 0, nil, 0, nil, nil, "", "", categoryVersion, "")
	} else {
		o[base+4], o[base+5] = l.state, 1+len(l.events) // state and version
		var warning any
		if workorder.IsOpen(workorder.State(l.state)) && !l.filed.IsZero() && !l.deadline.IsZero() {
			if warn := l.filed.Add(l.deadline.Sub(l.filed) * 8 / 10); g.o.Now.After(warn) {
				warning = warn.UnixMilli()
			}
		}
		class := ""
		if !l.filed.IsZero() {
			class = l.class
		}
		updated := l.received
		if n := len(l.events); n > 0 {
			updated = l.events[n-1].at
		}
		o = append(o, class, 0, store.NullIfEmpty(l.department), l.co, strings.TrimSpace(d.CallerName), strings.TrimSpace(d.CallerPhone),
			received.UnixMilli(), millisOrNil(l.filed), millisOrNil(l.deadline), millisOrNil(l.closed), updated.UnixMilli(),
			store.Bool(!l.suspendedSince.IsZero()), millisOrNil(l.suspendedSince), l.suspendedTotal, l.satisfaction, l.returned, l.rework,
			l.reopen, millisOrNil(l.escalatedAt), l.escLvl, warning, store.NullIfZero(l.duplicate), l.result, "", categoryVersion,
			l.callbackOutcome)
		if l.satisfaction != "" {
			g.ratings[ratingKey{town.code, d.GridCode, l.department, l.satisfaction}]++
		}
	}
	if g.pg {
		o = append(o, search.BinaryTSVector(search.Terms(content, address)))
	}
	r.vals[tOrders] = o

	// The receive event, as BulkCreate writes it, then the life's.
	ev := append(r.vals[tEvents], id, int64(1), g.written.UnixMilli(), "bench", "system", orders.ActionReceive, "", string(workorder.Received),
		"", "", "", "", benchReceiveData(category, d.Channel, externalID, d.GridCode))
	if l == nil {
		r.vals[tEvents] = ev
		return
	}
	for k, e := range l.events {
		ev = append(ev, id, int64(k+2), e.at.UnixMilli(), e.actor, e.role, e.action, e.from, e.to, e.reason, e.note, e.result, e.comment, e.data)
	}
	r.vals[tEvents] = ev
	for _, s := range l.stages {
		var onTime any
		if !s.running() {
			onTime = store.Bool(!s.finished.After(s.due))
		}
		r.vals[tStages] = append(r.vals[tStages], id, int64(s.seq), s.stage, s.kind, s.owner, s.started.UnixMilli(), s.due.UnixMilli(),
			millisOrNil(s.finished), onTime, s.outcome, millisOrNil(s.pausedSince), s.pausedMs, millisOrNil(s.escalated), town.code)
	}
	// order_departments as orders.SyncDepartments writes them: the lead, then a co-handler that
	// is not the lead.
	if l.department != "" {
		r.vals[tDepartments] = append(r.vals[tDepartments], id, l.department, orders.DepartmentLead, town.code)
	}
	if l.co != "" && l.co != l.department {
		r.vals[tDepartments] = append(r.vals[tDepartments], id, l.co, orders.DepartmentCo, town.code)
	}
	for _, iv := range l.suspensions {
		r.vals[tSuspensions] = append(r.vals[tSuspensions], id, iv[0].UnixMilli(), millisOrNil(iv[1]))
	}
	if l.exempt {
		at := l.closed
		if at.IsZero() {
			at = l.received
		}
		r.vals[tExemptions] = append(r.vals[tExemptions], id, l.town, "申诉已核准：不可抗力（生成数据）", "生成数据", at.Add(48*time.Hour).UnixMilli())
	}
}

func millisOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// benchReceiveData is the receive event's data as BulkCreate writes it for an order without
// deadline class or limit: its non-empty fields with the keys in encoding/json's order.
func benchReceiveData(category, channel, externalID, grid string) string {
	b := make([]byte, 0, 120)
	b = append(b, '{')
	for _, kv := range [...][2]string{{"category", category}, {"channel", channel}, {"external_id", externalID}, {"grid", grid}} {
		if kv[1] == "" {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, kv[0]...)
		b = append(b, '"', ':')
		b = store.AppendJSONString(b, kv[1])
	}
	return string(append(b, '}'))
}

// shortCodeAlphabet is orders' (no 0/O, 1/I/L).
const shortCodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// benchShortCode is a 6-character short code drawn from the id by a mixing hash: as random to
// look at as orders' crypto/rand codes, without a system call per order. Generated orders are
// never followed by a resident, so the code need not be secret.
func benchShortCode(id int64) string {
	x := uint64(id)*0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019
	x ^= x >> 31
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 29
	var b [6]byte
	for i := range b {
		b[i] = shortCodeAlphabet[x%uint64(len(shortCodeAlphabet))]
		x /= uint64(len(shortCodeAlphabet))
	}
	return string(b[:])
}

// benchWriter writes the batches: on SQLite through a connection of its own in large
// transactions of prepared multi-row INSERTs, on PostgreSQL with COPY.
type benchWriter struct {
	db       *store.DB
	pg       bool
	indexes  [][2]string // name, definition of the indexes dropped for the load
	triggers []string    // definitions of the triggers dropped for the load
	// SQLite
	conn    *sql.Conn
	inTx    bool
	pending int // orders written since the last commit
	stmts   map[string]*sql.Stmt
	carry   [len(tableNames)][]any // rows short of a full statement, written with the next batch
	// PostgreSQL
	replica bool // the role may turn triggers (foreign-key checks) off for its session
}

// benchCommitEvery is how many orders one SQLite transaction writes: large enough that commits
// cost nothing, small enough that the WAL stays a few hundred megabytes.
const benchCommitEvery = 50_000

// benchInsertVars bounds the values of one multi-row INSERT (SQLite allows 32,766).
const benchInsertVars = 16_000

// benchDeferred are the tables whose secondary indexes the load drops and builds again.
var benchDeferred = tableNames[:]

func newBenchWriter(ctx context.Context, db *store.DB) (w *benchWriter, err error) {
	w = &benchWriter{db: db, pg: db.Dialect() == store.Postgres, stmts: map[string]*sql.Stmt{}}
	defer func() {
		if err != nil {
			w.close()
		}
	}()
	if w.pg {
		if err := db.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&w.replica); err != nil {
			return nil, fmt.Errorf("bench writer: %w", err)
		}
	}
	if !w.pg {
		if w.conn, err = db.SQL().Conn(ctx); err != nil {
			return nil, fmt.Errorf("bench writer: %w", err)
		}
		// This connection only: no foreign-key checks (the generator's references are right by
		// construction, and TestBenchOrdersLives checks them), no fsync at commit (a crash loses
		// a benchmark's data, nothing else), a larger page cache. close puts the defaults back.
		for _, p := range []string{`PRAGMA foreign_keys = OFF`, `PRAGMA synchronous = OFF`, `PRAGMA cache_size = -262144`} {
			if _, err := w.conn.ExecContext(ctx, p); err != nil {
				return nil, fmt.Errorf("bench writer: %s: %w", p, err)
			}
		}
	}
	if err := w.dropIndexes(ctx); err != nil {
		return nil, err
	}
	if err := w.dropTriggers(ctx); err != nil {
		return nil, err
	}
	return w, nil
}

// dropIndexes drops the secondary, non-unique indexes of the tables the generator writes
// (unique ones keep guarding the rows), remembering their definitions as the database holds
// them — whatever migrations made them.
func (w *benchWriter) dropIndexes(ctx context.Context) error {
	in, args := store.In("tbl_name", benchDeferred)
	q := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' AND ` + in
	if w.pg {
		in, args = store.In("tablename", benchDeferred)
		q = `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexdef NOT LIKE 'CREATE UNIQUE%' AND ` + in
	}
	idx, err := store.Collect(ctx, w.db, func(rows *sql.Rows) (i [2]string, err error) { return i, rows.Scan(&i[0], &i[1]) }, q, args...)
	if err != nil {
		return fmt.Errorf("bench indexes: %w", err)
	}
	for _, i := range idx {
		if err := w.ddl(ctx, `DROP INDEX `+i[0]); err != nil {
			return fmt.Errorf("bench indexes: %w", err)
		}
		w.indexes = append(w.indexes, i)
	}
	return nil
}

// benchTriggers are the triggers the load drops: order_ratings' count of new rated orders,
// which the generator adds up itself (addRatings) instead of one upsert per order.
var benchTriggers = []string{"order_ratings_insert"}

func (w *benchWriter) dropTriggers(ctx context.Context) error {
	for _, name := range benchTriggers {
		q, drop := `SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'orders' AND name = ?`, `DROP TRIGGER `+name
		if w.pg {
			q = `SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'orders'::regclass AND tgname = ?`
			drop += ` ON orders`
		}
		defs, err := store.Collect(ctx, w.db, func(rows *sql.Rows) (s string, err error) { return s, rows.Scan(&s) }, q, name)
		if err != nil {
			return fmt.Errorf("bench trigger %s: %w", name, err)
		}
		if len(defs) == 0 {
			return fmt.Errorf("bench trigger %s: not found; the generator counts ratings in its place and must know the triggers that do", name)
		}
		if err := w.ddl(ctx, drop); err != nil {
			return fmt.Errorf("bench trigger %s: %w", name, err)
		}
		w.triggers = append(w.triggers, defs[0])
	}
	return nil
}

// ddl runs a schema change: on SQLite on the writer's connection, which then never sees a
// schema older than its own change (a pooled connection with a read open from before a DROP
// refused the CREATE that restores it: "already exists").
func (w *benchWriter) ddl(ctx context.Context, q string) error {
	if w.conn != nil {
		_, err := w.conn.ExecContext(ctx, q)
		return err
	}
	_, err := w.db.Exec(ctx, q)
	return err
}

func (w *benchWriter) write(ctx context.Context, r *benchRows) error {
	if w.pg {
		return w.db.InCopyTx(ctx, func(tx *store.Tx) error {
			sets := []string{`SET LOCAL synchronous_commit = off`}
			if w.replica {
				// No triggers for this transaction: the foreign-key checks, one query per
				// reference and row, are most of a COPY's time.
				sets = append(sets, `SET LOCAL session_replication_role = replica`)
			}
			for _, s := range sets {
				if _, err := tx.Exec(ctx, s); err != nil {
					return err
				}
			}
			for t, vals := range r.vals {
				table := benchTables[t]
				if t == tOrders {
					table = benchPGOrders
				}
				if len(vals) == 0 {
					continue
				}
				if _, err := tx.CopyFrom(ctx, table.name, table.cols, &flatRows{vals: vals, width: len(table.cols)}); err != nil {
					return fmt.Errorf("bench %s: %w", table.name, err)
				}
			}
			return nil
		})
	}
	if !w.inTx {
		if _, err := w.conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
			return fmt.Errorf("bench writer: %w", err)
		}
		w.inTx = true
	}
	for t, vals := range r.vals {
		if err := w.insert(ctx, t, append(w.carry[t], vals...), false); err != nil {
			return err
		}
	}
	w.pending += r.n
	if w.pending >= benchCommitEvery {
		return w.finish(ctx)
	}
	return nil
}

// insert writes vals (rows of table t) in full-size prepared statements and keeps the rest for
// the next call, or writes it too when all.
func (w *benchWriter) insert(ctx context.Context, t int, vals []any, all bool) error {
	table := benchTables[t]
	width := len(table.cols)
	per := benchInsertVars / width
	k := 0
	for ; len(vals)-k >= per*width; k += per * width {
		if err := w.exec(ctx, table, per, vals[k:k+per*width]); err != nil {
			return err
		}
	}
	if all && k < len(vals) {
		if err := w.exec(ctx, table, (len(vals)-k)/width, vals[k:]); err != nil {
			return err
		}
		k = len(vals)
	}
	w.carry[t] = append(vals[:0], vals[k:]...)
	return nil
}

func (w *benchWriter) exec(ctx context.Context, table benchTable, rows int, vals []any) error {
	key := fmt.Sprintf("%s/%d", table.name, rows)
	st, ok := w.stmts[key]
	if !ok {
		row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(table.cols)), ", ") + ")"
		var err error
		st, err = w.conn.PrepareContext(ctx, `INSERT INTO `+table.name+` (`+strings.Join(table.cols, ", ")+`) VALUES `+
			strings.TrimSuffix(strings.Repeat(row+", ", rows), ", "))
		if err != nil {
			return fmt.Errorf("bench %s: %w", table.name, err)
		}
		w.stmts[key] = st
	}
	if _, err := st.ExecContext(ctx, vals...); err != nil {
		return fmt.Errorf("bench %s: %w", table.name, err)
	}
	return nil
}

func (w *benchWriter) commit(ctx context.Context) error {
	w.inTx, w.pending = false, 0
	if _, err := w.conn.ExecContext(ctx, `COMMIT`); err != nil {
		return fmt.Errorf("bench writer: commit: %w", err)
	}
	return nil
}

// finish writes what is left and commits: every commit holds whole batches, so the orders
// committed are always those below an id (the search indexer takes them in id order).
func (w *benchWriter) finish(ctx context.Context) error {
	if w.pg {
		return nil
	}
	if !w.inTx {
		if _, err := w.conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
			return fmt.Errorf("bench writer: %w", err)
		}
		w.inTx = true
	}
	for t := range benchTables {
		if err := w.insert(ctx, t, w.carry[t], true); err != nil {
			return err
		}
	}
	return w.commit(ctx)
}

// restoreIndexes builds the dropped indexes again, telling step how long each took. On
// PostgreSQL two are built at a time, each on its own connection (a build is one server
// process, mostly sorting).
func (w *benchWriter) restoreIndexes(ctx context.Context, step func(name string, took time.Duration)) error {
	build := func(i [2]string) error {
		if !w.pg {
			return w.ddl(ctx, i[1])
		}
		return w.db.InTx(ctx, func(tx *store.Tx) error {
			// A larger sort memory for this build only (the default 64 MB spills at 10^6).
			if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, i[1])
			return err
		})
	}
	workers := 1
	if w.pg {
		workers = 2
	}
	var (
		mu    sync.Mutex
		next  int
		built = make([]bool, len(w.indexes))
		first error
		wg    sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				k := next
				next++
				stop := k >= len(w.indexes) || first != nil
				mu.Unlock()
				if stop {
					return
				}
				start := time.Now()
				err := build(w.indexes[k])
				mu.Lock()
				if err != nil && first == nil {
					first = fmt.Errorf("bench index %s: %w", w.indexes[k][0], err)
				}
				built[k] = err == nil
				mu.Unlock()
				if err == nil {
					step(w.indexes[k][0], time.Since(start))
				}
			}
		}()
	}
	wg.Wait()
	var left [][2]string
	for k, i := range w.indexes {
		if !built[k] {
			left = append(left, i)
		}
	}
	w.indexes = left
	return first
}

func (w *benchWriter) restoreTriggers(ctx context.Context) error {
	for len(w.triggers) > 0 {
		if err := w.ddl(ctx, w.triggers[0]); err != nil {
			return fmt.Errorf("bench trigger: %w", err)
		}
		w.triggers = w.triggers[1:]
	}
	return nil
}

// close ends the writer: a transaction left open (an error) is rolled back, indexes and
// triggers not yet built again are, and the connection gets the pool's settings back.
func (w *benchWriter) close() {
	ctx := context.Background()
	if w.inTx {
		_, _ = w.conn.ExecContext(ctx, `ROLLBACK`)
		w.inTx = false
	}
	_ = w.restoreIndexes(ctx, func(string, time.Duration) {})
	_ = w.restoreTriggers(ctx)
	for _, st := range w.stmts {
		st.Close()
	}
	if w.conn != nil {
		for _, p := range []string{`PRAGMA foreign_keys = ON`, `PRAGMA synchronous = NORMAL`, `PRAGMA cache_size = -65536`} {
			_, _ = w.conn.ExecContext(ctx, p)
		}
		w.conn.Close()
		w.conn = nil
	}
}

// addRatings adds the generated orders' ratings to order_ratings, as the dropped trigger would
// have one by one (SQLite: on the writer's connection, for the reason ddl gives).
func (w *benchWriter) addRatings(ctx context.Context, ratings map[ratingKey]int64) error {
	keys := slices.SortedFunc(maps.Keys(ratings), func(a, b ratingKey) int {
		return cmp.Or(cmp.Compare(a.town, b.town), cmp.Compare(a.grid, b.grid), cmp.Compare(a.department, b.department),
			cmp.Compare(a.satisfaction, b.satisfaction))
	})
	write := func(exec func(q string, args ...any) error) error {
		const per = 200
		for start := 0; start < len(keys); start += per {
			part := keys[start:min(start+per, len(keys))]
			args := make([]any, 0, 5*len(part))
			for _, k := range part {
				args = append(args, k.town, k.grid, k.department, k.satisfaction, ratings[k])
			}
			if err := exec(`INSERT INTO order_ratings (town_code, grid_code, department_code, satisfaction, n) VALUES `+
				strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", len(part)), ", ")+`
				ON CONFLICT (town_code, grid_code, department_code, satisfaction) DO UPDATE SET n = order_ratings.n + excluded.n`, args...); err != nil {
				return fmt.Errorf("bench ratings: %w", err)
			}
		}
		return nil
	}
	if len(keys) == 0 {
		return nil
	}
	if w.pg {
		return w.db.InTx(ctx, func(tx *store.Tx) error {
			return write(func(q string, args ...any) error { _, err := tx.Exec(ctx, q, args...); return err })
		})
	}
	if _, err := w.conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		return fmt.Errorf("bench ratings: %w", err)
	}
	w.inTx = true
	if err := write(func(q string, args ...any) error { _, err := w.conn.ExecContext(ctx, q, args...); return err }); err != nil {
		return err
	}
	return w.commit(ctx)
}

// flatRows is a COPY source (pgx.CopyFromSource) over rows of width values lying one after
// another.
type flatRows struct {
	vals  []any
	width int
	i     int
}

func (r *flatRows) Next() bool             { r.i += r.width; return r.i <= len(r.vals) }
func (r *flatRows) Values() ([]any, error) { return r.vals[r.i-r.width : r.i], nil }
func (r *flatRows) Err() error             { return nil }
