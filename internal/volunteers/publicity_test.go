package volunteers_test

import (
	"errors"
	"testing"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/volunteers"
)

// TestPublicity: hours from attendance are pending for 7 days (公示) and count nowhere; the
// volunteer objects once, which keeps them out until the lead answers (an adjustment publishes a
// new figure anew); without objection they count after 7 days — in the total, by project and on a
// certificate.
func TestPublicity(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		v := f.volunteer(t, 60)
		a := f.activity(t, "2026-03-01 10:00", "2026-03-01 12:00", 3)
		if _, err := f.s.SignUpFor(ctx, towns, a.Roles[0].ID, v, staff); err != nil {
			t.Fatal(err)
		}
		var sc volunteers.Scan
		for _, when := range []string{"2026-03-01 10:00", "2026-03-01 11:00"} {
			f.clk.Set(at(when))
			code, _, _ := f.s.CheckInCode(ctx, a.ID, f.clk.Now())
			var err error
			if sc, err = f.s.CheckInOut(ctx, towns, a.ID, v, volunteers.Proof{Code: code}, staff); err != nil {
				t.Fatal(err)
			}
		}
		att := sc.Attendance
		total := func() int64 {
			t.Helper()
			n, err := f.s.TotalMinutes(ctx, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if !att.Pending(f.clk.Now()) || total() != 0 {
			t.Fatalf("just recorded: pending %v, total %d, want pending and 0", att.Pending(f.clk.Now()), total())
		}
		// Someone else may not object; the volunteer may, once.
		stranger := auth.User{ID: 999999, Role: auth.RoleVolunteer}
		if _, err := f.s.Object(ctx, towns, att.ID, "不对", stranger, 0, staff); !errors.Is(err, problem.ErrForbidden) {
			t.Errorf("a stranger's objection: %v", err)
		}
		f.clk.Set(at("2026-03-03 09:00"))
		if _, err := f.s.Object(ctx, towns, att.ID, "我 11:30 才离开", auth.User{}, v.ID, staff); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Object(ctx, towns, att.ID, "again", auth.User{}, v.ID, staff); !errors.Is(err, problem.ErrConflict) {
			t.Errorf("a second objection: %v", err)
		}
		// Eight days on: still out while the objection is open.
		f.clk.Set(at("2026-03-09 12:00"))
		if total() != 0 {
			t.Errorf("objected: total %d, want 0", total())
		}
		if _, err := f.s.Issue(ctx, towns, volunteers.IssueRequest{VolunteerID: v.ID, From: "2026-03-01", To: "2026-03-31"}, staff); problem.FieldOf(err) != "to" {
			t.Errorf("a certificate of objected hours: %v", err)
		}
		// The lead adjusts: a new figure, published anew for 7 days.
		if _, err := f.s.Adjust(ctx, towns, att.ID, 90, "核实后按 11:30 离开计", staff); err != nil {
			t.Fatal(err)
		}
		if total() != 0 {
			t.Errorf("the adjusted figure counted before its own 公示: %d", total())
		}
		f.clk.Set(at("2026-03-16 12:01"))
		if total() != 90 {
			t.Errorf("after the new 公示: %d, want 90", total())
		}
		hours, err := f.s.Hours(ctx, v.ID)
		if err != nil || len(hours) != 1 || hours[0].Minutes != 90 || hours[0].Pending != 0 {
			t.Errorf("by project: %+v %v", hours, err)
		}
		if _, err := f.s.Object(ctx, towns, att.ID, "late", auth.User{}, v.ID, staff); !errors.Is(err, problem.ErrConflict) {
			t.Errorf("an objection after the 公示: %v", err)
		}
		c, err := f.s.Issue(ctx, towns, volunteers.IssueRequest{VolunteerID: v.ID, From: "2026-03-01", To: "2026-03-31"}, staff)
		if err != nil || c.Minutes != 90 {
			t.Errorf("certificate: %d minutes, %v", c.Minutes, err)
		}
	})
}
