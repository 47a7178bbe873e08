package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
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
	Towns  int       // 1: 新泾镇 only; 2 (or 0): 新泾镇 and 陆家嘴
	Seed   int64     // the generator's seed
	Now    time.Time // the present: the newest orders are a few hours old
	// Progress, when set, is told after every batch how many orders have been written.
	Progress func(done, total int)
}

// benchBatch is how many orders one transaction writes.
const benchBatch = 5000

// benchWindow is the span one call of world.GenerateOrders covers (its orders reach 90 days back).
const benchWindow = 90 * 24 * time.Hour

// GenerateBenchOrders writes o.Orders realistic work orders into the demo towns already loaded in
// db (demo.Load): the demo's texts, addresses, grids, categories and channels, spread over
// o.Years years in 90-day windows, the newest window in every state as the demo has it and the
// older ones closed or rated but for a few long-overdue orders still open — the shape of a
// town's archive after years of use. Orders go in through orders.BulkCreate (numbers, receive
// events and search terms as an import writes them), then one UPDATE per order that moved on
// sets its state, department, deadline, closing time and rating (their history holds only the
// receive event: the benchmark reads lists, counts and pages, not histories).
func GenerateBenchOrders(ctx context.Context, db *store.DB, o BenchOptions) error {
	if o.Years < 1 {
		o.Years = 1
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	worlds := []*world.World{}
	for _, get := range []func() (*world.World, error){world.Xinjing, world.Lujiazui} {
		w, err := get()
		if err != nil {
			return err
		}
		worlds = append(worlds, w)
	}
	// 新泾镇 is the larger town: two orders in three.
	shares := []int{o.Orders * 2 / 3, o.Orders - o.Orders*2/3}
	if o.Towns == 1 {
		worlds, shares = worlds[:1], []int{o.Orders}
	}
	windows := max(1, int(time.Duration(o.Years)*365*24*time.Hour/benchWindow))
	st := orders.New(db)
	done := 0
	rng := rand.New(rand.NewPCG(uint64(o.Seed), 17))
	for ti, w := range worlds {
		for k := range windows {
			n := shares[ti] / windows
			if k == 0 {
				n += shares[ti] % windows
			}
			end := o.Now.Add(-time.Duration(k) * benchWindow)
			for start := 0; start < n; start += benchWindow90Chunk {
				part := world.GenerateOrders(w, min(benchWindow90Chunk, n-start), o.Seed+int64(1000*ti+k)+int64(start), end)
				if k > 0 || start > 0 {
					renumberHotline(part, k, start)
				}
				for b := 0; b < len(part); b += benchBatch {
					batch := part[b:min(b+benchBatch, len(part))]
					if err := writeBenchBatch(ctx, db, st, w, batch, k > 0, o.Now, rng); err != nil {
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
	return nil
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

// writeBenchBatch writes one batch of a town's generated orders in one transaction.
func writeBenchBatch(ctx context.Context, db *store.DB, st *orders.Store, w *world.World, batch []world.DemoOrder, old bool,
	now time.Time, rng *rand.Rand) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
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
		var rows []benchRow
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
			if state == string(workorder.Rated) && g.Satisfaction == "" {
				g.Satisfaction = "satisfied"
			}
			u := benchUpdate(w, g, state, ids, i, now)
			u.id = ids[i]
			rows = append(rows, u)
		}
		for start := 0; start < len(rows); start += benchUpdateChunk {
			if err := updateBenchRows(ctx, tx, rows[start:min(start+benchUpdateChunk, len(rows))]); err != nil {
				return err
			}
		}
		return nil
	})
}

// benchUpdateChunk is how many orders one UPDATE … FROM (VALUES …) moves on.
const benchUpdateChunk = 200

// benchRowSQL is one row of the VALUES list, cast so that both databases type the NULLs.
const benchRowSQL = `(CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT),
	CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT))`

// updateBenchRows moves generated orders to their states in one statement.
func updateBenchRows(ctx context.Context, tx *store.Tx, rows []benchRow) error {
	args := make([]any, 0, 13*len(rows))
	for _, u := range rows {
		args = append(args, u.id, u.state, u.version, u.filed, u.department, u.class, u.deadline, u.warning, u.closed,
			u.satisfaction, u.result, u.updated, u.duplicate)
	}
	// The VALUES list as a common table expression with named columns: SQLite takes no column
	// names on a derived table ("AS v (id, …)"), both take them on a CTE.
	_, err := tx.Exec(ctx, `WITH v (id, state, version, filed, department, class, deadline, warning, closed, satisfaction, result, updated, duplicate)
		AS (VALUES `+strings.TrimSuffix(strings.Repeat(benchRowSQL+", ", len(rows)), ", ")+`)
		UPDATE orders SET state = v.state, version = v.version, filed_at = v.filed, department_code = v.department,
		deadline_class = COALESCE(v.class, orders.deadline_class), deadline_at = v.deadline, warning_at = v.warning, closed_at = v.closed,
		satisfaction = v.satisfaction, result = v.result, updated_at = v.updated, duplicate_of = v.duplicate
		FROM v WHERE orders.id = v.id`, args...)
	if err != nil {
		return fmt.Errorf("bench orders' states: %w", err)
	}
	ids := make([]int64, len(rows))
	for i, u := range rows {
		ids[i] = u.id
	}
	return orders.SyncDepartments(ctx, tx, ids)
}

type benchRow struct {
	id                       int64
	state                    string
	version                  int
	filed, deadline, warning any
	closed, duplicate        any
	department, class        any
	satisfaction, result     string
	updated                  int64
}

// benchUpdate is what a generated order looks like once it reached state.
func benchUpdate(w *world.World, g world.DemoOrder, state string, ids []int64, i int, now time.Time) benchRow {
	at := g.ReceivedAt
	r := benchRow{state: state, version: 2, updated: at.Add(time.Hour).UnixMilli()}
	switch state {
	case string(workorder.Rejected):
		return r
	case string(workorder.Merged):
		if g.MergedInto >= 0 && g.MergedInto < i && ids[g.MergedInto] != 0 {
			r.duplicate = ids[g.MergedInto]
		}
		return r
	}
	cat, _ := w.Category(g.CategoryCode)
	class := cat.Deadline
	if class == "" {
		class = workorder.ClassGeneral
	}
	days := 5
	for _, c := range workorder.DeadlineClasses {
		if c.Code == class {
			days = c.Days
		}
	}
	filed := at.Add(time.Hour)
	// Working days as calendar days and a half: close enough for lists and counts.
	deadline := filed.Add(time.Duration(days) * 36 * time.Hour)
	r.filed, r.class, r.deadline = filed.UnixMilli(), class, deadline.UnixMilli()
	if warn := filed.Add(deadline.Sub(filed) * 8 / 10); workorder.IsOpen(workorder.State(state)) && now.After(warn) {
		r.warning = warn.UnixMilli()
	}
	if state != string(workorder.Filed) && g.DepartmentCode != "" {
		if _, ok := w.Department(g.DepartmentCode); ok {
			r.department = g.DepartmentCode
		}
	}
	r.version = 3
	switch state {
	case string(workorder.InProgress):
		r.version = 4
	case string(workorder.Handled):
		r.version, r.result = 5, g.ResultText
	case string(workorder.Closed), string(workorder.Rated):
		closed := at.Add(time.Duration(days) * 20 * time.Hour)
		if closed.After(now) {
			closed = now.Add(-time.Minute)
		}
		r.version, r.result, r.closed, r.updated = 6, g.ResultText, closed.UnixMilli(), closed.UnixMilli()
		if state == string(workorder.Rated) {
			r.version = 7
			r.satisfaction = map[string]string{"satisfied": workorder.Satisfied, "basic": workorder.BasicallySatisfied,
				"dissatisfied": workorder.Dissatisfied}[g.Satisfaction]
		}
	}
	return r
}
