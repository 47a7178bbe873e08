package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// Prepared runs a transaction's statements through statements kept per database on SQLite
// (none on PostgreSQL, whose driver keeps its own): they see the transaction's own writes, a
// rollback undoes what they wrote, and past the cache's bound statements still run.
func TestPreparedStatements(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Exec(ctx, `CREATE TABLE prep_probe (k INTEGER PRIMARY KEY, v INTEGER NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		kept := store.PreparedCount(db)
		ins := `INSERT INTO prep_probe (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = prep_probe.v + excluded.v`
		sum := `SELECT COALESCE(SUM(v), 0) FROM prep_probe WHERE k <= ?`
		for round, commit := range []bool{true, false, true} {
			err := db.InTx(ctx, func(tx *store.Tx) error {
				p := store.Prepared(tx)
				for k := 1; k <= 3; k++ {
					if _, err := p.Exec(ctx, ins, k, 10); err != nil {
						return err
					}
				}
				var got int
				if err := p.QueryRow(ctx, sum, 3).Scan(&got); err != nil {
					return err
				}
				rows, err := p.Query(ctx, `SELECT k FROM prep_probe WHERE v >= ? ORDER BY k`, 10)
				if err != nil {
					return err
				}
				n := 0
				for rows.Next() {
					n++
				}
				rows.Close()
				// Committed rounds before this one add 30 each; this round's writes are seen.
				want := 30 * (1 + map[int]int{0: 0, 1: 1, 2: 1}[round])
				if got != want || n != 3 {
					return fmt.Errorf("round %d: sum %d, rows %d; want %d and 3", round, got, n, want)
				}
				if !commit {
					return errRollback
				}
				return nil
			})
			if err != nil && err != errRollback {
				t.Fatal(err)
			}
		}
		var total int
		if err := db.QueryRow(ctx, `SELECT SUM(v) FROM prep_probe`).Scan(&total); err != nil || total != 60 {
			t.Errorf("after two committed rounds and a rolled back one: %d (%v), want 60", total, err)
		}
		wantKept := kept + 3
		if db.Dialect() == store.Postgres {
			wantKept = kept
		}
		if got := store.PreparedCount(db); got != wantKept {
			t.Errorf("%d statements kept, want %d", got, wantKept)
		}
		// Past the bound: statements run as plain ones, none more is kept.
		err := db.InTx(ctx, func(tx *store.Tx) error {
			p := store.Prepared(tx)
			for i := 0; i < store.MaxPrepared+5; i++ {
				var one int
				if err := p.QueryRow(ctx, fmt.Sprintf(`SELECT %d FROM prep_probe WHERE k = ?`, i), 1).Scan(&one); err != nil || one != i {
					return fmt.Errorf("statement %d: %d, %v", i, one, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := store.PreparedCount(db); got > store.MaxPrepared {
			t.Errorf("%d statements kept, more than the bound %d", got, store.MaxPrepared)
		}
	})
}

var errRollback = fmt.Errorf("roll back")
