package ops

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/civicgrid/civicgrid/internal/store"
)

// The measures a map colours its grids by (docs/OPS.md).
const (
	MeasureOpen         = "open"         // orders that still need work
	MeasureOverdue      = "overdue"      // of those, past their deadline and not suspended
	MeasureWeek         = "week"         // received in the last 7 days
	MeasureSatisfaction = "satisfaction" // (satisfied + basically satisfied) / rated, orders received in the last SatisfactionDays
)

// Measures lists the measures in the order the map offers them.
var Measures = []string{MeasureOpen, MeasureOverdue, MeasureWeek, MeasureSatisfaction}

// GridFigures are one grid's figures. Grid is "" for the orders of the town that no grid holds.
type GridFigures struct {
	Town      string `json:"town"`
	Grid      string `json:"grid"`
	Open      int    `json:"open"`
	Overdue   int    `json:"overdue"`
	Week      int    `json:"week"`
	Rated     int    `json:"rated"`
	Satisfied int    `json:"satisfied"`
}

// Rate is the grid's satisfaction rate, -1 without ratings.
func (g GridFigures) Rate() float64 {
	if g.Rated == 0 {
		return -1
	}
	return float64(g.Satisfied) / float64(g.Rated)
}

// Figures is every grid's figures and their sum over the towns.
type Figures struct {
	Grids []GridFigures `json:"grids"`
	Total GridFigures   `json:"total"`
	// Today is the orders received since midnight (Asia/Shanghai).
	Today int       `json:"today"`
	At    time.Time `json:"at"`
}

// LoadFigures counts, per grid of towns: the open and overdue orders (on the index of town and
// state), those received in the last week and the ratings of the last SatisfactionDays (on the
// map's covering index of town and received, migration 0019). Only closed and rated orders carry
// a satisfaction, so the last query needs no state condition; and each groups by an expression
// of the grid, not the column, so that no plan walks the index of grid and state to save the
// sort (with statistics, SQLite did, and read every finished order of the town).
func LoadFigures(ctx context.Context, db store.Querier, towns []string, now time.Time) (Figures, error) {
	byGrid := map[[2]string]*GridFigures{}
	at := func(town, grid string) *GridFigures {
		k := [2]string{town, grid}
		g := byGrid[k]
		if g == nil {
			g = &GridFigures{Town: town, Grid: grid}
			byGrid[k] = g
		}
		return g
	}
	in, inArgs := store.In("town_code", towns)
	nowMs := now.UnixMilli()
	queries := []struct {
		sql  string
		args []any
		add  func(g *GridFigures, a, b int)
	}{
		{`SELECT town_code, COALESCE(grid_code, ''), COUNT(*), SUM(CASE WHEN suspended = 0 AND deadline_at < ? THEN 1 ELSE 0 END)
			FROM orders WHERE ` + in + ` AND state IN (` + openStates + `) GROUP BY 1, 2`,
			append([]any{nowMs}, inArgs...), func(g *GridFigures, a, b int) { g.Open, g.Overdue = a, b }},
		{`SELECT town_code, COALESCE(grid_code, ''), COUNT(*), 0 FROM orders WHERE ` + in + ` AND received_at >= ? GROUP BY 1, 2`,
			append(inArgs, now.Add(-7*24*time.Hour).UnixMilli()), func(g *GridFigures, a, _ int) { g.Week = a }},
		{`SELECT town_code, COALESCE(grid_code, ''), COUNT(*), SUM(CASE WHEN satisfaction IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END)
			FROM orders WHERE ` + in + ` AND received_at >= ? AND satisfaction <> '' GROUP BY 1, 2`,
			append(inArgs, now.Add(-SatisfactionDays*24*time.Hour).UnixMilli()), func(g *GridFigures, a, b int) { g.Rated, g.Satisfied = a, b }},
	}
	for _, q := range queries {
		if err := scanGrids(ctx, db, q.sql, q.args, func(town, grid string, a, b int) { q.add(at(town, grid), a, b) }); err != nil {
			return Figures{}, err
		}
	}
	f := Figures{Grids: make([]GridFigures, 0, len(byGrid)), At: now}
	for _, g := range byGrid {
		f.Grids = append(f.Grids, *g)
		f.Total.Open += g.Open
		f.Total.Overdue += g.Overdue
		f.Total.Week += g.Week
		f.Total.Rated += g.Rated
		f.Total.Satisfied += g.Satisfied
	}
	slices.SortFunc(f.Grids, func(a, b GridFigures) int { return cmp.Or(cmp.Compare(a.Town, b.Town), cmp.Compare(a.Grid, b.Grid)) })
	err := db.QueryRow(ctx, `SELECT COUNT(*) FROM orders WHERE `+in+` AND received_at >= ?`,
		append(inArgs, shanghaiDay(now).UnixMilli())...).Scan(&f.Today)
	if err != nil {
		return Figures{}, fmt.Errorf("orders received today: %w", err)
	}
	return f, nil
}

func scanGrids(ctx context.Context, db store.Querier, query string, args []any, fn func(town, grid string, a, b int)) error {
	rows, err := db.Query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("grid figures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var town string
		var grid *string
		var a int
		var b *int64 // SUM of no rows is NULL
		if err := rows.Scan(&town, &grid, &a, &b); err != nil {
			return err
		}
		n := 0
		if b != nil {
			n = int(*b)
		}
		fn(town, deref(grid), a, n)
	}
	return rows.Err()
}

func sortCells(cells []Cell) {
	slices.SortFunc(cells, func(a, b Cell) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Lat, b.Lat), cmp.Compare(a.Lng, b.Lng))
	})
}
