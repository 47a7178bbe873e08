package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/kpi"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
)

// runBenchKPI measures the KPI queries the pages make (the leader's and the district's home
// panels, /kpi and /api/v1/kpi, the rankings, the monthly report's sheets, a district's whole
// monthly report) on the database `bench
// pages` generated, each from the figures kept per day and, in the same run, by the scan of the
// orders the figures are defined by (kpi.Query.Scan), and prints p50/p95 of both.
func runBenchKPI(ctx context.Context, args []string, out io.Writer) error {
	var d dbFlags
	fs := newFlagSet("bench kpi", "KPI queries from the figures kept per day against the scan of the orders, on the bench pages database",
		"bench kpi [--orders N] [--db URL | --data DIR] [--rounds R] [--at DATE]", out)
	fs.StringVar(&d.db, "db", "", "PostgreSQL URL (the schema cg_bench_<N> bench pages generated)")
	fs.StringVar(&d.data, "data", "", "SQLite: the directory bench pages generated into")
	n := fs.Int("orders", 10_000, "the orders bench pages generated (names the PostgreSQL schema)")
	towns := fs.Int("towns", 2, "the towns bench pages spread them over (names the PostgreSQL schema)")
	rounds := fs.Int("rounds", 10, "runs per query and path (after one warm-up)")
	scanRounds := fs.Int("scan-rounds", -1, "runs of the scan path per query (after one warm-up); 0 skips the scans; default: --rounds below "+
		fmt.Sprint(benchKPIScanLimit)+" orders, 0 from there (a scan of a city's orders takes tens of minutes per query)")
	atDay := fs.String("at", "", "the day the periods contain (default today)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if d.db == "" && d.data == "" {
		return fmt.Errorf("--db or --data: the database bench pages generated")
	}
	now := time.Now()
	if *atDay != "" {
		t, err := kpi.ParseDate("at", *atDay)
		if err != nil {
			return err
		}
		now = t.Add(12 * time.Hour)
	}
	db, _, cleanup, err := openBenchDB(ctx, d, *n, *towns, false, out)
	if err != nil {
		return err
	}
	defer cleanup()
	cal, err := orders.LoadCalendar(ctx, db)
	if err != nil {
		return err
	}
	svc := &kpi.Service{DB: db, Cal: cal}
	var count int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM orders`).Scan(&count); err != nil {
		return err
	}
	var city []string // every town of the city, as the city account sees them
	rows, err := db.Query(ctx, `SELECT code FROM regions WHERE level = 'town' ORDER BY code`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return err
		}
		city = append(city, c)
	}
	rows.Close()
	town := []string{world.XinjingCode}
	both := []string{world.XinjingCode, world.LujiazuiCode}
	today, _ := kpi.PeriodOf("day", now)
	month, _ := kpi.PeriodOf("month", now)
	last, _ := kpi.PeriodOf("month", month.From.AddDate(0, 0, -1))
	year, _ := kpi.PeriodOf("year", now)
	p90 := []string{kpi.P90HandlingHours}
	rates := []string{kpi.ClosureRate, kpi.OnTimeClosureRate, kpi.OnTimeHandlingRate, kpi.SatisfactionRate, kpi.FirstContactRate, kpi.ReworkRate}
	queries := []struct {
		name string
		q    kpi.Query
	}{
		{"home: today's tiles (town)", kpi.Query{Towns: town, Period: today, Keys: []string{kpi.Received, kpi.Filed, kpi.Closed}, NoPrevious: true, NoLastYear: true}},
		{"home: this month vs last (town)", kpi.Query{Towns: town, Period: month, NoLastYear: true}},
		{"home: towns side by side (district)", kpi.Query{Towns: both, Period: month, By: "town", NoLastYear: true}},
		{"/kpi, /api/v1/kpi: month (town)", kpi.Query{Towns: town, Period: month}},
		{"/kpi: month by department (town)", kpi.Query{Towns: town, Period: month, By: "department"}},
		{"/kpi: month by grid (town)", kpi.Query{Towns: town, Period: month, By: "grid"}},
		{"/kpi: year by category (town)", kpi.Query{Towns: town, Period: year, By: "category"}},
		{"/kpi: month (both towns)", kpi.Query{Towns: both, Period: month}},
		{"/kpi/rankings: departments", kpi.Query{Towns: town, Period: month, By: "department", Keys: rates, NoLastYear: true}},
		{"/kpi/rankings: grids", kpi.Query{Towns: town, Period: month, By: "grid", Keys: rates, NoLastYear: true}},
		{"monthly report: committee sheet (last month)", kpi.Query{Towns: town, Period: last, By: "committee"}},
		{"/kpi: month without p90 (town)", kpi.Query{Towns: town, Period: month, Keys: withoutP90()}},
		{"p90 only: month (town)", kpi.Query{Towns: town, Period: month, Keys: p90}},
		{"p90 only: month by department (town)", kpi.Query{Towns: town, Period: month, By: "department", Keys: p90}},
		{"p90 only: year by category (town)", kpi.Query{Towns: town, Period: year, By: "category", Keys: p90}},
		{"p90 only: month (city account)", kpi.Query{Towns: city, Period: month, Keys: p90}},
		{"/kpi: month (city account, every town)", kpi.Query{Towns: city, Period: month}},
		{"/kpi: month without p90 (city account)", kpi.Query{Towns: city, Period: month, Keys: withoutP90()}},
		{"home: city's towns side by side", kpi.Query{Towns: city, Period: month, By: "town", NoLastYear: true}},
	}
	// The district's monthly report: the whole workbook (summary, its towns side by side, a sheet
	// per dimension) for last month, as `report monthly --district` and the district account's
	// button write it, into io.Discard.
	district := demo.BenchDistrictCode(*towns)
	districtTowns, err := places.TownsOfDistrict(ctx, db, district)
	if err != nil {
		return err
	}
	type benchCase struct {
		name string
		run  func(scan bool) error
	}
	var cases []benchCase
	for _, c := range queries {
		cases = append(cases, benchCase{c.name, func(scan bool) error {
			q := c.q
			q.Scan = scan
			_, err := svc.Compute(ctx, q)
			return err
		}})
	}
	cases = append(cases,
		benchCase{fmt.Sprintf("/kpi: month (district %s, %d towns)", district, len(districtTowns)), func(scan bool) error {
			_, err := svc.Compute(ctx, kpi.Query{Towns: districtTowns, Period: month, Scan: scan})
			return err
		}},
		benchCase{fmt.Sprintf("monthly report xlsx, district %s (%d towns, last month)", district, len(districtTowns)), func(scan bool) error {
			return svc.WriteReportOf(ctx, io.Discard, kpi.ReportRequest{Towns: districtTowns, Period: last, Lang: "zh", Scan: scan})
		}})
	if *scanRounds < 0 {
		*scanRounds = *rounds
		if count >= benchKPIScanLimit {
			*scanRounds = 0
		}
	}
	fmt.Fprintf(out, "KPI queries on %s, %d orders; periods around %s; %d runs each after a warm-up (scan: %d)\n", db.Dialect(), count,
		now.Format(time.DateOnly), *rounds, *scanRounds)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "query\tkept p50\tkept p95\tscan p50\tscan p95\tscan/kept (p50)")
	for i, c := range cases {
		// The table is printed aligned at the end; each case's figures go to stderr as it ends,
		// since a scan at 10⁶ orders and more takes minutes.
		fmt.Fprintf(stderr, "\rkpi %d / %d: %-60s", i+1, len(cases), c.name)
		var times [2][]time.Duration
		for i, scan := range []bool{false, true} {
			n := *rounds
			if scan {
				n = *scanRounds
				if n == 0 {
					break
				}
			}
			for r := 0; r <= n; r++ {
				start := time.Now()
				if err := c.run(scan); err != nil {
					return fmt.Errorf("%s: %w", c.name, err)
				}
				if r > 0 {
					times[i] = append(times[i], time.Since(start))
				}
			}
		}
		k50, k95 := quantiles(times[0])
		if *scanRounds == 0 {
			fmt.Fprintf(tw, "%s\t%s\t%s\t—\t—\t—\n", c.name, msText(k50), msText(k95))
			fmt.Fprintf(stderr, "\rkpi %d / %d: %s: kept %s (p50)\n", i+1, len(cases), c.name, msText(k50))
			continue
		}
		s50, s95 := quantiles(times[1])
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.1f×\n", c.name, msText(k50), msText(k95), msText(s50), msText(s95), float64(s50)/float64(max(k50, 1)))
		fmt.Fprintf(stderr, "\rkpi %d / %d: %s: kept %s, scan %s (p50)\n", i+1, len(cases), c.name, msText(k50), msText(s50))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// The p90 from the histogram against the exact scan, on this data (docs/KPI.md: within
	// 2.2 %).
	if *scanRounds == 0 {
		fmt.Fprintln(out, "scans skipped (--scan-rounds 0): no p90 comparison")
		return nil
	}
	for _, c := range queries {
		if len(c.q.Keys) != 1 || c.q.Keys[0] != kpi.P90HandlingHours || c.q.By != "" {
			continue
		}
		var v [2]kpi.Figure
		for i, scan := range []bool{false, true} {
			q := c.q
			q.Scan = scan
			r, err := svc.Compute(ctx, q)
			if err != nil {
				return err
			}
			v[i] = r.Total.Current[kpi.P90HandlingHours]
		}
		if v[0].Value == nil || v[1].Value == nil {
			fmt.Fprintf(out, "%s: no order measured (kept %d, scan %d)\n", c.name, v[0].Den, v[1].Den)
			continue
		}
		fmt.Fprintf(out, "%s: kept %.3f h over %d orders, scan %.3f h over %d (%+.2f %%)\n", c.name, *v[0].Value, v[0].Den,
			*v[1].Value, v[1].Den, 100*(*v[0].Value / *v[1].Value - 1))
	}
	return nil
}

// benchKPIScanLimit is the size from which bench kpi skips the scans unless --scan-rounds asks
// for them: at 10⁶ orders the district's monthly report took 275 s by the scan, at 10⁷ it
// would take most of an hour per run.
const benchKPIScanLimit = 2_000_000

func withoutP90() []string {
	var out []string
	for _, d := range kpi.Defs {
		if d.Key != kpi.P90HandlingHours {
			out = append(out, d.Key)
		}
	}
	return out
}

// quantiles gives the nearest-rank p50 and p95.
func quantiles(ds []time.Duration) (time.Duration, time.Duration) {
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(q float64) time.Duration {
		i := int(q*float64(len(s))+0.999999) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	return at(0.5), at(0.95)
}

func msText(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
