package orders_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// TestSearchMigrationKeepsData migrates a database holding an imported order from the schema
// before the search index: its hotline details move into channel_data, its history survives in
// the re-keyed events table (still append-only), and the order becomes searchable.
func TestSearchMigrationKeepsData(t *testing.T) {
	testdb.EachEmpty(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.MigrateTo(ctx, nil, 6); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`INSERT INTO regions (code, name, level, tenant) VALUES ('310105102', '新泾镇', 'town', 1)`,
			`INSERT INTO orders (id, town_code, number, short_code, state, channel, external_id, content, address, received_at, updated_at)
				VALUES (7, '310105102', 'XJ-20250930-000007', 'ABCDEF', 'received', 'hotline', 'HL7', '小区门口噪音扰民', '仙霞西路88弄', 1, 1)`,
			`INSERT INTO hotline_details (order_id, kind, category_text, town_text) VALUES (7, 'complaint', '环境/噪音', '新泾镇')`,
			`INSERT INTO order_events (order_id, seq, at, action, to_state, data) VALUES (7, 1, 1, 'receive', 'received', '{"channel":"hotline"}')`,
		} {
			if _, err := db.Exec(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if n, err := db.Migrate(ctx, nil); err != nil || n < 1 {
			t.Fatalf("migrate from 6: applied %d, %v", n, err)
		}
		var raw string
		if err := db.QueryRow(ctx, `SELECT channel_data FROM orders WHERE id = 7`).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var got map[string]string
		if err := json.Unmarshal([]byte(raw), &got); err != nil || got["kind"] != "complaint" || got["category_text"] != "环境/噪音" || got["town_text"] != "新泾镇" {
			t.Fatalf("channel_data %s (%v)", raw, err)
		}
		var action string
		if err := db.QueryRow(ctx, `SELECT action FROM order_events WHERE order_id = 7 AND seq = 1`).Scan(&action); err != nil || action != "receive" {
			t.Fatalf("event after migration: %q, %v", action, err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO order_events (order_id, seq, at, action, to_state) VALUES (7, 1, 2, 'x', 'received')`); err == nil {
			t.Error("a second event with seq 1 was accepted")
		}
		if _, err := db.Exec(ctx, `UPDATE order_events SET note = 'x' WHERE order_id = 7`); err == nil {
			t.Error("order_events accepted an UPDATE after the migration")
		}
		if _, err := orders.IndexSearch(ctx, db); err != nil {
			t.Fatal(err)
		}
		var hits int
		match := `SELECT COUNT(*) FROM orders WHERE search @@ '''门口'' <-> ''口噪'''::tsquery`
		if db.Dialect() == store.SQLite {
			match = `SELECT COUNT(*) FROM search.orders_search WHERE orders_search MATCH '"门口 口噪"'`
		}
		if err := db.QueryRow(ctx, match).Scan(&hits); err != nil || hits != 1 {
			t.Fatalf("search index holds the migrated order %d times (%v), want 1", hits, err)
		}
	})
}

// An SQLite search index file belongs to one database: beside a new database (the old one was
// deleted and created again) it is emptied and rebuilt rather than answering with stale ids.
func TestSearchIndexFileBelongsToItsDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	open := func() *store.DB {
		db, err := store.Open(ctx, store.Options{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := open()
	for _, q := range []string{
		`INSERT INTO regions (code, name, level, tenant) VALUES ('310105102', '新泾镇', 'town', 1)`,
		`INSERT INTO orders (town_code, short_code, state, channel, content, received_at, updated_at)
			VALUES ('310105102', 'ABCDEF', 'received', 'patrol', '井盖缺失', 1, 1)`,
	} {
		if _, err := db.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := orders.IndexSearch(ctx, db); err != nil || n != 1 {
		t.Fatalf("indexed %d (%v)", n, err)
	}
	db.Close()
	// The index file deleted: a new one is built from the orders.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(store.SearchFile(filepath.Join(dir, store.SQLiteFile)) + suffix)
	}
	db = open()
	if n, err := orders.IndexSearch(ctx, db); err != nil || n != 1 {
		t.Fatalf("rebuilt index took %d orders (%v), want 1", n, err)
	}
	db.Close()
	// The database deleted and created again: the index file's entries are dropped.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(filepath.Join(dir, store.SQLiteFile+suffix))
	}
	db = open()
	defer db.Close()
	var through, entries int
	if err := db.QueryRow(ctx, `SELECT indexed_through FROM search.search_state`).Scan(&through); err != nil || through != 0 {
		t.Fatalf("new database's index covers up to %d (%v), want 0", through, err)
	}
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM search.orders_search WHERE orders_search MATCH '"井盖"'`).Scan(&entries); err != nil || entries != 0 {
		t.Fatalf("stale index entries: %d (%v)", entries, err)
	}
}
