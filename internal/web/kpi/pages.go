package kpi

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/kpi"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/sheet"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// request is a KPI request's parameters, checked: the towns (one chosen, or all the caller's),
// the period and the breakdown.
type request struct {
	Town           string // the chosen town; "" for all the caller's towns
	Towns          []string
	Period         kpi.Period
	Kind, From, To string // as asked, for the form
	By             string
}

func parseRequest(q url.Values, c *kit.Caller, now time.Time) (request, error) {
	rq := request{Town: q.Get("town"), Towns: c.Towns, Kind: q.Get("period"), From: q.Get("from"), To: q.Get("to"), By: q.Get("by")}
	if rq.Town != "" {
		if !slices.Contains(c.Towns, rq.Town) {
			return rq, problem.Field("town", "%.20q is not one of your towns", rq.Town)
		}
		rq.Towns = []string{rq.Town}
	}
	var err error
	if rq.Period, err = kpi.ResolvePeriod(rq.From, rq.To, rq.Kind, now); err != nil {
		return rq, err
	}
	if rq.By != "" && !slices.ContainsFunc(kpi.Dimensions, func(d struct{ Key, Column, ZH, EN string }) bool { return d.Key == rq.By }) {
		return rq, problem.Field("by", "unknown dimension %.20q; one of town, grid, committee, department, category, channel", rq.By)
	}
	return rq, nil
}

func (s *handlers) apiKPI(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	rq, err := parseRequest(r.URL.Query(), c, time.Now())
	if err != nil {
		return err
	}
	rep, err := s.service().Compute(r.Context(), kpi.Query{Towns: rq.Towns, Period: rq.Period, By: rq.By})
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, rep)
	return nil
}

type option struct {
	Value, Label string
	Selected     bool
}

// pageData is the KPI page.
type pageData struct {
	Req                request
	Towns, Kinds, Dims []option
	PeriodText         string
	PrevText, YearText string
	Figures            []figView
	Labels             []string
	Rows               []rowView
	Chart              string
	ByLabel            string
	Report             string // the monthly report of the period's first month
	QuarterReport      string // the quarterly report of the quarter of the period's start
	Print              string // the printable monthly report
}

type rowView struct {
	Name  string
	Cells []figView
}

func (s *handlers) kpiPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	T := kit.Translator(lang)
	rq, err := parseRequest(r.URL.Query(), c, time.Now())
	if err != nil {
		return err
	}
	if rq.By == "" {
		rq.By = "grid"
		if len(rq.Towns) > 1 {
			rq.By = "town"
		}
	}
	rep, err := s.service().Compute(r.Context(), kpi.Query{Towns: rq.Towns, Period: rq.Period, By: rq.By})
	if err != nil {
		return err
	}
	d := pageData{Req: rq, PeriodText: span(rep.Period), PrevText: span(rep.Previous), YearText: span(rep.LastYear)}
	if d.Towns, err = s.townOptions(r, c, rq.Town, T); err != nil {
		return err
	}
	d.Kinds = periodOptions(T, rq.Kind)
	for _, dim := range kpi.Dimensions {
		l := dim.ZH
		if lang == "en" {
			l = dim.EN
		}
		d.Dims = append(d.Dims, option{dim.Key, l, dim.Key == rq.By})
		if dim.Key == rq.By {
			d.ByLabel = l
		}
	}
	d.Figures = figures(rep.Total, scope{towns: rq.Towns, p: rep.Period}, lang)
	for _, def := range kpi.Defs {
		d.Labels = append(d.Labels, label(def, lang))
	}
	for _, row := range rep.Rows {
		d.Rows = append(d.Rows, rowView{Name: groupName(row, rq.By, lang), Cells: figures(row, scope{towns: rq.Towns, by: rq.By, group: row.Group, p: rep.Period}, lang)})
	}
	d.Chart = chartData(rep.Rows, rq.By, lang)
	d.Report = "/kpi/report?" + url.Values{"town": {rq.Town}, "month": {rep.Period.From.Format("2006-01")}}.Encode()
	from := rep.Period.From
	quarter := fmt.Sprintf("%d-Q%d", from.Year(), (int(from.Month())+2)/3)
	d.QuarterReport = "/kpi/report?" + url.Values{"town": {rq.Town}, "quarter": {quarter}}.Encode()
	d.Print = "/kpi/report/print?" + url.Values{"town": {rq.Town}, "month": {rep.Period.From.Format("2006-01")}}.Encode()
	return s.Render(w, r, http.StatusOK, "kpi", kit.PageData{Title: "kpi.title", Data: d})
}

// periodOptions is the period picker, kind chosen.
func periodOptions(T func(string) string, kind string) []option {
	var out []option
	for _, k := range kpi.PeriodKinds {
		out = append(out, option{k, T("kpi.period." + k), k == kind})
	}
	return out
}

func span(p kpi.Period) string {
	if p.To.Sub(p.From) <= 25*time.Hour {
		return day(p.From)
	}
	return day(p.From) + " – " + lastDay(p)
}

// townOptions is the town picker: every town of the caller, and "all" for a district or city.
func (s *handlers) townOptions(r *http.Request, c *kit.Caller, chosen string, T func(string) string) ([]option, error) {
	towns, err := places.TenantTowns(r.Context(), s.DB, c.Towns)
	if err != nil {
		return nil, err
	}
	if len(towns) < 2 {
		return nil, nil
	}
	out := []option{{"", T("kpi.all towns"), chosen == ""}}
	for _, t := range towns {
		out = append(out, option{t.Code, t.Name, t.Code == chosen})
	}
	return out, nil
}

// rankView is a league table on the rankings page.
type rankView struct {
	Title  string
	Labels []string
	Rows   []rankRow
}

type rankRow struct {
	Rank          int
	Name          string
	Score, Before string
	Arrow         arrow
	Cells         []figView
}

func (s *handlers) rankingsPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	T := kit.Translator(lang)
	rq, err := parseRequest(r.URL.Query(), c, time.Now())
	if err != nil {
		return err
	}
	if rq.Town == "" && len(c.Towns) > 0 {
		rq.Town, rq.Towns = c.Towns[0], c.Towns[:1] // rankings are a town's: its weights, its departments
	}
	svc := s.service()
	d := map[string]any{"Req": rq, "PeriodText": span(rq.Period), "CanExempt": c.User.Can(auth.PermKPIExempt)}
	towns, err := s.townOptions(r, c, rq.Town, T)
	if err != nil {
		return err
	}
	if len(towns) > 0 {
		towns = towns[1:] // no "all": one town's league
	}
	d["Towns"] = towns
	d["Kinds"] = periodOptions(T, rq.Kind)
	var tables []rankView
	var weights map[string]float64
	for _, by := range []string{"department", "grid"} {
		rk, err := svc.Rank(r.Context(), rq.Towns, by, rq.Period)
		if err != nil {
			return err
		}
		weights = rk.Weights
		tables = append(tables, rankTable(rk, rq, T("kpi.rank."+by), lang))
	}
	d["Tables"] = tables
	type weightView struct {
		Label  string
		Weight float64
	}
	var ws []weightView
	for _, def := range kpi.Defs {
		if w := weights[def.Key]; w > 0 {
			ws = append(ws, weightView{label(def, lang), w})
		}
	}
	d["Weights"] = ws
	xs, err := svc.Exemptions(r.Context(), rq.Towns, 50)
	if err != nil {
		return err
	}
	d["Exemptions"] = xs
	return s.Render(w, r, http.StatusOK, "kpi_rankings", kit.PageData{Title: "kpi.rankings", Data: d})
}

func rankTable(rk kpi.Rankings, rq request, title, lang string) rankView {
	v := rankView{Title: title}
	var defs []kpi.Def
	for _, def := range kpi.Defs {
		if rk.Weights[def.Key] > 0 {
			defs = append(defs, def)
			v.Labels = append(v.Labels, label(def, lang))
		}
	}
	score := func(x *float64) string {
		if x == nil {
			return "—"
		}
		return value(kpi.Def{Kind: kpi.Hours}, kpi.Figure{Value: x})
	}
	for _, row := range rk.Rows {
		rr := rankRow{Rank: row.Rank, Name: rankedName(row, lang), Score: score(row.Score), Before: score(row.Previous)}
		if row.Score != nil && row.Previous != nil {
			rr.Arrow = compare(kpi.Def{Kind: kpi.Rate}, kpi.Figure{Value: row.Score}, kpi.Figure{Value: row.Previous})
		}
		sc := scope{towns: rq.Towns, by: rk.By, group: row.Group, p: rk.Period}
		for _, def := range defs {
			rr.Cells = append(rr.Cells, figureView(def, kpi.Row{Current: row.Figures}, sc, lang))
		}
		v.Rows = append(v.Rows, rr)
	}
	return v
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (s *handlers) exemptSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	x, err := s.service().Exempt(r.Context(), c.Towns, r.PostFormValue("order"), r.PostFormValue("reason"), kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	s.cache.forget(x.Town) // the exempted order leaves the assessed figures now
	T := kit.Translator(kit.Language(w, r))
	kit.RedirectFlash(w, r, "/kpi/rankings?town="+url.QueryEscape(x.Town), T("kpi.exempted")+" "+firstNonEmpty(x.Number, r.PostFormValue("order")))
	return nil
}

// reportPeriod is the period a report asks for: ?quarter=2026-Q3 when given, else
// ?month=2026-10; name is the one given, for the file's name.
func reportPeriod(q url.Values) (p kpi.Period, name string, err error) {
	if q.Has("quarter") {
		p, err = kpi.QuarterPeriod(q.Get("quarter"))
		return p, q.Get("quarter"), err
	}
	p, err = kpi.MonthPeriod(q.Get("month"))
	return p, q.Get("month"), err
}

// report sends the monthly or quarterly report (kpi.WriteReport) of the chosen town, or of all
// the caller's towns, for ?month=2026-10 or ?quarter=2026-Q3 as an xlsx download.
func (s *handlers) report(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	q := r.URL.Query()
	p, period, err := reportPeriod(q)
	if err != nil {
		return err
	}
	rq, err := parseRequest(url.Values{"town": {q.Get("town")}}, c, time.Now())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.service().WriteReport(r.Context(), &buf, rq.Towns, p, kit.Language(w, r)); err != nil {
		return err
	}
	name := "kpi-" + firstNonEmpty(rq.Town, "all") + "-" + period + ".xlsx"
	w.Header().Set("Content-Type", sheet.XLSX.ContentType())
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

// rankedName is a league table row's name in the language: the English name where the
// department has one, else its name, else its code.
func rankedName(r kpi.Ranked, lang string) string {
	if lang == "en" && r.NameEN != "" {
		return r.NameEN
	}
	return firstNonEmpty(r.Name, r.Group)
}
