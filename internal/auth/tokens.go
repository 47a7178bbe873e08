package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// API tokens: a random secret shown once at creation and stored only as its SHA-256 (a token
// has 256 random bits, so a fast hash is enough; nothing to brute-force). Each token has a
// name, an expiry, the time it was last used, and can be revoked on its own.
const (
	DefaultTokenLife = 90 * 24 * time.Hour
	MaxTokenLife     = 366 * 24 * time.Hour
	MinTokenLife     = time.Hour
	// touchEvery bounds how often a token's last use is written: at most once a minute per
	// token, so a busy integration does not turn every read into a write.
	touchEvery = time.Minute
)

// Token statuses.
const (
	TokenActive  = "active"
	TokenExpired = "expired"
	TokenRevoked = "revoked"
)

// Token is an API token as listed; the secret itself is never stored.
type Token struct {
	ID         int64     `json:"id"`
	UserID     int64     `json:"user_id"`
	Username   string    `json:"username"`
	TownCode   string    `json:"town,omitempty"`
	Name       string    `json:"name"`
	CreatedAt  time.Time `json:"created_at"`
	CreatedBy  string    `json:"created_by,omitempty"`
	ExpiresAt  time.Time `json:"expires_at"`
	LastUsedAt time.Time `json:"last_used_at"` // zero: never used
	RevokedAt  time.Time `json:"revoked_at"`   // zero: not revoked
	Status     string    `json:"status"`
}

// NewToken is what issuing a token asks for.
type NewToken struct {
	UserID int64
	Name   string
	Life   time.Duration // 0: DefaultTokenLife
	By     string        // who issues it, for the audit log ("cli" from the command line)
}

// IssueToken creates an API token and returns it with its secret, the only time the secret
// is available. The user must exist and be enabled.
func IssueToken(ctx context.Context, db *store.DB, n NewToken) (Token, string, error) {
	name, err := places.Text("name", n.Name, places.MaxNameLen)
	if err != nil {
		return Token{}, "", err
	}
	life := n.Life
	if life == 0 {
		life = DefaultTokenLife
	}
	if life < MinTokenLife || life > MaxTokenLife {
		return Token{}, "", problem.Field("expires", "a token lives between %s and %d days, not %s", MinTokenLife, int(MaxTokenLife.Hours()/24), life)
	}
	if n.By == "" {
		n.By = "cli"
	}
	secret := randomToken(tokenPrefix)
	now := time.Now()
	t := Token{UserID: n.UserID, Name: name, CreatedAt: now, CreatedBy: n.By, ExpiresAt: now.Add(life), Status: TokenActive}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, n.UserID))
		if errors.Is(err, sql.ErrNoRows) {
			return problem.NotFound("user %d", n.UserID)
		}
		if err != nil {
			return err
		}
		if u.Disabled {
			return problem.Field("username", "%s is disabled; enable the account before issuing a token", u.Username)
		}
		t.Username, t.TownCode = u.Username, u.TownCode
		if err := tx.QueryRow(ctx, `INSERT INTO api_tokens (user_id, token_hash, name, created_at, expires_at, created_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			n.UserID, hashToken(secret), name, now.UnixMilli(), t.ExpiresAt.UnixMilli(), n.By).Scan(&t.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: n.By, Action: audit.ActionCreate, Entity: "api_token", EntityID: fmt.Sprint(t.ID),
			TownCode: u.TownCode, Detail: fmt.Sprintf("user=%s name=%q expires=%s", u.Username, name, t.ExpiresAt.Format(time.DateOnly))})
	})
	if err != nil {
		return Token{}, "", err
	}
	return t, secret, nil
}

// CreateToken issues a token with the default life and returns its secret.
func CreateToken(ctx context.Context, db *store.DB, userID int64, name string) (string, error) {
	_, secret, err := IssueToken(ctx, db, NewToken{UserID: userID, Name: name})
	return secret, err
}

// ErrTokenExpired and ErrTokenRevoked say why a known token was refused; both are
// problem.ErrNotFound too, so callers that only distinguish "no such credential" still do.
var (
	ErrTokenExpired = fmt.Errorf("token expired: %w", problem.ErrNotFound)
	ErrTokenRevoked = fmt.Errorf("token revoked: %w", problem.ErrNotFound)
)

// UserByToken resolves an API token to its user. Unknown, expired and revoked tokens, and
// tokens of disabled users, are refused; a token's last use is recorded (at most once a minute).
func UserByToken(ctx context.Context, db *store.DB, token string) (User, error) {
	if !strings.HasPrefix(token, tokenPrefix) || len(token) > 128 {
		return User{}, problem.NotFound("token")
	}
	var id, expires, revoked, lastUsed int64
	u, err := scanUserWith(db.QueryRow(ctx, `SELECT u.id, u.username, u.display_name, u.role, u.town_code, u.district_code, u.department_code,
		u.grid_code, u.phone, u.disabled, u.created_at, t.id, t.expires_at, t.revoked_at, t.last_used_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`, hashToken(token)), &id, &expires, &revoked, &lastUsed)
	now := time.Now()
	switch {
	case errors.Is(err, sql.ErrNoRows) || (err == nil && u.Disabled):
		return User{}, problem.NotFound("token")
	case err != nil:
		return User{}, err
	case revoked != 0:
		return User{}, ErrTokenRevoked
	case expires <= now.UnixMilli():
		return User{}, fmt.Errorf("%w on %s; ask for a new one", ErrTokenExpired, time.UnixMilli(expires).Format(time.DateOnly))
	}
	if now.UnixMilli()-lastUsed >= touchEvery.Milliseconds() {
		// Best effort, and briefly: a busy database must not hold up the request for a timestamp.
		tctx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
		_, _ = db.Exec(tctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, now.UnixMilli(), id)
		cancel()
	}
	return u, nil
}

const tokenColumns = `t.id, t.user_id, u.username, u.town_code, t.name, t.created_at, t.created_by, t.expires_at, t.last_used_at, t.revoked_at`

func scanToken(row interface{ Scan(...any) error }, now time.Time) (Token, error) {
	var t Token
	var town sql.NullString
	var created, expires, used, revoked int64
	err := row.Scan(&t.ID, &t.UserID, &t.Username, &town, &t.Name, &created, &t.CreatedBy, &expires, &used, &revoked)
	t.TownCode, t.CreatedAt, t.ExpiresAt = town.String, time.UnixMilli(created), time.UnixMilli(expires)
	if used > 0 {
		t.LastUsedAt = time.UnixMilli(used)
	}
	switch {
	case revoked > 0:
		t.RevokedAt, t.Status = time.UnixMilli(revoked), TokenRevoked
	case expires <= now.UnixMilli():
		t.Status = TokenExpired
	default:
		t.Status = TokenActive
	}
	return t, err
}

// Tokens lists API tokens, newest first: those of one user (userID > 0) or, for the command
// line, every user's (userID 0).
func Tokens(ctx context.Context, q store.Querier, userID int64) ([]Token, error) {
	query := `SELECT ` + tokenColumns + ` FROM api_tokens t JOIN users u ON u.id = t.user_id`
	var args []any
	if userID > 0 {
		query += ` WHERE t.user_id = ?`
		args = append(args, userID)
	}
	rows, err := q.Query(ctx, query+` ORDER BY t.created_at DESC, t.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	now := time.Now()
	out := []Token{}
	for rows.Next() {
		t, err := scanToken(rows, now)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes token id of user userID (0: of any user, for the command line). A token
// of another user is not found, whatever its id; revoking twice changes nothing the second time.
func RevokeToken(ctx context.Context, db *store.DB, userID, id int64, by string, ip string) (Token, error) {
	var t Token
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		t, err = scanToken(tx.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?`, id), time.Now())
		if errors.Is(err, sql.ErrNoRows) || (err == nil && userID > 0 && t.UserID != userID) {
			return problem.NotFound("token %d", id)
		}
		if err != nil || t.Status == TokenRevoked {
			return err
		}
		now := time.Now()
		if _, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, now.UnixMilli(), id); err != nil {
			return err
		}
		t.RevokedAt, t.Status = now, TokenRevoked
		return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: audit.ActionUpdate, Entity: "api_token", EntityID: fmt.Sprint(id),
			TownCode: t.TownCode, Detail: fmt.Sprintf("revoked; user=%s name=%q", t.Username, t.Name), IP: ip})
	})
	return t, err
}

// revokeAllTokens revokes every live token of a user (when the account is disabled) and
// returns how many.
func revokeAllTokens(ctx context.Context, tx *store.Tx, userID int64) (int64, error) {
	res, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at = 0`, time.Now().UnixMilli(), userID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// ParseTokenLife reads a token's life as the command line and forms give it: "90d", "36h",
// or a date "2026-12-31" (the token then expires at the start of that day, Beijing time).
func ParseTokenLife(s string, now time.Time) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultTokenLife, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(days, "%d", &n); err == nil && fmt.Sprint(n) == days {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, beijing); err == nil {
		return t.Sub(now), nil
	}
	return 0, problem.Field("expires", "%q is not a life like 90d or 36h, nor a date like 2026-12-31", s)
}

var beijing = time.FixedZone("CST", 8*3600)
