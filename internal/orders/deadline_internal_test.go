package orders

import (
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/workcal"
)

// addWorking must be the inverse of WorkingDuration, across weekends, holidays and make-up days.
func TestAddWorkingInvertsWorkingDuration(t *testing.T) {
	cal := workcal.Default()
	loc := workcal.Location()
	starts := []time.Time{
		time.Date(2025, 9, 30, 10, 0, 0, 0, loc),   // eve of National Day
		time.Date(2025, 10, 3, 15, 0, 0, 0, loc),   // inside the holiday
		time.Date(2025, 10, 11, 23, 30, 0, 0, loc), // a make-up Saturday
		time.Date(2025, 11, 7, 23, 0, 0, 0, loc),   // Friday night
		time.Date(2025, 11, 8, 12, 0, 0, 0, loc),   // Saturday
		time.Date(2026, 2, 13, 9, 0, 0, 0, loc),    // before Spring Festival
	}
	durations := []time.Duration{0, time.Minute, time.Hour, 23 * time.Hour, 24 * time.Hour, 25 * time.Hour,
		47*time.Hour + 59*time.Minute, 5 * 24 * time.Hour, 5*24*time.Hour + 13*time.Hour}
	for _, s := range starts {
		for _, d := range durations {
			got := addWorking(cal, s, d)
			if w := cal.WorkingDuration(s, got); w != d {
				t.Errorf("addWorking(%s, %v) = %s: working duration %v", s.Format("2006-01-02 15:04"), d, got.Format("2006-01-02 15:04"), w)
			}
		}
	}
	// Friday 23:00 plus one working hour is the end of Friday, not Monday morning.
	if got, want := addWorking(cal, time.Date(2025, 11, 7, 23, 0, 0, 0, loc), time.Hour), time.Date(2025, 11, 8, 0, 0, 0, 0, loc); !got.Equal(want) {
		t.Errorf("end of Friday: %v", got)
	}
	if got, want := addWorking(cal, time.Date(2025, 9, 30, 10, 0, 0, 0, loc), 2*time.Hour), time.Date(2025, 9, 30, 12, 0, 0, 0, loc); !got.Equal(want) {
		t.Errorf("same day: %v", got)
	}
}
