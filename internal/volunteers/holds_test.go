package volunteers_test

import (
	"errors"
	"testing"

	"github.com/civicgrid/civicgrid/internal/capacity"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/volunteers"
)

// withUsers gives volunteers accounts, so that they get notices.
func withUsers(t *testing.T, f *fixture, first, n int) []volunteers.Volunteer {
	t.Helper()
	vs := make([]volunteers.Volunteer, n)
	for i := range vs {
		vs[i] = f.volunteer(t, first+i)
		if _, err := f.db.Exec(ctx, `INSERT INTO users (username, display_name, password_hash, role, town_code, created_at) VALUES (?, ?, 'x', 'volunteer', ?, 0)`,
			vs[i].Number, vs[i].Name, xj); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Exec(ctx, `UPDATE volunteers SET user_id = (SELECT id FROM users WHERE username = ?) WHERE id = ?`, vs[i].Number, vs[i].ID); err != nil {
			t.Fatal(err)
		}
	}
	return vs
}

// TestSignUpHoldPassesOn: a volunteer promoted from the waiting list holds the place for
// SignUpHold and is told; unconfirmed, the sweep passes it to the next (both told), who confirms;
// the first can no longer take it up.
func TestSignUpHoldPassesOn(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		vs := withUsers(t, f, 40, 3)
		a := f.activity(t, "2026-03-03 09:00", "2026-03-03 11:00", 1)
		for _, v := range vs {
			if _, err := f.s.SignUpFor(ctx, towns, a.Roles[0].ID, v, staff); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.s.CancelSignUp(ctx, towns, a.ID, vs[0], staff); err != nil {
			t.Fatal(err)
		}
		state := func(v volunteers.Volunteer) string {
			t.Helper()
			sus, err := f.s.SignUps(ctx, v)
			if err != nil || len(sus) != 1 {
				t.Fatalf("sign-ups of %s: %+v %v", v.Name, sus, err)
			}
			return sus[0].State
		}
		if state(vs[1]) != capacity.StateHeld || notices(t, f, vs[1], "volunteer_offer") != 1 {
			t.Fatalf("the first waiting is %s with %d offers, want held and told", state(vs[1]), notices(t, f, vs[1], "volunteer_offer"))
		}
		// Not yet run out: the sweep changes nothing.
		f.clk.Set(at("2026-03-01 20:00"))
		if n, err := f.s.SweepHolds(ctx); err != nil || n != 0 {
			t.Fatalf("sweep before the end of the hold: %d %v", n, err)
		}
		// Run out (12 h): passed on to the next, both told.
		f.clk.Set(at("2026-03-01 21:01"))
		if n, err := f.s.SweepHolds(ctx); err != nil || n != 1 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		if state(vs[1]) != capacity.StateExpired || state(vs[2]) != capacity.StateHeld {
			t.Fatalf("after the sweep: %s, %s", state(vs[1]), state(vs[2]))
		}
		if notices(t, f, vs[1], "volunteer_offer_expired") != 1 || notices(t, f, vs[2], "volunteer_offer") != 1 {
			t.Error("the expiry and the next offer were not told")
		}
		if err := f.s.ConfirmSignUp(ctx, towns, a.ID, vs[1], staff); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("confirming an offer that passed on: %v", err)
		}
		if err := f.s.ConfirmSignUp(ctx, towns, a.ID, vs[2], staff); err != nil {
			t.Fatal(err)
		}
		if state(vs[2]) != capacity.StateConfirmed {
			t.Errorf("after confirming: %s", state(vs[2]))
		}
		// The hold never runs past the activity's end (the pool closes then).
		b := f.activity(t, "2026-03-01 22:00", "2026-03-01 23:00", 1)
		if _, err := f.s.SignUpFor(ctx, towns, b.Roles[0].ID, vs[0], staff); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.SignUpFor(ctx, towns, b.Roles[0].ID, vs[1], staff); err != nil {
			t.Fatal(err)
		}
		if err := f.s.CancelSignUp(ctx, towns, b.ID, vs[0], staff); err != nil {
			t.Fatal(err)
		}
		c, err := capacity.Claims(ctx, f.db, b.Roles[0].PoolID, 10, capacity.StateHeld)
		if err != nil || len(c) != 1 || c[0].HoldUntil.After(at("2026-03-01 23:00")) {
			t.Errorf("hold of a late promotion: %+v %v, want until the end at the latest", c, err)
		}
	})
}
