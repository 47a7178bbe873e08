package store

// The index file (SQLite only). A capability may keep derived data — today the orders' search
// index — in a file of its own beside the database (SearchFile), attached read-only to every
// connection as schema "search" and written through one connection of its own (IndexFile).
// SQLite lets one writer at a time into a file; with the index in the same file, an import spent
// a quarter of its time on FTS5 while the second core idled. In its own file the index is written
// alongside the database, and it is derived data: deleted or stale, it is rebuilt. The capability
// creates its tables there through OnIndexFile.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"modernc.org/sqlite"
)

// SearchFile is where an SQLite database at path keeps its search index.
func SearchFile(path string) string { return strings.TrimSuffix(path, ".db") + ".search.db" }

// attachments maps each SQLite DSN this process opened to its search index file, for the
// connection hook that attaches it.
var (
	attachments sync.Map
	hookOnce    sync.Once
)

func attachSearchOnConnect() {
	hookOnce.Do(func() {
		sqlite.RegisterConnectionHook(func(conn sqlite.ExecQuerierContext, dsn string) error {
			path, ok := attachments.Load(dsn)
			if !ok {
				return nil
			}
			// Read-only: a write transaction on the database (BEGIN IMMEDIATE) would otherwise lock
			// the index file too, and the indexer would wait for every import batch.
			uri := "file:" + strings.NewReplacer("?", "%3f", "#", "%23", "%", "%25").Replace(path.(string)) + "?mode=ro"
			_, err := conn.ExecContext(context.Background(), `ATTACH DATABASE '`+strings.ReplaceAll(uri, "'", "''")+`' AS search`, nil)
			return err
		})
	})
}

// openSearchFile opens the writer's connection to the search index file.
func openSearchFile(path string) (*sql.DB, error) {
	dsn := "file:" + path + "?_txlock=immediate" +
		"&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-32768)" +
		// As for the database (see Open): the indexer, writing beside an import, checkpointed
		// every 1000 pages, and the import waited for it.
		"&_pragma=wal_autocheckpoint(25000)"
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open search index %s: %w", path, err)
	}
	sdb.SetMaxOpenConns(1)
	return sdb, nil
}

// KickSearch tells the running index writer (of the capability that owns the index) that rows
// were written.
func (db *DB) KickSearch() {
	if db.search == nil {
		return
	}
	select {
	case db.kick <- struct{}{}:
	default:
	}
}

// SearchKicks delivers KickSearch's signals to the indexer.
func (db *DB) SearchKicks() <-chan struct{} { return db.kick }

// IndexFile is the writer's connection to the index file (one connection: writes take turns),
// or nil where there is none (PostgreSQL). Hold LockIndex while writing through it.
func (db *DB) IndexFile() *sql.DB { return db.search }

// LockIndex takes the lock that keeps this process's index writers one at a time, and returns
// its release. (Writers in other processes are kept apart by the index file's write lock.)
func (db *DB) LockIndex() (unlock func()) {
	db.indexing.Lock()
	return db.indexing.Unlock
}

// Identity is the database's random token (store_identity, made by migration 7): an index file
// records the database it was built from, and one built from another is rebuilt.
func (db *DB) Identity(ctx context.Context) (string, error) {
	var identity string
	if err := db.QueryRow(ctx, `SELECT token FROM store_identity WHERE id = 1`).Scan(&identity); err != nil {
		return "", fmt.Errorf("database identity: %w", err)
	}
	return identity, nil
}

// newIdentity is a random token naming one database, so that an index file never serves another.
func newIdentity() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// identityMigration is the migration that brings the database's identity (and the search index).
const identityMigration = 7

// storeIdentity gives an SQLite database its identity; PostgreSQL keeps its index in the
// database itself and needs none.
func storeIdentity(ctx context.Context, tx *Tx) error {
	if tx.Dialect() == Postgres {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO store_identity (id, token) VALUES (1, ?)`, newIdentity())
	return err
}

// afterMigration holds the steps a migration's SQL cannot take, run in its transaction in the
// order they were registered: store's own, then the capabilities' (AfterMigration).
var afterMigration = map[int][]func(context.Context, *Tx) error{
	identityMigration: {storeIdentity},
}

// AfterMigration registers step, run inside the transaction of migration version after its SQL —
// a back-fill the SQL cannot do, such as computing search terms of the rows already there. The
// capability owning the table registers it from an init function, so any binary that uses the
// table migrates it whole.
func AfterMigration(version int, step func(context.Context, *Tx) error) {
	afterMigration[version] = append(afterMigration[version], step)
}

// indexFiles are the capabilities' preparations of the index file, by the migration they need.
var indexFiles []struct {
	version int
	prepare func(context.Context, *DB) error
}

// OnIndexFile registers prepare, run by Migrate on SQLite once the migrations up to version are
// in, to create or check a capability's tables in the index file (IndexFile). Register it from
// an init function.
func OnIndexFile(version int, prepare func(context.Context, *DB) error) {
	indexFiles = append(indexFiles, struct {
		version int
		prepare func(context.Context, *DB) error
	}{version, prepare})
}
