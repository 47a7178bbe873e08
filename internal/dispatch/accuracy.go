package dispatch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/store"
)

// MaxRecordedGuesses bounds the categories one suggestion records.
const MaxRecordedGuesses = 5

// RecordSuggestion keeps what was first suggested for an order (later showings of the same
// order change nothing): the categories offered, best first, and the model's version (0 for the
// keyword guess).
func RecordSuggestion(ctx context.Context, q store.Querier, orderID int64, town string, version int, categories []string, at time.Time) error {
	if len(categories) == 0 {
		return nil
	}
	if len(categories) > MaxRecordedGuesses {
		categories = categories[:MaxRecordedGuesses]
	}
	_, err := q.Exec(ctx, `INSERT INTO dispatch_suggestions (order_id, town_code, model_version, categories, shown_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (order_id) DO NOTHING`, orderID, town, version, strings.Join(categories, ","), at.UnixMilli())
	if err != nil {
		return fmt.Errorf("record the suggestion for order %d: %w", orderID, err)
	}
	return nil
}

// Accuracy is how smart dispatch's suggestions fared: of the orders it made one for (Suggested)
// and that were since filed under a category (Filed), how many took the first suggestion
// (Accepted), one of the offered ones (InOffered), another than the first (Changed); and how many were returned
// (退单) by a department afterwards (Returned) — a wrong category or department found late.
type Accuracy struct {
	Suggested, Filed, Accepted, InOffered, Changed, Returned int
}

// Rate is n of the filed orders, 0–1.
func (a Accuracy) Rate(n int) float64 {
	if a.Filed == 0 {
		return 0
	}
	return float64(n) / float64(a.Filed)
}

// AccuracySince measures the suggestions first shown since t for the town's orders.
func AccuracySince(ctx context.Context, q store.Querier, town string, since time.Time) (Accuracy, error) {
	var a Accuracy
	rows, err := q.Query(ctx, `SELECT s.categories, o.category_code,
		(SELECT COUNT(*) FROM order_events e WHERE e.order_id = o.id AND e.action = 'return')
		FROM dispatch_suggestions s JOIN orders o ON o.id = s.order_id
		WHERE s.town_code = ? AND s.shown_at >= ?`, town, since.UnixMilli())
	if err != nil {
		return a, fmt.Errorf("suggestion accuracy of town %s: %w", town, err)
	}
	defer rows.Close()
	for rows.Next() {
		var offered, chosen string
		var returns int
		if err := rows.Scan(&offered, &chosen, &returns); err != nil {
			return a, err
		}
		a.Suggested++
		if chosen == "" {
			continue
		}
		a.Filed++
		codes := strings.Split(offered, ",")
		switch {
		case codes[0] == chosen:
			a.Accepted++
			a.InOffered++
		case contains(codes, chosen):
			a.InOffered++
			a.Changed++
		default:
			a.Changed++
		}
		if returns > 0 {
			a.Returned++
		}
	}
	return a, rows.Err()
}
