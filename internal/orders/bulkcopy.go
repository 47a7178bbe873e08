package orders

import (
	"context"
	"fmt"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/search"
	"github.com/civicgrid/civicgrid/internal/store"
)

// On PostgreSQL, BulkCreate writes through COPY when the transaction allows it (store.InCopyTx):
// the orders and their `receive` events each go in one COPY … FROM STDIN of binary rows, with the
// search terms as a binary tsvector, instead of multi-row INSERTs of text parameters that the
// server parses and plans. The rows are the same as the INSERTs write
// (TestBulkCreateCopyMatchesInsert).

// PrepareBulkFor is PrepareBulk that also computes, for PostgreSQL, the order's search terms
// (folding, splitting into bigrams: most of the work), so that an importer does that too on its
// reading goroutine. The tsvector COPY sends is built from them as the row is sent: held for the
// batches in flight, the tsvectors themselves took 200 MB more heap at 10⁶ rows.
func PrepareBulkFor(n *NewOrder, d store.Dialect) error {
	if err := PrepareBulk(n); err != nil {
		return err
	}
	if d == store.Postgres {
		n.bulk.terms, n.bulk.hasTerms = searchTerms(n.Content, n.Address), true
	}
	return nil
}

var (
	copyOrderCols = append(append([]string{}, bulkOrders.shared...), append(bulkOrders.cols, "search")...)
	copyEventCols = append(append([]string{}, bulkEvents.shared...), "order_id", "seq", "data")
)

// copyRows is a pgx.CopyFromSource over count rows; values fills row i into the reused slice.
type copyRows struct {
	i, count int
	row      []any
	values   func(i int, row []any) []any
}

func (c *copyRows) Next() bool             { c.i++; return c.i <= c.count }
func (c *copyRows) Values() ([]any, error) { c.row = c.values(c.i-1, c.row[:0]); return c.row, nil }
func (c *copyRows) Err() error             { return nil }

// bulkCopy writes BulkCreate's rows with COPY: ns validated and numbered as out, state the new
// orders' state, updated their updated_at, photos their shared photos (JSON).
func bulkCopy(ctx context.Context, tx *store.Tx, ns []NewOrder, out []Created, t *bulkTown, state string, updated int64, photos string) error {
	f := &ns[0]
	raisedBy := store.NullIfZero(f.RaisedBy)
	orders := &copyRows{count: len(ns), values: func(i int, row []any) []any {
		n, c := &ns[i], &out[i]
		var lat, lng any
		if n.Lat != nil {
			lat, lng = *n.Lat, *n.Lng
		}
		terms := n.bulk.terms
		if !n.bulk.hasTerms {
			terms = searchTerms(n.Content, n.Address)
		}
		tsv := search.BinaryTSVector(terms)
		return append(row, f.TownCode, state, 1, f.Channel, updated,
			c.ID, c.Number, c.ShortCode, store.NullIfEmpty(n.ExternalID), n.Content, n.Address, lat, lng,
			store.NullIfEmpty(n.Grid), n.Category, n.DeadlineClass, n.LimitDays, n.CallerName, n.CallerPhone, raisedBy,
			n.ReceivedAt.UnixMilli(), n.bulk.channelData, t.versionOf(n.Category), tsv)
	}}
	if _, err := tx.CopyFrom(ctx, "orders", copyOrderCols, orders); err != nil {
		if store.IsForeignKeyViolation(err) {
			return problem.Field("raised_by", "unknown user")
		}
		if store.IsUniqueViolation(err) {
			return problem.Conflict("an external id of this batch already exists: %v", err)
		}
		return fmt.Errorf("copy orders: %w", err)
	}
	events := &copyRows{count: len(ns), values: func(i int, row []any) []any {
		return append(row, updated, raisedBy, f.ActorName, f.ActorRole, ActionReceive, "", state, photos,
			out[i].ID, 1, ns[i].bulk.receiveData)
	}}
	if _, err := tx.CopyFrom(ctx, "order_events", copyEventCols, events); err != nil {
		return fmt.Errorf("copy receive events: %w", err)
	}
	return nil
}
