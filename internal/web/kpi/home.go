package kpi

import (
	"bytes"
	"html/template"
	"net/http"
	"sort"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/kpi"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// panelFuncs are the panels' template functions; T is replaced per request.
var panelFuncs = template.FuncMap{"T": func(string) string { return "" }}

// The keys the side-by-side tables of the district's and the city's homes show.
var sideBySide = []string{kpi.Received, kpi.Closed, kpi.ClosureRate, kpi.OnTimeHandlingRate, kpi.SatisfactionRate, kpi.AvgHandlingHours}

// homePanel is a leader's home: a town leader's figures of today, what is late, what got worse
// this month and the rankings; a district account's towns side by side; a city account's
// districts. Other roles keep their home (the dispatcher's queues).
func (s *handlers) homePanel(r *http.Request, c *kit.Caller, lang string) (template.HTML, error) {
	if c.User.Role != auth.RoleLeader {
		return "", nil
	}
	now := time.Now()
	today, _ := kpi.PeriodOf("day", now)
	kind, area := "leader", ""
	if c.User.TownCode == "" && c.User.DistrictCode != "" {
		kind, area = "area", c.User.DistrictCode
	}
	key := panelKey(kind, area, c.Towns, lang, today.From)
	html, ok, gen := s.cache.get(key)
	if ok {
		return html, nil
	}
	var err error
	if kind == "area" {
		html, err = s.areaPanel(r, c, lang, now)
	} else {
		html, err = s.leaderPanel(r, c, lang, now)
	}
	if err != nil {
		return "", err
	}
	s.cache.put(key, gen, c.Towns, html)
	return html, nil
}

func (s *handlers) render(r *http.Request, name, lang string, d any) (template.HTML, error) {
	t, err := s.panels.Clone()
	if err != nil {
		return "", err
	}
	t.Funcs(template.FuncMap{"T": kit.Translator(lang)})
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, d); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil // #nosec: executed by html/template
}

type worseView struct {
	Label, Now, Before, Href string
}

func (s *handlers) leaderPanel(r *http.Request, c *kit.Caller, lang string, now time.Time) (template.HTML, error) {
	ctx := r.Context()
	svc := s.service()
	today, _ := kpi.PeriodOf("day", now)
	month, _ := kpi.PeriodOf("month", now)
	d := map[string]any{}
	// Today's tiles show the figures alone, "what got worse" compares the month with the
	// previous one, and the side-by-side tables show the previous month's arrow: no panel reads
	// last year's figures, so they are not computed.
	rep, err := svc.Compute(ctx, kpi.Query{Towns: c.Towns, Period: today, Keys: []string{kpi.Received, kpi.Filed, kpi.Closed},
		NoPrevious: true, NoLastYear: true})
	if err != nil {
		return "", err
	}
	var todays []figView
	for _, key := range []string{kpi.Received, kpi.Filed, kpi.Closed} {
		def, _ := kpi.Lookup(key)
		todays = append(todays, figureView(def, rep.Total, scope{towns: c.Towns, p: today}, lang))
	}
	d["Today"] = todays
	late, err := svc.Late(ctx, c.Towns, now)
	if err != nil {
		return "", err
	}
	if len(late) > 8 {
		late = late[:8]
	}
	d["Late"] = late
	// The orders behind those rows, each once (an order can have a late stage of two owners).
	if d["LateOrders"], err = svc.LateOrders(ctx, c.Towns, now); err != nil {
		return "", err
	}
	rep, err = svc.Compute(ctx, kpi.Query{Towns: c.Towns, Period: month, NoLastYear: true})
	if err != nil {
		return "", err
	}
	var worsened []worseView
	for _, def := range kpi.Defs {
		cur, prev := rep.Total.Current[def.Key], rep.Total.Previous[def.Key]
		if worse(def, cur, prev) {
			worsened = append(worsened, worseView{label(def, lang), value(def, cur), value(def, prev), ordersHref(def.Key, kpi.PartAll, "", "", c.Towns, month)})
		}
	}
	d["Worse"] = worsened
	d["Month"] = span(month)
	if len(c.Towns) > 0 {
		rk, err := svc.Rank(ctx, c.Towns[:1], "department", month)
		if err != nil {
			return "", err
		}
		rv := rankTable(rk, request{Towns: c.Towns[:1]}, "", lang)
		if len(rv.Rows) > 5 {
			rv.Rows = rv.Rows[:5]
		}
		d["Ranks"] = rv
	}
	return s.render(r, "leader", lang, d)
}

// areaPanel puts a district's towns, or a city's districts, side by side this month.
func (s *handlers) areaPanel(r *http.Request, c *kit.Caller, lang string, now time.Time) (template.HTML, error) {
	ctx := r.Context()
	area, err := places.GetRegion(ctx, s.DB, c.User.DistrictCode)
	if err != nil {
		return "", err
	}
	month, _ := kpi.PeriodOf("month", now)
	rep, err := s.service().Compute(ctx, kpi.Query{Towns: c.Towns, Period: month, By: "town", Keys: sideBySide, NoLastYear: true})
	if err != nil {
		return "", err
	}
	type areaRow struct {
		Name  string
		Towns []string
		Row   kpi.Row
	}
	var rows []areaRow
	if area.Level == "city" {
		// The towns' figures added up per district (kpi.Merge: numerators and denominators).
		towns, err := places.TenantTowns(ctx, s.DB, c.Towns)
		if err != nil {
			return "", err
		}
		parent := map[string]string{}
		for _, t := range towns {
			parent[t.Code] = t.ParentCode
		}
		byDistrict := map[string][]kpi.Row{}
		for _, row := range rep.Rows {
			byDistrict[parent[row.Group]] = append(byDistrict[parent[row.Group]], row)
		}
		for code, rs := range byDistrict {
			name := code
			if reg, err := places.GetRegion(ctx, s.DB, code); err == nil {
				name = reg.Name
			}
			ar := areaRow{Name: name}
			var cur, prev, ly []kpi.Figures
			for _, row := range rs {
				ar.Towns = append(ar.Towns, row.Group)
				cur, prev, ly = append(cur, row.Current), append(prev, row.Previous), append(ly, row.LastYear)
			}
			ar.Row = kpi.Row{Group: code, Current: kpi.Merge(cur...), Previous: kpi.Merge(prev...), LastYear: kpi.Merge(ly...)}
			rows = append(rows, ar)
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].Row.Group < rows[j].Row.Group })
	} else {
		for _, row := range rep.Rows {
			rows = append(rows, areaRow{Name: firstNonEmpty(row.Name, row.Group), Towns: []string{row.Group}, Row: row})
		}
	}
	var labels []string
	var defs []kpi.Def
	for _, key := range sideBySide {
		def, _ := kpi.Lookup(key)
		defs = append(defs, def)
		labels = append(labels, label(def, lang))
	}
	var views []rowView
	for _, ar := range rows {
		rv := rowView{Name: ar.Name}
		for _, def := range defs {
			rv.Cells = append(rv.Cells, figureView(def, ar.Row, scope{towns: ar.Towns, p: month}, lang))
		}
		views = append(views, rv)
	}
	title := "kpi.home.towns"
	if area.Level == "city" {
		title = "kpi.home.districts"
	}
	return s.render(r, "area", lang, map[string]any{"Title": title, "Area": area.Name, "Month": span(month), "Labels": labels, "Rows": views})
}
