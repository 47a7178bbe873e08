// Package capacity is the one capacity engine behind bookings' time slots and volunteer
// activities' roles: a pool of places, claims on it by a holder (a user or a unit) for one person
// or a group, a waiting list that promotes automatically when places free, time-limited holds
// that pass on when they expire, check-in and no-show.
//
// # The guarantee
//
// No pool is ever overbooked, under any concurrency, on both databases. Every function that
// changes a pool or its claims takes a transaction and first locks the pool's row — SELECT … FOR
// UPDATE on PostgreSQL; on SQLite every write transaction begins IMMEDIATE (the store's DSN), so
// the writer is alone — and then counts and changes the claims inside that transaction. A
// transition that touches two claims (a cancel that promotes another) holds the same pool lock,
// so it is atomic. The pool row carries used_people / used_groups, kept by each transition in
// the same transaction (the tests recount them from the claims), and the database CHECKs them
// against the capacity: even a bug here would fail the transaction rather than overbook.
//
// # States
//
//	waiting    on the waiting list; occupies nothing
//	held       offered a place that freed up; occupies it until HoldUntil, must Confirm before
//	confirmed  has a place
//	checked_in came (from confirmed or no_show)
//	no_show    did not come (from confirmed); still counts as occupying — the place was given
//	cancelled  by the holder or by staff with a reason
//	expired    a hold not confirmed in time
//
// Occupying states: held, confirmed, checked_in, no_show.
//
// # The waiting-list rule (first fit, in order)
//
// When places free up, the engine walks the waiting list by priority (higher first) then
// arrival (the claim's id, assigned under the pool's lock — the order in which claims reached the
// pool, not a clock) and offers a hold to every claim that fits into what is free, all or nothing
// for a group. A claim that does not fit is skipped, keeping its place at the head: a smaller
// claim that arrived later may therefore pass a big group that does not fit now (places are not
// left empty waiting for enough of them), and the big group is offered first as soon as enough
// places are free at once. A new claim that fits while others wait is confirmed at once only when
// no waiting claim fits (after promotion none does), so no newcomer takes a place a waiting claim
// could have had. This is pretix's order (priority, then date joined) with groups made whole.
//
// A pool with hold duration 0 confirms promoted claims at once instead of holding. A pool with
// ClosesAt (a slot's start) takes no claims and promotes nobody from then on, and a hold never
// runs past it: a place offered two hours before the start must be confirmed within those two hours.
//
// # Time
//
// Holds expire on their own: every function that locks a pool first sweeps its expired holds
// and promotes (so the state is correct without any ticker); Sweep does it for every pool with an
// expired hold, for a ticker in serve. Engine.Now is the clock (tests inject one).
package capacity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Claim states.
const (
	StateConfirmed = "confirmed"
	StateWaiting   = "waiting"
	StateHeld      = "held"
	StateCancelled = "cancelled"
	StateExpired   = "expired"
	StateCheckedIn = "checked_in"
	StateNoShow    = "no_show"
)

// States lists every claim state.
var States = []string{StateConfirmed, StateWaiting, StateHeld, StateCancelled, StateExpired, StateCheckedIn, StateNoShow}

// Occupying reports whether a claim in state s takes places in its pool.
func Occupying(s string) bool {
	return s == StateConfirmed || s == StateHeld || s == StateCheckedIn || s == StateNoShow
}

// Live reports whether a claim in state s is still in play (occupying or waiting).
func Live(s string) bool { return Occupying(s) || s == StateWaiting }

// Holder kinds.
const (
	HolderUser = "user" // a signed-in person; Ref is the user id
	HolderUnit = "unit" // a unit or party branch booking for a group; Ref is its code or name
)

// DefaultHold is the hold duration of a pool that does not set its own (pretix's default).
const DefaultHold = 48 * time.Hour

// MaxSize bounds one claim's size (a group of at most this many people).
const MaxSize = 10000

// Errors. Each is also one of problem's kinds, so the web layer answers with the right status.
var (
	ErrClosed       = problem.New(problem.ErrConflict, "pool", "closed to new claims")
	ErrFull         = problem.New(problem.ErrConflict, "pool", "no places left")
	ErrTooBig       = problem.New(problem.ErrInvalid, "size", "larger than the pool's capacity")
	ErrAlready      = problem.New(problem.ErrConflict, "holder", "already holds a live claim on this pool")
	ErrState        = problem.New(problem.ErrConflict, "state", "the claim is not in a state that allows this")
	ErrHoldExpired  = problem.New(problem.ErrConflict, "hold_until", "the hold has expired")
	ErrBelowUsed    = problem.New(problem.ErrConflict, "capacity", "lower than the places already taken")
	ErrNoPool       = problem.New(problem.ErrNotFound, "pool", "no such pool")
	ErrNoClaim      = problem.New(problem.ErrNotFound, "claim", "no such claim")
	ErrReasonNeeded = problem.New(problem.ErrInvalid, "reason", "staff cancelling a claim must give a reason")
)

// Pool is a number of places (and optionally of groups) that claims share.
type Pool struct {
	ID        int64         `json:"id"`
	Kind      string        `json:"kind"`      // who owns it: "booking_slot", "activity_role", …
	OwnerRef  string        `json:"owner_ref"` // the owner's id, as text
	Capacity  int           `json:"capacity"`  // people
	MaxGroups int           `json:"max_groups"`
	Hold      time.Duration `json:"-"`
	Closed    bool          `json:"closed"`
	// ClosesAt, when set, is when the pool stops: no claim or promotion from then on, and no
	// hold runs past it (a booking slot's start).
	ClosesAt time.Time `json:"closes_at,omitzero"`
	// Kept by the engine under the pool's lock.
	UsedPeople int `json:"used_people"`
	UsedGroups int `json:"used_groups"`
	Waiting    int `json:"waiting"` // waiting claims (not people)
}

// over reports whether the pool has reached its ClosesAt.
func (p Pool) over(now time.Time) bool { return !p.ClosesAt.IsZero() && !now.Before(p.ClosesAt) }

// Left is the number of free places.
func (p Pool) Left() int { return max(p.Capacity-p.UsedPeople, 0) }

// Fits reports whether a claim of size people, group or not, fits into what is free now.
func (p Pool) Fits(size int, group bool) bool {
	if size > p.Capacity-p.UsedPeople {
		return false
	}
	return !group || p.MaxGroups == 0 || p.UsedGroups < p.MaxGroups
}

// Claim is one holder's claim on a pool, for Size people.
type Claim struct {
	ID           int64     `json:"id"`
	PoolID       int64     `json:"pool_id"`
	HolderKind   string    `json:"holder_kind"`
	HolderRef    string    `json:"holder_ref"`
	Size         int       `json:"size"`
	State        string    `json:"state"`
	Priority     int       `json:"priority"`
	JoinedAt     time.Time `json:"joined_at"`
	HoldUntil    time.Time `json:"hold_until,omitzero"`
	CancelReason string    `json:"cancel_reason,omitempty"`
	CancelledBy  int64     `json:"cancelled_by,omitempty"`
	UpdatedAt    time.Time `json:"updated_at"`
	// Position is the 1-based place on the waiting list when the claim is waiting (filled by
	// Claim and Get; 0 otherwise).
	Position int `json:"position,omitempty"`
}

// Group reports whether the claim counts against a pool's MaxGroups: a unit's claim, or any claim
// for more than one person.
func (c Claim) Group() bool { return IsGroup(c.HolderKind, c.Size) }

// IsGroup is Claim.Group for a holder kind and size.
func IsGroup(holderKind string, size int) bool { return holderKind == HolderUnit || size > 1 }

// Change is what a transition did beyond the claim it was asked about: the claims promoted (held,
// or confirmed in a pool without holds) and the holds that expired, for the caller to notify.
type Change struct {
	Promoted []Claim
	Expired  []Claim
}

func (c *Change) add(o Change) {
	c.Promoted = append(c.Promoted, o.Promoted...)
	c.Expired = append(c.Expired, o.Expired...)
}

// Engine runs the transitions with a clock.
type Engine struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (e Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// NewPool describes a pool to create.
type NewPool struct {
	Kind      string
	OwnerRef  string
	Capacity  int
	MaxGroups int           // 0: no limit on groups
	Hold      time.Duration // 0 with DefaultHoldZero false: DefaultHold
	// NoHold makes promotion confirm at once instead of holding.
	NoHold bool
	Closed bool
	// ClosesAt: see Pool.ClosesAt (zero: never).
	ClosesAt time.Time
}

// CreatePool creates a pool; the (kind, owner) pair is unique.
func (e Engine) CreatePool(ctx context.Context, tx *store.Tx, n NewPool) (Pool, error) {
	if strings.TrimSpace(n.Kind) == "" || len(n.Kind) > 40 {
		return Pool{}, problem.Field("kind", "is required (at most 40 characters)")
	}
	if n.OwnerRef == "" || len(n.OwnerRef) > 100 {
		return Pool{}, problem.Field("owner_ref", "is required (at most 100 characters)")
	}
	if n.Capacity < 0 || n.Capacity > 1_000_000 {
		return Pool{}, problem.Field("capacity", "must be between 0 and 1000000")
	}
	if n.MaxGroups < 0 || n.MaxGroups > 10000 {
		return Pool{}, problem.Field("max_groups", "must be between 0 and 10000")
	}
	if n.Hold < 0 || n.Hold > 90*24*time.Hour {
		return Pool{}, problem.Field("hold", "must be between 0 and 90 days")
	}
	hold := n.Hold
	if hold == 0 {
		hold = DefaultHold
	}
	if n.NoHold {
		hold = 0
	}
	now := e.now().UnixMilli()
	var id int64
	var closes any
	if !n.ClosesAt.IsZero() {
		closes = n.ClosesAt.UnixMilli()
	}
	err := tx.QueryRow(ctx, `INSERT INTO capacity_pools (kind, owner_ref, capacity, max_groups, hold_seconds, closed, closes_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		n.Kind, n.OwnerRef, n.Capacity, n.MaxGroups, int64(hold/time.Second), boolInt(n.Closed), closes, now, now).Scan(&id)
	if err != nil {
		if isUnique(err) {
			return Pool{}, problem.Field("owner_ref", "a %s pool for %q exists already", n.Kind, n.OwnerRef)
		}
		return Pool{}, fmt.Errorf("create pool: %w", err)
	}
	return Pool{ID: id, Kind: n.Kind, OwnerRef: n.OwnerRef, Capacity: n.Capacity, MaxGroups: n.MaxGroups, Hold: hold, Closed: n.Closed, ClosesAt: n.ClosesAt}, nil
}

const poolCols = `id, kind, owner_ref, capacity, max_groups, hold_seconds, closed, closes_at, used_people, used_groups, waiting`

func scanPool(r interface{ Scan(...any) error }) (Pool, error) {
	var p Pool
	var hold int64
	var closed int
	var closes sql.NullInt64
	err := r.Scan(&p.ID, &p.Kind, &p.OwnerRef, &p.Capacity, &p.MaxGroups, &hold, &closed, &closes, &p.UsedPeople, &p.UsedGroups, &p.Waiting)
	p.Hold = time.Duration(hold) * time.Second
	p.Closed = closed != 0
	if closes.Valid {
		p.ClosesAt = time.UnixMilli(closes.Int64)
	}
	return p, err
}

// GetPool reads a pool without locking it (its counts are as of the last transition; a hold that
// expired since is swept by the next transition or Sweep).
func GetPool(ctx context.Context, q store.Querier, id int64) (Pool, error) {
	p, err := scanPool(q.QueryRow(ctx, `SELECT `+poolCols+` FROM capacity_pools WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Pool{}, ErrNoPool
	}
	return p, err
}

// PoolOf finds the pool of an owner.
func PoolOf(ctx context.Context, q store.Querier, kind, ownerRef string) (Pool, error) {
	p, err := scanPool(q.QueryRow(ctx, `SELECT `+poolCols+` FROM capacity_pools WHERE kind = ? AND owner_ref = ?`, kind, ownerRef))
	if errors.Is(err, sql.ErrNoRows) {
		return Pool{}, ErrNoPool
	}
	return p, err
}

// Pools reads several pools by id (at most 1000), in no particular order.
func Pools(ctx context.Context, q store.Querier, ids []int64) ([]Pool, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) > 1000 {
		return nil, problem.Field("ids", "at most 1000 pools at once")
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return store.Collect(ctx, q, func(r *sql.Rows) (Pool, error) { return scanPool(r) },
		`SELECT `+poolCols+` FROM capacity_pools WHERE id IN (`+store.Placeholders(len(ids))+`)`, args...)
}

// Lock locks the pool's row for the rest of tx, sweeps its expired holds (promoting into what
// they free) and returns it. Every transition calls it first; a caller that changes its own
// records together with a pool's (a booking and its claim) may call it too.
func (e Engine) Lock(ctx context.Context, tx *store.Tx, poolID int64) (Pool, Change, error) {
	p, err := lockPool(ctx, tx, poolID)
	if err != nil {
		return Pool{}, Change{}, err
	}
	ch, err := e.sweepLocked(ctx, tx, &p)
	return p, ch, err
}

func lockPool(ctx context.Context, tx *store.Tx, poolID int64) (Pool, error) {
	q := `SELECT ` + poolCols + ` FROM capacity_pools WHERE id = ?`
	if tx.Dialect() == store.Postgres {
		q += ` FOR UPDATE`
	}
	// SQLite: the transaction began IMMEDIATE, so this connection is the only writer until commit.
	p, err := scanPool(tx.QueryRow(ctx, q, poolID))
	if errors.Is(err, sql.ErrNoRows) {
		return Pool{}, ErrNoPool
	}
	return p, err
}

const claimCols = `id, pool_id, holder_kind, holder_ref, size, state, priority, joined_at, hold_until, cancel_reason, cancelled_by, updated_at`

func scanClaim(r interface{ Scan(...any) error }) (Claim, error) {
	var c Claim
	var joined, updated int64
	var hold, by sql.NullInt64
	err := r.Scan(&c.ID, &c.PoolID, &c.HolderKind, &c.HolderRef, &c.Size, &c.State, &c.Priority, &joined, &hold, &c.CancelReason, &by, &updated)
	c.JoinedAt = time.UnixMilli(joined)
	c.UpdatedAt = time.UnixMilli(updated)
	if hold.Valid {
		c.HoldUntil = time.UnixMilli(hold.Int64)
	}
	c.CancelledBy = by.Int64
	return c, err
}

// save writes the pool's counters, kept by each transition under the pool's lock; the CHECKs
// refuse an overbooked result.
func save(ctx context.Context, tx *store.Tx, p *Pool, now time.Time) error {
	if p.UsedPeople > p.Capacity || (p.MaxGroups > 0 && p.UsedGroups > p.MaxGroups) {
		// Never reached while the engine is right; the CHECK would refuse it anyway.
		return fmt.Errorf("pool %d would be overbooked (%d/%d people, %d/%d groups)", p.ID, p.UsedPeople, p.Capacity, p.UsedGroups, p.MaxGroups)
	}
	_, err := tx.Exec(ctx, `UPDATE capacity_pools SET used_people = ?, used_groups = ?, waiting = ?, updated_at = ? WHERE id = ?`,
		p.UsedPeople, p.UsedGroups, p.Waiting, now.UnixMilli(), p.ID)
	return err
}

// take adds (sign 1) or removes (sign -1) an occupying claim from the pool's counters.
func (p *Pool) take(c Claim, sign int) {
	p.UsedPeople += sign * c.Size
	if c.Group() {
		p.UsedGroups += sign
	}
}

// sweepLocked expires the pool's holds that ran out and promotes into what is free.
func (e Engine) sweepLocked(ctx context.Context, tx *store.Tx, p *Pool) (Change, error) {
	now := e.now()
	var ch Change
	expired, err := store.Collect(ctx, tx, func(r *sql.Rows) (Claim, error) { return scanClaim(r) },
		`SELECT `+claimCols+` FROM capacity_claims WHERE pool_id = ? AND state = 'held' AND hold_until <= ? ORDER BY id`, p.ID, now.UnixMilli())
	if err != nil {
		return ch, err
	}
	for _, c := range expired {
		if _, err := tx.Exec(ctx, `UPDATE capacity_claims SET state = 'expired', updated_at = ? WHERE id = ?`, now.UnixMilli(), c.ID); err != nil {
			return ch, err
		}
		p.take(c, -1)
		c.State = StateExpired
		ch.Expired = append(ch.Expired, c)
	}
	if len(expired) > 0 {
		if err := save(ctx, tx, p, now); err != nil {
			return ch, err
		}
	}
	promoted, err := e.promote(ctx, tx, p)
	ch.Promoted = promoted
	return ch, err
}

// promote offers what is free to the waiting list, first fit in order (see the package doc).
// The pool is locked and its counters current.
func (e Engine) promote(ctx context.Context, tx *store.Tx, p *Pool) ([]Claim, error) {
	now := e.now()
	if p.Closed || p.Waiting == 0 || p.Left() == 0 || p.over(now) {
		return nil, nil
	}
	waiting, err := store.Collect(ctx, tx, func(r *sql.Rows) (Claim, error) { return scanClaim(r) },
		`SELECT `+claimCols+` FROM capacity_claims WHERE pool_id = ? AND state = 'waiting' AND size <= ? ORDER BY priority DESC, id`,
		p.ID, p.Left())
	if err != nil {
		return nil, err
	}
	var out []Claim
	for _, c := range waiting {
		if !p.Fits(c.Size, c.Group()) {
			continue
		}
		c.State = StateHeld
		var hold any
		if p.Hold == 0 {
			c.State = StateConfirmed
		} else {
			c.HoldUntil = now.Add(p.Hold)
			if !p.ClosesAt.IsZero() && c.HoldUntil.After(p.ClosesAt) {
				c.HoldUntil = p.ClosesAt
			}
			hold = c.HoldUntil.UnixMilli()
		}
		if _, err := tx.Exec(ctx, `UPDATE capacity_claims SET state = ?, hold_until = ?, updated_at = ? WHERE id = ?`,
			c.State, hold, now.UnixMilli(), c.ID); err != nil {
			return nil, err
		}
		p.take(c, 1)
		p.Waiting--
		out = append(out, c)
		if p.Left() == 0 {
			break
		}
	}
	if len(out) > 0 {
		if err := save(ctx, tx, p, now); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ClaimRequest asks for Size places in a pool for a holder.
type ClaimRequest struct {
	PoolID     int64
	HolderKind string // HolderUser or HolderUnit
	HolderRef  string
	Size       int
	Priority   int // higher is promoted first; 0 for everyone by default
	// NoWait refuses with ErrFull instead of joining the waiting list.
	NoWait bool
}

// Claim takes places for a holder: confirmed when the claim fits into what is free, else waiting
// (or ErrFull with NoWait). A holder has at most one live claim per pool (ErrAlready).
func (e Engine) Claim(ctx context.Context, tx *store.Tx, r ClaimRequest) (Claim, Change, error) {
	if r.HolderKind != HolderUser && r.HolderKind != HolderUnit {
		return Claim{}, Change{}, problem.Field("holder_kind", "must be %q or %q", HolderUser, HolderUnit)
	}
	if r.HolderRef == "" || len(r.HolderRef) > 100 {
		return Claim{}, Change{}, problem.Field("holder_ref", "is required (at most 100 characters)")
	}
	if r.Size < 1 || r.Size > MaxSize {
		return Claim{}, Change{}, problem.Field("size", "must be between 1 and %d", MaxSize)
	}
	p, ch, err := e.Lock(ctx, tx, r.PoolID)
	if err != nil {
		return Claim{}, ch, err
	}
	if p.Closed || p.over(e.now()) {
		return Claim{}, ch, ErrClosed
	}
	if r.Size > p.Capacity {
		return Claim{}, ch, ErrTooBig
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM capacity_claims WHERE pool_id = ? AND holder_kind = ? AND holder_ref = ?
		AND state IN ('confirmed','waiting','held','checked_in','no_show')`, p.ID, r.HolderKind, r.HolderRef).Scan(&n); err != nil {
		return Claim{}, ch, err
	}
	if n > 0 {
		return Claim{}, ch, ErrAlready
	}
	now := e.now()
	c := Claim{PoolID: p.ID, HolderKind: r.HolderKind, HolderRef: r.HolderRef, Size: r.Size, Priority: r.Priority,
		JoinedAt: now, UpdatedAt: now, State: StateWaiting}
	// After the sweep no waiting claim fits what is free (or the pool is closed), so a newcomer
	// that fits takes nothing a waiting claim could have had.
	if p.Fits(c.Size, c.Group()) {
		c.State = StateConfirmed
	} else if r.NoWait {
		return Claim{}, ch, ErrFull
	}
	err = tx.QueryRow(ctx, `INSERT INTO capacity_claims (pool_id, holder_kind, holder_ref, size, state, priority, joined_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.PoolID, c.HolderKind, c.HolderRef, c.Size, c.State, c.Priority, now.UnixMilli(), now.UnixMilli()).Scan(&c.ID)
	if err != nil {
		if isUnique(err) {
			return Claim{}, ch, ErrAlready
		}
		return Claim{}, ch, fmt.Errorf("claim: %w", err)
	}
	if c.State == StateConfirmed {
		p.take(c, 1)
	} else {
		p.Waiting++
	}
	if err := save(ctx, tx, &p, now); err != nil {
		return Claim{}, ch, err
	}
	if c.State == StateWaiting {
		if c.Position, err = position(ctx, tx, c); err != nil {
			return Claim{}, ch, err
		}
	}
	return c, ch, nil
}

// position is a waiting claim's 1-based place on its pool's list.
func position(ctx context.Context, q store.Querier, c Claim) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM capacity_claims WHERE pool_id = ? AND state = 'waiting'
		AND (priority > ? OR (priority = ? AND id <= ?))`, c.PoolID, c.Priority, c.Priority, c.ID).Scan(&n)
	return n, err
}

// lockClaim locks the pool of a claim (sweeping it) and reads the claim under that lock.
func (e Engine) lockClaim(ctx context.Context, tx *store.Tx, claimID int64) (Pool, Claim, Change, error) {
	var poolID int64
	if err := tx.QueryRow(ctx, `SELECT pool_id FROM capacity_claims WHERE id = ?`, claimID).Scan(&poolID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Pool{}, Claim{}, Change{}, ErrNoClaim
		}
		return Pool{}, Claim{}, Change{}, err
	}
	p, ch, err := e.Lock(ctx, tx, poolID)
	if err != nil {
		return p, Claim{}, ch, err
	}
	c, err := scanClaim(tx.QueryRow(ctx, `SELECT `+claimCols+` FROM capacity_claims WHERE id = ?`, claimID))
	return p, c, ch, err
}

// GetClaim reads a claim (with its waiting-list position) without locking.
func GetClaim(ctx context.Context, q store.Querier, id int64) (Claim, error) {
	c, err := scanClaim(q.QueryRow(ctx, `SELECT `+claimCols+` FROM capacity_claims WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Claim{}, ErrNoClaim
	}
	if err == nil && c.State == StateWaiting {
		c.Position, err = position(ctx, q, c)
	}
	return c, err
}

// Canceller is who cancels: the holder (Staff false) or staff, who must give a reason.
type Canceller struct {
	UserID int64
	Staff  bool
	Reason string
}

// Cancel cancels a live claim (confirmed, held or waiting); the places it frees go to the waiting
// list in the same transaction.
func (e Engine) Cancel(ctx context.Context, tx *store.Tx, claimID int64, by Canceller) (Claim, Change, error) {
	by.Reason = strings.TrimSpace(by.Reason)
	if by.Staff && by.Reason == "" {
		return Claim{}, Change{}, ErrReasonNeeded
	}
	if len(by.Reason) > 500 {
		return Claim{}, Change{}, problem.Field("reason", "is longer than 500 bytes")
	}
	p, c, ch, err := e.lockClaim(ctx, tx, claimID)
	if err != nil {
		return c, ch, err
	}
	if c.State != StateConfirmed && c.State != StateHeld && c.State != StateWaiting {
		return c, ch, ErrState
	}
	now := e.now()
	if _, err := tx.Exec(ctx, `UPDATE capacity_claims SET state = 'cancelled', cancel_reason = ?, cancelled_by = ?, updated_at = ? WHERE id = ?`,
		by.Reason, store.NullIfZero(by.UserID), now.UnixMilli(), c.ID); err != nil {
		return c, ch, err
	}
	if c.State == StateWaiting {
		p.Waiting--
	} else {
		p.take(c, -1)
	}
	c.State, c.CancelReason, c.CancelledBy, c.UpdatedAt = StateCancelled, by.Reason, by.UserID, now
	if err := save(ctx, tx, &p, now); err != nil {
		return c, ch, err
	}
	promoted, err := e.promote(ctx, tx, &p)
	ch.Promoted = append(ch.Promoted, promoted...)
	return c, ch, err
}

// Confirm takes up a hold before it expires (ErrHoldExpired after: the hold has passed on).
// Confirming a claim that is confirmed already is not an error.
func (e Engine) Confirm(ctx context.Context, tx *store.Tx, claimID int64) (Claim, Change, error) {
	_, c, ch, err := e.lockClaim(ctx, tx, claimID)
	if err != nil {
		return c, ch, err
	}
	switch c.State {
	case StateConfirmed:
		return c, ch, nil
	case StateExpired:
		return c, ch, ErrHoldExpired
	case StateHeld:
	default:
		return c, ch, ErrState
	}
	now := e.now()
	if _, err := tx.Exec(ctx, `UPDATE capacity_claims SET state = 'confirmed', updated_at = ? WHERE id = ?`, now.UnixMilli(), c.ID); err != nil {
		return c, ch, err
	}
	c.State, c.UpdatedAt = StateConfirmed, now
	return c, ch, nil
}

// CheckIn records that a confirmed claim's people came (also correcting a no-show).
func (e Engine) CheckIn(ctx context.Context, tx *store.Tx, claimID int64) (Claim, Change, error) {
	return e.move(ctx, tx, claimID, StateCheckedIn, StateConfirmed, StateNoShow)
}

// MarkNoShow records that a confirmed claim's people did not come. The places stay taken (they
// were given); nobody is promoted.
func (e Engine) MarkNoShow(ctx context.Context, tx *store.Tx, claimID int64) (Claim, Change, error) {
	return e.move(ctx, tx, claimID, StateNoShow, StateConfirmed)
}

func (e Engine) move(ctx context.Context, tx *store.Tx, claimID int64, to string, from ...string) (Claim, Change, error) {
	_, c, ch, err := e.lockClaim(ctx, tx, claimID)
	if err != nil {
		return c, ch, err
	}
	if c.State == to {
		return c, ch, nil
	}
	ok := false
	for _, f := range from {
		ok = ok || c.State == f
	}
	if !ok {
		return c, ch, ErrState
	}
	now := e.now()
	if _, err := tx.Exec(ctx, `UPDATE capacity_claims SET state = ?, updated_at = ? WHERE id = ?`, to, now.UnixMilli(), c.ID); err != nil {
		return c, ch, err
	}
	c.State, c.UpdatedAt = to, now
	return c, ch, nil
}

// SetCapacity changes a pool's capacity (never below the places taken: ErrBelowUsed) and max
// groups; more places promote from the waiting list.
func (e Engine) SetCapacity(ctx context.Context, tx *store.Tx, poolID int64, capacity, maxGroups int) (Pool, Change, error) {
	if capacity < 0 || capacity > 1_000_000 {
		return Pool{}, Change{}, problem.Field("capacity", "must be between 0 and 1000000")
	}
	if maxGroups < 0 || maxGroups > 10000 {
		return Pool{}, Change{}, problem.Field("max_groups", "must be between 0 and 10000")
	}
	p, ch, err := e.Lock(ctx, tx, poolID)
	if err != nil {
		return p, ch, err
	}
	if capacity < p.UsedPeople || (maxGroups > 0 && maxGroups < p.UsedGroups) {
		return p, ch, ErrBelowUsed
	}
	p.Capacity, p.MaxGroups = capacity, maxGroups
	if _, err := tx.Exec(ctx, `UPDATE capacity_pools SET capacity = ?, max_groups = ?, updated_at = ? WHERE id = ?`,
		capacity, maxGroups, e.now().UnixMilli(), p.ID); err != nil {
		return p, ch, err
	}
	promoted, err := e.promote(ctx, tx, &p)
	ch.Promoted = append(ch.Promoted, promoted...)
	return p, ch, err
}

// SetClosed closes a pool to new claims and to promotion (the waiting list stays, frozen) or
// reopens it (promoting into what is free).
func (e Engine) SetClosed(ctx context.Context, tx *store.Tx, poolID int64, closed bool) (Pool, Change, error) {
	p, ch, err := e.Lock(ctx, tx, poolID)
	if err != nil {
		return p, ch, err
	}
	p.Closed = closed
	if _, err := tx.Exec(ctx, `UPDATE capacity_pools SET closed = ?, updated_at = ? WHERE id = ?`, boolInt(closed), e.now().UnixMilli(), p.ID); err != nil {
		return p, ch, err
	}
	promoted, err := e.promote(ctx, tx, &p)
	ch.Promoted = append(ch.Promoted, promoted...)
	return p, ch, err
}

// Sweep expires every hold that ran out and passes it on, one transaction per pool (a ticker in
// serve calls it; every transition sweeps its own pool too). It returns what changed.
func (e Engine) Sweep(ctx context.Context, db *store.DB) (Change, error) {
	skip, args := "", []any{e.now().UnixMilli()}
	if kinds := ownSwept(); len(kinds) > 0 {
		skip = ` AND pool_id NOT IN (SELECT id FROM capacity_pools WHERE kind IN (?` + strings.Repeat(", ?", len(kinds)-1) + `))`
		for _, k := range kinds {
			args = append(args, k)
		}
	}
	ids, err := store.Collect(ctx, db, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, `SELECT DISTINCT pool_id FROM capacity_claims WHERE state = 'held' AND hold_until <= ?`+skip+` LIMIT 1000`, args...)
	if err != nil {
		return Change{}, err
	}
	var all Change
	for _, id := range ids {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			_, ch, err := e.Lock(ctx, tx, id)
			if err == nil {
				all.add(ch)
			}
			return err
		})
		if err != nil {
			return all, fmt.Errorf("sweep pool %d: %w", id, err)
		}
	}
	return all, nil
}

// Claims lists a pool's claims in the given states (all when none), waiting ones in promotion
// order after the others, each group by id; at most limit (1..5000, default 1000).
func Claims(ctx context.Context, q store.Querier, poolID int64, limit int, states ...string) ([]Claim, error) {
	if limit <= 0 || limit > 5000 {
		limit = 1000
	}
	where := `pool_id = ?`
	args := []any{poolID}
	if len(states) > 0 {
		in, sargs := store.In("state", states)
		where += ` AND ` + in
		args = append(args, sargs...)
	}
	args = append(args, limit)
	out, err := store.Collect(ctx, q, func(r *sql.Rows) (Claim, error) { return scanClaim(r) },
		`SELECT `+claimCols+` FROM capacity_claims WHERE `+where+`
		ORDER BY CASE WHEN state = 'waiting' THEN 1 ELSE 0 END, CASE WHEN state = 'waiting' THEN -priority ELSE 0 END, id LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	pos := 0
	for i := range out {
		if out[i].State == StateWaiting {
			if len(states) == 0 || (len(states) == 1 && states[0] == StateWaiting) {
				pos++
				out[i].Position = pos
			}
		}
	}
	return out, nil
}

// HolderClaims lists a holder's claims, newest first, at most limit (1..1000, default 200).
func HolderClaims(ctx context.Context, q store.Querier, holderKind, holderRef string, limit int) ([]Claim, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	return store.Collect(ctx, q, func(r *sql.Rows) (Claim, error) { return scanClaim(r) },
		`SELECT `+claimCols+` FROM capacity_claims WHERE holder_kind = ? AND holder_ref = ? ORDER BY id DESC LIMIT ?`, holderKind, holderRef, limit)
}

// Counts is the number of claims and of people per state in a pool.
type Counts struct {
	Claims map[string]int `json:"claims"`
	People map[string]int `json:"people"`
}

// Count counts a pool's claims and people by state.
func Count(ctx context.Context, q store.Querier, poolID int64) (Counts, error) {
	c := Counts{Claims: map[string]int{}, People: map[string]int{}}
	rows, err := q.Query(ctx, `SELECT state, COUNT(*), COALESCE(SUM(size), 0) FROM capacity_claims WHERE pool_id = ? GROUP BY state`, poolID)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var n, p int
		if err := rows.Scan(&s, &n, &p); err != nil {
			return c, err
		}
		c.Claims[s], c.People[s] = n, p
	}
	return c, rows.Err()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func isUnique(err error) bool {
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "unique") || strings.Contains(s, "duplicate key")
}

// sweptByOwner holds the pool kinds whose capability sweeps its own pools (SweepKind), so that
// the holders hear of promotions and expiries in the sweep's transaction: Sweep leaves them be.
var sweptByOwner sync.Map // kind → struct{}

// SweptByOwner tells Sweep to leave pools of kind to their capability's SweepKind.
func SweptByOwner(kind string) { sweptByOwner.Store(kind, struct{}{}) }

func ownSwept() []string {
	var out []string
	sweptByOwner.Range(func(k, _ any) bool { out = append(out, k.(string)); return true })
	sort.Strings(out)
	return out
}

// SweepKind expires the holds that ran out in pools of one kind and passes them on, one
// transaction per pool; tell runs inside each with what changed (the promoted and the expired),
// so a capability's notices commit with the change.
func (e Engine) SweepKind(ctx context.Context, db *store.DB, kind string, tell func(tx *store.Tx, poolID int64, ch Change) error) (int, error) {
	ids, err := store.Collect(ctx, db, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, `SELECT DISTINCT c.pool_id FROM capacity_claims c JOIN capacity_pools p ON p.id = c.pool_id
		WHERE c.state = 'held' AND c.hold_until <= ? AND p.kind = ? LIMIT 1000`, e.now().UnixMilli(), kind)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			_, ch, err := e.Lock(ctx, tx, id)
			if err != nil {
				return err
			}
			return tell(tx, id, ch)
		})
		if err != nil {
			return 0, fmt.Errorf("sweep pool %d: %w", id, err)
		}
	}
	return len(ids), nil
}
