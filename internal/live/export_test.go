package live

import (
	"context"
	"testing"

	"github.com/civicgrid/civicgrid/internal/store"
)

// ChannelOf is the NOTIFY channel of db's schema, for the tests that look for its listener.
func ChannelOf(t *testing.T, db *store.DB) string {
	c, err := channelOf(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
