package volunteers_test

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/capacity"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/volunteers"
)

func notices(t *testing.T, f *fixture, v volunteers.Volunteer, kind string) int {
	t.Helper()
	var n int
	if err := f.db.QueryRow(ctx, `SELECT COUNT(*) FROM notifications n JOIN volunteers v ON v.user_id = n.user_id WHERE v.id = ? AND n.kind = ?`, v.ID, kind).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestEditActivity: places are never set below those taken (a field error on the role), more
// places offer the place to the waiting list in order (a hold), a new time tells everyone signed up and re-arms the
// reminder, a new role gets its pool, and every edit writes one audit row in its transaction;
// cancelling frees every sign-up and tells them.
func TestEditActivity(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		vs := withUsers(t, f, 20, 4)
		a := f.activity(t, "2026-03-05 09:00", "2026-03-05 11:00", 2)
		for _, v := range vs {
			if _, err := f.s.SignUpFor(ctx, towns, a.Roles[0].ID, v, staff); err != nil {
				t.Fatal(err)
			}
		}
		// 2 confirmed, 2 waiting. Down to 1 place: refused, naming the role's field.
		e := volunteers.EditOf(a)
		e.Roles[0].Places = 1
		if _, err := f.s.EditActivity(ctx, towns, a.ID, e, staff); problem.FieldOf(err) != "roles[0].places" {
			t.Fatalf("places below those taken: %v, want a field error on roles[0].places", err)
		}
		// Up to 3 places, 1 h later, a second role: the first waiting volunteer is promoted.
		e = volunteers.EditOf(a)
		e.Roles[0].Places = 3
		e.Start, e.End = e.Start.Add(time.Hour), e.End.Add(time.Hour)
		e.Roles = append(e.Roles, volunteers.EditRole{Name: "摄影", Places: 1})
		got, err := f.s.EditActivity(ctx, towns, a.ID, e, staff)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Roles) != 2 || got.Roles[0].Places != 3 || got.Roles[0].Taken != 3 || got.Roles[0].Waiting != 1 || got.Roles[1].PoolID == 0 || !got.Start.Equal(a.Start.Add(time.Hour)) {
			t.Fatalf("after the edit: %+v", got)
		}
		claims, err := capacity.Claims(ctx, f.db, a.Roles[0].PoolID, 10, capacity.StateHeld)
		if err != nil || len(claims) != 1 || claims[0].HolderRef != "volunteer:"+strconv.FormatInt(vs[2].ID, 10) {
			t.Errorf("promoted in arrival order: %+v, %v", claims, err)
		}
		for _, v := range vs {
			if n := notices(t, f, v, "volunteer_changed"); n != 1 {
				t.Errorf("%s: %d notices of the new time, want 1", v.Name, n)
			}
		}
		if notices(t, f, vs[2], "volunteer_offer") != 1 || notices(t, f, vs[3], "volunteer_offer") != 0 {
			t.Error("the promotion notice went to the wrong volunteer")
		}
		var audits int
		if err := f.db.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'vol_activity' AND entity_id = ? AND detail LIKE 'edited:%'`, strconv.FormatInt(a.ID, 10)).Scan(&audits); err != nil || audits != 1 {
			t.Errorf("%d audit rows of the edit (the refused one writes none), %v", audits, err)
		}
		// An unknown role id and a role of another activity are field errors.
		other := f.activity(t, "2026-03-06 09:00", "2026-03-06 11:00", 1)
		e = volunteers.EditOf(got)
		e.Roles[0].ID = other.Roles[0].ID
		if _, err := f.s.EditActivity(ctx, towns, a.ID, e, staff); problem.FieldOf(err) != "roles[0].id" {
			t.Errorf("a role of another activity: %v", err)
		}
		// Cancelling frees everyone and tells them.
		if err := f.s.CancelActivity(ctx, towns, a.ID, "天气原因", staff); err != nil {
			t.Fatal(err)
		}
		c, err := capacity.Count(ctx, f.db, a.Roles[0].PoolID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Claims[capacity.StateConfirmed]+c.Claims[capacity.StateWaiting]+c.Claims[capacity.StateHeld] != 0 {
			t.Errorf("after cancelling: %+v, want every place freed", c)
		}
		for _, v := range vs {
			if n := notices(t, f, v, "volunteer_cancelled"); n != 1 {
				t.Errorf("%s: %d cancel notices", v.Name, n)
			}
		}
		if _, err := f.s.EditActivity(ctx, towns, a.ID, volunteers.EditOf(got), staff); !errors.Is(err, problem.ErrConflict) {
			t.Errorf("editing a cancelled activity: %v", err)
		}
	})
}

// TestConcurrentEdits: edits and a cancel of one activity run at once; the activity row is locked
// (PostgreSQL) or the writer alone (SQLite), so no edit lands after the cancel: every edit's audit
// row comes before the cancel's, and the edits that lost the race are refused as conflicts.
func TestConcurrentEdits(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		a := f.activity(t, "2026-03-05 09:00", "2026-03-05 11:00", 2)
		const n = 8
		var ok atomic.Int32
		var wg sync.WaitGroup
		for i := range n + 1 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i == n/2 {
					if err := f.s.CancelActivity(ctx, towns, a.ID, "并发测试", staff); err != nil {
						t.Errorf("cancel: %v", err)
					}
					return
				}
				e := volunteers.EditOf(a)
				e.Title = fmt.Sprintf("读书会 第%d版", i)
				_, err := f.s.EditActivity(ctx, towns, a.ID, e, staff)
				switch {
				case errors.Is(err, problem.ErrConflict): // cancelled first
				case err != nil:
					t.Errorf("edit: %v", err)
				default:
					ok.Add(1)
				}
			}()
		}
		wg.Wait()
		var edits, late int
		if err := f.db.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN id > (SELECT MAX(id) FROM audit_log WHERE entity = 'vol_activity' AND entity_id = ? AND detail LIKE 'cancelled:%') THEN 1 ELSE 0 END), 0)
			FROM audit_log WHERE entity = 'vol_activity' AND entity_id = ? AND detail LIKE 'edited:%'`, strconv.FormatInt(a.ID, 10), strconv.FormatInt(a.ID, 10)).Scan(&edits, &late); err != nil {
			t.Fatal(err)
		}
		if edits != int(ok.Load()) || late != 0 {
			t.Errorf("%d edits succeeded, %d audited, %d after the cancel", ok.Load(), edits, late)
		}
		got, err := f.s.Activity(ctx, towns, a.ID)
		if err != nil || got.Status != volunteers.ActivityCancelled {
			t.Errorf("after the race: %+v %v", got.Status, err)
		}
	})
}
