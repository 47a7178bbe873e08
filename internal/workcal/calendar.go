package workcal

import (
	"embed"
	"fmt"
	"io/fs"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // deadlines must not depend on the host having zone files
)

const (
	// FirstYear and LastYear bound the years a Calendar holds per-day data
	// for; outside them every day is judged by weekday alone.
	FirstYear = 2000
	LastYear  = 2099

	baseDay = 10957 // 2000-01-01 as days since 1970-01-01
	nDays   = 36525 // 2000-01-01 .. 2099-12-31
	endDay  = baseDay + nDays
	nWords  = (nDays + 63) / 64

	// utcOffset is Asia/Shanghai's offset, constant since 1991.
	utcOffset = 8 * 3600
	secPerDay = 86400
	workDay   = 24 * time.Hour
)

var shanghai = mustLoadShanghai()

func mustLoadShanghai() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		// Unreachable with time/tzdata linked in; a fixed zone keeps the
		// arithmetic right even so.
		return time.FixedZone("CST", utcOffset)
	}
	return loc
}

// Location returns Asia/Shanghai, the zone every calendar day is reckoned in.
func Location() *time.Location { return shanghai }

// Interval is a span of time, typically a suspension (挂起) of a work order.
// A zero End means the interval is still open.
type Interval struct {
	Start time.Time
	End   time.Time
}

// Open reports whether the interval has not ended yet.
func (iv Interval) Open() bool { return iv.End.IsZero() }

// table is immutable once published; Add builds a new one (copy on write)
// so readers never lock.
type table struct {
	bits  [nWords]uint64
	cum   []uint32 // cum[i] = working days in [baseDay, baseDay+i)
	known [LastYear - FirstYear + 1]bool
}

// Calendar answers working-day questions. It is safe for concurrent use;
// reads never block, Add is serialised. The zero value is a plain
// Monday–Friday calendar.
type Calendar struct {
	mu  sync.Mutex
	tab atomic.Pointer[table]
}

var (
	plainOnce sync.Once
	plainTab  *table

	defaultOnce sync.Once
	defaultTab  *table
	defaultErr  error
)

//go:embed data/*.json
var dataFS embed.FS

func plainTable() *table {
	plainOnce.Do(func() {
		t := &table{}
		for i := int64(0); i < nDays; i++ {
			if weekdayWorks(baseDay + i) {
				t.bits[i>>6] |= 1 << (uint(i) & 63)
			}
		}
		t.recount()
		plainTab = t
	})
	return plainTab
}

// New returns a calendar with no holiday data: Monday–Friday only.
func New() *Calendar { return &Calendar{} }

// Default returns a calendar holding the embedded official calendars
// (2024–2026). Each call returns an independent Calendar, so Add on one does
// not affect another.
func Default() *Calendar {
	defaultOnce.Do(func() {
		t := plainTable()
		entries, err := fs.ReadDir(dataFS, "data")
		if err != nil {
			defaultErr = err
			return
		}
		for _, e := range entries {
			f, err := dataFS.Open("data/" + e.Name())
			if err != nil {
				defaultErr = err
				return
			}
			y, err := ParseYear(f)
			f.Close()
			if err != nil {
				defaultErr = fmt.Errorf("embedded %s: %w", e.Name(), err)
				return
			}
			c, _ := y.compile() // ParseYear already validated
			t = t.with(c)
		}
		defaultTab = t
	})
	if defaultErr != nil {
		// Embedded data is part of the build and covered by tests; a
		// failure here is a programming error, not bad input.
		panic("workcal: " + defaultErr.Error())
	}
	c := &Calendar{}
	c.tab.Store(defaultTab)
	return c
}

func (c *Calendar) load() *table {
	if t := c.tab.Load(); t != nil {
		return t
	}
	return plainTable()
}

// Add installs (or replaces) the calendar of one year. A replaced year is
// rebuilt from scratch, so days dropped from the new data revert to their
// weekday rule.
func (c *Calendar) Add(y Year) error {
	comp, err := y.compile()
	if err != nil {
		return fmt.Errorf("calendar year %d: %w", y.Year, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tab.Store(c.load().with(comp))
	return nil
}

// Known reports whether official holiday data is loaded for year; for other
// years the calendar assumes plain Monday–Friday.
func (c *Calendar) Known(year int) bool {
	if year < FirstYear || year > LastYear {
		return false
	}
	return c.load().known[year-FirstYear]
}

// IsWorkday reports whether t's calendar day (in Asia/Shanghai) is a
// working day.
func (c *Calendar) IsWorkday(t time.Time) bool {
	day, _ := split(t)
	return c.load().works(day)
}

// AddWorkingDays returns the same clock time on the n-th working day after
// start's day; see the package documentation for the rule when start is not
// a working day. n <= 0 returns start. It does not allocate.
func (c *Calendar) AddWorkingDays(start time.Time, n int) time.Time {
	if n <= 0 {
		return start
	}
	tab := c.load()
	day, clock := split(start)
	if !tab.works(day) {
		day, clock = tab.nthWorkdayAfter(day, 1), 0
	}
	return join(tab.nthWorkdayAfter(day, n), clock)
}

// WorkingDuration returns the working time between from and to: 24 hours
// for each whole working day, the part inside [from, to) of partial ones.
// It returns 0 when to is not after from.
func (c *Calendar) WorkingDuration(from, to time.Time) time.Duration {
	return c.load().duration(from, to)
}

// Deadline returns when days working days of handling time run out for an
// order received at received, given the intervals it was suspended
// (suspended working time does not count). An open suspension (zero End)
// means the clock is stopped until further notice: if it starts before the
// time runs out, Deadline returns the zero Time ("no deadline while
// suspended"); use DeadlineAt to get the deadline as if it resumed at now.
func (c *Calendar) Deadline(received time.Time, days int, suspensions []Interval) time.Time {
	if days <= 0 {
		return received
	}
	tab := c.load()
	if len(suspensions) == 0 {
		return c.AddWorkingDays(received, days)
	}
	ivs := sortedIntervals(suspensions)
	cur := received
	remaining := time.Duration(days) * workDay
	for _, iv := range ivs {
		if !iv.Open() && !iv.End.After(cur) {
			continue
		}
		if iv.Start.After(cur) {
			gap := tab.duration(cur, iv.Start)
			if remaining <= gap {
				return tab.addWorking(cur, remaining)
			}
			remaining -= gap
		}
		if iv.Open() {
			return time.Time{}
		}
		cur = iv.End
	}
	return tab.addWorking(cur, remaining)
}

// DeadlineAt is Deadline with open suspensions taken to end at now.
func (c *Calendar) DeadlineAt(received time.Time, days int, suspensions []Interval, now time.Time) time.Time {
	return c.Deadline(received, days, closeAt(suspensions, now))
}

// Fraction returns the share of the allowed working time already used at
// now: 0 at received, 1 at deadline, above 1 when overdue. Suspended
// working time counts neither as used nor as allowed; an open suspension
// (zero End) lasts until now. It is meant for warnings such as "80 % of
// the time used".
func (c *Calendar) Fraction(received, deadline, now time.Time, suspensions []Interval) float64 {
	tab := c.load()
	ivs := sortedIntervals(closeAt(suspensions, now))
	allowed := tab.duration(received, deadline) - tab.suspended(received, deadline, ivs)
	used := tab.duration(received, now) - tab.suspended(received, now, ivs)
	if used <= 0 {
		return 0
	}
	if allowed <= 0 {
		return 1
	}
	return float64(used) / float64(allowed)
}

// split returns t's Shanghai day number and the time since that day's
// midnight.
func split(t time.Time) (day int64, clock time.Duration) {
	secs := t.Unix() + utcOffset
	day = secs / secPerDay
	if secs%secPerDay < 0 {
		day--
	}
	rem := secs - day*secPerDay
	return day, time.Duration(rem)*time.Second + time.Duration(t.Nanosecond())
}

func join(day int64, clock time.Duration) time.Time {
	return time.Unix(day*secPerDay-utcOffset, int64(clock)).In(shanghai)
}

// weekday returns 0 for Sunday … 6 for Saturday; day 0 was a Thursday.
func weekday(day int64) int64 {
	w := (day + 4) % 7
	if w < 0 {
		w += 7
	}
	return w
}

func weekdayWorks(day int64) bool {
	w := weekday(day)
	return w != 0 && w != 6
}

func (t *table) works(day int64) bool {
	if day < baseDay || day >= endDay {
		return weekdayWorks(day)
	}
	i := day - baseDay
	return t.bits[i>>6]&(1<<(uint(i)&63)) != 0
}

func (t *table) recount() {
	t.cum = make([]uint32, nDays+1)
	var n uint32
	for i := 0; i < nDays; i++ {
		if t.bits[i>>6]&(1<<(uint(i)&63)) != 0 {
			n++
		}
		t.cum[i+1] = n
	}
}

// with returns a copy of t with one year's data applied.
func (t *table) with(c compiled) *table {
	nt := &table{bits: t.bits, known: t.known}
	first, last := civilDay(c.year, time.January, 1), civilDay(c.year+1, time.January, 1)
	for d := first; d < last; d++ {
		nt.set(d, weekdayWorks(d))
	}
	for _, d := range c.holidays {
		nt.set(d, false)
	}
	for _, d := range c.workdays {
		nt.set(d, true)
	}
	nt.known[c.year-FirstYear] = true
	nt.recount()
	return nt
}

func (t *table) set(day int64, work bool) {
	i := day - baseDay
	if work {
		t.bits[i>>6] |= 1 << (uint(i) & 63)
	} else {
		t.bits[i>>6] &^= 1 << (uint(i) & 63)
	}
}

// count returns the number of working days in [a, b).
func (t *table) count(a, b int64) int64 {
	if b <= a {
		return 0
	}
	var n int64
	if a < baseDay {
		n += weekdayCount(a, min(b, baseDay))
		a = baseDay
	}
	if b > endDay {
		n += weekdayCount(max(a, endDay), b)
		b = endDay
	}
	if a < b {
		n += int64(t.cum[b-baseDay] - t.cum[a-baseDay])
	}
	return n
}

func weekdayCount(a, b int64) int64 {
	if b <= a {
		return 0
	}
	weeks := (b - a) / 7
	n := weeks * 5
	for d := a + weeks*7; d < b; d++ {
		if weekdayWorks(d) {
			n++
		}
	}
	return n
}

// nthWorkdayAfter returns the n-th working day strictly after day (n >= 1).
func (t *table) nthWorkdayAfter(day int64, n int) int64 {
	d := day
	if n > 64 && d+1 >= baseDay && d+1 < endDay {
		// Long spans: binary search the prefix counts instead of walking.
		i := d + 1 - baseDay
		target := uint64(t.cum[i]) + uint64(n)
		if target <= uint64(t.cum[nDays]) {
			lo, hi := i+1, int64(nDays)
			for lo < hi {
				mid := int64(uint64(lo+hi) >> 1)
				if uint64(t.cum[mid]) < target {
					lo = mid + 1
				} else {
					hi = mid
				}
			}
			return baseDay + lo - 1
		}
		n -= int(t.cum[nDays] - t.cum[i])
		d = endDay - 1
	}
	for n > 0 {
		if n > 5 && (d+1 >= endDay || d+7 < baseDay) {
			d += 7 // a whole plain week outside the table holds 5 working days
			n -= 5
			continue
		}
		d++
		if t.works(d) {
			n--
		}
	}
	return d
}

func (t *table) duration(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	df, cf := split(from)
	dt, ct := split(to)
	if df == dt {
		if t.works(df) {
			return ct - cf
		}
		return 0
	}
	var d time.Duration
	if t.works(df) {
		d += workDay - cf
	}
	if t.works(dt) {
		d += ct
	}
	return d + time.Duration(t.count(df+1, dt))*workDay
}

// addWorking moves start forward by d of working time. Landing exactly on
// the end of a working day yields 00:00 of the next working day.
func (t *table) addWorking(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start
	}
	day, clock := split(start)
	if !t.works(day) {
		day, clock = t.nthWorkdayAfter(day, 1), 0
	}
	avail := workDay - clock
	if d < avail {
		return join(day, clock+d)
	}
	d -= avail
	full := d / workDay
	return join(t.nthWorkdayAfter(day, 1+int(full)), d-full*workDay)
}

// suspended returns the working time inside [from, to) covered by the union
// of ivs, which must be sorted by Start and closed.
func (t *table) suspended(from, to time.Time, ivs []Interval) time.Duration {
	var sum time.Duration
	cur := from
	for _, iv := range ivs {
		s := iv.Start
		if s.Before(cur) {
			s = cur
		}
		e := iv.End
		if e.After(to) {
			e = to
		}
		if e.After(s) {
			sum += t.duration(s, e)
			cur = e
		}
	}
	return sum
}

func sortedIntervals(ivs []Interval) []Interval {
	out := make([]Interval, len(ivs))
	copy(out, ivs)
	// Insertion sort: suspension lists are short and usually sorted.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Start.Before(out[j-1].Start); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func closeAt(ivs []Interval, now time.Time) []Interval {
	out := make([]Interval, len(ivs))
	for i, iv := range ivs {
		if iv.Open() {
			iv.End = now
		}
		out[i] = iv
	}
	return out
}

func civilDay(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / secPerDay
}

// Clock is a service's clock: time.Now in production, a fixed or settable time in tests. The
// zero Clock (nil) reads the wall clock, so a service built without its constructor still works.
type Clock func() time.Time

// Time returns the clock's time.
func (c Clock) Time() time.Time {
	if c == nil {
		return time.Now()
	}
	return c()
}
