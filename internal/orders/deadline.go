package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Settings keys read by this package (table settings, per town; the empty town code is the installation
// default). Deadline rules differ between subdistricts, so they are configuration, not code.
const (
	// SettingOrderPrefix replaces the town code at the start of order numbers, e.g. "XJ".
	SettingOrderPrefix = "order_prefix"
	// SettingWarningFraction is the share of the allowed time after which an open order is
	// flagged as a warning (预警), default 0.8.
	SettingWarningFraction = "warning_fraction"
	// SettingDeadlineDays overrides the working days of deadline classes, as a JSON object:
	// {"general": 3}. See workorder.ClassDays.
	SettingDeadlineDays = "deadline_days"
	// SettingStageDays overrides the working days of the stages whose limit is not a deadline
	// class, as a JSON object: {"filing": 1, "dispatch": 1, "verification": 3, "callback": 3},
	// and co_handling (default: with the lead department's handling).
	// See workorder.Stages and docs/KPI.md.
	SettingStageDays = "stage_days"
)

// DefaultWarningFraction is used when a town sets no warning_fraction.
const DefaultWarningFraction = 0.8

type townSettings struct {
	prefix    string
	warning   float64
	overrides map[string]int
	stageDays map[string]int
}

// settings reads a town's settings in one query, the town's own values winning over the
// installation's.
func settings(ctx context.Context, q store.Querier, town string) (townSettings, error) {
	ts := townSettings{prefix: town, warning: DefaultWarningFraction}
	rows, err := q.Query(ctx, `SELECT town_code, key, value FROM settings WHERE town_code IN ('', ?) AND key IN (?, ?, ?, ?)
		ORDER BY town_code`, town, SettingOrderPrefix, SettingWarningFraction, SettingDeadlineDays, SettingStageDays)
	if err != nil {
		return ts, fmt.Errorf("settings of town %s: %w", town, err)
	}
	defer rows.Close()
	for rows.Next() {
		var t, k, v string
		if err := rows.Scan(&t, &k, &v); err != nil {
			return ts, err
		}
		switch k {
		case SettingOrderPrefix:
			if t == town && v != "" {
				ts.prefix = v
			}
		case SettingWarningFraction:
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f <= 0 || f >= 1 {
				return ts, fmt.Errorf("setting %s of town %q: %q is not a number between 0 and 1", k, t, v)
			}
			ts.warning = f
		case SettingDeadlineDays:
			m := map[string]int{}
			if err := json.Unmarshal([]byte(v), &m); err != nil {
				return ts, fmt.Errorf("setting %s of town %q: want a JSON object of class → days: %w", k, t, err)
			}
			ts.overrides = m
		case SettingStageDays:
			m, err := ParseStageDays(v)
			if err != nil {
				return ts, fmt.Errorf("setting %s of town %q: %w", k, t, err)
			}
			ts.stageDays = m
		}
	}
	return ts, rows.Err()
}

// addWorking returns the instant d of working time after start: working days count 24 hours,
// other days none — the same measure as workcal's WorkingDuration, so that
// WorkingDuration(start, addWorking(start, d)) == d. It moves a deadline past a suspension.
func addWorking(cal *workcal.Calendar, start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start
	}
	loc := workcal.Location()
	t := start.In(loc)
	midnight := func(t time.Time) time.Time {
		y, m, dd := t.Date()
		return time.Date(y, m, dd, 0, 0, 0, 0, loc)
	}
	if !cal.IsWorkday(t) {
		// Working time starts at the next working day's midnight (a holiday lasts days, not
		// weeks, so the loop is short).
		t = midnight(t)
		for !cal.IsWorkday(t) {
			t = t.AddDate(0, 0, 1)
		}
	}
	// Whole days first, keeping the clock time, then the rest within or across the next day.
	days := int(d / (24 * time.Hour))
	rest := d % (24 * time.Hour)
	t = cal.AddWorkingDays(t, days)
	left := midnight(t).AddDate(0, 0, 1).Sub(t) // working time left in t's day
	if rest <= left {
		return t.Add(rest)
	}
	next := midnight(cal.AddWorkingDays(midnight(t), 1))
	return next.Add(rest - left)
}

// ParseStageDays reads a stage_days value: a JSON object of stage → working days (at least 1),
// for the stages whose limit is not a deadline class (filing, dispatch, verification, callback,
// co_handling). `settings set` checks a value with it before storing it.
func ParseStageDays(v string) (map[string]int, error) {
	m := map[string]int{}
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		return nil, fmt.Errorf(`want a JSON object of stage → working days, e.g. {"verification": 2}: %w`, err)
	}
	for stage, d := range m {
		si, ok := workorder.Stage(stage).Info()
		if !ok || (si.Days == 0 && si.Stage != workorder.StageCoHandling) || d < 1 {
			return nil, fmt.Errorf("%s: %d days (stages filing, dispatch, verification, callback, co_handling; at least 1 day)", stage, d)
		}
	}
	return m, nil
}
