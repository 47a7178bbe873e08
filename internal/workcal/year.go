package workcal

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// Year is one year's official calendar in the JSON form documented in the
// package doc. Dates are "YYYY-MM-DD" strings so the file reads like the
// notice it was copied from.
type Year struct {
	Year     int      `json:"year"`
	Source   string   `json:"source,omitempty"`
	Holidays []string `json:"holidays"`
	Workdays []string `json:"workdays"`
}

// FieldError names the field and value of a calendar file that is wrong.
type FieldError struct {
	Field  string // e.g. "holidays[3]"
	Value  string
	Reason string
}

func (e *FieldError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("%s %q: %s", e.Field, e.Value, e.Reason)
}

type compiled struct {
	year               int
	holidays, workdays []int64
}

// ParseYear reads and validates one year's calendar. Unknown fields are
// rejected so a misspelt "workday" key cannot silently drop the 调休 days.
func ParseYear(r io.Reader) (Year, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var y Year
	if err := dec.Decode(&y); err != nil {
		return Year{}, fmt.Errorf("parse calendar year: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Year{}, fmt.Errorf("parse calendar year: unexpected data after the JSON object")
	}
	if _, err := y.compile(); err != nil {
		return Year{}, fmt.Errorf("parse calendar year: %w", err)
	}
	return y, nil
}

// Validate reports the first problem with y, as a *FieldError.
func (y Year) Validate() error {
	_, err := y.compile()
	return err
}

func (y Year) compile() (compiled, error) {
	if y.Year == 0 {
		return compiled{}, &FieldError{Field: "year", Reason: "missing"}
	}
	if y.Year < FirstYear || y.Year > LastYear {
		return compiled{}, &FieldError{Field: "year", Value: fmt.Sprint(y.Year),
			Reason: fmt.Sprintf("outside the supported years %d–%d", FirstYear, LastYear)}
	}
	if len(y.Holidays) == 0 {
		// Every official calendar has at least New Year's Day; an empty list
		// is almost certainly a file that lost its content.
		return compiled{}, &FieldError{Field: "holidays", Reason: "empty; list every day off of the year"}
	}
	c := compiled{year: y.Year}
	seen := make(map[int64]string, len(y.Holidays)+len(y.Workdays))
	parse := func(list string, i int, s string) (int64, error) {
		field := fmt.Sprintf("%s[%d]", list, i)
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return 0, &FieldError{Field: field, Value: s, Reason: "not a date in YYYY-MM-DD form"}
		}
		if t.Year() != y.Year {
			return 0, &FieldError{Field: field, Value: s, Reason: fmt.Sprintf("not in year %d", y.Year)}
		}
		d := civilDay(t.Year(), t.Month(), t.Day())
		if prev, dup := seen[d]; dup {
			if prev == list {
				return 0, &FieldError{Field: field, Value: s, Reason: "listed twice"}
			}
			return 0, &FieldError{Field: field, Value: s, Reason: "listed as both holiday and workday"}
		}
		seen[d] = list
		return d, nil
	}
	for i, s := range y.Holidays {
		d, err := parse("holidays", i, s)
		if err != nil {
			return compiled{}, err
		}
		c.holidays = append(c.holidays, d)
	}
	for i, s := range y.Workdays {
		d, err := parse("workdays", i, s)
		if err != nil {
			return compiled{}, err
		}
		if weekdayWorks(d) {
			// 调休上班 only ever turns a Saturday or Sunday into a working day.
			return compiled{}, &FieldError{Field: fmt.Sprintf("workdays[%d]", i), Value: s,
				Reason: fmt.Sprintf("a %s is already a working day; only weekend days can be adjusted working days", time.Weekday(weekday(d)))}
		}
		c.workdays = append(c.workdays, d)
	}
	anyWeekday := false
	for _, d := range c.holidays {
		anyWeekday = anyWeekday || weekdayWorks(d)
	}
	if !anyWeekday {
		// Holidays that all fall on weekends change nothing: the file most
		// likely lists the 调休 days under the wrong key.
		return compiled{}, &FieldError{Field: "holidays", Reason: "no holiday falls on a Monday–Friday, so the list changes nothing"}
	}
	return c, nil
}
