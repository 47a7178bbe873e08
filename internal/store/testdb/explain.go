package testdb

import (
	"context"
	"strings"
	"testing"

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
