package capacity_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/capacity"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// clock is a settable clock shared by goroutines.
type clock struct{ ms atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ms.Store(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC).UnixMilli())
	return c
}
func (c *clock) Now() time.Time          { return time.UnixMilli(c.ms.Load()) }
func (c *clock) Advance(d time.Duration) { c.ms.Add(d.Milliseconds()) }

func newPool(t testing.TB, db *store.DB, e capacity.Engine, n capacity.NewPool) capacity.Pool {
	t.Helper()
	if n.Kind == "" {
		n.Kind = "test"
	}
	if n.OwnerRef == "" {
		n.OwnerRef = fmt.Sprintf("owner-%d", rand.Int64())
	}
	var p capacity.Pool
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		var err error
		p, err = e.CreatePool(context.Background(), tx, n)
		return err
	})
	if err != nil {
		t.Fatalf("create pool: %v", err)
	}
	return p
}

func claim(t testing.TB, db *store.DB, e capacity.Engine, pool int64, kind, ref string, size int) (capacity.Claim, capacity.Change, error) {
	t.Helper()
	var c capacity.Claim
	var ch capacity.Change
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		var err error
		c, ch, err = e.Claim(context.Background(), tx, capacity.ClaimRequest{PoolID: pool, HolderKind: kind, HolderRef: ref, Size: size})
		return err
	})
	return c, ch, err
}

func must[T any](t testing.TB) func(T, capacity.Change, error) (T, capacity.Change) {
	return func(v T, ch capacity.Change, err error) (T, capacity.Change) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v, ch
	}
}

type op func(ctx context.Context, tx *store.Tx, id int64) (capacity.Claim, capacity.Change, error)

func do(db *store.DB, f op, id int64) (capacity.Claim, capacity.Change, error) {
	var c capacity.Claim
	var ch capacity.Change
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		var err error
		c, ch, err = f(context.Background(), tx, id)
		return err
	})
	return c, ch, err
}

// cancelBy cancels through e, so that the cancel runs on the test's clock: on the wall clock a
// pool that closes at a time of the test's clock was over once the real day passed it.
func cancelBy(e capacity.Engine, holder bool) op {
	return func(ctx context.Context, tx *store.Tx, id int64) (capacity.Claim, capacity.Change, error) {
		return e.Cancel(ctx, tx, id, capacity.Canceller{Staff: !holder, Reason: "test"})
	}
}

// checkInvariant recounts the pool from its claims and checks the guarantee and the counters.
func checkInvariant(t testing.TB, db *store.DB, poolID int64) capacity.Pool {
	t.Helper()
	ctx := context.Background()
	var p capacity.Pool
	var all []capacity.Claim
	// Read the pool and its claims under the pool's lock, as one consistent picture.
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if tx.Dialect() == store.Postgres {
			if _, err := tx.Exec(ctx, `SELECT id FROM capacity_pools WHERE id = ? FOR UPDATE`, poolID); err != nil {
				return err
			}
		}
		var err error
		if p, err = capacity.GetPool(ctx, tx, poolID); err != nil {
			return err
		}
		all, err = capacity.Claims(ctx, tx, poolID, 5000)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	people, groups, waiting := 0, 0, 0
	live := map[string]int{}
	for _, c := range all {
		if capacity.Occupying(c.State) {
			people += c.Size
			if c.Group() {
				groups++
			}
		}
		if c.State == capacity.StateWaiting {
			waiting++
		}
		if capacity.Live(c.State) {
			live[c.HolderKind+":"+c.HolderRef]++
		}
	}
	if people > p.Capacity {
		t.Fatalf("pool %d overbooked: %d people for %d places", poolID, people, p.Capacity)
	}
	if p.MaxGroups > 0 && groups > p.MaxGroups {
		t.Fatalf("pool %d has %d groups for at most %d", poolID, groups, p.MaxGroups)
	}
	if people != p.UsedPeople || groups != p.UsedGroups || waiting != p.Waiting {
		t.Fatalf("pool %d counters %d/%d/%d, claims say %d/%d/%d", poolID, p.UsedPeople, p.UsedGroups, p.Waiting, people, groups, waiting)
	}
	for h, n := range live {
		if n > 1 {
			t.Fatalf("holder %s has %d live claims", h, n)
		}
	}
	return p
}

func TestFiftyClaimsForFivePlaces(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := capacity.Engine{}
		p := newPool(t, db, e, capacity.NewPool{Capacity: 5})
		const n = 50
		got := make([]capacity.Claim, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				<-start
				c, _, err := claim(t, db, e, p.ID, capacity.HolderUser, fmt.Sprint(i), 1)
				if err != nil {
					errs <- err
				}
				got[i] = c
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("claim: %v", err)
		}
		slices.SortFunc(got, func(a, b capacity.Claim) int { return int(a.ID - b.ID) })
		for i, c := range got {
			// Arrival order is the order the claims reached the pool's lock: the first five
			// confirmed, each later one waiting at the position it was told.
			if i < 5 {
				if c.State != capacity.StateConfirmed {
					t.Fatalf("claim %d (arrival %d) is %s, want confirmed", c.ID, i+1, c.State)
				}
				continue
			}
			if c.State != capacity.StateWaiting || c.Position != i-4 {
				t.Fatalf("claim %d (arrival %d) is %s at position %d, want waiting at %d", c.ID, i+1, c.State, c.Position, i-4)
			}
			if c.JoinedAt.Before(got[i-1].JoinedAt) {
				t.Fatalf("claim %d joined before the claim that arrived ahead of it", c.ID)
			}
		}
		pool := checkInvariant(t, db, p.ID)
		if pool.UsedPeople != 5 || pool.Waiting != 45 {
			t.Fatalf("pool: %d used, %d waiting; want 5 and 45", pool.UsedPeople, pool.Waiting)
		}
		list, err := capacity.Claims(context.Background(), db, p.ID, 0, capacity.StateWaiting)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range list {
			if c.ID != got[5+i].ID || c.Position != i+1 {
				t.Fatalf("waiting list entry %d is claim %d at %d, want claim %d", i+1, c.ID, c.Position, got[5+i].ID)
			}
		}
		// The second claim by one holder is refused.
		if _, _, err := claim(t, db, e, p.ID, capacity.HolderUser, "7", 1); !errors.Is(err, capacity.ErrAlready) || !errors.Is(err, problem.ErrConflict) {
			t.Fatalf("second claim by one holder: %v, want ErrAlready", err)
		}
	})
}

func TestHoldExpiresAndPassesOn(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		clk := newClock()
		e := capacity.Engine{Now: clk.Now}
		ctx := context.Background()
		p := newPool(t, db, e, capacity.NewPool{Capacity: 2, Hold: time.Hour})
		ids := map[string]int64{}
		for _, h := range []string{"a", "b", "c", "d", "e"} {
			c, _ := must[capacity.Claim](t)(claim(t, db, e, p.ID, capacity.HolderUser, h, 1))
			ids[h] = c.ID
			clk.Advance(time.Second)
		}
		// a cancels: c (first waiting) gets a hold of one hour.
		_, ch := must[capacity.Claim](t)(do(db, func(ctx context.Context, tx *store.Tx, id int64) (capacity.Claim, capacity.Change, error) {
			return e.Cancel(ctx, tx, id, capacity.Canceller{})
		}, ids["a"]))
		if len(ch.Promoted) != 1 || ch.Promoted[0].ID != ids["c"] || ch.Promoted[0].State != capacity.StateHeld ||
			!ch.Promoted[0].HoldUntil.Equal(clk.Now().Add(time.Hour)) {
			t.Fatalf("after a cancels: promoted %+v, want c held for an hour", ch.Promoted)
		}
		clk.Advance(30 * time.Minute)
		if c, _ := must[capacity.Claim](t)(do(db, e.Confirm, ids["c"])); c.State != capacity.StateConfirmed {
			t.Fatalf("c confirmed in time: %s", c.State)
		}
		// b cancels: d is held; d lets it run out; the sweep passes it on to e.
		must[capacity.Claim](t)(do(db, func(ctx context.Context, tx *store.Tx, id int64) (capacity.Claim, capacity.Change, error) {
			return e.Cancel(ctx, tx, id, capacity.Canceller{Staff: true, UserID: 0, Reason: "changed plans"})
		}, ids["b"]))
		clk.Advance(time.Hour + time.Millisecond)
		ch, err := e.Sweep(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if len(ch.Expired) != 1 || ch.Expired[0].ID != ids["d"] || len(ch.Promoted) != 1 || ch.Promoted[0].ID != ids["e"] {
			t.Fatalf("sweep: expired %+v promoted %+v; want d expired, e held", ch.Expired, ch.Promoted)
		}
		if _, _, err := do(db, e.Confirm, ids["d"]); !errors.Is(err, capacity.ErrHoldExpired) {
			t.Fatalf("d confirms late: %v, want ErrHoldExpired", err)
		}
		// Without a ticker: e's hold runs out, and the next claim on the pool sweeps it first.
		clk.Advance(2 * time.Hour)
		f, _ := must[capacity.Claim](t)(claim(t, db, e, p.ID, capacity.HolderUser, "f", 1))
		if f.State != capacity.StateConfirmed {
			t.Fatalf("f after e's hold expired: %s, want confirmed (the place e held is free)", f.State)
		}
		if c, err := capacity.GetClaim(ctx, db, ids["e"]); err != nil || c.State != capacity.StateExpired {
			t.Fatalf("e: %v %v, want expired", c.State, err)
		}
		// A pool that closes at a slot's start: a hold offered an hour before it lasts that hour,
		// and at the start nobody is promoted and nothing is claimed.
		q := newPool(t, db, e, capacity.NewPool{Capacity: 1, Hold: 24 * time.Hour, ClosesAt: clk.Now().Add(3 * time.Hour)})
		first, _ := must[capacity.Claim](t)(claim(t, db, e, q.ID, capacity.HolderUser, "x", 1))
		must[capacity.Claim](t)(claim(t, db, e, q.ID, capacity.HolderUser, "y", 1))
		must[capacity.Claim](t)(claim(t, db, e, q.ID, capacity.HolderUser, "z", 1))
		clk.Advance(2 * time.Hour)
		_, ch = must[capacity.Claim](t)(do(db, cancelBy(e, true), first.ID))
		if len(ch.Promoted) != 1 || !ch.Promoted[0].HoldUntil.Equal(clk.Now().Add(time.Hour)) {
			t.Fatalf("hold before the close: %+v, want one held until the close", ch.Promoted)
		}
		clk.Advance(time.Hour)
		if _, _, err := claim(t, db, e, q.ID, capacity.HolderUser, "late", 1); !errors.Is(err, capacity.ErrClosed) {
			t.Fatalf("claim at the close: %v", err)
		}
		if ch, err := e.Sweep(ctx, db); err != nil || len(ch.Promoted) != 0 {
			t.Fatalf("sweep at the close: %+v %v, want nobody promoted", ch.Promoted, err)
		}
		if n, _ := capacity.Claims(ctx, db, q.ID, 0, capacity.StateHeld); len(n) != 0 {
			t.Fatalf("after the close %d claims are held, want the hold expired and nobody promoted", len(n))
		}
		// Staff must give a reason.
		if _, _, err := do(db, func(ctx context.Context, tx *store.Tx, id int64) (capacity.Claim, capacity.Change, error) {
			return e.Cancel(ctx, tx, id, capacity.Canceller{Staff: true})
		}, f.ID); !errors.Is(err, capacity.ErrReasonNeeded) {
			t.Fatalf("staff cancel without reason: %v", err)
		}
		checkInvariant(t, db, p.ID)
	})
}

func TestGroupPromotedOnlyWhole(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		clk := newClock()
		e := capacity.Engine{Now: clk.Now}
		p := newPool(t, db, e, capacity.NewPool{Capacity: 10})
		a, _ := must[capacity.Claim](t)(claim(t, db, e, p.ID, capacity.HolderUnit, "unit-a", 6))
		b, _ := must[capacity.Claim](t)(claim(t, db, e, p.ID, capacity.HolderUnit, "unit-b", 4))
		g, _ := must[capacity.Claim](t)(claim(t, db, e, p.ID, capacity.HolderUnit, "party-branch", 5))
		s, _ := must[capacity.Claim](t)(claim(t, db, e, p.ID, capacity.HolderUser, "solo", 1))
		if a.State != capacity.StateConfirmed || b.State != capacity.StateConfirmed || g.State != capacity.StateWaiting || s.State != capacity.StateWaiting || g.Position != 1 || s.Position != 2 {
			t.Fatalf("states %s %s %s(%d) %s(%d)", a.State, b.State, g.State, g.Position, s.State, s.Position)
		}
		// b frees 4: the group of 5 does not fit and is not split; the later single claim passes it.
		_, ch := must[capacity.Claim](t)(do(db, cancelBy(e, true), b.ID))
		if len(ch.Promoted) != 1 || ch.Promoted[0].ID != s.ID {
			t.Fatalf("after 4 freed: promoted %+v, want only the single claim", ch.Promoted)
		}
		if c, _ := capacity.GetClaim(context.Background(), db, g.ID); c.State != capacity.StateWaiting || c.Position != 1 {
			t.Fatalf("group: %s at %d, want still first on the list", c.State, c.Position)
		}
		// a frees 6 (9 free): the group is held whole.
		_, ch = must[capacity.Claim](t)(do(db, cancelBy(e, true), a.ID))
		if len(ch.Promoted) != 1 || ch.Promoted[0].ID != g.ID || ch.Promoted[0].Size != 5 || ch.Promoted[0].State != capacity.StateHeld {
			t.Fatalf("after 9 free: promoted %+v, want the group of 5 held", ch.Promoted)
		}
		if pool := checkInvariant(t, db, p.ID); pool.UsedPeople != 6 {
			t.Fatalf("used %d, want 6 (held 5 + held 1)", pool.UsedPeople)
		}

		// Max groups: a pool of 100 people and 2 groups; a third group waits while a single person
		// is still confirmed.
		q := newPool(t, db, e, capacity.NewPool{Capacity: 100, MaxGroups: 2})
		must[capacity.Claim](t)(claim(t, db, e, q.ID, capacity.HolderUnit, "u1", 10))
		g2, _ := must[capacity.Claim](t)(claim(t, db, e, q.ID, capacity.HolderUser, "family", 3))
		g3, _ := must[capacity.Claim](t)(claim(t, db, e, q.ID, capacity.HolderUnit, "u3", 10))
		one, _ := must[capacity.Claim](t)(claim(t, db, e, q.ID, capacity.HolderUser, "one", 1))
		if g2.State != capacity.StateConfirmed || g3.State != capacity.StateWaiting || one.State != capacity.StateConfirmed {
			t.Fatalf("max groups: family %s, third group %s, single %s", g2.State, g3.State, one.State)
		}
		_, ch = must[capacity.Claim](t)(do(db, cancelBy(e, true), g2.ID))
		if len(ch.Promoted) != 1 || ch.Promoted[0].ID != g3.ID {
			t.Fatalf("a group slot freed: promoted %+v, want the third group", ch.Promoted)
		}
		checkInvariant(t, db, q.ID)
		// Too big for the pool at all.
		if _, _, err := claim(t, db, e, p.ID, capacity.HolderUnit, "huge", 11); !errors.Is(err, capacity.ErrTooBig) {
			t.Fatalf("claim bigger than the pool: %v", err)
		}
	})
}

func TestCancellationsDuringPromotion(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := capacity.Engine{}
		p := newPool(t, db, e, capacity.NewPool{Capacity: 5})
		var ids []int64
		for i := range 25 {
			c, _ := must[capacity.Claim](t)(claim(t, db, e, p.ID, capacity.HolderUser, fmt.Sprint(i), 1))
			ids = append(ids, c.ID)
		}
		// At once: the five confirmed cancel, every other waiting claim cancels, and everyone
		// confirms whatever hold they have, again and again.
		cancelled := map[int64]bool{}
		for i, id := range ids {
			if i < 5 || i%2 == 0 {
				cancelled[id] = true
			}
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		var failures atomic.Int64
		for id := range cancelled {
			wg.Go(func() {
				<-start
				if _, _, err := do(db, cancelBy(e, true), id); err != nil {
					t.Errorf("cancel %d: %v", id, err)
				}
			})
		}
		for _, id := range ids {
			if cancelled[id] {
				continue
			}
			wg.Go(func() {
				<-start
				for range 5 {
					if _, _, err := do(db, e.Confirm, id); err != nil && !errors.Is(err, capacity.ErrState) {
						failures.Add(1)
						t.Errorf("confirm %d: %v", id, err)
					}
					checkInvariant(t, db, p.ID)
				}
			})
		}
		close(start)
		wg.Wait()
		// The places went to the earliest claims left, in arrival order; the rest wait.
		var left []int64
		for _, id := range ids {
			if !cancelled[id] {
				left = append(left, id)
			}
		}
		for i, id := range left {
			c, err := capacity.GetClaim(context.Background(), db, id)
			if err != nil {
				t.Fatal(err)
			}
			if i < 5 != capacity.Occupying(c.State) {
				t.Fatalf("claim %d (%d-th left) is %s", id, i+1, c.State)
			}
			if i >= 5 && c.Position != i-4 {
				t.Fatalf("claim %d waits at %d, want %d", id, c.Position, i-4)
			}
		}
		if pool := checkInvariant(t, db, p.ID); pool.UsedPeople != 5 {
			t.Fatalf("used %d, want 5", pool.UsedPeople)
		}
	})
}

// TestRandomConcurrentOps runs random transitions from several goroutines on a small pool, with
// a clock that jumps, and checks the guarantee throughout and the promotion rule at the end.
func TestRandomConcurrentOps(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		clk := newClock()
		e := capacity.Engine{Now: clk.Now}
		ctx := context.Background()
		p := newPool(t, db, e, capacity.NewPool{Capacity: 7, MaxGroups: 2, Hold: 10 * time.Minute})
		var mu sync.Mutex
		var claimIDs []int64
		pick := func(r *rand.Rand) int64 {
			mu.Lock()
			defer mu.Unlock()
			if len(claimIDs) == 0 {
				return 0
			}
			return claimIDs[r.IntN(len(claimIDs))]
		}
		allowed := func(err error) bool {
			return err == nil || errors.Is(err, problem.ErrConflict) || errors.Is(err, capacity.ErrTooBig)
		}
		var wg sync.WaitGroup
		for w := range 6 {
			wg.Go(func() {
				r := rand.New(rand.NewPCG(uint64(w), 42))
				for range 40 {
					var err error
					switch k := r.IntN(10); {
					case k < 4:
						kind := capacity.HolderUser
						if r.IntN(3) == 0 {
							kind = capacity.HolderUnit
						}
						var c capacity.Claim
						c, _, err = claim(t, db, e, p.ID, kind, fmt.Sprint(r.IntN(25)), 1+r.IntN(3))
						if err == nil {
							mu.Lock()
							claimIDs = append(claimIDs, c.ID)
							mu.Unlock()
						}
					case k == 4:
						_, _, err = do(db, cancelBy(e, r.IntN(2) == 0), pick(r))
					case k == 5:
						_, _, err = do(db, e.Confirm, pick(r))
					case k == 6:
						if r.IntN(2) == 0 {
							_, _, err = do(db, e.CheckIn, pick(r))
						} else {
							_, _, err = do(db, e.MarkNoShow, pick(r))
						}
					case k == 7:
						clk.Advance(time.Duration(r.IntN(8)) * time.Minute)
						_, err = e.Sweep(ctx, db)
					case k == 8:
						err = db.InTx(ctx, func(tx *store.Tx) error {
							_, _, err := e.SetCapacity(ctx, tx, p.ID, 4+r.IntN(6), 2)
							return err
						})
					default:
						checkInvariant(t, db, p.ID)
					}
					if errors.Is(err, capacity.ErrNoClaim) {
						err = nil
					}
					if !allowed(err) {
						t.Errorf("op: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
		// Let every transition settle, then: no waiting claim fits what is free (promotion is complete).
		if err := db.InTx(ctx, func(tx *store.Tx) error { _, _, err := e.Lock(ctx, tx, p.ID); return err }); err != nil {
			t.Fatal(err)
		}
		pool := checkInvariant(t, db, p.ID)
		waiting, err := capacity.Claims(ctx, db, p.ID, 0, capacity.StateWaiting)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range waiting {
			if pool.Fits(c.Size, c.Group()) {
				t.Fatalf("claim %d (%d people) waits though it fits: %d free, %d/%d groups", c.ID, c.Size, pool.Left(), pool.UsedGroups, pool.MaxGroups)
			}
		}
		counts, err := capacity.Count(ctx, db, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, n := range counts.Claims {
			total += n
		}
		if total != len(claimIDs) {
			t.Fatalf("counted %d claims, made %d", total, len(claimIDs))
		}
		t.Logf("%d claims: %v; pool %d/%d people, %d waiting", total, counts.Claims, pool.UsedPeople, pool.Capacity, pool.Waiting)
	})
}

func TestClosedPoolAndCapacity(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := capacity.Engine{}
		ctx := context.Background()
		p := newPool(t, db, e, capacity.NewPool{Capacity: 2, NoHold: true})
		for _, h := range []string{"a", "b", "c", "d"} {
			must[capacity.Claim](t)(claim(t, db, e, p.ID, capacity.HolderUser, h, 1))
		}
		// More places promote; without holds the promoted are confirmed at once.
		var ch capacity.Change
		err := db.InTx(ctx, func(tx *store.Tx) (err error) { _, ch, err = e.SetCapacity(ctx, tx, p.ID, 3, 0); return })
		if err != nil || len(ch.Promoted) != 1 || ch.Promoted[0].State != capacity.StateConfirmed || ch.Promoted[0].HolderRef != "c" {
			t.Fatalf("capacity 3: %v %+v", err, ch.Promoted)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { _, _, err := e.SetCapacity(ctx, tx, p.ID, 2, 0); return err }); !errors.Is(err, capacity.ErrBelowUsed) {
			t.Fatalf("capacity below used: %v", err)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { _, _, err := e.SetClosed(ctx, tx, p.ID, true); return err }); err != nil {
			t.Fatal(err)
		}
		if _, _, err := claim(t, db, e, p.ID, capacity.HolderUser, "late", 1); !errors.Is(err, capacity.ErrClosed) {
			t.Fatalf("claim on a closed pool: %v", err)
		}
		// No check-in of a waiting claim.
		d, _ := capacity.Claims(ctx, db, p.ID, 0, capacity.StateWaiting)
		if len(d) != 1 {
			t.Fatalf("waiting: %+v", d)
		}
		if _, _, err := do(db, e.CheckIn, d[0].ID); !errors.Is(err, capacity.ErrState) {
			t.Fatalf("check in a waiting claim: %v", err)
		}
		// The database refuses an overbooked pool even if the engine were wrong.
		if _, err := db.Exec(ctx, `UPDATE capacity_pools SET used_people = capacity + 1 WHERE id = ?`, p.ID); err == nil {
			t.Fatal("the database accepted used_people above capacity")
		}
	})
}
