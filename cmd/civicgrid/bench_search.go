package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
)

// searchCase is one typical search of the order list: the list's filter (first page of 50,
// newest first, as /orders?q= runs it) and the LIKE scan that is its baseline — the same words
// and filters over the town's orders with no index, counted in full.
type searchCase struct {
	Label  string
	Filter orders.Filter
	// ScanSQL and ScanArgs are the filters besides town and words, as the LIKE scan applies them.
	ScanSQL  string
	ScanArgs []any
}

// searchCases are the kinds of search the issue names: a common word with many hits, a phrase
// typed in traditional characters, a road matching a tenth of the town, a rare address with a
// number, a number fragment, a hotline ticket number, a place in traditional characters, and the
// common word with the filters people add.
func searchCases(now time.Time) []searchCase {
	town := []string{world.XinjingCode}
	since := now.AddDate(0, -3, 0)
	return []searchCase{
		{Label: "噪音 (common word)", Filter: orders.Filter{Towns: town, Query: "噪音"}},
		{Label: "樓道堆物 (traditional; = 楼道堆物)", Filter: orders.Filter{Towns: town, Query: "樓道堆物"}},
		{Label: "仙霞西路 (a tenth of the town)", Filter: orders.Filter{Towns: town, Query: "仙霞西路"}},
		{Label: "新渔东路470弄8号 (rare address)", Filter: orders.Filter{Towns: town, Query: "新渔东路470弄8号"}},
		{Label: "470弄8号 (number fragment)", Filter: orders.Filter{Towns: town, Query: "470弄8号"}},
		{Label: "陸家嘴 (traditional place)", Filter: orders.Filter{Towns: town, Query: "陸家嘴"}},
		{Label: "夜间 施工 (two parts)", Filter: orders.Filter{Towns: town, Query: "夜间 施工"}},
		{Label: "噪音 + state closed/rated", Filter: orders.Filter{Towns: town, Query: "噪音", States: []string{"closed", "rated"}},
			ScanSQL: ` AND state IN (?, ?)`, ScanArgs: []any{"closed", "rated"}},
		{Label: "噪音 + category 1002 (4,423 hits)", Filter: orders.Filter{Towns: town, Query: "噪音", Category: "1002"},
			ScanSQL: ` AND category_code = ?`, ScanArgs: []any{"1002"}},
		{Label: "仙霞西路 + last 3 months", Filter: orders.Filter{Towns: town, Query: "仙霞西路", From: &since},
			ScanSQL: ` AND received_at >= ?`, ScanArgs: []any{since.UnixMilli()}},
	}
}

func runBenchSearch(ctx context.Context, args []string, out io.Writer) error {
	var d dbFlags
	fs := newFlagSet("bench search", "measure the order list's search against a LIKE scan on a database `bench pages` generated",
		"bench search [--orders N] (--db URL | --data DIR) [--rounds R]", out)
	fs.StringVar(&d.db, "db", "", "PostgreSQL URL whose schema cg_bench_<N> bench pages filled")
	fs.StringVar(&d.data, "data", "", "SQLite directory bench pages filled (--data of bench pages)")
	n := fs.Int("orders", 1_000_000, "orders the database was generated with (names the PostgreSQL schema)")
	towns := fs.Int("towns", 2, "towns the database was generated with (--towns of bench pages; names the PostgreSQL schema)")
	rounds := fs.Int("rounds", 40, "searches per case (after one warm-up); the LIKE scan runs a quarter as often, at least 3")
	only := fs.String("only", "", "measure only the cases whose label contains this text")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measuring to this file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if (d.db == "") == (d.data == "") {
		return errors.New("give --db or --data: a database bench pages generated")
	}
	opened := time.Now()
	db, _, cleanup, err := openBenchDB(ctx, d, *n, *towns, false, out)
	if err != nil {
		return err
	}
	defer cleanup()
	// Opening migrates (a change of the search terms re-writes PostgreSQL's column), and SQLite's
	// index file is rebuilt when its terms format changed: both before the first search, timed.
	indexed, err := orders.IndexSearch(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "opened, migrated and indexed (%d orders) in %s\n", indexed, time.Since(opened).Round(time.Millisecond))
	var have int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM settings WHERE town_code = ? AND key = ?`, world.XinjingCode, benchMarker).Scan(&have); err != nil {
		return err
	}
	if have == 0 {
		return fmt.Errorf("no orders generated here; run bench pages --orders %d first", *n)
	}
	cases := slices.DeleteFunc(searchCases(time.Now()), func(c searchCase) bool { return !strings.Contains(c.Label, *only) })
	stop, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	return measureSearchCases(ctx, db, cases, *rounds, out)
}

// measureSearchCases times each case through orders.List (bounded count and first page) and
// the LIKE scan of the same words and filters, in the same run, and prints a table.
func measureSearchCases(ctx context.Context, db *store.DB, cases []searchCase, rounds int, out io.Writer) error {
	st := orders.New(db)
	fmt.Fprintf(out, "\n## search, %s (load average %s)\n\n| search (新泾镇) | shown count | list p50 ms | list p95 ms | list CPU ms | count alone p50 ms | count to 1,001 p50 ms | LIKE scan matches | LIKE p50 ms | LIKE p95 ms | LIKE CPU ms |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
		db.Dialect(), loadAverage())
	for _, c := range cases {
		var shown int
		var list, scan []time.Duration
		var listCPU, scanCPU time.Duration
		for i := range rounds + 1 {
			cpu := processCPU()
			start := time.Now()
			var err error
			if shown, _, err = st.List(ctx, c.Filter); err != nil {
				return fmt.Errorf("%s: %w", c.Label, err)
			}
			if i > 0 {
				list = append(list, time.Since(start))
				listCPU += processCPU() - cpu
			}
		}
		// The bounded count alone (what List does before reading the page), at the list's bound
		// and at a tenth of it: how much of the list's time the count is.
		var count, countSmall []time.Duration
		for range max(3, rounds/2) {
			for _, c2 := range []struct {
				bound int
				into  *[]time.Duration
			}{{orders.CountBound, &count}, {1000, &countSmall}} {
				start := time.Now()
				if _, err := st.Count(ctx, c.Filter, c2.bound); err != nil {
					return err
				}
				*c2.into = append(*c2.into, time.Since(start))
			}
		}
		slices.Sort(count)
		slices.Sort(countSmall)
		where, args := "town_code = ?", []any{c.Filter.Towns[0]}
		for _, part := range strings.Fields(c.Filter.Query) {
			where += ` AND (content LIKE ? OR address LIKE ?)`
			args = append(args, "%"+part+"%", "%"+part+"%")
		}
		where += c.ScanSQL
		args = append(args, c.ScanArgs...)
		var scanned int
		for range max(3, rounds/4) {
			start, cpu := time.Now(), processCPU()
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM orders WHERE `+where, args...).Scan(&scanned); err != nil {
				return err
			}
			scan = append(scan, time.Since(start))
			scanCPU += processCPU() - cpu
		}
		slices.Sort(list)
		slices.Sort(scan)
		fmt.Fprintf(out, "| %s | %d | %s | %s | %s | %s | %s | %d | %s | %s | %s |\n", c.Label, shown, ms(pct(list, 50)), ms(pct(list, 95)),
			ms(listCPU/time.Duration(len(list))), ms(pct(count, 50)), ms(pct(countSmall, 50)), scanned, ms(pct(scan, 50)), ms(pct(scan, 95)),
			ms(scanCPU/time.Duration(len(scan))))
	}
	return nil
}

// processCPU is the CPU time this process has used (user and system). On a shared, loaded
// machine a search's wall-clock time is mostly waiting for a core; on SQLite, which runs in this
// process, the CPU time per search is what the search itself costs (PostgreSQL's work is the
// server's: this process only waits for it).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAverage is the first field of /proc/loadavg ("?" where there is none).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}
