package daily

import (
	"context"
	"fmt"

	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// RebuildBatch is how many orders Rebuild reads at a time.
const RebuildBatch = 5000

// flushAt is how many distinct rows Rebuild collects in memory before adding them to the table.
const flushAt = 200_000

// Rebuild recomputes kpi_daily and kpi_hours for one town ("" for all) from the orders, in one
// transaction: it deletes the town's rows and adds up the contributions of its orders, read in batches by
// id, flushing the collected rows every few hundred thousand. On PostgreSQL the tables are locked
// (EXCLUSIVE: readers go on) for the transaction, so that a concurrent order change, whose
// upkeep must write the table, waits for the rebuild and then applies its difference on top of
// the rebuilt rows. progress, if not nil, is told the orders read so far and the total.
func Rebuild(ctx context.Context, db *store.DB, cal *workcal.Calendar, town string, progress func(done, total int)) (int, error) {
	var done int
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if tx.Dialect() == store.Postgres {
			if _, err := tx.Exec(ctx, `LOCK TABLE kpi_daily, kpi_hours IN EXCLUSIVE MODE`); err != nil {
				return err
			}
		}
		where, args := "", []any{}
		if town != "" {
			where, args = ` AND o.town_code = ?`, []any{town}
		}
		var total int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM orders o WHERE 1 = 1`+where, args...).Scan(&total); err != nil {
			return err
		}
		for _, table := range []string{"kpi_daily", "kpi_hours"} {
			del := `DELETE FROM ` + table
			if town != "" {
				del += ` WHERE town_code = ?`
			}
			if _, err := tx.Exec(ctx, del, args...); err != nil {
				return fmt.Errorf("kpi daily: clear %s: %w", table, err)
			}
		}
		d := NewDelta()
		var last int64
		for {
			batch := map[int64]*Order{}
			if err := scanOrders(ctx, tx, `SELECT `+orderCols+` FROM orders o WHERE o.id > ?`+where+` ORDER BY o.id LIMIT `+fmt.Sprint(RebuildBatch),
				append([]any{last}, args...), batch); err != nil {
				return err
			}
			if len(batch) == 0 {
				break
			}
			lo, hi := last+1, last
			for id := range batch {
				hi = max(hi, id)
			}
			if err := scanStages(ctx, tx, `SELECT order_id, stage, outcome, started_at, COALESCE(finished_at, 0), COALESCE(on_time, -1), paused_working_ms
				FROM order_stages WHERE order_id >= ? AND order_id <= ? ORDER BY order_id, seq`, []any{lo, hi}, batch); err != nil {
				return err
			}
			for _, o := range batch {
				d.Add(o, cal, 1)
			}
			last = hi
			done += len(batch)
			if d.Len() >= flushAt {
				if err := Apply(ctx, tx, d); err != nil {
					return err
				}
				d = NewDelta()
			}
			if progress != nil {
				progress(done, total)
			}
		}
		return Apply(ctx, tx, d)
	})
	return done, err
}

// Empty reports whether kpi_daily has no row while orders exist: a database migrated to 0035
// with orders (or to 0036, which empties it so that its histogram is built too), or filled by a
// writer that bypasses the upkeep, that needs Rebuild once.
func Empty(ctx context.Context, q store.Querier) (bool, error) {
	var rows, orders int
	if err := q.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM kpi_daily LIMIT 1) a), (SELECT COUNT(*) FROM (SELECT 1 FROM orders LIMIT 1) b)`).Scan(&rows, &orders); err != nil {
		return false, err
	}
	return rows == 0 && orders > 0, nil
}
