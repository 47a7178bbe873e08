package campaigns

import (
	"context"
	"database/sql"

	"github.com/civicgrid/civicgrid/internal/places"
)

// Totals are the figures of a campaign or of one of its grids. Coverage (覆盖率) = targets with
// a visit of status visited / targets × 100, one decimal; 0 without targets.
type Totals struct {
	Targets  int     `json:"targets"`
	Visited  int     `json:"visited"`
	Visits   int     `json:"visits"`
	Orders   int     `json:"orders"`
	Coverage float64 `json:"coverage"`
}

// GridProgress is one row of a campaign's progress: a grid of its town ("" for targets outside
// every grid).
type GridProgress struct {
	Grid     string `json:"grid"`
	GridName string `json:"grid_name"`
	Totals
	NotHome int `json:"not_home"` // targets not visited yet whose latest attempt found nobody
	Refused int `json:"refused"`  // targets not visited yet whose latest attempt was refused
}

// Progress is a campaign's progress by grid and overall.
type Progress struct {
	CampaignID int64          `json:"campaign_id"`
	Grids      []GridProgress `json:"grids"`
	Total      GridProgress   `json:"total"`
}

// Progress counts a campaign's targets, visited targets, visits and orders per grid. Every grid
// of the town has a row, so that a map can colour the grids without targets too.
func (s *Service) Progress(ctx context.Context, towns []string, campaignID int64) (Progress, error) {
	c, err := s.Get(ctx, towns, campaignID)
	if err != nil {
		return Progress{}, err
	}
	grids, err := places.Grids(ctx, s.DB, []string{c.TownCode})
	if err != nil {
		return Progress{}, err
	}
	p := Progress{CampaignID: c.ID, Grids: []GridProgress{}}
	index := map[string]int{}
	for _, g := range grids {
		index[g.Code] = len(p.Grids)
		p.Grids = append(p.Grids, GridProgress{Grid: g.Code, GridName: g.Name})
	}
	row := func(grid sql.NullString) *GridProgress {
		i, ok := index[grid.String]
		if !ok {
			index[grid.String] = len(p.Grids)
			i = len(p.Grids)
			p.Grids = append(p.Grids, GridProgress{Grid: grid.String})
		}
		return &p.Grids[i]
	}
	rows, err := s.DB.Query(ctx, `SELECT grid_code, COUNT(*),
		SUM(CASE WHEN visited_at IS NOT NULL THEN 1 ELSE 0 END),
		SUM(CASE WHEN visited_at IS NULL AND last_status = ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN visited_at IS NULL AND last_status = ? THEN 1 ELSE 0 END),
		SUM(visits)
		FROM campaign_targets WHERE campaign_id = ? GROUP BY grid_code`, StatusNotHome, StatusRefused, c.ID)
	if err != nil {
		return Progress{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var grid sql.NullString
		var targets, visited, notHome, refused, visits int
		if err := rows.Scan(&grid, &targets, &visited, &notHome, &refused, &visits); err != nil {
			return Progress{}, err
		}
		r := row(grid)
		r.Targets, r.Visited, r.NotHome, r.Refused, r.Visits = targets, visited, notHome, refused, visits
	}
	if err := rows.Err(); err != nil {
		return Progress{}, err
	}
	rows.Close()
	orows, err := s.DB.Query(ctx, `SELECT t.grid_code, COUNT(*) FROM campaign_visits v JOIN campaign_targets t ON t.id = v.target_id
		WHERE v.campaign_id = ? AND v.order_id IS NOT NULL GROUP BY t.grid_code`, c.ID)
	if err != nil {
		return Progress{}, err
	}
	defer orows.Close()
	for orows.Next() {
		var grid sql.NullString
		var n int
		if err := orows.Scan(&grid, &n); err != nil {
			return Progress{}, err
		}
		row(grid).Orders = n
	}
	if err := orows.Err(); err != nil {
		return Progress{}, err
	}
	p.Total.GridName = "合计"
	for i := range p.Grids {
		r := &p.Grids[i]
		r.Coverage = coverage(r.Visited, r.Targets)
		t := &p.Total
		t.Targets += r.Targets
		t.Visited += r.Visited
		t.Visits += r.Visits
		t.Orders += r.Orders
		t.NotHome += r.NotHome
		t.Refused += r.Refused
	}
	p.Total.Coverage = coverage(p.Total.Visited, p.Total.Targets)
	return p, nil
}
