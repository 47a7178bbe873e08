package kpi

import (
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/kpi"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// printData is the printable report: the xlsx report's figures as a page, a section per sheet.
type printData struct {
	Name       string // 2026-10 or 2026-Q3
	PeriodText string
	Back       string // the KPI page of the period
	Summary    []printFigure
	Sections   []printSection
}

type printFigure struct{ Label, Value, Num, Den, Prev, Year string }

type printSection struct {
	Name   string
	Labels []string
	Rows   []printRow // the groups, then the total row
	Chart  printChart
}

type printRow struct {
	Name  string
	Total bool
	Cells []string
}

// printChart is a horizontal bar chart drawn as SVG on the server (no script; the names are
// text nodes, escaped by the template).
type printChart struct {
	Title  string
	Height int
	Bars   []printBar
	More   int // groups left out of the chart (it shows the first maxPrintBars)
}

type printBar struct {
	Name, Value string
	Y, TextY, W int
}

const (
	maxPrintBars = 40
	printBarMax  = 380 // the longest bar's width in the SVG's units
)

// reportPrint is the printable report of ?month=2026-10 or ?quarter=2026-Q3 of the chosen town
// or all the caller's towns: the same figures as the xlsx (kpi.WriteReport), with a bar chart
// per section, styled for A4.
func (s *handlers) reportPrint(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	T := kit.Translator(lang)
	q := r.URL.Query()
	p, name, err := reportPeriod(q)
	if err != nil {
		return err
	}
	rq, err := parseRequest(url.Values{"town": {q.Get("town")}}, c, time.Now())
	if err != nil {
		return err
	}
	svc := s.service()
	rep, err := svc.Compute(r.Context(), kpi.Query{Towns: rq.Towns, Period: p})
	if err != nil {
		return err
	}
	d := printData{Name: name, PeriodText: span(rep.Period),
		Back: "/kpi?" + url.Values{"town": {rq.Town}, "from": {p.From.Format(time.DateOnly)}, "to": {p.To.AddDate(0, 0, -1).Format(time.DateOnly)}}.Encode()}
	var labels []string
	for _, def := range kpi.Defs {
		f := rep.Total.Current[def.Key]
		pf := printFigure{Label: label(def, lang), Value: kpi.Format(def, f), Den: strconv.Itoa(f.Den),
			Prev: kpi.Format(def, rep.Total.Previous[def.Key]), Year: kpi.Format(def, rep.Total.LastYear[def.Key])}
		if def.Kind == kpi.Rate {
			pf.Num = strconv.Itoa(f.Num)
		}
		d.Summary = append(d.Summary, pf)
		labels = append(labels, label(def, lang))
	}
	for _, by := range kpi.ReportDimensionsFor(rq.Towns) {
		rr, err := svc.Compute(r.Context(), kpi.Query{Towns: rq.Towns, Period: p, By: by})
		if err != nil {
			return err
		}
		sec := printSection{Labels: labels}
		for _, dim := range kpi.Dimensions {
			if dim.Key == by {
				sec.Name = dim.ZH
				if lang == "en" {
					sec.Name = dim.EN
				}
			}
		}
		cells := func(f kpi.Figures) []string {
			var out []string
			for _, def := range kpi.Defs {
				out = append(out, kpi.Format(def, f[def.Key]))
			}
			return out
		}
		for _, row := range rr.Rows {
			sec.Rows = append(sec.Rows, printRow{Name: groupName(row, by, lang), Cells: cells(row.Current)})
		}
		sec.Rows = append(sec.Rows, printRow{Name: T("kpi.print.total"), Total: true, Cells: cells(rr.Total.Current)})
		key := kpi.Received
		if by == "department" {
			key = kpi.SatisfactionRate
		}
		sec.Chart = barChart(rr.Rows, by, key, lang)
		d.Sections = append(d.Sections, sec)
	}
	return s.Render(w, r, http.StatusOK, "kpi_print", kit.PageData{Title: "kpi.print.title", Data: d})
}

// barChart draws figure key of each group (the first maxPrintBars), scaled to the largest.
func barChart(rows []kpi.Row, by, key, lang string) printChart {
	def, _ := kpi.Lookup(key)
	ch := printChart{Title: label(def, lang)}
	if len(rows) > maxPrintBars {
		ch.More, rows = len(rows)-maxPrintBars, rows[:maxPrintBars]
	}
	max := 0.0
	for _, row := range rows {
		if v := row.Current[key].Value; v != nil && *v > max {
			max = *v
		}
	}
	for i, row := range rows {
		name := groupName(row, by, lang)
		if utf8.RuneCountInString(name) > 14 {
			name = string([]rune(name)[:13]) + "…"
		}
		b := printBar{Name: name, Value: kpi.Format(def, row.Current[key]), Y: i * 20, TextY: i*20 + 13}
		if v := row.Current[key].Value; v != nil && max > 0 {
			b.W = int(*v / max * printBarMax)
		}
		ch.Bars = append(ch.Bars, b)
	}
	ch.Height = len(rows)*20 + 4
	return ch
}
