package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/volunteers"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// runVolunteersList prints a town's volunteers (ID numbers masked).
func runVolunteersList(ctx context.Context, args []string, out io.Writer) error {
	var town, status, q string
	c := newDBCommand("volunteers list", "a town's volunteers", "volunteers list --town CODE [--status pending|approved|rejected] [--q TEXT]", out)
	c.StringVar(&town, "town", "", "town code")
	c.StringVar(&status, "status", "", "pending, approved or rejected")
	c.StringVar(&q, "q", "", "name or volunteer number contains")
	return c.runInTown(ctx, args, &town, func(db *store.DB) error {
		vs, err := volunteers.New(db).List(ctx, []string{town}, volunteers.Filter{Status: status, Query: q})
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NUMBER\tNAME\tID\tSTATUS\tHOURS")
		for _, v := range vs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", v.Number, v.Name, v.IDMasked, v.Status, volunteers.FormatHours(v.Minutes))
		}
		return tw.Flush()
	})
}

// runVolunteersHours prints one volunteer's hours by year and project, and the total.
func runVolunteersHours(ctx context.Context, args []string, out io.Writer) error {
	var town, number string
	c := newDBCommand("volunteers hours", "a volunteer's hours", "volunteers hours --town CODE --number VOLUNTEER-NUMBER", out)
	c.StringVar(&town, "town", "", "town code")
	c.StringVar(&number, "number", "", "volunteer number")
	if err := parseFlags(c.FlagSet, args); err != nil {
		return err
	}
	if town == "" || number == "" {
		return fmt.Errorf("--town and --number are required")
	}
	return c.withDB(ctx, func(db *store.DB) error {
		s := volunteers.New(db)
		vs, err := s.List(ctx, []string{town}, volunteers.Filter{Query: number})
		if err != nil {
			return err
		}
		for _, v := range vs {
			if v.Number != number {
				continue
			}
			hs, err := s.Hours(ctx, v.ID)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "%s %s\n", v.Number, v.Name)
			fmt.Fprintln(tw, "YEAR\tPROJECT\tTIMES\tHOURS\tAWAITING CHECK-OUT")
			for _, h := range hs {
				fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%d\n", h.Year, h.Project, h.Activities, volunteers.FormatHours(h.Minutes), h.Unconfirmed)
			}
			fmt.Fprintf(tw, "total\t\t\t%s\t\n", volunteers.FormatHours(v.Minutes))
			return tw.Flush()
		}
		return fmt.Errorf("no volunteer %s in %s", number, town)
	})
}

// runVolunteersExport writes a town's yearly statistics workbook (service records with whole ID
// numbers for the national volunteer system, projects, volunteers); the export is audited.
func runVolunteersExport(ctx context.Context, args []string, out io.Writer) error {
	var town, file string
	year := time.Now().In(workcal.Location()).Year()
	c := newDBCommand("volunteers export-stats", "a town's yearly volunteer statistics as xlsx", "volunteers export-stats --town CODE --year 2026 --out FILE.xlsx", out)
	c.StringVar(&town, "town", "", "town code")
	c.IntVar(&year, "year", year, "the year")
	c.StringVar(&file, "out", "", "the xlsx file to write")
	if err := parseFlags(c.FlagSet, args); err != nil {
		return err
	}
	if town == "" || file == "" {
		return fmt.Errorf("--town and --out are required")
	}
	return c.withDB(ctx, func(db *store.DB) error {
		f, err := os.Create(file)
		if err != nil {
			return err
		}
		n, err := volunteers.New(db).ExportYear(ctx, []string{town}, town, year, f, audit.Actor{Name: "cli"})
		if err != nil {
			f.Close()
			os.Remove(file)
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(out, "%d service records of %s in %d written to %s\n", n, town, year, file)
		return nil
	})
}

// runVolunteersRemind sends the reminders of activities starting within a day (the server does
// it on its own every few minutes; this is for a cron without a server).
func runVolunteersRemind(ctx context.Context, args []string, out io.Writer) error {
	c := newDBCommand("volunteers remind", "remind volunteers of activities starting within a day", "volunteers remind", out)
	if err := parseFlags(c.FlagSet, args); err != nil {
		return err
	}
	return c.withDB(ctx, func(db *store.DB) error {
		svc := volunteers.New(db)
		// The sign-up holds that ran out pass on first, so the reminders go to who has the place.
		if k, err := svc.SweepHolds(ctx); err != nil {
			return err
		} else if k > 0 {
			fmt.Fprintf(out, "%d roles' sign-up holds passed on\n", k)
		}
		n, err := svc.SendReminders(ctx)
		fmt.Fprintf(out, "%d activities reminded\n", n)
		return err
	})
}
