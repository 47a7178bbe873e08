// Package daily keeps the KPI figures per day (table kpi_daily, migration 0035): for each town,
// dimension, group and local calendar day, the numerators and denominators of every figure, so
// that a figure over a period is a sum over the period's days instead of a scan of its orders;
// and the histogram of handling times per closing day (table kpi_hours, migration 0036, hours.go)
// that the p90 handling time is read from.
//
// Contributions is the single source of truth: it says, for one order in its current state,
// which days and groups it adds to which figure. It mirrors the definitions of docs/KPI.md
// (the SQL conditions of package kpi, which the order list uses); the equivalence tests in
// package kpi check the two against each other on both databases. Upkeep is a difference: a
// writer takes the orders it changes before and after the change, inside its transaction (a
// lifecycle action from the rows it reads and writes anyway, the others with Load), and Apply
// adds the after-contributions less the before-ones (orders.Store does it for every creation,
// bulk import, lifecycle transition and channel update; kpi.Service.Exempt for exemptions).
// Rebuild recomputes the table from the orders.
//
// It imports no capability, so that orders can call it.
package daily

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// The dimensions, in the order of the dim column (and of kpi.Dimensions). The town dimension
// has no rows of its own (migration 0041): every order has exactly one channel, so a town's
// total is the sum of its channel rows, which Sum and SumHours read for it — a sixth fewer rows
// for every change of an order to write.
const (
	DimTown = iota
	DimGrid
	DimCommittee
	DimDepartment
	DimCategory
	DimChannel
	NDims
)

// DimOf maps a dimension key to its dim value.
var DimOf = map[string]int{"town": DimTown, "grid": DimGrid, "committee": DimCommittee, "department": DimDepartment,
	"category": DimCategory, "channel": DimChannel}

// The value columns of kpi_daily, in order.
const (
	cReceived = iota
	cFiled
	cClosed
	cCRDen
	cCRNum
	cOTCDen
	cOTCNum
	cFilDen
	cFilNum
	cHndDen
	cHndNum
	cDspDen
	cDspNum
	cRwkDen
	cRwkNum
	cRepDen
	cRepNum
	cSatDen
	cSatNum
	cFCDen
	cFCNum
	cHrsDen
	cHrsMs
	NCols
)

// Cols names the value columns.
var Cols = [NCols]string{"received", "filed", "closed", "cr_den", "cr_num", "otc_den", "otc_num", "fil_den", "fil_num",
	"hnd_den", "hnd_num", "dsp_den", "dsp_num", "rwk_den", "rwk_num", "rep_den", "rep_num", "sat_den", "sat_num",
	"fc_den", "fc_num", "hrs_den", "hrs_ms"}

// Figure says which columns hold a KPI key's den and num (num -1: none; for the average handling
// time, num is the summed milliseconds). The keys are package kpi's; p90_handling_hours has none
// (a percentile cannot be summed over days: kpi reads it from the histogram, SumHours).
var Figure = map[string][2]int{
	"received":               {cReceived, -1},
	"filed":                  {cFiled, -1},
	"closed":                 {cClosed, -1},
	"closure_rate":           {cCRDen, cCRNum},
	"on_time_closure_rate":   {cOTCDen, cOTCNum},
	"on_time_filing_rate":    {cFilDen, cFilNum},
	"on_time_handling_rate":  {cHndDen, cHndNum},
	"accurate_dispatch_rate": {cDspDen, cDspNum},
	"rework_rate":            {cRwkDen, cRwkNum},
	"repeat_complaint_rate":  {cRepDen, cRepNum},
	"satisfaction_rate":      {cSatDen, cSatNum},
	"first_contact_rate":     {cFCDen, cFCNum},
	"avg_handling_hours":     {cHrsDen, cHrsMs},
}

// ClosureNum is the column whose sum counts only rows with cday before the period's end.
const ClosureNum = cCRNum

// Day is the local calendar day (the calendar's zone) of a time in Unix milliseconds, as days
// since 1970-01-01.
func Day(ms int64) int32 { return DayOf(time.UnixMilli(ms)) }

// DayOf is Day of a time.
func DayOf(t time.Time) int32 {
	y, m, d := t.In(workcal.Location()).Date()
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// Aligned reports whether t is a local midnight, so that a period starting or ending there is a
// whole number of days.
func Aligned(t time.Time) bool {
	l := t.In(workcal.Location())
	y, m, d := l.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, workcal.Location()).Equal(l)
}

// Stage is what the contributions read of one stage run.
type Stage struct {
	Stage, Outcome string
	StartedAt      int64
	FinishedAt     int64 // 0: running
	OnTime         int   // -1 null, 0 late, 1 on time
	PausedMs       int64
}

// Order is what the contributions read of one order.
type Order struct {
	ID           int64
	Town         string
	Groups       [NDims]string // the dimensions' values, "" for none (town: the town)
	State        string
	Received     int64
	Filed        int64 // 0: none
	Deadline     int64
	Closed       int64
	Duplicate    bool
	Satisfaction string
	Exempt       bool
	Stages       []Stage
}

// ColHours is the Col of a term on the handling-time histogram (kpi_hours), in its Bucket.
const ColHours = NCols

// Term is one order's contribution to one column on one day (or, with Col ColHours, to one
// bucket of the handling-time histogram).
type Term struct {
	Day, PDay, CDay int32
	Col             int
	Bucket          int32
	V               int64
}

// Contributions lists what o adds to the figures: the definitions of docs/KPI.md, made additive
// over days. cal measures the handling time (working time, as the deadlines count it).
func Contributions(o *Order, cal *workcal.Calendar) []Term {
	var out []Term
	add := func(day int32, col int, v int64) {
		if v != 0 {
			out = append(out, Term{Day: day, Col: col, V: v})
		}
	}
	recv := Day(o.Received)
	add(recv, cReceived, 1)
	if o.Filed != 0 {
		add(Day(o.Filed), cFiled, 1)
	}
	closedState := o.State == "closed" || o.State == "rated"
	if o.Closed != 0 && closedState {
		add(Day(o.Closed), cClosed, 1)
	}
	if o.Exempt {
		// An exempted order leaves every rate and handling time, never the volumes.
		return out
	}
	// 重复投诉率: received in the period; num: merged as a duplicate.
	add(recv, cRepDen, 1)
	if o.Duplicate {
		add(recv, cRepNum, 1)
	}
	// 结案率: due in the period (deadline), not rejected or merged; num: closed before the
	// period's end — kept on a row of its closing day (cday), which the query compares.
	if o.Deadline != 0 && o.State != "rejected" && o.State != "merged" {
		t := Term{Day: Day(o.Deadline), Col: cCRDen, V: 1}
		if o.Closed != 0 {
			// Closed by its deadline's day: before the end of any period that holds that day, so
			// the row needs no closing day (most orders: the rows stay few).
			if cd := Day(o.Closed); cd > t.Day {
				t.CDay = cd
			}
			out = append(out, t)
			t.Col = cCRNum
		}
		out = append(out, t)
	}
	var handlingLate, handled bool
	var handlingMs int64
	for _, s := range o.Stages {
		if s.Stage != "handling" {
			continue
		}
		if s.OnTime == 0 {
			handlingLate = true
		}
		if s.FinishedAt != 0 {
			handled = true
			w := cal.WorkingDuration(store.FromMillis(s.StartedAt), store.FromMillis(s.FinishedAt)) - time.Duration(s.PausedMs)*time.Millisecond
			handlingMs += max(w, 0).Milliseconds()
		}
	}
	if o.Closed != 0 && closedState {
		cd := Day(o.Closed)
		// 按期结案率: closed in the period; num: no handling run was late.
		add(cd, cOTCDen, 1)
		if !handlingLate {
			add(cd, cOTCNum, 1)
		}
		// 平均办理时长: closed after a handling stage; the sum of its handling time. P90: the
		// same orders, in the histogram's bucket of their handling time.
		if handled {
			add(cd, cHrsDen, 1)
			out = append(out, Term{Day: cd, Col: cHrsMs, V: handlingMs}, Term{Day: cd, Col: ColHours, Bucket: Bucket(handlingMs), V: 1})
		}
	}
	// The figures over runs of a stage that ended in the period: an order counts once however
	// many of its runs ended in it. days collects the days of the runs that match.
	days := func(stage string, outcomes []string, lateOnly bool) []int32 {
		var ds []int32
		for _, s := range o.Stages {
			if s.Stage != stage || s.FinishedAt == 0 || (outcomes != nil && !slices.Contains(outcomes, s.Outcome)) || (lateOnly && s.OnTime != 0) {
				continue
			}
			ds = append(ds, Day(s.FinishedAt))
		}
		slices.Sort(ds)
		return slices.Compact(ds)
	}
	// onTime: den the orders with a matching run in the period, num those none of whose
	// matching runs in the period was late: num = [any run in it] − [any late run in it].
	onTime := func(stage string, outcomes []string, den, num int) {
		all, late := days(stage, outcomes, false), days(stage, outcomes, true)
		out = once(out, all, den, 1)
		out = once(out, all, num, 1)
		out = once(out, late, num, -1)
	}
	onTime("filing", nil, cFilDen, cFilNum)
	onTime("handling", []string{"report"}, cHndDen, cHndNum)
	onTime("first_contact", []string{"accept", "report"}, cFCDen, cFCNum)
	// 准确派遣率: dispatched in the period; num: not returned in it.
	// [D and not R] = [D] − [D and R] = [D ∪ R] − [R] (each "any day in the period").
	dispatched, returned := days("dispatch", []string{"dispatch"}, false), days("handling", []string{"return"}, false)
	out = once(out, dispatched, cDspDen, 1)
	if len(dispatched) > 0 || len(returned) > 0 {
		both := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(dispatched), returned...))))
		out = once(out, both, cDspNum, 1)
		out = once(out, returned, cDspNum, -1)
	}
	// 返工率: verified in the period; num: failed a verification in it (a subset).
	out = once(out, days("verification", []string{"verify_pass", "verify_fail"}, false), cRwkDen, 1)
	out = once(out, days("verification", []string{"verify_fail"}, false), cRwkNum, 1)
	// 满意率: rated in the period and the rating stands; num: (basically) satisfied.
	if o.Satisfaction != "" {
		rated := days("callback", []string{"rate"}, false)
		out = once(out, rated, cSatDen, 1)
		if o.Satisfaction == "satisfied" || o.Satisfaction == "basically_satisfied" {
			out = once(out, rated, cSatNum, 1)
		}
	}
	return out
}

// once adds sign × [the order has one of days in the period] to col, additively over days: +1 on
// each day, and −1 on each day but the first with pday the day before it in days — a correction
// counted only when that earlier day is in the period too (pday >= its first day). Over any
// range of days the terms in it sum to 1 when it holds one of days or more, else 0.
func once(out []Term, days []int32, col int, sign int64) []Term {
	for i, d := range days {
		out = append(out, Term{Day: d, Col: col, V: sign})
		if i > 0 {
			out = append(out, Term{Day: d, PDay: days[i-1], Col: col, V: -sign})
		}
	}
	return out
}

// Key is one row of kpi_daily.
type Key struct {
	Town       string
	Dim        int
	Day        int32
	Group      string
	PDay, CDay int32
}

// Delta collects changes to rows of kpi_daily and of kpi_hours.
type Delta struct {
	Rows  map[Key]*[NCols]int64
	Hours map[HourKey]int64
}

// NewDelta is an empty Delta.
func NewDelta() Delta { return Delta{Rows: map[Key]*[NCols]int64{}, Hours: map[HourKey]int64{}} }

// Len is how many rows d changes.
func (d Delta) Len() int { return len(d.Rows) + len(d.Hours) }

// Add puts sign × the contributions of o into d.
func (d Delta) Add(o *Order, cal *workcal.Calendar, sign int64) {
	if o == nil {
		return
	}
	for _, t := range Contributions(o, cal) {
		for dim := DimTown + 1; dim < NDims; dim++ { // the town's: none (DimTown)
			d.put(o.Town, dim, o.Groups[dim], t, sign*t.V)
		}
	}
}

// put adds v to the row of term t in group g of dim (the town dimension: none, see DimTown).
func (d Delta) put(town string, dim int, g string, t Term, v int64) {
	if dim == DimTown {
		return
	}
	if t.Col == ColHours {
		d.Hours[HourKey{Town: town, Dim: dim, Day: t.Day, Group: g, Bucket: t.Bucket}] += v
		return
	}
	k := Key{Town: town, Dim: dim, Day: t.Day, Group: g, PDay: t.PDay, CDay: t.CDay}
	row := d.Rows[k]
	if row == nil {
		row = new([NCols]int64)
		d.Rows[k] = row
	}
	row[t.Col] += v
}

// AddChange puts the contributions of after less those of before (either nil: none) into d. A
// change of one order keeps most of its terms: they cancel once, before they are spread over
// the dimensions, in every dimension whose group the change keeps; only a dimension whose group
// changes (a filing's category, a dispatch's department) moves all of the order's terms.
func (d Delta) AddChange(before, after *Order, cal *workcal.Calendar) {
	if before == nil || after == nil || before.Town != after.Town {
		d.Add(before, cal, -1)
		d.Add(after, cal, 1)
		return
	}
	was, now := Contributions(before, cal), Contributions(after, cal)
	// The net value of each term, keyed by the term without its value.
	net := make(map[Term]int64, len(now))
	for _, t := range was {
		v := t.V
		t.V = 0
		net[t] -= v
	}
	for _, t := range now {
		v := t.V
		t.V = 0
		net[t] += v
	}
	for dim := DimTown + 1; dim < NDims; dim++ { // the town's: none (DimTown)
		if g := after.Groups[dim]; g == before.Groups[dim] {
			for t, v := range net {
				if v != 0 {
					d.put(after.Town, dim, g, t, v)
				}
			}
			continue
		}
		for _, t := range was {
			d.put(before.Town, dim, before.Groups[dim], t, -t.V)
		}
		for _, t := range now {
			d.put(after.Town, dim, after.Groups[dim], t, t.V)
		}
	}
}

// Change is the difference of the orders' contributions after and before a change (an order
// missing on one side contributes nothing there).
func Change(before, after map[int64]*Order, cal *workcal.Calendar) Delta {
	d := NewDelta()
	for id, o := range before {
		d.AddChange(o, after[id], cal)
	}
	for id, o := range after {
		if _, ok := before[id]; !ok {
			d.Add(o, cal, 1)
		}
	}
	return d
}

// orderCols are the columns Load reads, with the exemption.
const orderCols = `o.id, o.town_code, COALESCE(o.grid_code, ''), COALESCE(o.committee_code, ''), COALESCE(o.department_code, ''),
	o.category_code, o.channel, o.state, o.received_at, COALESCE(o.filed_at, 0), COALESCE(o.deadline_at, 0), COALESCE(o.closed_at, 0),
	COALESCE(o.duplicate_of, 0), o.satisfaction,
	CASE WHEN EXISTS (SELECT 1 FROM kpi_exemptions x WHERE x.order_id = o.id) THEN 1 ELSE 0 END`

// Load reads the orders of ids (at most a few thousand) and their stage runs as the
// contributions need them, in one statement; an id with no order is absent from the map.
func Load(ctx context.Context, q store.Querier, ids []int64) (map[int64]*Order, error) {
	return load(ctx, q, ids)
}

// LoadLocked is Load of one order after locking its row (PostgreSQL: SELECT … FOR UPDATE): what
// a writer reads before its change, so that a concurrent change of the order (an action, an
// exemption) waits for it and cannot interleave. The lock is a statement of its own: a
// FOR UPDATE on the loading join would, after waiting, return the order's new row with the
// stage runs of the statement's older snapshot.
func LoadLocked(ctx context.Context, q store.Querier, id int64) (map[int64]*Order, error) {
	if q.Dialect() == store.Postgres {
		if _, err := q.Exec(ctx, `SELECT id FROM orders WHERE id = ? FOR UPDATE`, id); err != nil {
			return nil, fmt.Errorf("kpi daily: lock order %d: %w", id, err)
		}
	}
	return Load(ctx, q, []int64{id})
}

func load(ctx context.Context, q store.Querier, ids []int64) (map[int64]*Order, error) {
	out := make(map[int64]*Order, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	if len(ids) <= 2 {
		q = store.Prepared(q) // an order change's (a channel's update, an exemption): one text
	}
	rows, err := q.Query(ctx, `SELECT `+orderCols+`, s.stage, s.outcome, s.started_at, COALESCE(s.finished_at, 0), COALESCE(s.on_time, -1), s.paused_working_ms
		FROM orders o LEFT JOIN order_stages s ON s.order_id = o.id WHERE o.id IN (`+store.Placeholders(len(ids))+`) ORDER BY o.id, s.seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("kpi daily: orders: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		o := &Order{}
		var dup int64
		var exempt int
		var stage, outcome sql.NullString
		var started, finished, onTime, paused sql.NullInt64
		if err := rows.Scan(&o.ID, &o.Town, &o.Groups[DimGrid], &o.Groups[DimCommittee], &o.Groups[DimDepartment],
			&o.Groups[DimCategory], &o.Groups[DimChannel], &o.State, &o.Received, &o.Filed, &o.Deadline, &o.Closed,
			&dup, &o.Satisfaction, &exempt, &stage, &outcome, &started, &finished, &onTime, &paused); err != nil {
			return nil, err
		}
		if was := out[o.ID]; was != nil {
			o = was
		} else {
			o.Groups[DimTown] = o.Town
			o.Duplicate, o.Exempt = dup != 0, exempt == 1
			out[o.ID] = o
		}
		if stage.Valid {
			o.Stages = append(o.Stages, Stage{Stage: stage.String, Outcome: outcome.String, StartedAt: started.Int64,
				FinishedAt: finished.Int64, OnTime: int(onTime.Int64), PausedMs: paused.Int64})
		}
	}
	return out, rows.Err()
}

func scanOrders(ctx context.Context, q store.Querier, query string, args []any, out map[int64]*Order) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("kpi daily: orders: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		o := &Order{}
		var dup int64
		var exempt int
		if err := rows.Scan(&o.ID, &o.Town, &o.Groups[DimGrid], &o.Groups[DimCommittee], &o.Groups[DimDepartment],
			&o.Groups[DimCategory], &o.Groups[DimChannel], &o.State, &o.Received, &o.Filed, &o.Deadline, &o.Closed,
			&dup, &o.Satisfaction, &exempt); err != nil {
			return err
		}
		o.Groups[DimTown] = o.Town
		o.Duplicate, o.Exempt = dup != 0, exempt == 1
		out[o.ID] = o
	}
	return rows.Err()
}

func scanStages(ctx context.Context, q store.Querier, query string, args []any, out map[int64]*Order) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("kpi daily: stages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var s Stage
		var outcome sql.NullString
		if err := rows.Scan(&id, &s.Stage, &outcome, &s.StartedAt, &s.FinishedAt, &s.OnTime, &s.PausedMs); err != nil {
			return err
		}
		s.Outcome = outcome.String
		if o := out[id]; o != nil {
			o.Stages = append(o.Stages, s)
		}
	}
	return rows.Err()
}

// Apply adds d to kpi_daily and kpi_hours inside tx: one upsert per row that changes, in key
// order, kpi_daily's before kpi_hours' (so that concurrent writers on PostgreSQL take the rows'
// locks in one order and cannot deadlock), many rows per statement.
func Apply(ctx context.Context, tx store.Querier, d Delta) error {
	if err := applyRows(ctx, tx, d.Rows); err != nil {
		return err
	}
	return applyHours(ctx, tx, d.Hours)
}

// With is, on PostgreSQL, a WITH clause that upserts the kpi_daily rows of d (as Apply would),
// to put before a statement of the caller's that must run anyway — a lifecycle action's update
// of the order — so that the upkeep costs no round trip of its own; its arguments come first.
// d's rows are then applied: With empties d.Rows (d.Hours stay for Apply). On SQLite, or when
// the rows need more than one statement, it returns "" and leaves d as it is.
func With(q store.Querier, d *Delta) (string, []any) {
	if q.Dialect() != store.Postgres || len(d.Rows) > preparedRows {
		return "", nil
	}
	rows, cols := changedRows(d.Rows)
	d.Rows = map[Key]*[NCols]int64{}
	if len(rows) == 0 {
		return "", nil
	}
	return `WITH kpi_upsert AS (` + upsertSQL(len(rows), cols) + `) `, upsertArgs(rows, cols)
}

// row is one row of a Delta to write.
type row struct {
	k Key
	v *[NCols]int64
}

// changedRows are the rows of d that change something, in key order, and the columns that any
// of them changes: a transition changes one or two figures, and a statement naming all 23
// columns costs more than the rows it writes.
func changedRows(d map[Key]*[NCols]int64) ([]row, []int) {
	rows := make([]row, 0, len(d))
	var changed [NCols]bool
	for k, v := range d {
		if *v != ([NCols]int64{}) {
			rows = append(rows, row{k, v})
			for c, x := range v {
				changed[c] = changed[c] || x != 0
			}
		}
	}
	slices.SortFunc(rows, func(a, b row) int { return a.k.compare(b.k) })
	var cols []int
	for c, ch := range changed {
		if ch {
			cols = append(cols, c)
		}
	}
	return rows, cols
}

func upsertArgs(rows []row, cols []int) []any {
	args := make([]any, 0, len(rows)*(6+len(cols)))
	for _, r := range rows {
		k := r.k
		args = append(args, k.Town, k.Dim, k.Day, k.Group, k.PDay, k.CDay)
		for _, c := range cols {
			args = append(args, r.v[c])
		}
	}
	return args
}

func applyRows(ctx context.Context, tx store.Querier, d map[Key]*[NCols]int64) error {
	rows, cols := changedRows(d)
	if len(rows) == 0 {
		return nil
	}
	const perStmt = 200 // at most 29 parameters a row: under SQLite's and PostgreSQL's limits
	if len(rows) <= preparedRows {
		tx = store.Prepared(tx)
	}
	for start := 0; start < len(rows); start += perStmt {
		batch := rows[start:min(start+perStmt, len(rows))]
		if _, err := tx.Exec(ctx, upsertSQL(len(batch), cols), upsertArgs(batch, cols)...); err != nil {
			return fmt.Errorf("kpi daily: upsert: %w", err)
		}
	}
	return nil
}

// preparedRows: an upsert of at most so many rows — an order change's, a few variants of rows
// and columns — runs prepared once (store.Prepared); a rebuild's or an import's, of many
// different sizes, as a plain statement.
const preparedRows = 36

func (a Key) compare(b Key) int {
	return cmp.Or(cmp.Compare(a.Town, b.Town), cmp.Compare(a.Dim, b.Dim), cmp.Compare(a.Day, b.Day),
		cmp.Compare(a.Group, b.Group), cmp.Compare(a.PDay, b.PDay), cmp.Compare(a.CDay, b.CDay))
}

var upserts sync.Map // rows and columns → statement

func upsertSQL(n int, cols []int) string {
	key := fmt.Sprint(n, cols)
	if q, ok := upserts.Load(key); ok {
		return q.(string)
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = Cols[c]
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO kpi_daily (town_code, dim, day, grp, pday, cday, ` + strings.Join(names, ", ") + `) VALUES `)
	row := "(" + store.Placeholders(6+len(cols)) + ")"
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteString(` ON CONFLICT (town_code, dim, day, grp, pday, cday) DO UPDATE SET `)
	for i, c := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c + ` = kpi_daily.` + c + ` + excluded.` + c)
	}
	upserts.Store(key, b.String())
	return b.String()
}
