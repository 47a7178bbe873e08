package orders

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/store"
)

// MaxExportRows is the most orders one export may hold (docs/API.md): a filter that selects more
// is refused before a row is read, with the count, so that the user narrows it (a month, a grid).
const MaxExportRows = 1_000_000

// ExportBatch is how many orders Each reads per query.
const ExportBatch = 1000

// Count is how many orders f selects (its Limit and Offset aside), counted up to bound+1: a
// caller that only compares with a limit stops the count there.
func (s *Store) Count(ctx context.Context, f Filter, bound int) (int, error) {
	q, err := s.query(f)
	if err != nil {
		return 0, err
	}
	return q.countUpTo(ctx, s, bound)
}

// Each calls fn with every order f selects, in f's sort (the list's order, page after page),
// batch orders at a time (ExportBatch when batch ≤ 0); f.Limit and f.Offset are ignored. The
// batches are read by keyset pagination — each is one short query that starts after the last
// order of the one before — so no connection, read transaction or SQLite snapshot is held while
// fn works, writers are never kept waiting, memory holds one batch, and each batch costs the same
// however deep into the list it is (OFFSET would read every row before it again). Orders that
// change while Each runs appear where their sort key puts them when their batch is read. The
// clock filters (overdue, warning) are evaluated once, when Each starts.
func (s *Store) Each(ctx context.Context, f Filter, batch int, fn func([]Order) error) error {
	if batch <= 0 {
		batch = ExportBatch
	}
	q, err := s.query(f)
	if err != nil {
		return err
	}
	total, err := q.countUpTo(ctx, s, CountBound)
	if err != nil || total == 0 {
		return err
	}
	q.settle(total, manyHits)
	for _, seg := range keysetSegments(q.sort, s.DB.Dialect()) {
		if err := s.eachSegment(ctx, q, seg, batch, fn); err != nil {
			return err
		}
	}
	return nil
}

// keySegment is one part of a sort that a keyset can walk: the orders whose sort column is set
// (walked on column and id), or those whose column is NULL (walked on id alone).
type keySegment struct {
	col  string // the sort column; "" walks on id alone
	desc bool
	cond string // what selects the segment's orders ("" all)
}

// keysetSegments splits a sort into segments that follow each other in the list's order. A
// nullable column (deadline_at) puts its NULLs where the database does: SQLite counts NULL as the
// smallest value, PostgreSQL as the largest.
func keysetSegments(sort string, d store.Dialect) []keySegment {
	desc := strings.HasPrefix(sort, "-")
	switch strings.TrimPrefix(sort, "-") {
	case "received_at":
		return []keySegment{{col: "received_at", desc: desc}}
	case "updated_at":
		return []keySegment{{col: "updated_at", desc: desc}}
	case "deadline":
		set := keySegment{col: "deadline_at", desc: desc, cond: "deadline_at IS NOT NULL"}
		null := keySegment{desc: desc, cond: "deadline_at IS NULL"}
		if nullsFirst := (d == store.SQLite) != desc; nullsFirst {
			return []keySegment{null, set}
		}
		return []keySegment{set, null}
	default: // id
		return []keySegment{{desc: desc}}
	}
}

// key is o's value of the sort column, as stored (milliseconds).
func (k keySegment) key(o Order) int64 {
	switch k.col {
	case "received_at":
		return o.ReceivedAt.UnixMilli()
	case "updated_at":
		return o.UpdatedAt.UnixMilli()
	case "deadline_at":
		if o.Deadline != nil {
			return o.Deadline.UnixMilli()
		}
	}
	return 0
}

func (s *Store) eachSegment(ctx context.Context, q listQuery, seg keySegment, batch int, fn func([]Order) error) error {
	dir := ""
	if seg.desc {
		dir = " DESC"
	}
	base := q.where
	if seg.cond != "" {
		base += " AND " + seg.cond
	}
	order := "id" + dir
	if seg.col != "" {
		order = seg.col + dir + ", id" + dir
	}
	var last *Order
	out := make([]Order, 0, batch)
	for {
		where, args := base, append([]any(nil), q.args...)
		if last != nil {
			cond, a := seg.after(seg.key(*last), last.ID, seg.desc)
			where += " AND " + cond
			args = append(args, a...)
		}
		var err error
		if out, err = s.batch(ctx, out[:0], `SELECT `+orderCols+` FROM `+q.from+` WHERE `+where+` ORDER BY `+order+` LIMIT ?`,
			append(args, batch), q.now); err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		if err := fn(out); err != nil {
			return err
		}
		if len(out) < batch {
			return nil
		}
		l := out[len(out)-1]
		last = &l
	}
}

// batch reads one batch into out, closing its rows before it returns.
func (s *Store) batch(ctx context.Context, out []Order, query string, args []any, now time.Time) ([]Order, error) {
	rows, err := s.DB.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("export orders: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, err
		}
		o.flags(now)
		out = append(out, o)
	}
	return out, rows.Err()
}
