package live_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/live"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// next returns the next change of s, failing after a while.
func next(t *testing.T, s *live.Sub) orders.Change {
	t.Helper()
	select {
	case c := <-s.C():
		return c
	case <-s.Done():
		t.Fatal("subscription ended")
	case <-time.After(10 * time.Second):
		t.Fatal("no change within 10 s")
	}
	return orders.Change{}
}

// none checks that s receives nothing for a moment.
func none(t *testing.T, s *live.Sub, wait time.Duration) {
	t.Helper()
	select {
	case c := <-s.C():
		t.Fatalf("unexpected change %+v", c)
	case <-time.After(wait):
	}
}

func TestLocalBusDeliversToItsTownsOnly(t *testing.T) {
	b := live.NewLocal()
	defer b.Close()
	a, err := b.Subscribe(1, []string{"T1"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := b.Subscribe(2, []string{"T2"})
	if err != nil {
		t.Fatal(err)
	}
	b.OrderChanged(context.Background(), orders.Change{Town: "T1", ID: 7, Number: "N7", Action: "dispatch"})
	if c := next(t, a); c.ID != 7 || c.Action != "dispatch" {
		t.Errorf("T1 stream got %+v", c)
	}
	none(t, other, 50*time.Millisecond)
	b.OrderChanged(context.Background(), orders.Change{Town: "T2", ID: 8})
	if c := next(t, other); c.ID != 8 {
		t.Errorf("T2 stream got %+v", c)
	}
	none(t, a, 50*time.Millisecond)
}

func TestHubLimitsAndClose(t *testing.T) {
	h := &live.Hub{MaxStreams: 3, MaxPerUser: 2}
	s1, _ := h.Subscribe(1, []string{"T"})
	if _, err := h.Subscribe(1, []string{"T"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Subscribe(1, []string{"T"}); !errors.Is(err, live.ErrTooMany) {
		t.Errorf("third stream of user 1: %v, want ErrTooMany", err)
	}
	if _, err := h.Subscribe(2, []string{"T"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Subscribe(3, []string{"T"}); !errors.Is(err, live.ErrTooMany) {
		t.Errorf("fourth stream of the server: %v, want ErrTooMany", err)
	}
	s1.Close()
	s1.Close() // twice is fine
	if h.Streams() != 2 {
		t.Errorf("streams after one closed: %d, want 2", h.Streams())
	}
	if _, err := h.Subscribe(1, []string{"T"}); err != nil {
		t.Errorf("user 1 after closing one: %v", err)
	}
	h.Close()
	if h.Streams() != 0 {
		t.Errorf("streams after Close: %d", h.Streams())
	}
	if _, err := h.Subscribe(4, []string{"T"}); !errors.Is(err, live.ErrClosed) {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
}

// A stream that does not read is dropped once its buffer is full, and the others go on.
func TestHubDropsALaggingStream(t *testing.T) {
	h := &live.Hub{}
	slow, _ := h.Subscribe(1, []string{"T"})
	for i := range live.Buffer + 1 {
		h.Deliver(orders.Change{Town: "T", ID: int64(i)})
	}
	select {
	case <-slow.Done():
	default:
		t.Fatal("a stream 1 change over its buffer was kept")
	}
	fresh, _ := h.Subscribe(1, []string{"T"})
	h.Deliver(orders.Change{Town: "T", ID: 99})
	if c := next(t, fresh); c.ID != 99 {
		t.Errorf("got %+v", c)
	}
}

// Two servers on one PostgreSQL database: a change published through one bus reaches the
// streams of the other (and of itself), and a third bus on another schema hears nothing.
func TestPostgresBusesShareChanges(t *testing.T) {
	db1 := testdb.Postgres(t)
	ctx := context.Background()
	var schema string
	if err := db1.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	db2, err := store.Open(ctx, store.Options{URL: testdb.WithSchema(testdb.PostgresURL(t), schema)})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	b1, err := live.Open(ctx, db1, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b1.Close()
	b2, err := live.Open(ctx, db2, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	stranger, err := live.Open(ctx, testdb.Postgres(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stranger.Close()

	on2, _ := b2.Subscribe(1, []string{"T1"})
	on1, _ := b1.Subscribe(1, []string{"T1"})
	otherTown, _ := b2.Subscribe(2, []string{"T2"})
	outsider, _ := stranger.Subscribe(3, []string{"T1"})
	lat, lng := 31.2, 121.4
	at := time.UnixMilli(1_700_000_000_123)
	b1.OrderChanged(ctx, orders.Change{Town: "T1", ID: 42, Number: "T1-42", State: "received", Category: "roads", Grid: "G1",
		Lat: &lat, Lng: &lng, Action: "receive", At: at})
	for name, s := range map[string]*live.Sub{"other server": on2, "same server": on1} {
		c := next(t, s)
		if c.ID != 42 || c.Number != "T1-42" || c.Grid != "G1" || c.Lat == nil || *c.Lat != lat || !c.At.Equal(at) {
			t.Errorf("%s got %+v", name, c)
		}
	}
	none(t, otherTown, 200*time.Millisecond)
	none(t, outsider, 100*time.Millisecond)
}

// Closing a bus ends its streams at once (the server's shutdown does not wait for them).
func TestCloseEndsStreams(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		b, err := live.Open(context.Background(), db, nil)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := b.Subscribe(1, []string{"T"})
		done := make(chan struct{})
		go func() { b.Close(); close(done) }()
		select {
		case <-s.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("stream still open 5 s after Close")
		}
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Close did not return within 5 s")
		}
	})
}

// When the listening connection dies, the bus takes another, tells its streams to reload
// (resync) and goes on delivering.
func TestPostgresListenerReconnects(t *testing.T) {
	db := testdb.Postgres(t)
	ctx := context.Background()
	b, err := live.Open(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s, _ := b.Subscribe(1, []string{"T1"})
	res, err := db.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'LISTEN ' || ?`, live.ChannelOf(t, db))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("terminated %d listening connections, want 1", n)
	}
	if c := next(t, s); c.Action != live.ActionResync {
		t.Fatalf("first after the reconnect: %+v, want a resync", c)
	}
	b.OrderChanged(ctx, orders.Change{Town: "T1", ID: 5, Action: "file"})
	if c := next(t, s); c.ID != 5 {
		t.Errorf("after the reconnect got %+v", c)
	}
}
