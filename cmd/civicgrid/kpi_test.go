package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/civicgrid/civicgrid/internal/kpi"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

func TestCLIKPI(t *testing.T) {
	data := t.TempDir()
	if code, _, errOut := cli(t, "demo", "--data", data); code != 0 {
		t.Fatalf("demo: %d %s", code, errOut)
	}
	now := time.Now().In(workcal.Location())
	from := now.AddDate(0, 0, -60).Format(time.DateOnly)
	rep, out := kpiJSON(t, data, "--town", "310105102", "--from", from, "--by", "channel")
	// The total received is the orders received in the period, counted here in SQL; the
	// channels' rows add up to it.
	db := openDataDB(t, data)
	var want int
	if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM orders WHERE town_code = '310105102' AND received_at >= ? AND received_at < ?`,
		rep.Period.From.UnixMilli(), rep.Period.To.UnixMilli()).Scan(&want); err != nil {
		t.Fatal(err)
	}
	got := rep.Total.Current[kpi.Received]
	sum := 0
	for _, r := range rep.Rows {
		sum += r.Current[kpi.Received].Den
	}
	if want == 0 || got.Den != want || sum != want {
		t.Fatalf("received %d, by channel %d; SQL counts %d", got.Den, sum, want)
	}
	for _, d := range kpi.Defs {
		if _, ok := rep.Total.Current[d.Key]; !ok {
			t.Errorf("JSON has no %s", d.Key)
		}
	}
	if !strings.Contains(out, `"on_time_handling_rate"`) || !strings.Contains(out, `"last_year"`) {
		t.Errorf("JSON keys: %.300s", out)
	}

	code, out, errOut := cli(t, "kpi", "--data", data, "--town", "310105102", "--period", "month", "--by", "grid")
	if code != 0 || !strings.Contains(out, "closure_rate") || !strings.Contains(out, "结案率") || !strings.Contains(out, "by grid") {
		t.Fatalf("kpi table: %d %s %s", code, out, errOut)
	}

	// The monthly report's totals are the KPI command's (the endpoint's figures) for the month.
	month := now.Format("2006-01")
	file := filepath.Join(t.TempDir(), "report.xlsx")
	if code, out, errOut := cli(t, "report", "monthly", "--data", data, "--town", "310105102", "--month", month, "--out", file); code != 0 {
		t.Fatalf("report monthly: %d %s %s", code, out, errOut)
	}
	code, out, errOut = cli(t, "kpi", "--data", data, "--town", "310105102", "--period", "month", "--json")
	if code != 0 {
		t.Fatalf("kpi: %d %s", code, errOut)
	}
	var monthRep kpi.Report
	if err := json.Unmarshal([]byte(out), &monthRep); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if sheets := x.GetSheetList(); len(sheets) != 1+len(kpi.ReportDimensions) {
		t.Errorf("report sheets %v", sheets)
	}
	rows, err := x.GetRows("总览")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		d, ok := kpi.Lookup(r[1])
		if !ok {
			t.Fatalf("summary row %q", r)
		}
		want := kpi.Format(d, monthRep.Total.Current[d.Key])
		if monthRep.Total.Current[d.Key].Value == nil {
			want = "" // an empty cell, not a dash, in the workbook
		}
		if len(r) < 3 {
			r = append(r, "", "")
		}
		if r[2] != want {
			t.Errorf("report %s = %s, kpi says %s", d.Key, r[2], want)
		}
	}
	if code, _, errOut := cli(t, "report", "monthly", "--data", data, "--town", "310105102", "--month", "2026-13", "--out", file); code == 0 || !strings.Contains(errOut, "month:") {
		t.Errorf("report for month 2026-13: %d %s", code, errOut)
	}
	quarter := fmt.Sprintf("%d-Q%d", now.Year(), (int(now.Month())+2)/3)
	if code, out, errOut := cli(t, "report", "quarterly", "--data", data, "--town", "310105102", "--quarter", quarter, "--out", file); code != 0 || !strings.Contains(out, "quarterly report") {
		t.Fatalf("report quarterly: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := cli(t, "report", "quarterly", "--data", data, "--town", "310105102", "--quarter", "2026-Q5", "--out", file); code == 0 || !strings.Contains(errOut, "quarter:") {
		t.Errorf("report for quarter 2026-Q5: %d %s", code, errOut)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--town", "310105102", "--from", "2026-13-01"}, "from: want a date"},
		{[]string{"--town", "310105102", "--by", "street"}, "by: unknown dimension"},
		{[]string{"--town", "999999999"}, "town: unknown town code"},
		{[]string{}, "--town or --district is required"},
		{[]string{"--town", "310105102", "--district", "3101"}, "give one of them"},
		{[]string{"--district", "310105102"}, "unknown district or city code"},
		{[]string{"--district", "999"}, "unknown district or city code"},
	} {
		code, _, errOut := cli(t, append([]string{"kpi", "--data", data}, c.args...)...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("kpi %v: exit %d, %q; want %q", c.args, code, errOut, c.want)
		}
	}
}

// A district's or a city's figures are its towns' together: `kpi --district` by town adds up to
// the SQL count of the towns' orders, and the district's report compares its towns on its first
// sheet after the summary, with the same total.
func TestCLIKPIDistrict(t *testing.T) {
	data := t.TempDir()
	if code, _, errOut := cli(t, "demo", "--data", data); code != 0 {
		t.Fatalf("demo: %d %s", code, errOut)
	}
	month := time.Now().In(workcal.Location()).Format("2006-01")
	rep, _ := kpiJSON(t, data, "--district", "3101", "--period", "month", "--by", "town")
	db := openDataDB(t, data)
	towns, err := store.Collect(context.Background(), db, func(rows *sql.Rows) (c string, err error) { return c, rows.Scan(&c) },
		`SELECT code FROM regions WHERE level = 'town' AND tenant = 1 ORDER BY code`)
	if err != nil || len(towns) < 2 || !slices.Equal(rep.Towns, towns) {
		t.Fatalf("towns %v, want the city's tenant towns %v", rep.Towns, towns)
	}
	perTown := map[string]int{}
	for _, r := range rep.Rows {
		perTown[r.Group] = r.Current[kpi.Received].Den
	}
	total := 0
	for _, town := range towns {
		var want int
		if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM orders WHERE town_code = ? AND received_at >= ? AND received_at < ?`,
			town, rep.Period.From.UnixMilli(), rep.Period.To.UnixMilli()).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if perTown[town] != want {
			t.Errorf("town %s received %d, SQL counts %d", town, perTown[town], want)
		}
		total += want
	}
	if total == 0 || rep.Total.Current[kpi.Received].Den != total {
		t.Fatalf("district received %d, SQL counts %d", rep.Total.Current[kpi.Received].Den, total)
	}
	// 长宁区 holds 新泾镇 alone.
	code, out, errOut := cli(t, "kpi", "--data", data, "--district", "310105", "--period", "month")
	if code != 0 || !strings.Contains(out, "KPIs of 310105102,") {
		t.Errorf("kpi --district 310105: %d %.200s %s", code, out, errOut)
	}

	file := filepath.Join(t.TempDir(), "district.xlsx")
	if code, out, errOut := cli(t, "report", "monthly", "--data", data, "--district", "3101", "--month", month, "--out", file); code != 0 || !strings.Contains(out, "monthly report of 3101") {
		t.Fatalf("report monthly --district: %d %s %s", code, out, errOut)
	}
	x, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got, want := x.GetSheetList(), []string{"总览", "街镇", "网格", "居委", "部门", "类别", "渠道"}; !slices.Equal(got, want) {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	sheetRows, err := x.GetRows("街镇")
	if err != nil {
		t.Fatal(err)
	}
	// Header, a row per town with orders, the total row (received is the third column).
	last := sheetRows[len(sheetRows)-1]
	if len(sheetRows) != 2+len(rep.Rows) || last[1] != "合计" || last[2] != strconv.Itoa(total) {
		t.Errorf("town sheet %q, want %d towns and a total of %d", sheetRows, len(rep.Rows), total)
	}
	for _, r := range sheetRows[1 : len(sheetRows)-1] {
		if r[2] != strconv.Itoa(perTown[r[0]]) {
			t.Errorf("town sheet row %q: received %d", r, perTown[r[0]])
		}
	}
}

// kpiJSON runs `civicgrid kpi --json` on the data directory with args and decodes its report.
func kpiJSON(t *testing.T, data string, args ...string) (kpi.Report, string) {
	t.Helper()
	code, out, errOut := cli(t, append([]string{"kpi", "--data", data, "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("kpi %v: %d %s", args, code, errOut)
	}
	var rep kpi.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("kpi %v: %v\n%s", args, err, out)
	}
	return rep, out
}

// openDataDB opens the database of a data directory for the test's own checks.
func openDataDB(t *testing.T, data string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestCLIKPIRebuild: the demo's orders, written through the store, kept kpi_daily exactly as a
// rebuild computes it; `kpi rebuild` and the build of an empty table on opening give the same.
func TestCLIKPIRebuild(t *testing.T) {
	data := t.TempDir()
	if code, _, errOut := cli(t, "demo", "--data", data); code != 0 {
		t.Fatalf("demo: %d %s", code, errOut)
	}
	snapshot := func() string {
		t.Helper()
		db, err := store.Open(context.Background(), store.Options{DataDir: data})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var rows []string
		r, err := db.Query(context.Background(), `SELECT town_code, dim, day, grp, pday, cday, received, filed, closed, cr_den, cr_num,
			otc_den, otc_num, fil_den, fil_num, hnd_den, hnd_num, dsp_den, dsp_num, rwk_den, rwk_num, rep_den, rep_num, sat_den, sat_num,
			fc_den, fc_num, hrs_den, hrs_ms FROM kpi_daily ORDER BY town_code, dim, day, grp, pday, cday`)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for r.Next() {
			var town, grp string
			v := make([]int64, 27)
			dest := []any{&town, &v[0], &v[1], &grp}
			for i := 2; i < 27; i++ {
				dest = append(dest, &v[i])
			}
			if err := r.Scan(dest...); err != nil {
				t.Fatal(err)
			}
			if slices.ContainsFunc(v[4:], func(x int64) bool { return x != 0 }) {
				rows = append(rows, fmt.Sprint(town, grp, v))
			}
		}
		if len(rows) == 0 {
			t.Fatal("kpi_daily is empty")
		}
		return strings.Join(rows, "\n")
	}
	kept := snapshot()
	if code, out, errOut := cli(t, "kpi", "rebuild", "--data", data, "--town", "310105102"); code != 0 || !strings.Contains(out, "rebuilt") {
		t.Fatalf("kpi rebuild --town: %d %s %s", code, out, errOut)
	}
	if got := snapshot(); got != kept {
		t.Fatalf("rebuilt one town: differs from the table kept by the demo's writes")
	}
	if code, out, errOut := cli(t, "kpi", "rebuild", "--data", data); code != 0 {
		t.Fatalf("kpi rebuild: %d %s %s", code, out, errOut)
	}
	if got := snapshot(); got != kept {
		t.Fatalf("rebuilt: differs from the table kept by the demo's writes")
	}
	db, err := store.Open(context.Background(), store.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(context.Background(), `DELETE FROM kpi_daily`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if code, _, errOut := cli(t, "kpi", "--data", data, "--town", "310105102"); code != 0 {
		t.Fatalf("kpi: %d %s", code, errOut)
	}
	if got := snapshot(); got != kept {
		t.Fatalf("built on opening: differs from the table kept by the demo's writes")
	}
}
