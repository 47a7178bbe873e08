package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Sign-in throttling. Failures are remembered for FailureWindow and counted three ways; a count
// past its free allowance imposes a delay, from the latest failure it counted, that doubles with
// each further failure (1 s, 2 s, 4 s …) up to a cap. Delays, not lock-outs: whoever waits may try
// again, and a stranger's failures hold back only what they share with the stranger.
//
//   - One username from one address: MaxFailures free, capped at maxPairDelay. This is one
//     guesser at one account, slowed hard — from that address only, so the account's owner,
//     signing in from elsewhere, is not locked out by an attacker's failures.
//   - One username from any address: userFreeFailures free, capped at maxUserDelay: guessing
//     spread over many addresses is slowed too, gently, and not at all for an address from
//     which the user signed in successfully within knownAddressFor.
//   - One address, counting distinct usernames: addrFreeUsernames free, capped at maxAddrDelay:
//     an address trying many accounts is slowed, while an office behind one NAT is not held up by
//     one colleague mistyping their own password over and over.
const (
	MaxFailures       = 5
	FailureWindow     = time.Hour
	maxPairDelay      = 15 * time.Minute
	userFreeFailures  = 20
	maxUserDelay      = time.Minute
	addrFreeUsernames = 20
	maxAddrDelay      = time.Minute
	knownAddressFor   = 30 * 24 * time.Hour
)

// ErrThrottled means too many recent failures; the error is a *ThrottledError saying how long to wait.
var ErrThrottled = problem.New(problem.ErrThrottled, "", "too many failed sign-in attempts")

// ThrottledError is ErrThrottled with the time until the next attempt is allowed.
type ThrottledError struct{ Wait time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("%v; try again in %d seconds", ErrThrottled, e.Seconds())
}

// Unwrap makes errors.Is(err, ErrThrottled) — and so problem.ErrThrottled — hold.
func (e *ThrottledError) Unwrap() error { return ErrThrottled }

// Seconds is the wait rounded up to whole seconds (for Retry-After).
func (e *ThrottledError) Seconds() int { return int(math.Ceil(e.Wait.Seconds())) }

// ErrBadCredentials is the one answer for unknown users and wrong passwords alike.
var ErrBadCredentials = problem.New(problem.ErrUnauthenticated, "", "wrong username or password")

var dummyHash, _ = HashPassword(dummyHashInput)

// failureDelay is the delay k counted failures impose, free of them first.
func failureDelay(k, free int, max time.Duration) time.Duration {
	if k < free {
		return 0
	}
	if k-free >= 30 {
		return max
	}
	return min(time.Second<<(k-free), max)
}

// untilAllowed is how long after now a count of k failures, the latest at last (ms), holds back.
func untilAllowed(now time.Time, k int, last int64, free int, max time.Duration) time.Duration {
	d := failureDelay(k, free, max)
	if d == 0 {
		return 0
	}
	return time.UnixMilli(last).Add(d).Sub(now)
}

// Authenticate checks a username and password from address ip, throttling as described above.
func Authenticate(ctx context.Context, db *store.DB, username, password, ip string) (User, error) {
	u, err := checkCredentials(ctx, db, username, password, ip)
	if err != nil {
		return User{}, err
	}
	// A sign-in the log cannot record does not happen.
	if err := audit.Record(ctx, db, audit.Entry{ActorID: u.ID, Actor: u.Username, Action: audit.ActionLogin, Entity: "user",
		EntityID: fmt.Sprint(u.ID), TownCode: u.TownCode, IP: ip}); err != nil {
		return User{}, fmt.Errorf("audit sign-in: %w", err)
	}
	return u, nil
}

// checkCredentials is the throttled password check of a sign-in (and of a password change,
// which asks for the current password): failures counted and audited, success forgiving them.
func checkCredentials(ctx context.Context, db *store.DB, username, password, ip string) (User, error) {
	if len(username) > 64 { // no such user: usernames are at most 64 bytes; keep the record small
		username = username[:64]
	}
	now := time.Now()
	since := now.Add(-FailureWindow).UnixMilli()
	var hash string
	u, err := scanUserWith(db.QueryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE username = ?`, username), &hash)
	found := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return User{}, err
	}

	var pairN, userN, addrN int
	var pairLast, userLast, addrLast sql.NullInt64
	if err := db.QueryRow(ctx, `SELECT COUNT(*), MAX(at) FROM login_failures WHERE username = ? AND ip = ? AND at > ?`, username, ip, since).
		Scan(&pairN, &pairLast); err != nil {
		return User{}, err
	}
	if err := db.QueryRow(ctx, `SELECT COUNT(*), MAX(at) FROM login_failures WHERE username = ? AND at > ?`, username, since).
		Scan(&userN, &userLast); err != nil {
		return User{}, err
	}
	if ip != "" {
		if err := db.QueryRow(ctx, `SELECT COUNT(DISTINCT username), MAX(at) FROM login_failures WHERE ip = ? AND at > ?`, ip, since).
			Scan(&addrN, &addrLast); err != nil {
			return User{}, err
		}
	}
	wait := max(untilAllowed(now, pairN, pairLast.Int64, MaxFailures, maxPairDelay),
		untilAllowed(now, addrN, addrLast.Int64, addrFreeUsernames, maxAddrDelay))
	if w := untilAllowed(now, userN, userLast.Int64, userFreeFailures, maxUserDelay); w > wait {
		known, err := knownAddress(ctx, db, u, found, ip, now)
		if err != nil {
			return User{}, err
		}
		if !known {
			wait = w
		}
	}
	if wait > 0 {
		return User{}, &ThrottledError{Wait: wait}
	}

	// The attempt counts as a failure until the password is checked, so that attempts sent at
	// once see each other and a burst cannot slip past the counts above.
	var pending int64
	if err := db.QueryRow(ctx, `INSERT INTO login_failures (username, ip, at) VALUES (?, ?, ?) RETURNING id`, username, ip, now.UnixMilli()).
		Scan(&pending); err != nil {
		return User{}, err
	}
	if !found {
		hash = dummyHash // spend the same time, so response times do not reveal which usernames exist
	}
	if len(password) > maxPasswordLen || !CheckPassword(hash, password) || !found || u.Disabled {
		_, _ = db.Exec(ctx, `DELETE FROM login_failures WHERE at < ?`, now.Add(-FailureWindow).UnixMilli())
		if err := audit.Record(ctx, db, audit.Entry{Actor: username, Action: audit.ActionLoginKO, Entity: "user", EntityID: username,
			TownCode: u.TownCode, IP: ip}); err != nil {
			return User{}, fmt.Errorf("audit failed sign-in: %w", err)
		}
		return User{}, ErrBadCredentials
	}
	// Success forgives this address's failures for the account, not other addresses'.
	_, _ = db.Exec(ctx, `DELETE FROM login_failures WHERE id = ? OR (username = ? AND ip = ?)`, pending, username, ip)
	return u, nil
}

// knownAddress reports whether u signed in successfully from ip within knownAddressFor.
func knownAddress(ctx context.Context, db *store.DB, u User, found bool, ip string, now time.Time) (bool, error) {
	if !found || ip == "" {
		return false, nil
	}
	var n int
	err := db.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'user' AND entity_id = ? AND action = ? AND ip = ? AND at > ?`,
		fmt.Sprint(u.ID), audit.ActionLogin, ip, now.Add(-knownAddressFor).UnixMilli()).Scan(&n)
	return n > 0, err
}
