package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/results"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// results list | report | import: the tracked livelihood projects (docs/RESULTS.md).

func resultsYear(ctx context.Context, svc *results.Service, town string, year int) (int, error) {
	if year != 0 {
		return year, nil
	}
	ys, err := svc.Years(ctx, []string{town})
	if err != nil || len(ys) == 0 {
		return time.Now().In(workcal.Location()).Year(), err
	}
	return ys[0], nil
}

func runResultsList(ctx context.Context, args []string, out io.Writer) error {
	var town string
	var year int
	c := newDBCommand("results list", "a town's tracked results of a year", "results list --town CODE [--year 2025]", out)
	c.StringVar(&town, "town", "", "town code")
	c.IntVar(&year, "year", 0, "the year (default: the newest with results)")
	return c.run(ctx, args, func(db *store.DB) error {
		if town == "" {
			return fmt.Errorf("--town is required")
		}
		svc := results.New(db)
		y, err := resultsYear(ctx, svc, town, year)
		if err != nil {
			return err
		}
		list, err := svc.Year(ctx, []string{town}, y)
		if err != nil {
			return err
		}
		sts, err := svc.Statuses(ctx, town)
		if err != nil {
			return err
		}
		depth := results.Depth(list)
		tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tRESULT\tDEPARTMENT\tBUDGET(万元)\tPROGRESS\tSTATUS\tMILESTONES\tOVERDUE")
		for _, r := range list {
			fmt.Fprintf(tw, "%d\t%s%s\t%s\t%s\t%.1f%%\t%s\t%d/%d\t%d\n", r.ID, strings.Repeat("  ", depth[r.ID]), r.Title, r.DeptName, results.Wan(r.BudgetFen),
				r.Progress, results.StatusName(sts, r.Status, "zh"), r.Done, r.Total, r.Overdue)
		}
		return tw.Flush()
	})
}

func runResultsReport(ctx context.Context, args []string, out io.Writer) error {
	var town, half, file, lang string
	c := newDBCommand("results report", "the report to the congress as an xlsx workbook", "results report --town CODE --half 2025H1|2025 --out FILE.xlsx [--lang zh|en]", out)
	c.StringVar(&town, "town", "", "town code")
	c.StringVar(&half, "half", "", "the period: 2025H1 (half year, to 30 June) or 2025 (year end)")
	c.StringVar(&file, "out", "", "the xlsx file to write")
	c.StringVar(&lang, "lang", "zh", "the report's language, zh or en")
	return c.run(ctx, args, func(db *store.DB) error {
		if town == "" || half == "" || file == "" {
			return fmt.Errorf("--town, --half and --out are required")
		}
		p, err := results.ParsePeriod(half)
		if err != nil {
			return err
		}
		rep, err := results.New(db).Report(ctx, []string{town}, town, p)
		if err != nil {
			return err
		}
		f, err := os.Create(file)
		if err != nil {
			return err
		}
		if err := rep.WriteXLSX(f, lang); err != nil {
			f.Close()
			os.Remove(file)
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(out, "report of %s for %s (as of %s): %d projects, mean progress %.1f%%, %d overdue milestones, written to %s\n",
			town, rep.Period, rep.AsOf, rep.Totals.Projects, rep.Totals.Progress, rep.Totals.Overdue, file)
		return nil
	})
}

func runResultsImport(ctx context.Context, args []string, out io.Writer) error {
	var town, as string
	var year int
	var dry bool
	c := newDBCommand("results import", "bulk progress update from the filled-in template, all or nothing",
		"results import --town CODE --as USERNAME [--year 2025] [--dry-run] progress.xlsx", out)
	c.StringVar(&town, "town", "", "town code")
	c.StringVar(&as, "as", "", "the user the changes are made as (their permissions apply; the audit names them)")
	c.IntVar(&year, "year", 0, "the year (default: the newest with results)")
	c.BoolVar(&dry, "dry-run", false, "check and show the changes without writing them")
	if err := c.Parse(args); err != nil {
		return err
	}
	if town == "" || as == "" || c.NArg() != 1 {
		return fmt.Errorf("--town, --as and one file are required: %s", "results import --town CODE --as USERNAME progress.xlsx")
	}
	f, err := os.Open(c.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	return c.withDB(ctx, func(db *store.DB) error {
		u, err := auth.UserByUsername(ctx, db, as)
		if err != nil {
			return fmt.Errorf("user %s: %w", as, err)
		}
		svc := results.New(db)
		y, err := resultsYear(ctx, svc, town, year)
		if err != nil {
			return err
		}
		rows, err := results.ReadBulk(f)
		var plan []results.Planned
		if err == nil {
			if dry {
				plan, err = svc.Plan(ctx, []string{town}, y, rows, u)
			} else {
				plan, err = svc.Apply(ctx, []string{town}, y, rows, u)
			}
		}
		var be results.BulkErrors
		if errors.As(err, &be) {
			for _, e := range be {
				fmt.Fprintln(out, e.Message("zh"))
			}
			return fmt.Errorf("%d problems: nothing written", len(be))
		}
		if err != nil {
			return err
		}
		for _, p := range plan {
			fmt.Fprintf(out, "row %d\t%d %s\t%.1f%% → %.1f%%\t%s → %s\t%s\n", p.Row, p.ResultID, p.Title, p.FromProgress, p.ToProgress, p.FromStatus, p.ToStatus, p.Note)
		}
		verb := "applied"
		if dry {
			verb = "would apply (dry run, nothing written)"
		}
		fmt.Fprintf(out, "%s: %d changes to the results of %d\n", verb, len(plan), y)
		return nil
	})
}
