package kit

import (
	"fmt"
	"testing"
	"time"
)

// TestGuessLimiter runs the limiter on a fake clock: the burst, the wait it names and its refill,
// the refund of a right guess, and the bound on its memory.
func TestGuessLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	l := NewGuessLimiter(GuessRule{Burst: 5, Per: 10 * time.Minute}, GuessRule{Burst: 3, Per: time.Hour}, 1000)
	l.now = func() time.Time { return now }

	// Per number: 3 wrong guesses, then a wait of one refill (20 minutes), from any address.
	for i := range 3 {
		if w := l.Take(fmt.Sprintf("10.0.0.%d", i), "N1"); w != 0 {
			t.Fatalf("guess %d waited %v", i+1, w)
		}
	}
	if w := l.Take("10.0.0.9", "N1"); w <= 19*time.Minute || w > 20*time.Minute {
		t.Errorf("4th guess on N1 waits %v, want 20m", w)
	}
	now = now.Add(20 * time.Minute)
	if w := l.Take("10.0.0.9", "N1"); w != 0 {
		t.Errorf("after the refill: wait %v", w)
	}

	// Per client: 5 wrong guesses on different numbers, then a wait of 2 minutes for any number.
	for i := range 5 {
		if w := l.Take("10.1.1.1", fmt.Sprintf("M%d", i)); w != 0 {
			t.Fatalf("client guess %d waited %v", i+1, w)
		}
	}
	if w := l.Take("10.1.1.1", "fresh"); w <= time.Minute || w > 2*time.Minute {
		t.Errorf("6th guess from the client waits %v, want 2m", w)
	}
	// A refused take spends nothing: the number "fresh" is untouched.
	if w := l.Take("10.2.2.2", "fresh"); w != 0 {
		t.Errorf("fresh number from another client waits %v", w)
	}

	// A right guess is refunded: guesses that find their order never lock anyone out.
	for i := range 10 {
		if w := l.Take("10.3.3.3", "MINE"); w != 0 {
			t.Fatalf("right guess %d waited %v", i+1, w)
		}
		l.Refund("10.3.3.3", "MINE")
	}

	// Memory: fresh keys beyond the bound evict, and what goes first is what drains soonest, so a
	// locked number stays locked while an attacker floods the map.
	small := NewGuessLimiter(GuessRule{Burst: 30, Per: 10 * time.Minute}, GuessRule{Burst: 3, Per: time.Hour}, 100)
	small.now = func() time.Time { return now }
	for range 3 {
		small.Take("victim-attacker", "TARGET")
	}
	for i := range 1000 {
		small.Take(fmt.Sprintf("10.9.%d.%d", i/250, i%250), fmt.Sprintf("X%d", i))
		if n := small.Size(); n > 100 {
			t.Fatalf("limiter holds %d entries, bound 100", n)
		}
	}
	if w := small.Take("10.8.8.8", "TARGET"); w == 0 {
		t.Error("flooding the limiter with fresh keys unlocked the locked number")
	}
	// Drained entries are dropped when the map is next trimmed.
	now = now.Add(2 * time.Hour)
	small.Take("10.7.7.7", "late")
	if n := small.Size(); n != 2 {
		t.Errorf("after everything drained the limiter holds %d entries, want 2", n)
	}
}
