package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/store"
)

// categoryFile is the JSON a town's category tree is loaded from; the built-in default has the same form.
type categoryFile struct {
	Categories []struct {
		Code       string   `json:"code"`
		Parent     string   `json:"parent"`
		Name       string   `json:"name"`
		NameEN     string   `json:"name_en"`
		Deadline   string   `json:"deadline"`
		Department string   `json:"department"`
		Keywords   []string `json:"keywords"`
	} `json:"categories"`
}

func runCategoriesLoad(ctx context.Context, args []string, out io.Writer) error {
	var town, file string
	var dropUnknownDept bool
	c := newDBCommand("categories load", "load a town's category tree", "categories load --town CODE [--file tree.json] [--drop-unknown-departments]", out)
	c.StringVar(&town, "town", "", "town code")
	c.StringVar(&file, "file", "", "category tree JSON ({\"categories\":[{code,parent,name,name_en,deadline,department,keywords}]}); empty = the built-in Shanghai default")
	c.BoolVar(&dropUnknownDept, "drop-unknown-departments", false, "load categories whose default department the town lacks, without a default department")
	if err := parseFlags(c.FlagSet, args); err != nil {
		return err
	}
	var raw []byte
	var err error
	if file == "" {
		raw, err = world.ReadDataFile("categories.json")
	} else {
		raw, err = os.ReadFile(file)
	}
	if err != nil {
		return err
	}
	var cf categoryFile
	if err := json.Unmarshal(raw, &cf); err != nil {
		return fmt.Errorf("%s: not a category tree: %v", orBuiltin(file), err)
	}
	codes := map[string]bool{}
	for i, c := range cf.Categories {
		if codes[c.Code] {
			return fmt.Errorf("%s: categories[%d]: code %q appears twice", orBuiltin(file), i, c.Code)
		}
		codes[c.Code] = true
	}
	for i, c := range cf.Categories {
		if c.Parent != "" && !codes[c.Parent] {
			return fmt.Errorf("%s: categories[%d] (%s): parent %q is not in the file", orBuiltin(file), i, c.Code, c.Parent)
		}
	}
	return c.withDB(ctx, func(db *store.DB) error {
		if err := places.RequireTown(ctx, db, "town", town); err != nil {
			return err
		}
		st := orders.New(db)
		dropped := 0
		err = db.InTx(ctx, func(tx *store.Tx) error {
			for i, c := range cf.Categories {
				cat := orders.Category{TownCode: town, Code: c.Code, Parent: c.Parent, Name: c.Name, NameEN: c.NameEN,
					DeadlineClass: c.Deadline, Department: c.Department, Keywords: c.Keywords}
				if dropUnknownDept && cat.Department != "" {
					if _, err := places.DepartmentByCode(ctx, tx, []string{town}, cat.Department); err != nil {
						cat.Department = ""
						dropped++
					}
				}
				if err := st.SaveCategory(ctx, tx, cat); err != nil {
					return fmt.Errorf("categories[%d] (%s): %w", i, c.Code, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "loaded %d categories for town %s", len(cf.Categories), town)
		if dropped > 0 {
			fmt.Fprintf(out, " (%d without a default department: the town lacks it)", dropped)
		}
		fmt.Fprintln(out)
		return nil
	})
}

func orBuiltin(file string) string {
	if file == "" {
		return "built-in categories"
	}
	return file
}

func runCategoriesList(ctx context.Context, args []string, out io.Writer) error {
	var town string
	c := newDBCommand("categories list", "print a town's category tree", "categories list --town CODE", out)
	c.StringVar(&town, "town", "", "town code")
	return c.run(ctx, args, func(db *store.DB) error {
		cats, err := orders.New(db).Categories(ctx, town)
		if err != nil {
			return err
		}
		for _, c := range cats {
			indent := ""
			if c.Parent != "" {
				indent = "  "
			}
			fmt.Fprintf(out, "%s%-6s %s  %s %s\n", indent, c.Code, c.Name, c.DeadlineClass, c.Department)
		}
		return nil
	})
}
