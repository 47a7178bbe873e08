package intake

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/civicgrid/civicgrid/internal/intake/hotline"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/store"
)

// DefaultBatch is how many file rows one transaction commits. Each commit appends every index page
// it touched to the WAL, so bigger batches write far less (1,000 → 10,000 took 300,000 rows from
// 11,900 to 20,200 rows/s on SQLite); past 10,000 nothing more was gained and memory grew. A kill
// loses at most one batch, which the resume re-does.
const DefaultBatch = 10000

// ImportOptions describes one batch import of a hotline export.
type ImportOptions struct {
	Town string // the tenant town the orders belong to
	// Path is the file to read; or, when empty, Reader with Name (whose extension says xlsx or
	// CSV) is copied to a temporary file first, since resuming needs the file's hash.
	Path     string
	Reader   io.Reader
	Name     string
	Encoding hotline.Encoding // CSV only
	Actor    orders.ActorInfo // who imports: named in the orders' history and the job
	// Progress, when set, is called after each batch: for CSV, bytes read of the file's size; for
	// xlsx (whose archive is unpacked up front), rows read and -1.
	Progress func(done, total int64)
	// OnBatch, when set, receives the running summary after each committed batch.
	OnBatch func(Summary)
	// ErrorsTo, when set, receives the rejected rows' problems as an xlsx report at the end.
	ErrorsTo  io.Writer
	BatchSize int           // rows per transaction, DefaultBatch when 0
	Orders    *orders.Store // the order store (its clock); orders.New(db) when nil
	// Stages, when set, receives where the import's time went (for benchmarks).
	Stages *Stages
}

// Stages splits an import's time by what the writing goroutine was doing: a fast import spends
// nearly all of it writing.
type Stages struct {
	Writing     time.Duration // inside batch transactions
	WaitReader  time.Duration // waiting for the file reader's next batch
	WaitIndexer time.Duration // waiting to hand a written batch to the search indexer
	IndexTail   time.Duration // after the last batch, until the search index held every order
}

// Summary is what an import did. Counts cover the whole file, including batches committed by an
// earlier run that was interrupted.
type Summary struct {
	Job         int64              `json:"job"`
	Rows        int                `json:"rows"` // non-blank data rows read
	Created     int                `json:"created"`
	Updated     int                `json:"updated"`
	Unchanged   int                `json:"unchanged"`
	Rejected    int                `json:"rejected"`
	Unlocated   int                `json:"unlocated"` // created orders that no grid took: the 待定位 queue
	ResumedFrom int                `json:"resumed_from,omitempty"`
	Header      map[string]string  `json:"header,omitempty"` // field → column as written in the file
	Seconds     float64            `json:"seconds"`
	Errors      []hotline.RowError `json:"-"`
}

// MarshalJSON adds the row errors with lower-case keys, as the rest of the API writes them.
func (s Summary) MarshalJSON() ([]byte, error) {
	type plain Summary
	type rowError struct {
		Line   int    `json:"line"`
		Column string `json:"column"`
		Field  string `json:"field"`
		Reason string `json:"reason"`
	}
	errs := make([]rowError, len(s.Errors))
	for i, e := range s.Errors {
		errs[i] = rowError{e.Line, e.Column, e.Field, e.Reason}
	}
	return json.Marshal(struct {
		plain
		Errors []rowError `json:"errors"`
	}{plain(s), errs})
}

// Job statuses.
const (
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// Import reads a hotline export and turns its rows into orders of one town, committing every
// BatchSize rows together with the job's progress. Run again on the same file (same SHA-256) after
// a crash, it continues after the last committed row; run again after it finished, it reads the
// whole file again and, the orders being keyed by 工单编号, creates nothing twice. An error means
// the file as a whole could not be read (or the database failed); bad rows are not errors but
// counted, listed in Summary.Errors and left out.
func Import(ctx context.Context, db *store.DB, o ImportOptions) (sum Summary, err error) {
	start := time.Now()
	// Errors reach the people importing (the upload page, the job record): they name the file
	// as its owner knows it, never the server's temporary copy.
	defer func() { err = hidePaths(err, o.Path, o.Name) }()
	if o.Path == "" {
		if o.Reader == nil {
			return sum, errors.New("import: no file given")
		}
		path, cleanup, err := spool(o.Reader, o.Name)
		if err != nil {
			return sum, err
		}
		defer cleanup()
		o.Path = path
	}
	if o.Name == "" {
		o.Name = filepath.Base(o.Path)
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatch
	}
	if o.Orders == nil {
		o.Orders = orders.New(db)
	}
	if err := places.RequireTown(ctx, db, "town", o.Town); err != nil {
		return sum, err
	}
	sha, size, err := hashFile(o.Path)
	if err != nil {
		return sum, err
	}

	in, err := openFile(o.Path, o.Name, o.Encoding)
	if err != nil {
		return sum, err
	}
	defer in.close()
	sum.Header = in.r.Header()

	router, err := NewRouter(ctx, db, o.Orders, o.Town)
	if err != nil {
		return sum, err
	}
	st := *o.Orders
	st.Locator = func(context.Context, string) (*places.Locator, error) { return router.Locator(), nil }
	ap := &applier{orders: &st, router: router, actor: o.Actor, header: sum.Header, dialect: db.Dialect()}

	job, err := beginJob(ctx, db, o, sha)
	if err != nil {
		return sum, err
	}
	// From here on the job is recorded as running. Whatever ends it early, other than ctx (a
	// shutdown, whose next run resumes the job), marks it failed, so that no job stays
	// "running" with nobody running it.
	defer func() {
		if err != nil && ctx.Err() == nil {
			err = failJob(ctx, db, job.id, hidePaths(err, o.Path, o.Name))
		}
	}()
	sum = job.sum
	sum.Header = in.r.Header()
	if job.lastLine > 0 {
		sum.ResumedFrom = job.lastLine
		if err := in.r.SkipTo(job.lastLine); err != nil {
			return sum, err
		}
	}
	idColumn := sum.Header["hotline_id"]
	// An import allocates a batch's rows while the previous one is written; collecting garbage
	// half as often took 6 % off a 200,000-row import for about 80 MB more heap, which stays
	// flat however large the file is.
	defer debug.SetGCPercent(debug.SetGCPercent(200))
	// Reading, checking and routing rows runs on its own goroutine, a batch ahead of the writer:
	// the database is busy with one batch while the next is prepared, which on two cores takes
	// the file's parsing and the routing out of the import's time almost entirely.
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	// On SQLite the search index is written on its own file and connection (see store), here by
	// a goroutine that takes each committed batch's new orders, so it runs beside the import
	// rather than inside its transactions; the import ends when the index has caught up too.
	toIndex := make(chan []orders.OrderText, 2)
	indexing := make(chan error, 1)
	// The reader and the indexer take turns (one batch each at a time): together they need less
	// CPU than the writer, and when both ran beside it on two cores the writer waited for a core.
	// The reader skips its turn when the writer is waiting for it (see readBatches).
	var helper sync.Mutex
	go func() {
		var first error
		for texts := range toIndex {
			if first == nil {
				helper.Lock()
				first = orders.IndexOrderTexts(ctx, db, texts)
				helper.Unlock()
			}
		}
		indexing <- first
	}()
	closeIndex := sync.OnceValue(func() error { close(toIndex); return <-indexing })
	defer closeIndex()
	// The statements of a batch run without ctx's cancellation: the SQLite driver watches a
	// cancellable context with a goroutine per statement, which competes with the writer for the
	// cores. The transaction itself still ends with ctx (database/sql rolls it back), so a
	// cancelled import stops within one batch and keeps nothing of it.
	batchCtx := context.WithoutCancel(ctx)
	batches := make(chan readBatch, 2)
	go readBatches(readCtx, in, ap, sum.Header["town"], o.BatchSize, &helper, batches)
	written := 0
	var stages Stages
	if o.Stages != nil {
		defer func() { *o.Stages = stages }()
	}
	mark := time.Now()
	since := func(d *time.Duration) {
		now := time.Now()
		*d += now.Sub(mark)
		mark = now
	}
	for b := range batches {
		since(&stages.WaitReader)
		if b.err != nil {
			if ctx.Err() != nil {
				return sum, ctx.Err() // the job stays "running": the next run resumes it
			}
			return sum, b.err
		}
		var next Summary
		var created []orders.OrderText
		write := func(tx *store.Tx, oneByOne bool) error {
			if err := relaxCommit(batchCtx, tx); err != nil {
				return err
			}
			next = sum
			next.Rejected += b.rejected
			batchErrs := slices.Clone(b.errs)
			apply := ap.apply
			if oneByOne {
				apply = ap.applyEach
			}
			res, err := apply(batchCtx, tx, b.rows, idColumn)
			if err != nil {
				return err
			}
			created = created[:0]
			for i, r := range res {
				if r.Status == Created && db.Dialect() == store.SQLite {
					n := &b.rows[i].order
					created = append(created, orders.OrderText{ID: r.OrderID, Town: o.Town, Content: n.Content, Address: n.Address})
				}
			}
			for _, r := range res {
				switch r.Status {
				case Created:
					next.Created++
					if r.Grid == "" {
						next.Unlocated++
					}
				case Updated:
					next.Updated++
				case Unchanged:
					next.Unchanged++
				case Rejected:
					next.Rejected++
					batchErrs = append(batchErrs, r.Errors...)
				}
			}
			next.Rows += b.read
			// Appending may write past sum.Errors' length into its spare room, which a retry
			// overwrites the same way; sum itself is replaced only after a commit.
			next.Errors = append(next.Errors, batchErrs...)
			return saveProgress(batchCtx, tx, job.id, b.lastLine, next, batchErrs)
		}
		err := db.InCopyTx(ctx, func(tx *store.Tx) error { return write(tx, false) })
		if err != nil && ctx.Err() == nil && refusedValue(err) {
			// The database refused a value of some row that no check foresaw: write the batch
			// again row by row, so that only that row is rejected.
			err = db.InCopyTx(ctx, func(tx *store.Tx) error { return write(tx, true) })
		}
		if err != nil {
			if ctx.Err() != nil {
				return sum, ctx.Err()
			}
			return sum, fmt.Errorf("import rows up to %d: %w", b.lastLine, err)
		}
		// The batch is committed: open live screens of the town reload once for all its orders.
		o.Orders.AnnounceMany(ctx, o.Town, (next.Created-sum.Created)+(next.Updated-sum.Updated), orders.ManyImport)
		sum = next
		since(&stages.Writing)
		// PostgreSQL plans the per-batch id look-up from table statistics that autovacuum refreshes
		// late during a bulk load; with the stale ones of a small table it scans the whole orders
		// table per batch (measured: 261 rows/s at 200,000 rows). Refreshing them after batches
		// 1, 2, 4, 8 … costs a few ANALYZEs per import, of the look-up's columns only: the
		// statistics of the search terms took most of a whole-table ANALYZE (2 s of a 30,000-row
		// import's 20 s under load).
		if written++; db.Dialect() == store.Postgres && written&(written-1) == 0 {
			if _, err := db.Exec(ctx, `ANALYZE orders (town_code, channel, external_id)`); err != nil {
				return sum, fmt.Errorf("analyze orders: %w", err)
			}
		}
		if o.Progress != nil {
			if in.counter != nil {
				o.Progress(b.bytes, size)
			} else {
				o.Progress(int64(sum.Rows), -1)
			}
		}
		if len(created) > 0 {
			mark = time.Now()
			toIndex <- created
			since(&stages.WaitIndexer)
		}
		if o.OnBatch != nil {
			o.OnBatch(sum)
		}
		mark = time.Now()
	}
	if err := ctx.Err(); err != nil {
		return sum, err
	}
	mark = time.Now()
	if err := closeIndex(); err != nil {
		return sum, fmt.Errorf("search index: %w", err)
	}
	if _, err := orders.IndexSearch(ctx, db); err != nil {
		return sum, fmt.Errorf("search index: %w", err)
	}
	since(&stages.IndexTail)
	sum.Seconds = time.Since(start).Seconds()
	if _, err := db.Exec(ctx, `UPDATE import_jobs SET status = ?, finished_at = ? WHERE id = ?`, JobDone, time.Now().UnixMilli(), job.id); err != nil {
		return sum, fmt.Errorf("finish import job: %w", err)
	}
	if o.ErrorsTo != nil {
		if err := hotline.WriteErrorReport(o.ErrorsTo, sum.Errors); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// readBatch is one transaction's worth of file rows: the valid ones prepared, the problems of the
// others, and where the file stands after them.
type readBatch struct {
	rows     []prepared
	errs     []hotline.RowError
	rejected int   // rows the reader or the town check rejected
	read     int   // non-blank rows read
	lastLine int   // the file line of the last of them
	bytes    int64 // bytes of a CSV file consumed so far
	err      error // the file could not be read on (or ctx ended); the last message
}

// readBatches reads the rest of the file into batches of size rows, prepared by ap, and sends
// them in file order; it closes out when the file ends, after sending an error, or when ctx ends.
func readBatches(ctx context.Context, in *input, ap *applier, townColumn string, size int, turn *sync.Mutex, out chan<- readBatch) {
	defer close(out)
	// turn is held while a batch is read and the writer has another one queued; with none queued
	// the writer is waiting for this one, and the reader goes ahead of the indexer. It is never
	// held while waiting to hand a batch over.
	holding := false
	take := func() {
		if len(out) > 0 {
			turn.Lock()
			holding = true
		}
	}
	release := func() {
		if holding {
			turn.Unlock()
			holding = false
		}
	}
	take()
	defer release()
	send := func(b readBatch) bool {
		release()
		defer take()
		select {
		case out <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	r, counted := in.r, in.counter
	b := readBatch{rows: make([]prepared, 0, size)}
	for {
		if err := ctx.Err(); err != nil {
			send(readBatch{err: err})
			return
		}
		row, errs, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			send(readBatch{err: err})
			return
		}
		b.read++
		b.lastLine = row.Line
		var p prepared
		if len(errs) == 0 {
			p, errs = ap.prepare(row, townColumn)
		}
		if len(errs) > 0 {
			b.errs = append(b.errs, errs...)
			b.rejected++
		} else {
			b.rows = append(b.rows, p)
		}
		if b.read >= size {
			if counted != nil {
				b.bytes = counted.n
			}
			if !send(b) {
				return
			}
			b = readBatch{rows: make([]prepared, 0, size)}
		}
	}
	if b.read > 0 {
		if counted != nil {
			b.bytes = counted.n
		}
		send(b)
	}
}

// relaxCommit lets a batch's commit on PostgreSQL return before its WAL reaches the disk
// (synchronous_commit off, for this transaction only). A server crash can then lose the last
// batches committed in the past fraction of a second — but each whole, together with the job's
// progress that the same transaction writes, so the resume re-does exactly them; nothing is
// half-written, and no other transaction's durability changes. The import's end (the job marked
// done) commits synchronously, which flushes every batch's WAL before the import reports done.
func relaxCommit(ctx context.Context, tx *store.Tx) error {
	if tx.Dialect() != store.Postgres {
		return nil
	}
	_, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`)
	return err
}

type job struct {
	id       int64
	lastLine int
	sum      Summary
}

// beginJob finds the job of this file and town: a running one (an earlier run was killed) is
// resumed with its counts and errors; a finished one starts over, since the user asked to read
// the file again; otherwise a new one is recorded.
func beginJob(ctx context.Context, db *store.DB, o ImportOptions, sha string) (job, error) {
	var j job
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var status string
		err := tx.QueryRow(ctx, `SELECT id, status, last_line, created, updated, unchanged, rejected, unlocated
			FROM import_jobs WHERE town_code = ? AND kind = 'hotline' AND file_sha256 = ?`, o.Town, sha).
			Scan(&j.id, &status, &j.lastLine, &j.sum.Created, &j.sum.Updated, &j.sum.Unchanged, &j.sum.Rejected, &j.sum.Unlocated)
		now := time.Now().UnixMilli()
		switch {
		case errors.Is(err, sql.ErrNoRows):
			j = job{}
			return tx.QueryRow(ctx, `INSERT INTO import_jobs (town_code, kind, file_sha256, file_name, status, actor_id, started_at)
				VALUES (?, 'hotline', ?, ?, ?, ?, ?) RETURNING id`, o.Town, sha, o.Name, JobRunning, store.NullIfZero(o.Actor.UserID), now).Scan(&j.id)
		case err != nil:
			return fmt.Errorf("import job: %w", err)
		case status == JobRunning:
			rows, err := tx.Query(ctx, `SELECT line, column_name, field, reason FROM import_job_errors WHERE job_id = ? ORDER BY id`, j.id)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var e hotline.RowError
				if err := rows.Scan(&e.Line, &e.Column, &e.Field, &e.Reason); err != nil {
					return err
				}
				j.sum.Errors = append(j.sum.Errors, e)
			}
			j.sum.Rows = j.sum.Created + j.sum.Updated + j.sum.Unchanged + j.sum.Rejected
			return rows.Err()
		default:
			j = job{id: j.id}
			if _, err := tx.Exec(ctx, `DELETE FROM import_job_errors WHERE job_id = ?`, j.id); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `UPDATE import_jobs SET status = ?, last_line = 0, created = 0, updated = 0, unchanged = 0,
				rejected = 0, unlocated = 0, error = '', file_name = ?, actor_id = ?, started_at = ?, finished_at = NULL WHERE id = ?`,
				JobRunning, o.Name, store.NullIfZero(o.Actor.UserID), now, j.id)
			return err
		}
	})
	j.sum.Job = j.id
	return j, err
}

func saveProgress(ctx context.Context, tx *store.Tx, id int64, lastLine int, s Summary, errs []hotline.RowError) error {
	if _, err := tx.Exec(ctx, `UPDATE import_jobs SET last_line = ?, created = ?, updated = ?, unchanged = ?, rejected = ?, unlocated = ?
		WHERE id = ?`, lastLine, s.Created, s.Updated, s.Unchanged, s.Rejected, s.Unlocated, id); err != nil {
		return fmt.Errorf("import progress: %w", err)
	}
	const per, chunk = 5, 500
	for start := 0; start < len(errs); start += chunk {
		part := errs[start:min(start+chunk, len(errs))]
		args := make([]any, 0, per*len(part))
		for _, e := range part {
			args = append(args, id, e.Line, e.Column, e.Field, e.Reason)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO import_job_errors (job_id, line, column_name, field, reason) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", len(part)), ", "), args...); err != nil {
			return fmt.Errorf("import errors: %w", err)
		}
	}
	return nil
}

// failJob records why a file could not be imported to the end and returns err.
func failJob(ctx context.Context, db *store.DB, id int64, err error) error {
	_, _ = db.Exec(context.WithoutCancel(ctx), `UPDATE import_jobs SET status = ?, error = ?, finished_at = ? WHERE id = ?`,
		JobFailed, err.Error(), time.Now().UnixMilli(), id)
	return err
}

// hidePaths replaces the server's file names in err's message — path, the file being imported,
// by name, the file's own name, and anything else under the temporary directory by "…" — and
// keeps err for errors.Is and errors.As. nil stays nil.
func hidePaths(err error, path, name string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if path != "" && path != name {
		msg = strings.ReplaceAll(msg, path, name)
	}
	msg = tempPath.ReplaceAllString(msg, "…")
	if msg == err.Error() {
		return err
	}
	return &hiddenPaths{msg: msg, err: err}
}

// tempPath matches a file name under the temporary directory, where uploads are spooled.
var tempPath = regexp.MustCompile(regexp.QuoteMeta(filepath.Clean(os.TempDir())+string(filepath.Separator)) + `[^\s:"'()]*`)

type hiddenPaths struct {
	msg string
	err error
}

func (e *hiddenPaths) Error() string { return e.msg }
func (e *hiddenPaths) Unwrap() error { return e.err }

// input is an open hotline file; counter counts CSV bytes for progress.
type input struct {
	r       *hotline.Reader
	counter *countingReader
}

func (in *input) close() { in.r.Close() }

// openFile opens a hotline file like hotline.Open, counting the bytes a CSV reader consumes;
// errors name the file by name.
func openFile(path, name string, enc hotline.Encoding) (*input, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".txt":
	default:
		r, err := hotline.Open(path, enc) // xlsx, or the reader's own message for other types
		if err != nil {
			return nil, hidePaths(err, path, name)
		}
		return &input{r: r}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, hidePaths(fmt.Errorf("open hotline file: %w", err), path, name)
	}
	c := &countingReader{r: f, Closer: f}
	r, err := hotline.NewCSV(c, enc)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &input{r: r, counter: c}, nil
}

type countingReader struct {
	r io.Reader
	io.Closer
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, fmt.Errorf("open hotline file: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("read hotline file: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// spool copies an upload to a temporary file with the upload's extension.
func spool(r io.Reader, name string) (string, func(), error) {
	f, err := os.CreateTemp("", "hotline-*"+strings.ToLower(filepath.Ext(name)))
	if err != nil {
		return "", nil, fmt.Errorf("spool upload: %w", err)
	}
	cleanup := func() { os.Remove(f.Name()) }
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		cleanup()
		return "", nil, fmt.Errorf("spool upload: %w", err)
	}
	if err := f.Close(); err != nil {
		cleanup()
		return "", nil, err
	}
	return f.Name(), cleanup, nil
}
