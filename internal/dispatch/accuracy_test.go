package dispatch

import (
	"context"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// Accuracy: the first suggestion taken, one of the offered taken, another taken, not filed yet,
// and a returned one; a second showing of an order keeps the first suggestion; the window holds.
func TestAccuracy(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Exec(ctx, `INSERT INTO regions (code, name, level, tenant) VALUES ('T1', '新泾镇', 'town', 1)`); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		order := func(category string) int64 {
			var id int64
			if err := db.QueryRow(ctx, `INSERT INTO orders (town_code, short_code, state, channel, content, category_code, received_at, updated_at)
				VALUES ('T1', 'ABCDEF', 'received', 'hotline', '电瓶被盗', ?, 1, 1) RETURNING id`, category).Scan(&id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		offer := []string{"1402", "1403", "1401"}
		a, b, c, d, e := order("1402"), order("1403"), order("0101"), order(""), order("1402")
		for _, id := range []int64{a, b, c, d, e} {
			if err := RecordSuggestion(ctx, db, id, "T1", 3, offer, now); err != nil {
				t.Fatal(err)
			}
		}
		// Shown again with other guesses: the first suggestion stays.
		if err := RecordSuggestion(ctx, db, c, "T1", 4, []string{"0101"}, now); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO order_events (order_id, seq, at, action, from_state, to_state) VALUES (?, 2, 1, 'return', 'dispatched', 'filed')`, e); err != nil {
			t.Fatal(err)
		}
		old := order("1402")
		if err := RecordSuggestion(ctx, db, old, "T1", 1, offer, now.AddDate(0, 0, -200)); err != nil {
			t.Fatal(err)
		}
		got, err := AccuracySince(ctx, db, "T1", now.AddDate(0, 0, -90))
		want := Accuracy{Suggested: 5, Filed: 4, Accepted: 2, InOffered: 3, Changed: 2, Returned: 1}
		if err != nil || got != want {
			t.Fatalf("accuracy = %+v, %v; want %+v", got, err, want)
		}
		if r := got.Rate(got.Accepted); r != 0.5 {
			t.Errorf("accepted rate %v, want 0.5", r)
		}
	})
}
