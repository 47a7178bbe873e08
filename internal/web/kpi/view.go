package kpi

import (
	"encoding/json"
	"time"

	"github.com/civicgrid/civicgrid/internal/kpi"
	"github.com/civicgrid/civicgrid/internal/orders"
)

func day(t time.Time) string { return t.Format(time.DateOnly) }

// lastDay is the period's last day (its end is the next day's midnight).
func lastDay(p kpi.Period) string { return day(p.To.AddDate(0, 0, -1)) }

func label(d kpi.Def, lang string) string { return d.Label(lang) }

func value(d kpi.Def, f kpi.Figure) string { return kpi.Format(d, f) }

// arrow compares a figure with an earlier one: up or down, good or bad as the figure reads.
type arrow struct{ Sym, Class string }

func compare(d kpi.Def, now, before kpi.Figure) arrow {
	if now.Value == nil || before.Value == nil {
		return arrow{}
	}
	a, b := *now.Value, *before.Value
	if d.Kind == kpi.Rate {
		a, b = round(a*1000), round(b*1000) // compare the shown 0.1 %
	}
	switch {
	case a > b:
		return arrow{"↑", goodIf(!d.LowerIsBetter || d.Kind == kpi.Count)}
	case a < b:
		return arrow{"↓", goodIf(d.LowerIsBetter && d.Kind != kpi.Count)}
	}
	return arrow{"→", "same"}
}

func round(x float64) float64 { return float64(int64(x + 0.5)) }

func goodIf(b bool) string {
	if b {
		return "good"
	}
	return "bad"
}

// worse reports whether a figure got worse than before (the leader's "what got worse").
func worse(d kpi.Def, now, before kpi.Figure) bool {
	return d.Kind != kpi.Count && compare(d, now, before).Class == "bad"
}

// figView is one figure on a page: its value linked to the orders it counts, a rate's numerator
// and denominator each linked to theirs, and the comparisons.
type figView struct {
	Key, Label, Value, Href string
	IsRate                  bool
	Num, Den                int
	NumHref                 string
	Previous, LastYear      string
	PrevArrow, YearArrow    arrow
}

// scope is what a figure's links need: the towns, the dimension and group, the period.
type scope struct {
	towns     []string
	by, group string
	p         kpi.Period
}

func figures(row kpi.Row, sc scope, lang string) []figView {
	out := make([]figView, 0, len(kpi.Defs))
	for _, d := range kpi.Defs {
		out = append(out, figureView(d, row, sc, lang))
	}
	return out
}

func figureView(d kpi.Def, row kpi.Row, sc scope, lang string) figView {
	c := row.Current[d.Key]
	v := figView{Key: d.Key, Label: label(d, lang), Value: value(d, c), IsRate: d.Kind == kpi.Rate, Num: c.Num, Den: c.Den,
		Href:     ordersHref(d.Key, kpi.PartAll, sc.by, sc.group, sc.towns, sc.p),
		Previous: value(d, row.Previous[d.Key]), LastYear: value(d, row.LastYear[d.Key]),
		PrevArrow: compare(d, c, row.Previous[d.Key]), YearArrow: compare(d, c, row.LastYear[d.Key])}
	if v.IsRate {
		v.NumHref = ordersHref(d.Key, kpi.PartNum, sc.by, sc.group, sc.towns, sc.p)
	}
	return v
}

// groupName is a row's name: its name, else its code, else "none" in the language.
func groupName(r kpi.Row, by, lang string) string {
	if by == "channel" {
		for _, c := range orders.Channels {
			if c.Code == r.Group {
				if lang == "en" {
					return c.EN
				}
				return c.ZH
			}
		}
	}
	switch {
	case lang == "en" && r.NameEN != "":
		return r.NameEN
	case r.Name != "":
		return r.Name
	case r.Group != "":
		return r.Group
	case lang == "en":
		return "(none)"
	}
	return "（未指定）"
}

// chartData is the breakdown chart's data: the groups' names and, per figure, its values
// (rates in percent). The page script builds the chart from it, names as text.
func chartData(rows []kpi.Row, by, lang string) string {
	type series struct {
		Key    string     `json:"key"`
		Name   string     `json:"name"`
		Values []*float64 `json:"values"`
	}
	d := struct {
		Groups []string `json:"groups"`
		Series []series `json:"series"`
	}{Groups: []string{}}
	for _, r := range rows {
		d.Groups = append(d.Groups, groupName(r, by, lang))
	}
	for _, def := range kpi.Defs {
		s := series{Key: def.Key, Name: label(def, lang), Values: []*float64{}}
		for _, r := range rows {
			f := r.Current[def.Key]
			var v *float64
			if f.Value != nil {
				x := *f.Value
				if def.Kind == kpi.Rate {
					x = round(x*1000) / 10
				} else {
					x = round(x*10) / 10
				}
				v = &x
			}
			s.Values = append(s.Values, v)
		}
		d.Series = append(d.Series, s)
	}
	b, _ := json.Marshal(d)
	return string(b)
}
