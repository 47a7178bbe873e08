package capacity_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/civicgrid/civicgrid/internal/capacity"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// BenchmarkClaims measures claims per second: on one hot pool that every goroutine claims (the
// pool's lock is the contention), across many pools (one per claim, no contention but the
// database's), and — as the same-run baseline — a bare transaction that inserts one row of the
// same shape without the engine (what a claim costs beyond the database's own write).
//
//	go test ./internal/capacity -run '^$' -bench Claims -benchtime 2000x
func BenchmarkClaims(b *testing.B) {
	for _, dbName := range []string{"sqlite", "postgres"} {
		b.Run(dbName, func(b *testing.B) {
			var db *store.DB
			if dbName == "sqlite" {
				db = testdb.SQLite(b)
			} else {
				db = testdb.Postgres(b)
			}
			e := capacity.Engine{}
			ctx := context.Background()
			b.Run("hot_pool", func(b *testing.B) {
				// Places for a tenth of the claims: the rest join the waiting list, as on a popular slot.
				p := newPool(b, db, e, capacity.NewPool{Capacity: max(b.N/10, 1)})
				parallel(b, func(i int64) error {
					_, _, err := claim(b, db, e, p.ID, capacity.HolderUser, fmt.Sprint(i), 1)
					return err
				})
				checkInvariant(b, db, p.ID)
			})
			b.Run("many_pools", func(b *testing.B) {
				pools := make([]int64, 200)
				for i := range pools {
					pools[i] = newPool(b, db, e, capacity.NewPool{Capacity: 1_000_000}).ID
				}
				parallel(b, func(i int64) error {
					_, _, err := claim(b, db, e, pools[int(i)%len(pools)], capacity.HolderUser, fmt.Sprint(i), 1)
					return err
				})
			})
			b.Run("baseline_insert", func(b *testing.B) {
				p := newPool(b, db, e, capacity.NewPool{Capacity: 1_000_000})
				parallel(b, func(i int64) error {
					return db.InTx(ctx, func(tx *store.Tx) error {
						_, err := tx.Exec(ctx, `INSERT INTO capacity_claims (pool_id, holder_kind, holder_ref, size, state, priority, joined_at, updated_at)
							VALUES (?, 'user', ?, 1, 'cancelled', 0, 0, 0)`, p.ID, fmt.Sprint("b", i))
						return err
					})
				})
			})
		})
	}
}

// parallel runs op b.N times from 4 goroutines per core, each call with its own number, and
// reports the rate.
func parallel(b *testing.B, op func(i int64) error) {
	var n atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(n.Add(1)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "claims/s")
}
