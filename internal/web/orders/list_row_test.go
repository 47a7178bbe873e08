package orders

import (
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/orders"
)

// The countdown in words, in both languages: working days counted down while time is left and
// up when overdue, hours under a day.
func TestCountdownText(t *testing.T) {
	h, day := time.Hour, 24*time.Hour
	for _, c := range []struct {
		cd     orders.Countdown
		zh, en string
	}{
		{orders.Countdown{}, "", ""},
		{orders.Countdown{Urgency: orders.UrgencyPaused}, "挂起停计时", "clock stopped"},
		{orders.Countdown{Urgency: orders.UrgencyOK, Left: 5*day + 23*h}, "剩 5 工作日", "5 workdays left"},
		{orders.Countdown{Urgency: orders.UrgencySoon, Left: day + h}, "剩 1 工作日", "1 workday left"},
		{orders.Countdown{Urgency: orders.UrgencyLate, Left: 23*h + 59*time.Minute}, "剩 23 小时", "23 h left"},
		{orders.Countdown{Urgency: orders.UrgencyLate, Left: 59 * time.Minute}, "剩不足 1 小时", "under 1 h left"},
		{orders.Countdown{Urgency: orders.UrgencyLate, Left: -30 * time.Minute}, "刚超期", "just overdue"},
		{orders.Countdown{Urgency: orders.UrgencyLate, Left: -(2*h + time.Minute)}, "超期 3 小时", "3 h overdue"},
		{orders.Countdown{Urgency: orders.UrgencyLate, Left: -day}, "超期 1 工作日", "1 workday overdue"},
		{orders.Countdown{Urgency: orders.UrgencyLate, Left: -(2*day + h)}, "超期 3 工作日", "3 workdays overdue"},
	} {
		if got := countdownText(c.cd, "zh"); got != c.zh {
			t.Errorf("%+v in Chinese: %q, want %q", c.cd, got, c.zh)
		}
		if got := countdownText(c.cd, "en"); got != c.en {
			t.Errorf("%+v in English: %q, want %q", c.cd, got, c.en)
		}
	}
}

func TestFmtShort(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, shanghai)
	if got := fmtShort(time.Date(2026, 3, 4, 5, 6, 0, 0, shanghai), now); got != "03-04 05:06" {
		t.Errorf("this year: %q", got)
	}
	if got := fmtShort(time.Date(2025, 12, 31, 23, 0, 0, 0, shanghai), now); got != "2025-12-31" {
		t.Errorf("last year: %q", got)
	}
	if got := fmtShort(time.Date(2026, 11, 29, 16, 30, 0, 0, time.UTC), now); got != "11-30 00:30" {
		t.Errorf("UTC time, shown in Shanghai's: %q", got)
	}
}
