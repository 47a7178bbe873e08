package orders

import (
	"time"

	"github.com/civicgrid/civicgrid/internal/workcal"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Urgency is how close an open order is to its deadline, as the lists colour it.
type Urgency string

const (
	UrgencyNone   Urgency = ""       // closed, or no deadline yet (not filed): nothing runs
	UrgencyPaused Urgency = "paused" // suspended (挂起): the clock is stopped
	UrgencyOK     Urgency = "ok"     // green: at least AmberBelow of working time left
	UrgencySoon   Urgency = "soon"   // amber: less than AmberBelow left, or flagged as a warning (预警)
	UrgencyLate   Urgency = "late"   // red: overdue, or less than RedBelow left
)

// The countdown's thresholds, in working time (a working day counts 24 hours, as in workcal):
// red under one working day — the order is due by this time on the next working day, or is
// overdue — and amber under three, the warning (预警) of a 15-day complex order at the default
// warning fraction. An order the deadline job flagged as a warning is at least amber, whatever
// the town's warning fraction, so that the warning queue never shows a green order.
const (
	RedBelow   = 24 * time.Hour
	AmberBelow = 3 * 24 * time.Hour
)

// Countdown is the working time an open order has left before its deadline.
type Countdown struct {
	Urgency Urgency
	// Left is the working time until the deadline; negative when overdue (the working time
	// since). Zero when Urgency is UrgencyNone or UrgencyPaused.
	Left time.Duration
}

// CountdownAt is o's countdown at now on cal: the remaining working time and its colour.
func CountdownAt(cal *workcal.Calendar, o Order, now time.Time) Countdown {
	if !workorder.IsOpen(workorder.State(o.State)) || o.Deadline == nil {
		return Countdown{}
	}
	if o.Suspended {
		return Countdown{Urgency: UrgencyPaused}
	}
	if !now.Before(*o.Deadline) {
		return Countdown{Urgency: UrgencyLate, Left: -cal.WorkingDuration(*o.Deadline, now)}
	}
	left := cal.WorkingDuration(now, *o.Deadline)
	c := Countdown{Urgency: UrgencyOK, Left: left}
	switch {
	case left < RedBelow:
		c.Urgency = UrgencyLate
	case left < AmberBelow || o.Warning:
		c.Urgency = UrgencySoon
	}
	return c
}

// Countdown is o's countdown now, on the store's calendar and clock.
func (s *Store) Countdown(o Order) Countdown {
	return CountdownAt(s.Cal, o, s.now())
}

// StageCountdown is a running stage's countdown now: the working time left before its due time
// (negative: since), coloured as an order's; nothing for a finished stage, paused while the order
// is suspended.
func (s *Store) StageCountdown(st OrderStage) Countdown {
	now := s.now()
	switch {
	case st.FinishedAt != nil:
		return Countdown{}
	case st.PausedSince != nil:
		return Countdown{Urgency: UrgencyPaused}
	case !now.Before(st.DueAt):
		return Countdown{Urgency: UrgencyLate, Left: -s.Cal.WorkingDuration(st.DueAt, now)}
	}
	left := s.Cal.WorkingDuration(now, st.DueAt)
	c := Countdown{Urgency: UrgencyOK, Left: left}
	switch {
	case left < RedBelow:
		c.Urgency = UrgencyLate
	case left < AmberBelow:
		c.Urgency = UrgencySoon
	}
	return c
}
