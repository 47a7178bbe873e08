// Package store opens CivicGrid's database — embedded SQLite by default, PostgreSQL for district-
// and city-wide deployments — and gives every capability the same small surface over both:
// queries are written once with `?` placeholders and rebound for PostgreSQL, times are stored as
// Unix milliseconds and booleans as integers so that no value needs a dialect-specific scan.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"           // registers the pure-Go "sqlite" driver
)

// Dialect names the SQL engine behind a DB.
type Dialect int

const (
	SQLite Dialect = iota
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// Querier is what capability code needs from the database, whether inside a transaction or not.
// Queries use `?` placeholders in both dialects.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	Dialect() Dialect
}

// DB is an open CivicGrid database.
type DB struct {
	sql     *sql.DB
	dialect Dialect
	// Where the SQLite file lives, empty for PostgreSQL; shown by `civicgrid version` and logs.
	Location string
	rebound  sync.Map // query text -> PostgreSQL text
	stmts    preparedStmts

	// SQLite's index file (see index.go): the index writer's connection, its wake-up
	// signal, and the lock that keeps this process's indexers one at a time.
	search   *sql.DB
	kick     chan struct{}
	indexing sync.Mutex
}

// Options selects the database: a PostgreSQL URL, or else an SQLite file in DataDir.
type Options struct {
	URL     string // postgres://… ; empty means SQLite in DataDir
	DataDir string
}

// SQLiteFile is the file name of the embedded database inside the data directory.
const SQLiteFile = "civicgrid.db"

// Open connects and checks the connection; it does not migrate.
func Open(ctx context.Context, o Options) (*DB, error) {
	if o.URL != "" && !strings.HasPrefix(o.URL, "sqlite:") {
		if !strings.HasPrefix(o.URL, "postgres://") && !strings.HasPrefix(o.URL, "postgresql://") {
			return nil, fmt.Errorf("database URL %q: expected postgres://… (or leave it empty for SQLite)", redact(o.URL))
		}
		cfg, err := pgx.ParseConfig(o.URL)
		if err != nil {
			return nil, fmt.Errorf("open postgres %s: %w", redact(o.URL), err)
		}
		// No JIT compilation unless the URL asks for it (?jit=on): CivicGrid's queries each
		// read a few thousand rows at most, yet a plan costed above jit_above_cost — a handler's
		// 30-day intake with the co-department probe, at 10^6 orders — was compiled on every
		// run: 295 ms against 53 ms without (docs/BENCHMARKS.md, 2026-12-07).
		if _, set := cfg.RuntimeParams["jit"]; !set {
			cfg.RuntimeParams["jit"] = "off"
		}
		// A plan for each execution's own values, unless the URL says otherwise. pgx prepares
		// every statement once per connection, and after five runs PostgreSQL may keep a
		// generic plan that ignores the values: a city's grid-and-category count over its 50
		// towns went from 2–4 ms to 53–74 ms on the sixth run at 10⁶ orders (the town list and
		// the category make the plan), 547 ms at 10⁷ (docs/BENCHMARKS.md, 2026-12-07). Planning
		// costs well under a millisecond for these statements.
		if _, set := cfg.RuntimeParams["plan_cache_mode"]; !set {
			cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
		}
		sqldb := stdlib.OpenDB(*cfg)
		sqldb.SetMaxOpenConns(20)
		sqldb.SetMaxIdleConns(10)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		db := &DB{sql: sqldb, dialect: Postgres, Location: redact(o.URL)}
		if err := pingWithin(ctx, sqldb, 10*time.Second); err != nil {
			sqldb.Close()
			return nil, fmt.Errorf("connect to postgres %s: %w", redact(o.URL), err)
		}
		return db, nil
	}
	path := strings.TrimPrefix(o.URL, "sqlite:")
	if path == "" {
		if o.DataDir == "" {
			return nil, errors.New("no data directory given for the SQLite database")
		}
		if err := os.MkdirAll(o.DataDir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		path = filepath.Join(o.DataDir, SQLiteFile)
	}
	// _txlock=immediate takes the write lock at BEGIN, so two writers queue on busy_timeout
	// instead of failing with SQLITE_BUSY when a reader upgrades; WAL lets readers run alongside.
	// wal_autocheckpoint 25000 pages (100 MB) instead of 1000: a batch import commits a few
	// thousand pages at a time, and the committing writer runs the checkpoint, so frequent ones
	// rewrote the same index pages again and again and held up the import (10^6 rows: 1000
	// pages 4 % slower than 10000, 10000 about 6 % slower than 25000).
	dsn := "file:" + path + "?_txlock=immediate" +
		"&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
		"&_pragma=foreign_keys(ON)&_pragma=cache_size(-65536)&_pragma=temp_store(MEMORY)&_pragma=wal_autocheckpoint(25000)&_time_format=sqlite"
	// The search index file is created (in WAL mode) before any connection attaches it read-only.
	searchDB, err := openSearchFile(SearchFile(path))
	if err != nil {
		return nil, err
	}
	if err := pingWithin(ctx, searchDB, 10*time.Second); err != nil {
		searchDB.Close()
		return nil, fmt.Errorf("open search index %s: %w (it is derived data: with the server stopped it can be deleted, and is rebuilt from the database)", SearchFile(path), err)
	}
	attachSearchOnConnect()
	attachments.Store(dsn, SearchFile(path))
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		searchDB.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	sqldb.SetMaxOpenConns(8)
	sqldb.SetMaxIdleConns(8)
	db := &DB{sql: sqldb, dialect: SQLite, Location: path, search: searchDB, kick: make(chan struct{}, 1)}
	if err := pingWithin(ctx, sqldb, 10*time.Second); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

func pingWithin(ctx context.Context, db *sql.DB, d time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return db.PingContext(ctx)
}

// redact hides a password in a database URL before it reaches a log or an error.
func redact(url string) string {
	at := strings.LastIndex(url, "@")
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 {
		return url
	}
	creds := url[scheme+3 : at]
	if i := strings.Index(creds, ":"); i >= 0 {
		return url[:scheme+3] + creds[:i] + ":***" + url[at:]
	}
	return url
}

func (db *DB) Dialect() Dialect { return db.dialect }
func (db *DB) Close() error {
	db.closePrepared()
	if db.search != nil {
		db.search.Close()
	}
	return db.sql.Close()
}

// SQL gives the underlying pool for the rare caller that needs it (benchmarks, health checks).
func (db *DB) SQL() *sql.DB { return db.sql }

func (db *DB) q(query string) string {
	if db.dialect == SQLite {
		return query
	}
	if v, ok := db.rebound.Load(query); ok {
		return v.(string)
	}
	r := Rebind(query)
	db.rebound.Store(query, r)
	return r
}

func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.sql.ExecContext(ctx, db.q(query), args...)
}
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.sql.QueryContext(ctx, db.q(query), args...)
}
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.sql.QueryRowContext(ctx, db.q(query), args...)
}

// Tx is a transaction with the same surface as DB.
type Tx struct {
	tx   *sql.Tx
	db   *DB
	conn *sql.Conn // the connection it runs on, when begun by InCopyTx (see CopyFrom)
}

func (t *Tx) Dialect() Dialect { return t.db.dialect }
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.db.q(query), args...)
}
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.db.q(query), args...)
}
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.db.q(query), args...)
}

// Prepare prepares a statement inside the transaction, for loops that run one query many times.
func (t *Tx) Prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.tx.PrepareContext(ctx, t.db.q(query))
}

// InTx runs fn in one transaction: committed when fn returns nil, rolled back otherwise,
// so a failing step never leaves half a change behind.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	return db.inTx(ctx, nil, fn)
}

// inTx is InTx, on conn when it is not nil.
func (db *DB) inTx(ctx context.Context, conn *sql.Conn, fn func(tx *Tx) error) (err error) {
	var sqltx *sql.Tx
	if conn != nil {
		sqltx, err = conn.BeginTx(ctx, nil)
	} else {
		sqltx, err = db.sql.BeginTx(ctx, nil)
	}
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqltx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqltx.Rollback()
		}
	}()
	if err = fn(&Tx{tx: sqltx, db: db, conn: conn}); err != nil {
		return err
	}
	if err = sqltx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Rebind turns `?` placeholders into PostgreSQL's `$1, $2, …`, leaving quoted text alone.
func Rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	inQuote := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Millis and FromMillis convert between time.Time and the stored representation.
func Millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func FromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// Bool converts for the integer columns used for booleans in both dialects.
func Bool(b bool) int {
	if b {
		return 1
	}
	return 0
}

// IsUniqueViolation reports whether err is a unique-constraint failure in either dialect.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

// IsForeignKeyViolation reports whether err is a foreign-key failure in either dialect.
func IsForeignKeyViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "FOREIGN KEY constraint failed") || strings.Contains(s, "SQLSTATE 23503")
}

// Placeholders returns "?, ?, ?" with n marks, for IN lists.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}
