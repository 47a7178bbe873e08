package intake_test

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/intake"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// BenchmarkImport imports 50,000 generated rows (demo address book, half with coordinates) into a
// fresh demo database per iteration, on SQLite and, when configured, PostgreSQL. `civicgrid bench
// import --rows N` runs the same at larger N and compares with a bare bulk insert.
func BenchmarkImport(b *testing.B) {
	const n = 50_000
	path := filepath.Join(b.TempDir(), "bench.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := demo.HotlineCSV(f, n, 7); err != nil {
		b.Fatal(err)
	}
	f.Close()
	for _, dbName := range []string{"sqlite", "postgres"} {
		b.Run(dbName, func(b *testing.B) {
			rows := 0
			for b.Loop() {
				b.StopTimer()
				var db *store.DB
				if dbName == "sqlite" {
					db = testdb.SQLite(b)
				} else {
					db = testdb.Postgres(b)
				}
				if _, err := demo.Load(ctx, db, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				sum, err := intake.Import(ctx, db, intake.ImportOptions{Town: "310105102", Path: path})
				if err != nil {
					b.Fatal(err)
				}
				rows += sum.Created
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
