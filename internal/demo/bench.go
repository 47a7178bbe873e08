package demo

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// BenchOptions say how many orders GenerateBenchOrders writes and how.
type BenchOptions struct {
	Orders int       // how many orders in all, over every town
	Years  int       // how far back they reach (at least 1)
	Towns  int       // 1: 新泾镇 only; 2 (or 0): 新泾镇 and 陆家嘴; more: generated towns too (LoadBenchTowns), up to MaxBenchTowns
	Seed   int64     // the generator's seed
	Now    time.Time // the present: the newest orders are a few hours old
	// Progress, when set, is told after every batch how many orders have been written.
	Progress func(done, total int)
}

// benchBatch is how many orders one transaction writes.
const benchBatch = 5000

// benchWindow is the span one call of world.GenerateOrders covers (its orders reach 90 days back).
const benchWindow = 90 * 24 * time.Hour

// GenerateBenchOrders writes o.Orders realistic work orders into the towns already loaded in db
// (demo.Load, and LoadBenchTowns for more than two): the demo's texts, addresses, grids,
// categories and channels in its proportions, with its daily and weekly rhythm, spread over
// o.Years years in 90-day windows whose volumes follow the seasons (a summer peak, the Spring
// Festival's trough) and a yearly growth; the newest window in every state as the demo has it,
// the older ones closed or rated but for a few long-overdue orders still open — the shape of a
// town's archive after years of use. Orders go in through orders.BulkCreate (numbers, receive
// events and search terms as an import writes them); then each order's life up to its state
// (benchlife.go) — its history, stage clocks, suspensions, counters, escalations and
// exemptions — is written in bulk: one UPDATE … FROM (VALUES …) per 200 orders for the order
// rows, COPY (PostgreSQL) or multi-row INSERTs (SQLite) for the rest.
func GenerateBenchOrders(ctx context.Context, db *store.DB, o BenchOptions) error {
	if o.Years < 1 {
		o.Years = 1
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Towns < 1 {
		o.Towns = 2
	}
	if o.Towns > MaxBenchTowns {
		return fmt.Errorf("bench orders: at most %d towns", MaxBenchTowns)
	}
	worlds := []*world.World{}
	for i, code := range BenchTownCodes(o.Towns) {
		var w *world.World
		var err error
		switch code {
		case world.XinjingCode:
			w, err = world.Xinjing()
		case world.LujiazuiCode:
			w, err = world.Lujiazui()
		default:
			w, err = GeneratedWorld(i - 2)
		}
		if err != nil {
			return err
		}
		worlds = append(worlds, w)
	}
	// 新泾镇 is the larger town: twice the share of each other town.
	weights := make([]float64, len(worlds))
	for i := range weights {
		weights[i] = 1
	}
	weights[0] = 2
	shares := apportion(o.Orders, weights)
	windows := max(1, int(time.Duration(o.Years)*365*24*time.Hour/benchWindow))
	// The windows' volumes: the season of their middle month, and 8 % more each year.
	seasons := make([]float64, windows)
	for k := range seasons {
		mid := o.Now.Add(-time.Duration(k)*benchWindow - benchWindow/2).In(world.Shanghai)
		seasons[k] = benchSeason[mid.Month()-1] * math.Pow(1.08, -float64(k)*benchWindow.Hours()/(365*24))
	}
	// Deferred index work on PostgreSQL: the tables' secondary indexes are dropped while the
	// orders go in and built again at the end, one sort each instead of an entry per row and
	// index — and per UPDATE, which writes a new row version into every index of orders. On
	// SQLite (an update rewrites the row in place) rebuilding cost as much as it saved at 10^5.
	restore := func(context.Context) error { return nil }
	if db.Dialect() == store.Postgres {
		var err error
		if restore, err = deferIndexes(ctx, db, "orders", "order_stages", "order_departments"); err != nil {
			return err
		}
	}
	defer func() {
		if restore != nil {
			_ = restore(context.WithoutCancel(ctx))
		}
	}()
	st := orders.New(db)
	done := 0
	rng := rand.New(rand.NewPCG(uint64(o.Seed), 17))
	for ti, w := range worlds {
		sim := newLifeSim(w, st.Cal, o.Now, rng)
		perWindow := apportion(shares[ti], seasons)
		for k := range windows {
			n := perWindow[k]
			end := o.Now.Add(-time.Duration(k) * benchWindow)
			for start := 0; start < n; start += benchWindow90Chunk {
				part := world.GenerateOrders(w, min(benchWindow90Chunk, n-start), o.Seed+int64(1000*ti+k)+int64(start), end)
				if k > 0 || start > 0 {
					renumberHotline(part, k, start)
				}
				for b := 0; b < len(part); b += benchBatch {
					batch := part[b:min(b+benchBatch, len(part))]
					if err := writeBenchBatch(ctx, db, st, sim, batch, b, k > 0); err != nil {
						return err
					}
					done += len(batch)
					if o.Progress != nil {
						o.Progress(done, o.Orders)
					}
				}
			}
		}
	}
	r := restore
	restore = nil
	return r(ctx)
}

// deferIndexes drops the secondary, non-unique indexes of tables (unique ones keep guarding
// the rows) and returns the function that creates them again from their own definitions, as
// the database holds them — whatever migrations made them.
func deferIndexes(ctx context.Context, db *store.DB, tables ...string) (func(context.Context) error, error) {
	in, args := store.In("tbl_name", tables)
	q := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' AND ` + in
	if db.Dialect() == store.Postgres {
		in, args = store.In("tablename", tables)
		q = `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexdef NOT LIKE 'CREATE UNIQUE%' AND ` + in
	}
	type index struct{ name, def string }
	idx, err := store.Collect(ctx, db, func(rows *sql.Rows) (i index, err error) { return i, rows.Scan(&i.name, &i.def) }, q, args...)
	if err != nil {
		return nil, fmt.Errorf("bench indexes: %w", err)
	}
	for _, i := range idx {
		if _, err := db.Exec(ctx, `DROP INDEX `+i.name); err != nil {
			return nil, fmt.Errorf("bench indexes: %w", err)
		}
	}
	return func(ctx context.Context) error {
		for _, i := range idx {
			if _, err := db.Exec(ctx, i.def); err != nil {
				return fmt.Errorf("bench index %s: %w", i.name, err)
			}
		}
		return nil
	}, nil
}

// benchSeason is the relative volume of each month: the hotline's summer peak (heat, noise,
// water) and the Spring Festival's trough.
var benchSeason = [12]float64{0.95, 0.75, 0.95, 1, 1.05, 1.1, 1.25, 1.25, 1.05, 0.95, 0.95, 0.9}

// apportion splits n in proportion to weights, the remainder to the largest fractions.
func apportion(n int, weights []float64) []int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	out := make([]int, len(weights))
	if total <= 0 || n <= 0 {
		if len(out) > 0 {
			out[0] = max(n, 0)
		}
		return out
	}
	type frac struct {
		i int
		f float64
	}
	var fs []frac
	left := n
	for i, w := range weights {
		x := float64(n) * w / total
		out[i] = int(x)
		left -= out[i]
		fs = append(fs, frac{i, x - float64(out[i])})
	}
	sort.SliceStable(fs, func(a, b int) bool { return fs[a].f > fs[b].f })
	for k := 0; k < left; k++ {
		out[fs[k%len(fs)].i]++
	}
	return out
}

// benchWindow90Chunk bounds one world.GenerateOrders call (it holds its orders in memory).
const benchWindow90Chunk = 100_000

// renumberHotline keeps hotline numbers unique across generator calls that share dates: each
// call's serials get their own prefix digit pattern.
func renumberHotline(part []world.DemoOrder, window, start int) {
	tag := fmt.Sprintf("%02d%02d", window%100, (start/benchWindow90Chunk)%100)
	for i := range part {
		if part[i].HotlineID != "" {
			part[i].HotlineID += "-" + tag
		}
	}
}

// writeBenchBatch writes one batch of a town's generated orders and their lives in one
// transaction (one that may COPY, on PostgreSQL).
// offset is the batch's first order's index in the generator's call (a duplicate's MergedInto
// counts from there).
func writeBenchBatch(ctx context.Context, db *store.DB, st *orders.Store, sim *lifeSim, batch []world.DemoOrder, offset int, old bool) error {
	w, rng := sim.w, sim.rng
	return db.InCopyTx(ctx, func(tx *store.Tx) error {
		// BulkCreate takes one channel per call.
		byChannel := map[string][]int{}
		for i, g := range batch {
			byChannel[g.Channel] = append(byChannel[g.Channel], i)
		}
		ids := make([]int64, len(batch))
		for _, ch := range world.Channels {
			idx := byChannel[ch]
			if len(idx) == 0 {
				continue
			}
			ns := make([]orders.NewOrder, len(idx))
			for j, i := range idx {
				g := batch[i]
				lat, lng := g.Lat, g.Lng
				ns[j] = orders.NewOrder{TownCode: w.Town.Code, Channel: ch, ExternalID: g.HotlineID, Content: g.Content, Address: g.Address,
					Lat: &lat, Lng: &lng, Category: g.CategoryCode, Grid: g.GridCode, CallerName: g.CallerName, CallerPhone: g.CallerPhone,
					ReceivedAt: g.ReceivedAt, ActorName: "bench", ActorRole: "system"}
			}
			created, err := st.BulkCreate(ctx, tx, ns)
			if err != nil {
				return fmt.Errorf("bench orders: %w", err)
			}
			for j, i := range idx {
				ids[i] = created[j].ID
			}
		}
		var lives []*benchLife
		for i, g := range batch {
			state := g.TargetState
			if old && workorder.IsOpen(workorder.State(state)) && rng.IntN(500) > 0 {
				// An old order is finished; one in 500 is left open, long overdue.
				state = string(workorder.Closed)
				if rng.IntN(3) > 0 {
					state = string(workorder.Rated)
				}
			}
			if state == string(workorder.Received) {
				continue
			}
			l := &benchLife{id: ids[i], town: w.Town.Code, category: g.CategoryCode, grid: g.GridCode, received: g.ReceivedAt.Truncate(time.Millisecond),
				class: workorder.ClassGeneral}
			if cat, ok := w.Category(g.CategoryCode); ok && cat.Deadline != "" {
				l.class = cat.Deadline
			}
			if g.MergedInto >= 0 {
				g.MergedInto -= offset
			}
			sim.live(l, g, state, ids, i, old)
			sim.escalateAndExempt(l)
			l.order()
			lives = append(lives, l)
		}
		stmts := stmtCache{tx: tx, m: map[string]*sql.Stmt{}}
		defer stmts.close()
		for start := 0; start < len(lives); start += benchUpdateChunk {
			if err := updateBenchRows(ctx, tx, stmts, lives[start:min(start+benchUpdateChunk, len(lives))], sim.now); err != nil {
				return err
			}
		}
		return writeLives(ctx, tx, stmts, lives)
	})
}

// stmtCache prepares each statement of a transaction once: parsing the long multi-row
// statements again for every chunk was a quarter of the generator's time on SQLite.
type stmtCache struct {
	tx *store.Tx
	m  map[string]*sql.Stmt
}

func (c stmtCache) exec(ctx context.Context, query string, args ...any) error {
	st, ok := c.m[query]
	if !ok {
		var err error
		if st, err = c.tx.Prepare(ctx, query); err != nil {
			return err
		}
		c.m[query] = st
	}
	_, err := st.ExecContext(ctx, args...)
	return err
}

func (c stmtCache) close() {
	for _, st := range c.m {
		st.Close()
	}
}

// benchUpdateChunk is how many orders one UPDATE … FROM (VALUES …) moves on.
const benchUpdateChunk = 200

// benchUpdateCols are the columns of the VALUES list, cast so that both databases type the NULLs.
var benchUpdateCols = [][2]string{{"id", "BIGINT"}, {"state", "TEXT"}, {"version", "INTEGER"}, {"filed", "BIGINT"}, {"department", "TEXT"},
	{"class", "TEXT"}, {"deadline", "BIGINT"}, {"warning", "BIGINT"}, {"closed", "BIGINT"}, {"satisfaction", "TEXT"}, {"result", "TEXT"},
	{"updated", "BIGINT"}, {"duplicate", "BIGINT"}, {"co", "TEXT"}, {"returned", "INTEGER"}, {"rework", "INTEGER"}, {"reopen", "INTEGER"},
	{"suspended", "INTEGER"}, {"suspended_since", "BIGINT"}, {"suspended_total", "BIGINT"}, {"escalated", "BIGINT"}, {"escalation", "INTEGER"}}

var benchUpdateSQL = func() (head, row string) {
	var names, casts []string
	for _, c := range benchUpdateCols {
		names = append(names, c[0])
		casts = append(casts, "CAST(? AS "+c[1]+")")
	}
	return "WITH v (" + strings.Join(names, ", ") + ") AS (VALUES ", "(" + strings.Join(casts, ", ") + ")"
}

func millisOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// updateBenchRows moves generated orders to the state their lives left them in, in one statement.
func updateBenchRows(ctx context.Context, tx *store.Tx, stmts stmtCache, lives []*benchLife, now time.Time) error {
	args := make([]any, 0, len(benchUpdateCols)*len(lives))
	for _, l := range lives {
		var warning any
		if workorder.IsOpen(workorder.State(l.state)) && !l.filed.IsZero() && !l.deadline.IsZero() {
			if warn := l.filed.Add(l.deadline.Sub(l.filed) * 8 / 10); now.After(warn) {
				warning = warn.UnixMilli()
			}
		}
		var class any
		if !l.filed.IsZero() {
			class = l.class
		}
		updated := l.received
		if n := len(l.events); n > 0 {
			updated = l.events[n-1].at
		}
		args = append(args, l.id, l.state, 1+len(l.events), millisOrNil(l.filed), store.NullIfEmpty(l.department), class,
			millisOrNil(l.deadline), warning, millisOrNil(l.closed), l.satisfaction, l.result, updated.UnixMilli(), store.NullIfZero(l.duplicate),
			l.co, l.returned, l.rework, l.reopen, store.Bool(!l.suspendedSince.IsZero()), millisOrNil(l.suspendedSince), l.suspendedTotal,
			millisOrNil(l.escalatedAt), l.escLvl)
	}
	head, row := benchUpdateSQL()
	// The VALUES list as a common table expression with named columns: SQLite takes no column
	// names on a derived table ("AS v (id, …)"), both take them on a CTE.
	err := stmts.exec(ctx, head+strings.TrimSuffix(strings.Repeat(row+", ", len(lives)), ", ")+`)
		UPDATE orders SET state = v.state, version = v.version, filed_at = v.filed, department_code = v.department,
		deadline_class = COALESCE(v.class, orders.deadline_class), deadline_at = v.deadline, warning_at = v.warning, closed_at = v.closed,
		satisfaction = v.satisfaction, result = v.result, updated_at = v.updated, duplicate_of = v.duplicate, co_departments = v.co,
		returned_count = v.returned, rework_count = v.rework, reopen_count = v.reopen, suspended = v.suspended,
		suspended_since = v.suspended_since, suspended_total_ms = v.suspended_total, escalated_at = v.escalated, escalation_level = v.escalation
		FROM v WHERE orders.id = v.id`, args...)
	if err != nil {
		return fmt.Errorf("bench orders' states: %w", err)
	}
	ids := make([]int64, len(lives))
	for i, l := range lives {
		ids[i] = l.id
	}
	return orders.SyncDepartments(ctx, tx, ids)
}

var (
	benchStageCols = []string{"order_id", "seq", "stage", "owner_kind", "owner_code", "started_at", "due_at", "finished_at", "on_time",
		"outcome", "paused_since", "paused_working_ms", "escalated_at"}
	benchEventCols = []string{"order_id", "seq", "at", "actor_name", "actor_role", "action", "from_state", "to_state", "reason", "note",
		"result", "comment", "data"}
	benchSuspensionCols = []string{"order_id", "start_at", "end_at"}
	benchExemptionCols  = []string{"order_id", "town_code", "reason", "created_by_name", "created_at"}
)

// writeLives writes the stage rows, history events (after the receive event, seq 1),
// suspensions and exemptions of lives.
func writeLives(ctx context.Context, tx *store.Tx, stmts stmtCache, lives []*benchLife) error {
	var stages, events, susp, exempt [][]any
	for _, l := range lives {
		for _, s := range l.stages {
			var onTime any
			if !s.running() {
				onTime = store.Bool(!s.finished.After(s.due))
			}
			stages = append(stages, []any{l.id, int64(s.seq), s.stage, s.kind, s.owner, s.started.UnixMilli(), s.due.UnixMilli(),
				millisOrNil(s.finished), onTime, s.outcome, millisOrNil(s.pausedSince), s.pausedMs, millisOrNil(s.escalated)})
		}
		for k, e := range l.events {
			events = append(events, []any{l.id, int64(k + 2), e.at.UnixMilli(), e.actor, e.role, e.action, e.from, e.to, e.reason, e.note,
				e.result, e.comment, e.data})
		}
		for _, iv := range l.suspensions {
			susp = append(susp, []any{l.id, iv[0].UnixMilli(), millisOrNil(iv[1])})
		}
		if l.exempt {
			at := l.closed
			if at.IsZero() {
				at = l.received
			}
			exempt = append(exempt, []any{l.id, l.town, "申诉已核准：不可抗力（生成数据）", "生成数据", at.Add(48 * time.Hour).UnixMilli()})
		}
	}
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{{"order_stages", benchStageCols, stages}, {"order_events", benchEventCols, events},
		{"order_suspensions", benchSuspensionCols, susp}, {"kpi_exemptions", benchExemptionCols, exempt}} {
		if err := insertRows(ctx, tx, stmts, t.table, t.cols, t.rows); err != nil {
			return fmt.Errorf("bench %s: %w", t.table, err)
		}
	}
	return nil
}

// insertRows writes rows with COPY where the transaction can, else with prepared multi-row
// INSERTs of benchInsertRows rows.
func insertRows(ctx context.Context, tx *store.Tx, stmts stmtCache, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if tx.CanCopy() {
		_, err := tx.CopyFrom(ctx, table, cols, &sliceRows{rows: rows})
		return err
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	per := benchInsertRows
	for start := 0; start < len(rows); start += per {
		part := rows[start:min(start+per, len(rows))]
		args := make([]any, 0, len(part)*len(cols))
		for _, r := range part {
			args = append(args, r...)
		}
		if err := stmts.exec(ctx, `INSERT INTO `+table+` (`+strings.Join(cols, ", ")+`) VALUES `+
			strings.TrimSuffix(strings.Repeat(row+", ", len(part)), ", "), args...); err != nil {
			return err
		}
	}
	return nil
}

// benchInsertRows is how many rows one INSERT writes (13 columns: far below SQLite's 32766
// parameters).
const benchInsertRows = 100

// sliceRows is a COPY source (pgx.CopyFromSource) over rows held in memory.
type sliceRows struct {
	rows [][]any
	i    int
}

func (r *sliceRows) Next() bool             { r.i++; return r.i <= len(r.rows) }
func (r *sliceRows) Values() ([]any, error) { return r.rows[r.i-1], nil }
func (r *sliceRows) Err() error             { return nil }
