package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// On SQLite every statement run through Exec, Query or QueryRow is parsed and planned anew on
// every call (the modernc driver prepares and finalises it each time): in a work-order
// transition its parser was a third of all CPU (docs/BENCHMARKS.md, "KPI upkeep"). Prepared
// gives a writer's few hot statements — fixed texts run in every write, such as the KPI
// upkeep's — a handle prepared once per database and connection. PostgreSQL's driver (pgx)
// already keeps one prepared statement per query text and connection, so there Prepared
// changes nothing.

// maxPrepared bounds the statements a database keeps prepared; beyond it statements run as
// plain ones. Callers pass only fixed texts (a handful of variants each), never one built per
// request.
const maxPrepared = 128

type preparedStmts struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// Prepared returns a Querier over q whose statements are prepared once and kept, when q is a
// transaction on SQLite; otherwise q itself.
func Prepared(q Querier) Querier {
	if t, ok := q.(*Tx); ok && t.db.dialect == SQLite {
		return preparedTx{t}
	}
	return q
}

type preparedTx struct{ t *Tx }

func (p preparedTx) Dialect() Dialect { return p.t.Dialect() }

func (p preparedTx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.t.db.prepared(query); st != nil {
		return p.t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return p.t.Exec(ctx, query, args...)
}

func (p preparedTx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.t.db.prepared(query); st != nil {
		return p.t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return p.t.Query(ctx, query, args...)
}

func (p preparedTx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.t.db.prepared(query); st != nil {
		return p.t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return p.t.QueryRow(ctx, query, args...)
}

// prepared returns the database's statement for query, preparing it the first time; nil when
// the cache is full or it could not be prepared now (the caller runs the query as a plain one).
// A transaction's use of it (Tx.StmtContext) prepares it once more on the transaction's
// connection the first time, and database/sql keeps that per connection.
func (db *DB) prepared(query string) *sql.Stmt {
	db.stmts.mu.Lock()
	st, full := db.stmts.m[query], len(db.stmts.m) >= maxPrepared
	db.stmts.mu.Unlock()
	if st != nil || full {
		return st
	}
	// Preparing takes a second connection of the pool besides the transaction's own: only when
	// one is idle or can be opened, and never waiting long for it, so that writers holding every
	// connection of the pool cannot wait on each other.
	if s := db.sql.Stats(); s.Idle == 0 && s.OpenConnections >= s.MaxOpenConnections {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	st, err := db.sql.PrepareContext(ctx, db.q(query))
	if err != nil {
		return nil
	}
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	if was := db.stmts.m[query]; was != nil {
		st.Close()
		return was
	}
	if db.stmts.m == nil {
		db.stmts.m = map[string]*sql.Stmt{}
	}
	db.stmts.m[query] = st
	return st
}

// closePrepared closes the kept statements (Close).
func (db *DB) closePrepared() {
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	for _, st := range db.stmts.m {
		st.Close()
	}
	db.stmts.m = nil
}
