// Command civicgrid is the whole of CivicGrid in one binary: the web server and the
// administrative tools that work on the same data, even while the server runs.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// command is one subcommand; run returns an error printed as one line.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, out io.Writer) error
}

// commands are all the commands, in the order of their names (the order usage lists them in;
// TestCommandsInOrder keeps it).
var commands = []command{
	{"addresses import", "import a town's address book (道路, 门牌/弄, 小区, 楼栋, 地标, 网格编号) from xlsx or CSV, all or nothing", runAddressesImport},
	{"bench import", "measure the hotline import on generated rows against a bare bulk insert (SQLite) or COPY (PostgreSQL)", runBenchImport},
	{"bench kpi", "the KPI queries of the pages from the figures kept per day against the scan of the orders, on the bench pages database", runBenchKPI},
	{"bench pages", "generate N orders, then measure every GET route of the route table for each role (p50/p95/p99)", runBenchPages},
	{"bench search", "measure the order list's search (typical queries, with filters) against a LIKE scan on a database bench pages generated", runBenchSearch},
	{"bookings list", "list bookable places and routes with their coming slots, places booked, left and waiting", runBookingsList},
	{"bookings slots", "create a resource's time slots in bulk from a weekly pattern (bookings slots create …; public holidays skipped on request)", runBookingsSlotsCreate},
	{"calendar load", "load a year's official holiday calendar (JSON) for deadlines", runCalendarLoad},
	{"calendar show", "print the working days of a year as the deadlines see them", runCalendarShow},
	{"categories export", "write a town's current category tree as xlsx", runCategoriesExport},
	{"categories import", "publish a town's category tree (部件/事件 → 小类 → 立案条件) from xlsx or CSV as a new version", runCategoriesImport},
	{"categories list", "print a town's category tree", runCategoriesList},
	{"categories load", "load a town's category tree (大类 → 小类) from JSON, or the built-in default", runCategoriesLoad},
	{"categories versions", "list a town's category tree versions (and make a due one current)", runCategoriesVersions},
	{"classify", "classify texts, one a line on stdin, into JSON lines {label, top}", runClassify},
	{"consult export", "write a consultation's raw answers as xlsx or CSV (names on paper answers masked unless --personal)", runConsultExport},
	{"consult list", "list a town's consultations (协商于民, 意见征询) with their status and answers", runConsultList},
	{"demo", "load the 新泾镇 demo data into the database (idempotent)", runDemo},
	{"eval", "cross-validate the classifier on a labelled CSV against two baselines", runEval},
	{"import hotline", "import a 12345 hotline export (xlsx or CSV) as work orders", runImportHotline},
	{"kpi", "a town's KPIs (docs/KPI.md) for a period, with the previous period and the same period last year", runKPI},
	{"kpi rebuild", "recompute the KPI figures kept per day (kpi_daily) from the orders, for one town or all", runKPIRebuild},
	{"migrate", "apply database schema migrations", runMigrate},
	{"model list", "list the versions of a model store", runModelList},
	{"model rollback", "make the previous model of a model store current again", runModelRollback},
	{"model train", "train a town's category model from its closed orders (the server suggests categories with it)", runModelTrain},
	{"party coverage", "a town's new-sector coverage (两个覆盖) today: by kind, by grid, and the gaps (docs/PARTY.md)", runPartyCoverage},
	{"party tree", "a town's party organisations with member counts and the year's 光荣在党50年 awards", runPartyTree},
	{"projects import-ballots", "import a paper round's ballots (one a row, a column per candidate) from the tellers' xlsx, all or nothing", runProjectsImportBallots},
	{"projects list", "a town's candidate lists (with the 差额 check) and ballot sessions", runProjectsList},
	{"projects recount", "recount a ballot session from its stored ballots; exits non-zero if it differs from the recorded result", runProjectsRecount},
	{"report monthly", "a town's monthly KPI report as an xlsx workbook: a summary and a sheet per dimension", runReportMonthly},
	{"report quarterly", "a town's quarterly KPI report (--quarter 2026-Q3), as report monthly", runReportQuarterly},
	{"results import", "bulk progress update of a year's livelihood-project results from the filled-in template (xlsx), all or nothing", runResultsImport},
	{"results list", "a town's tracked livelihood-project results of a year with progress, status and milestones", runResultsList},
	{"results report", "the half-year or year-end report to the congress (人大验单) as an xlsx workbook", runResultsReport},
	{"serve", "serve the web UI and the JSON API", runServe},
	{"settings list", "show a town's rules", runSettingsList},
	{"settings set", "set a town's rule: order_prefix, warning_fraction, deadline_days, stage_days, open311_public_photos, kpi_weights, results_rectify_threshold or results_min_ratings", runSettingsSet},
	{"similar", "flag repeated orders among JSON lines {id,text,time[,lat,lng]} on stdin", runSimilar},
	{"token create", "issue an API token for a user (printed as the last word)", runTokenCreate},
	{"token list", "list API tokens with their expiry, last use and status", runTokenList},
	{"token revoke", "revoke one API token by its id", runTokenRevoke},
	{"train", "train the text classifier from a labelled CSV (text,label) into a model file or store", runTrain},
	{"user add", "create a user (resident gridworker gridleader dispatcher handler leader deputy volunteer admin)", runUserAdd},
	{"user disable", "disable an account: ends its sessions and revokes its API tokens", runUserDisable(true)},
	{"user enable", "re-enable a disabled account", runUserDisable(false)},
	{"user reset-password", "set an account's password (generated and printed once unless --password); ends its sessions", runUserResetPassword},
	{"version", "print the version", runVersion},
	{"volunteers export-stats", "a town's yearly volunteer statistics as xlsx (service records for the national volunteer system, projects, volunteers)", runVolunteersExport},
	{"volunteers hours", "a volunteer's service hours by year and project", runVolunteersHours},
	{"volunteers list", "a town's volunteers (ID numbers masked)", runVolunteersList},
	{"volunteers remind", "remind volunteers of activities starting within a day", runVolunteersRemind},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, out, errOut io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(out)
		return 0
	}
	name, rest := args[0], args[1:]
	// Two-word commands: "user add", "token create", "import hotline".
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		if c := find(name + " " + rest[0]); c != nil {
			name, rest = c.name, rest[1:]
		}
	}
	c := find(name)
	if c == nil {
		fmt.Fprintf(errOut, "civicgrid: unknown command %q (see civicgrid --help)\n", strings.Join(args[:min(2, len(args))], " "))
		return 2
	}
	if err := c.run(ctx, rest, out); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(errOut, "civicgrid %s: %s\n", c.name, oneLine(err))
		return 1
	}
	return 0
}

func find(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

func oneLine(err error) string {
	var fe *problem.FieldError
	if errors.As(err, &fe) {
		return fe.Field + ": " + fe.Reason
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "civicgrid — grid-based community governance (网格化治理): work orders, grids, map.")
	fmt.Fprintln(w, "\nUsage: civicgrid COMMAND [flags]   (civicgrid COMMAND --help for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-16s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery command reads CIVICGRID_DATA (data directory, default ./civicgrid-data), CIVICGRID_DB")
	fmt.Fprintln(w, "(postgres://… URL; empty = SQLite in the data directory) and CIVICGRID_ADDR (serve's address).")
}

// dbFlags are the flags every database command shares, defaulting from the environment.
type dbFlags struct {
	data string
	db   string
}

func (d *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.data, "data", envOr("CIVICGRID_DATA", "./civicgrid-data"), "data directory: SQLite file and uploads (env CIVICGRID_DATA)")
	fs.StringVar(&d.db, "db", os.Getenv("CIVICGRID_DB"), "PostgreSQL URL postgres://… instead of SQLite (env CIVICGRID_DB)")
}

// dbCommand is a command's flag set with the database flags on it, and the database it opens.
type dbCommand struct {
	*flag.FlagSet
	d   dbFlags
	out io.Writer
}

func newDBCommand(name, summary, usageLine string, out io.Writer) *dbCommand {
	c := &dbCommand{FlagSet: newFlagSet(name, summary, usageLine, out), out: out}
	c.d.register(c.FlagSet)
	return c
}

// run parses args (flags only, no positional argument) and then does what withDB does.
func (c *dbCommand) run(ctx context.Context, args []string, fn func(db *store.DB) error) error {
	if err := parseFlags(c.FlagSet, args); err != nil {
		return err
	}
	return c.withDB(ctx, fn)
}

// runInTown is run for a command about one town: town (its --town flag) is required, which is
// checked before the database is opened.
func (c *dbCommand) runInTown(ctx context.Context, args []string, town *string, fn func(db *store.DB) error) error {
	if err := parseFlags(c.FlagSet, args); err != nil {
		return err
	}
	if *town == "" {
		return fmt.Errorf("--town is required")
	}
	return c.withDB(ctx, fn)
}

// withDB opens and migrates the database the flags name, calls fn with it and closes it.
func (c *dbCommand) withDB(ctx context.Context, fn func(db *store.DB) error) error {
	db, err := openDB(ctx, c.d, c.out)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func newFlagSet(name, summary, usageLine string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "civicgrid %s — %s\n\nUsage: civicgrid %s\n\nFlags:\n", name, summary, usageLine)
		fs.PrintDefaults()
	}
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// parseFileAndFlags parses the flags of a command that takes one file, which may come before or
// after the flags, and returns the file ("" when none was given).
func parseFileAndFlags(fs *flag.FlagSet, args []string) (string, error) {
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if file == "" && fs.NArg() > 0 {
		return fs.Arg(0), parseFlags(fs, fs.Args()[1:])
	}
	if fs.NArg() > 0 {
		return "", fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return file, nil
}

func logger(out io.Writer) *slog.Logger {
	level := slog.LevelInfo
	if os.Getenv("CIVICGRID_DEBUG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: level}))
}
