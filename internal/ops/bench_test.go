package ops_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/ops"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// BenchmarkOpsQueries times the live map's queries on a town with a year of orders
// (CIVICGRID_OPS_BENCH_ORDERS, default 1,000,000; CIVICGRID_OPS_BENCH_DB=postgres for PostgreSQL):
// received evenly over 365 days, 8 grids, 20 categories, a third of the last month's still open,
// the rest closed or rated. The baseline ("naive") is the same figures as one scan of the town's
// orders, what a dashboard without the period bound does.
//
//	go test ./internal/ops -run '^$' -bench OpsQueries -benchtime 20x -timeout 30m
func BenchmarkOpsQueries(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("CIVICGRID_OPS_BENCH_ORDERS")); err == nil && v > 0 {
		n = v
	}
	var db *store.DB
	if os.Getenv("CIVICGRID_OPS_BENCH_DB") == "postgres" {
		db = testdb.Postgres(b)
	} else {
		db = testdb.SQLite(b)
	}
	ctx := context.Background()
	if err := demo.World(ctx, db, b.TempDir()); err != nil {
		b.Fatal(err)
	}
	town := world.XinjingCode
	now := time.Now()
	start := time.Now()
	_, err := db.Exec(ctx, `WITH RECURSIVE g(code, k) AS (SELECT code, ROW_NUMBER() OVER (ORDER BY code) - 1 FROM grids WHERE town_code = ?),
		s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
		INSERT INTO orders (town_code, number, short_code, state, channel, content, lat, lng, grid_code, category_code,
			received_at, deadline_at, updated_at, satisfaction)
		SELECT ?, 'B' || i, 'b' || i,
			CASE WHEN i <= ? AND i % 3 = 0 THEN 'dispatched' WHEN i % 3 = 1 THEN 'rated' ELSE 'closed' END,
			'phone', 'x', 31.2 + (i % 997) * 0.00005, 121.36 + (i % 991) * 0.00005, g.code, 'c' || (i % 20),
			? - i * ?, ? - i * ? + 432000000, ?, CASE WHEN i % 3 = 1 THEN (CASE WHEN i % 10 = 1 THEN 'dissatisfied' ELSE 'satisfied' END) ELSE '' END
		FROM s JOIN g ON g.k = i % 8`,
		town, n, town, n/12, now.UnixMilli(), int64(365*24*3600*1000)/int64(n), now.UnixMilli(), int64(365*24*3600*1000)/int64(n), now.UnixMilli())
	if err != nil {
		b.Fatal(err)
	}
	if db.Dialect() == store.Postgres {
		_, err = db.Exec(ctx, `ANALYZE orders`)
	} else {
		_, err = db.Exec(ctx, `ANALYZE main`)
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d orders generated in %s (%s)", n, time.Since(start).Round(time.Millisecond), db.Dialect())
	towns := []string{town}
	q := func(days int) ops.Query { return ops.Query{Towns: towns, Days: days, Now: now} }
	b.ResetTimer()
	b.Run("figures", func(b *testing.B) {
		for b.Loop() {
			if _, err := ops.LoadFigures(ctx, db, towns, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("points-open-7d", func(b *testing.B) {
		for b.Loop() {
			qq := q(7)
			qq.OpenOnly = true
			if _, err := ops.LoadPoints(ctx, db, qq); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("points-all-90d", func(b *testing.B) {
		for b.Loop() {
			if _, err := ops.LoadPoints(ctx, db, q(90)); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, days := range []int{7, 90} {
		b.Run("heat-"+strconv.Itoa(days)+"d", func(b *testing.B) {
			for b.Loop() {
				if _, err := ops.Heat(ctx, db, q(days)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("naive-town-scan", func(b *testing.B) {
		for b.Loop() {
			rows, err := db.Query(ctx, `SELECT grid_code, state, COUNT(*), SUM(CASE WHEN deadline_at < ? THEN 1 ELSE 0 END),
				SUM(CASE WHEN received_at >= ? THEN 1 ELSE 0 END), SUM(CASE WHEN satisfaction IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END)
				FROM orders WHERE town_code = ? GROUP BY grid_code, state`, now.UnixMilli(), now.Add(-7*24*time.Hour).UnixMilli(), town)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
			}
			rows.Close()
		}
	})
}
