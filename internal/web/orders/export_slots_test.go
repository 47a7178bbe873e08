package orders

import (
	"errors"
	"testing"

	"github.com/civicgrid/civicgrid/internal/problem"
)

// One export at a time per user, MaxExports per server; a slot given back is free again.
func TestExportSlots(t *testing.T) {
	t.Parallel()
	e := &exportSlots{busy: map[int64]bool{}}
	if err := e.take(1); err != nil {
		t.Fatal(err)
	}
	if err := e.take(1); !errors.Is(err, problem.ErrThrottled) {
		t.Errorf("a second export of user 1: %v", err)
	}
	for u := int64(2); u <= MaxExports; u++ {
		if err := e.take(u); err != nil {
			t.Fatalf("user %d: %v", u, err)
		}
	}
	if err := e.take(99); !errors.Is(err, problem.ErrThrottled) {
		t.Errorf("export %d of the server: %v", MaxExports+1, err)
	}
	e.give(1)
	if err := e.take(99); err != nil {
		t.Errorf("after one finished: %v", err)
	}
}

func TestGroupDigits(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1000000: "1,000,000", 123456789: "123,456,789", -1234: "-1,234"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q, want %q", n, got, want)
		}
	}
}
