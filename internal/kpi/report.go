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

// ReportDimensions are the breakdowns of the monthly report, a sheet each.
var ReportDimensions = []string{"grid", "committee", "department", "category", "channel"}

// WriteReport writes the figures of the towns over p as an xlsx workbook to w: a summary sheet
// (every figure with its numerator and denominator, the previous period and last year's) and a
// sheet per dimension (a row per group and a total row, which is the summary's figure). The
// figures are Compute's, so they equal the KPI endpoint's for the same towns and period.
func (s *Service) WriteReport(ctx context.Context, w io.Writer, towns []string, p Period, lang string) error {
	T := func(zh, en string) string {
		if lang == "en" {
			return en
		}
		return zh
	}
	b := sheet.NewWorkbook(w)
	rep, err := s.Compute(ctx, Query{Towns: towns, Period: p})
	if err != nil {
		return err
	}
	if err := b.Sheet(T("总览", "Summary"), []float64{26, 24, 12, 10, 10, 12, 12}); err != nil {
		return err
	}
	if err := b.Row(T("指标", "Figure"), "key", T("本期", "Period"), T("分子", "Numerator"), T("分母/件数", "Denominator / orders"),
		T("上期", "Previous"), T("去年同期", "Last year")); err != nil {
		return err
	}
	for _, d := range Defs {
		c := rep.Total.Current[d.Key]
		num := ""
		if d.Kind == Rate {
			num = strconv.Itoa(c.Num)
		}
		if err := b.Row(d.Label(lang), d.Key, Format(d, c), num, strconv.Itoa(c.Den), Format(d, rep.Total.Previous[d.Key]),
			Format(d, rep.Total.LastYear[d.Key])); err != nil {
			return err
		}
	}
	for _, by := range ReportDimensions {
		r, err := s.Compute(ctx, Query{Towns: towns, Period: p, By: by})
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
		if err := b.Row(header...); err != nil {
			return err
		}
		for _, row := range append(r.Rows, Row{Name: T("合计", "Total"), Current: r.Total.Current}) {
			cells := []string{row.Group, row.Name}
			for _, d := range Defs {
				cells = append(cells, Format(d, row.Current[d.Key]))
			}
			if err := b.Row(cells...); err != nil {
				return err
			}
		}
	}
	return b.Close()
}
