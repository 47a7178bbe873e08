package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/version"
)

func init() {
	register(command{"version", "print the version", func(ctx context.Context, args []string, out io.Writer) error {
		fs := newFlagSet("version", "print the version", "version", out)
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		fmt.Fprintln(out, version.String())
		return nil
	}})
	register(command{"migrate", "apply database schema migrations", runMigrate})
	register(command{"user add", "create a user (resident gridworker gridleader dispatcher handler leader deputy volunteer admin)", runUserAdd})
	register(command{"token create", "issue an API token for a user (printed as the last word)", runTokenCreate})
	register(command{"demo", "load the 新泾镇 demo data into the database (idempotent)", runDemo})
}

// openDB opens and migrates the configured database.
func openDB(ctx context.Context, d dbFlags, out io.Writer) (*store.DB, error) {
	db, err := store.Open(ctx, store.Options{URL: d.db, DataDir: d.data})
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx, nil); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func runMigrate(ctx context.Context, args []string, out io.Writer) error {
	var d dbFlags
	fs := newFlagSet("migrate", "apply database schema migrations", "migrate [--data DIR] [--db URL]", out)
	d.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	db, err := store.Open(ctx, store.Options{URL: d.db, DataDir: d.data})
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx, nil)
	if err != nil {
		return err
	}
	v, _ := db.SchemaVersion(ctx)
	fmt.Fprintf(out, "applied %d migration(s); schema version %d on %s (%s)\n", n, v, db.Dialect(), db.Location)
	return nil
}

func runUserAdd(ctx context.Context, args []string, out io.Writer) error {
	var d dbFlags
	var n auth.NewUser
	fs := newFlagSet("user add", "create a user", "user add --town CODE --username U --role ROLE [--department CODE] [--grid CODE] [--password P] [--name NAME] [--phone P]", out)
	d.register(fs)
	fs.StringVar(&n.TownCode, "town", "", "town code, e.g. 310105102 (新泾镇)")
	fs.StringVar(&n.DistrictCode, "district", "", "district (e.g. 310105) or city (3101) code for an account that sees every town under it, instead of --town")
	fs.StringVar(&n.Username, "username", "", "sign-in name (letters, digits, _ - .)")
	fs.StringVar(&n.Role, "role", "", "resident gridworker gridleader dispatcher handler leader deputy volunteer admin")
	fs.StringVar(&n.DepartmentCode, "department", "", "department code (required for handler)")
	fs.StringVar(&n.GridCode, "grid", "", "grid code (required for gridworker and gridleader)")
	fs.StringVar(&n.Password, "password", "", "password (at least 8 characters; generated and printed when empty)")
	fs.StringVar(&n.DisplayName, "name", "", "display name")
	fs.StringVar(&n.Phone, "phone", "", "phone number")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	generated := n.Password == ""
	if generated {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		n.Password = base64.RawURLEncoding.EncodeToString(b)
	}
	if n.DisplayName == "" {
		n.DisplayName = n.Username
	}
	db, err := openDB(ctx, d, out)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := auth.CreateUser(ctx, db, n, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "created user %s (id %d, role %s)\n", u.Username, u.ID, u.Role)
	if generated {
		fmt.Fprintf(out, "password: %s\n", n.Password)
	}
	return nil
}

func runTokenCreate(ctx context.Context, args []string, out io.Writer) error {
	var d dbFlags
	var username, name string
	fs := newFlagSet("token create", "issue an API token", "token create --username U [--name LABEL]", out)
	d.register(fs)
	fs.StringVar(&username, "username", "", "the user the token acts as")
	fs.StringVar(&name, "name", "cli", "a label for the token")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if username == "" {
		return fmt.Errorf("--username is required")
	}
	db, err := openDB(ctx, d, out)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := auth.UserByUsername(ctx, db, username)
	if err != nil {
		return fmt.Errorf("no user %q", username)
	}
	tok, err := auth.CreateToken(ctx, db, u.ID, name)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "API token for %s (use as Authorization: Bearer …): %s\n", u.Username, tok)
	return nil
}

func runDemo(ctx context.Context, args []string, out io.Writer) error {
	var d dbFlags
	fs := newFlagSet("demo", "load the demo data", "demo [--data DIR] [--db URL]", out)
	d.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, d, out)
	if err != nil {
		return err
	}
	defer db.Close()
	accounts, err := demo.Load(ctx, db, logger(out), demoExtras(d.data)...)
	if err != nil {
		return err
	}
	printAccounts(out, accounts)
	return nil
}

func printAccounts(out io.Writer, accounts []demo.Account) {
	fmt.Fprintln(out, "Demo accounts (username / password — role):")
	for _, a := range accounts {
		fmt.Fprintf(out, "  %-22s %-28s %-11s %s %s\n", a.Username, a.Password, a.Role, a.Name, a.Town)
	}
}
