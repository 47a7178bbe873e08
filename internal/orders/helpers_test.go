package orders_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/orders/orderstest"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/workcal"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

var ctx = context.Background()

// at is a Shanghai wall-clock time, the way the town reads deadlines.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, workcal.Location())
	if err != nil {
		panic(err)
	}
	return t
}

// clock is a settable time source for Store.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

type env struct {
	db    *store.DB
	s     *orders.Store
	f     orderstest.Fixture
	clock *clock
}

func setup(t *testing.T, db *store.DB, now time.Time) env {
	t.Helper()
	f := orderstest.Seed(t, db)
	s := orders.New(db)
	c := &clock{t: now}
	s.Now = c.Now
	return env{db: db, s: s, f: f, clock: c}
}

func (e env) newOrder(content string) orders.NewOrder {
	return orders.NewOrder{TownCode: e.f.Town, Channel: orders.ChannelHotline, Content: content, Address: "新泾一村 12 号",
		Category: e.f.Category, Grid: e.f.Grid, CallerName: "王先生", CallerPhone: "10012345678",
		ActorName: "派单员甲", ActorRole: workorder.RoleDispatcher}
}

func (e env) create(t *testing.T, n orders.NewOrder) orders.Order {
	t.Helper()
	o, err := e.s.Create(ctx, n)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return o
}

// do acts as the user and fails the test on error; it returns the updated order.
func (e env) do(t *testing.T, o orders.Order, user int64, act workorder.Action, in workorder.Input) orders.Order {
	t.Helper()
	out, err := e.s.Act(ctx, e.f.Towns(), o.ID, e.f.As(user), act, o.Version, in)
	if err != nil {
		t.Fatalf("%s by user %d: %v", act, user, err)
	}
	if out.State == "" || out.Version != o.Version+1 {
		t.Fatalf("%s: version %d → %d", act, o.Version, out.Version)
	}
	return out
}

// try acts and returns the error, which the caller expects.
func (e env) try(o orders.Order, user int64, act workorder.Action, in workorder.Input) error {
	_, err := e.s.Act(ctx, e.f.Towns(), o.ID, e.f.As(user), act, o.Version, in)
	return err
}

// upload records a fresh photo and returns its id.
func (e env) upload(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	sum := sha256.Sum256(b)
	id := hex.EncodeToString(sum[:])
	if err := e.s.SaveUpload(ctx, orders.Upload{ID: id, TownCode: e.f.Town, MIME: "image/jpeg", Size: 1234, Width: 800, Height: 600}); err != nil {
		t.Fatalf("upload: %v", err)
	}
	return id
}

// filed creates an order and files it (general class, Grid).
func (e env) filed(t *testing.T, content string) orders.Order {
	t.Helper()
	o := e.create(t, e.newOrder(content))
	return e.do(t, o, e.f.Dispatcher, workorder.ActFile, workorder.Input{Category: e.f.Category, Grid: e.f.Grid})
}

// inProgress files, dispatches to Sanitation and accepts.
func (e env) inProgress(t *testing.T, content string) orders.Order {
	t.Helper()
	o := e.filed(t, content)
	o = e.do(t, o, e.f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: e.f.Sanitation})
	return e.do(t, o, e.f.Handler, workorder.ActAccept, workorder.Input{})
}

func (e env) get(t *testing.T, id int64) orders.Order {
	t.Helper()
	o, err := e.s.Get(ctx, e.f.Towns(), id, true)
	if err != nil {
		t.Fatalf("get %d: %v", id, err)
	}
	return o
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var pf *problem.FieldError
	var wf *workorder.FieldError
	switch {
	case errors.As(err, &pf):
		if pf.Field != field {
			t.Fatalf("error names field %q, want %q: %v", pf.Field, field, err)
		}
	case errors.As(err, &wf):
		if wf.Field != field {
			t.Fatalf("error names field %q, want %q: %v", wf.Field, field, err)
		}
	default:
		t.Fatalf("want a field error on %q, got %v", field, err)
	}
}

func actions(o orders.Order) []string {
	var out []string
	for _, e := range o.Events {
		out = append(out, e.Action)
	}
	return out
}

func countEvents(t *testing.T, db *store.DB, orderID int64, action string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM order_events WHERE order_id = ? AND action = ?`, orderID, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func notes(t *testing.T, s *orders.Store, user int64) map[string]int {
	t.Helper()
	ns, _, err := s.Notifications(ctx, user, false, 100)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]int{}
	for _, n := range ns {
		m[n.Kind]++
	}
	return m
}

// unresolved counts the user's notices of kind that still need them (not resolved).
func unresolved(t *testing.T, s *orders.Store, user int64, kind string) int {
	t.Helper()
	ns, _, err := s.Notifications(ctx, user, false, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range ns {
		if x.Kind == kind && !x.Resolved {
			n++
		}
	}
	return n
}

// each runs body once per database, each time with a freshly seeded env whose clock starts at now.
func each(t *testing.T, now time.Time, body func(t *testing.T, e env)) {
	testdb.Each(t, func(t *testing.T, db *store.DB) { body(t, setup(t, db, now)) })
}
