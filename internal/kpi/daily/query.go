package daily

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/store"
)

// Sums are the columns summed over a period for one group.
type Sums [NCols]int64

// Sum adds up the rows of the towns and dimension over the days of [from, to) (local midnights)
// per group: each row counts when its pday correction is in the period too (pday = 0 or pday >=
// the first day), and the 结案率 numerator only when its closing day is before the period's end.
// The town dimension's groups (the towns) are the sums of their channel rows (DimTown).
func Sum(ctx context.Context, q store.Querier, towns []string, dim int, from, to time.Time) (map[string]Sums, error) {
	f, t := DayOf(from), DayOf(to)
	grp, dim := groupOf(dim)
	var b strings.Builder
	b.WriteString(`SELECT ` + grp)
	for i, c := range Cols {
		if i == ClosureNum {
			b.WriteString(`, SUM(CASE WHEN cday < ? THEN ` + c + ` ELSE 0 END)`)
			continue
		}
		b.WriteString(`, SUM(CASE WHEN pday = 0 OR pday >= ? THEN ` + c + ` ELSE 0 END)`)
	}
	in, inArgs := store.In("town_code", towns)
	b.WriteString(` FROM kpi_daily WHERE ` + in + ` AND dim = ? AND day >= ? AND day < ? GROUP BY ` + grp)
	args := make([]any, 0, NCols+len(inArgs)+3)
	for i := range Cols {
		if i == ClosureNum {
			args = append(args, t) // the 结案率 rows have pday 0
		} else {
			args = append(args, f)
		}
	}
	args = append(args, inArgs...)
	args = append(args, dim, f, t)
	rows, err := q.Query(ctx, b.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("kpi daily: sum: %w", err)
	}
	defer rows.Close()
	out := map[string]Sums{}
	dest := make([]any, 1+NCols)
	var g string
	var s Sums
	dest[0] = &g
	for i := range s {
		dest[1+i] = &s[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		out[g] = s
	}
	return out, rows.Err()
}

// groupOf is the column that names dim's groups and the dim whose rows hold them: for the town
// dimension, the town of the channel rows (DimTown).
func groupOf(dim int) (string, int) {
	if dim == DimTown {
		return "town_code", DimChannel
	}
	return "grp", dim
}
