package orders

import (
	"context"
	"time"

	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Summary is the at-a-glance state of a town's orders for home pages.
type Summary struct {
	ByState     map[string]int   `json:"by_state"`
	Open        int              `json:"open"`
	Overdue     int              `json:"overdue"`
	Warning     int              `json:"warning"`
	Unlocated   int              `json:"unlocated"`
	Rated       int              `json:"rated"`
	Satisfied   int              `json:"satisfied"` // satisfied + basically satisfied
	Days        []string         `json:"days"`      // the last N days, oldest first (Shanghai dates)
	DailyByChan map[string][]int `json:"daily_by_channel"`
}

// SatisfactionRate is (satisfied + basically satisfied) / rated, the hotline's usual figure; -1 without ratings.
func (s Summary) SatisfactionRate() float64 {
	if s.Rated == 0 {
		return -1
	}
	return float64(s.Satisfied) / float64(s.Rated)
}

// Summarise counts the orders of towns (optionally of one department or grid) and their daily
// intake per channel over the last days.
func (s *Store) Summarise(ctx context.Context, towns []string, department, grid string, days int) (Summary, error) {
	sum := Summary{ByState: map[string]int{}, DailyByChan: map[string][]int{}}
	where, args := store.In("town_code", towns)
	if department != "" {
		where += ` AND (department_code = ? OR co_departments LIKE ?)`
		args = append(args, department, "%"+department+"%")
	}
	if grid != "" {
		where += ` AND grid_code = ?`
		args = append(args, grid)
	}
	now := s.now()
	rows, err := s.DB.Query(ctx, `SELECT state, COUNT(*),
		SUM(CASE WHEN state IN (`+openStates+`) AND suspended = 0 AND deadline_at IS NOT NULL AND deadline_at < ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN state IN (`+openStates+`) AND suspended = 0 AND warning_at IS NOT NULL AND (deadline_at IS NULL OR deadline_at >= ?) THEN 1 ELSE 0 END),
		SUM(CASE WHEN state IN (`+openStates+`) AND (grid_code IS NULL OR grid_code = '') THEN 1 ELSE 0 END),
		SUM(CASE WHEN satisfaction IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END),
		SUM(CASE WHEN satisfaction IS NOT NULL AND satisfaction <> '' THEN 1 ELSE 0 END)
		FROM orders WHERE `+where+` GROUP BY state`, append([]any{now.UnixMilli(), now.UnixMilli()}, args...)...)
	if err != nil {
		return sum, err
	}
	for rows.Next() {
		var state string
		var n, overdue, warning, unlocated, satisfied, rated int
		if err := rows.Scan(&state, &n, &overdue, &warning, &unlocated, &satisfied, &rated); err != nil {
			rows.Close()
			return sum, err
		}
		sum.ByState[state] = n
		sum.Overdue += overdue
		sum.Warning += warning
		sum.Unlocated += unlocated
		sum.Satisfied += satisfied
		sum.Rated += rated
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return sum, err
	}
	for state, n := range sum.ByState {
		if workorder.IsOpen(workorder.State(state)) {
			sum.Open += n
		}
	}
	if days <= 0 {
		return sum, nil
	}
	loc := workcal.Location()
	today := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 0, 0, 0, 0, loc)
	start := today.AddDate(0, 0, -(days - 1))
	index := map[string]int{}
	for i := 0; i < days; i++ {
		d := start.AddDate(0, 0, i).Format("01-02")
		sum.Days = append(sum.Days, d)
		index[d] = i
	}
	rows, err = s.DB.Query(ctx, `SELECT channel, received_at FROM orders WHERE `+where+` AND received_at >= ?`, append(args, start.UnixMilli())...)
	if err != nil {
		return sum, err
	}
	defer rows.Close()
	for rows.Next() {
		var ch string
		var at int64
		if err := rows.Scan(&ch, &at); err != nil {
			return sum, err
		}
		if sum.DailyByChan[ch] == nil {
			sum.DailyByChan[ch] = make([]int, days)
		}
		if i, ok := index[time.UnixMilli(at).In(loc).Format("01-02")]; ok {
			sum.DailyByChan[ch][i]++
		}
	}
	return sum, rows.Err()
}
