package kpi_test

import (
	"os"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/kpi"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
)

// temporary: per-figure timing on a bench database (not committed)
func TestZZTiming(t *testing.T) {
	dir, u := os.Getenv("ZZ_DATA"), os.Getenv("ZZ_URL")
	if dir == "" && u == "" {
		t.Skip()
	}
	db, err := store.Open(ctx, store.Options{URL: u, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cal, err := orders.LoadCalendar(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	k := &kpi.Service{DB: db, Cal: cal}
	towns := []string{os.Getenv("ZZ_TOWN")}
	now := time.Now()
	month, _ := kpi.PeriodOf("month", now)
	for _, p := range []kpi.Period{month, month.Previous()} {
		for _, d := range kpi.Defs {
			t0 := time.Now()
			if _, err := k.Compute(ctx, kpi.Query{Towns: towns, Period: p, Keys: []string{d.Key}, NoPrevious: true, NoLastYear: true}); err != nil {
				t.Fatal(err)
			}
			t1 := time.Now()
			if _, err := k.Compute(ctx, kpi.Query{Towns: towns, Period: p, By: "department", Keys: []string{d.Key}, NoPrevious: true, NoLastYear: true}); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s %-25s total %6.1f ms  by dept %6.1f ms", p.From.Format("01"), d.Key, ms(t1.Sub(t0)), ms(time.Since(t1)))
		}
	}
	t0 := time.Now()
	if _, err := k.Late(ctx, towns, now); err != nil {
		t.Fatal(err)
	}
	t1 := time.Now()
	if _, err := k.LateOrders(ctx, towns, now); err != nil {
		t.Fatal(err)
	}
	t.Logf("late %.1f ms lateorders %.1f ms", ms(t1.Sub(t0)), ms(time.Since(t1)))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
