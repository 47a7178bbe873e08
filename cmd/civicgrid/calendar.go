package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

func runCalendarLoad(ctx context.Context, args []string, out io.Writer) error {
	c := newDBCommand("calendar load", "load a year's holiday calendar", "calendar load [--data DIR] [--db URL] FILE.json", out)
	if err := c.Parse(args); err != nil {
		return err
	}
	if c.NArg() != 1 {
		return fmt.Errorf("give one calendar file, e.g. civicgrid calendar load 2027.json (format: docs/WORKFLOW.md)")
	}
	y, err := readWith(c.Arg(0), workcal.ParseYear)
	if err != nil {
		return err
	}
	return c.withDB(ctx, func(db *store.DB) error {
		st := orders.New(db)
		if st.Cal, err = orders.LoadCalendar(ctx, db); err != nil {
			return err
		}
		if err := st.SaveCalendarYear(ctx, y, "cli"); err != nil {
			return err
		}
		fmt.Fprintf(out, "calendar %d loaded: %d holidays, %d adjusted working days (调休); restart running servers to use it\n",
			y.Year, len(y.Holidays), len(y.Workdays))
		return nil
	})
}

func runCalendarShow(ctx context.Context, args []string, out io.Writer) error {
	c := newDBCommand("calendar show", "print a year's working days", "calendar show [--data DIR] [--db URL] YEAR", out)
	if err := c.Parse(args); err != nil {
		return err
	}
	year := time.Now().Year()
	if c.NArg() > 0 {
		y, err := strconv.Atoi(c.Arg(0))
		if err != nil || y < 2000 || y > 2099 {
			return fmt.Errorf("year %q: want 2000–2099", c.Arg(0))
		}
		year = y
	}
	return c.withDB(ctx, func(db *store.DB) error {
		cal, err := orders.LoadCalendar(ctx, db)
		if err != nil {
			return err
		}
		if !cal.Known(year) {
			fmt.Fprintf(out, "%d: no official calendar loaded — Monday to Friday are working days\n", year)
		}
		loc := workcal.Location()
		working := 0
		for day := time.Date(year, 1, 1, 12, 0, 0, 0, loc); day.Year() == year; day = day.AddDate(0, 0, 1) {
			wk := day.Weekday() == time.Saturday || day.Weekday() == time.Sunday
			works := cal.IsWorkday(day)
			if works {
				working++
			}
			switch {
			case wk && works:
				fmt.Fprintf(out, "%s %s 调休上班\n", day.Format("2006-01-02"), day.Weekday().String()[:3])
			case !wk && !works:
				fmt.Fprintf(out, "%s %s 放假\n", day.Format("2006-01-02"), day.Weekday().String()[:3])
			}
		}
		fmt.Fprintf(out, "%d working days in %d\n", working, year)
		return nil
	})
}
