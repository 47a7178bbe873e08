package store_test

import (
	"context"
	"testing"

	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// Migration 0036 (kpi_hours): the histogram's rows are keyed by town, dimension, day, group and
// bucket (a second row for the same key is refused, the upsert adds to it), and kpi_daily is
// emptied so that the next open rebuilds both tables from the orders.
func TestKPIHoursMigration(t *testing.T) {
	testdb.EachEmpty(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.MigrateTo(ctx, nil, 35); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO kpi_daily (town_code, dim, day, grp, received) VALUES ('310105102', 0, 20400, '310105102', 3)`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.MigrateTo(ctx, nil, 36); err != nil {
			t.Fatal(err)
		}
		var rows int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM kpi_daily`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows != 0 {
			t.Errorf("kpi_daily has %d rows after 0036, want 0 (emptied for the rebuild)", rows)
		}
		ins := `INSERT INTO kpi_hours (town_code, dim, day, grp, bucket, n) VALUES ('310105102', 1, 20400, 'g1', 97, 1)`
		if _, err := db.Exec(ctx, ins); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, ins); !store.IsUniqueViolation(err) {
			t.Errorf("the same histogram row twice: %v, want a unique violation", err)
		}
		if _, err := db.Exec(ctx, ins+` ON CONFLICT (town_code, dim, day, grp, bucket) DO UPDATE SET n = kpi_hours.n + excluded.n`); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT n FROM kpi_hours WHERE grp = 'g1' AND bucket = 97`).Scan(&n); err != nil || n != 2 {
			t.Errorf("after the upsert n = %d (%v), want 2", n, err)
		}
	})
}

// Migration 0041: the town dimension's rows (dim 0) of kpi_daily and kpi_hours go — a town's
// total is read from its channel rows — and every other row stays as it was.
func TestKPITownRowsMigration(t *testing.T) {
	testdb.EachEmpty(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.MigrateTo(ctx, nil, 36); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`INSERT INTO kpi_daily (town_code, dim, day, grp, received) VALUES ('310105102', 0, 20400, '310105102', 3)`,
			`INSERT INTO kpi_daily (town_code, dim, day, grp, received) VALUES ('310105102', 5, 20400, 'hotline', 2)`,
			`INSERT INTO kpi_daily (town_code, dim, day, grp, received) VALUES ('310105102', 5, 20400, 'app', 1)`,
			`INSERT INTO kpi_hours (town_code, dim, day, grp, bucket, n) VALUES ('310105102', 0, 20400, '310105102', 97, 1)`,
			`INSERT INTO kpi_hours (town_code, dim, day, grp, bucket, n) VALUES ('310105102', 5, 20400, 'app', 97, 1)`,
		} {
			if _, err := db.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.MigrateTo(ctx, nil, 41); err != nil {
			t.Fatal(err)
		}
		var town, channel, received, hoursTown, hoursChannel int
		if err := db.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM kpi_daily WHERE dim = 0), (SELECT COUNT(*) FROM kpi_daily WHERE dim = 5),
			(SELECT SUM(received) FROM kpi_daily), (SELECT COUNT(*) FROM kpi_hours WHERE dim = 0), (SELECT COUNT(*) FROM kpi_hours WHERE dim = 5)`).
			Scan(&town, &channel, &received, &hoursTown, &hoursChannel); err != nil {
			t.Fatal(err)
		}
		if town != 0 || hoursTown != 0 || channel != 2 || received != 3 || hoursChannel != 1 {
			t.Errorf("after 0041: town rows %d and %d, channel rows %d (received %d) and %d; want 0, 0, 2 (3), 1",
				town, hoursTown, channel, received, hoursChannel)
		}
	})
}
