package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/civicgrid/civicgrid/internal/party"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/store"
)

// runPartyTree prints a town's party organisations as a tree with member counts and the year's
// 光荣在党50年 awards (docs/PARTY.md), computed from the stored dates.
func runPartyTree(ctx context.Context, args []string, out io.Writer) error {
	var town string
	var year int
	c := newDBCommand("party tree", "a town's party organisations", "party tree --town CODE [--year YYYY]", out)
	c.StringVar(&town, "town", "", "town code")
	c.IntVar(&year, "year", 0, "the honour year (default: the year of the latest July 1)")
	return c.runInTown(ctx, args, &town, func(db *store.DB) error {
		if err := places.RequireTown(ctx, db, "town", town); err != nil {
			return err
		}
		svc := party.New(db)
		if year == 0 {
			year = party.HonourYear(svc.Clock())
		}
		roots, err := svc.Tree(ctx, []string{town}, year)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintf(w, "organisation\tkind\tsecretary\tmembers\t光荣在党50年 %d\n", year)
		for _, o := range party.Flatten(roots) {
			fmt.Fprintf(w, "%s%s\t%s\t%s\t%d\t%d\n", strings.Repeat("  ", o.Depth), o.Name, party.LabelOf(party.OrgKinds, o.Kind, "zh"), o.Secretary, o.Total, o.HonouredTotal)
		}
		return w.Flush()
	})
}

// runPartyCoverage prints a town's new-sector coverage today: the totals, by kind, by grid and the
// gaps (the definitions in docs/PARTY.md).
func runPartyCoverage(ctx context.Context, args []string, out io.Writer) error {
	var town string
	var asJSON bool
	c := newDBCommand("party coverage", "a town's new-sector coverage", "party coverage --town CODE [--json]", out)
	c.StringVar(&town, "town", "", "town code")
	c.BoolVar(&asJSON, "json", false, "print the report as JSON")
	return c.runInTown(ctx, args, &town, func(db *store.DB) error {
		if err := places.RequireTown(ctx, db, "town", town); err != nil {
			return err
		}
		rep, err := party.New(db).Coverage(ctx, []string{town}, town)
		if err != nil {
			return err
		}
		if asJSON {
			enc := json.NewEncoder(out)
			enc.SetIndent("", "  ")
			return enc.Encode(rep)
		}
		w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		row := func(name string, f party.Figures) {
			fmt.Fprintf(w, "%s\t%d\t%d (%.1f%%)\t%d (%.1f%%)\t%d (%.1f%%)\n", name, f.Entities, f.Org, f.OrgPct, f.Work, f.WorkPct, f.Full, f.FullPct)
		}
		fmt.Fprintf(w, "%s\tentities\torganisational\twork\tfull\n", rep.Day)
		for _, k := range rep.ByKind {
			row(party.LabelOf(party.EntityKinds, k.Kind, "zh"), k.Figures)
		}
		for _, g := range rep.ByGrid {
			row(g.GridName, g.Figures)
		}
		row("全镇 total", rep.Total)
		if err := w.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(out, "\ngaps (%d):\n", len(rep.Gaps))
		for _, g := range rep.Gaps {
			var miss []string
			if g.NoOrg {
				miss = append(miss, "organisational")
			}
			if g.NoWork {
				miss = append(miss, "work")
			}
			fmt.Fprintf(out, "  %s (%s, %s): no %s coverage\n", g.Name, party.LabelOf(party.EntityKinds, g.Kind, "zh"), g.Grid, strings.Join(miss, " or "))
		}
		return nil
	})
}
