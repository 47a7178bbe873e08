package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/consult"
	"github.com/civicgrid/civicgrid/internal/sheet"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

func runConsultList(ctx context.Context, args []string, out io.Writer) error {
	var town, status string
	c := newDBCommand("consult list", "a town's consultations", "consult list --town CODE [--status draft|scheduled|open|closed|decided]", out)
	c.StringVar(&town, "town", "", "town code")
	c.StringVar(&status, "status", "", "only consultations with this status (as of now)")
	return c.runInTown(ctx, args, &town, func(db *store.DB) error {
		list, err := consult.New(db).List(ctx, []string{town}, consult.Filter{Status: status})
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 2, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATUS\tOPENS\tCLOSES\tANSWERS\tBODY\tTITLE")
		for _, x := range list {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\n", x.ID, x.Status, x.Opens.In(workcal.Location()).Format("2006-01-02"), x.Closes.In(workcal.Location()).Format("2006-01-02"), x.AnswerCount, x.Body.Name, x.Title)
		}
		return tw.Flush()
	})
}

// runConsultExport writes a consultation's raw answers as xlsx or CSV (by the file's
// extension). Names and phones written on paper answers are masked unless --personal, which
// the audit log records.
func runConsultExport(ctx context.Context, args []string, out io.Writer) error {
	var file, lang string
	var personal bool
	c := newDBCommand("consult export", "a consultation's raw answers as xlsx or CSV", "consult export ID --out FILE.xlsx|FILE.csv [--lang zh|en] [--personal]", out)
	c.StringVar(&file, "out", "", "the file to write (.xlsx or .csv)")
	c.StringVar(&lang, "lang", "zh", "the column headers' language, zh or en")
	c.BoolVar(&personal, "personal", false, "show the names and phones written on paper answers whole (recorded in the audit log)")
	var idArg string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		idArg, args = args[0], args[1:]
	}
	if err := parseFlags(c.FlagSet, args); err != nil {
		return err
	}
	id, err := strconv.ParseInt(idArg, 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("give the consultation's id first: consult export ID --out FILE.xlsx")
	}
	if file == "" {
		return fmt.Errorf("--out is required")
	}
	format := sheet.XLSX
	if strings.HasSuffix(strings.ToLower(file), ".csv") {
		format = sheet.CSV
	}
	return c.withDB(ctx, func(db *store.DB) error {
		svc := consult.New(db)
		var town string
		if err := db.QueryRow(ctx, `SELECT town_code FROM consultations WHERE id = ?`, id).Scan(&town); err != nil {
			return fmt.Errorf("consultation %d: not found", id)
		}
		cs, err := svc.Get(ctx, []string{town}, id)
		if err != nil {
			return err
		}
		f, err := os.Create(file)
		if err != nil {
			return err
		}
		w, err := sheet.New(f, format, sheet.Options{Sheet: "answers", Widths: consult.ExportWidths(cs)})
		if err != nil {
			f.Close()
			return err
		}
		shown := 0
		n, err := svc.Export(ctx, cs, w, lang, func(consult.StoredAnswer) bool { return personal }, func(consult.StoredAnswer) { shown++ })
		if err == nil {
			err = w.Close()
		} else {
			w.Abort()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(file)
			return err
		}
		detail := fmt.Sprintf("%d answers to %s", n, file)
		if shown > 0 {
			detail += fmt.Sprintf("; %d answers with personal data whole (--personal)", shown)
		}
		if err := audit.Record(ctx, db, audit.Entry{Actor: "cli", Action: audit.ActionExport, Entity: "consultation", EntityID: fmt.Sprint(id), TownCode: town, Detail: detail}); err != nil {
			return err
		}
		fmt.Fprintf(out, "%d answers of consultation %d written to %s\n", n, id, file)
		return nil
	})
}
