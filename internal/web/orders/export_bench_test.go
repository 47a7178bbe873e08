package orders_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/cputime"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/web"
)

// exportBenchOrders is how many orders BenchmarkOrderExport generates (docs/BENCHMARKS.md).
const exportBenchOrders = 200_000

// BenchmarkOrderExport exports the town's whole list (200,000 generated orders on SQLite) and a
// tenth of it, as xlsx and as CSV, through HTTP as the dispatcher (callers whole: every row goes
// through the privacy viewer and the audit log), and reports rows/s and the peak Go heap while
// the export runs (runtime.ReadMemStats every 5 ms) against the heap before it, and rows per
// second of the process's CPU time (cputime; the machine may be shared): if the export
// held its rows, the peak would grow tenfold from the tenth to the whole. Run it once:
//
//	go test ./internal/web/orders -run '^$' -bench OrderExport -benchtime 1x
func BenchmarkOrderExport(b *testing.B) {
	ctx := context.Background()
	db := testdb.SQLite(b)
	if err := demo.World(ctx, db, b.TempDir()); err != nil {
		b.Fatal(err)
	}
	start := time.Now().Add(-365 * 24 * time.Hour).Truncate(time.Hour)
	step := 365 * 24 * time.Hour / exportBenchOrders
	generateOrders(b, db, start, step)
	b.Logf("generated %d orders in %s", exportBenchOrders, time.Since(start.Add(365*24*time.Hour)).Round(time.Millisecond))
	s, err := web.New(web.Config{DB: db, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	b.Cleanup(srv.Close)
	u, err := auth.UserByUsername(ctx, db, "dispatcher")
	if err != nil {
		b.Fatal(err)
	}
	tok, err := auth.CreateToken(ctx, db, u.ID, "bench")
	if err != nil {
		b.Fatal(err)
	}
	tenth := start.Add(time.Duration(exportBenchOrders*9/10) * step).Format(time.RFC3339)
	for _, size := range []struct {
		name, query string
		rows        int
	}{{"tenth", "from=" + url.QueryEscape(tenth), exportBenchOrders / 10}, {"all", "", exportBenchOrders}} {
		for _, format := range []string{"xlsx", "csv"} {
			b.Run(fmt.Sprintf("%s/%s", format, size.name), func(b *testing.B) {
				for b.Loop() {
					runtime.GC()
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					base := ms.HeapAlloc
					var peak atomic.Uint64
					stop := make(chan struct{})
					var wg sync.WaitGroup
					wg.Go(func() {
						t := time.NewTicker(5 * time.Millisecond)
						defer t.Stop()
						for {
							var m runtime.MemStats
							runtime.ReadMemStats(&m)
							if m.HeapAlloc > peak.Load() {
								peak.Store(m.HeapAlloc)
							}
							select {
							case <-stop:
								return
							case <-t.C:
							}
						}
					})
					began, cpu := time.Now(), cputime.Now()
					req, _ := http.NewRequest("GET", srv.URL+"/api/v1/orders/export?format="+format+"&"+size.query, nil)
					req.Header.Set("Authorization", "Bearer "+tok)
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					n, _ := io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					took, cpuTook := time.Since(began), cputime.Now()-cpu
					close(stop)
					wg.Wait()
					if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Export-Rows") != fmt.Sprint(size.rows) {
						b.Fatalf("export = %d, %s rows", resp.StatusCode, resp.Header.Get("X-Export-Rows"))
					}
					b.ReportMetric(float64(size.rows)/took.Seconds(), "rows/s")
					// The process's CPU time (server and client: one process) per row, inverted: what
					// a free core would do on this shared machine.
					b.ReportMetric(float64(size.rows)/cpuTook.Seconds(), "rows/cpu-s")
					b.ReportMetric(float64(base)/(1<<20), "base-heap-MiB")
					b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
					b.ReportMetric(float64(n)/(1<<20), "file-MiB")
				}
			})
		}
	}
}

// generateOrders writes exportBenchOrders orders of the demo town, received step apart from
// start, in batches through the importer's BulkCreate.
func generateOrders(b *testing.B, db *store.DB, start time.Time, step time.Duration) {
	ctx := context.Background()
	var grid, category string
	if err := db.QueryRow(ctx, `SELECT code FROM grids WHERE town_code = ? ORDER BY code LIMIT 1`, world.XinjingCode).Scan(&grid); err != nil {
		b.Fatal(err)
	}
	// A leaf category when the town has its tree loaded; none otherwise.
	_ = db.QueryRow(ctx, `SELECT code FROM categories c WHERE town_code = ? AND NOT EXISTS
		(SELECT 1 FROM categories k WHERE k.town_code = c.town_code AND k.parent_code = c.code) ORDER BY code LIMIT 1`,
		world.XinjingCode).Scan(&category)
	s := orders.New(db)
	const batch = 2000
	for i := 0; i < exportBenchOrders; i += batch {
		ns := make([]orders.NewOrder, batch)
		for j := range ns {
			k := i + j
			ns[j] = orders.NewOrder{TownCode: world.XinjingCode, Channel: orders.ChannelHotline, ExternalID: fmt.Sprintf("B%08d", k),
				Content: fmt.Sprintf("第%d号：仙霞西路%d弄楼道堆放杂物影响通行，电话13812345678，请尽快处理", k, k%900),
				Address: fmt.Sprintf("仙霞西路%d弄%d号%d室", k%900, k%60, 100+k%600), Grid: grid, Category: category,
				CallerName: "王建国", CallerPhone: "13812345678", ReceivedAt: start.Add(time.Duration(k) * step),
				ActorName: "热线导入", ActorRole: "dispatcher"}
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := s.BulkCreate(ctx, tx, ns)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
}
