package live

import (
	"context"
	"log/slog"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Bus is the live-update bus of one server: the orders store announces changes to it, the
// streams subscribe to it. In process (NewLocal) a change goes straight to the hub; on
// PostgreSQL (OpenPostgres) it goes out as a NOTIFY, and every server's listener — this one's
// too — hands what it hears to its own hub.
type Bus struct {
	*Hub
	pg *pgBus // nil in process
}

// NewLocal returns the in-process bus: for SQLite (one server per database) and tests.
func NewLocal() *Bus { return &Bus{Hub: &Hub{}} }

// Open returns the bus db's deployment needs: LISTEN/NOTIFY on PostgreSQL, in process on SQLite.
// Close stops it.
func Open(ctx context.Context, db *store.DB, log *slog.Logger) (*Bus, error) {
	if db.Dialect() == store.Postgres {
		return OpenPostgres(ctx, db, log)
	}
	return NewLocal(), nil
}

// OrderChanged publishes a committed change (orders.ChangeNotifier).
func (b *Bus) OrderChanged(ctx context.Context, c orders.Change) {
	if b.pg != nil {
		b.pg.publish(ctx, c)
		return
	}
	b.Deliver(c)
}

// Close ends the streams and, on PostgreSQL, stops listening.
func (b *Bus) Close() {
	b.Hub.Close()
	if b.pg != nil {
		b.pg.stop()
	}
}
