package kpi

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/civicgrid/civicgrid/internal/kpi/daily"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Service computes the figures over one database with the working-day calendar.
type Service struct {
	DB  *store.DB
	Cal *workcal.Calendar
}

// Figure is one KPI's value over a set of orders.
type Figure struct {
	// Den is how many orders the figure counts (a rate's denominator; for a handling time, the
	// orders measured); Num a rate's numerator.
	Den int `json:"den"`
	Num int `json:"num,omitempty"`
	// Value is the count, the rate (0–1) or the hours; nil when no order was counted.
	Value *float64 `json:"value"`
}

// Figures is the value of every key.
type Figures map[string]Figure

// Row is one group's figures in the period, the previous period (环比) and the same period last
// year (同比). Group is the dimension's value ("" for the total or orders without one).
type Row struct {
	Group    string  `json:"group"`
	Name     string  `json:"name,omitempty"`
	NameEN   string  `json:"name_en,omitempty"` // departments' and categories' English names, where set
	Current  Figures `json:"current"`
	Previous Figures `json:"previous"`
	LastYear Figures `json:"last_year"`
}

// Report is a set of figures for towns and a period, broken down by a dimension.
type Report struct {
	Towns    []string `json:"towns"`
	By       string   `json:"by,omitempty"`
	Period   Period   `json:"period"`
	Previous Period   `json:"previous"`
	LastYear Period   `json:"last_year"`
	Total    Row      `json:"total"`
	Rows     []Row    `json:"rows"`
}

// Query asks for a report.
type Query struct {
	Towns  []string
	Period Period
	By     string // a dimension key, "" for the total only
	Keys   []string
	// NoPrevious and NoLastYear leave a comparison out (its Figures stay empty) for callers that
	// do not show it: the homes show no 同比, today's tiles no comparison at all. Each period
	// left out saves one query per figure (and group).
	NoPrevious, NoLastYear bool
	// Scan computes every figure from the orders (the definitions' SQL) instead of the figures
	// kept per day: for the equivalence tests and the benchmarks' baseline.
	Scan bool
}

// Compute returns the figures of q: the total and, with By, one row per group that has orders in
// any of the three periods.
func (s *Service) Compute(ctx context.Context, q Query) (Report, error) {
	col, err := column(q.By)
	if err != nil {
		return Report{}, err
	}
	defs := Defs
	if len(q.Keys) > 0 {
		defs = nil
		for _, k := range q.Keys {
			d, ok := Lookup(k)
			if !ok {
				return Report{}, fmt.Errorf("unknown figure %q", k)
			}
			defs = append(defs, d)
		}
	}
	r := Report{Towns: q.Towns, By: q.By, Period: q.Period, Previous: q.Period.Previous(), LastYear: q.Period.LastYear()}
	r.Total = Row{Current: Figures{}, Previous: Figures{}, LastYear: Figures{}}
	rows := map[string]*Row{}
	skip := [...]bool{false, q.NoPrevious, q.NoLastYear}
	for i, p := range []Period{r.Period, r.Previous, r.LastYear} {
		if skip[i] {
			continue
		}
		pick := func(row *Row) Figures { return [...]Figures{row.Current, row.Previous, row.LastYear}[i] }
		daysOnly := !q.Scan && daily.Aligned(p.From) && daily.Aligned(p.To)
		if daysOnly {
			if err := s.fromDays(ctx, q, defs, p, &r.Total, rows, pick); err != nil {
				return r, err
			}
			continue
		}
		if err := s.scan(ctx, q, defs, col, p, &r.Total, rows, pick); err != nil {
			return r, err
		}
	}
	// A group with no order in one of the periods counts 0 there.
	for _, row := range rows {
		for i, f := range []Figures{row.Current, row.Previous, row.LastYear} {
			if skip[i] {
				continue
			}
			for _, d := range defs {
				if _, ok := f[d.Key]; !ok {
					f[d.Key] = finish(d, Figure{})
				}
			}
		}
	}
	names, err := s.names(ctx, q.By, q.Towns)
	if err != nil {
		return r, err
	}
	for _, row := range rows {
		row.Name, row.NameEN = names[row.Group][0], names[row.Group][1]
		r.Rows = append(r.Rows, *row)
	}
	sort.Slice(r.Rows, func(i, j int) bool { return r.Rows[i].Group < r.Rows[j].Group })
	if r.Rows == nil {
		r.Rows = []Row{}
	}
	return r, nil
}

// scan computes the figures of defs over p from the orders and their stages, one grouped query
// per figure: the definitions themselves (Condition), for periods that are not whole days, for
// the p90 handling time and for the tests and benchmarks that compare the kept figures with it.
func (s *Service) scan(ctx context.Context, q Query, defs []Def, col string, p Period, total *Row, rows map[string]*Row, pick func(*Row) Figures) error {
	for _, d := range defs {
		if col != "" && d.Kind != Hours {
			// A count's or a rate's total is the sum of its groups' numerators and
			// denominators: every order counted falls in exactly one group (COALESCE(col, '')),
			// and the grouped query has the total's condition. One query instead of two.
			groups, err := s.figure(ctx, q.Towns, d, col, p)
			if err != nil {
				return err
			}
			var sum Figure
			for _, f := range groups {
				sum.Den += f.Den
				sum.Num += f.Num
			}
			pick(total)[d.Key] = finish(d, sum)
			addGroups(rows, groups, d, pick)
			continue
		}
		tot, err := s.figure(ctx, q.Towns, d, "", p)
		if err != nil {
			return err
		}
		pick(total)[d.Key] = tot[""]
		if col == "" {
			continue
		}
		groups, err := s.figure(ctx, q.Towns, d, col, p)
		if err != nil {
			return err
		}
		addGroups(rows, groups, d, pick)
	}
	return nil
}

// fromDays computes the figures of defs over p, a whole number of days, from the figures kept
// per day (kpi_daily): one query for the total (the towns' rows) and one for the breakdown,
// whatever the number of figures; the p90 handling time from the histogram kept per day
// (kpi_hours), two more.
func (s *Service) fromDays(ctx context.Context, q Query, defs []Def, p Period, total *Row, rows map[string]*Row, pick func(*Row) Figures) error {
	towns, err := daily.Sum(ctx, s.DB, q.Towns, daily.DimTown, p.From, p.To)
	if err != nil {
		return err
	}
	var all daily.Sums
	for _, t := range towns {
		for i, v := range t {
			all[i] += v
		}
	}
	groups := towns
	if q.By != "" && q.By != "town" {
		if groups, err = daily.Sum(ctx, s.DB, q.Towns, daily.DimOf[q.By], p.From, p.To); err != nil {
			return err
		}
	}
	var scanned []Def
	for _, d := range defs {
		if d.Key == P90HandlingHours {
			if err := s.p90FromDays(ctx, q, d, p, total, rows, pick); err != nil {
				return err
			}
			continue
		}
		cols, ok := daily.Figure[d.Key]
		if !ok {
			scanned = append(scanned, d)
			continue
		}
		pick(total)[d.Key] = fromSums(d, cols, all)
		if q.By == "" {
			continue
		}
		fs := map[string]Figure{}
		for g, sums := range groups {
			// A group shows when the figure counts an order of it, as the grouped scan does.
			if sums[cols[0]] != 0 {
				fs[g] = fromSums(d, cols, sums)
			}
		}
		addGroups(rows, fs, d, pick)
	}
	if len(scanned) == 0 {
		return nil
	}
	col, _ := column(q.By)
	return s.scan(ctx, q, scanned, col, p, total, rows, pick)
}

// p90FromDays reads the p90 handling time over p, a whole number of days, from the summed
// histograms of kpi_hours: the value of the bucket that holds the nearest-rank 90th percentile,
// within daily.BucketRelErr of the scan's (docs/KPI.md "The p90 from a histogram").
func (s *Service) p90FromDays(ctx context.Context, q Query, d Def, p Period, total *Row, rows map[string]*Row, pick func(*Row) Figures) error {
	towns, err := daily.SumHours(ctx, s.DB, q.Towns, daily.DimTown, p.From, p.To)
	if err != nil {
		return err
	}
	all := daily.Hist{}
	for _, h := range towns {
		for b, n := range h {
			all[b] += n
		}
	}
	pick(total)[d.Key] = p90Of(all)
	if q.By == "" {
		return nil
	}
	groups := towns
	if q.By != "town" {
		if groups, err = daily.SumHours(ctx, s.DB, q.Towns, daily.DimOf[q.By], p.From, p.To); err != nil {
			return err
		}
	}
	fs := map[string]Figure{}
	for g, h := range groups {
		if f := p90Of(h); f.Den > 0 {
			fs[g] = f
		}
	}
	addGroups(rows, fs, d, pick)
	return nil
}

// p90Of is the p90 figure of a histogram: den the orders in it, value in hours.
func p90Of(h daily.Hist) Figure {
	n, v := h.Percentile(0.9)
	if n == 0 {
		return Figure{}
	}
	hours := v.Hours()
	return Figure{Den: int(n), Value: &hours}
}

// fromSums makes a figure from its columns' sums.
func fromSums(d Def, cols [2]int, sums daily.Sums) Figure {
	f := Figure{Den: int(sums[cols[0]])}
	if d.Kind == Hours {
		if f.Den > 0 {
			v := float64(sums[cols[1]]) / float64(f.Den) / float64(time.Hour/time.Millisecond)
			f.Value = &v
		}
		return f
	}
	if cols[1] >= 0 {
		f.Num = int(sums[cols[1]])
	}
	return finish(d, f)
}

// addGroups puts one key's figures per group into rows (pick chooses the period).
func addGroups(rows map[string]*Row, groups map[string]Figure, d Def, pick func(*Row) Figures) {
	for g, f := range groups {
		row := rows[g]
		if row == nil {
			row = &Row{Group: g, Current: Figures{}, Previous: Figures{}, LastYear: Figures{}}
			rows[g] = row
		}
		pick(row)[d.Key] = f
	}
}

// figure computes one key over the towns and period, per value of col ("" for the total, under
// the key "").
func (s *Service) figure(ctx context.Context, towns []string, d Def, col string, p Period) (map[string]Figure, error) {
	query, args, err := figureSQL(towns, d, col, p)
	if err != nil {
		return nil, err
	}
	out := map[string]Figure{}
	if col == "" {
		out[""] = finish(d, Figure{})
	}
	if d.Kind == Hours {
		return out, s.hours(ctx, d, query, args, out)
	}
	rows, err := s.DB.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("kpi %s: %w", d.Key, err)
	}
	defer rows.Close()
	for rows.Next() {
		var g string
		var f Figure
		if err := rows.Scan(&g, &f.Den, &f.Num); err != nil {
			return nil, err
		}
		out[g] = finish(d, f)
	}
	return out, rows.Err()
}

// FigureSQL is the statement Compute runs for one figure over the towns and period, grouped by
// the dimension by ("" for the total): for the plan tests, which check that it reads an index.
func FigureSQL(towns []string, key, by string, p Period) (string, []any, error) {
	d, ok := Lookup(key)
	if !ok {
		return "", nil, fmt.Errorf("unknown figure %q", key)
	}
	col, err := column(by)
	if err != nil {
		return "", nil, err
	}
	return figureSQL(towns, d, col, p)
}

// figureSQL: for a count or a rate, rows of (group, den, num); for a handling time, rows of
// (group, order, handling run's start, finish, paused time) ordered by order.
func figureSQL(towns []string, d Def, col string, p Period) (string, []any, error) {
	cond, args, err := Condition(d.Key, "", "", PartAll, p.From, p.To)
	if err != nil {
		return "", nil, err
	}
	in, inArgs := store.In("town_code", towns)
	where := in + ` AND ` + cond
	args = append(inArgs, args...)
	group := `''`
	if col != "" {
		group = `COALESCE(` + col + `, '')`
	}
	if d.Kind == Hours {
		// The join with the finished handling runs is the condition's EXISTS already: without
		// it repeated, PostgreSQL reads the town's closed orders of the period by their index
		// instead of walking every order by id (370 ms against a few at 10^6).
		c, a := closedIn(p.From.UnixMilli(), p.To.UnixMilli())
		where, args = in+` AND `+c+` AND `+notExempt, append(inArgs, a...)
		return `SELECT ` + group + `, s.order_id, s.started_at, s.finished_at, s.paused_working_ms
		FROM orders JOIN order_stages s ON s.order_id = orders.id AND s.stage = 'handling' AND s.finished_at IS NOT NULL
		WHERE ` + where + ` ORDER BY s.order_id`, args, nil
	}
	num := `0`
	var numArgs []any
	if d.num != nil {
		c, a := d.num(p.From.UnixMilli(), p.To.UnixMilli())
		num, numArgs = `CASE WHEN `+c+` THEN 1 ELSE 0 END`, a
	}
	groupBy := ""
	if col != "" {
		groupBy = ` GROUP BY ` + group
	}
	return `SELECT ` + group + `, COUNT(*), COALESCE(SUM(` + num + `), 0) FROM orders WHERE ` + where + groupBy, append(numArgs, args...), nil
}

// finish sets a figure's value: a count is always one (0 too); a rate or a time has none when
// no order was counted.
func finish(d Def, f Figure) Figure {
	if f.Den == 0 && d.Kind != Count {
		return f
	}
	v := float64(f.Den)
	if d.Kind == Rate {
		v = float64(f.Num) / float64(f.Den)
	}
	f.Value = &v
	return f
}

// hours measures each order's handling time — the working time of its handling runs, less the
// time they stood suspended — and gives the mean or the 90th percentile (nearest rank) per group.
func (s *Service) hours(ctx context.Context, d Def, query string, args []any, out map[string]Figure) error {
	rows, err := s.DB.Query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("kpi %s: %w", d.Key, err)
	}
	defer rows.Close()
	per := map[string]map[int64]time.Duration{}
	for rows.Next() {
		var g string
		var id, started, finished, paused int64
		if err := rows.Scan(&g, &id, &started, &finished, &paused); err != nil {
			return err
		}
		if per[g] == nil {
			per[g] = map[int64]time.Duration{}
		}
		w := s.Cal.WorkingDuration(store.FromMillis(started), store.FromMillis(finished)) - time.Duration(paused)*time.Millisecond
		per[g][id] += max(w, 0)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for g, byOrder := range per {
		hs := make([]float64, 0, len(byOrder))
		for _, dur := range byOrder {
			hs = append(hs, dur.Hours())
		}
		v := Mean(hs)
		if d.Key == P90HandlingHours {
			v = Percentile(hs, 0.9)
		}
		out[g] = Figure{Den: len(hs), Value: &v}
	}
	return nil
}

// Mean is the arithmetic mean (0 for none).
func Mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var sum float64
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// Percentile is the nearest-rank percentile q (0–1): the smallest value at least q of the values
// do not exceed.
func Percentile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	rank := int(q*float64(len(s)) + 0.999999999)
	return s[min(max(rank, 1), len(s))-1]
}

// names gives the groups of a dimension their names, Chinese and (departments, categories,
// channels) English.
func (s *Service) names(ctx context.Context, by string, towns []string) (map[string][2]string, error) {
	out := map[string][2]string{}
	var query string
	switch by {
	case "town":
		query = `SELECT code, name, '' FROM regions WHERE `
	case "grid":
		query = `SELECT code, name, '' FROM grids WHERE `
	case "committee":
		query = `SELECT code, name, '' FROM committees WHERE `
	case "department":
		query = `SELECT code, name, name_en FROM departments WHERE `
	case "category":
		query = `SELECT code, name, name_en FROM categories WHERE `
	case "channel":
		for _, c := range orders.Channels {
			out[c.Code] = [2]string{c.ZH, c.EN}
		}
		return out, nil
	default:
		return out, nil
	}
	in, args := store.In("town_code", towns)
	if by == "town" {
		in, args = store.In("code", towns)
	}
	rows, err := s.DB.Query(ctx, query+in, args...)
	if err != nil {
		return nil, fmt.Errorf("names of %s: %w", by, err)
	}
	defer rows.Close()
	for rows.Next() {
		var code, name, nameEN string
		if err := rows.Scan(&code, &name, &nameEN); err != nil {
			return nil, err
		}
		out[code] = [2]string{name, nameEN}
	}
	return out, rows.Err()
}

// Merge adds up the figures of several groups (the towns of a district): counts and rates by
// their numerators and denominators, the average handling time weighted by the orders measured.
// A percentile cannot be added up: it is left out.
func Merge(fs ...Figures) Figures {
	out := Figures{}
	hours := map[string]float64{}
	for _, f := range fs {
		for key, fig := range f {
			d, ok := Lookup(key)
			if !ok || key == P90HandlingHours {
				continue
			}
			m := out[key]
			m.Den += fig.Den
			m.Num += fig.Num
			out[key] = m
			if d.Kind == Hours && fig.Value != nil {
				hours[key] += *fig.Value * float64(fig.Den)
			}
		}
	}
	for key, m := range out {
		d, _ := Lookup(key)
		m.Value = nil
		if m.Den > 0 {
			v := float64(m.Den)
			switch d.Kind {
			case Rate:
				v = float64(m.Num) / float64(m.Den)
			case Hours:
				v = hours[key] / float64(m.Den)
			}
			m.Value = &v
		}
		out[key] = m
	}
	return out
}
