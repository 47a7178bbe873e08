package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// User is a person who signs in.
type User struct {
	ID             int64     `json:"id"`
	Username       string    `json:"username"`
	DisplayName    string    `json:"display_name"`
	Role           string    `json:"role"`
	TownCode       string    `json:"town,omitempty"`
	DistrictCode   string    `json:"district,omitempty"`
	DepartmentCode string    `json:"department,omitempty"`
	GridCode       string    `json:"grid,omitempty"`
	Phone          string    `json:"phone,omitempty"`
	Disabled       bool      `json:"disabled"`
	CreatedAt      time.Time `json:"created_at"`
}

// Can reports whether the user's role holds perm.
func (u User) Can(perm string) bool { return !u.Disabled && Can(u.Role, perm) }

// Towns returns the towns whose data the user may see: their own town, or every CivicGrid town
// of their district for a district account.
func (u User) Towns(ctx context.Context, q store.Querier) ([]string, error) {
	if u.TownCode != "" {
		return []string{u.TownCode}, nil
	}
	if u.DistrictCode != "" {
		towns, err := places.TownsOfDistrict(ctx, q, u.DistrictCode)
		if towns == nil {
			towns = []string{}
		}
		return towns, err
	}
	return []string{}, nil
}

// NewUser is what `civicgrid user add` and the admin page ask for.
type NewUser struct {
	Username       string
	DisplayName    string
	Role           string
	TownCode       string
	DistrictCode   string
	DepartmentCode string
	GridCode       string
	Phone          string
	Password       string
}

const (
	minPasswordLen = 8
	maxPasswordLen = 1024
)

// CreateUser validates and stores a user; by is the acting user for the audit log (empty for the CLI).
func CreateUser(ctx context.Context, db *store.DB, n NewUser, by string) (User, error) {
	n.Username = strings.TrimSpace(n.Username)
	if err := validUsername(n.Username); err != nil {
		return User{}, err
	}
	if !ValidRole(n.Role) {
		return User{}, problem.Field("role", "unknown role %q; one of resident gridworker gridleader dispatcher handler leader deputy volunteer admin", n.Role)
	}
	var err error
	if n.DisplayName, err = places.Text("display_name", n.DisplayName, places.MaxNameLen); err != nil {
		return User{}, err
	}
	if n.Phone, err = places.Phone("phone", n.Phone); err != nil {
		return User{}, err
	}
	if err := validPassword(n.Password); err != nil {
		return User{}, err
	}
	if n.Role == RoleHandler && n.DepartmentCode == "" {
		return User{}, problem.Field("department", "a handler must belong to a department")
	}
	if (n.Role == RoleGridWorker || n.Role == RoleGridLeader) && n.GridCode == "" {
		return User{}, problem.Field("grid", "a %s must belong to a grid", n.Role)
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return User{}, err
	}
	var u User
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if n.TownCode == "" && n.DistrictCode == "" {
			return problem.Field("town", "is required")
		}
		if n.TownCode != "" {
			if err := places.RequireTown(ctx, tx, "town", n.TownCode); err != nil {
				return err
			}
		} else {
			r, err := places.GetRegion(ctx, tx, n.DistrictCode)
			if err != nil || (r.Level != "district" && r.Level != "city") {
				return problem.Field("district", "unknown district or city code %q", n.DistrictCode)
			}
		}
		if n.DepartmentCode != "" {
			d, err := places.DepartmentByCode(ctx, tx, []string{n.TownCode}, n.DepartmentCode)
			if err != nil || d.TownCode != n.TownCode {
				return problem.Field("department", "unknown department %q in town %s", n.DepartmentCode, n.TownCode)
			}
		}
		if n.GridCode != "" {
			if _, err := places.GridByCode(ctx, tx, []string{n.TownCode}, n.GridCode); err != nil {
				return problem.Field("grid", "unknown grid %q in town %s", n.GridCode, n.TownCode)
			}
		}
		var exists int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE username = ?`, n.Username).Scan(&exists); err != nil {
			return err
		}
		if exists > 0 {
			return problem.Field("username", "%q is already taken", n.Username)
		}
		now := time.Now()
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO users (username, display_name, role, town_code, district_code, department_code, grid_code, phone, password_hash, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			n.Username, n.DisplayName, n.Role, store.NullIfEmpty(n.TownCode), store.NullIfEmpty(n.DistrictCode), store.NullIfEmpty(n.DepartmentCode), store.NullIfEmpty(n.GridCode),
			n.Phone, hash, now.UnixMilli()).Scan(&id)
		if store.IsUniqueViolation(err) {
			return problem.Field("username", "%q is already taken", n.Username)
		}
		if err != nil {
			return err
		}
		u = User{ID: id, Username: n.Username, DisplayName: n.DisplayName, Role: n.Role, TownCode: n.TownCode, DistrictCode: n.DistrictCode,
			DepartmentCode: n.DepartmentCode, GridCode: n.GridCode, Phone: n.Phone, CreatedAt: now}
		if by == "" {
			by = "cli"
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.ActionCreate, Entity: "user", EntityID: fmt.Sprint(id),
			TownCode: n.TownCode, Detail: "role=" + n.Role})
	})
	return u, err
}

func validUsername(s string) error {
	if s == "" {
		return problem.Field("username", "is required")
	}
	if len(s) > 64 {
		return problem.Field("username", "is longer than 64 characters")
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return problem.Field("username", "may contain only letters, digits, '_', '-' and '.', not %q", r)
		}
	}
	return nil
}

const userColumns = `id, username, display_name, role, town_code, district_code, department_code, grid_code, phone, disabled, created_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var town, district, dept, grid sql.NullString
	var disabled int
	var created int64
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &town, &district, &dept, &grid, &u.Phone, &disabled, &created)
	u.TownCode, u.DistrictCode, u.DepartmentCode, u.GridCode = town.String, district.String, dept.String, grid.String
	u.Disabled, u.CreatedAt = disabled == 1, time.UnixMilli(created)
	return u, err
}

// UserByUsername finds a user anywhere (sign-in and the CLI).
func UserByUsername(ctx context.Context, q store.Querier, username string) (User, error) {
	u, err := scanUser(q.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, username))
	if errors.Is(err, sql.ErrNoRows) {
		return u, problem.NotFound("user %q", username)
	}
	return u, err
}

// UserByID finds a user of the given towns; users of other towns are not found.
func UserByID(ctx context.Context, q store.Querier, towns []string, id int64) (User, error) {
	if len(towns) == 0 {
		return User{}, problem.NotFound("user %d", id)
	}
	args := []any{id}
	for _, t := range towns {
		args = append(args, t)
	}
	u, err := scanUser(q.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ? AND town_code IN (`+store.Placeholders(len(towns))+`)`, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return u, problem.NotFound("user %d", id)
	}
	return u, err
}

// Users lists the users of the given towns, optionally of one role.
func Users(ctx context.Context, q store.Querier, towns []string, role string) ([]User, error) {
	if len(towns) == 0 {
		return nil, nil
	}
	var args []any
	for _, t := range towns {
		args = append(args, t)
	}
	query := `SELECT ` + userColumns + ` FROM users WHERE town_code IN (` + store.Placeholders(len(towns)) + `)`
	if role != "" {
		query += ` AND role = ?`
		args = append(args, role)
	}
	return store.Collect(ctx, q, func(rows *sql.Rows) (User, error) { return scanUser(rows) }, query+` ORDER BY town_code, role, username`, args...)
}

// CountUsers counts the accounts of the given towns (the home page's tile).
func CountUsers(ctx context.Context, q store.Querier, towns []string) (int, error) {
	where, args := store.In("town_code", towns)
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE `+where, args...).Scan(&n)
	return n, err
}

// SetDisabled locks or unlocks an account of towns. Locking ends its sessions and revokes its
// API tokens (a disabled account is often a leaked one); unlocking lets the person sign in
// again, and API access needs new tokens. Both are audited.
func SetDisabled(ctx context.Context, db *store.DB, towns []string, id int64, disabled bool, by string) error {
	return db.InTx(ctx, func(tx *store.Tx) error {
		u, err := UserByID(ctx, tx, towns, id)
		if err != nil {
			return err
		}
		return setDisabled(ctx, tx, u, disabled, by)
	})
}

// SetDisabledByUsername is SetDisabled for the command line, which may reach every account.
func SetDisabledByUsername(ctx context.Context, db *store.DB, username string, disabled bool, by string) (User, error) {
	var u User
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if u, err = UserByUsername(ctx, tx, username); err != nil {
			return err
		}
		u.Disabled = disabled
		return setDisabled(ctx, tx, u, disabled, by)
	})
	return u, err
}

func setDisabled(ctx context.Context, tx *store.Tx, u User, disabled bool, by string) error {
	if _, err := tx.Exec(ctx, `UPDATE users SET disabled = ? WHERE id = ?`, store.Bool(disabled), u.ID); err != nil {
		return err
	}
	detail := fmt.Sprintf("disabled=%v", disabled)
	if disabled {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID); err != nil {
			return err
		}
		n, err := revokeAllTokens(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		detail += fmt.Sprintf(" tokens_revoked=%d", n)
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.ActionUpdate, Entity: "user", EntityID: fmt.Sprint(u.ID),
		TownCode: u.TownCode, Detail: detail})
}

// validPassword checks a new password's length: long enough to resist guessing, and bounded so
// that a megabyte "password" is refused before it is hashed.
func validPassword(pw string) error {
	if len(pw) < minPasswordLen {
		return problem.Field("password", "must be at least %d characters", minPasswordLen)
	}
	if len(pw) > maxPasswordLen {
		return problem.Field("password", "is longer than %d bytes", maxPasswordLen)
	}
	return nil
}

// SetPassword replaces a user's password.
func SetPassword(ctx context.Context, db *store.DB, userID int64, password string) error {
	if err := validPassword(password); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	_, err = db.Exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID)
	return err
}

// Argon2id parameters: OWASP's minimum (19 MiB, 2 passes), a sign-in costs ~30 ms.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an encoded argon2id hash.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword compares in constant time.
func CheckPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

const (
	sessionLife    = 12 * time.Hour
	tokenPrefix    = "cgt_"
	sessionPrefix  = "cgs_"
	dummyHashInput = "civicgrid-timing-equaliser"
)

// scanUserWith scans the user columns followed by extra columns of the same row.
func scanUserWith(row *sql.Row, extra ...any) (User, error) {
	var u User
	var town, district, dept, grid sql.NullString
	var disabled int
	var created int64
	dest := append([]any{&u.ID, &u.Username, &u.DisplayName, &u.Role, &town, &district, &dept, &grid, &u.Phone, &disabled, &created}, extra...)
	err := row.Scan(dest...)
	u.TownCode, u.DistrictCode, u.DepartmentCode, u.GridCode = town.String, district.String, dept.String, grid.String
	u.Disabled, u.CreatedAt = disabled == 1, time.UnixMilli(created)
	return u, err
}

func randomToken(prefix string) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

// Session is a signed-in browser.
type Session struct {
	Token string // the cookie value; only its hash is stored
	CSRF  string
	User  User
}

// CreateSession starts a browser session for u.
func CreateSession(ctx context.Context, db *store.DB, u User) (Session, error) {
	s := Session{Token: randomToken(sessionPrefix), CSRF: randomToken(""), User: u}
	now := time.Now()
	_, err := db.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		hashToken(s.Token), u.ID, s.CSRF, now.UnixMilli(), now.Add(sessionLife).UnixMilli())
	return s, err
}

// SessionByToken returns the live session for a cookie value.
func SessionByToken(ctx context.Context, q store.Querier, token string) (Session, error) {
	var csrf string
	u, err := scanUserWith(q.QueryRow(ctx, `SELECT u.id, u.username, u.display_name, u.role, u.town_code, u.district_code, u.department_code,
		u.grid_code, u.phone, u.disabled, u.created_at, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.expires_at > ?`, hashToken(token), time.Now().UnixMilli()), &csrf)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && u.Disabled) {
		return Session{}, problem.NotFound("session")
	}
	return Session{Token: token, CSRF: csrf, User: u}, err
}

// EndSession signs a browser out.
func EndSession(ctx context.Context, db *store.DB, token string) error {
	_, err := db.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hashToken(token))
	return err
}
