package live

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
)

// pgBus publishes changes with NOTIFY and listens for everyone's on one dedicated connection of
// the pool, which it takes again (with a growing pause) whenever the connection breaks.
type pgBus struct {
	db      *store.DB
	log     *slog.Logger
	channel string
	hub     *Hub
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	// listening is closed once the first LISTEN has been issued (tests wait for it).
	listening chan struct{}
	ready     sync.Once
}

// Reconnect pauses of the listener: the first after one second, doubling up to half a minute.
const (
	firstPause = time.Second
	maxPause   = 30 * time.Second
)

// OpenPostgres starts listening on db and returns the bus; it returns once the listener has its
// first connection and LISTEN is in place, so that no change published after it is missed.
func OpenPostgres(ctx context.Context, db *store.DB, log *slog.Logger) (*Bus, error) {
	if log == nil {
		log = slog.Default()
	}
	channel, err := channelOf(ctx, db)
	if err != nil {
		return nil, err
	}
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	p := &pgBus{db: db, log: log, channel: channel, hub: &Hub{}, cancel: cancel, listening: make(chan struct{})}
	p.wg.Add(1)
	go p.listen(lctx)
	select {
	case <-p.listening:
	case <-time.After(10 * time.Second):
		p.stop()
		return nil, errors.New("live updates: no LISTEN connection to PostgreSQL within 10 s")
	case <-ctx.Done():
		p.stop()
		return nil, ctx.Err()
	}
	return &Bus{Hub: p.hub, pg: p}, nil
}

// channelOf names the NOTIFY channel after the schema the database's tables live in: channels are
// per database, not per schema, and two CivicGrid installations (or two tests) sharing a database
// in different schemas must not hear each other.
func channelOf(ctx context.Context, db *store.DB) (string, error) {
	var schema string
	if err := db.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return "", fmt.Errorf("live updates: current schema: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte(schema))
	return fmt.Sprintf("civicgrid_orders_%x", h.Sum64()), nil
}

// publish sends c to every listener of the database. A failure is logged: the order has changed
// either way, and screens reload their figures on their own clock.
func (p *pgBus) publish(ctx context.Context, c orders.Change) {
	payload, err := json.Marshal(c)
	if err == nil {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		_, err = p.db.Exec(ctx, `SELECT pg_notify(?, ?)`, p.channel, string(payload))
	}
	if err != nil {
		p.log.Warn("live update not published", "order", c.Number, "err", err)
	}
}

func (p *pgBus) listen(ctx context.Context) {
	defer p.wg.Done()
	pause := firstPause
	for first := true; ctx.Err() == nil; first = false {
		heard, err := p.session(ctx, !first)
		if ctx.Err() != nil {
			return
		}
		if heard {
			pause = firstPause
		}
		p.log.Warn("live updates: listener lost its connection; reconnecting", "err", err, "pause", pause)
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, maxPause)
	}
}

// session takes a connection, listens and hands every notification to the hub until the
// connection fails or ctx ends. After a reconnect the streams are told to reload (resync), since
// changes may have been published while nobody listened. heard reports whether LISTEN succeeded.
func (p *pgBus) session(ctx context.Context, reconnect bool) (heard bool, err error) {
	conn, err := p.db.SQL().Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("live updates: driver connection is %T, not pgx", dc)
		}
		pc := sc.Conn()
		if _, err := pc.Exec(ctx, `LISTEN `+p.channel); err != nil {
			return errors.Join(err, driver.ErrBadConn)
		}
		heard = true
		p.ready.Do(func() { close(p.listening) })
		if reconnect {
			p.hub.Deliver(orders.Change{Action: ActionResync, At: time.Now()})
		}
		for {
			n, err := pc.WaitForNotification(ctx)
			if err != nil {
				// The connection is in an unknown state (LISTEN active, or broken): never back to the pool.
				return errors.Join(err, driver.ErrBadConn)
			}
			var c orders.Change
			if err := json.Unmarshal([]byte(n.Payload), &c); err != nil {
				p.log.Warn("live updates: unreadable notification", "err", err)
				continue
			}
			p.hub.Deliver(c)
		}
	})
	return heard, err
}

func (p *pgBus) stop() {
	p.cancel()
	p.wg.Wait()
}
