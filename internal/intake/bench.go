package intake

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/civicgrid/civicgrid/internal/intake/hotline"
	"github.com/civicgrid/civicgrid/internal/store"
)

// BaselineInsert is the benchmark's yardstick: it reads the same file with the same reader and
// writes every valid row into a plain table with the orders' columns — no routing, no
// idempotency, no events, no indexes — with the same batch size, and returns the rows written:
// on PostgreSQL with COPY (a bare COPY, as the import writes), on SQLite with multi-row
// statements. The table bench_plain_orders is created (and emptied) first.
func BaselineInsert(ctx context.Context, db *store.DB, path string, enc hotline.Encoding, batch int) (int, error) {
	if batch <= 0 {
		batch = DefaultBatch
	}
	real, key := "REAL", " PRIMARY KEY"
	if db.Dialect() == store.Postgres {
		real, key = "DOUBLE PRECISION", ""
	}
	if _, err := db.Exec(ctx, `DROP TABLE IF EXISTS bench_plain_orders`); err != nil {
		return 0, err
	}
	// On PostgreSQL not even a key: a bare COPY writes the heap and nothing else. (SQLite's
	// yardstick keeps the key it always had, so that its figures stay comparable.)
	if _, err := db.Exec(ctx, `CREATE TABLE bench_plain_orders (id BIGINT`+key+`, town_code TEXT, number TEXT, short_code TEXT,
		state TEXT, version INTEGER, channel TEXT, external_id TEXT, content TEXT, address TEXT, lat `+real+`, lng `+real+`,
		grid_code TEXT, category_code TEXT, deadline_class TEXT, limit_days INTEGER, caller_name TEXT, caller_phone TEXT,
		raised_by BIGINT, received_at BIGINT, updated_at BIGINT)`); err != nil {
		return 0, err
	}
	r, err := hotline.Open(path, enc)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	const cols = 21
	const chunk = 400
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	full := "INSERT INTO bench_plain_orders VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", chunk), ", ")
	total := 0
	now := time.Now().UnixMilli()
	var rows []hotline.Row
	values := func(row []any, x hotline.Row) []any {
		total++
		var lat, lng any
		if x.Lat != nil {
			lat, lng = *x.Lat, *x.Lng
		}
		return append(row, total, "310105102", "N"+strconv.Itoa(total), "ABCDEF", "received", 1, "hotline", x.HotlineID,
			x.Content, x.Address, lat, lng, nil, "", "", x.LimitDays, x.Caller, x.Phone, nil, x.ReceivedAt.UnixMilli(), now)
	}
	write := func() error {
		if db.Dialect() == store.Postgres {
			return db.InCopyTx(ctx, func(tx *store.Tx) error {
				i, row := 0, make([]any, 0, cols)
				_, err := tx.CopyFrom(ctx, "bench_plain_orders", plainColumns, pgx.CopyFromFunc(func() ([]any, error) {
					if i == len(rows) {
						return nil, nil
					}
					i++
					row = values(row[:0], rows[i-1])
					return row, nil
				}))
				return err
			})
		}
		return db.InTx(ctx, func(tx *store.Tx) error {
			stmt, err := tx.Prepare(ctx, full)
			if err != nil {
				return err
			}
			defer stmt.Close()
			args := make([]any, 0, cols*chunk)
			for start := 0; start < len(rows); start += chunk {
				part := rows[start:min(start+chunk, len(rows))]
				args = args[:0]
				for _, x := range part {
					args = values(args, x)
				}
				if len(part) == chunk {
					_, err = stmt.ExecContext(ctx, args...)
				} else {
					_, err = tx.Exec(ctx, "INSERT INTO bench_plain_orders VALUES "+strings.TrimSuffix(strings.Repeat(row+", ", len(part)), ", "), args...)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	for {
		x, errs, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return total, err
		}
		if len(errs) == 0 {
			rows = append(rows, x)
		}
		if len(rows) == batch {
			if err := write(); err != nil {
				return total, err
			}
			rows = rows[:0]
		}
	}
	if len(rows) > 0 {
		if err := write(); err != nil {
			return total, err
		}
	}
	return total, nil
}

// plainColumns are bench_plain_orders' columns, in order.
var plainColumns = []string{"id", "town_code", "number", "short_code", "state", "version", "channel", "external_id", "content",
	"address", "lat", "lng", "grid_code", "category_code", "deadline_class", "limit_days", "caller_name", "caller_phone",
	"raised_by", "received_at", "updated_at"}

// IndexedCopy is the benchmark's second yardstick on PostgreSQL: the floor that index upkeep puts
// under any import into the orders table. It copies the town's hotline orders, as the import left
// them (search terms included), into a new table with the orders table's columns, defaults and
// indexes but no triggers or foreign keys, batch rows to a transaction as the import commits, and
// returns the rows copied. The server alone does this work: no file, no client encoding. The table
// bench_indexed_orders is dropped at the end.
func IndexedCopy(ctx context.Context, db *store.DB, town string, batch int) (int, error) {
	if db.Dialect() != store.Postgres {
		return 0, nil
	}
	if batch <= 0 {
		batch = DefaultBatch
	}
	if _, err := db.Exec(ctx, `DROP TABLE IF EXISTS bench_indexed_orders`); err != nil {
		return 0, err
	}
	if _, err := db.Exec(ctx, `CREATE TABLE bench_indexed_orders (LIKE orders INCLUDING DEFAULTS INCLUDING INDEXES)`); err != nil {
		return 0, err
	}
	defer db.Exec(context.WithoutCancel(ctx), `DROP TABLE bench_indexed_orders`)
	total := 0
	var last int64
	for {
		var n int
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := relaxCommit(ctx, tx); err != nil {
				return err
			}
			return tx.QueryRow(ctx, `WITH moved AS (INSERT INTO bench_indexed_orders SELECT * FROM orders
				WHERE town_code = ? AND channel = 'hotline' AND id > ? ORDER BY id LIMIT ? RETURNING id)
				SELECT COUNT(*), COALESCE(MAX(id), 0) FROM moved`, town, last, batch).Scan(&n, &last)
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < batch {
			return total, nil
		}
	}
}
