package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/workcal"
)

// TestCLIBookings: the demo's resources are listed with their coming slots; slots created in bulk
// from a weekly pattern add exactly the pattern's days, and again add none.
func TestCLIBookings(t *testing.T) {
	data := t.TempDir()
	if code, _, errOut := cli(t, "demo", "--data", data); code != 0 {
		t.Fatalf("demo: %d %s", code, errOut)
	}
	code, out, errOut := cli(t, "bookings", "list", "--data", data, "--town", "310115005")
	if code != 0 || !strings.Contains(out, "陆家嘴改革开放红色路线") || !regexp.MustCompile(`route\s+陆家嘴改革开放红色路线\s+units\s+13\s`).MatchString(out) {
		t.Fatalf("bookings list: %d %s %s", code, out, errOut)
	}
	id := strings.Fields(strings.Split(out, "\n")[1])[0]
	// Two Mondays, two months ahead (past the demo's slots), at 10:00 and 15:00: four slots.
	n := time.Now().In(workcal.Location()).AddDate(0, 2, 0)
	for n.Weekday() != time.Monday {
		n = n.AddDate(0, 0, 1)
	}
	args := []string{"bookings", "slots", "create", "--data", data, "--resource", id, "--from", n.Format(time.DateOnly),
		"--to", n.AddDate(0, 0, 13).Format(time.DateOnly), "--weekdays", "1", "--times", "10:00-11:00,15:00-16:00", "--capacity", "30"}
	if code, out, errOut := cli(t, args...); code != 0 || !strings.HasPrefix(out, "4 slots created") {
		t.Fatalf("slots create: %d %q %s", code, out, errOut)
	}
	if code, out, _ := cli(t, args...); code != 0 || !strings.HasPrefix(out, "0 slots created") {
		t.Fatalf("slots create again: %d %q", code, out)
	}
	if code, _, errOut := cli(t, "bookings", "slots", "create", "--data", data, "--resource", id, "--from", "2026-13-01", "--to", "2026-12-01",
		"--weekdays", "1", "--times", "10:00-11:00", "--capacity", "30"); code == 0 || !strings.Contains(errOut, "from") {
		t.Fatalf("a bad date: %d %s", code, errOut)
	}
}
