package kpi_test

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/kpi"
	"github.com/civicgrid/civicgrid/internal/kpi/daily"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/orders/orderstest"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

var ctx = context.Background()

var at = orderstest.At

// world is a town's hand-built order set.
type world struct {
	t     *testing.T
	db    *store.DB
	s     *orders.Store
	f     orderstest.Fixture
	clock *orderstest.Clock
	k     *kpi.Service
	ids   map[string]int64
}

func (w *world) create(name, grid string, when string, tweak ...func(*orders.NewOrder)) orders.Order {
	w.t.Helper()
	w.clock.Set(at(when))
	n := orders.NewOrder{TownCode: w.f.Town, Channel: orders.ChannelHotline, Content: name, Address: "新泾一村 12 号",
		Category: w.f.Category, Grid: grid, CallerName: "王先生", CallerPhone: "10012345678", ActorName: "派单员甲", ActorRole: workorder.RoleDispatcher}
	for _, f := range tweak {
		f(&n)
	}
	o, err := w.s.Create(ctx, n)
	if err != nil {
		w.t.Fatalf("create %s: %v", name, err)
	}
	w.ids[name] = o.ID
	return o
}

func (w *world) do(o orders.Order, when string, user int64, act workorder.Action, in workorder.Input) orders.Order {
	w.t.Helper()
	w.clock.Set(at(when))
	out, err := w.s.Act(ctx, w.f.Towns(), o.ID, w.f.As(user), act, o.Version, in)
	if err != nil {
		w.t.Fatalf("%s %s at %s: %v", o.Content, act, when, err)
	}
	return out
}

func (w *world) report(o orders.Order, when string) orders.Order {
	return w.do(o, when, w.f.Handler, workorder.ActReport, workorder.Input{Result: "已处理", Photos: []string{w.upload()}})
}

func (w *world) upload() string {
	w.t.Helper()
	id := "0000000000000000000000000000000000000000000000000000000000000000"[:64-len(w.clock.Now().Format("150405"))] + w.clock.Now().Format("150405")
	if err := w.s.SaveUpload(ctx, orders.Upload{ID: id, TownCode: w.f.Town, MIME: "image/jpeg", Size: 1234, Width: 800, Height: 600}); err != nil {
		w.t.Fatalf("upload: %v", err)
	}
	return id
}

// inProgress files, dispatches to Sanitation and accepts, all at when.
func (w *world) inProgress(name, when string) orders.Order {
	f := w.f
	o := w.create(name, f.Grid, when)
	o = w.do(o, when, f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.Category, Grid: f.Grid})
	o = w.do(o, when, f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.Sanitation})
	return w.do(o, when, f.Handler, workorder.ActAccept, workorder.Input{})
}

// build makes the order set the expected figures below are computed from by hand. Late October
// and November 2025 have no holidays: Fri 31 Oct, Mon 3 … Fri 7 Nov, Mon 10 … A working day
// counts 24 hours (workcal's measure, as the deadline clocks count).
func build(t *testing.T, db *store.DB) *world {
	f := orderstest.Seed(t, db)
	c := orderstest.NewClock(at("2025-10-31 09:00"))
	s := orders.New(db)
	s.Now = c.Now
	w := &world{t: t, db: db, s: s, f: f, clock: c, k: &kpi.Service{DB: db, Cal: s.Cal}, ids: map[string]int64{}}
	sat := func(o orders.Order, when, grade string) orders.Order {
		return w.do(o, when, f.Dispatcher, workorder.ActRate, workorder.Input{Satisfaction: grade})
	}
	pass := func(o orders.Order, when string) orders.Order {
		return w.do(o, when, f.GridWorker, workorder.ActVerifyPass, workorder.Input{Note: "已核实"})
	}

	// A crosses the month: received, filed, dispatched and accepted on Fri 31 Oct, handled on
	// Mon 3 Nov (handling 11:00 Fri → 15:00 Mon: 13 h + 15 h = 28 h), closed 4 Nov, satisfied.
	a := w.create("A 跨月", f.Grid, "2025-10-31 09:00")
	a = w.do(a, "2025-10-31 10:00", f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.Category, Grid: f.Grid})
	a = w.do(a, "2025-10-31 11:00", f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.Sanitation})
	a = w.do(a, "2025-10-31 14:00", f.Handler, workorder.ActAccept, workorder.Input{})
	a = w.report(a, "2025-11-03 15:00")
	a = pass(a, "2025-11-04 10:00")
	sat(a, "2025-11-05 10:00", workorder.Satisfied)

	// B is suspended Tue 4 → Thu 6 (48 working hours): handling due moves from Mon 10 to Wed 12
	// 09:00, so the report on Tue 11 is on time. Handling 144 h − 48 h paused = 96 h.
	b := w.inProgress("B 挂起", "2025-11-03 09:00")
	b = w.do(b, "2025-11-04 09:00", f.Dispatcher, workorder.ActSuspend, workorder.Input{Reason: "等待产权方答复"})
	b = w.do(b, "2025-11-06 09:00", f.Dispatcher, workorder.ActResume, workorder.Input{})
	b = w.report(b, "2025-11-11 09:00")
	b = pass(b, "2025-11-11 10:00")
	sat(b, "2025-11-12 10:00", workorder.BasicallySatisfied)

	// C's extension to Fri 14 18:00 is approved: the report on Wed 12 (after the first deadline,
	// Mon 10 09:00) is on time. Handling Mon 3 09:00 → Wed 12 09:00 = 168 h. Rated dissatisfied.
	c2 := w.inProgress("C 延期", "2025-11-03 09:00")
	dl := at("2025-11-14 18:00")
	c2 = w.do(c2, "2025-11-05 09:00", f.Handler, workorder.ActExtend, workorder.Input{Deadline: &dl, Reason: "需协调物业"})
	c2 = w.do(c2, "2025-11-05 10:00", f.Dispatcher, workorder.ActApproveExtension, workorder.Input{})
	c2 = w.report(c2, "2025-11-12 09:00")
	c2 = pass(c2, "2025-11-12 10:00")
	sat(c2, "2025-11-13 10:00", workorder.Dissatisfied)

	// D is dispatched to the market office, which returns it (退单); re-dispatched to
	// sanitation on Tue 4 09:00, accepted late (Wed 5 10:00, due Wed 5 09:00), reported on time.
	d := w.create("D 退单", f.Grid, "2025-11-03 09:00")
	d = w.do(d, "2025-11-03 09:00", f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.Category, Grid: f.Grid})
	d = w.do(d, "2025-11-03 09:00", f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.Market})
	d = w.do(d, "2025-11-03 15:00", f.Handler2, workorder.ActReturn, workorder.Input{Reason: "不属于本部门职责"})
	d = w.do(d, "2025-11-04 09:00", f.Dispatcher, workorder.ActDispatch, workorder.Input{Department: f.Sanitation})
	d = w.do(d, "2025-11-05 10:00", f.Handler, workorder.ActAccept, workorder.Input{})
	w.report(d, "2025-11-06 09:00")

	// E: handled on time (Tue 4 09:00), verification fails (返工, Tue 4 10:00: rehandle due Fri 7
	// 10:00), handled again late (Mon 10 10:00): a stage on time followed by a late one.
	// Handling 24 h + 96 h = 120 h.
	e := w.inProgress("E 返工", "2025-11-03 09:00")
	e = w.report(e, "2025-11-04 09:00")
	e = w.do(e, "2025-11-04 10:00", f.GridWorker, workorder.ActVerifyFail, workorder.Input{Reason: "未清理干净"})
	e = w.report(e, "2025-11-10 10:00")
	pass(e, "2025-11-10 11:00")

	// F: closed, rated dissatisfied and reopened (重办), handled again on time and closed
	// again without a new rating. Handling 24 h + 24 h = 48 h.
	fo := w.inProgress("F 重办", "2025-11-03 09:00")
	fo = w.report(fo, "2025-11-04 09:00")
	fo = pass(fo, "2025-11-04 10:00")
	fo = sat(fo, "2025-11-05 09:00", workorder.Dissatisfied)
	fo = w.do(fo, "2025-11-05 10:00", f.Dispatcher, workorder.ActReopen, workorder.Input{Reason: "居民不满意"})
	fo = w.report(fo, "2025-11-06 10:00")
	pass(fo, "2025-11-06 11:00")

	// G is merged into A as a duplicate (重复件).
	g := w.create("G 重复", f.Grid, "2025-11-03 10:00")
	w.do(g, "2025-11-03 10:30", f.Dispatcher, workorder.ActMerge, workorder.Input{DuplicateOf: a.ID})

	// H (in Grid2) is filed late: received Mon 3 09:00, due Tue 4 09:00, filed Wed 5 09:00.
	h := w.create("H 立案超时", f.Grid2, "2025-11-03 09:00")
	w.do(h, "2025-11-05 09:00", f.Dispatcher, workorder.ActFile, workorder.Input{Category: f.Category, Grid: f.Grid2})

	// K is handled by the grid worker on the spot (自行处置): closed without a handling stage.
	k := w.create("K 自行处置", f.Grid, "2025-11-03 09:00", func(n *orders.NewOrder) {
		n.Channel, n.RaisedBy, n.CallerName, n.CallerPhone, n.Category = orders.ChannelPatrol, f.GridWorker, "", "", ""
	})
	w.clock.Set(at("2025-11-03 11:00"))
	w.do(k, "2025-11-03 11:00", f.GridWorker, workorder.ActSelfHandle, workorder.Input{Result: "已现场复位", Photos: []string{w.upload()}})

	// J was received a year earlier (同比); X belongs to the other town and never counts.
	w.create("J 去年", f.Grid, "2024-11-05 09:00")
	w.clock.Set(at("2025-11-03 09:00"))
	if _, err := s.Create(ctx, orders.NewOrder{TownCode: f.OtherTown, Channel: orders.ChannelHotline, Content: "X 外镇", Grid: f.OtherGrid,
		ActorName: "派单员", ActorRole: workorder.RoleDispatcher}); err != nil {
		t.Fatal(err)
	}
	return w
}

// fig is an expected figure: den (the count), num, and the value.
type fig struct {
	den, num int
	value    float64
}

func check(t *testing.T, label string, got kpi.Figures, want map[string]fig) {
	t.Helper()
	for key, wf := range want {
		g, ok := got[key]
		if !ok {
			t.Errorf("%s: no %s", label, key)
			continue
		}
		tol := 1e-9
		if key == kpi.P90HandlingHours && !strings.Contains(label, "scan") {
			// Kept: the histogram's bucket, within the bound docs/KPI.md gives.
			tol = max(daily.BucketRelErr*wf.value, daily.BucketAbsErr.Hours())
		}
		if g.Den != wf.den || g.Num != wf.num || g.Value == nil || math.Abs(*g.Value-wf.value) > tol {
			v := "nil"
			if g.Value != nil {
				v = strconv.FormatFloat(*g.Value, 'g', 6, 64)
			}
			t.Errorf("%s: %s = %d/%d (%s), want %d/%d (%g)", label, key, g.Num, g.Den, v, wf.num, wf.den, wf.value)
		}
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// November 2025 by hand (see build): received B C D E F G H K; filed B C D E F H; closed A B C E
// F K; due to close (deadline in November) A B C D E F H, of which A B C E F closed.
var november = map[string]fig{
	kpi.Received:             {8, 0, 8},
	kpi.Filed:                {6, 0, 6},
	kpi.Closed:               {6, 0, 6},
	kpi.ClosureRate:          {7, 5, 5.0 / 7},
	kpi.OnTimeClosureRate:    {6, 5, 5.0 / 6}, // E had a late handling run
	kpi.OnTimeFilingRate:     {8, 7, 7.0 / 8}, // B C D E F G K on time, H late
	kpi.OnTimeHandlingRate:   {6, 5, 5.0 / 6}, // A B C D F; E's second run late
	kpi.AccurateDispatchRate: {5, 4, 4.0 / 5}, // B C D E F dispatched, D returned
	kpi.ReworkRate:           {5, 1, 1.0 / 5}, // A B C E F verified, E failed
	kpi.RepeatComplaintRate:  {8, 1, 1.0 / 8}, // G
	kpi.SatisfactionRate:     {3, 2, 2.0 / 3}, // A satisfied, B basically, C dissatisfied; F's rating undone by the reopening
	kpi.FirstContactRate:     {5, 4, 4.0 / 5}, // B C E F on time, D accepted late
	kpi.AvgHandlingHours:     {5, 0, 92},      // (28 + 96 + 168 + 120 + 48) / 5
	kpi.P90HandlingHours:     {5, 0, 168},     // nearest rank: the 5th of 5
}

func TestFiguresByHand(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		p, err := kpi.PeriodOf("month", at("2025-11-15 12:00"))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := w.k.Compute(ctx, kpi.Query{Towns: w.f.Towns(), Period: p, By: "grid"})
		if err != nil {
			t.Fatal(err)
		}
		check(t, "November", rep.Total.Current, november)
		// The scan of the definitions gives the exact p90 (the kept one is within its bound).
		scan, err := w.k.Compute(ctx, kpi.Query{Towns: w.f.Towns(), Period: p, Keys: []string{kpi.P90HandlingHours}, Scan: true})
		if err != nil {
			t.Fatal(err)
		}
		check(t, "November (scan)", scan.Total.Current, map[string]fig{kpi.P90HandlingHours: november[kpi.P90HandlingHours]})
		// October (环比): A received, filed (on time) and dispatched there; nothing closed.
		check(t, "October", rep.Total.Previous, map[string]fig{
			kpi.Received: {1, 0, 1}, kpi.Filed: {1, 0, 1}, kpi.OnTimeFilingRate: {1, 1, 1}, kpi.AccurateDispatchRate: {1, 1, 1},
			kpi.FirstContactRate: {1, 1, 1},
		})
		check(t, "October", rep.Total.Previous, map[string]fig{kpi.Closed: {0, 0, 0}})
		if f := rep.Total.Previous[kpi.OnTimeClosureRate]; f.Den != 0 || f.Value != nil {
			t.Errorf("October on-time closure %+v, want no value", f)
		}
		// November 2024 (同比): J received.
		check(t, "last year", rep.Total.LastYear, map[string]fig{kpi.Received: {1, 0, 1}})
		if !rep.Previous.From.Equal(at("2025-10-01 00:00")) || !rep.LastYear.To.Equal(at("2024-12-01 00:00")) {
			t.Errorf("comparison periods %v, %v", rep.Previous, rep.LastYear)
		}
		// By grid: H is Grid2's only order.
		rows := map[string]kpi.Row{}
		for _, r := range rep.Rows {
			rows[r.Group] = r
		}
		check(t, "Grid2", rows[w.f.Grid2].Current, map[string]fig{kpi.Received: {1, 0, 1}, kpi.OnTimeFilingRate: {1, 0, 0}})
		check(t, "Grid", rows[w.f.Grid].Current, map[string]fig{kpi.Received: {7, 0, 7}, kpi.OnTimeFilingRate: {7, 7, 1}})
		if rows[w.f.Grid].Name != "新泾一村网格" {
			t.Errorf("grid name %q", rows[w.f.Grid].Name)
		}

		// Every figure links to exactly the orders it counts: the order list filtered by the
		// figure's condition has as many orders as the figure counts.
		for _, d := range kpi.Defs {
			for _, part := range []string{kpi.PartAll, kpi.PartNum} {
				if part == kpi.PartNum && d.Kind != kpi.Rate {
					continue
				}
				want := november[d.Key].den
				if part == kpi.PartNum {
					want = november[d.Key].num
				}
				if n := listed(t, w, d.Key, "", "", part, p); n != want {
					t.Errorf("%s part %q lists %d orders, the figure counts %d", d.Key, part, n, want)
				}
			}
		}
		if n := listed(t, w, kpi.Received, "grid", w.f.Grid2, "", p); n != 1 {
			t.Errorf("received in Grid2 lists %d", n)
		}
		if n := listed(t, w, kpi.OnTimeFilingRate, "grid", w.f.Grid2, kpi.PartNum, p); n != 0 {
			t.Errorf("on-time filing in Grid2 lists %d", n)
		}

		// The department breakdown: D's lead is sanitation after the re-dispatch; H has none.
		rep, err = w.k.Compute(ctx, kpi.Query{Towns: w.f.Towns(), Period: p, By: "department", Keys: []string{kpi.OnTimeHandlingRate, kpi.Received}})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rep.Rows {
			switch r.Group {
			case w.f.Sanitation:
				check(t, "sanitation", r.Current, map[string]fig{kpi.OnTimeHandlingRate: {6, 5, 5.0 / 6}, kpi.Received: {5, 0, 5}})
			case "":
				check(t, "no department", r.Current, map[string]fig{kpi.Received: {3, 0, 3}}) // G, H, K
			default:
				t.Errorf("unexpected department %q: %+v", r.Group, r.Current)
			}
		}
	})
}

// listed counts the orders the list shows for a figure's condition.
func listed(t *testing.T, w *world, key, by, group, part string, p kpi.Period) int {
	t.Helper()
	cond, args, err := kpi.Condition(key, by, group, part, p.From, p.To)
	if err != nil {
		t.Fatal(err)
	}
	n, err := w.s.Count(ctx, orders.Filter{Towns: w.f.Towns(), Conditions: []orders.Condition{{SQL: cond, Args: args}}}, orders.CountBound)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return n
}

// An approved appeal takes H out of the assessed figures, not out of the volumes or the record;
// the rankings' score follows the town's weights.
func TestExemptionAndRankings(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		p, _ := kpi.PeriodOf("month", at("2025-11-15 12:00"))
		leader := audit.Actor{ID: w.f.Leader, Name: "leader"}
		if _, err := w.k.Exempt(ctx, w.f.Towns(), "", "申诉通过", leader); err == nil {
			t.Fatal("exempted no order")
		}
		if _, err := w.k.Exempt(ctx, w.f.Towns(), "1", " ", leader); err == nil {
			t.Fatal("exempted without a reason")
		}
		if _, err := w.k.Exempt(ctx, []string{w.f.OtherTown}, itoa(w.ids["H 立案超时"]), "申诉通过", leader); err == nil {
			t.Fatal("exempted another town's order")
		}
		x, err := w.k.Exempt(ctx, w.f.Towns(), itoa(w.ids["H 立案超时"]), "系统故障导致立案延误，申诉通过", leader)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.k.Exempt(ctx, w.f.Towns(), x.Number, "again", leader); err == nil {
			t.Fatal("exempted twice")
		}
		var audited int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'kpi_exemption' AND entity_id = ?`, itoa(x.OrderID)).Scan(&audited); err != nil || audited != 1 {
			t.Fatalf("audit rows %d (%v)", audited, err)
		}
		rep, err := w.k.Compute(ctx, kpi.Query{Towns: w.f.Towns(), Period: p})
		if err != nil {
			t.Fatal(err)
		}
		check(t, "exempted", rep.Total.Current, map[string]fig{
			kpi.Received: {8, 0, 8}, kpi.Filed: {6, 0, 6}, // volumes keep H
			kpi.OnTimeFilingRate: {7, 7, 1}, kpi.ClosureRate: {6, 5, 5.0 / 6}, kpi.RepeatComplaintRate: {7, 1, 1.0 / 7},
		})
		if n := listed(t, w, kpi.OnTimeFilingRate, "", "", "", p); n != 7 {
			t.Errorf("exempted figure lists %d orders", n)
		}
		if n, err := w.s.Count(ctx, orders.Filter{Towns: w.f.Towns()}, orders.CountBound); err != nil || n != 10 {
			t.Errorf("the record has %d orders (%v), want all 10", n, err)
		}
		xs, err := w.k.Exemptions(ctx, w.f.Towns(), 10)
		if err != nil || len(xs) != 1 || xs[0].OrderID != x.OrderID || xs[0].By != "leader" {
			t.Fatalf("exemptions %+v (%v)", xs, err)
		}

		// Rankings of grids with weights 1 on-time filing, 1 repeat complaints: Grid2's only order
		// is exempted, so it has no row; Grid scores (1 + (1 − 1/7)) / 2 = 13/14.
		if _, err := db.Exec(ctx, `INSERT INTO settings (town_code, key, value) VALUES (?, ?, ?)`, w.f.Town, kpi.SettingWeights,
			`{"on_time_filing_rate": 1, "repeat_complaint_rate": 1}`); err != nil {
			t.Fatal(err)
		}
		rk, err := w.k.Rank(ctx, w.f.Towns(), "grid", p)
		if err != nil {
			t.Fatal(err)
		}
		if len(rk.Rows) != 1 || rk.Rows[0].Group != w.f.Grid || rk.Rows[0].Rank != 1 || rk.Rows[0].Score == nil ||
			math.Abs(*rk.Rows[0].Score-100*13.0/14) > 1e-9 {
			t.Fatalf("grid rankings %+v", rk.Rows)
		}
		// Departments with the defaults replaced by one weight on handling: sanitation 5/6.
		if _, err := db.Exec(ctx, `UPDATE settings SET value = ? WHERE town_code = ? AND key = ?`, `{"on_time_handling_rate": 3}`, w.f.Town, kpi.SettingWeights); err != nil {
			t.Fatal(err)
		}
		rk, err = w.k.Rank(ctx, w.f.Towns(), "department", p)
		if err != nil || len(rk.Rows) != 1 || rk.Rows[0].Group != w.f.Sanitation || math.Abs(*rk.Rows[0].Score-100*5.0/6) > 1e-9 {
			t.Fatalf("department rankings %+v (%v)", rk.Rows, err)
		}
		if _, err := kpi.ParseWeights(`{"received": 1}`); err == nil {
			t.Error("a weight on a volume was accepted")
		}
		if _, err := kpi.ParseWeights(`{"closure_rate": 0}`); err == nil {
			t.Error("all-zero weights were accepted")
		}
	})
}

// What is late on 20 November, by the owner of the late stage: the centre holds H's dispatch
// (due 6 Nov) and the callbacks of E and F (closed, never rated); the grid holds D's
// verification (reported 6 Nov, due 11 Nov). Each row lists exactly its orders.
func TestLateByOwner(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		now := at("2025-11-20 10:00")
		late, err := w.k.Late(ctx, w.f.Towns(), now)
		if err != nil {
			t.Fatal(err)
		}
		want := []kpi.LateOwner{{Kind: "centre", Code: w.f.Town, Name: "新泾镇", Orders: 3}, {Kind: "grid", Code: w.f.Grid, Name: "新泾一村网格", Orders: 1}}
		if !slices.Equal(late, want) {
			t.Fatalf("late %+v, want %+v", late, want)
		}
		for _, l := range late {
			cond, args, err := kpi.LateCondition(l.Kind, l.Code, now)
			if err != nil {
				t.Fatal(err)
			}
			if n, err := w.s.Count(ctx, orders.Filter{Towns: w.f.Towns(), Conditions: []orders.Condition{{SQL: cond, Args: args}}}, orders.CountBound); err != nil || n != l.Orders {
				t.Errorf("%s %s lists %d (%v), counts %d", l.Kind, l.Code, n, err, l.Orders)
			}
		}
		if _, _, err := kpi.LateCondition("mayor", "x", now); err == nil {
			t.Error("owner kind mayor accepted")
		}
		// The centre records that E's callback ended without a rating (回访结束: 未接通): the
		// callback finishes, late, and E leaves the centre's row and the total; nothing is rated.
		before, err := w.k.LateOrders(ctx, w.f.Towns(), now)
		if err != nil || before != 4 {
			t.Fatalf("orders with a late stage: %d (%v), want 4", before, err)
		}
		e, err := w.s.Get(ctx, w.f.Towns(), w.ids["E 返工"], false)
		if err != nil {
			t.Fatal(err)
		}
		w.do(e, "2025-11-20 10:00", w.f.Dispatcher, workorder.ActEndCallback, workorder.Input{CallbackOutcome: workorder.CallbackUnreachable})
		late, err = w.k.Late(ctx, w.f.Towns(), now)
		if err != nil {
			t.Fatal(err)
		}
		want[0].Orders = 2
		if !slices.Equal(late, want) {
			t.Fatalf("late after end_callback %+v, want %+v", late, want)
		}
		if n, err := w.k.LateOrders(ctx, w.f.Towns(), now); err != nil || n != 3 {
			t.Fatalf("orders with a late stage after end_callback: %d (%v), want 3", n, err)
		}
		// A co-handling department's late clock (协办) is an owner like the others.
		if cond, args, err := kpi.LateCondition("co_department", w.f.Market, now); err != nil {
			t.Errorf("owner kind co_department: %v", err)
		} else if n, err := w.s.Count(ctx, orders.Filter{Towns: w.f.Towns(), Conditions: []orders.Condition{{SQL: cond, Args: args}}}, orders.CountBound); err != nil || n != 0 {
			t.Errorf("co_department lists %d (%v), want 0: no order here has co-handlers", n, err)
		}
	})
}

func TestPeriods(t *testing.T) {
	for _, c := range []struct {
		kind, at, from, to, prev string
	}{
		{"day", "2026-03-01 15:00", "2026-03-01 00:00", "2026-03-02 00:00", "2026-02-28 00:00"},
		{"week", "2026-10-08 10:00", "2026-10-05 00:00", "2026-10-12 00:00", "2026-09-28 00:00"},
		{"month", "2026-03-31 23:00", "2026-03-01 00:00", "2026-04-01 00:00", "2026-02-01 00:00"},
		{"quarter", "2026-11-20 10:00", "2026-10-01 00:00", "2027-01-01 00:00", "2026-07-01 00:00"},
		{"year", "2026-06-01 10:00", "2026-01-01 00:00", "2027-01-01 00:00", "2025-01-01 00:00"},
	} {
		p, err := kpi.PeriodOf(c.kind, at(c.at))
		if err != nil || !p.From.Equal(at(c.from)) || !p.To.Equal(at(c.to)) || !p.Previous().From.Equal(at(c.prev)) || !p.Previous().To.Equal(p.From) {
			t.Errorf("%s of %s: %v – %v, previous %v (%v)", c.kind, c.at, p.From, p.To, p.Previous().From, err)
		}
	}
	p, err := kpi.ResolvePeriod("2026-10-01", "2026-10-31", "", at("2026-12-01 10:00"))
	if err != nil || !p.From.Equal(at("2026-10-01 00:00")) || !p.To.Equal(at("2026-11-01 00:00")) || !p.Previous().From.Equal(at("2026-09-01 00:00")) {
		t.Errorf("October by dates: %+v %v", p, err)
	}
	for _, bad := range [][3]string{{"2026-13-01", "", ""}, {"", "2026-10-01", ""}, {"2026-10-05", "2026-10-01", ""}, {"", "", "decade"}, {"2024-01-01", "2026-01-01", ""}} {
		if _, err := kpi.ResolvePeriod(bad[0], bad[1], bad[2], at("2026-12-01 10:00")); err == nil {
			t.Errorf("period %v accepted", bad)
		}
	}
	if v := kpi.Percentile([]float64{5, 1, 4, 2, 3, 6, 7, 8, 9, 10}, 0.9); v != 9 {
		t.Errorf("p90 of 1…10 = %g, want 9", v)
	}
}

// TestReportEqualsTheListConditions checks the report's shortcuts against the slow SQL on the
// hand-built set: for every dimension, the totals (of counts and rates: summed from the groups)
// and every group's figure equal a count of the orders Condition selects — the order list's
// kpi filter — for the figure and its numerator, in each period; and a report that leaves
// comparisons out has the same current figures and nothing in the periods left out.
func TestReportEqualsTheListConditions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		if _, err := w.k.Exempt(ctx, w.f.Towns(), itoa(w.ids["E 返工"]), "申诉通过", audit.Actor{ID: w.f.Leader, Name: "leader"}); err != nil {
			t.Fatal(err)
		}
		p, _ := kpi.PeriodOf("month", at("2025-11-15 12:00"))
		count := func(key, by, group, part string, q kpi.Period) int {
			t.Helper()
			cond, args, err := kpi.Condition(key, by, group, part, q.From, q.To)
			if err != nil {
				t.Fatal(err)
			}
			in, inArgs := store.In("town_code", w.f.Towns())
			var n int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM orders WHERE `+in+` AND `+cond, append(inArgs, args...)...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		same := func(label string, got kpi.Figure, d kpi.Def, by, group string, q kpi.Period) {
			t.Helper()
			den := count(d.Key, by, group, kpi.PartAll, q)
			num := 0
			if d.Kind == kpi.Rate {
				num = count(d.Key, by, group, kpi.PartNum, q)
			}
			if got.Den != den || got.Num != num {
				t.Errorf("%s %s: %d/%d, the list conditions select %d/%d", label, d.Key, got.Num, got.Den, num, den)
			}
		}
		full, err := w.k.Compute(ctx, kpi.Query{Towns: w.f.Towns(), Period: p})
		if err != nil {
			t.Fatal(err)
		}
		for _, dim := range append([]string{""}, dimensionKeys()...) {
			rep, err := w.k.Compute(ctx, kpi.Query{Towns: w.f.Towns(), Period: p, By: dim})
			if err != nil {
				t.Fatal(err)
			}
			for i, q := range []kpi.Period{rep.Period, rep.Previous, rep.LastYear} {
				pick := func(r kpi.Row) kpi.Figures { return [...]kpi.Figures{r.Current, r.Previous, r.LastYear}[i] }
				for _, d := range kpi.Defs {
					label := "by " + dim + " period " + strconv.Itoa(i) + " total"
					same(label, pick(rep.Total)[d.Key], d, "", "", q)
					if g, f := pick(rep.Total)[d.Key], pick(full.Total)[d.Key]; !sameFigure(g, f) {
						t.Errorf("%s %s: %+v, without a breakdown %+v", label, d.Key, g, f)
					}
					for _, row := range rep.Rows {
						same("by "+dim+" period "+strconv.Itoa(i)+" group "+row.Group, pick(row)[d.Key], d, dim, row.Group, q)
					}
				}
			}
			short, err := w.k.Compute(ctx, kpi.Query{Towns: w.f.Towns(), Period: p, By: dim, NoLastYear: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range kpi.Defs {
				if !sameFigure(short.Total.Current[d.Key], rep.Total.Current[d.Key]) || !sameFigure(short.Total.Previous[d.Key], rep.Total.Previous[d.Key]) {
					t.Errorf("by %s without last year: %s differs", dim, d.Key)
				}
			}
			if len(short.Total.LastYear) != 0 {
				t.Errorf("by %s: last year computed although left out: %v", dim, short.Total.LastYear)
			}
		}
		today, err := w.k.Compute(ctx, kpi.Query{Towns: w.f.Towns(), Period: p, NoPrevious: true, NoLastYear: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range kpi.Defs {
			if !sameFigure(today.Total.Current[d.Key], full.Total.Current[d.Key]) {
				t.Errorf("current only: %s differs", d.Key)
			}
		}
		if len(today.Total.Previous)+len(today.Total.LastYear) != 0 {
			t.Errorf("comparisons computed although left out")
		}
	})
}

func dimensionKeys() []string {
	var out []string
	for _, d := range kpi.Dimensions {
		out = append(out, d.Key)
	}
	return out
}

func sameFigure(a, b kpi.Figure) bool {
	if a.Den != b.Den || a.Num != b.Num || (a.Value == nil) != (b.Value == nil) {
		return false
	}
	return a.Value == nil || math.Abs(*a.Value-*b.Value) < 1e-9
}
