package auth

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// MinPasswordLen is the shortest password accepted (forms show it).
const MinPasswordLen = minPasswordLen

// ChangePassword sets username's own password after checking the current one exactly as a
// sign-in does (throttled, failures counted and audited as failed sign-ins). Every other session
// of the user ends — keepToken is the session that asked, "" for none — and the change is audited.
func ChangePassword(ctx context.Context, db *store.DB, username, current, next, ip, keepToken string) error {
	if err := validPassword(next); err != nil {
		return problem.Field("new_password", "%s", strings.TrimPrefix(err.Error(), "password: "))
	}
	if next == current {
		return problem.Field("new_password", "must differ from the current password")
	}
	u, err := checkCredentials(ctx, db, username, current, ip)
	if err != nil {
		return err
	}
	hash, err := HashPassword(next)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, u.ID); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, u.ID, hashToken(keepToken))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		return audit.Record(ctx, tx, audit.Entry{ActorID: u.ID, Actor: u.Username, Action: audit.ActionPasswordChange, Entity: "user",
			EntityID: fmt.Sprint(u.ID), TownCode: u.TownCode, IP: ip, Detail: fmt.Sprintf("other_sessions_ended=%d", n)})
	})
}

// ResetPassword sets the password of a user of towns on an administrator's word: password, or
// when empty a generated one, which it returns (to be shown once). The user's sessions end; the
// reset is audited (never the password).
func ResetPassword(ctx context.Context, db *store.DB, towns []string, id int64, password string, by audit.Actor) (string, error) {
	return resetPassword(ctx, db, func(tx *store.Tx) (User, error) { return UserByID(ctx, tx, towns, id) }, password, by)
}

// ResetPasswordByUsername is ResetPassword for the command line, which may reach every account.
func ResetPasswordByUsername(ctx context.Context, db *store.DB, username, password string, by audit.Actor) (string, error) {
	return resetPassword(ctx, db, func(tx *store.Tx) (User, error) { return UserByUsername(ctx, tx, username) }, password, by)
}

func resetPassword(ctx context.Context, db *store.DB, find func(*store.Tx) (User, error), password string, by audit.Actor) (string, error) {
	if password == "" {
		password = GeneratePassword()
	}
	if err := validPassword(password); err != nil {
		return "", err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return "", err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		u, err := find(tx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, u.ID); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionPasswordReset, Entity: "user", EntityID: fmt.Sprint(u.ID),
			TownCode: u.TownCode, Detail: fmt.Sprintf("sessions_ended=%d", n)})
	})
	if err != nil {
		return "", err
	}
	return password, nil
}

// GeneratePassword returns 12 characters from an alphabet without look-alikes (no 0/O, 1/l/I).
func GeneratePassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 12)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		b[i] = alphabet[n.Int64()]
	}
	return string(b)
}

// UserUpdate is what an administrator may change of a user: not the username or the town.
type UserUpdate struct {
	DisplayName    string
	Phone          string
	Role           string
	DepartmentCode string
	GridCode       string
	Disabled       bool
}

// UpdateUser changes a user of towns, with the rules of CreateUser (a handler belongs to a
// department, a grid worker or leader to a grid, both of the user's town). Disabling ends the
// user's sessions and revokes their tokens as SetDisabled does. Audited with the fields changed.
func UpdateUser(ctx context.Context, db *store.DB, towns []string, id int64, n UserUpdate, by audit.Actor) (User, error) {
	if !ValidRole(n.Role) {
		return User{}, problem.Field("role", "unknown role %q", n.Role)
	}
	var err error
	if n.DisplayName, err = places.Text("display_name", n.DisplayName, places.MaxNameLen); err != nil {
		return User{}, err
	}
	if n.Phone, err = places.Phone("phone", n.Phone); err != nil {
		return User{}, err
	}
	if n.Role == RoleHandler && n.DepartmentCode == "" {
		return User{}, problem.Field("department", "a handler must belong to a department")
	}
	if (n.Role == RoleGridWorker || n.Role == RoleGridLeader) && n.GridCode == "" {
		return User{}, problem.Field("grid", "a %s must belong to a grid", n.Role)
	}
	var u User
	err = db.InTx(ctx, func(tx *store.Tx) error {
		old, err := UserByID(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		if n.DepartmentCode != "" {
			d, err := places.DepartmentByCode(ctx, tx, []string{old.TownCode}, n.DepartmentCode)
			if err != nil || d.TownCode != old.TownCode {
				return problem.Field("department", "unknown department %q in town %s", n.DepartmentCode, old.TownCode)
			}
		}
		if n.GridCode != "" {
			if _, err := places.GridByCode(ctx, tx, []string{old.TownCode}, n.GridCode); err != nil {
				return problem.Field("grid", "unknown grid %q in town %s", n.GridCode, old.TownCode)
			}
		}
		var changed []string
		for _, f := range []struct{ name, was, is string }{{"display_name", old.DisplayName, n.DisplayName}, {"phone", old.Phone, n.Phone},
			{"role", old.Role, n.Role}, {"department", old.DepartmentCode, n.DepartmentCode}, {"grid", old.GridCode, n.GridCode}} {
			if f.was != f.is {
				changed = append(changed, f.name)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET display_name = ?, phone = ?, role = ?, department_code = ?, grid_code = ? WHERE id = ?`,
			n.DisplayName, n.Phone, n.Role, store.NullIfEmpty(n.DepartmentCode), store.NullIfEmpty(n.GridCode), old.ID); err != nil {
			return err
		}
		u = old
		u.DisplayName, u.Phone, u.Role, u.DepartmentCode, u.GridCode = n.DisplayName, n.Phone, n.Role, n.DepartmentCode, n.GridCode
		if len(changed) > 0 {
			detail := "changed: " + strings.Join(changed, " ")
			if old.Role != n.Role {
				detail += fmt.Sprintf(" · role %s→%s", old.Role, n.Role)
			}
			if err := by.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "user", EntityID: fmt.Sprint(old.ID),
				TownCode: old.TownCode, Detail: detail}); err != nil {
				return err
			}
		}
		if old.Disabled != n.Disabled {
			u.Disabled = n.Disabled
			return setDisabled(ctx, tx, u, n.Disabled, by.Name)
		}
		return nil
	})
	return u, err
}
