package ops

import (
	"os"
	"strings"
	"testing"
)

// The partial index of open orders (migration 0019) serves the open-load query only while both
// name the open states in the same words: a state added to the lifecycle must reach both.
func TestOpenIndexMatchesTheOpenStates(t *testing.T) {
	b, err := os.ReadFile("../store/migrations/0019_ops_map.sql")
	if err != nil {
		t.Fatal(err)
	}
	if want := "WHERE state IN (" + openStates + ");"; !strings.Contains(string(b), want) {
		t.Errorf("migration 0019's partial index lacks %q", want)
	}
}
