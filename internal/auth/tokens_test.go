package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// seedTown stores one tenant town and returns a function that creates users in it.
func seedTown(t *testing.T, db *store.DB) func(username string) auth.User {
	t.Helper()
	ctx := context.Background()
	for _, r := range []places.Region{
		{Code: "3101", Name: "上海市", Level: "city"},
		{Code: "310105", Name: "长宁区", Level: "district", ParentCode: "3101"},
		{Code: "310105102", Name: "新泾镇", Level: "town", ParentCode: "310105", Tenant: true},
	} {
		if err := places.UpsertRegion(ctx, db, r); err != nil {
			t.Fatal(err)
		}
	}
	return func(username string) auth.User {
		u, err := auth.CreateUser(ctx, db, auth.NewUser{Username: username, Role: auth.RoleDispatcher, TownCode: "310105102", Password: "longenough"}, "test")
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
}

func TestTokenLifecycle(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		newUser := seedTown(t, db)
		alice, bob := newUser("alice"), newUser("bob")

		tok, secret, err := auth.IssueToken(ctx, db, auth.NewToken{UserID: alice.ID, Name: "hotline push", Life: 30 * 24 * time.Hour, By: "admin"})
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Until(tok.ExpiresAt); d < 29*24*time.Hour || d > 30*24*time.Hour {
			t.Errorf("token expires in %s, want 30 days", d)
		}
		// Only the secret's SHA-256 is stored; no column holds the secret.
		var stored string
		if err := db.QueryRow(ctx, `SELECT token_hash FROM api_tokens WHERE id = ?`, tok.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(secret))
		if stored != hex.EncodeToString(sum[:]) || strings.Contains(stored, secret) {
			t.Errorf("stored %q is not the SHA-256 of the secret", stored)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM api_tokens WHERE token_hash = ? OR name = ?`, secret, secret).Scan(&n); err != nil || n != 0 {
			t.Errorf("the secret is stored in the clear (%d rows, %v)", n, err)
		}

		// Use is recorded.
		if u, err := auth.UserByToken(ctx, db, secret); err != nil || u.ID != alice.ID {
			t.Fatalf("UserByToken = %v, %v", u.Username, err)
		}
		ts, err := auth.Tokens(ctx, db, alice.ID)
		if err != nil || len(ts) != 1 || ts[0].LastUsedAt.IsZero() || ts[0].Status != auth.TokenActive || ts[0].Name != "hotline push" {
			t.Fatalf("alice's tokens = %+v, %v; want one active, used token", ts, err)
		}

		// Bob cannot revoke Alice's token, whatever its id: it is not found for him.
		if _, err := auth.RevokeToken(ctx, db, bob.ID, tok.ID, "bob", ""); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("bob revoking alice's token: %v, want not found", err)
		}
		if _, err := auth.UserByToken(ctx, db, secret); err != nil {
			t.Errorf("token stopped working after a refused revocation: %v", err)
		}
		// Alice can; the token stops working at once and is listed as revoked.
		if _, err := auth.RevokeToken(ctx, db, alice.ID, tok.ID, "alice", "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.UserByToken(ctx, db, secret); !errors.Is(err, auth.ErrTokenRevoked) || !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("revoked token: %v, want ErrTokenRevoked (a not-found)", err)
		}
		if ts, _ := auth.Tokens(ctx, db, alice.ID); len(ts) != 1 || ts[0].Status != auth.TokenRevoked || ts[0].RevokedAt.IsZero() {
			t.Errorf("after revocation: %+v", ts)
		}

		// An expired token is refused, and says since when.
		_, old, err := auth.IssueToken(ctx, db, auth.NewToken{UserID: alice.ID, Name: "old"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `UPDATE api_tokens SET expires_at = ? WHERE name = 'old'`, time.Now().Add(-time.Minute).UnixMilli()); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.UserByToken(ctx, db, old); !errors.Is(err, auth.ErrTokenExpired) || !strings.Contains(err.Error(), time.Now().Format("2006-01")) {
			t.Errorf("expired token: %v, want ErrTokenExpired with its date", err)
		}

		// Lives out of bounds are refused with a field error.
		for _, life := range []time.Duration{time.Minute, 400 * 24 * time.Hour, -time.Hour} {
			if _, _, err := auth.IssueToken(ctx, db, auth.NewToken{UserID: alice.ID, Life: life}); !isField(err, "expires") {
				t.Errorf("life %s: %v, want a field error on expires", life, err)
			}
		}

		// Every issue and revocation is audited.
		var audited int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'api_token'`).Scan(&audited); err != nil || audited != 3 {
			t.Errorf("%d audit rows for tokens (%v), want 3 (two issued, one revoked)", audited, err)
		}
	})
}

func isField(err error, field string) bool {
	var fe *problem.FieldError
	return errors.As(err, &fe) && fe.Field == field
}

// TestDisableRevokesTokensAndEnableRestoresSignIn: disabling ends sessions and revokes tokens;
// enabling lets the person sign in again but does not bring the old tokens back. Both audited.
func TestDisableRevokesTokensAndEnableRestoresSignIn(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := seedTown(t, db)("carol")
		secret, err := auth.CreateToken(ctx, db, u.ID, "integration")
		if err != nil {
			t.Fatal(err)
		}
		sess, err := auth.CreateSession(ctx, db, u)
		if err != nil {
			t.Fatal(err)
		}
		if err := auth.SetDisabled(ctx, db, []string{"310105102"}, u.ID, true, "admin"); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.UserByToken(ctx, db, secret); err == nil {
			t.Error("token of a disabled user still works")
		}
		if _, err := auth.SessionByToken(ctx, db, sess.Token); err == nil {
			t.Error("session of a disabled user still works")
		}
		if _, err := auth.Authenticate(ctx, db, "carol", "longenough", "10.0.0.1"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Errorf("disabled user signs in: %v", err)
		}
		if _, err := auth.SetDisabledByUsername(ctx, db, "carol", false, "cli"); err != nil {
			t.Fatal(err)
		}
		if _, err := auth.Authenticate(ctx, db, "carol", "longenough", "10.0.0.1"); err != nil {
			t.Errorf("re-enabled user cannot sign in: %v", err)
		}
		if _, err := auth.UserByToken(ctx, db, secret); !errors.Is(err, auth.ErrTokenRevoked) {
			t.Errorf("old token after re-enabling: %v, want revoked", err)
		}
		var details []string
		rows, err := db.Query(ctx, `SELECT detail FROM audit_log WHERE entity = 'user' AND entity_id = ? AND action = 'update' ORDER BY id`, itoa(u.ID))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var d string
			_ = rows.Scan(&d)
			details = append(details, d)
		}
		if len(details) != 2 || details[0] != "disabled=true tokens_revoked=1" || details[1] != "disabled=false" {
			t.Errorf("audit of disable and enable = %q", details)
		}
	})
}

// TestTokensFromBeforeExpiry: a token issued before tokens expired keeps working after the
// migration, for 90 days.
func TestTokensFromBeforeExpiry(t *testing.T) {
	testdb.EachEmpty(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.MigrateTo(ctx, nil, 7); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, `INSERT INTO regions (code, name, level, tenant) VALUES ('310105102', '新泾镇', 'town', 1)`); err != nil {
			t.Fatal(err)
		}
		var uid int64
		if err := db.QueryRow(ctx, `INSERT INTO users (username, role, town_code, password_hash, created_at) VALUES ('legacy', 'admin', '310105102', 'x', 0) RETURNING id`).Scan(&uid); err != nil {
			t.Fatal(err)
		}
		secret := "cgt_legacy-token-from-before-expiry-0123456789"
		sum := sha256.Sum256([]byte(secret))
		if _, err := db.Exec(ctx, `INSERT INTO api_tokens (user_id, token_hash, name, created_at) VALUES (?, ?, 'legacy', 0)`, uid, hex.EncodeToString(sum[:])); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if u, err := auth.UserByToken(ctx, db, secret); err != nil || u.Username != "legacy" {
			t.Fatalf("legacy token after the migration: %v", err)
		}
		ts, err := auth.Tokens(ctx, db, uid)
		if err != nil || len(ts) != 1 {
			t.Fatal(ts, err)
		}
		if d := time.Until(ts[0].ExpiresAt); d < 89*24*time.Hour || d > 90*24*time.Hour+time.Minute {
			t.Errorf("legacy token expires in %s, want 90 days", d)
		}
	})
}

func TestParseTokenLife(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"":           auth.DefaultTokenLife,
		"30d":        30 * 24 * time.Hour,
		"36h":        36 * time.Hour,
		"2026-01-11": 10*24*time.Hour - 8*time.Hour, // midnight in Beijing
	}
	for in, want := range cases {
		if got, err := auth.ParseTokenLife(in, now); err != nil || got != want {
			t.Errorf("ParseTokenLife(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"soon", "3x", "d", "1.5d", "2026-13-01"} {
		if _, err := auth.ParseTokenLife(bad, now); !isField(err, "expires") {
			t.Errorf("ParseTokenLife(%q) = %v, want a field error", bad, err)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
