package kpi

import (
	"context"
	"io"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/sheet"
)

// Format prints a figure's value as the pages, the CLI and the report show it: a count, a
// percentage with one decimal, hours with one decimal; "—" when nothing was counted.
func Format(d Def, f Figure) string {
	if f.Value == nil {
		return "—"
	}
	switch d.Kind {
	case Rate:
		return strconv.FormatFloat(100**f.Value, 'f', 1, 64) + "%"
	case Hours:
		return strconv.FormatFloat(*f.Value, 'f', 1, 64)
	}
	return strconv.Itoa(f.Den)
}

// Label is a figure's name in the language ("en" or Chinese).
func (d Def) Label(lang string) string {
	if lang == "en" {
		return d.EN
	}
	return d.ZH
}

// Cell is a figure's value as a report cell: a count (sheet.Int), a rate (sheet.Percent), hours
// (sheet.Decimal), or nil (empty) when nothing was counted.
func Cell(d Def, f Figure) any {
	if f.Value == nil {
		return nil
	}
	switch d.Kind {
	case Rate:
		return sheet.Percent(*f.Value)
	case Hours:
		return sheet.Decimal(*f.Value)
	}
	return sheet.Int(f.Den)
}

// column is the 1-based column of figure key on a dimension's sheet (code, name, then Defs).
func reportColumn(key string) int {
	for i, d := range Defs {
		if d.Key == key {
			return i + 3
		}
	}
	return 0
}

// ReportDimensions are the breakdowns of the monthly report, a sheet each.
var ReportDimensions = []string{"grid", "committee", "department", "category", "channel"}

// ReportDimensionsFor are the report's breakdowns for towns: a district's or a city's report
// (more than one town) first compares its towns side by side, then breaks down as a town's does.
func ReportDimensionsFor(towns []string) []string {
	if len(towns) > 1 {
		return append([]string{"town"}, ReportDimensions...)
	}
	return ReportDimensions
}

// ReportRequest asks WriteReportOf for a report.
type ReportRequest struct {
	Towns  []string
	Period Period
	Lang   string // "en" or Chinese
	// Scan computes every figure from the orders instead of the figures kept per day (Query.Scan):
	// the naive report the benchmarks measure the kept one against.
	Scan bool
}

// WriteReport writes the figures of the towns over p as an xlsx workbook to w: a summary sheet
// (every figure with its numerator and denominator, the previous period and last year's) and a
// sheet per dimension (a row per group and a total row, which is the summary's figure; for more
// than one town, the towns side by side first: ReportDimensionsFor). The
// figures are Compute's, so they equal the KPI endpoint's for the same towns and period.
func (s *Service) WriteReport(ctx context.Context, w io.Writer, towns []string, p Period, lang string) error {
	return s.WriteReportOf(ctx, w, ReportRequest{Towns: towns, Period: p, Lang: lang})
}

// WriteReportOf writes the report rq asks for (WriteReport).
func (s *Service) WriteReportOf(ctx context.Context, w io.Writer, rq ReportRequest) error {
	towns, p, lang := rq.Towns, rq.Period, rq.Lang
	T := func(zh, en string) string {
		if lang == "en" {
			return en
		}
		return zh
	}
	b := sheet.NewWorkbook(w)
	rep, err := s.Compute(ctx, Query{Towns: towns, Period: p, Scan: rq.Scan})
	if err != nil {
		return err
	}
	if err := b.Sheet(T("总览", "Summary"), []float64{26, 24, 12, 10, 10, 12, 12}); err != nil {
		return err
	}
	if err := b.Header(T("指标", "Figure"), "key", T("本期", "Period"), T("分子", "Numerator"), T("分母/件数", "Denominator / orders"),
		T("上期", "Previous"), T("去年同期", "Last year")); err != nil {
		return err
	}
	for _, d := range Defs {
		c := rep.Total.Current[d.Key]
		var num any
		if d.Kind == Rate {
			num = sheet.Int(c.Num)
		}
		if err := b.Values(d.Label(lang), d.Key, Cell(d, c), num, sheet.Int(c.Den), Cell(d, rep.Total.Previous[d.Key]),
			Cell(d, rep.Total.LastYear[d.Key])); err != nil {
			return err
		}
	}
	for _, by := range ReportDimensionsFor(towns) {
		r, err := s.Compute(ctx, Query{Towns: towns, Period: p, By: by, Scan: rq.Scan})
		if err != nil {
			return err
		}
		var name string
		for _, dim := range Dimensions {
			if dim.Key == by {
				name = T(dim.ZH, dim.EN)
			}
		}
		widths := []float64{16, 24}
		header := []string{T("编码", "Code"), name}
		for _, d := range Defs {
			widths = append(widths, 12)
			header = append(header, d.Label(lang))
		}
		if err := b.Sheet(name, widths); err != nil {
			return err
		}
		if err := b.Header(header...); err != nil {
			return err
		}
		for _, row := range append(r.Rows, Row{Name: T("合计", "Total"), Current: r.Total.Current}) {
			cells := []any{row.Group, row.Name}
			for _, d := range Defs {
				cells = append(cells, Cell(d, row.Current[d.Key]))
			}
			if err := b.Values(cells...); err != nil {
				return err
			}
		}
		// A chart below the table (without the total row) where the dimension has one: the
		// grids' received and closed, the departments' satisfaction.
		var cols []int
		var title string
		bar := false
		switch by {
		case "town":
			cols, title = []int{reportColumn(Received), reportColumn(Closed)}, T("各街镇受理与结案", "Received and closed per town")
		case "grid":
			cols, title = []int{reportColumn(Received), reportColumn(Closed)}, T("各网格受理与结案", "Received and closed per grid")
		case "department":
			cols, title, bar = []int{reportColumn(SatisfactionRate)}, T("各部门满意率", "Satisfaction per department"), true
		}
		if cols != nil && len(r.Rows) > 0 {
			if err := b.ColumnChart(title, bar, 2, cols, 2, b.Rows()-1); err != nil {
				return err
			}
		}
	}
	return b.Close()
}
