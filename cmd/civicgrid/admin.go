package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/version"
)

func runVersion(ctx context.Context, args []string, out io.Writer) error {
	fs := newFlagSet("version", "print the version", "version", out)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(out, version.String())
	return nil
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
	if err := buildKPIDaily(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func runMigrate(ctx context.Context, args []string, out io.Writer) error {
	c := newDBCommand("migrate", "apply database schema migrations", "migrate [--data DIR] [--db URL]", out)
	if err := parseFlags(c.FlagSet, args); err != nil {
		return err
	}
	db, err := store.Open(ctx, store.Options{URL: c.d.db, DataDir: c.d.data})
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
	var n auth.NewUser
	c := newDBCommand("user add", "create a user", "user add --town CODE --username U --role ROLE [--department CODE] [--grid CODE] [--password P] [--name NAME] [--phone P]", out)
	c.StringVar(&n.TownCode, "town", "", "town code, e.g. 310105102 (新泾镇)")
	c.StringVar(&n.DistrictCode, "district", "", "district (e.g. 310105) or city (3101) code for an account that sees every town under it, instead of --town")
	c.StringVar(&n.Username, "username", "", "sign-in name (letters, digits, _ - .)")
	c.StringVar(&n.Role, "role", "", "resident gridworker gridleader dispatcher handler leader deputy volunteer admin")
	c.StringVar(&n.DepartmentCode, "department", "", "department code (required for handler)")
	c.StringVar(&n.GridCode, "grid", "", "grid code (required for gridworker and gridleader)")
	c.StringVar(&n.Password, "password", "", "password (at least 8 characters; generated and printed when empty)")
	c.StringVar(&n.DisplayName, "name", "", "display name")
	c.StringVar(&n.Phone, "phone", "", "phone number")
	if err := parseFlags(c.FlagSet, args); err != nil {
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
	return c.withDB(ctx, func(db *store.DB) error {
		u, err := auth.CreateUser(ctx, db, n, "")
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "created user %s (id %d, role %s)\n", u.Username, u.ID, u.Role)
		if generated {
			fmt.Fprintf(out, "password: %s\n", n.Password)
		}
		return nil
	})
}

func runTokenCreate(ctx context.Context, args []string, out io.Writer) error {
	var username, name, expires string
	c := newDBCommand("token create", "issue an API token", "token create --username U [--name LABEL] [--expires 90d|36h|2026-12-31]", out)
	c.StringVar(&username, "username", "", "the user the token acts as")
	c.StringVar(&name, "name", "cli", "a label for the token, shown in listings")
	c.StringVar(&expires, "expires", "90d", "how long the token lives (days 'Nd', hours 'Nh', or an end date YYYY-MM-DD; at most 366 days)")
	if err := parseFlags(c.FlagSet, args); err != nil {
		return err
	}
	if username == "" {
		return fmt.Errorf("--username is required")
	}
	life, err := auth.ParseTokenLife(expires, time.Now())
	if err != nil {
		return err
	}
	return c.withDB(ctx, func(db *store.DB) error {
		u, err := auth.UserByUsername(ctx, db, username)
		if err != nil {
			return fmt.Errorf("no user %q", username)
		}
		t, secret, err := auth.IssueToken(ctx, db, auth.NewToken{UserID: u.ID, Name: name, Life: life, By: "cli"})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "API token %d for %s, expires %s (use as Authorization: Bearer …; shown only now): %s\n",
			t.ID, u.Username, t.ExpiresAt.Format("2006-01-02 15:04"), secret)
		return nil
	})
}

func runTokenList(ctx context.Context, args []string, out io.Writer) error {
	var username string
	c := newDBCommand("token list", "list API tokens", "token list [--username U]", out)
	c.StringVar(&username, "username", "", "only this user's tokens (default: everyone's)")
	return c.run(ctx, args, func(db *store.DB) error {
		var userID int64
		if username != "" {
			u, err := auth.UserByUsername(ctx, db, username)
			if err != nil {
				return fmt.Errorf("no user %q", username)
			}
			userID = u.ID
		}
		ts, err := auth.Tokens(ctx, db, userID)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSER\tNAME\tCREATED\tEXPIRES\tLAST USED\tSTATUS")
		for _, t := range ts {
			used := "never"
			if !t.LastUsedAt.IsZero() {
				used = t.LastUsedAt.Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Username, t.Name, t.CreatedAt.Format("2006-01-02 15:04"),
				t.ExpiresAt.Format("2006-01-02 15:04"), used, t.Status)
		}
		return tw.Flush()
	})
}

func runTokenRevoke(ctx context.Context, args []string, out io.Writer) error {
	var id int64
	c := newDBCommand("token revoke", "revoke one API token", "token revoke --id N   (ids from civicgrid token list)", out)
	c.Int64Var(&id, "id", 0, "the token's id, as civicgrid token list shows it")
	if err := parseFlags(c.FlagSet, args); err != nil {
		return err
	}
	if id <= 0 {
		return fmt.Errorf("--id is required (see civicgrid token list)")
	}
	return c.withDB(ctx, func(db *store.DB) error {
		t, err := auth.RevokeToken(ctx, db, 0, id, "cli", "")
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "token %d (%s of %s) revoked\n", t.ID, t.Name, t.Username)
		return nil
	})
}

// runUserDisable returns the command that disables (or re-enables) an account.
func runUserDisable(disable bool) func(ctx context.Context, args []string, out io.Writer) error {
	verb := map[bool]string{true: "disable", false: "enable"}[disable]
	return func(ctx context.Context, args []string, out io.Writer) error {
		var username string
		c := newDBCommand("user "+verb, verb+" an account", "user "+verb+" --username U", out)
		c.StringVar(&username, "username", "", "the account's sign-in name")
		if err := parseFlags(c.FlagSet, args); err != nil {
			return err
		}
		if username == "" {
			return fmt.Errorf("--username is required")
		}
		return c.withDB(ctx, func(db *store.DB) error {
			u, err := auth.SetDisabledByUsername(ctx, db, username, disable, "cli")
			if err != nil {
				return err
			}
			if disable {
				fmt.Fprintf(out, "user %s disabled: signed out everywhere, API tokens revoked\n", u.Username)
			} else {
				fmt.Fprintf(out, "user %s enabled: may sign in again (issue new API tokens with civicgrid token create)\n", u.Username)
			}
			return nil
		})
	}
}

// runUserResetPassword sets a password from the command line (an administrator who forgot
// theirs): the given one, or a generated one printed once. Audited as "cli".
func runUserResetPassword(ctx context.Context, args []string, out io.Writer) error {
	var username, password string
	c := newDBCommand("user reset-password", "set an account's password", "user reset-password --username U [--password P]", out)
	c.StringVar(&username, "username", "", "the account's sign-in name")
	c.StringVar(&password, "password", "", "the new password (default: generate one and print it)")
	if err := parseFlags(c.FlagSet, args); err != nil {
		return err
	}
	if username == "" {
		return fmt.Errorf("--username is required")
	}
	return c.withDB(ctx, func(db *store.DB) error {
		pw, err := auth.ResetPasswordByUsername(ctx, db, username, password, audit.Actor{Name: "cli"})
		if err != nil {
			return err
		}
		if password == "" {
			fmt.Fprintf(out, "password of %s reset; new password (shown once): %s\n", username, pw)
		} else {
			fmt.Fprintf(out, "password of %s set; signed out everywhere\n", username)
		}
		return nil
	})
}

func runDemo(ctx context.Context, args []string, out io.Writer) error {
	c := newDBCommand("demo", "load the demo data", "demo [--data DIR] [--db URL]", out)
	return c.run(ctx, args, func(db *store.DB) error {
		accounts, err := demo.Load(ctx, db, logger(out), demoExtras(c.d.data)...)
		if err != nil {
			return err
		}
		printAccounts(out, accounts)
		return nil
	})
}

func printAccounts(out io.Writer, accounts []demo.Account) {
	fmt.Fprintln(out, "Demo accounts (username / password — role):")
	for _, a := range accounts {
		fmt.Fprintf(out, "  %-22s %-28s %-11s %s %s\n", a.Username, a.Password, a.Role, a.Name, a.Town)
	}
}
