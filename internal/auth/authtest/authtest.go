// Package authtest reads users for tests: the demo's accounts by name, in one call. For tests
// only; no production package imports it (internal/archtest).
package authtest

import (
	"context"
	"testing"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Users returns the named users by username; the test fails when one is missing.
func Users(t testing.TB, q store.Querier, names ...string) map[string]auth.User {
	t.Helper()
	out := make(map[string]auth.User, len(names))
	for _, n := range names {
		u, err := auth.UserByUsername(context.Background(), q, n)
		if err != nil {
			t.Fatalf("user %s: %v", n, err)
		}
		out[n] = u
	}
	return out
}
