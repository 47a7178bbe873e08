// Package live carries the changes of work orders to the operations centre's live screens: the
// orders store announces every committed change (orders.ChangeNotifier), a Bus fans it out to the
// streams of this server, and — on PostgreSQL — to every other `civicgrid serve` of the same
// database through LISTEN/NOTIFY, so that screens behind a load balancer all see every change.
// It knows no HTTP: the SSE endpoint is internal/web/ops.
package live

import (
	"errors"
	"slices"
	"sync"

	"github.com/civicgrid/civicgrid/internal/orders"
)

// Limits of the streams one server keeps open (docs/OPS.md).
const (
	DefaultMaxStreams = 500 // per server
	DefaultMaxPerUser = 4   // per user: a wall screen, a desk, a phone and a spare
	// Buffer is how many changes a stream may be behind before it is dropped; its browser
	// reconnects and reloads the figures, which is cheaper than a server holding a backlog.
	Buffer = 64
)

// ActionResync is the action of the change a stream is sent when changes may have been missed
// (the PostgreSQL listener reconnected): the screen reloads its figures.
const ActionResync = "resync"

var (
	// ErrTooMany refuses a stream beyond the server's or the user's limit.
	ErrTooMany = errors.New("too many live streams open")
	// ErrClosed refuses a stream once the server is stopping.
	ErrClosed = errors.New("live updates are stopping")
)

// Hub hands changes to the subscriptions of this process, each one the changes of its towns.
type Hub struct {
	// MaxStreams and MaxPerUser bound the subscriptions (0: the defaults).
	MaxStreams, MaxPerUser int

	mu      sync.Mutex
	subs    map[*Sub]struct{}
	perUser map[int64]int
	closed  bool
	// watchers are told every change delivered (caches of figures that a change makes stale).
	watchers  map[int]func(orders.Change)
	nextWatch int
}

// Watch calls f with every change the hub delivers — of every town, resyncs included — until
// the returned stop is called. f runs on the delivering goroutine: it must not block (a cache
// dropping its entries). Unlike a subscription it is never dropped and counts in no limit.
func (h *Hub) Watch(f func(orders.Change)) (stop func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.watchers == nil {
		h.watchers = map[int]func(orders.Change){}
	}
	id := h.nextWatch
	h.nextWatch++
	h.watchers[id] = f
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.watchers, id)
	}
}

// Sub is one subscription: a stream of one user's screen.
type Sub struct {
	h     *Hub
	user  int64
	towns []string
	c     chan orders.Change
	done  chan struct{}
	once  sync.Once
}

// C delivers the changes of the subscription's towns.
func (s *Sub) C() <-chan orders.Change { return s.c }

// Done is closed when the subscription ends: closed by its owner, dropped for falling behind, or
// the hub closed because the server stops.
func (s *Sub) Done() <-chan struct{} { return s.done }

// Close ends the subscription; it may be called more than once.
func (s *Sub) Close() { s.h.drop(s) }

// Subscribe opens a subscription of user to the changes of towns.
func (h *Hub) Subscribe(user int64, towns []string) (*Sub, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	if h.subs == nil {
		h.subs, h.perUser = map[*Sub]struct{}{}, map[int64]int{}
	}
	if len(h.subs) >= orDefault(h.MaxStreams, DefaultMaxStreams) || h.perUser[user] >= orDefault(h.MaxPerUser, DefaultMaxPerUser) {
		return nil, ErrTooMany
	}
	s := &Sub{h: h, user: user, towns: slices.Clone(towns), c: make(chan orders.Change, Buffer), done: make(chan struct{})}
	h.subs[s] = struct{}{}
	h.perUser[user]++
	return s, nil
}

func orDefault(n, d int) int {
	if n > 0 {
		return n
	}
	return d
}

// drop removes s and closes its Done channel.
func (h *Hub) drop(s *Sub) {
	s.once.Do(func() {
		h.mu.Lock()
		if _, ok := h.subs[s]; ok {
			delete(h.subs, s)
			if h.perUser[s.user]--; h.perUser[s.user] <= 0 {
				delete(h.perUser, s.user)
			}
		}
		h.mu.Unlock()
		close(s.done)
	})
}

// Deliver hands c to every subscription of its town (a resync, to every subscription). It never
// blocks: a subscription whose buffer is full is dropped.
func (h *Hub) Deliver(c orders.Change) {
	h.mu.Lock()
	watchers := make([]func(orders.Change), 0, len(h.watchers))
	for _, f := range h.watchers {
		watchers = append(watchers, f)
	}
	var late []*Sub
	for s := range h.subs {
		if c.Action != ActionResync && !slices.Contains(s.towns, c.Town) {
			continue
		}
		select {
		case s.c <- c:
		default:
			late = append(late, s)
		}
	}
	h.mu.Unlock()
	for _, s := range late {
		s.Close()
	}
	for _, f := range watchers {
		f(c)
	}
}

// Streams is the number of open subscriptions.
func (h *Hub) Streams() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Close ends every subscription and refuses new ones: the server is stopping, and the streams
// must not hold its shutdown up.
func (h *Hub) Close() {
	h.mu.Lock()
	h.closed = true
	subs := make([]*Sub, 0, len(h.subs))
	for s := range h.subs {
		subs = append(subs, s)
	}
	h.mu.Unlock()
	for _, s := range subs {
		s.Close()
	}
}
