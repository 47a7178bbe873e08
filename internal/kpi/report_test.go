package kpi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/civicgrid/civicgrid/internal/kpi"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// The monthly report of the hand-built November: a summary and a sheet per dimension, whose
// totals are the figures computed by hand (and Compute's, the KPI endpoint's).
func TestMonthlyReport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		p, err := kpi.MonthPeriod("2025-11")
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := w.k.WriteReport(ctx, &buf, w.f.Towns(), p, "zh"); err != nil {
			t.Fatal(err)
		}
		xlsx := buf.Bytes()
		x, err := excelize.OpenReader(bytes.NewReader(xlsx))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		if got, want := x.GetSheetList(), []string{"总览", "网格", "居委", "部门", "类别", "渠道"}; !slices.Equal(got, want) {
			t.Fatalf("sheets %v, want %v", got, want)
		}
		rows, err := x.GetRows("总览")
		if err != nil {
			t.Fatal(err)
		}
		summary := map[string][]string{}
		for _, r := range rows[1:] {
			summary[r[1]] = r
		}
		for key, want := range map[string][]string{
			kpi.Received:           {"受理量", kpi.Received, "8", "", "8", "1", "1"},
			kpi.ClosureRate:        {"结案率", kpi.ClosureRate, "71.4%", "5", "7"},
			kpi.OnTimeHandlingRate: {"按期处置率", kpi.OnTimeHandlingRate, "83.3%", "5", "6"},
			kpi.AvgHandlingHours:   {"平均办理时长（工作小时）", kpi.AvgHandlingHours, "92.0", "", "5"},
		} {
			if got := summary[key]; len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
				t.Errorf("summary row %s = %q, want %q", key, got, want)
			}
		}
		// Every dimension's rows add up to the month's received, and its total row says so.
		for _, name := range []string{"网格", "居委", "部门", "类别", "渠道"} {
			rows, err := x.GetRows(name)
			if err != nil {
				t.Fatal(err)
			}
			col := slices.Index(rows[0], "受理量")
			sum := 0
			for _, r := range rows[1 : len(rows)-1] {
				n, err := strconv.Atoi(r[col])
				if err != nil {
					t.Fatalf("%s: %q", name, r[col])
				}
				sum += n
			}
			last := rows[len(rows)-1]
			if sum != 8 || last[1] != "合计" || last[col] != "8" || last[slices.Index(rows[0], "按期处置率")] != "83.3%" {
				t.Errorf("sheet %s: rows add up to %d, total row %q", name, sum, last)
			}
		}
		// The figures are numbers: counts integers, rates fractions shown as percentages,
		// equal to Compute's.
		rep, err := w.k.Compute(ctx, kpi.Query{Towns: w.f.Towns(), Period: p})
		if err != nil {
			t.Fatal(err)
		}
		raw := excelize.Options{RawCellValue: true}
		for i, d := range kpi.Defs {
			cell := "C" + strconv.Itoa(i+2)
			f := rep.Total.Current[d.Key]
			v, err := x.GetCellValue("总览", cell, raw)
			if err != nil {
				t.Fatal(err)
			}
			if f.Value == nil {
				if v != "" {
					t.Errorf("%s %s = %q, want empty", d.Key, cell, v)
				}
				continue
			}
			got, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Errorf("%s %s = %q, not a number", d.Key, cell, v)
				continue
			}
			if diff := got - *f.Value; diff > 1e-9 || diff < -1e-9 {
				t.Errorf("%s %s = %v, want %v", d.Key, cell, got, *f.Value)
			}
			if typ, _ := x.GetCellType("总览", cell); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
				t.Errorf("%s %s has type %v, want a number", d.Key, cell, typ)
			}
		}
		// A user's name starting as a formula stays text (the names are the places'; the
		// sheet package's test covers hostile text, here the cells are inline strings).
		if typ, _ := x.GetCellType("总览", "A2"); typ != excelize.CellTypeInlineString {
			t.Errorf("A2 has type %v, want an inline string", typ)
		}
		// The grid and department sheets carry a chart each.
		z, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
		if err != nil {
			t.Fatal(err)
		}
		charts := 0
		for _, f := range z.File {
			if strings.HasPrefix(f.Name, "xl/charts/chart") {
				charts++
			}
		}
		if charts != 2 {
			t.Errorf("%d charts, want 2", charts)
		}
		if _, err := kpi.MonthPeriod("2025-13"); err == nil {
			t.Error("month 2025-13 accepted")
		}
	})
}

// A quarter's period: its first day to the next quarter's, in the calendar's zone; a bad name
// is an error naming the quarter field.
func TestQuarterPeriod(t *testing.T) {
	for q, want := range map[string][2]string{
		"2026-Q1": {"2026-01-01", "2026-04-01"},
		"2026-Q3": {"2026-07-01", "2026-10-01"},
		"2026-Q4": {"2026-10-01", "2027-01-01"},
	} {
		p, err := kpi.QuarterPeriod(q)
		if err != nil {
			t.Fatal(err)
		}
		if got := [2]string{p.From.Format(time.DateOnly), p.To.Format(time.DateOnly)}; got != want || p.From.Hour() != 0 {
			t.Errorf("%s = %v, want %v", q, got, want)
		}
		if prev := p.Previous(); !prev.To.Equal(p.From) || !prev.From.Equal(p.From.AddDate(0, -3, 0)) {
			t.Errorf("%s previous %v", q, prev)
		}
	}
	for _, bad := range []string{"", "2026-Q0", "2026-Q5", "2026Q3", "26-Q3", "2026-q3", "+202-Q1", "2026-Q33"} {
		if _, err := kpi.QuarterPeriod(bad); err == nil || !strings.Contains(err.Error(), "quarter") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// The scheduled reports: on any day the previous month's and quarter's files are written once
// per town and language (a second run writes nothing), each a workbook of the report in its
// language.
func TestWriteDueReports(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		dir := t.TempDir()
		now := at("2025-12-03 02:00")
		files, err := w.k.WriteDueReports(ctx, dir, w.f.Towns(), now)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range files {
			names = append(names, filepath.Base(f))
		}
		slices.Sort(names)
		var want []string
		for _, town := range w.f.Towns() {
			want = append(want, "kpi-"+town+"-2025-11.xlsx", "kpi-"+town+"-2025-Q3.xlsx",
				"kpi-"+town+"-2025-11.en.xlsx", "kpi-"+town+"-2025-Q3.en.xlsx")
		}
		slices.Sort(want)
		if !slices.Equal(names, want) {
			t.Fatalf("written %v, want %v", names, want)
		}
		again, err := w.k.WriteDueReports(ctx, dir, w.f.Towns(), now)
		if err != nil || len(again) != 0 {
			t.Errorf("second run wrote %v (%v)", again, err)
		}
		town := w.f.Towns()[0]
		for file, first := range map[string]string{"kpi-" + town + "-2025-11.xlsx": "总览", "kpi-" + town + "-2025-11.en.xlsx": "Summary"} {
			x, err := excelize.OpenFile(filepath.Join(dir, file))
			if err != nil {
				t.Fatal(err)
			}
			if sheets := x.GetSheetList(); len(sheets) != 1+len(kpi.ReportDimensions) || sheets[0] != first {
				t.Errorf("%s: sheets %v, want %d starting with %s", file, sheets, 1+len(kpi.ReportDimensions), first)
			}
			x.Close()
		}
		for name, want := range map[string][]string{
			"kpi-310105102-2026-11.xlsx":    {"310105102", "2026-11", ""},
			"kpi-310105102-2026-Q3.en.xlsx": {"310105102", "2026-Q3", "en"},
		} {
			if m := kpi.ReportFile.FindStringSubmatch(name); m == nil || !slices.Equal(m[1:], want) {
				t.Errorf("%s: %v, want %v", name, m, want)
			}
		}
		for _, bad := range []string{"kpi-310105102-2026-11.fr.xlsx", "kpi-310105102-2026-11.en", "kpi-3101051-2026-11.xlsx", "../kpi-310105102-2026-11.xlsx"} {
			if kpi.ReportFile.MatchString(bad) {
				t.Errorf("%s matches", bad)
			}
		}
		if p := kpi.DuePeriods(at("2026-01-01 00:30")); len(p) != 2 || p["2025-12"].To.Month() != time.January || p["2025-Q4"].From.Month() != time.October {
			t.Errorf("due on 2026-01-01: %v", p)
		}
	})
}

// The scheduler itself: started with a short interval and a clock on 3 December 2025, it writes
// the due reports of the towns it is given without being asked again, and returns when its
// context ends.
func TestReportSchedulerWritesDueReports(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		dir := t.TempDir()
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		listed := make(chan struct{}, 100)
		go func() {
			defer close(done)
			w.k.RunReportScheduler(runCtx, dir, func(context.Context) ([]string, error) {
				listed <- struct{}{}
				return w.f.Towns()[:1], nil
			}, 20*time.Millisecond, func() time.Time { return at("2025-12-03 02:00") }, slog.New(slog.DiscardHandler))
		}()
		want := filepath.Join(dir, "kpi-"+w.f.Towns()[0]+"-2025-Q3.en.xlsx")
		// Wait (bounded) for two rounds: the first writes the files, the second finds them there.
		for rounds := 0; rounds < 2; {
			select {
			case <-listed:
				rounds++
			case <-time.After(2 * time.Minute):
				t.Fatal("the scheduler did not run twice in two minutes")
			}
		}
		cancel()
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Fatal("the scheduler did not return after its context ended")
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if _, err := os.Stat(want); err != nil || len(names) != 4 {
			t.Errorf("files %v, want the four reports of one town including %s", names, filepath.Base(want))
		}
	})
}
