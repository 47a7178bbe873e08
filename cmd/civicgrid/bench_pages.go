package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/web"
)

// benchUsers are the accounts the harness calls as: a town's staff in every role that reads
// orders, a resident, the city account that sees every town, and a district account whose
// scope is the first generated district's towns (长宁区's 新泾镇 with --towns 2 or less).
var benchUsers = []string{"dispatcher", "leader", "admin", "gridworker", "handler_enforcement", "resident", "shanghai", demo.BenchDistrictUser}

// benchMarker is the setting that says how many orders a database was generated with, so that a
// second run on the same data (after a fix) measures without generating again.
const benchMarker = "bench_orders"

func runBenchPages(ctx context.Context, args []string, out io.Writer) error {
	var d dbFlags
	fs := newFlagSet("bench pages", "measure every GET route at N orders",
		"bench pages [--orders N] [--db URL | --data DIR] [--towns K] [--rounds R] [--only REGEXP]", out)
	fs.StringVar(&d.db, "db", "", "PostgreSQL URL: the orders go into schema cg_bench_<N>[_t<K>] of that database, kept for the next run (--drop removes it)")
	fs.StringVar(&d.data, "data", "", "SQLite: keep the database in this directory and reuse it next time (default: a temporary one, removed)")
	n := fs.Int("orders", 10_000, "orders to generate (the demo's 480 included)")
	towns := fs.Int("towns", 2, fmt.Sprintf("towns the orders are spread over: 新泾镇 and 陆家嘴, then generated towns (10 to a generated district), at most %d", demo.MaxBenchTowns))
	years := fs.Int("years", 3, "years the orders reach back")
	rounds := fs.Int("rounds", 20, "requests per route and role (after one warm-up)")
	budget := fs.Duration("budget", 2*time.Second, "time bound per route and role: fewer rounds when a route is slow (at least 3)")
	only := fs.String("only", "", "measure only the routes whose path (with its query) matches this regular expression")
	drop := fs.Bool("drop", false, "PostgreSQL: drop the bench schema at the end")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measuring (not the generation) to this file")
	genProfile := fs.String("gen-cpuprofile", "", "write a CPU profile of the generation (and the steps after it) to this file")
	noPanelCache := fs.Bool("no-panel-cache", false, "compute the homes' KPI panels and several towns' hotspots on every call (their cold cost) instead of keeping them between calls")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *towns < 1 || *towns > demo.MaxBenchTowns {
		return fmt.Errorf("--towns: 1 to %d", demo.MaxBenchTowns)
	}
	var filter *regexp.Regexp
	if *only != "" {
		var err error
		if filter, err = regexp.Compile(*only); err != nil {
			return fmt.Errorf("--only: %w", err)
		}
	}
	db, dataDir, cleanup, err := openBenchDB(ctx, d, *n, *towns, *drop, out)
	if err != nil {
		return err
	}
	defer cleanup()
	stopGenProfile, err := startCPUProfile(*genProfile)
	if err != nil {
		return err
	}
	err = prepareBench(ctx, db, dataDir, *n, *towns, *years, out)
	stopGenProfile()
	if err != nil {
		return err
	}
	srv, err := web.New(web.Config{DB: db, Log: slog.New(slog.DiscardHandler), DataDir: dataDir, NoPanelCache: *noPanelCache})
	if err != nil {
		return err
	}
	b := &pageBench{db: db, h: srv.Handler(), rounds: *rounds, budget: *budget, tokens: map[string]string{}, users: map[string]auth.User{}}
	for _, name := range benchUsers {
		u, err := auth.UserByUsername(ctx, db, name)
		if err != nil {
			return fmt.Errorf("bench user %s: %w", name, err)
		}
		tok, err := auth.CreateToken(ctx, db, u.ID, "bench")
		if err != nil {
			return err
		}
		b.users[name], b.tokens[name] = u, tok
	}
	vars, err := benchVars(ctx, db)
	if err != nil {
		return err
	}
	cells, skipped := planCells(srv.Routes(), vars, b.users, filter)
	fmt.Fprintf(out, "measuring %d route × role cells (%d rounds each, at most %s per cell)\n", len(cells), *rounds, *budget)
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	results := b.measure(ctx, cells)
	stopProfile()
	printPageTable(out, db.Dialect().String(), *n, results, skipped)
	if filter == nil || filter.MatchString("search") {
		if err := measureSearchVsScan(ctx, db, *rounds, out); err != nil {
			return err
		}
	}
	return nil
}

// openBenchDB opens the database the bench generates into: a directory of SQLite (temporary
// unless --data) or a schema of the PostgreSQL database given.
func openBenchDB(ctx context.Context, d dbFlags, n, towns int, drop bool, out io.Writer) (*store.DB, string, func(), error) {
	if d.db == "" {
		dir := d.data
		cleanup := func() {}
		if dir == "" {
			tmp, err := os.MkdirTemp("", "civicgrid-bench-")
			if err != nil {
				return nil, "", nil, err
			}
			dir, cleanup = tmp, func() { os.RemoveAll(tmp) }
		}
		db, err := openDB(ctx, dbFlags{data: dir}, out)
		if err != nil {
			cleanup()
			return nil, "", nil, err
		}
		return db, dir, func() { db.Close(); cleanup() }, nil
	}
	admin, err := store.Open(ctx, store.Options{URL: d.db})
	if err != nil {
		return nil, "", nil, err
	}
	schema := fmt.Sprintf("cg_bench_%d", n)
	if towns != 2 {
		schema += fmt.Sprintf("_t%d", towns)
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+schema); err != nil {
		admin.Close()
		return nil, "", nil, err
	}
	u, err := url.Parse(d.db)
	if err != nil {
		admin.Close()
		return nil, "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	dir, err := os.MkdirTemp("", "civicgrid-bench-")
	if err != nil {
		admin.Close()
		return nil, "", nil, err
	}
	db, err := openDB(ctx, dbFlags{db: u.String()}, out)
	if err != nil {
		admin.Close()
		return nil, "", nil, err
	}
	return db, dir, func() {
		db.Close()
		if drop {
			_, _ = admin.Exec(context.WithoutCancel(ctx), "DROP SCHEMA "+schema+" CASCADE")
		}
		admin.Close()
		os.RemoveAll(dir)
	}, nil
}

// prepareBench loads the demo world (480 orders with true histories), the generated towns beyond
// the demo's two and the district account (demo.LoadBenchTowns), and generates the rest of the
// orders with their lives, unless a previous run did.
func prepareBench(ctx context.Context, db *store.DB, dataDir string, n, towns, years int, out io.Writer) error {
	var have int
	err := db.QueryRow(ctx, `SELECT COUNT(*) FROM settings WHERE town_code = ? AND key = ?`, world.XinjingCode, benchMarker).Scan(&have)
	if err != nil {
		return err
	}
	if have > 0 {
		fmt.Fprintf(out, "reusing the %d orders generated before\n", n)
		// A database generated before the district account existed gets it.
		if err := demo.LoadBenchTowns(ctx, db, towns, nil); err != nil {
			return err
		}
		// SQLite's search index file is rebuilt when this binary writes another terms format
		// (orders.searchFormat): measured before it is complete, searches would scan the text
		// of every order it has not reached.
		start := time.Now()
		indexed, err := orders.IndexSearch(ctx, db)
		if indexed > 0 {
			fmt.Fprintf(out, "search index: %d orders indexed in %.1f s\n", indexed, time.Since(start).Seconds())
		}
		return err
	}
	start := time.Now()
	if _, err := demo.Load(ctx, db, slog.New(slog.DiscardHandler), demoExtras(dataDir)...); err != nil {
		return err
	}
	if err := demo.LoadBenchTowns(ctx, db, towns, nil); err != nil {
		return err
	}
	var demoOrders int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM orders`).Scan(&demoOrders); err != nil {
		return err
	}
	loadSec := time.Since(start).Seconds()
	genStart, last := time.Now(), time.Now()
	progress := func(done, total int) {
		if time.Since(last) < 2*time.Second && done < total {
			return
		}
		last = time.Now()
		el := time.Since(genStart).Seconds()
		fmt.Fprintf(stderr, "\rgenerating: %d / %d orders (%.0f%%) in %.0f s, %.0f orders/s   ", done, total, 100*float64(done)/float64(max(1, total)),
			el, float64(done)/max(el, 0.001))
		if done >= total {
			fmt.Fprintln(stderr)
		}
	}
	var (
		mu    sync.Mutex
		steps []string
	)
	stepDone := func(name string, took time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		line := fmt.Sprintf("%s %.1f s", name, took.Seconds())
		fmt.Fprintf(stderr, "\r%-70s\n", "  "+line)
		if !strings.HasPrefix(name, "index ") {
			steps = append(steps, line)
		}
	}
	gen := demo.BenchOptions{Orders: max(0, n-demoOrders), Years: years, Seed: 17, Now: time.Now(), Progress: progress, Towns: towns, Step: stepDone,
		// The generator writes its orders with its own SQL, past the upkeep of the KPI figures
		// kept per day: they are built once from the orders (on PostgreSQL while the indexes are).
		AfterWrite: func(ctx context.Context) error {
			start := time.Now()
			_, err := rebuildKPIDaily(ctx, db, "")
			stepDone("kpi_daily rebuild", time.Since(start))
			return err
		}}
	if err := demo.GenerateBenchOrders(ctx, db, gen); err != nil {
		return err
	}
	genSec := time.Since(genStart).Seconds()
	step := time.Now()
	if _, err := orders.IndexSearch(ctx, db); err != nil {
		return err
	}
	stepDone("search index", time.Since(step))
	step = time.Now()
	analyze, label := `ANALYZE main`, "analyze"
	if db.Dialect() == store.Postgres {
		// The bench schema's tables only: a bare VACUUM takes every schema of the database,
		// another bench's too (376 s instead of seconds at 10^4 beside a 10^6 schema).
		tables, err := store.Collect(ctx, db, func(rows *sql.Rows) (t string, err error) { return t, rows.Scan(&t) },
			`SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`)
		if err != nil {
			return err
		}
		analyze, label = `VACUUM (ANALYZE) `+strings.Join(tables, ", "), "vacuum analyze"
	}
	if _, err := db.Exec(ctx, analyze); err != nil {
		return err
	}
	stepDone(label, time.Since(step))
	if _, err := db.Exec(ctx, `INSERT INTO settings (town_code, key, value) VALUES (?, ?, ?)`, world.XinjingCode, benchMarker, fmt.Sprint(n)); err != nil {
		return err
	}
	fmt.Fprintf(out, "loaded the demo and %d towns in %.0f s; generated %d orders in %.0f s, %.0f orders/s (indexes, ratings and kpi_daily included); then %s; %.0f s in all\n",
		towns, loadSec, gen.Orders, genSec, float64(gen.Orders)/max(genSec, 0.001), strings.Join(steps, ", "), time.Since(start).Seconds())
	return nil
}

// benchVars are the values of path parameters, by the path segment before them: a real order
// (from the middle of the generated ones), a user, a grid, a campaign and its target, a photo.
func benchVars(ctx context.Context, db *store.DB) (map[string]string, error) {
	queries := map[string]string{
		"orders/{id}": `SELECT MIN(id) FROM orders WHERE town_code = '` + world.XinjingCode + `' AND id >= (SELECT (MIN(id) + MAX(id)) / 2 FROM orders
			WHERE town_code = '` + world.XinjingCode + `')`, // the middle of 新泾镇's: with more towns, the last ids are theirs
		"reports/{id}":       `SELECT id FROM orders WHERE raised_by = (SELECT id FROM users WHERE username = 'resident') ORDER BY id LIMIT 1`,
		"users/{id}":         `SELECT id FROM users WHERE username = 'dispatcher'`,
		"grids/{id}":         `SELECT code FROM grids WHERE town_code = '` + world.XinjingCode + `' ORDER BY code LIMIT 1`,
		"grids/{code}":       `SELECT code FROM grids WHERE town_code = '` + world.XinjingCode + `' ORDER BY code LIMIT 1`,
		"campaigns/{id}":     `SELECT id FROM campaigns WHERE town_code = '` + world.XinjingCode + `' ORDER BY id LIMIT 1`,
		"targets/{tid}":      `SELECT id FROM campaign_targets WHERE campaign_id = (SELECT MIN(id) FROM campaigns WHERE town_code = '` + world.XinjingCode + `') ORDER BY id LIMIT 1`,
		"uploads/{id}":       `SELECT id FROM uploads WHERE town_code = '` + world.XinjingCode + `' ORDER BY id LIMIT 1`,
		"categories/{code}":  `SELECT code FROM categories WHERE town_code = '` + world.XinjingCode + `' ORDER BY code LIMIT 1`,
		"departments/{code}": `SELECT code FROM departments WHERE town_code = '` + world.XinjingCode + `' ORDER BY code LIMIT 1`,
		"category/{code}":    `SELECT code FROM categories WHERE town_code = '` + world.XinjingCode + `' ORDER BY code LIMIT 1`,
	}
	out := map[string]string{}
	for k, q := range queries {
		if q == "" {
			continue
		}
		var v string
		if err := db.QueryRow(ctx, q).Scan(&v); err == nil {
			out[k] = v
		}
	}
	// Filters people combine: a busy grid and category of 新泾镇, and a road name.
	var grid, cat string
	if err := db.QueryRow(ctx, `SELECT grid_code, category_code FROM orders WHERE town_code = ? AND grid_code IS NOT NULL
		GROUP BY grid_code, category_code ORDER BY COUNT(*) DESC LIMIT 1`, world.XinjingCode).Scan(&grid, &cat); err != nil {
		return nil, fmt.Errorf("busiest grid: %w", err)
	}
	out["grid"], out["category"] = grid, cat
	// The handler's department, whose queues filter by it (lead or co-handling).
	var dep string
	if err := db.QueryRow(ctx, `SELECT department_code FROM users WHERE username = ?`, benchUsers[4]).Scan(&dep); err != nil {
		return nil, fmt.Errorf("handler's department: %w", err)
	}
	out["department"] = dep
	return out, nil
}

// benchVariants are extra queries of a route, the filters and pages people use; the route itself
// (without a query) is measured too, except where noted.
var benchVariants = map[string][]string{
	"/orders": {"?state=received", "?sort=-received_at", "?grid={grid}&category={category}", "?overdue=true", "?q=噪音",
		"?q=仙霞西路", "?sort=-received_at&offset=5000",
		// the handler's queues (web/orders.Queues): its department's orders, lead or co-handling
		"?department={department}", "?state=dispatched&department={department}", "?state=in_progress&department={department}",
		"?overdue=true&department={department}"},
	"/api/v1/orders": {"?limit=50", "?grid={grid}&category={category}", "?overdue=1", "?warning=1", "?q=噪音", "?q=仙霞西路",
		"?offset=500000", "?state=closed", "?department={department}"},
	"/api/v1/orders/export": {"?state=received&format=csv"},
	"/orders/export":        {"?state=received&format=csv"},
}

// benchCell is one route called as one user.
type benchCell struct {
	Route, URL, User string
	export           bool
}

// planCells turns the route table into cells: each GET route (path parameters filled from vars,
// with its variants) for each bench user whose role may call it. Routes whose parameters cannot
// be filled are returned as skipped.
func planCells(routes []web.Route, vars map[string]string, users map[string]auth.User, filter *regexp.Regexp) ([]benchCell, []string) {
	var cells []benchCell
	var skipped []string
	param := regexp.MustCompile(`([^/]+)/(\{[^}]+\})`)
	for _, r := range routes {
		if r.Method != "GET" {
			continue
		}
		path := strings.ReplaceAll(r.Path, "{$}", "")
		missing := ""
		path = param.ReplaceAllStringFunc(path, func(m string) string {
			sub := param.FindStringSubmatch(m)
			if v, ok := vars[sub[1]+"/"+sub[2]]; ok {
				return sub[1] + "/" + url.PathEscape(v)
			}
			missing = sub[1] + "/" + sub[2]
			return m
		})
		if strings.Contains(path, "{") {
			skipped = append(skipped, fmt.Sprintf("%s (no value for %s)", r.Path, missing))
			continue
		}
		if path == "/static/" {
			path = "/static/app.css"
		}
		urls := []string{path}
		if path == "/orders" || strings.HasSuffix(path, "/export") {
			// The bare orders page redirects to the role's first queue (a variant); a bare export
			// is the whole archive, measured by its variant's first byte instead.
			urls = nil
		}
		for _, v := range benchVariants[r.Path] {
			for k, x := range vars {
				v = strings.ReplaceAll(v, "{"+k+"}", url.QueryEscape(x))
			}
			urls = append(urls, path+v)
		}
		for _, u := range urls {
			if filter != nil && !filter.MatchString(u) {
				continue
			}
			export := strings.Contains(u, "export")
			for _, name := range benchUsers {
				user := users[name]
				switch r.Perm {
				case web.PermPublic, web.PermOwnCheck, "metrics token or loopback":
					if name != "dispatcher" {
						continue // the same for everyone: measured once
					}
				case web.PermSignedIn:
				default:
					if !user.Can(r.Perm) {
						continue
					}
				}
				cells = append(cells, benchCell{Route: r.Path, URL: u, User: name, export: export})
			}
		}
	}
	return cells, skipped
}

type pageBench struct {
	db     *store.DB
	h      http.Handler
	rounds int
	budget time.Duration
	tokens map[string]string
	users  map[string]auth.User
}

// pageResult is one cell's figures.
type pageResult struct {
	benchCell
	Status        int
	N             int
	P50, P95, P99 time.Duration
}

// firstByte records when a response's first byte was written and, for exports, cancels the rest.
type firstByte struct {
	header http.Header
	status int
	at     time.Time
	cancel func()
}

func (f *firstByte) Header() http.Header { return f.header }
func (f *firstByte) WriteHeader(code int) {
	if f.status == 0 {
		f.status = code
	}
}
func (f *firstByte) Write(p []byte) (int, error) {
	if f.status == 0 {
		f.status = http.StatusOK
	}
	if f.at.IsZero() {
		f.at = time.Now()
		if f.cancel != nil {
			f.cancel()
		}
	}
	return len(p), nil
}

func (b *pageBench) once(ctx context.Context, c benchCell) (int, time.Duration) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req := httptest.NewRequestWithContext(ctx, "GET", c.URL, nil)
	req.RemoteAddr = "127.0.0.1:40000"
	req.Header.Set("Authorization", "Bearer "+b.tokens[c.User])
	req.Header.Set("Accept-Language", "zh-CN")
	w := &firstByte{header: http.Header{}}
	if c.export {
		w.cancel = cancel // exports: the time to the first byte
	}
	start := time.Now()
	b.h.ServeHTTP(w, req)
	end := time.Now()
	if c.export && !w.at.IsZero() {
		end = w.at
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.status, end.Sub(start)
}

func (b *pageBench) measure(ctx context.Context, cells []benchCell) []pageResult {
	out := make([]pageResult, 0, len(cells))
	for i, c := range cells {
		if ctx.Err() != nil {
			break
		}
		status, warm := b.once(ctx, c) // warm-up
		var ds []time.Duration
		if warm > b.budget {
			ds = append(ds, warm) // too slow to repeat: the one call is the figure
		}
		start := time.Now()
		for len(ds) < b.rounds && (len(ds) < 3 || time.Since(start) < b.budget) && time.Since(start) < 3*b.budget {
			_, d := b.once(ctx, c)
			ds = append(ds, d)
		}
		slices.Sort(ds)
		r := pageResult{benchCell: c, Status: status, N: len(ds), P50: pct(ds, 50), P95: pct(ds, 95), P99: pct(ds, 99)}
		out = append(out, r)
		fmt.Fprintf(stderr, "\r%d / %d cells measured   ", i+1, len(cells))
	}
	fmt.Fprintln(stderr)
	return out
}

// pct is the p-th percentile of sorted ds (nearest rank).
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := (p*len(ds)+99)/100 - 1
	return ds[min(max(i, 0), len(ds)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }

func printPageTable(out io.Writer, dialect string, n int, results []pageResult, skipped []string) {
	fmt.Fprintf(out, "\n## %s, %d orders\n\n| route | role | status | n | p50 ms | p95 ms | p99 ms |\n| --- | --- | --- | --- | --- | --- | --- |\n", dialect, n)
	for _, r := range results {
		fmt.Fprintf(out, "| `%s` | %s | %d | %d | %s | %s | %s |\n", r.URL, r.User, r.Status, r.N, ms(r.P50), ms(r.P95), ms(r.P99))
	}
	byP95 := slices.Clone(results)
	sort.SliceStable(byP95, func(i, j int) bool { return byP95[i].P95 > byP95[j].P95 })
	fmt.Fprintf(out, "\nslowest (p95):\n")
	for _, r := range byP95[:min(12, len(byP95))] {
		fmt.Fprintf(out, "  %8s ms  %-60s %s\n", ms(r.P95), r.URL, r.User)
	}
	worst := map[bool]time.Duration{}
	for _, r := range results {
		city := r.User == "shanghai"
		worst[city] = max(worst[city], r.P95)
	}
	fmt.Fprintf(out, "worst p95: town accounts %s ms, city account %s ms\n", ms(worst[false]), ms(worst[true]))
	for _, s := range skipped {
		fmt.Fprintf(out, "skipped: %s\n", s)
	}
}

// benchSearch measures the order list's search (count and first page, as /orders runs it) against
// a LIKE scan of the same words over the town's orders, in the same run.
func measureSearchVsScan(ctx context.Context, db *store.DB, rounds int, out io.Writer) error {
	st := orders.New(db)
	fmt.Fprintf(out, "\n| search (新泾镇) | shown count | list p50 ms | list p95 ms | LIKE scan matches | LIKE p50 ms | LIKE p95 ms |\n| --- | --- | --- | --- | --- | --- | --- |\n")
	for _, q := range benchSearches {
		var shown int
		var list, scan []time.Duration
		for range rounds {
			start := time.Now()
			var err error
			if shown, _, err = st.List(ctx, orders.Filter{Towns: []string{world.XinjingCode}, Query: q}); err != nil {
				return err
			}
			list = append(list, time.Since(start))
		}
		where, args := "town_code = ?", []any{world.XinjingCode}
		for _, part := range strings.Fields(q) {
			where += ` AND (content LIKE ? OR address LIKE ?)`
			args = append(args, "%"+part+"%", "%"+part+"%")
		}
		var scanned int
		for range max(3, rounds/4) {
			start := time.Now()
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM orders WHERE `+where, args...).Scan(&scanned); err != nil {
				return err
			}
			scan = append(scan, time.Since(start))
		}
		slices.Sort(list)
		slices.Sort(scan)
		fmt.Fprintf(out, "| %s | %d | %s | %s | %d | %s | %s |\n", q, shown, ms(pct(list, 50)), ms(pct(list, 95)), scanned, ms(pct(scan, 50)), ms(pct(scan, 95)))
	}
	return nil
}
