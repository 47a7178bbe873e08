package kpi

import (
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Period is a half-open range of time [From, To).
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Periods a report can be asked for by name: the one containing a date.
var PeriodKinds = []string{"day", "week", "month", "quarter", "year"}

func midnight(t time.Time) time.Time {
	t = t.In(workcal.Location())
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, workcal.Location())
}

// PeriodOf returns the period of kind (day, week — Monday to Sunday —, month, quarter, year)
// that contains t, in the calendar's zone.
func PeriodOf(kind string, t time.Time) (Period, error) {
	d := midnight(t)
	var from, to time.Time
	switch kind {
	case "day":
		from, to = d, d.AddDate(0, 0, 1)
	case "week":
		from = d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
		to = from.AddDate(0, 0, 7)
	case "month":
		from = time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, d.Location())
		to = from.AddDate(0, 1, 0)
	case "quarter":
		from = time.Date(d.Year(), d.Month()-(d.Month()-1)%3, 1, 0, 0, 0, 0, d.Location())
		to = from.AddDate(0, 3, 0)
	case "year":
		from = time.Date(d.Year(), 1, 1, 0, 0, 0, 0, d.Location())
		to = from.AddDate(1, 0, 0)
	default:
		return Period{}, problem.Field("period", "unknown period %q; one of day, week, month, quarter, year", kind)
	}
	return Period{from, to}, nil
}

// Previous is the period just before p: the previous calendar month, quarter or year when p is
// one, otherwise the same length of time before it.
func (p Period) Previous() Period {
	for _, months := range []int{1, 3, 12} {
		if p.From.AddDate(0, months, 0).Equal(p.To) && p.From.Day() == 1 {
			return Period{p.From.AddDate(0, -months, 0), p.From}
		}
	}
	return Period{p.From.Add(-p.To.Sub(p.From)), p.From}
}

// LastYear is the same period a year earlier (同比).
func (p Period) LastYear() Period { return Period{p.From.AddDate(-1, 0, 0), p.To.AddDate(-1, 0, 0)} }

// ParseDate reads a date (2026-10-01) in the calendar's zone; field names it in the error.
func ParseDate(field, v string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, v, workcal.Location())
	if err != nil {
		return time.Time{}, problem.Field(field, "want a date such as 2026-10-01, not %.40q", v)
	}
	return t, nil
}

// MaxSpan bounds a report's period: a year and a bit (a leap year, a week on either side).
const MaxSpan = 380 * 24 * time.Hour

// ResolvePeriod turns a request's from, to (dates; to inclusive) and period kind into a
// Period: a kind alone is the one containing now (or from); from and to alone are that range;
// nothing at all is the current month.
func ResolvePeriod(from, to, kind string, now time.Time) (Period, error) {
	var f, t time.Time
	var err error
	if from != "" {
		if f, err = ParseDate("from", from); err != nil {
			return Period{}, err
		}
	}
	if to != "" {
		if t, err = ParseDate("to", to); err != nil {
			return Period{}, err
		}
	}
	if kind != "" || (from == "" && to == "") {
		if kind == "" {
			kind = "month"
		}
		at := now
		if from != "" {
			at = f
		}
		return PeriodOf(kind, at)
	}
	if from == "" {
		return Period{}, problem.Field("from", "is required with to")
	}
	if to == "" {
		t = midnight(now)
	}
	p := Period{f, t.AddDate(0, 0, 1)}
	if !p.To.After(p.From) {
		return Period{}, problem.Field("to", "%s is before from %s", t.Format(time.DateOnly), f.Format(time.DateOnly))
	}
	if p.To.Sub(p.From) > MaxSpan {
		return Period{}, problem.Field("to", "at most a year from from")
	}
	return p, nil
}

// MonthPeriod is the month named like 2026-10.
func MonthPeriod(month string) (Period, error) {
	t, err := time.ParseInLocation("2006-01", month, workcal.Location())
	if err != nil {
		return Period{}, problem.Field("month", "want a month such as 2026-10, not %.20q", month)
	}
	return Period{t, t.AddDate(0, 1, 0)}, nil
}

// QuarterPeriod is the quarter named like 2026-Q3 (July to September).
func QuarterPeriod(quarter string) (Period, error) {
	bad := problem.Field("quarter", "want a quarter such as 2026-Q3, not %.20q", quarter)
	year, q, ok := strings.Cut(quarter, "-Q")
	if !ok || len(year) != 4 || len(q) != 1 || q < "1" || q > "4" {
		return Period{}, bad
	}
	y, err := strconv.Atoi(year)
	if err != nil || y < 1000 {
		return Period{}, bad
	}
	from := time.Date(y, time.Month(3*int(q[0]-'1')+1), 1, 0, 0, 0, 0, workcal.Location())
	return Period{from, from.AddDate(0, 3, 0)}, nil
}
