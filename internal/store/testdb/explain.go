package testdb

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/store"
)

// Explain returns the plan the database chooses for query q with args, one line per plan row:
// SQLite's EXPLAIN QUERY PLAN details, or PostgreSQL's EXPLAIN text — for the plan tests that fail
// when a main query loses its index.
func Explain(t *testing.T, db *store.DB, q string, args ...any) string {
	t.Helper()
	prefix := "EXPLAIN QUERY PLAN "
	if db.Dialect() == store.Postgres {
		prefix = "EXPLAIN "
	}
	rows, err := db.Query(context.Background(), prefix+q, args...)
	if err != nil {
		t.Fatalf("explain: %v\n%s", err, q)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		// SQLite: id, parent, notused, detail; PostgreSQL: one line of text.
		switch v := vals[len(vals)-1].(type) {
		case []byte:
			lines = append(lines, strings.TrimSpace(string(v)))
		case string:
			lines = append(lines, strings.TrimSpace(v))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// VacuumAllVisible runs VACUUM ANALYZE on table, as autovacuum does on a server, until every
// page of it is marked all-visible (PostgreSQL only; elsewhere it does nothing). The plan tests
// that expect an Index Only Scan need that mark; a VACUUM cannot set it while another session
// (a parallel package's test on the same server) holds a snapshot older than the rows, so it is
// tried again — bounded — until those transactions have ended.
func VacuumAllVisible(t testing.TB, db *store.DB, table string) {
	t.Helper()
	if db.Dialect() != store.Postgres {
		return
	}
	ctx := context.Background()
	for attempt := 0; ; attempt++ {
		if _, err := db.Exec(ctx, "VACUUM ANALYZE "+table); err != nil {
			t.Fatal(err)
		}
		var pages, visible int64
		if err := db.QueryRow(ctx, `SELECT relpages, relallvisible FROM pg_class WHERE oid = to_regclass(?)`, table).Scan(&pages, &visible); err != nil {
			t.Fatal(err)
		}
		if visible >= pages || attempt == 40 {
			return // after 40 tries the plan test says what it sees
		}
		time.Sleep(250 * time.Millisecond)
	}
}
