package demo_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func counts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"regions", "grids", "committees", "departments", "users", "grid_members", "orders", "order_events", "categories"} {
		var n int
		if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// TestLoadIsIdempotent: a second start with --demo on the same data adds nothing.
func TestLoadIsIdempotent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		extra := demo.Orders(t.TempDir(), time.Now())
		accounts, err := demo.Load(ctx, db, quiet, extra)
		if err != nil {
			t.Fatal(err)
		}
		first := counts(t, db)
		if first["grids"] != 11 || first["committees"] < 33 || first["orders"] < 400 || len(accounts) < 12 {
			t.Fatalf("demo incomplete: %v, %d accounts", first, len(accounts))
		}
		if first["regions"] != 1+16+234 {
			t.Errorf("regions = %d, want the city, 16 districts and 234 towns", first["regions"])
		}
		if _, err := demo.Load(ctx, db, quiet, extra); err != nil {
			t.Fatal(err)
		}
		second := counts(t, db)
		for k, v := range first {
			if second[k] != v {
				t.Errorf("second load changed %s: %d → %d", k, v, second[k])
			}
		}
	})
}
