package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/kpi"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/results"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

var prefixRe = regexp.MustCompile(`^[A-Za-z0-9]{1,12}$`)

// validSetting checks a value before it is stored, so a typo cannot break every later deadline.
func validSetting(key, value string) error {
	switch key {
	case orders.SettingOrderPrefix:
		if !prefixRe.MatchString(value) {
			return fmt.Errorf("order_prefix %q: want 1–12 letters or digits, e.g. XJ", value)
		}
	case orders.SettingWarningFraction:
		f, err := strconv.ParseFloat(value, 64)
		if err != nil || f <= 0 || f >= 1 {
			return fmt.Errorf("warning_fraction %q: want a number between 0 and 1, e.g. 0.8", value)
		}
	case orders.SettingDeadlineDays:
		m := map[string]int{}
		if err := json.Unmarshal([]byte(value), &m); err != nil {
			return fmt.Errorf(`deadline_days %q: want a JSON object of class → working days, e.g. {"general":3}`, value)
		}
		if err := workorder.ValidateOverrides(m); err != nil {
			return fmt.Errorf("deadline_days: %w", err)
		}
	case orders.SettingStageDays:
		if _, err := orders.ParseStageDays(value); err != nil {
			return fmt.Errorf("stage_days: %w", err)
		}
	case kpi.SettingWeights:
		if _, err := kpi.ParseWeights(value); err != nil {
			return err
		}
	case results.SettingThreshold:
		if _, err := results.ParseThreshold(value); err != nil {
			return err
		}
	case results.SettingMinRatings:
		if _, err := results.ParseMinRatings(value); err != nil {
			return err
		}
	case privacy.SettingOpen311Photos:
		if value != "true" && value != "false" {
			return fmt.Errorf("%s %q: want true (publish the town's order photos through Open311) or false", key, value)
		}
	default:
		return fmt.Errorf("unknown setting %q: one of order_prefix, warning_fraction, deadline_days, stage_days, %s, %s, %s, %s", key, privacy.SettingOpen311Photos, kpi.SettingWeights,
			results.SettingThreshold, results.SettingMinRatings)
	}
	return nil
}

func runSettingsSet(ctx context.Context, args []string, out io.Writer) error {
	var town string
	c := newDBCommand("settings set", "set a town's rule", "settings set --town CODE KEY VALUE", out)
	c.StringVar(&town, "town", "", "town code (empty: the installation-wide default)")
	if err := c.Parse(args); err != nil {
		return err
	}
	if c.NArg() != 2 {
		return fmt.Errorf(`want KEY VALUE, e.g. settings set --town 310105102 deadline_days '{"general":3}'`)
	}
	key, value := c.Arg(0), c.Arg(1)
	if err := validSetting(key, value); err != nil {
		return err
	}
	return c.withDB(ctx, func(db *store.DB) error {
		if town != "" {
			if err := places.RequireTown(ctx, db, "town", town); err != nil {
				return err
			}
		}
		if _, err := db.Exec(ctx, `INSERT INTO settings (town_code, key, value) VALUES (?, ?, ?)
			ON CONFLICT (town_code, key) DO UPDATE SET value = excluded.value`, town, key, value); err != nil {
			return err
		}
		fmt.Fprintf(out, "%s = %s for %s\n", key, value, orDefault(town))
		return nil
	})
}

func orDefault(town string) string {
	if town == "" {
		return "the installation (default)"
	}
	return "town " + town
}

func runSettingsList(ctx context.Context, args []string, out io.Writer) error {
	var town string
	c := newDBCommand("settings list", "show a town's rules", "settings list [--town CODE]", out)
	c.StringVar(&town, "town", "", "town code")
	return c.run(ctx, args, func(db *store.DB) error {
		rows, err := db.Query(ctx, `SELECT town_code, key, value FROM settings WHERE town_code IN ('', ?) AND key NOT IN (?, ?) ORDER BY town_code, key`, town, privacy.SettingPhotoKey, results.SettingRaterKey)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t, k, v string
			if err := rows.Scan(&t, &k, &v); err != nil {
				return err
			}
			fmt.Fprintf(out, "%-12s %-18s %s\n", orDefaultShort(t), k, v)
		}
		return rows.Err()
	})
}

func orDefaultShort(t string) string {
	if t == "" {
		return "(default)"
	}
	return t
}
