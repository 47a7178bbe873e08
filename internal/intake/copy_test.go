package intake_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/intake"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/orders/orderstest"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// copyCSV writes n rows C01…Cn, each a batch-sized import's row; row bad (1-based) says POISON.
func copyCSV(t *testing.T, n, bad int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("工单编号,来电时间,诉求地址,诉求内容\n")
	for i := 1; i <= n; i++ {
		content := fmt.Sprintf("第%d件 陸家嘴 噪音擾民", i)
		if i == bad {
			content = "POISON"
		}
		fmt.Fprintf(&b, "C%02d,2025-09-30 10:%02d,天山西路%d号,%s\n", i, i, 280+i, content)
	}
	path := filepath.Join(t.TempDir(), "copy.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// counts is what the database holds of the import: hotline orders, their receive events, and
// receive events without an order of this import.
func counts(t *testing.T, db *store.DB) (orderCount, receives int) {
	t.Helper()
	if err := db.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM orders WHERE external_id LIKE 'C%'),
		(SELECT COUNT(*) FROM order_events e JOIN orders o ON o.id = e.order_id WHERE o.external_id LIKE 'C%' AND e.action = 'receive')`).
		Scan(&orderCount, &receives); err != nil {
		t.Fatal(err)
	}
	return orderCount, receives
}

// A row that breaks the database in the middle of a batch written with COPY (here a trigger that
// fails the statement — not a refused value, so no row-by-row retry) leaves nothing of that batch:
// no order, no event, and the job's progress at the batch before. The import fails, the job says
// so, and importing the file again once the database is mended creates the rest, and nothing twice.
func TestImportCopyFailureLeavesNothingHalfWritten(t *testing.T) {
	db := testdb.Postgres(t)
	f := seed(t, db)
	// The trigger's message quotes the statement that wrote the row, to show it was the COPY.
	if _, err := db.Exec(ctx, `CREATE FUNCTION poison_row() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'poisoned by %', left(current_query(), 13); END $$`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `CREATE TRIGGER poison AFTER INSERT ON orders FOR EACH ROW WHEN (NEW.content = 'POISON') EXECUTE FUNCTION poison_row()`); err != nil {
		t.Fatal(err)
	}
	path := copyCSV(t, 9, 5) // batches of 3: rows 1–3, 4–6 (5 poisoned), 7–9
	_, err := intake.Import(ctx, db, intake.ImportOptions{Town: f.Town, Path: path, BatchSize: 3, Actor: f.As(f.Dispatcher), Orders: newStore(db)})
	if err == nil || !strings.Contains(err.Error(), `poisoned by copy "orders"`) {
		t.Fatalf("import over a failing COPY: %v", err)
	}
	if o, e := counts(t, db); o != 3 || e != 3 {
		t.Errorf("after the failure: %d orders, %d receive events; want the first batch's 3 and 3", o, e)
	}
	var status string
	var last, created int
	if err := db.QueryRow(ctx, `SELECT status, last_line, created FROM import_jobs ORDER BY id DESC LIMIT 1`).Scan(&status, &last, &created); err != nil {
		t.Fatal(err)
	}
	if status != intake.JobFailed || last != 4 || created != 3 { // line 4: the first batch's last row (line 1 is the header)
		t.Errorf("job %s at line %d with %d created; want failed at 4 with 3", status, last, created)
	}
	if _, err := db.Exec(ctx, `DROP TRIGGER poison ON orders`); err != nil {
		t.Fatal(err)
	}
	sum := importFile(t, db, f, path, func(o *intake.ImportOptions) { o.BatchSize = 3 })
	if sum.Created != 6 || sum.Unchanged != 3 || sum.Rejected != 0 {
		t.Errorf("import again: %+v", sum)
	}
	if o, e := counts(t, db); o != 9 || e != 9 {
		t.Errorf("after importing again: %d orders, %d receive events; want 9 and 9", o, e)
	}
}

// A value the database refuses in the middle of a COPY batch (a constraint no check foresaw) is
// rejected alone, naming its row and column; the rows around it, in that batch and the others, go
// in once each with their events, are found by search with traditional and simplified characters
// alike, and a second import of the file changes nothing.
func TestImportCopyRefusedRowAndSearch(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := seed(t, db)
		poison(t, db)
		path := copyCSV(t, 9, 5)
		sum := importFile(t, db, f, path, func(o *intake.ImportOptions) { o.BatchSize = 3 })
		if sum.Created != 8 || sum.Rejected != 1 || len(sum.Errors) != 1 || sum.Errors[0].Line != 6 || sum.Errors[0].Column != "工单编号" {
			t.Fatalf("summary %+v", sum)
		}
		if o, e := counts(t, db); o != 8 || e != 8 {
			t.Errorf("%d orders, %d receive events; want 8 and 8", o, e)
		}
		searchFinds(t, db, f, map[string]int{
			"陆家嘴":      8, // simplified finds the traditional 陸家嘴
			"擾民":       8, // traditional finds it too
			"噪音扰民":     8,
			"第4件":      1,
			"天山西路286号": 1,
			"第5件":      0, // the refused row
		})
		again := importFile(t, db, f, path, func(o *intake.ImportOptions) { o.BatchSize = 3 })
		if again.Created != 0 || again.Unchanged != 8 || again.Rejected != 1 {
			t.Errorf("second import: %+v", again)
		}
		if o, e := counts(t, db); o != 8 || e != 8 {
			t.Errorf("after the second import: %d orders, %d receive events; want 8 and 8", o, e)
		}
	})
}

func searchFinds(t *testing.T, db *store.DB, f orderstest.Fixture, want map[string]int) {
	t.Helper()
	for q, n := range want {
		total, _, err := orders.New(db).List(ctx, orders.Filter{Towns: []string{f.Town}, Query: q})
		if err != nil || total != n {
			t.Errorf("search %q: %d orders (%v), want %d", q, total, err, n)
		}
	}
}

// The benchmark's yardsticks write every valid row of the file: the bare COPY (bare insert on
// SQLite) all rows the reader accepts, the indexed copy (PostgreSQL) every order the import made.
func TestBenchYardsticksCountEveryRow(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := seed(t, db)
		path := copyCSV(t, 9, 0)
		// A tenth row the reader refuses: no yardstick writes it.
		b, _ := os.ReadFile(path)
		if err := os.WriteFile(path, append(b, "C10,someday,路,内容\n"...), 0o600); err != nil {
			t.Fatal(err)
		}
		sum := importFile(t, db, f, path, func(o *intake.ImportOptions) { o.BatchSize = 4 })
		if sum.Created != 9 || sum.Rejected != 1 {
			t.Fatalf("import: %+v", sum)
		}
		n, err := intake.BaselineInsert(ctx, db, path, 0, 4)
		if err != nil || n != 9 {
			t.Errorf("bare write: %d rows (%v), want 9", n, err)
		}
		var stored int
		if err := db.QueryRow(ctx, `SELECT COUNT(DISTINCT external_id) FROM bench_plain_orders`).Scan(&stored); err != nil || stored != 9 {
			t.Errorf("bench_plain_orders holds %d ids (%v), want 9", stored, err)
		}
		want := 0
		if db.Dialect() == store.Postgres {
			want = 9
		}
		if n, err := intake.IndexedCopy(ctx, db, f.Town, 4); err != nil || n != want {
			t.Errorf("indexed copy: %d rows (%v), want %d", n, err, want)
		}
	})
}
