package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/projects"
	"github.com/civicgrid/civicgrid/internal/store"
)

// tenantTowns are the codes of every town the database serves (the maintenance commands act in
// all of them unless --town names one).
func tenantTowns(ctx context.Context, db *store.DB, town string) ([]string, error) {
	var only []string
	if town != "" {
		only = []string{town}
	}
	ts, err := places.TenantTowns(ctx, db, only)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("no town %q in this database", town)
	}
	codes := make([]string, len(ts))
	for i, t := range ts {
		codes[i] = t.Code
	}
	return codes, nil
}

func runProjectsList(ctx context.Context, args []string, out io.Writer) error {
	var town string
	c := newDBCommand("projects list", "candidate lists and ballot sessions", "projects list [--town CODE]", out)
	c.StringVar(&town, "town", "", "town code (default: every town)")
	if err := parseFlags(c.FlagSet, args); err != nil {
		return err
	}
	return c.withDB(ctx, func(db *store.DB) error {
		towns, err := tenantTowns(ctx, db, town)
		if err != nil {
			return err
		}
		svc := projects.New(db)
		ls, err := svc.Lists(ctx, towns)
		if err != nil {
			return err
		}
		xs, err := svc.Sessions(ctx, towns)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LIST\tTOWN\tYEAR\tSEATS\tCANDIDATES\tRATIO\t差额")
		for _, l := range ls {
			ok := "ok"
			if err := projects.CheckCompetitive(len(l.Candidates), l.Seats, l.MinRatio); err != nil {
				ok = "NOT MET"
			}
			fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%d\t%d.%02d\t%s\n", l.ID, l.TownCode, l.Year, l.Seats, len(l.Candidates), l.MinRatio/100, l.MinRatio%100, ok)
		}
		fmt.Fprintln(tw)
		fmt.Fprintln(tw, "SESSION\tYEAR\tNAME\tBODY\tMODE\tSTATUS\t应到\t实到\tROUNDS")
		for _, x := range xs {
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%d\t%d\t%d\n", x.ID, x.Year, x.Name, x.BodyName, x.Mode, x.Status, x.Expected, x.Present, len(x.Rounds))
		}
		return tw.Flush()
	})
}

// errRecountDiffers makes `projects recount` exit non-zero when a recount differs.
var errRecountDiffers = errors.New("the recount differs from the recorded result")

func runProjectsRecount(ctx context.Context, args []string, out io.Writer) error {
	var asJSON bool
	c := newDBCommand("projects recount", "recount a ballot session from its stored ballots", "projects recount [--json] SESSION-ID", out)
	c.BoolVar(&asJSON, "json", false, "print the recount as JSON")
	arg, err := parseFileAndFlags(c.FlagSet, args)
	if err != nil {
		return err
	}
	if arg == "" {
		return fmt.Errorf("name one session id")
	}
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("session id %q is not a number", arg)
	}
	return c.withDB(ctx, func(db *store.DB) error {
		towns, err := tenantTowns(ctx, db, "")
		if err != nil {
			return err
		}
		rc, err := projects.New(db).Recount(ctx, towns, id)
		if err != nil {
			return err
		}
		if asJSON {
			enc := json.NewEncoder(out)
			enc.SetIndent("", "  ")
			if err := enc.Encode(rc); err != nil {
				return err
			}
		} else {
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			for _, r := range rc.Rounds {
				fmt.Fprintf(tw, "round %d: %d seats, %d ballots (%d valid, %d invalid), pass line %d of %d\n", r.Round, r.Tally.Seats, r.Tally.Ballots,
					r.Tally.Valid, r.Tally.Invalid, r.Tally.Threshold, r.Tally.Base)
				fmt.Fprintln(tw, "PROJECT\tYES\tNO\tABSTAIN\tOUTCOME")
				for _, row := range r.Tally.Rows {
					fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%s\n", row.ProposalID, row.Yes, row.No, row.Abstain, row.Outcome)
				}
				for _, d := range r.Difference {
					fmt.Fprintf(tw, "DIFFERS: %s\n", d)
				}
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
		if len(rc.Rounds) == 0 {
			fmt.Fprintln(out, "no counted round yet")
			return nil
		}
		if !rc.Match {
			return errRecountDiffers
		}
		fmt.Fprintf(out, "session %d: the recount equals the recorded result\n", id)
		return nil
	})
}

func runProjectsImportBallots(ctx context.Context, args []string, out io.Writer) error {
	var session int64
	var round int
	var as string
	c := newDBCommand("projects import-ballots", "import a paper round's ballots from the tellers' xlsx",
		"projects import-ballots --session ID [--round N] --as USERNAME FILE.xlsx", out)
	c.Int64Var(&session, "session", 0, "the ballot session's id")
	c.IntVar(&round, "round", 1, "the round")
	c.StringVar(&as, "as", "", "the manager (projects:manage) who enters them, recorded as the teller at the keyboard")
	file, err := parseFileAndFlags(c.FlagSet, args)
	if err != nil {
		return err
	}
	if file == "" || session <= 0 || as == "" {
		return fmt.Errorf("--session, --as and the xlsx file are required")
	}
	return c.withDB(ctx, func(db *store.DB) error {
		u, err := auth.UserByUsername(ctx, db, as)
		if err != nil {
			return fmt.Errorf("--as %s: %w", as, err)
		}
		towns, err := u.Towns(ctx, db)
		if err != nil {
			return err
		}
		svc := projects.New(db)
		cands, err := svc.RoundCandidates(ctx, towns, session, round)
		if err != nil {
			return err
		}
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		bs, err := projects.ReadBallots(f, cands, round)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		n, err := svc.EnterBallots(ctx, towns, session, round, bs, u, audit.Actor{ID: u.ID, Name: u.Username + " (cli)"})
		if err != nil {
			return fmt.Errorf("%s: nothing imported: %w", file, err)
		}
		fmt.Fprintf(out, "%d ballots of round %d imported into session %d\n", n, round, session)
		return nil
	})
}
