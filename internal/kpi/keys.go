// Package kpi computes the town's key performance indicators (考核指标) with the formulas
// docs/KPI.md publishes: volumes (received, filed, closed), rates whose numerator and
// denominator are sets of orders, and handling times in working hours. Timeliness is read from
// the stage clocks (order_stages), never recomputed from events. Every figure is a count of
// orders selected by one SQL condition over the orders table (Condition), so the order list can
// show exactly the orders a figure counts. No HTTP here: web/kpi decodes and encodes.
package kpi

import (
	"fmt"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/problem"
)

// Kind says how a figure's value is made from its counts.
type Kind string

// The kinds of figure.
const (
	Count Kind = "count" // Value = Den, the number of orders
	Rate  Kind = "rate"  // Value = Num / Den
	Hours Kind = "hours" // Value = working hours over the Den orders measured
)

// The keys of the figures, as the API, the CLI and docs/KPI.md name them.
const (
	Received             = "received"
	Filed                = "filed"
	Closed               = "closed"
	ClosureRate          = "closure_rate"
	OnTimeClosureRate    = "on_time_closure_rate"
	OnTimeFilingRate     = "on_time_filing_rate"
	OnTimeHandlingRate   = "on_time_handling_rate"
	AccurateDispatchRate = "accurate_dispatch_rate"
	ReworkRate           = "rework_rate"
	RepeatComplaintRate  = "repeat_complaint_rate"
	SatisfactionRate     = "satisfaction_rate"
	FirstContactRate     = "first_contact_rate"
	AvgHandlingHours     = "avg_handling_hours"
	P90HandlingHours     = "p90_handling_hours"
)

// Def is one figure: its key, its labels, how its value is made and which orders it counts.
type Def struct {
	Key    string
	ZH, EN string
	Kind   Kind
	// LowerIsBetter marks figures that improve when they fall (返工率, 重复投诉率, handling times).
	LowerIsBetter bool
	// den selects the orders the figure counts (a rate's denominator); num, for a rate, the
	// part of them its numerator counts. Both are conditions over the orders table for [from, to).
	den, num func(from, to int64) (string, []any)
}

// Assessed reports whether exemptions (考核豁免) take orders out of the figure: every rate and
// handling time is assessed; the volumes count every order.
func (d Def) Assessed() bool { return d.Kind != Count }

// Defs lists the figures in the order pages and outputs show them.
var Defs = []Def{
	{Key: Received, ZH: "受理量", EN: "Received", Kind: Count, den: timeIn("received_at")},
	{Key: Filed, ZH: "立案量", EN: "Filed", Kind: Count, den: timeIn("filed_at")},
	{Key: Closed, ZH: "结案量", EN: "Closed", Kind: Count, den: closedIn},
	{Key: ClosureRate, ZH: "结案率", EN: "Closure rate", Kind: Rate, den: dueIn,
		num: func(_, to int64) (string, []any) { return `closed_at IS NOT NULL AND closed_at < ?`, []any{to} }},
	{Key: OnTimeClosureRate, ZH: "按期结案率", EN: "On-time closure rate", Kind: Rate, den: closedIn,
		num: fixed(`NOT EXISTS (SELECT 1 FROM order_stages s WHERE s.order_id = orders.id AND s.stage = 'handling' AND s.on_time = 0)`)},
	{Key: OnTimeFilingRate, ZH: "按时立案率", EN: "On-time filing rate", Kind: Rate,
		den: stageEnded("filing", ""), num: stageOnTime("filing", "")},
	{Key: OnTimeHandlingRate, ZH: "按期处置率", EN: "On-time handling rate", Kind: Rate,
		den: stageEnded("handling", "'report'"), num: stageOnTime("handling", "'report'")},
	{Key: AccurateDispatchRate, ZH: "准确派遣率", EN: "Accurate dispatch rate", Kind: Rate,
		den: stageEnded("dispatch", "'dispatch'"), num: notIn(stageEnded("handling", "'return'"))},
	{Key: ReworkRate, ZH: "返工率", EN: "Rework rate", Kind: Rate, LowerIsBetter: true,
		den: stageEnded("verification", "'verify_pass', 'verify_fail'"), num: stageEnded("verification", "'verify_fail'")},
	{Key: RepeatComplaintRate, ZH: "重复投诉率", EN: "Repeat complaint rate", Kind: Rate, LowerIsBetter: true,
		den: timeIn("received_at"), num: fixed(`duplicate_of IS NOT NULL`)},
	{Key: SatisfactionRate, ZH: "满意率", EN: "Satisfaction rate", Kind: Rate,
		den: and(stageEnded("callback", "'rate'"), fixed(`satisfaction <> ''`)),
		num: fixed(`satisfaction IN ('satisfied', 'basically_satisfied')`)},
	{Key: FirstContactRate, ZH: "首次联系及时率", EN: "First-contact rate", Kind: Rate,
		den: stageEnded("first_contact", "'accept', 'report'"), num: stageOnTime("first_contact", "'accept', 'report'")},
	{Key: AvgHandlingHours, ZH: "平均办理时长（工作小时）", EN: "Average handling time (working hours)", Kind: Hours, LowerIsBetter: true,
		den: handledClosed},
	{Key: P90HandlingHours, ZH: "办理时长 P90（工作小时）", EN: "Handling time p90 (working hours)", Kind: Hours, LowerIsBetter: true,
		den: handledClosed},
}

// Lookup returns the figure of a key.
func Lookup(key string) (Def, bool) {
	for _, d := range Defs {
		if d.Key == key {
			return d, true
		}
	}
	return Def{}, false
}

// Keys lists every key, for messages naming the choices.
func Keys() []string {
	out := make([]string, len(Defs))
	for i, d := range Defs {
		out[i] = d.Key
	}
	return out
}

// Dimensions a report breaks its figures down by: the column of orders each one reads.
var Dimensions = []struct{ Key, Column, ZH, EN string }{
	{"town", "town_code", "街镇", "Town"},
	{"grid", "grid_code", "网格", "Grid"},
	{"committee", "committee_code", "居委", "Residents' committee"},
	{"department", "department_code", "部门", "Department"},
	{"category", "category_code", "类别", "Category"},
	{"channel", "channel", "渠道", "Channel"},
}

// column is the orders column of a dimension ("" for none).
func column(by string) (string, error) {
	if by == "" {
		return "", nil
	}
	for _, d := range Dimensions {
		if d.Key == by {
			return d.Column, nil
		}
	}
	return "", problem.Field("by", "unknown dimension %q; one of town, grid, committee, department, category, channel", by)
}

// --- the conditions

var closedStates = `state IN ('closed', 'rated')`

func timeIn(col string) func(from, to int64) (string, []any) {
	return func(from, to int64) (string, []any) {
		return col + ` >= ? AND ` + col + ` < ?`, []any{from, to}
	}
}

// closedIn: closed in the period and closed still (a reopened order has no closing time).
func closedIn(from, to int64) (string, []any) {
	return `closed_at >= ? AND closed_at < ? AND ` + closedStates, []any{from, to}
}

// dueIn: due to close in the period — the order's deadline (after approved extensions) falls in
// it; rejected and merged orders are never due.
func dueIn(from, to int64) (string, []any) {
	return `deadline_at >= ? AND deadline_at < ? AND state NOT IN ('rejected', 'merged')`, []any{from, to}
}

// handledClosed: closed in the period after a handling stage (self-handled orders have none).
func handledClosed(from, to int64) (string, []any) {
	c, a := closedIn(from, to)
	return c + ` AND EXISTS (SELECT 1 FROM order_stages s WHERE s.order_id = orders.id AND s.stage = 'handling' AND s.finished_at IS NOT NULL)`, a
}

// stageEnded: the order has a run of stage that finished in the period (with one of outcomes,
// a SQL list of literals; "" any).
func stageEnded(stage, outcomes string) func(from, to int64) (string, []any) {
	return func(from, to int64) (string, []any) {
		return `orders.id IN (` + stageRuns(stage, outcomes, "") + `)`, []any{from, to}
	}
}

// stageOnTime: no run of stage that finished in the period was late — a run on time followed by
// a late one makes the order late.
func stageOnTime(stage, outcomes string) func(from, to int64) (string, []any) {
	return func(from, to int64) (string, []any) {
		return `orders.id NOT IN (` + stageRuns(stage, outcomes, " AND on_time = 0") + `)`, []any{from, to}
	}
}

func stageRuns(stage, outcomes, extra string) string {
	q := `SELECT order_id FROM order_stages WHERE stage = '` + stage + `' AND finished_at >= ? AND finished_at < ?`
	if outcomes != "" {
		q += ` AND outcome IN (` + outcomes + `)`
	}
	return q + extra
}

func fixed(cond string) func(from, to int64) (string, []any) {
	return func(int64, int64) (string, []any) { return cond, nil }
}

func notIn(f func(from, to int64) (string, []any)) func(from, to int64) (string, []any) {
	return func(from, to int64) (string, []any) {
		c, a := f(from, to)
		return `NOT (` + c + `)`, a
	}
}

func and(fs ...func(from, to int64) (string, []any)) func(from, to int64) (string, []any) {
	return func(from, to int64) (string, []any) {
		var conds []string
		var args []any
		for _, f := range fs {
			c, a := f(from, to)
			conds = append(conds, "("+c+")")
			args = append(args, a...)
		}
		return strings.Join(conds, " AND "), args
	}
}

const notExempt = `orders.id NOT IN (SELECT order_id FROM kpi_exemptions)`

// Parts of a figure a link may select.
const (
	PartAll = ""    // the orders the figure counts (a rate's denominator)
	PartNum = "num" // a rate's numerator
)

// Condition is the SQL condition over the orders table that selects exactly the orders a figure
// counts — for key, in the group (a value of dimension by; by "" for all) and [from, to) — and
// its arguments. The town scope is the caller's (orders.Filter.Towns). part PartNum selects a
// rate's numerator.
func Condition(key, by, group, part string, from, to time.Time) (string, []any, error) {
	d, ok := Lookup(key)
	if !ok {
		return "", nil, problem.Field("kpi", "unknown figure %q; one of %s", key, strings.Join(Keys(), ", "))
	}
	if !to.After(from) {
		return "", nil, problem.Field("to", "the period ends (%s) before it starts (%s)", to.Format(time.DateOnly), from.Format(time.DateOnly))
	}
	col, err := column(by)
	if err != nil {
		return "", nil, err
	}
	f, t := from.UnixMilli(), to.UnixMilli()
	cond, args := d.den(f, t)
	conds := []string{"(" + cond + ")"}
	if d.Assessed() {
		conds = append(conds, notExempt)
	}
	switch part {
	case PartAll:
	case PartNum:
		if d.num == nil {
			return "", nil, problem.Field("part", "figure %s has no numerator", key)
		}
		c, a := d.num(f, t)
		conds = append(conds, "("+c+")")
		args = append(args, a...)
	default:
		return "", nil, problem.Field("part", "unknown part %q; empty or num", part)
	}
	if col != "" {
		conds = append(conds, fmt.Sprintf(`COALESCE(%s, '') = ?`, col))
		args = append(args, group)
	}
	return strings.Join(conds, " AND "), args, nil
}
