package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

func lastAudit(t *testing.T, db *store.DB, action string) audit.Entry {
	t.Helper()
	es, err := audit.List(context.Background(), db, audit.Filter{All: true, Action: action, Limit: 1})
	if err != nil || len(es) == 0 {
		t.Fatalf("no %s entry (%v)", action, err)
	}
	return es[0]
}

// TestChangePassword: the current password is checked like a sign-in (a wrong one counts as a
// failed sign-in), the new one follows the length rule, the user's other sessions end and the one
// that asked stays, and the change is audited without the password.
func TestChangePassword(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		alice := seedTown(t, db)("alice")
		here, _ := auth.CreateSession(ctx, db, alice)
		there, _ := auth.CreateSession(ctx, db, alice)
		if err := auth.ChangePassword(ctx, db, "alice", "wrong-one", "brand-new-pw", "192.0.2.1", here.Token); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("wrong current password: %v", err)
		}
		if e := lastAudit(t, db, audit.ActionLoginKO); e.Actor != "alice" {
			t.Errorf("failed check not audited as a failed sign-in: %+v", e)
		}
		var fe *problem.FieldError
		if err := auth.ChangePassword(ctx, db, "alice", "longenough", "short", "192.0.2.1", here.Token); !errors.As(err, &fe) || fe.Field != "new_password" {
			t.Fatalf("short new password: %v", err)
		}
		if err := auth.ChangePassword(ctx, db, "alice", "longenough", "brand-new-pw", "192.0.2.1", here.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.Authenticate(ctx, db, "alice", "brand-new-pw", "192.0.2.1"); err != nil {
			t.Errorf("new password refused: %v", err)
		}
		if _, err := auth.SessionByToken(ctx, db, here.Token); err != nil {
			t.Errorf("the asking session ended: %v", err)
		}
		if _, err := auth.SessionByToken(ctx, db, there.Token); err == nil {
			t.Error("another session of alice survived the change")
		}
		if e := lastAudit(t, db, audit.ActionPasswordChange); e.ActorID != alice.ID || strings.Contains(e.Detail, "brand-new") || e.Detail != "other_sessions_ended=1" {
			t.Errorf("audit of the change: %+v", e)
		}
	})
}

// TestResetPassword: an administrator sets a password or has one generated (shown once, of the
// length rule); the user's sessions end; users of other towns are not found; audited.
func TestResetPassword(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		bob := seedTown(t, db)("bob")
		sess, _ := auth.CreateSession(ctx, db, bob)
		admin := audit.Actor{ID: 99, Name: "admin", IP: "192.0.2.7"}
		towns := []string{"310105102"}
		if _, err := auth.ResetPassword(ctx, db, towns, bob.ID, "short", admin); err == nil {
			t.Error("a 5-character password was accepted")
		}
		if _, err := auth.ResetPassword(ctx, db, []string{"310115005"}, bob.ID, "", admin); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("reset from another town: %v", err)
		}
		pw, err := auth.ResetPassword(ctx, db, towns, bob.ID, "", admin)
		if err != nil || len(pw) < auth.MinPasswordLen {
			t.Fatalf("generated %q (%v)", pw, err)
		}
		if _, err := auth.Authenticate(ctx, db, "bob", pw, "192.0.2.1"); err != nil {
			t.Errorf("generated password refused: %v", err)
		}
		if _, err := auth.SessionByToken(ctx, db, sess.Token); err == nil {
			t.Error("bob's session survived the reset")
		}
		if e := lastAudit(t, db, audit.ActionPasswordReset); e.Actor != "admin" || e.EntityID == "" || strings.Contains(e.Detail, pw) {
			t.Errorf("audit of the reset: %+v", e)
		}
		if pw2, err := auth.ResetPassword(ctx, db, towns, bob.ID, "chosen-by-admin", admin); err != nil || pw2 != "chosen-by-admin" {
			t.Errorf("set password: %q %v", pw2, err)
		}
	})
}

// TestUpdateUser: name, phone, role, department, grid and the enabled flag change with the rules
// of creation; disabling ends sessions; the change is audited with the fields named.
func TestUpdateUser(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		carol := seedTown(t, db)("carol")
		sess, _ := auth.CreateSession(ctx, db, carol)
		admin := audit.Actor{ID: 99, Name: "admin"}
		towns := []string{"310105102"}
		var fe *problem.FieldError
		if _, err := auth.UpdateUser(ctx, db, towns, carol.ID, auth.UserUpdate{Role: auth.RoleHandler}, admin); !errors.As(err, &fe) || fe.Field != "department" {
			t.Errorf("handler without department: %v", err)
		}
		if _, err := auth.UpdateUser(ctx, db, towns, carol.ID, auth.UserUpdate{Role: auth.RoleHandler, DepartmentCode: "nowhere"}, admin); !errors.As(err, &fe) || fe.Field != "department" {
			t.Errorf("unknown department: %v", err)
		}
		if _, err := auth.UpdateUser(ctx, db, towns, carol.ID, auth.UserUpdate{Role: "king"}, admin); !errors.As(err, &fe) || fe.Field != "role" {
			t.Errorf("unknown role: %v", err)
		}
		u, err := auth.UpdateUser(ctx, db, towns, carol.ID, auth.UserUpdate{DisplayName: "卡罗尔", Phone: "13800000000", Role: auth.RoleLeader}, admin)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := auth.UserByID(ctx, db, towns, carol.ID)
		if got.DisplayName != "卡罗尔" || got.Phone != "13800000000" || got.Role != auth.RoleLeader || u.Role != auth.RoleLeader {
			t.Errorf("after update: %+v", got)
		}
		if e := lastAudit(t, db, audit.ActionUpdate); !strings.Contains(e.Detail, "display_name phone role") || !strings.Contains(e.Detail, "dispatcher→leader") {
			t.Errorf("audit of the update: %+v", e)
		}
		if _, err := auth.UpdateUser(ctx, db, towns, carol.ID, auth.UserUpdate{DisplayName: "卡罗尔", Phone: "13800000000", Role: auth.RoleLeader, Disabled: true}, admin); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.SessionByToken(ctx, db, sess.Token); err == nil {
			t.Error("a disabled user's session survived")
		}
		if got, _ := auth.UserByID(ctx, db, towns, carol.ID); !got.Disabled {
			t.Error("not disabled")
		}
	})
}
