package orders

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/civicgrid/civicgrid/internal/search"
	"github.com/civicgrid/civicgrid/internal/store"
)

// The order search index (工单检索).
//
// PostgreSQL keeps each order's terms in orders.search (a tsvector with a GIN index), written in
// the transaction that writes the order.
//
// SQLite keeps them in an FTS5 table in the database's index file (store.SearchFile: attached to
// every connection as schema "search", written by an indexer on its own connection — see
// store/index.go for why a file of its own). It is derived data: deleted or stale, it is rebuilt
// from the orders.
//
// The indexer follows the orders by id — SQLite serialises writers, so ids commit in order — up
// to search_state.indexed_through, and takes orders whose text changed from the search_queue
// table of the main database. Searches stay exact meanwhile: orders past the high-water mark or
// queued are matched by scanning their text (see List).

// searchDoc is what the order search index holds of one order: its id and its terms
// (search.Terms of its content and address).
type searchDoc struct {
	ID    int64
	Terms string
	// Town is the order's town: SQLite's index holds its term (search.TownTerm) after the text's.
	Town string
}

// searchTerms is the index terms of an order's text.
func searchTerms(content, address string) string { return search.Terms(content, address) }

// searchNewOrders indexes orders just inserted in tx. On PostgreSQL it writes their search
// column; on SQLite the indexer finds them by id, so there is nothing to do.
func searchNewOrders(ctx context.Context, tx *store.Tx, docs []searchDoc) error {
	if tx.Dialect() != store.Postgres {
		return nil
	}
	for _, d := range docs {
		if _, err := tx.Exec(ctx, `UPDATE orders SET search = ?::tsvector WHERE id = ?`, search.TSVector(d.Terms), d.ID); err != nil {
			return fmt.Errorf("index order %d: %w", d.ID, err)
		}
	}
	return nil
}

// searchTextChanged re-indexes orders whose content or address changed in tx: at once on
// PostgreSQL, through the search queue on SQLite.
func searchTextChanged(ctx context.Context, tx *store.Tx, docs []searchDoc) error {
	if tx.Dialect() == store.Postgres {
		return searchNewOrders(ctx, tx, docs)
	}
	for _, d := range docs {
		if _, err := tx.Exec(ctx, `INSERT INTO search_queue (order_id) VALUES (?)`, d.ID); err != nil {
			return fmt.Errorf("queue order %d for the search index: %w", d.ID, err)
		}
	}
	return nil
}

// searchFormat names the terms' format; an index file written with another is rebuilt.
// 2: words are cut at search.MaxTermBytes; 3: traditional characters fold to simplified; 4:
// runs of letters and digits have edge terms (search.EdgeMark); 5: each order's town term
// (search.TownTerm) follows its text's terms.
const searchFormat = 5

// prepareSearch creates or checks the index file's tables. An index of another database (its
// identity differs) or of another terms format is emptied, and the indexer rebuilds it.
func prepareSearch(ctx context.Context, db *store.DB) error {
	identity, err := db.Identity(ctx)
	if err != nil {
		return err
	}
	index := db.IndexFile()
	for _, stmt := range []string{
		`CREATE VIRTUAL TABLE IF NOT EXISTS orders_search USING fts5(terms, content = '', contentless_delete = 1, tokenize = 'ascii')`,
		`CREATE TABLE IF NOT EXISTS search_state (id INTEGER PRIMARY KEY CHECK (id = 1), identity TEXT NOT NULL,
			format INTEGER NOT NULL, indexed_through INTEGER NOT NULL)`,
		// automerge 16 merges segments less eagerly than the default 4: the indexer keeps pace
		// with an import on the second core (10^6 orders: 8 instead of 4 spent a third less on
		// merging; 16 made the import 7 % faster again; 32 gained nothing), and a search still
		// reads few segments (same times at 10^6 orders). Set at every open, so an index made
		// with another value follows.
		`INSERT INTO orders_search (orders_search, rank) VALUES ('automerge', 16)`,
	} {
		if _, err := index.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
	}
	var have string
	var format int
	err = index.QueryRowContext(ctx, `SELECT identity, format FROM search_state WHERE id = 1`).Scan(&have, &format)
	if err == nil && have == identity && format == searchFormat {
		return nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("search index: %w", err)
	}
	tx, err := index.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, stmt := range []string{
		`DELETE FROM orders_search`,
		`DELETE FROM search_state`,
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("reset search index: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO search_state (id, identity, format, indexed_through) VALUES (1, ?, ?, 0)`,
		identity, searchFormat); err != nil {
		return err
	}
	return tx.Commit()
}

// searchBatch is how many orders one index transaction takes.
const searchBatch = 10000

// IndexSearch brings the search index up to date with the orders committed so far and returns
// how many orders it (re-)indexed. Several indexers (a server and an import in another process)
// may run at once: each index transaction reads the high-water mark under the index file's
// write lock. On PostgreSQL the index is always up to date and this returns at once.
func IndexSearch(ctx context.Context, db *store.DB) (int, error) {
	if db.IndexFile() == nil {
		return 0, nil
	}
	defer db.LockIndex()()
	total := 0
	for {
		n, err := indexNext(ctx, db)
		if err != nil {
			return total, err
		}
		total += n
		if n < searchBatch {
			break
		}
	}
	n, err := indexQueued(ctx, db)
	return total + n, err
}

// OrderText is an order's id and the text the search index covers.
type OrderText struct {
	ID               int64
	Town             string
	Content, Address string
}

// IndexOrderTexts indexes orders whose text the caller already has — an importer, right after
// committing them — sparing the indexer reading them back. They are taken only if they are
// exactly the next orders past the high-water mark, in id order; otherwise (another writer's
// orders came between, or another indexer got there first) IndexSearch reads what is missing
// from the database.
func IndexOrderTexts(ctx context.Context, db *store.DB, texts []OrderText) error {
	if db.IndexFile() == nil || len(texts) == 0 {
		return nil
	}
	done, err := indexTexts(ctx, db, texts)
	if err != nil || done {
		return err
	}
	_, err = IndexSearch(ctx, db)
	return err
}

func indexTexts(ctx context.Context, db *store.DB, texts []OrderText) (bool, error) {
	defer db.LockIndex()()
	first, last := texts[0].ID, texts[len(texts)-1].ID
	if last-first != int64(len(texts)-1) {
		return false, nil
	}
	tx, through, err := beginIndex(ctx, db)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if through >= last {
		return true, nil
	}
	if through != first-1 {
		return false, nil
	}
	docs := make([]searchDoc, len(texts))
	for i, t := range texts {
		docs[i] = searchDoc{ID: t.ID, Terms: searchTerms(t.Content, t.Address), Town: t.Town}
	}
	if err := advance(ctx, tx, docs); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// beginIndex starts a transaction on the index file, which holds its write lock, and reads the
// high-water mark under it.
func beginIndex(ctx context.Context, db *store.DB) (*sql.Tx, int64, error) {
	tx, err := db.IndexFile().BeginTx(ctx, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("search index: %w", err)
	}
	var through int64
	if err := tx.QueryRowContext(ctx, `SELECT indexed_through FROM search_state WHERE id = 1`).Scan(&through); err != nil {
		tx.Rollback()
		return nil, 0, fmt.Errorf("search index state: %w", err)
	}
	return tx, through, nil
}

// advance indexes docs, the next orders in id order, and moves the mark to the last of them.
func advance(ctx context.Context, tx *sql.Tx, docs []searchDoc) error {
	if err := writeSearchDocs(ctx, tx, docs, false); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE search_state SET indexed_through = ? WHERE id = 1`, docs[len(docs)-1].ID)
	return err
}

// indexNext indexes the next orders past the high-water mark.
func indexNext(ctx context.Context, db *store.DB) (int, error) {
	tx, through, err := beginIndex(ctx, db)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	docs, err := orderTexts(ctx, db, `SELECT id, town_code, content, address FROM orders WHERE id > ? ORDER BY id LIMIT `+strconv.Itoa(searchBatch), through)
	if err != nil || len(docs) == 0 {
		return 0, err
	}
	if err := advance(ctx, tx, docs); err != nil {
		return 0, err
	}
	return len(docs), tx.Commit()
}

// indexQueued re-indexes the orders whose text changed. Queue entries are removed only up to the
// last one read, so a change queued meanwhile is taken on the next pass.
func indexQueued(ctx context.Context, db *store.DB) (int, error) {
	total := 0
	for {
		rows, err := db.Query(ctx, `SELECT seq, order_id FROM search_queue ORDER BY seq LIMIT 1000`)
		if err != nil {
			return total, fmt.Errorf("search queue: %w", err)
		}
		var last int64
		ids := map[int64]bool{}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&last, &id); err != nil {
				rows.Close()
				return total, err
			}
			ids[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return total, err
		}
		idList := make([]byte, 0, 8*len(ids))
		idList = append(idList, '[')
		for id := range ids {
			if len(idList) > 1 {
				idList = append(idList, ',')
			}
			idList = strconv.AppendInt(idList, id, 10)
		}
		idList = append(idList, ']')
		tx, through, err := beginIndex(ctx, db)
		if err != nil {
			return total, err
		}
		// Orders past the mark are indexed with their current text when the mark reaches them.
		docs, err := orderTexts(ctx, db, `SELECT id, town_code, content, address FROM orders WHERE id IN (SELECT value FROM json_each(?)) AND id <= ?`,
			string(idList), through)
		if err == nil {
			err = writeSearchDocs(ctx, tx, docs, true)
		}
		if err == nil {
			err = tx.Commit()
		}
		if err != nil {
			tx.Rollback()
			return total, fmt.Errorf("re-index changed orders: %w", err)
		}
		if _, err := db.Exec(ctx, `DELETE FROM search_queue WHERE seq <= ?`, last); err != nil {
			return total, fmt.Errorf("search queue: %w", err)
		}
		total += len(docs)
	}
}

// orderTexts reads orders (id, town_code, content, address) with query and makes their search docs.
func orderTexts(ctx context.Context, q store.Querier, query string, args ...any) ([]searchDoc, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("orders to index: %w", err)
	}
	defer rows.Close()
	var docs []searchDoc
	var content, address string
	for rows.Next() {
		var d searchDoc
		if err := rows.Scan(&d.ID, &d.Town, &content, &address); err != nil {
			return nil, err
		}
		d.Terms = searchTerms(content, address)
		docs = append(docs, d)
	}
	return docs, rows.Err()
}

// writeSearchDocs writes docs into the FTS5 table with one statement, their ids and terms passed
// as one JSON array: FTS5 writes its pending terms out as a new segment whenever a statement
// opens a savepoint, so a statement per few hundred docs would leave many small segments to
// merge. replace drops what the index held for those orders first.
func writeSearchDocs(ctx context.Context, tx *sql.Tx, docs []searchDoc, replace bool) error {
	if len(docs) == 0 {
		return nil
	}
	size := 2
	for _, d := range docs {
		size += len(d.Terms) + len(d.Town) + 40 // id, town mark, brackets, quotes, the odd escape
	}
	ids := make([]byte, 0, 12*len(docs))
	arr := make([]byte, 0, size)
	arr = append(arr, '[')
	ids = append(ids, '[')
	for i, d := range docs {
		if i > 0 {
			arr, ids = append(arr, ','), append(ids, ',')
		}
		ids = strconv.AppendInt(ids, d.ID, 10)
		arr = append(arr, '[')
		arr = strconv.AppendInt(arr, d.ID, 10)
		arr = append(arr, ',')
		arr = store.AppendJSONString(arr, d.Terms+" "+search.TownTerm(d.Town))
		arr = append(arr, ']')
	}
	arr, ids = append(arr, ']'), append(ids, ']')
	if replace {
		if _, err := tx.ExecContext(ctx, `DELETE FROM orders_search WHERE rowid IN (SELECT value FROM json_each(?))`, string(ids)); err != nil {
			return fmt.Errorf("unindex orders: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO orders_search (rowid, terms) SELECT value ->> 0, value ->> 1 FROM json_each(?)`, string(arr)); err != nil {
		return fmt.Errorf("index orders: %w", err)
	}
	return nil
}

// RunSearchIndexer keeps the search index of db up to date until ctx ends: at once when kicked (store.DB.KickSearch), else
// every second (another process, an import, may have written orders). Errors are reported to
// onError and retried.
func RunSearchIndexer(ctx context.Context, db *store.DB, onError func(error)) {
	if db.IndexFile() == nil {
		return
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		if _, err := IndexSearch(ctx, db); err != nil && ctx.Err() == nil && onError != nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-db.SearchKicks():
		case <-t.C:
		}
	}
}

// backfillSearch fills PostgreSQL's search column for the orders that existed before it did
// (migration 7, which brought the search index; store runs it in that migration's transaction),
// and writes it again where the terms changed (migrations 13 and 37): one statement per
// backfillBatch orders, their ids and tsvector literals as one JSON array (a statement per order
// took minutes at a million orders).
func backfillSearch(ctx context.Context, tx *store.Tx) error {
	if tx.Dialect() != store.Postgres {
		return nil
	}
	var last int64
	for {
		docs, err := orderTexts(ctx, tx, `SELECT id, town_code, content, address FROM orders WHERE id > ? ORDER BY id LIMIT `+strconv.Itoa(backfillBatch), last)
		if err != nil {
			return err
		}
		if len(docs) == 0 {
			if last == 0 {
				return nil
			}
			// Every row was written anew: the planner's statistics of the table (its pages,
			// the search column's) are stale, and a large database's searches and lists
			// planned badly until autovacuum came by (10× slower at 10⁶ orders). ANALYZE can
			// run here, in the migration's transaction; VACUUM cannot (docs/DISPATCH.md).
			_, err := tx.Exec(ctx, `ANALYZE orders`)
			return err
		}
		arr := make([]byte, 0, 64*len(docs))
		arr = append(arr, '[')
		for i, d := range docs {
			if i > 0 {
				arr = append(arr, ',')
			}
			arr = append(arr, '[')
			arr = strconv.AppendInt(arr, d.ID, 10)
			arr = append(arr, ',')
			arr = store.AppendJSONString(arr, search.TSVector(d.Terms))
			arr = append(arr, ']')
		}
		arr = append(arr, ']')
		if _, err := tx.Exec(ctx, `UPDATE orders SET search = (v ->> 1)::tsvector FROM json_array_elements(?::json) AS v
			WHERE orders.id = (v ->> 0)::bigint`, string(arr)); err != nil {
			return fmt.Errorf("index orders after %d: %w", last, err)
		}
		last = docs[len(docs)-1].ID
	}
}

// backfillBatch is how many orders one statement of backfillSearch writes.
const backfillBatch = 5000

// searchMigration is the migration that brings the search index; searchFoldMigration the one
// after which terms fold traditional characters, searchEdgesMigration the one after which runs
// have edge terms (PostgreSQL's column is written again; SQLite's index file is rebuilt by its
// format number).
const (
	searchMigration      = 7
	searchFoldMigration  = 13
	searchEdgesMigration = 37
	searchTownMigration  = 45
)

func init() {
	store.AfterMigration(searchMigration, backfillSearch)
	store.AfterMigration(searchFoldMigration, backfillSearch)
	store.AfterMigration(searchEdgesMigration, backfillSearch)
	store.AfterMigration(searchTownMigration, searchByTown)
	store.OnIndexFile(searchMigration, prepareSearch)
}

// searchByTown is migration 0045 on PostgreSQL: the search terms' GIN index becomes one over
// (town_code, search), so that a town's search reads the town's hits alone (the migration's file
// says why). A GIN index over text needs btree_gin; it is created in schema public when this
// role may create there, so that it outlives any one schema — an extension belongs to a schema,
// and dropping that schema would drop every index in the database that uses it.
func searchByTown(ctx context.Context, tx *store.Tx) error {
	if tx.Dialect() != store.Postgres {
		return nil
	}
	var installed bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'btree_gin')`).Scan(&installed); err != nil {
		return err
	}
	if !installed {
		var inPublic bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public') AND has_schema_privilege('public', 'CREATE')`).Scan(&inPublic); err != nil {
			return err
		}
		create := `CREATE EXTENSION IF NOT EXISTS btree_gin`
		if inPublic {
			create += ` SCHEMA public`
		}
		if _, err := tx.Exec(ctx, create); err != nil {
			return fmt.Errorf("the order search index needs PostgreSQL's btree_gin extension (PostgreSQL's contrib modules; "+
				"a superuser can run CREATE EXTENSION btree_gin in this database once): %w", err)
		}
	}
	for _, stmt := range []string{
		`CREATE INDEX orders_town_search ON orders USING gin (town_code, search)`,
		`DROP INDEX orders_search`,
	} {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}
