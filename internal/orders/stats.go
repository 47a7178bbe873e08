package orders

import (
	"context"
	"slices"
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

// Summarise counts the open orders of towns (optionally of one department or grid) by state,
// their overdue, warning and unlocated ones, the ratings, and the daily intake per channel over
// the last days. It reads no more than the open orders, the rating counts (order_ratings, kept by
// triggers) and the last days' orders, however many years of closed orders the towns keep: ByState
// holds the open states only. A department's ratings are those of the orders it led.
func (s *Store) Summarise(ctx context.Context, towns []string, department, grid string, days int) (Summary, error) {
	sum := Summary{ByState: map[string]int{}, DailyByChan: map[string][]int{}}
	where, args := store.In("town_code", towns)
	ratedWhere, ratedArgs := where, slices.Clone(args)
	if department != "" {
		cond, a := departmentCondition(s.DB.Dialect(), department)
		where += ` AND ` + cond
		args = append(args, a...)
		ratedWhere += ` AND department_code = ?`
		ratedArgs = append(ratedArgs, department)
	}
	if grid != "" {
		where += ` AND grid_code = ?`
		args = append(args, grid)
		ratedWhere += ` AND grid_code = ?`
		ratedArgs = append(ratedArgs, grid)
	}
	now := s.now()
	rows, err := s.DB.Query(ctx, `SELECT state, COUNT(*),
		SUM(CASE WHEN suspended = 0 AND deadline_at IS NOT NULL AND deadline_at < ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN suspended = 0 AND warning_at IS NOT NULL AND (deadline_at IS NULL OR deadline_at >= ?) THEN 1 ELSE 0 END),
		SUM(CASE WHEN grid_code IS NULL OR grid_code = '' THEN 1 ELSE 0 END)
		FROM orders WHERE `+where+` AND state IN (`+openStates+`) GROUP BY state`, append([]any{now.UnixMilli(), now.UnixMilli()}, args...)...)
	if err != nil {
		return sum, err
	}
	for rows.Next() {
		var state string
		var n, overdue, warning, unlocated int
		if err := rows.Scan(&state, &n, &overdue, &warning, &unlocated); err != nil {
			rows.Close()
			return sum, err
		}
		sum.ByState[state] = n
		sum.Open += n
		sum.Overdue += overdue
		sum.Warning += warning
		sum.Unlocated += unlocated
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return sum, err
	}
	rows, err = s.DB.Query(ctx, `SELECT satisfaction, SUM(n) FROM order_ratings WHERE `+ratedWhere+` GROUP BY satisfaction`, ratedArgs...)
	if err != nil {
		return sum, err
	}
	for rows.Next() {
		var sat string
		var n int
		if err := rows.Scan(&sat, &n); err != nil {
			rows.Close()
			return sum, err
		}
		sum.Rated += n
		if sat == workorder.Satisfied || sat == workorder.BasicallySatisfied {
			sum.Satisfied += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return sum, err
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
	// Counted per channel and hour in SQL (an hour is a whole number of milliseconds in every zone
	// the calendar uses), then placed on the calendar's days here: a few hundred rows, not every order.
	const hour = int64(time.Hour / time.Millisecond)
	rows, err = s.DB.Query(ctx, intakeSQL(where), append(args, start.UnixMilli())...)
	if err != nil {
		return sum, err
	}
	defer rows.Close()
	for rows.Next() {
		var ch string
		var h int64
		var n int
		if err := rows.Scan(&ch, &h, &n); err != nil {
			return sum, err
		}
		if sum.DailyByChan[ch] == nil {
			sum.DailyByChan[ch] = make([]int, days)
		}
		if i, ok := index[time.UnixMilli(h*hour).In(loc).Format("01-02")]; ok {
			sum.DailyByChan[ch][i] += n
		}
	}
	return sum, rows.Err()
}

// intakeSQL counts the orders received since a time (the last argument) per channel and hour.
// The hour is grouped first: grouped by channel first, SQLite walked a town's every order in
// the (town, channel, external id) index — the order of the grouping — and read each from the
// table (a second at 10^6); this way it reads the last days from orders_town_received (town,
// received_at, channel: migration 0032) alone.
func intakeSQL(where string) string {
	return `SELECT channel, received_at / 3600000, COUNT(*) FROM orders WHERE ` + where + ` AND received_at >= ?
		GROUP BY received_at / 3600000, channel`
}
