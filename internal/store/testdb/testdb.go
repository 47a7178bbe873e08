// Package testdb gives tests a fresh, migrated CivicGrid database on SQLite and, when
// CIVICGRID_TEST_POSTGRES holds a URL, on PostgreSQL too, so that every store test runs on both.
// Each PostgreSQL test gets its own schema, so parallel runs and packages never collide.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"

	"github.com/civicgrid/civicgrid/internal/store"
)

// EnvPostgres names the variable holding the PostgreSQL URL for tests.
const EnvPostgres = "CIVICGRID_TEST_POSTGRES"

// Each runs fn as a subtest once per available database ("sqlite", "postgres").
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// EachEmpty is Each with databases that are not migrated yet, for tests of the migrations.
func EachEmpty(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, openSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, openPostgres(t)) })
}

// SQLite returns a migrated database in a temporary directory.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	db := openSQLite(t)
	if _, err := db.Migrate(context.Background(), nil); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return db
}

func openSQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// PostgresURL returns the configured URL; with CI=true a missing one fails the test, elsewhere it skips.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvPostgres)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the PostgreSQL tests", EnvPostgres)
		}
		t.Skipf("PostgreSQL tests skipped: set %s=postgres://… to run them", EnvPostgres)
	}
	return u
}

// Postgres returns a migrated database in a fresh schema that is dropped after the test.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	db := openPostgres(t)
	if _, err := db.Migrate(context.Background(), nil); err != nil {
		t.Fatalf("migrate postgres: %v", err)
	}
	return db
}

func openPostgres(t testing.TB) *store.DB {
	t.Helper()
	base := PostgresURL(t)
	ctx := context.Background()
	admin, err := store.Open(ctx, store.Options{URL: base})
	if err != nil {
		t.Fatalf("connect to PostgreSQL (%s): %v", EnvPostgres, err)
	}
	schema := "cg_test_" + randomHex(6)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	db, err := store.Open(ctx, store.Options{URL: WithSchema(base, schema)})
	if err != nil {
		t.Fatalf("open schema %s: %v", schema, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// WithSchema returns the URL with search_path set, which pgx passes on as a run-time parameter.
func WithSchema(base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("random: %v", err))
	}
	return hex.EncodeToString(b)
}
