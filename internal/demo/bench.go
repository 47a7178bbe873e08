package demo

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
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
	// Step, when set, is told how long each step after the writing took (the indexes, the
	// ratings), so that a long run shows where its time goes.
	Step func(step string, took time.Duration)
	// AfterWrite, when set, is work on the written orders that needs none of their secondary
	// indexes (civicgrid bench pages rebuilds the KPI figures kept per day): on PostgreSQL it
	// runs while the indexes are built again, on SQLite (one writer) after them. Step may be
	// called meanwhile, from another goroutine.
	AfterWrite func(ctx context.Context) error
}

// benchBatch is how many orders the generator lives at a time: a merged order whose original
// lies in an earlier batch is turned away instead (see lifeSim.live), so the size is part of
// what is generated.
const benchBatch = 5000

// benchWindow is the span one call of world.GenerateOrders covers (its orders reach 90 days back).
const benchWindow = 90 * 24 * time.Hour

// GenerateBenchOrders writes o.Orders realistic work orders into the towns already loaded in db
// (demo.Load, and LoadBenchTowns for more than two): the demo's texts, addresses, grids,
// categories and channels in its proportions, with its daily and weekly rhythm, spread over
// o.Years years in 90-day windows whose volumes follow the seasons (a summer peak, the Spring
// Festival's trough) and a yearly growth; the newest window in every state as the demo has it,
// the older ones closed or rated but for a few long-overdue orders still open — the shape of a
// town's archive after years of use. Each order's life up to its state (benchlife.go) — its
// history, stage clocks, suspensions, counters, escalations and exemptions — is replayed in
// memory and the order row written once, in its final state, with the rows an import writes
// (BulkCreate's number, short code, receive event and search terms — on SQLite the search index
// file, as an importer feeds it) and those the lifecycle would have written (benchwrite.go).
//
// The writing is a bulk load: a goroutine lives the orders while another writes them; the
// tables' secondary indexes are dropped first and built again at the end (one sort each instead
// of an entry per row and index), the trigger that counts ratings too (the counts are added once
// at the end); on SQLite the writer has a connection of its own without foreign-key checks or
// fsync, on PostgreSQL COPY writes every table with the foreign-key triggers off when the role
// may turn them off. The KPI figures kept per day are not kept here: the caller rebuilds them
// (civicgrid bench pages does).
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
	if o.Orders <= 0 {
		return nil
	}
	step := func(name string, start time.Time) {
		if o.Step != nil {
			o.Step(name, time.Since(start))
		}
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
	towns, err := benchTownsOf(ctx, db, worlds)
	if err != nil {
		return err
	}
	// SQLite's search index up to date first, so that the batches' texts follow its last order.
	if _, err := orders.IndexSearch(ctx, db); err != nil {
		return err
	}
	firstID, err := reserveBenchIDs(ctx, db, o.Orders)
	if err != nil {
		return err
	}
	w, err := newBenchWriter(ctx, db)
	if err != nil {
		return err
	}
	defer w.close()
	g := &benchGen{o: o, worlds: worlds, towns: towns, nextID: firstID, cal: orders.New(db).Cal, written: time.Now().Truncate(time.Millisecond),
		pg: db.Dialect() == store.Postgres, db: db}
	batches := make(chan *benchRows, 2)
	genCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	genErr := make(chan error, 1)
	go func() {
		defer close(batches)
		genErr <- g.run(genCtx, batches)
	}()
	done := 0
	for rows := range batches {
		if err := w.write(ctx, rows); err != nil {
			cancel()
			for range batches {
			}
			return err
		}
		done += rows.n
		if o.Progress != nil {
			o.Progress(done, o.Orders)
		}
	}
	if err := <-genErr; err != nil {
		return err
	}
	start := time.Now()
	if err := w.finish(ctx); err != nil {
		return err
	}
	step("writing's end (commit)", start)
	// On PostgreSQL the work after the writing runs beside the index builds (another server
	// process); SQLite has one writer, so it waits for them.
	afterDone := make(chan error, 1)
	if o.AfterWrite != nil && g.pg {
		actx, cancelAfter := context.WithCancel(ctx)
		go func() { afterDone <- o.AfterWrite(actx) }()
		defer func() { cancelAfter(); <-afterDone }() // never return while it still runs
	}
	start = time.Now()
	if err := w.restoreIndexes(ctx, func(name string, took time.Duration) {
		if o.Step != nil {
			o.Step("index "+name, took)
		}
	}); err != nil {
		return err
	}
	step("secondary indexes", start)
	start = time.Now()
	if err := w.restoreTriggers(ctx); err != nil {
		return err
	}
	if err := w.addRatings(ctx, g.ratings); err != nil {
		return err
	}
	step("ratings", start)
	switch {
	case o.AfterWrite == nil:
	case g.pg:
		err := <-afterDone
		afterDone <- nil // for the deferred receive
		return err
	default:
		return o.AfterWrite(ctx)
	}
	return nil
}

// benchTown is what the rows of a town's orders need from the database.
type benchTown struct {
	code, prefix    string
	categoryVersion int
}

func benchTownsOf(ctx context.Context, db *store.DB, worlds []*world.World) ([]benchTown, error) {
	out := make([]benchTown, len(worlds))
	for i, w := range worlds {
		t := benchTown{code: w.Town.Code}
		var prefix sql.NullString
		err := db.QueryRow(ctx, `SELECT value FROM settings WHERE town_code = ? AND key = ?`, t.code, orders.SettingOrderPrefix).Scan(&prefix)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("bench town %s: %w", t.code, err)
		}
		t.prefix = prefix.String
		if t.prefix == "" {
			t.prefix = t.code
		}
		if t.categoryVersion, err = orders.CurrentCategoryVersion(ctx, db, t.code); err != nil {
			return nil, fmt.Errorf("bench town %s: %w", t.code, err)
		}
		out[i] = t
	}
	return out, nil
}

// reserveBenchIDs takes n consecutive order ids and returns the first. SQLite: the ids after the
// highest one (inserting them moves AUTOINCREMENT's mark); PostgreSQL: the identity sequence
// moved on by n at once (the bench database has no other writer while it is generated).
func reserveBenchIDs(ctx context.Context, db *store.DB, n int) (int64, error) {
	var last int64
	if db.Dialect() == store.Postgres {
		var first int64
		if err := db.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('orders', 'id'))`).Scan(&first); err != nil {
			return 0, fmt.Errorf("reserve order ids: %w", err)
		}
		if _, err := db.Exec(ctx, `SELECT setval(pg_get_serial_sequence('orders', 'id'), ?)`, first+int64(n)-1); err != nil {
			return 0, fmt.Errorf("reserve order ids: %w", err)
		}
		return first, nil
	}
	if err := db.QueryRow(ctx, `SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'orders'), 0),
		COALESCE((SELECT MAX(id) FROM orders), 0))`).Scan(&last); err != nil {
		return 0, fmt.Errorf("reserve order ids: %w", err)
	}
	return last + 1, nil
}

// benchGen lives the orders, batch after batch, on its own goroutine.
type benchGen struct {
	o       BenchOptions
	worlds  []*world.World
	towns   []benchTown
	cal     *workcal.Calendar
	nextID  int64
	written time.Time // the import's time: the receive events' and untouched orders' stamp, as BulkCreate writes it
	pg      bool
	ratings map[ratingKey]int64
	db      *store.DB
}

// indexSearch gives SQLite's search index the texts of a batch, on the generator's goroutine
// while the writer writes (folding and splitting the texts is as much work as writing them).
// The batch's ids are consecutive and follow the previous batch's, so orders.IndexOrderTexts
// takes them directly; when it cannot (the demo's orders not indexed yet), it reads what is
// missing from the committed orders, and civicgrid bench pages' IndexSearch after the
// generation finds the rest.
func (g *benchGen) indexSearch(ctx context.Context, batch []world.DemoOrder, rows *benchRows) error {
	if g.pg {
		return nil
	}
	width := len(benchOrderCols)
	vals := rows.vals[tOrders]
	texts := make([]orders.OrderText, 0, len(batch))
	for k := 0; k+width <= len(vals); k += width {
		texts = append(texts, orders.OrderText{ID: vals[k].(int64), Town: vals[k+1].(string), Content: vals[k+8].(string), Address: vals[k+9].(string)})
	}
	slices.SortFunc(texts, func(a, b orders.OrderText) int { return cmp.Compare(a.ID, b.ID) })
	if err := orders.IndexOrderTexts(ctx, g.db, texts); err != nil {
		return fmt.Errorf("bench search index: %w", err)
	}
	return nil
}

// run sends the rows of every batch to out, in the order the generator always took.
func (g *benchGen) run(ctx context.Context, out chan<- *benchRows) error {
	o := g.o
	// 新泾镇 is the larger town: twice the share of each other town.
	weights := make([]float64, len(g.worlds))
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
	g.ratings = map[ratingKey]int64{}
	rng := rand.New(rand.NewPCG(uint64(o.Seed), 17))
	for ti, w := range g.worlds {
		sim := newLifeSim(w, g.cal, o.Now, rng)
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
					rows := g.batch(sim, g.towns[ti], batch, b, k > 0)
					if err := g.indexSearch(ctx, batch, rows); err != nil {
						return err
					}
					select {
					case out <- rows:
					case <-ctx.Done():
						return ctx.Err()
					}
				}
			}
		}
	}
	return nil
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
