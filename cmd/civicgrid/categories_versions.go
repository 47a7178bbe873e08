package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/store"
)

func runCategoriesImport(ctx context.Context, args []string, out io.Writer) error {
	var town, validFrom, note string
	var dryRun bool
	c := newDBCommand("categories import", "publish a category tree from a file",
		"categories import --town CODE [--valid-from YYYY-MM-DD] [--note TEXT] [--dry-run] FILE.xlsx|FILE.csv", out)
	c.StringVar(&town, "town", "", "town code")
	c.StringVar(&validFrom, "valid-from", "", "the date the version takes effect (Shanghai time); empty = today")
	c.StringVar(&note, "note", "", "a note for the version")
	c.BoolVar(&dryRun, "dry-run", false, "check the file against the town and report, publish nothing")
	if err := c.Parse(args); err != nil {
		return err
	}
	if c.NArg() < 1 {
		return fmt.Errorf("give one tree file (xlsx or CSV with columns 编码, 上级编码, 名称, …; see docs/DISPATCH.md)")
	}
	file := c.Arg(0)
	if err := parseFlags(c.FlagSet, c.Args()[1:]); err != nil { // flags after the file too
		return err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	tree, err := dispatch.ReadTreeFile(file, data)
	if err != nil {
		return treeError(file, err)
	}
	return c.withDB(ctx, func(db *store.DB) error {
		if dryRun {
			refs, err := dispatch.TownRefs(ctx, db, town)
			if err != nil {
				return err
			}
			if err := tree.Validate(refs); err != nil {
				return treeError(file, err)
			}
			fmt.Fprintf(out, "%s: %d categories, valid for town %s (nothing published)\n", file, len(tree.Nodes), town)
			return nil
		}
		v, err := dispatch.Publish(ctx, db, town, tree, validFrom, note, audit.Actor{Name: "cli"}, time.Now())
		if err != nil {
			return treeError(file, err)
		}
		state := "in force now"
		if !v.Current {
			state = "takes effect on " + v.ValidFrom
		}
		fmt.Fprintf(out, "published version %d of town %s: %d categories, valid from %s (%s)\n", v.Version, town, v.Nodes, v.ValidFrom, state)
		return nil
	})
}

// treeError tells a tree's problems one a line, in Chinese and English.
func treeError(file string, err error) error {
	var te *dispatch.TreeErrors
	if errors.As(err, &te) {
		return fmt.Errorf("%s: the tree was not published:\n%s\n%s", file, te.Text("zh"), te.Text("en"))
	}
	return fmt.Errorf("%s: %w", file, err)
}

func runCategoriesVersions(ctx context.Context, args []string, out io.Writer) error {
	var town string
	c := newDBCommand("categories versions", "list a town's category tree versions", "categories versions --town CODE", out)
	c.StringVar(&town, "town", "", "town code")
	return c.run(ctx, args, func(db *store.DB) error {
		if v, err := dispatch.Activate(ctx, db, town, time.Now()); err != nil {
			fmt.Fprintf(out, "a due version could not take effect: %v\n", err)
		} else if v > 0 {
			fmt.Fprintf(out, "version %d took effect\n", v)
		}
		vs, err := dispatch.Versions(ctx, db, town)
		if err != nil {
			return err
		}
		if len(vs) == 0 {
			fmt.Fprintf(out, "town %s has no category versions yet (civicgrid categories import)\n", town)
			return nil
		}
		fmt.Fprintf(out, "%-8s %-10s %6s %7s  %-7s %s\n", "version", "valid from", "nodes", "orders", "state", "note")
		for _, v := range vs {
			state := "pending"
			switch {
			case v.Current:
				state = "current"
			case v.ActivatedAt != nil:
				state = "past"
			}
			fmt.Fprintf(out, "%-8d %-10s %6d %7d  %-7s %s\n", v.Version, v.ValidFrom, v.Nodes, v.Orders, state, v.Note)
		}
		return nil
	})
}

func runCategoriesExport(ctx context.Context, args []string, out io.Writer) error {
	var town, file string
	c := newDBCommand("categories export", "write the current category tree as xlsx", "categories export --town CODE --out tree.xlsx", out)
	c.StringVar(&town, "town", "", "town code")
	c.StringVar(&file, "out", "", "the xlsx file to write")
	return c.run(ctx, args, func(db *store.DB) error {
		if file == "" {
			return fmt.Errorf("give --out FILE.xlsx")
		}
		tree, v, err := dispatch.CurrentTree(ctx, db, town)
		if err != nil {
			return err
		}
		if err := tree.Validate(dispatch.Refs{}); err != nil {
			return err
		}
		f, err := os.Create(file)
		if err != nil {
			return err
		}
		if err := dispatch.WriteTreeXLSX(f, tree); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(out, "wrote version %d of town %s (%d categories) to %s\n", v, town, len(tree.Nodes), file)
		return nil
	})
}
