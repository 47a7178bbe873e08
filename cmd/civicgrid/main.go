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
	"sort"
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

var commands []command

func register(c command) { commands = append(commands, c) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, out, errOut io.Writer) int {
	sort.Slice(commands, func(i, j int) bool { return commands[i].name < commands[j].name })
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
