package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/store"
)

func runAddressesImport(ctx context.Context, args []string, out io.Writer) error {
	c := newDBCommand("addresses import", "import a town's address book from xlsx or CSV, all or nothing",
		"addresses import --town CODE FILE [--data DIR] [--db URL]", out)
	town := c.String("town", "", "town code (街镇) whose address book the file fills")
	// The file may come before or after the flags.
	file, err := parseFileAndFlags(c.FlagSet, args)
	if err != nil {
		return err
	}
	if file == "" || *town == "" {
		return errors.New("usage: civicgrid addresses import --town CODE FILE.xlsx|FILE.csv")
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	return c.withDB(ctx, func(db *store.DB) error {
		n, err := dispatch.ImportBook(ctx, db, audit.Actor{Name: "cli"}, *town, file, f)
		var ie *dispatch.ImportError
		if errors.As(err, &ie) {
			for _, e := range ie.Errors {
				fmt.Fprintf(out, "%s\t%s\n", e.ZH(), e.EN())
			}
			return fmt.Errorf("%d problems, nothing imported (地址库未导入)", len(ie.Errors))
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "imported %d address-book rows into town %s (已导入 %d 行)\n", n, *town, n)
		return nil
	})
}
