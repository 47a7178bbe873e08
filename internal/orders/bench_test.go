package orders_test

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/orders/orderstest"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// BenchmarkLifecycle runs whole closed loops — create, then file, dispatch, accept, request and
// approve an extension, report, verify and rate (8 transitions) — one after another, and reports
// lifecycles per second.
func BenchmarkLifecycle(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchLifecycle(b, testdb.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchLifecycle(b, testdb.Postgres(b)) })
}

// BenchmarkKPIUpkeep runs BenchmarkLifecycle's closed loops alternately with and without the
// upkeep of the KPI figures kept per day (kpi_daily), on each database, so that both see the same
// load; it reports both rates and the upkeep's cost as a fraction of work-order write throughput,
// 1 − with / without (docs/BENCHMARKS.md).
func BenchmarkKPIUpkeep(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchUpkeep(b, testdb.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchUpkeep(b, testdb.Postgres(b)) })
}

// On a shared machine whose load comes in bursts, a burst in one mode's lifecycles moves the
// totals' ratio; upkeep-median-% is the same cost from the median lifecycle of each mode
// (1 − median without / median with, in time), which a burst moves much less; and
// upkeep-cpu-% the cost in the CPU time of this process (1 − CPU without / CPU with), which
// waiting for a core does not move at all: on SQLite, which runs in the process, that is all of
// the work; on PostgreSQL only the client's part.
func benchUpkeep(b *testing.B, db *store.DB) {
	defer orders.SetKPIUpkeep(true)
	lifecycle := lifecycleOf(b, db)
	var spent, cpu [2]time.Duration
	var times [2][]time.Duration
	i := 0
	for b.Loop() {
		on := i % 2
		orders.SetKPIUpkeep(on == 1)
		c0 := cpuTime(b)
		start := time.Now()
		lifecycle()
		took := time.Since(start)
		cpu[on] += cpuTime(b) - c0
		spent[on] += took
		times[on] = append(times[on], took)
		i++
	}
	if cpu[1] > 0 {
		b.ReportMetric(100*(1-float64(cpu[0])/float64(cpu[1])*float64(len(times[1]))/float64(len(times[0]))), "upkeep-cpu-%")
	}
	orders.SetKPIUpkeep(true)
	without, with := float64(len(times[0]))/spent[0].Seconds(), float64(len(times[1]))/max(spent[1].Seconds(), 1e-9)
	b.ReportMetric(without, "without-lifecycles/s")
	b.ReportMetric(with, "with-lifecycles/s")
	b.ReportMetric(100*(1-with/without), "upkeep-%")
	if len(times[1]) > 0 {
		median := func(ts []time.Duration) float64 {
			slices.Sort(ts)
			return float64(ts[len(ts)/2])
		}
		b.ReportMetric(100*(1-median(times[0])/median(times[1])), "upkeep-median-%")
	}
}

func benchLifecycle(b *testing.B, db *store.DB) {
	lifecycle := lifecycleOf(b, db)
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		lifecycle()
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "lifecycles/s")
}

// lifecycleOf seeds db and returns one closed loop: create, then file, dispatch, accept, request
// and approve an extension, report, verify and rate.
func lifecycleOf(b *testing.B, db *store.DB) func() {
	f := orderstest.Seed(b, db)
	s := orders.New(db)
	sum := sha256.Sum256([]byte("bench photo"))
	photo := hex.EncodeToString(sum[:])
	if err := s.SaveUpload(ctx, orders.Upload{ID: photo, TownCode: f.Town, MIME: "image/jpeg", Size: 1}); err != nil {
		b.Fatal(err)
	}
	lat, lng := f.InGrid[1], f.InGrid[0]
	steps := []struct {
		user int64
		act  workorder.Action
		in   workorder.Input
	}{
		{f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.Category, Grid: f.Grid}},
		{f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.Sanitation, CoDepartments: []string{f.Market}}},
		{f.Handler, workorder.ActAccept, workorder.Input{}},
		{f.Handler, workorder.ActExtend, workorder.Input{Reason: "需协调"}}, // deadline set per order
		{f.Dispatcher, workorder.ActApproveExtension, workorder.Input{}},
		{f.Handler, workorder.ActReport, workorder.Input{Result: "已处理", Photos: []string{photo}}},
		{f.GridWorker, workorder.ActVerifyPass, workorder.Input{Note: "核查通过"}},
		{f.Dispatcher, workorder.ActRate, workorder.Input{Satisfaction: workorder.Satisfied}},
	}
	return func() {
		o, err := s.Create(ctx, orders.NewOrder{TownCode: f.Town, Channel: orders.ChannelPatrol, Content: "楼道堆物影响通行",
			Address: "新泾一村 3 号", Lat: &lat, Lng: &lng, Category: f.Category, ActorName: "网格员甲", ActorRole: workorder.RoleGridWorker})
		if err != nil {
			b.Fatal(err)
		}
		for _, st := range steps {
			in := st.in
			if st.act == workorder.ActExtend {
				dl := o.Deadline.Add(48 * time.Hour)
				in.Deadline = &dl
			}
			if o, err = s.Act(ctx, f.Towns(), o.ID, f.As(st.user), st.act, o.Version, in); err != nil {
				b.Fatalf("%s: %v", st.act, err)
			}
		}
	}
}

// cpuTime is the CPU time this process has used (user and system).
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
