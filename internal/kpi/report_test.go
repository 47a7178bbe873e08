package kpi_test

import (
	"bytes"
	"slices"
	"strconv"
	"testing"

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
		x, err := excelize.OpenReader(&buf)
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
		if _, err := kpi.MonthPeriod("2025-13"); err == nil {
			t.Error("month 2025-13 accepted")
		}
	})
}
