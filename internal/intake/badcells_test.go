package intake_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/intake"
	"github.com/civicgrid/civicgrid/internal/intake/hotline"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
)

// One bad cell used to fail its whole batch of up to 10,000 rows on PostgreSQL (a NUL, a word
// over 2,047 bytes, bytes that are not UTF-8), leave the job "running" and the rows around it
// unimported. Now such a row is rejected naming its line and column, a long word is indexed cut
// short, and every other row goes in, on both databases.
func TestImportRejectsBadCellsPerRow(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, f fixture) {
		csv := "工单编号,来电时间,诉求人,诉求地址,诉求内容\n" +
			"B1,2025-09-30 10:00,,,好的一行\n" +
			"B2,2025-09-30 10:00,,,门口\x00噪音\n" +
			"B3,2025-09-30 10:00,,,长词 " + strings.Repeat("a", 3000) + "\n" +
			"B4,2025-09-30 10:00,,剑河路\xff176弄,地址乱码\n" +
			"B5,2025-09-30 10:00,,," + strings.Repeat("长", orders.MaxContentRunes+1) + "\n" +
			"B6,2025-09-30 10:00," + strings.Repeat("名", orders.MaxNameRunes+1) + ",,名字太长\n" +
			"B7,2099-09-30 10:00,,,将来的来电\n" +
			"B8,2025-09-30 10:00,,,又一行好的\n"
		path := filepath.Join(t.TempDir(), "bad.csv")
		if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
			t.Fatal(err)
		}
		sum := importFile(t, db, f, path, func(o *intake.ImportOptions) { o.Encoding = hotline.UTF8 })
		if sum.Created != 3 || sum.Rejected != 5 {
			t.Fatalf("created %d, rejected %d; want 3 and 5: %+v", sum.Created, sum.Rejected, sum.Errors)
		}
		want := map[int]string{3: "诉求内容", 5: "诉求地址", 6: "诉求内容", 7: "诉求人", 8: "来电时间"}
		for _, e := range sum.Errors {
			if want[e.Line] != e.Column {
				t.Errorf("error on line %d column %q (%s); want column %q", e.Line, e.Column, e.Reason, want[e.Line])
			}
			delete(want, e.Line)
		}
		if len(want) != 0 {
			t.Errorf("no error for lines %v", want)
		}
		for _, id := range []string{"B1", "B3", "B8"} {
			byExternal(t, db, f, id)
		}
		if st := jobStatus(t, db, sum.Job); st != intake.JobDone {
			t.Errorf("job %s", st)
		}
	})
}

// A value that passes every check but that the database still refuses (here a constraint the
// test adds) is rejected alone: the batch is written again row by row behind savepoints.
func TestImportRowTheDatabaseRefuses(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, f fixture) {
		poison(t, db)
		csv := "工单编号,来电时间,诉求内容\nR1,2025-09-30 10:00,第一行\nR2,2025-09-30 10:00,POISON\nR3,2025-09-30 10:00,第三行\n"
		path := filepath.Join(t.TempDir(), "poison.csv")
		if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
			t.Fatal(err)
		}
		sum := importFile(t, db, f, path)
		if sum.Created != 2 || sum.Rejected != 1 || len(sum.Errors) != 1 || sum.Errors[0].Line != 3 || sum.Errors[0].Column != "工单编号" {
			t.Fatalf("summary %+v", sum)
		}
		byExternal(t, db, f, "R1")
		byExternal(t, db, f, "R3")

		res, err := intake.Push(ctx, db, newStore(db), f.Town, f.As(f.Dispatcher), []map[string]string{
			{"工单编号": "P1", "来电时间": "2025-09-30 10:00", "诉求内容": "推送一"},
			{"工单编号": "P2", "来电时间": "2025-09-30 10:00", "诉求内容": "POISON"},
			{"工单编号": "P3", "来电时间": "2025-09-30 10:00", "诉求内容": "门口\x00噪音"},
			{"工单编号": "P4", "来电时间": "2025-09-30 10:00", "诉求内容": "推送四", "诉求地址": strings.Repeat("路", 300)},
			{"工单编号": "P5", "来电时间": "2025-09-30 10:00", "诉求内容": "推送五 " + strings.Repeat("z", 5000)[:3000]},
		})
		if err != nil {
			t.Fatalf("push: %v", err)
		}
		got := []string{}
		for _, r := range res {
			s := r.Status
			if len(r.Errors) > 0 {
				s += ":" + r.Errors[0].Field
			}
			got = append(got, s)
		}
		if strings.Join(got, " ") != "created rejected:hotline_id rejected:content rejected:address created" {
			t.Errorf("push answers %v", got)
		}
	})
}

// A job that cannot go on ends "failed", never stays "running", and what it says names the
// uploaded file, not the server's temporary copy.
func TestFailedImportEndsFailedWithoutServerPaths(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, f fixture) {
		// The database breaks under the import: the events table is gone.
		if _, err := db.Exec(ctx, `ALTER TABLE order_events RENAME TO order_events_gone`); err != nil {
			t.Fatal(err)
		}
		_, err := intake.Import(ctx, db, intake.ImportOptions{Town: f.Town, Reader: strings.NewReader("工单编号,来电时间,诉求内容\nF1,2025-09-30 10:00,内容\n"),
			Name: "热线.csv", Actor: f.As(f.Dispatcher), Orders: newStore(db)})
		if err == nil {
			t.Fatal("import with a broken database succeeded")
		}
		var status, msg string
		if err := db.QueryRow(ctx, `SELECT status, error FROM import_jobs ORDER BY id DESC LIMIT 1`).Scan(&status, &msg); err != nil {
			t.Fatal(err)
		}
		if status != intake.JobFailed {
			t.Errorf("job %s after a failure, want failed", status)
		}
		for _, m := range []string{err.Error(), msg} {
			if strings.Contains(m, os.TempDir()) {
				t.Errorf("error shows a server path: %s", m)
			}
		}
		// A file the reader refuses names the upload, not the spooled copy.
		_, err = intake.Import(ctx, db, intake.ImportOptions{Town: f.Town, Reader: strings.NewReader("not excel"), Name: "旧表格.xls",
			Actor: f.As(f.Dispatcher), Orders: newStore(db)})
		if err == nil || strings.Contains(err.Error(), os.TempDir()) || !strings.Contains(err.Error(), "旧表格.xls") {
			t.Errorf("error for an .xls upload: %v", err)
		}
	})
}

// poison makes the database refuse any order whose content is POISON, the way it would refuse a
// value no check foresaw.
func poison(t *testing.T, db *store.DB) {
	t.Helper()
	stmt := `CREATE TRIGGER poison BEFORE INSERT ON orders FOR EACH ROW WHEN (NEW.content = 'POISON') BEGIN SELECT RAISE(ABORT, 'poison'); END`
	if db.Dialect() == store.Postgres {
		stmt = `ALTER TABLE orders ADD CONSTRAINT poison CHECK (content <> 'POISON')`
	}
	if _, err := db.Exec(context.Background(), stmt); err != nil {
		t.Fatal(err)
	}
}

func jobStatus(t *testing.T, db *store.DB, id int64) string {
	t.Helper()
	var s string
	if err := db.QueryRow(ctx, `SELECT status FROM import_jobs WHERE id = ?`, id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}
