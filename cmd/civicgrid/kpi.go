package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/civicgrid/civicgrid/internal/kpi"
	"github.com/civicgrid/civicgrid/internal/kpi/daily"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

func runReportMonthly(ctx context.Context, args []string, out io.Writer) error {
	return runReport(ctx, "month", args, out)
}

func runReportQuarterly(ctx context.Context, args []string, out io.Writer) error {
	return runReport(ctx, "quarter", args, out)
}

// runReport writes a town's or a district's report of a month (--month 2026-10) or a quarter
// (--quarter 2026-Q3).
func runReport(ctx context.Context, kind string, args []string, out io.Writer) error {
	var town, district, name, file, lang string
	cmd, example, parse := "report monthly", "--month 2026-10", kpi.MonthPeriod
	if kind == "quarter" {
		cmd, example, parse = "report quarterly", "--quarter 2026-Q3", kpi.QuarterPeriod
	}
	c := newDBCommand(cmd, "a town's or a district's "+kind+"ly KPI report", cmd+" --town CODE | --district CODE "+example+" --out FILE.xlsx [--lang zh|en]", out)
	c.StringVar(&town, "town", "", "town code")
	c.StringVar(&district, "district", "", "district (or city) code: the report of its towns, side by side on the first sheet")
	c.StringVar(&name, kind, "", "the "+kind+", "+strings.Fields(example)[1])
	c.StringVar(&file, "out", "", "the xlsx file to write")
	c.StringVar(&lang, "lang", "zh", "the report's language, zh or en")
	if err := parseFlags(c.FlagSet, args); err != nil {
		return err
	}
	if file == "" {
		return fmt.Errorf("--out is required")
	}
	if err := oneScope(town, district); err != nil {
		return err
	}
	p, err := parse(name)
	if err != nil {
		return err
	}
	return c.withDB(ctx, func(db *store.DB) error {
		towns, err := scopeTowns(ctx, db, town, district)
		if err != nil {
			return err
		}
		svc, err := kpiService(ctx, db, towns[0])
		if err != nil {
			return err
		}
		f, err := os.Create(file)
		if err != nil {
			return err
		}
		if err := svc.WriteReport(ctx, f, towns, p, lang); err != nil {
			f.Close()
			os.Remove(file)
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(out, "%sly report of %s for %s written to %s\n", kind, cmp.Or(district, town), name, file)
		return nil
	})
}

func runKPI(ctx context.Context, args []string, out io.Writer) error {
	var town, district, from, to, period, by string
	var asJSON bool
	c := newDBCommand("kpi", "a town's or a district's KPIs", "kpi --town CODE | --district CODE [--from DATE --to DATE | --period day|week|month|quarter|year] [--by town|grid|department|category|channel|committee] [--json]", out)
	c.StringVar(&town, "town", "", "town code")
	c.StringVar(&district, "district", "", "district (or city) code: the figures of all its towns together")
	c.StringVar(&from, "from", "", "first day (2026-10-01); with --period, a day inside the period")
	c.StringVar(&to, "to", "", "last day, inclusive (default today)")
	c.StringVar(&period, "period", "", "day, week, month, quarter or year (default: the current month unless --from is given)")
	c.StringVar(&by, "by", "", "break down by town, grid, department, category, channel or committee")
	c.BoolVar(&asJSON, "json", false, "print JSON (keys as in docs/KPI.md) instead of a table")
	if err := parseFlags(c.FlagSet, args); err != nil {
		return err
	}
	if err := oneScope(town, district); err != nil {
		return err
	}
	p, err := kpi.ResolvePeriod(from, to, period, time.Now())
	if err != nil {
		return err
	}
	return c.withDB(ctx, func(db *store.DB) error {
		towns, err := scopeTowns(ctx, db, town, district)
		if err != nil {
			return err
		}
		svc, err := kpiService(ctx, db, towns[0])
		if err != nil {
			return err
		}
		rep, err := svc.Compute(ctx, kpi.Query{Towns: towns, Period: p, By: by})
		if err != nil {
			return err
		}
		if asJSON {
			enc := json.NewEncoder(out)
			enc.SetIndent("", "  ")
			return enc.Encode(rep)
		}
		return writeKPITable(out, rep)
	})
}

// oneScope checks exactly one of --town and --district is given.
func oneScope(town, district string) error {
	switch {
	case town == "" && district == "":
		return fmt.Errorf("--town or --district is required")
	case town != "" && district != "":
		return fmt.Errorf("--town and --district: give one of them")
	}
	return nil
}

// scopeTowns is the towns a command covers: --town's, or every town running CivicGrid under
// --district (a district's, or a city's under any of its districts: what that account sees).
func scopeTowns(ctx context.Context, db *store.DB, town, district string) ([]string, error) {
	if district == "" {
		return []string{town}, nil
	}
	r, err := places.GetRegion(ctx, db, district)
	if errors.Is(err, problem.ErrNotFound) || (err == nil && r.Level == "town") {
		return nil, fmt.Errorf("--district: unknown district or city code %q", district)
	}
	if err != nil {
		return nil, err
	}
	towns, err := places.TownsOfDistrict(ctx, db, district)
	if err != nil {
		return nil, err
	}
	if len(towns) == 0 {
		return nil, fmt.Errorf("--district: no town of %s (%s) runs CivicGrid", district, r.Name)
	}
	return towns, nil
}

// kpiService checks the town and returns the KPI service over db, with the calendar.
func kpiService(ctx context.Context, db *store.DB, town string) (*kpi.Service, error) {
	if err := places.RequireTown(ctx, db, "town", town); err != nil {
		return nil, err
	}
	cal, err := orders.LoadCalendar(ctx, db)
	if err != nil {
		return nil, err
	}
	return &kpi.Service{DB: db, Cal: cal}, nil
}

// writeKPITable prints the total (one line per key, with the comparisons) and, with a
// breakdown, one line per group with each key's value.
func writeKPITable(out io.Writer, rep kpi.Report) error {
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	last := func(p kpi.Period) string { return day(p.To.Add(-time.Millisecond)) }
	fmt.Fprintf(out, "KPIs of %s, %s – %s (previous %s – %s, last year %s – %s)\n\n", strings.Join(rep.Towns, ", "), day(rep.Period.From), last(rep.Period),
		day(rep.Previous.From), last(rep.Previous), day(rep.LastYear.From), last(rep.LastYear))
	w := tabwriter.NewWriter(out, 2, 8, 2, ' ', 0)
	fmt.Fprintln(w, "key\tname\tvalue\tcounted\tprevious\tlast year")
	for _, d := range kpi.Defs {
		c := rep.Total.Current[d.Key]
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", d.Key, d.ZH, kpi.Format(d, c), kpiCounts(d, c),
			kpi.Format(d, rep.Total.Previous[d.Key]), kpi.Format(d, rep.Total.LastYear[d.Key]))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if rep.By == "" {
		return nil
	}
	fmt.Fprintf(out, "\nby %s\n\n", rep.By)
	w = tabwriter.NewWriter(out, 2, 8, 2, ' ', 0)
	fmt.Fprint(w, rep.By, "\tname")
	for _, d := range kpi.Defs {
		fmt.Fprint(w, "\t", d.Key)
	}
	fmt.Fprintln(w)
	for _, r := range rep.Rows {
		g := r.Group
		if g == "" {
			g = "(none)"
		}
		fmt.Fprint(w, g, "\t", r.Name)
		for _, d := range kpi.Defs {
			fmt.Fprint(w, "\t", kpi.Format(d, r.Current[d.Key]))
		}
		fmt.Fprintln(w)
	}
	return w.Flush()
}

func kpiCounts(d kpi.Def, f kpi.Figure) string {
	switch d.Kind {
	case kpi.Rate:
		return fmt.Sprintf("%d/%d", f.Num, f.Den)
	case kpi.Hours:
		return fmt.Sprintf("%d orders", f.Den)
	}
	return ""
}

func runKPIRebuild(ctx context.Context, args []string, out io.Writer) error {
	var town string
	c := newDBCommand("kpi rebuild", "recompute the KPI figures kept per day", "kpi rebuild [--town CODE]", out)
	c.StringVar(&town, "town", "", "town code (default: every town)")
	if err := parseFlags(c.FlagSet, args); err != nil {
		return err
	}
	return c.withDB(ctx, func(db *store.DB) error {
		if town != "" {
			if err := places.RequireTown(ctx, db, "town", town); err != nil {
				return err
			}
		}
		start := time.Now()
		n, err := rebuildKPIDaily(ctx, db, town)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "kpi_daily rebuilt from %d orders in %.1f s\n", n, time.Since(start).Seconds())
		return nil
	})
}

// rebuildKPIDaily recomputes kpi_daily (one town, "" all) with the stored calendar, showing its
// progress on stderr.
func rebuildKPIDaily(ctx context.Context, db *store.DB, town string) (int, error) {
	cal, err := orders.LoadCalendar(ctx, db)
	if err != nil {
		return 0, err
	}
	start, last := time.Now(), time.Time{}
	return daily.Rebuild(ctx, db, cal, town, func(done, total int) {
		if time.Since(last) < time.Second && done < total {
			return
		}
		last = time.Now()
		fmt.Fprintf(stderr, "\rkpi_daily: %d / %d orders in %.0f s   ", done, total, time.Since(start).Seconds())
		if done >= total {
			fmt.Fprintln(stderr)
		}
	})
}

// buildKPIDaily builds kpi_daily once when it is empty while orders exist: a database migrated
// to 0035 with its orders (every command opens the database through openDB, serve included).
func buildKPIDaily(ctx context.Context, db *store.DB) error {
	empty, err := daily.Empty(ctx, db)
	if err != nil || !empty {
		return err
	}
	fmt.Fprintln(stderr, "kpi_daily is empty: building the KPI figures kept per day from the orders (once)")
	_, err = rebuildKPIDaily(ctx, db, "")
	return err
}
