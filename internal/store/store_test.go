package store_test

import (
	"context"
	"testing"

	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

func TestRebind(t *testing.T) {
	cases := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = $2"},
		{"SELECT '?' , ?", "SELECT '?' , $1"},
	}
	for _, c := range cases {
		if got := store.Rebind(c.in); got != c.want {
			t.Errorf("Rebind(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMigrateIsIdempotentAndAuditIsAppendOnly(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n, err := db.Migrate(ctx, nil)
		if err != nil || n != 0 {
			t.Fatalf("second migrate applied %d, err %v; want 0, nil", n, err)
		}
		v, err := db.SchemaVersion(ctx)
		if err != nil || v < 1 {
			t.Fatalf("schema version %d, %v", v, err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO audit_log (at, actor, action, entity) VALUES (1, 'x', 'test', 'thing')`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `UPDATE audit_log SET actor = 'y'`); err == nil {
			t.Error("UPDATE of audit_log succeeded; want it refused")
		}
		if _, err := db.Exec(ctx, `DELETE FROM audit_log`); err == nil {
			t.Error("DELETE from audit_log succeeded; want it refused")
		}
	})
}

func TestInTxRollsBackOnError(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO settings (town_code, key, value) VALUES ('', 'a', '1')`); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO settings (town_code, key, value) VALUES ('', 'a', '2')`)
			return err
		})
		if !store.IsUniqueViolation(err) {
			t.Fatalf("want unique violation, got %v", err)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM settings`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("settings rows after rollback = %d (%v), want 0", n, err)
		}
	})
}

func TestInWithNoValuesMatchesNothing(t *testing.T) {
	if w, args := store.In("town_code", nil); w != "1 = 0" || args != nil {
		t.Errorf("empty scope = %q %v; want a condition no row meets", w, args)
	}
	if w, args := store.In("town_code", []string{"a", "b"}); w != "town_code IN (?, ?)" || len(args) != 2 {
		t.Errorf("In = %q %v", w, args)
	}
	if store.NullIfEmpty("") != nil || store.NullIfZero(0) != nil || store.NullIfEmpty("x") != "x" || store.NullIfZero(3) != int64(3) {
		t.Error("null helpers")
	}
}

// TestPostgresSessionSettings: CivicGrid's PostgreSQL connections compile no query (jit off
// unless the URL asks), as a plan costed high at 10^6 orders otherwise spends more time being
// compiled than running; and plan each execution of a prepared statement for its values
// (plan_cache_mode force_custom_plan unless the URL asks otherwise), as a generic plan kept
// after five runs ignored the town list and the category — 20× slower for a city's
// grid-and-category count.
func TestPostgresSessionSettings(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		if db.Dialect() != store.Postgres {
			return
		}
		for setting, want := range map[string]string{"jit": "off", "plan_cache_mode": "force_custom_plan"} {
			var got string
			if err := db.QueryRow(context.Background(), `SHOW `+setting).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s = %s on CivicGrid's connections, want %s", setting, got, want)
			}
		}
	})
}
