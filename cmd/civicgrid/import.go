package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/intake"
	"github.com/civicgrid/civicgrid/internal/intake/hotline"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/store"
)

// stderr is where the progress bar goes; tests leave it alone because it is no terminal.
var stderr io.Writer = os.Stderr

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func runImportHotline(ctx context.Context, args []string, out io.Writer) error {
	var d dbFlags
	fs := newFlagSet("import hotline", "import a 12345 hotline export as work orders",
		"import hotline FILE [--town CODE] [--encoding auto|utf8|gb18030] [--json] [--errors report.xlsx] [--data DIR] [--db URL]", out)
	d.register(fs)
	town := fs.String("town", "", "town code (街镇, the tenant); may be left out when the database has one town only")
	encName := fs.String("encoding", "auto", "CSV encoding: auto, utf8 or gb18030")
	asJSON := fs.Bool("json", false, "print the summary as one JSON object")
	errorsPath := fs.String("errors", "", "write the rejected rows' problems to this xlsx file (行号 / 列 / 原因)")
	batch := fs.Int("batch", intake.DefaultBatch, "rows per transaction (a kill loses at most one batch, which a re-run re-does)")
	// The file may come before or after the flags.
	file, err := parseFileAndFlags(fs, args)
	if err != nil {
		return err
	}
	if file == "" {
		return errors.New("no file given: civicgrid import hotline FILE.xlsx|FILE.csv")
	}
	enc, err := hotline.ParseEncoding(*encName)
	if err != nil {
		return err
	}
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("cannot read %s: %w", file, err)
	}
	db, err := openDB(ctx, d, out)
	if err != nil {
		return err
	}
	defer db.Close()
	if *town == "" {
		towns, err := places.TenantTowns(ctx, db, nil)
		if err != nil {
			return err
		}
		if len(towns) != 1 {
			codes := make([]string, len(towns))
			for i, t := range towns {
				codes[i] = t.Code + " " + t.Name
			}
			return fmt.Errorf("--town is required: the database has %d towns (%s)", len(towns), strings.Join(codes, ", "))
		}
		*town = towns[0].Code
	}
	o := intake.ImportOptions{Town: *town, Path: file, Encoding: enc, BatchSize: *batch,
		Actor: orders.ActorInfo{Name: "热线导入（命令行）"}}
	if isTerminal(stderr) && !*asJSON {
		var bar *progressbar.ProgressBar
		o.Progress = func(done, total int64) {
			if bar == nil {
				if total < 0 {
					bar = progressbar.Default(-1, "导入 rows")
				} else {
					bar = progressbar.DefaultBytes(total, "导入 import")
				}
			}
			_ = bar.Set64(done)
		}
		defer func() {
			if bar != nil {
				_ = bar.Finish()
				fmt.Fprintln(stderr)
			}
		}()
	}
	var report *os.File
	if *errorsPath != "" {
		if report, err = os.Create(*errorsPath); err != nil {
			return err
		}
		defer report.Close()
		o.ErrorsTo = report
	}
	sum, err := intake.Import(ctx, db, o)
	if err != nil {
		return err
	}
	if report != nil {
		if err := report.Close(); err != nil {
			return err
		}
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(sum)
	}
	for i, e := range sum.Errors {
		if i == 20 {
			fmt.Fprintf(out, "… %d more problems (--errors report.xlsx lists them all)\n", len(sum.Errors)-i)
			break
		}
		fmt.Fprintln(out, e.Error())
	}
	if sum.ResumedFrom > 0 {
		fmt.Fprintf(out, "resumed after row %d (续导)\n", sum.ResumedFrom)
	}
	fmt.Fprintf(out, "rows %d: created %d, updated %d, unchanged %d, rejected %d, unlocated %d (待定位) in %.1f s\n",
		sum.Rows, sum.Created, sum.Updated, sum.Unchanged, sum.Rejected, sum.Unlocated, sum.Seconds)
	return nil
}

// benchResult is one database's figures.
type benchResult struct {
	Database     string  `json:"database"`
	Rows         int     `json:"rows"`
	FileMB       float64 `json:"file_mb"`
	ImportSec    float64 `json:"import_seconds"`
	ImportRate   float64 `json:"import_rows_per_s"`
	BaselineSec  float64 `json:"baseline_seconds"`
	BaselineRate float64 `json:"baseline_rows_per_s"`
	Ratio        float64 `json:"import_to_baseline"`
	// Baseline says how the yardstick wrote: "copy" (PostgreSQL's COPY) or "insert" (SQLite's
	// multi-row INSERTs).
	Baseline string `json:"baseline"`
	// With --indexed (PostgreSQL): the same orders copied by the server into a table with the
	// orders table's indexes — the floor index upkeep puts under the import.
	IndexedSec   float64 `json:"indexed_seconds,omitempty"`
	IndexedRate  float64 `json:"indexed_rows_per_s,omitempty"`
	IndexedRatio float64 `json:"import_to_indexed,omitempty"`
	PeakHeapMB   float64 `json:"peak_heap_inuse_mb"`
	VmHWMMB      float64 `json:"vmhwm_mb"`
	Created      int     `json:"created"`
	Unlocated    int     `json:"unlocated"`
	// Where the import's time went, in seconds (see intake.Stages).
	WritingSec     float64       `json:"writing_seconds"`
	WaitReaderSec  float64       `json:"wait_reader_seconds"`
	WaitIndexerSec float64       `json:"wait_indexer_seconds"`
	IndexTailSec   float64       `json:"index_tail_seconds"`
	Searches       []benchSearch `json:"searches"`
}

// benchSearch is one search of the imported orders: the orders list's query (count and first
// page, through the search index) against a scan of the same text with LIKE, median of five.
type benchSearch struct {
	Query   string  `json:"query"`
	Matches int     `json:"matches"`
	IndexMS float64 `json:"index_ms"`
	ScanMS  float64 `json:"scan_ms"`
}

// benchSearches are typical searches: a two-character word, a phrase, a road, two parts.
var benchSearches = []string{"噪音", "楼道堆物", "仙霞西路", "夜间 施工"}

func measureSearches(ctx context.Context, db *store.DB, town string) ([]benchSearch, error) {
	st := orders.New(db)
	median := func(f func() error) (float64, error) {
		var ds []float64
		for range 5 {
			start := time.Now()
			if err := f(); err != nil {
				return 0, err
			}
			ds = append(ds, float64(time.Since(start).Microseconds())/1000)
		}
		slices.Sort(ds)
		return ds[2], nil
	}
	var out []benchSearch
	for _, q := range benchSearches {
		r := benchSearch{Query: q}
		var err error
		if r.IndexMS, err = median(func() error {
			var e error
			r.Matches, _, e = st.List(ctx, orders.Filter{Towns: []string{town}, Query: q})
			return e
		}); err != nil {
			return nil, err
		}
		where, args := "town_code = ?", []any{town}
		for _, part := range strings.Fields(q) {
			where += ` AND (content LIKE ? OR address LIKE ?)`
			args = append(args, "%"+part+"%", "%"+part+"%")
		}
		var scanned int
		if r.ScanMS, err = median(func() error {
			return db.QueryRow(ctx, `SELECT COUNT(*) FROM orders WHERE `+where, args...).Scan(&scanned)
		}); err != nil {
			return nil, err
		}
		// A search counts up to orders.SearchCountBound: past it the scan must find more, not as many.
		if capped := r.Matches > orders.SearchCountBound; (capped && scanned <= orders.SearchCountBound) || (!capped && scanned != r.Matches) {
			return nil, fmt.Errorf("search %q: the index finds %d orders, a scan %d", q, r.Matches, scanned)
		}
		out = append(out, r)
	}
	return out, nil
}

func runBenchImport(ctx context.Context, args []string, out io.Writer) error {
	var d dbFlags
	fs := newFlagSet("bench import", "measure the hotline import", "bench import [--rows N] [--db URL] [--indexed] [--json]", out)
	d.register(fs)
	n := fs.Int("rows", 100_000, "rows to generate")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	shuffled := fs.Bool("shuffled", false, "scatter the call times over the year instead of the export's chronological order")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the import (not the baseline) to this file")
	memProfile := fs.String("memprofile", "", "write a profile of the allocations up to the end of the import (not the baseline) to this file")
	indexed := fs.Bool("indexed", false, "PostgreSQL: also time the server copying the imported orders into a table with the orders' indexes")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "civicgrid-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "hotline.csv")
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := demo.HotlineCSVOrder(f, *n, 1, !*shuffled); err != nil {
		f.Close()
		return err
	}
	st, _ := f.Stat()
	f.Close()

	// A fresh database: SQLite in the temporary directory, or a new schema of the PostgreSQL
	// database given, dropped at the end.
	var db *store.DB
	name := "sqlite"
	if d.db == "" {
		db, err = openDB(ctx, dbFlags{data: filepath.Join(dir, "data")}, out)
	} else {
		name = "postgres"
		var admin *store.DB
		if admin, err = store.Open(ctx, store.Options{URL: d.db}); err != nil {
			return err
		}
		defer admin.Close()
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		schema := "cg_bench_" + hex.EncodeToString(b)
		if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
			return err
		}
		defer admin.Exec(context.WithoutCancel(ctx), "DROP SCHEMA "+schema+" CASCADE")
		u, perr := url.Parse(d.db)
		if perr != nil {
			return perr
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		db, err = openDB(ctx, dbFlags{db: u.String()}, out)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := demo.Load(ctx, db, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		return err
	}

	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var m runtime.MemStats
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	start := time.Now()
	var stages intake.Stages
	sum, err := intake.Import(ctx, db, intake.ImportOptions{Town: "310105102", Path: path, Actor: orders.ActorInfo{Name: "bench"}, Stages: &stages})
	stopProfile()
	if *memProfile != "" {
		if err := writeAllocProfile(*memProfile); err != nil {
			return err
		}
	}
	close(stop)
	if err != nil {
		return err
	}
	importSec := time.Since(start).Seconds()
	searches, err := measureSearches(ctx, db, "310105102")
	if err != nil {
		return err
	}
	start = time.Now()
	base, err := intake.BaselineInsert(ctx, db, path, hotline.Auto, intake.DefaultBatch)
	if err != nil {
		return err
	}
	baseSec := time.Since(start).Seconds()
	_, _ = db.Exec(ctx, `DROP TABLE bench_plain_orders`)
	var indexedSec float64
	indexedRows := 0
	if *indexed && db.Dialect() == store.Postgres {
		start = time.Now()
		if indexedRows, err = intake.IndexedCopy(ctx, db, "310105102", intake.DefaultBatch); err != nil {
			return err
		}
		indexedSec = time.Since(start).Seconds()
	}
	r := benchResult{Database: name, Rows: *n, FileMB: float64(st.Size()) / 1e6, ImportSec: importSec,
		ImportRate: float64(*n) / importSec, BaselineSec: baseSec, BaselineRate: float64(base) / baseSec,
		PeakHeapMB: float64(peak.Load()) / 1e6, VmHWMMB: vmHWM(), Created: sum.Created, Unlocated: sum.Unlocated, Searches: searches,
		WritingSec: stages.Writing.Seconds(), WaitReaderSec: stages.WaitReader.Seconds(), WaitIndexerSec: stages.WaitIndexer.Seconds(),
		IndexTailSec: stages.IndexTail.Seconds()}
	r.Ratio = r.ImportRate / r.BaselineRate
	baseName := "bare insert"
	r.Baseline = "insert"
	if db.Dialect() == store.Postgres {
		r.Baseline, baseName = "copy", "bare COPY"
	}
	if indexedRows > 0 {
		r.IndexedSec, r.IndexedRate = indexedSec, float64(indexedRows)/indexedSec
		r.IndexedRatio = r.ImportRate / r.IndexedRate
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(r)
	}
	fmt.Fprintf(out, "%s: %d rows (%.0f MB CSV): import %.1f s = %.0f rows/s; %s %.1f s = %.0f rows/s; ratio %.2f; "+
		"peak heap in use %.0f MB, VmHWM %.0f MB; created %d, unlocated %d\n",
		r.Database, r.Rows, r.FileMB, r.ImportSec, r.ImportRate, baseName, r.BaselineSec, r.BaselineRate, r.Ratio,
		r.PeakHeapMB, r.VmHWMMB, r.Created, r.Unlocated)
	if indexedRows > 0 {
		fmt.Fprintf(out, "  server copy into a table with the orders' indexes: %d rows in %.1f s = %.0f rows/s; import / indexed copy %.2f\n",
			indexedRows, r.IndexedSec, r.IndexedRate, r.IndexedRatio)
	}
	fmt.Fprintf(out, "  import time: writing %.1f s, waiting for the reader %.1f s, for the indexer %.1f s; index caught up %.1f s after the last batch\n",
		r.WritingSec, r.WaitReaderSec, r.WaitIndexerSec, r.IndexTailSec)
	for _, q := range r.Searches {
		fmt.Fprintf(out, "  search %q: %d orders; index %.1f ms, LIKE scan %.1f ms\n", q.Query, q.Matches, q.IndexMS, q.ScanMS)
	}
	return nil
}

// vmHWM is the process's peak resident memory in MB, from /proc (0 elsewhere).
func vmHWM() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// startCPUProfile starts a CPU profile into path ("" profiles nothing) and returns what stops it.
func startCPUProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	pf, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(pf); err != nil {
		pf.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); pf.Close() }, nil
}

// writeAllocProfile writes every allocation since the program started: the demo's and the
// generator's as well as the import's (pprof's -focus on intake.Import separates them).
func writeAllocProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
