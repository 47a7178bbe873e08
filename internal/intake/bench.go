package intake

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/intake/hotline"
	"github.com/civicgrid/civicgrid/internal/store"
)

// BaselineInsert is the benchmark's yardstick: it reads the same file with the same reader and
// writes every valid row into a plain table with the orders' columns — no routing, no
// idempotency, no events, no indexes — with the same batch size and multi-row statements, and
// returns the rows written. The table bench_plain_orders is created (and emptied) first.
func BaselineInsert(ctx context.Context, db *store.DB, path string, enc hotline.Encoding, batch int) (int, error) {
	if batch <= 0 {
		batch = DefaultBatch
	}
	real := "REAL"
	if db.Dialect() == store.Postgres {
		real = "DOUBLE PRECISION"
	}
	if _, err := db.Exec(ctx, `DROP TABLE IF EXISTS bench_plain_orders`); err != nil {
		return 0, err
	}
	if _, err := db.Exec(ctx, `CREATE TABLE bench_plain_orders (id BIGINT PRIMARY KEY, town_code TEXT, number TEXT, short_code TEXT,
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
	write := func() error {
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
					total++
					var lat, lng any
					if x.Lat != nil {
						lat, lng = *x.Lat, *x.Lng
					}
					args = append(args, total, "310105102", "N"+strconv.Itoa(total), "ABCDEF", "received", 1, "hotline", x.HotlineID,
						x.Content, x.Address, lat, lng, nil, "", "", x.LimitDays, x.Caller, x.Phone, nil, x.ReceivedAt.UnixMilli(), now)
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
