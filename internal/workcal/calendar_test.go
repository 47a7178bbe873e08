package workcal

import (
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
)

// at builds a Shanghai time; tests read like the orders they describe.
func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, Location())
}

func TestTableConstants(t *testing.T) {
	if got := civilDay(FirstYear, time.January, 1); got != baseDay {
		t.Errorf("baseDay = %d, want %d", baseDay, got)
	}
	if got := civilDay(LastYear+1, time.January, 1); got != endDay {
		t.Errorf("endDay = %d, want %d", endDay, got)
	}
	if Location().String() != "Asia/Shanghai" {
		t.Errorf("Location() = %s", Location())
	}
}

func TestIsWorkday(t *testing.T) {
	cal := Default()
	tests := []struct {
		date string
		want bool
		why  string
	}{
		{"2024-02-04", true, "2024 Spring Festival 调休 Sunday"},
		{"2024-02-09", true, "2024 除夕 is only encouraged off, officially a working Friday"},
		{"2024-02-10", false, "2024 Spring Festival"},
		{"2024-02-18", true, "2024 Spring Festival 调休 Sunday"},
		{"2024-06-10", false, "2024 Dragon Boat (Monday)"},
		{"2024-09-29", true, "2024 National Day 调休 Sunday"},
		{"2024-10-12", true, "2024 National Day 调休 Saturday"},
		{"2025-01-01", false, "2025 New Year"},
		{"2025-01-26", true, "2025 Spring Festival 调休 Sunday"},
		{"2025-01-27", true, "ordinary Monday"},
		{"2025-01-28", false, "2025 除夕"},
		{"2025-02-04", false, "2025 Spring Festival last day"},
		{"2025-02-05", true, "first day back"},
		{"2025-02-08", true, "2025 Spring Festival 调休 Saturday"},
		{"2025-04-27", true, "2025 May Day 调休 Sunday"},
		{"2025-05-05", false, "2025 May Day"},
		{"2025-06-02", false, "2025 Dragon Boat Monday"},
		{"2025-09-28", true, "2025 National Day 调休 Sunday"},
		{"2025-10-01", false, "2025 National Day"},
		{"2025-10-08", false, "2025 National Day + Mid-Autumn last day"},
		{"2025-10-09", true, "first day back"},
		{"2025-10-11", true, "2025 National Day 调休 Saturday"},
		{"2025-10-12", false, "ordinary Sunday"},
		{"2026-01-02", false, "2026 New Year"},
		{"2026-01-04", true, "2026 New Year 调休 Sunday"},
		{"2026-02-14", true, "2026 Spring Festival 调休 Saturday"},
		{"2026-02-16", false, "2026 除夕"},
		{"2026-02-23", false, "2026 Spring Festival last day (Monday)"},
		{"2026-02-24", true, "first day back"},
		{"2026-02-28", true, "2026 Spring Festival 调休 Saturday"},
		{"2026-05-09", true, "2026 May Day 调休 Saturday"},
		{"2026-09-20", true, "2026 National Day 调休 Sunday"},
		{"2026-10-10", true, "2026 National Day 调休 Saturday"},
		{"2027-01-01", true, "no 2027 data: a plain Friday"},
		{"2027-01-02", false, "no 2027 data: a plain Saturday"},
		{"1999-12-31", true, "before the table: a plain Friday"},
		{"2100-01-01", true, "after the table: a plain Friday"},
	}
	for _, tt := range tests {
		d, err := time.ParseInLocation(time.DateOnly, tt.date, Location())
		if err != nil {
			t.Fatal(err)
		}
		// Late evening catches day-boundary errors in the UTC+8 arithmetic.
		if got := cal.IsWorkday(d.Add(23 * time.Hour)); got != tt.want {
			t.Errorf("IsWorkday(%s) = %v, want %v (%s)", tt.date, got, tt.want, tt.why)
		}
	}
}

// Working-day totals per year, counted by hand from the notices:
// weekdays − holidays falling on weekdays + 调休 working days.
//   - 2024: 262 − 19 + 8 = 251
//   - 2025: 261 − 18 + 5 = 248
//   - 2026: 261 − 19 + 6 = 248
func TestEmbeddedYearTotals(t *testing.T) {
	cal := Default()
	for year, want := range map[int]int64{2024: 251, 2025: 248, 2026: 248, 2027: 261} {
		got := cal.load().count(civilDay(year, 1, 1), civilDay(year+1, 1, 1))
		if got != want {
			t.Errorf("%d has %d working days, want %d", year, got, want)
		}
		if known := cal.Known(year); known != (year != 2027) {
			t.Errorf("Known(%d) = %v", year, known)
		}
	}
}

func TestAddWorkingDays(t *testing.T) {
	cal := Default()
	tests := []struct {
		name  string
		start time.Time
		n     int
		want  time.Time
	}{
		// 10-01..10-08 off; 10-09 Thu (1), 10-10 Fri (2), 10-11 Sat 调休 (3),
		// 10-12 Sun off, 10-13 Mon (4), 10-14 Tue (5).
		{"National Day 2025", at(2025, 9, 30, 10, 0), 5, at(2025, 10, 14, 10, 0)},
		// Received on the 调休 Sunday 09-28, itself a working day:
		// 09-29 Mon (1), 09-30 Tue (2), then the holiday, 10-09 Thu (3).
		{"received on 调休 Sunday, 1 day", at(2025, 9, 28, 9, 30), 1, at(2025, 9, 29, 9, 30)},
		{"received on 调休 Sunday, 3 days", at(2025, 9, 28, 9, 30), 3, at(2025, 10, 9, 9, 30)},
		// A holiday start counts from 10-09 00:00, so day 1 ends 10-10 00:00.
		{"received in the holiday", at(2025, 10, 4, 15, 0), 1, at(2025, 10, 10, 0, 0)},
		{"received in the holiday, 3 days", at(2025, 10, 4, 15, 0), 3, at(2025, 10, 13, 0, 0)},
		// 01-28..02-04 off; 02-05 Wed (1), 06 (2), 07 (3), 02-08 Sat 调休 (4), 02-10 Mon (5).
		{"Spring Festival 2025", at(2025, 1, 27, 14, 0), 5, at(2025, 2, 10, 14, 0)},
		// 01-25 Sat off, 01-26 Sun 调休 (1), 01-27 Mon (2).
		{"before Spring Festival 2025", at(2025, 1, 24, 9, 0), 2, at(2025, 1, 27, 9, 0)},
		// 02-14 Sat 调休 (1), 02-15..02-23 off, 02-24 Tue (2) … 02-27 Fri (5), 02-28 Sat 调休 (6).
		{"Spring Festival 2026, 1 day", at(2026, 2, 13, 11, 0), 1, at(2026, 2, 14, 11, 0)},
		{"Spring Festival 2026, 2 days", at(2026, 2, 13, 11, 0), 2, at(2026, 2, 24, 11, 0)},
		{"Spring Festival 2026, 6 days", at(2026, 2, 13, 11, 0), 6, at(2026, 2, 28, 11, 0)},
		{"May Day 2025", at(2025, 4, 30, 17, 0), 1, at(2025, 5, 6, 17, 0)},
		{"plain weekend", at(2025, 3, 7, 16, 45), 1, at(2025, 3, 10, 16, 45)},
		{"unknown year falls back to Mon–Fri", at(2030, 1, 4, 8, 0), 1, at(2030, 1, 7, 8, 0)},
		{"zero days", at(2025, 10, 4, 15, 0), 0, at(2025, 10, 4, 15, 0)},
		{"negative days", at(2025, 10, 4, 15, 0), -3, at(2025, 10, 4, 15, 0)},
		{"across the table end", at(2099, 12, 31, 12, 0), 1, at(2100, 1, 1, 12, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cal.AddWorkingDays(tt.start, tt.n)
			if !got.Equal(tt.want) {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.start, tt.n, got, tt.want)
			}
			if got.Location() != Location() && tt.n > 0 {
				t.Errorf("result in %s, want Asia/Shanghai", got.Location())
			}
		})
	}
}

// naiveAdd is the rule written the slow, obvious way, to check the fast path
// (including the binary search for n > 64 and the week skipping outside the
// table).
func naiveAdd(cal *Calendar, start time.Time, n int) time.Time {
	s := start.In(Location())
	y, m, d := s.Date()
	clock := s.Sub(time.Date(y, m, d, 0, 0, 0, 0, Location()))
	day := time.Date(y, m, d, 0, 0, 0, 0, Location())
	if !cal.IsWorkday(day) {
		for day = day.AddDate(0, 0, 1); !cal.IsWorkday(day); day = day.AddDate(0, 0, 1) {
		}
		clock = 0
	}
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if cal.IsWorkday(day) {
			n--
		}
	}
	return day.Add(clock)
}

func TestAddWorkingDaysMatchesNaive(t *testing.T) {
	cal := Default()
	starts := []time.Time{
		at(2023, 12, 29, 13, 5), at(2024, 2, 8, 0, 0), at(2025, 1, 1, 23, 59),
		at(2025, 9, 27, 6, 0), at(2026, 9, 30, 18, 0), at(2099, 11, 30, 9, 0),
		at(1999, 12, 1, 9, 0), at(2110, 3, 3, 3, 3),
	}
	for _, s := range starts {
		for _, n := range []int{1, 2, 5, 15, 64, 65, 100, 260, 700} {
			if got, want := cal.AddWorkingDays(s, n), naiveAdd(cal, s, n); !got.Equal(want) {
				t.Errorf("AddWorkingDays(%s, %d) = %s, naive %s", s, n, got, want)
			}
		}
	}
}

func TestWorkingDuration(t *testing.T) {
	cal := Default()
	tests := []struct {
		name     string
		from, to time.Time
		want     time.Duration
	}{
		{"National Day deadline", at(2025, 9, 30, 10, 0), at(2025, 10, 14, 10, 0), 120 * time.Hour},
		{"inside one working day", at(2025, 10, 9, 8, 0), at(2025, 10, 9, 10, 30), 150 * time.Minute},
		{"inside one holiday", at(2025, 10, 2, 8, 0), at(2025, 10, 2, 20, 0), 0},
		{"holiday start", at(2025, 10, 4, 15, 0), at(2025, 10, 10, 0, 0), 24 * time.Hour},
		{"reversed", at(2025, 10, 14, 10, 0), at(2025, 9, 30, 10, 0), 0},
		{"whole 2025", at(2025, 1, 1, 0, 0), at(2026, 1, 1, 0, 0), 248 * 24 * time.Hour},
		{"beyond the table", at(2099, 12, 31, 0, 0), at(2100, 1, 8, 0, 0), 6 * 24 * time.Hour},
	}
	for _, tt := range tests {
		if got := cal.WorkingDuration(tt.from, tt.to); got != tt.want {
			t.Errorf("%s: WorkingDuration = %s, want %s", tt.name, got, tt.want)
		}
	}
	// AddWorkingDays always spends exactly n days of working time.
	for _, s := range []time.Time{at(2025, 9, 28, 9, 0), at(2025, 10, 3, 9, 0), at(2026, 2, 13, 23, 0)} {
		for n := 1; n <= 20; n++ {
			if got := cal.WorkingDuration(s, cal.AddWorkingDays(s, n)); got != time.Duration(n)*24*time.Hour {
				t.Errorf("WorkingDuration(%s, +%d days) = %s", s, n, got)
			}
		}
	}
}

func TestDeadline(t *testing.T) {
	cal := Default()
	tests := []struct {
		name        string
		received    time.Time
		days        int
		suspensions []Interval
		want        time.Time
	}{
		{"no suspension equals AddWorkingDays", at(2025, 9, 30, 10, 0), 5, nil, at(2025, 10, 14, 10, 0)},
		// Unsuspended due 09-28 (调休 Sunday) 10:00. Suspended 09-23 10:00 →
		// 09-24 16:00 = 14 h + 16 h = 30 h of working time; 09-28 10:00 + 30 h:
		// 14 h to the end of 09-28, the other 16 h on 09-29 → 16:00.
		{"suspension shifts", at(2025, 9, 22, 10, 0), 5,
			[]Interval{{at(2025, 9, 23, 10, 0), at(2025, 9, 24, 16, 0)}}, at(2025, 9, 29, 16, 0)},
		// Unsuspended due 10-13 10:00 (09-30, 10-09, 10-10, 10-11, 10-13).
		// Suspended 09-30 10:00 → 10-09 10:00 spans the holiday, so only
		// 14 h + 10 h = 24 h of working time is lost: due 10-14 10:00.
		{"suspension over the holiday", at(2025, 9, 29, 10, 0), 5,
			[]Interval{{at(2025, 9, 30, 10, 0), at(2025, 10, 9, 10, 0)}}, at(2025, 10, 14, 10, 0)},
		{"overlapping suspensions count once", at(2025, 9, 22, 10, 0), 5,
			[]Interval{{at(2025, 9, 24, 0, 0), at(2025, 9, 24, 16, 0)}, {at(2025, 9, 23, 10, 0), at(2025, 9, 24, 8, 0)}},
			at(2025, 9, 29, 16, 0)},
		{"suspension before receipt ignored", at(2025, 9, 30, 10, 0), 5,
			[]Interval{{at(2025, 9, 1, 0, 0), at(2025, 9, 2, 0, 0)}}, at(2025, 10, 14, 10, 0)},
		{"suspension after the deadline ignored", at(2025, 9, 30, 10, 0), 5,
			[]Interval{{at(2025, 10, 15, 0, 0), time.Time{}}}, at(2025, 10, 14, 10, 0)},
		{"open suspension: no deadline yet", at(2025, 9, 30, 10, 0), 5,
			[]Interval{{at(2025, 10, 10, 0, 0), time.Time{}}}, time.Time{}},
	}
	for _, tt := range tests {
		if got := cal.Deadline(tt.received, tt.days, tt.suspensions); !got.Equal(tt.want) {
			t.Errorf("%s: Deadline = %s, want %s", tt.name, got, tt.want)
		}
	}

	// Open since 10-10 00:00, asked at 10-13 10:00: 38 h were used before
	// (14 h on 09-30, 24 h on 10-09), 82 h remain from 10-13 10:00:
	// 14 h (10-13) + 24 h (10-14) + 24 h (10-15) + 20 h → 10-16 20:00.
	open := []Interval{{at(2025, 10, 10, 0, 0), time.Time{}}}
	if got, want := cal.DeadlineAt(at(2025, 9, 30, 10, 0), 5, open, at(2025, 10, 13, 10, 0)), at(2025, 10, 16, 20, 0); !got.Equal(want) {
		t.Errorf("DeadlineAt = %s, want %s", got, want)
	}
}

func TestFraction(t *testing.T) {
	cal := Default()
	received, deadline := at(2025, 9, 30, 10, 0), at(2025, 10, 14, 10, 0) // 120 h
	open := []Interval{{at(2025, 10, 10, 0, 0), time.Time{}}}
	openNow := at(2025, 10, 13, 10, 0)
	tests := []struct {
		name        string
		deadline    time.Time
		now         time.Time
		suspensions []Interval
		want        float64
	}{
		{"before receipt", deadline, at(2025, 9, 29, 0, 0), nil, 0},
		{"during the holiday nothing is used", deadline, at(2025, 10, 5, 0, 0), nil, 14.0 / 120},
		{"first day back", deadline, at(2025, 10, 9, 10, 0), nil, 24.0 / 120},
		// 14 + 24 (10-09) + 24 (10-10) + 24 (10-11 调休) + 10 = 96 h → the 80 % warning.
		{"80 % used", deadline, at(2025, 10, 13, 10, 0), nil, 0.8},
		{"overdue", deadline, at(2025, 10, 15, 10, 0), nil, 1.2},
		// Clock stopped since 10-10 00:00: 38 h used of 120 h (deadline moved to 10-16 20:00).
		{"open suspension", at(2025, 10, 16, 20, 0), openNow, open, 38.0 / 120},
		{"empty allowance", received, at(2025, 10, 9, 10, 0), nil, 1},
	}
	for _, tt := range tests {
		got := cal.Fraction(received, tt.deadline, tt.now, tt.suspensions)
		if math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s: Fraction = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestParseYear(t *testing.T) {
	tests := []struct {
		name      string
		json      string
		wantField string // empty: expect success
		wantValue string
	}{
		{"valid", `{"year":2027,"holidays":["2027-01-01","2027-02-08"],"workdays":["2027-02-07"]}`, "", ""},
		{"valid without workdays", `{"year":2027,"holidays":["2027-01-01"]}`, "", ""},
		{"missing year", `{"holidays":["2027-01-01"]}`, "year", ""},
		{"year out of range", `{"year":2150,"holidays":["2150-01-01"]}`, "year", "2150"},
		{"no holidays", `{"year":2027,"holidays":[]}`, "holidays", ""},
		{"bad date", `{"year":2027,"holidays":["2027-01-01","2027-13-01"]}`, "holidays[1]", "2027-13-01"},
		{"slashes", `{"year":2027,"holidays":["2027/01/01"]}`, "holidays[0]", "2027/01/01"},
		{"holiday in another year", `{"year":2027,"holidays":["2027-01-01","2026-12-31"]}`, "holidays[1]", "2026-12-31"},
		{"workday in another year", `{"year":2027,"holidays":["2027-01-01"],"workdays":["2028-01-02"]}`, "workdays[0]", "2028-01-02"},
		{"duplicate holiday", `{"year":2027,"holidays":["2027-01-01","2027-01-01"]}`, "holidays[1]", "2027-01-01"},
		{"both holiday and workday", `{"year":2027,"holidays":["2027-01-01","2027-02-07"],"workdays":["2027-02-07"]}`, "workdays[0]", "2027-02-07"},
		{"workday on a weekday", `{"year":2027,"holidays":["2027-01-01"],"workdays":["2027-02-09"]}`, "workdays[0]", "2027-02-09"},
		{"holidays only on weekends", `{"year":2027,"holidays":["2027-01-02","2027-01-03"]}`, "holidays", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y, err := ParseYear(strings.NewReader(tt.json))
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("ParseYear: %v", err)
				}
				if y.Year != 2027 {
					t.Errorf("Year = %d", y.Year)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("ParseYear error = %v, want *FieldError", err)
			}
			if fe.Field != tt.wantField || fe.Value != tt.wantValue {
				t.Errorf("FieldError{%q, %q}, want {%q, %q} (%v)", fe.Field, fe.Value, tt.wantField, tt.wantValue, err)
			}
			if !strings.Contains(err.Error(), tt.wantField) {
				t.Errorf("message %q does not name the field", err)
			}
		})
	}
	for _, bad := range []string{`not json`, `{"year":2027,"holidays":["2027-01-01"],"workday":[]}`, `{"year":2027,"holidays":["2027-01-01"]} {}`} {
		if _, err := ParseYear(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseYear(%s) succeeded", bad)
		}
	}
}

func TestAddYear(t *testing.T) {
	cal := New()
	if cal.Known(2025) {
		t.Fatal("New() should know no year")
	}
	if cal.IsWorkday(at(2025, 10, 1, 9, 0)) == false {
		t.Fatal("without data 2025-10-01 is a plain Wednesday")
	}
	y, err := ParseYear(strings.NewReader(`{"year":2027,"holidays":["2027-01-01","2027-02-08"],"workdays":["2027-02-07"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := cal.Add(y); err != nil {
		t.Fatal(err)
	}
	if !cal.Known(2027) || cal.Known(2028) {
		t.Errorf("Known after Add: 2027=%v 2028=%v", cal.Known(2027), cal.Known(2028))
	}
	if cal.IsWorkday(at(2027, 2, 8, 9, 0)) || !cal.IsWorkday(at(2027, 2, 7, 9, 0)) {
		t.Error("2027 data not applied")
	}
	// Replacing a year drops days the new data no longer lists.
	y.Holidays, y.Workdays = []string{"2027-01-01"}, nil
	if err := cal.Add(y); err != nil {
		t.Fatal(err)
	}
	if !cal.IsWorkday(at(2027, 2, 8, 9, 0)) || cal.IsWorkday(at(2027, 2, 7, 9, 0)) {
		t.Error("replaced 2027 data still has the old days")
	}
	// Calendars from Default are independent.
	a, b := Default(), Default()
	if err := a.Add(y); err != nil {
		t.Fatal(err)
	}
	if b.Known(2027) {
		t.Error("Add on one Default calendar leaked into another")
	}
	if err := a.Add(Year{Year: 2027, Holidays: []string{"x"}}); err == nil {
		t.Error("Add accepted an invalid year")
	}
}

func TestConcurrentReadsDuringAdd(t *testing.T) {
	cal := Default()
	y := Year{Year: 2027, Holidays: []string{"2027-01-01"}}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				if got := cal.AddWorkingDays(at(2025, 9, 30, 10, 0), 5); !got.Equal(at(2025, 10, 14, 10, 0)) {
					t.Errorf("concurrent AddWorkingDays = %s", got)
					return
				}
			}
		}()
	}
	for i := 0; i < 20; i++ {
		if err := cal.Add(y); err != nil {
			t.Error(err)
		}
	}
	wg.Wait()
}

func TestAddWorkingDaysDoesNotAllocate(t *testing.T) {
	cal := Default()
	start := at(2025, 9, 30, 10, 0)
	if allocs := testing.AllocsPerRun(1000, func() { cal.AddWorkingDays(start, 5) }); allocs != 0 {
		t.Errorf("AddWorkingDays allocates %v times per call", allocs)
	}
}

func BenchmarkAddWorkingDays(b *testing.B) {
	cal := Default()
	starts := make([]time.Time, 1024)
	for i := range starts {
		starts[i] = at(2024, 1, 1, 0, 0).Add(time.Duration(i) * 17 * time.Hour)
	}
	days := []int{1, 3, 5, 15}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cal.AddWorkingDays(starts[i&1023], days[i&3])
	}
}

func BenchmarkWorkingDuration(b *testing.B) {
	cal := Default()
	from, to := at(2024, 3, 1, 9, 0), at(2026, 7, 1, 9, 0)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		cal.WorkingDuration(from, to)
	}
}
