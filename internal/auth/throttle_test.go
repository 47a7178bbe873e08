package auth_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// fail stores n past failures of username from ip, the latest ago before now and the others a
// second apart before it, as if they had happened.
func fail(t *testing.T, db *store.DB, username, ip string, n int, ago time.Duration) {
	t.Helper()
	last := time.Now().Add(-ago)
	for i := 0; i < n; i++ {
		if _, err := db.Exec(context.Background(), `INSERT INTO login_failures (username, ip, at) VALUES (?, ?, ?)`,
			username, ip, last.Add(-time.Duration(i)*time.Second).UnixMilli()); err != nil {
			t.Fatal(err)
		}
	}
}

func waitOf(err error) time.Duration {
	var te *auth.ThrottledError
	if errors.As(err, &te) {
		return te.Wait
	}
	return 0
}

// TestThrottlingSlowsGuessersNotOwners: the scenarios of the finding — five failures locked an
// account for everyone, thirty locked a whole office behind one address — are delays now, held
// against the guesser's own address and account.
func TestThrottlingSlowsGuessersNotOwners(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		newUser := seedTown(t, db)
		for _, u := range []string{"alice", "bob", "carol", "dave"} {
			newUser(u)
		}
		const attacker, office, home, elsewhere = "198.51.100.66", "203.0.113.10", "192.0.2.1", "192.0.2.99"

		// An attacker's five failures on alice slow the attacker's address, not alice at home.
		fail(t, db, "alice", attacker, auth.MaxFailures, 0)
		if _, err := auth.Authenticate(ctx, db, "alice", "longenough", attacker); !errors.Is(err, auth.ErrThrottled) || waitOf(err) > time.Second {
			t.Errorf("sixth attempt from the attacker's address: %v, want a delay of about a second", err)
		}
		if _, err := auth.Authenticate(ctx, db, "alice", "longenough", home); err != nil {
			t.Errorf("alice from another address after an attacker's failures: %v, want signed in", err)
		}

		// A colleague's thirty failures on their own account behind the office NAT hold back
		// that colleague only.
		fail(t, db, "bob", office, 30, 0)
		if _, err := auth.Authenticate(ctx, db, "carol", "longenough", office); err != nil {
			t.Errorf("carol behind the same NAT: %v, want signed in", err)
		}
		if w := waitOf(func() error { _, err := auth.Authenticate(ctx, db, "bob", "longenough", office); return err }()); w < 14*time.Minute || w > 15*time.Minute {
			t.Errorf("bob after 30 failures waits %s, want the 15-minute cap", w)
		}

		// Delays grow with each failure and end: 6 failures a second ago → 2 s, so 1 s to go;
		// the same 6 failures a minute ago → no wait.
		fail(t, db, "dave", elsewhere, 6, time.Second)
		if w := waitOf(func() error { _, err := auth.Authenticate(ctx, db, "dave", "nope-nope", elsewhere); return err }()); w <= 0 || w > time.Second {
			t.Errorf("6 failures a second ago: wait %s, want up to 1 s", w)
		}
	})
}

// TestThrottlingDistributedAndSpraying: guessing one account from many addresses is slowed for
// every new address but not for one the owner signed in from; one address trying many
// accounts is slowed for all of them.
func TestThrottlingDistributedAndSpraying(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		newUser := seedTown(t, db)
		newUser("erin")
		newUser("frank")
		const home, fresh, sprayer = "192.0.2.1", "192.0.2.200", "198.51.100.7"
		// Erin has signed in from home before.
		if _, err := auth.Authenticate(ctx, db, "erin", "longenough", home); err != nil {
			t.Fatal(err)
		}
		// Thirty botnet addresses fail once each on erin, the latest just now.
		for i := 0; i < 30; i++ {
			fail(t, db, "erin", fmt.Sprintf("198.18.0.%d", i), 1, time.Duration(i)*100*time.Millisecond)
		}
		if w := waitOf(func() error { _, err := auth.Authenticate(ctx, db, "erin", "longenough", fresh); return err }()); w <= 0 || w > time.Minute {
			t.Errorf("erin's account from a new address during a distributed attack: wait %s, want a delay of at most a minute", w)
		}
		if _, err := auth.Authenticate(ctx, db, "erin", "longenough", home); err != nil {
			t.Errorf("erin from her usual address during the attack: %v, want signed in", err)
		}
		// One address failing on 25 different usernames is slowed for any further one.
		for i := 0; i < 25; i++ {
			fail(t, db, fmt.Sprintf("guess%02d", i), sprayer, 1, 0)
		}
		if w := waitOf(func() error { _, err := auth.Authenticate(ctx, db, "frank", "longenough", sprayer); return err }()); w <= 0 || w > time.Minute {
			t.Errorf("spraying address trying frank: wait %s, want a delay of at most a minute", w)
		}
		if _, err := auth.Authenticate(ctx, db, "frank", "longenough", home); err != nil {
			t.Errorf("frank from elsewhere: %v", err)
		}
	})
}

// TestThrottledAttemptsNeitherSignInNorCount: a throttled attempt with the right password does
// not sign in and does not add a failure; a success clears its own address's failures only.
func TestThrottledAttemptsNeitherSignInNorCount(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedTown(t, db)("gina")
		const a, b = "192.0.2.10", "192.0.2.11"
		fail(t, db, "gina", a, auth.MaxFailures, 0)
		fail(t, db, "gina", b, 2, time.Minute)
		count := func() (n int) {
			_ = db.QueryRow(ctx, `SELECT COUNT(*) FROM login_failures WHERE username = 'gina'`).Scan(&n)
			return n
		}
		if _, err := auth.Authenticate(ctx, db, "gina", "longenough", a); !errors.Is(err, auth.ErrThrottled) {
			t.Fatalf("throttled attempt with the right password: %v", err)
		}
		if n := count(); n != auth.MaxFailures+2 {
			t.Errorf("%d failures after a throttled attempt, want %d (not counted)", n, auth.MaxFailures+2)
		}
		if _, err := auth.Authenticate(ctx, db, "gina", "longenough", b); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != auth.MaxFailures {
			t.Errorf("%d failures after signing in from b, want %d (a's remain)", n, auth.MaxFailures)
		}
		// An oversized password is a wrong one, counted like any other.
		if _, err := auth.Authenticate(ctx, db, "gina", string(make([]byte, 1<<20)), b); !errors.Is(err, auth.ErrBadCredentials) {
			t.Errorf("1 MB password: %v", err)
		}
	})
}
