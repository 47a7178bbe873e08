package orders_test

import (
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

func TestCountdownThresholds(t *testing.T) {
	cal := workcal.Default()
	sh := workcal.Location()
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, sh) }
	now := at(2025, time.November, 4, 10, 0) // a Tuesday with no holiday near
	due := func(d time.Time) *time.Time { return &d }
	open := func(deadline time.Time) orders.Order {
		return orders.Order{State: "in_progress", Deadline: due(deadline)}
	}
	hour := time.Hour
	for _, c := range []struct {
		name string
		o    orders.Order
		now  time.Time
		want orders.Urgency
		left time.Duration
	}{
		{"five working days: green", open(cal.AddWorkingDays(now, 5)), now, orders.UrgencyOK, 5 * 24 * hour},
		{"exactly three working days: still green", open(cal.AddWorkingDays(now, 3)), now, orders.UrgencyOK, 3 * 24 * hour},
		{"a minute under three: amber", open(cal.AddWorkingDays(now, 3).Add(-time.Minute)), now, orders.UrgencySoon, 3*24*hour - time.Minute},
		{"exactly one working day: amber", open(cal.AddWorkingDays(now, 1)), now, orders.UrgencySoon, 24 * hour},
		{"a minute under one: red", open(cal.AddWorkingDays(now, 1).Add(-time.Minute)), now, orders.UrgencyLate, 24*hour - time.Minute},
		// Friday 18:00 to Monday 10:00 is a weekend away but only 16 working hours: red.
		{"over a weekend, counted in working time", open(at(2025, time.November, 10, 10, 0)), at(2025, time.November, 7, 18, 0), orders.UrgencyLate, 16 * hour},
		// The National Day holiday: from 30 September 20:00 to 9 October 10:00 are nine days but
		// fourteen working hours.
		{"across a holiday", open(at(2025, time.October, 9, 10, 0)), at(2025, time.September, 30, 20, 0), orders.UrgencyLate, 14 * hour},
		// Overdue since Friday 10 October 18:00; Saturday the 11th was a 调休 working day, Sunday
		// was not: by Monday 10:00 that is 6 + 24 + 10 working hours.
		{"overdue, in working time", open(at(2025, time.October, 10, 18, 0)), at(2025, time.October, 13, 10, 0), orders.UrgencyLate, -40 * hour},
		{"at the deadline: overdue", open(now), now, orders.UrgencyLate, 0},
		{"flagged as a warning: at least amber", orders.Order{State: "in_progress", Deadline: due(cal.AddWorkingDays(now, 10)), Warning: true}, now, orders.UrgencySoon, 10 * 24 * hour},
		{"suspended: paused", orders.Order{State: "in_progress", Deadline: due(now.Add(-hour)), Suspended: true}, now, orders.UrgencyPaused, 0},
		{"closed: none", orders.Order{State: "closed", Deadline: due(now.Add(-hour))}, now, orders.UrgencyNone, 0},
		{"not filed yet: none", orders.Order{State: "received"}, now, orders.UrgencyNone, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := orders.CountdownAt(cal, c.o, c.now)
			if got.Urgency != c.want || got.Left != c.left {
				t.Errorf("CountdownAt = %q %v, want %q %v", got.Urgency, got.Left, c.want, c.left)
			}
		})
	}
}
