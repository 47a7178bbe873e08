package intake_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/intake"
	"github.com/civicgrid/civicgrid/internal/live"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
)

// manyChanges collects the changes s receives until quiet passes without one.
func manyChanges(s *live.Sub, quiet time.Duration) []orders.Change {
	var out []orders.Change
	for {
		select {
		case c := <-s.C():
			out = append(out, c)
		case <-time.After(quiet):
			return out
		}
	}
}

// TestImportAnnouncesEachBatch: an import tells the live screens of its town once per committed
// batch that created or updated orders — a coalesced change (orders.ActionMany) with the batch's
// count, not one per order — through the deployment's bus: in process on SQLite, LISTEN/NOTIFY on
// PostgreSQL. Batches that changed nothing, and other towns' screens, hear nothing; a push
// announces once.
func TestImportAnnouncesEachBatch(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, f fixture) {
		bus, err := live.Open(ctx, db, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer bus.Close()
		town, err := bus.Subscribe(1, []string{f.Town})
		if err != nil {
			t.Fatal(err)
		}
		other, err := bus.Subscribe(2, []string{f.OtherTown})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "热线.xlsx")
		writeXLSX(t, path, rows)
		var batches []int // orders each committed batch created or updated
		prev := intake.Summary{}
		sum := importFile(t, db, f, path, func(o *intake.ImportOptions) {
			o.BatchSize = 2
			o.Orders.Changes = bus
			o.OnBatch = func(s intake.Summary) {
				if n := s.Created + s.Updated - prev.Created - prev.Updated; n > 0 {
					batches = append(batches, n)
				}
				prev = s
			}
		})
		if sum.Created != 5 || len(batches) < 2 {
			t.Fatalf("summary %+v, batches that changed orders %v: want 5 created over several batches", sum, batches)
		}
		got := manyChanges(town, 300*time.Millisecond)
		if len(got) != len(batches) {
			t.Fatalf("%d changes announced for %d batches that changed orders: %+v", len(got), len(batches), got)
		}
		for i, c := range got {
			if c.Action != orders.ActionMany || c.Town != f.Town || c.Count != batches[i] || c.Cause != orders.ManyImport || c.ID != 0 || c.At.IsZero() {
				t.Errorf("change %d: %+v, want many in %s, count %d", i, c, f.Town, batches[i])
			}
		}
		if c := manyChanges(other, 50*time.Millisecond); len(c) > 0 {
			t.Errorf("another town's screen heard %+v", c)
		}

		// The same file again changes nothing, and says nothing.
		importFile(t, db, f, path, func(o *intake.ImportOptions) { o.BatchSize = 2; o.Orders.Changes = bus })
		if c := manyChanges(town, 200*time.Millisecond); len(c) > 0 {
			t.Errorf("an import that changed nothing announced %+v", c)
		}

		st := newStore(db)
		st.Changes = bus
		if _, err := intake.Push(ctx, db, st, f.Town, f.As(f.Dispatcher), []map[string]string{
			{"hotline_id": "PA1", "received_at": "2025-09-30 10:04", "content": "推送一", "address": "新泾一村"},
			{"hotline_id": "PA2", "received_at": "2025-09-30 10:05", "content": "推送二", "address": "新泾一村"},
		}); err != nil {
			t.Fatal(err)
		}
		if c := manyChanges(town, 300*time.Millisecond); len(c) != 1 || c[0].Action != orders.ActionMany || c[0].Count != 2 {
			t.Errorf("push of 2 orders announced %+v, want one change of 2", c)
		}
	})
}
