package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/web"
)

// TestCLITokensAndAccounts: tokens are issued with an expiry, listed, revoked one by one; an
// account is disabled and enabled again; each step shows in what the server accepts.
func TestCLITokensAndAccounts(t *testing.T) {
	data := demoData(t)
	issue := func(args ...string) (string, string) {
		t.Helper()
		code, out, errOut := cli(t, append([]string{"token", "create", "--data", data}, args...)...)
		fields := strings.Fields(out)
		if code != 0 || len(fields) == 0 {
			t.Fatalf("token create %v: %d %s %s", args, code, out, errOut)
		}
		return fields[len(fields)-1], out
	}
	push, out := issue("--username", "dispatcher", "--name", "hotline-push", "--expires", "30d")
	if !strings.HasPrefix(push, "cgt_") || !strings.Contains(out, "expires") {
		t.Errorf("token create output: %q", out)
	}
	other, _ := issue("--username", "dispatcher", "--name", "spare")
	if code, _, errOut := cli(t, "token", "create", "--data", data, "--username", "dispatcher", "--expires", "1000d"); code == 0 || !strings.Contains(errOut, "expires") {
		t.Errorf("token for 1000 days: %d %s; want refused naming expires", code, errOut)
	}

	code, list, _ := cli(t, "token", "list", "--data", data, "--username", "dispatcher")
	if code != 0 || !strings.Contains(list, "hotline-push") || !strings.Contains(list, "spare") || strings.Contains(list, push) {
		t.Fatalf("token list: %d\n%s", code, list)
	}
	m := regexp.MustCompile(`(?m)^(\d+)\s+dispatcher\s+hotline-push\s`).FindStringSubmatch(list)
	if m == nil {
		t.Fatalf("no id for hotline-push in:\n%s", list)
	}
	if code, out, errOut := cli(t, "token", "revoke", "--data", data, "--id", m[1]); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("token revoke: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := cli(t, "token", "revoke", "--data", data, "--id", "999999"); code == 0 || !strings.Contains(errOut, "not found") {
		t.Errorf("revoking an unknown token: %d %s", code, errOut)
	}
	_, list, _ = cli(t, "token", "list", "--data", data)
	if !regexp.MustCompile(`hotline-push .*revoked`).MatchString(list) || !regexp.MustCompile(`spare .*active`).MatchString(list) {
		t.Errorf("after revoking one token:\n%s", list)
	}

	serve := func() *httptest.Server {
		db, err := store.Open(context.Background(), store.Options{DataDir: data})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		s, err := web.New(web.Config{DB: db})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(s.Handler())
		t.Cleanup(srv.Close)
		return srv
	}
	srv := serve()
	status := func(token string) int {
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if push, spare := status(push), status(other); push != 401 || spare != 200 {
		t.Errorf("revoked token → %d, spare token → %d; want 401 and 200", push, spare)
	}

	// Disabling revokes the spare token too; enabling lets a new token work.
	if code, out, errOut := cli(t, "user", "disable", "--data", data, "--username", "dispatcher"); code != 0 || !strings.Contains(out, "disabled") {
		t.Fatalf("user disable: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := cli(t, "token", "create", "--data", data, "--username", "dispatcher"); code == 0 || !strings.Contains(errOut, "disabled") {
		t.Errorf("token for a disabled user: %d %s", code, errOut)
	}
	if code, out, errOut := cli(t, "user", "enable", "--data", data, "--username", "dispatcher"); code != 0 || !strings.Contains(out, "enabled") {
		t.Fatalf("user enable: %d %s %s", code, out, errOut)
	}
	fresh, _ := issue("--username", "dispatcher")
	if old, fresh := status(other), status(fresh); old != 401 || fresh != 200 {
		t.Errorf("after disable and enable: old token → %d, new token → %d; want 401 and 200", old, fresh)
	}
	if code, _, errOut := cli(t, "user", "enable", "--data", data, "--username", "ghost"); code == 0 || !strings.Contains(errOut, "not found") {
		t.Errorf("enabling an unknown user: %d %s", code, errOut)
	}
}

// TestServeSecurityFlags: serve takes --secure-cookies and --metrics-token (and their
// environment variables), and refuses a metrics token short enough to guess.
func TestServeSecurityFlags(t *testing.T) {
	code, out, _ := cli(t, "serve", "--help")
	if code != 0 || !strings.Contains(out, "secure-cookies") || !strings.Contains(out, "CIVICGRID_SECURE_COOKIES") ||
		!strings.Contains(out, "metrics-token") || !strings.Contains(out, "CIVICGRID_METRICS_TOKEN") {
		t.Errorf("serve --help lacks the security flags:\n%s", out)
	}
	t.Setenv("CIVICGRID_METRICS_TOKEN", "short")
	if code, _, errOut := cli(t, "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0"); code == 0 || !strings.Contains(errOut, "metrics-token") {
		t.Errorf("serve with a 5-character metrics token: %d %s", code, errOut)
	}
}

// TestUserResetPasswordCLI: the command sets a chosen password or prints a generated one that
// signs in; an unknown user is an error.
func TestUserResetPasswordCLI(t *testing.T) {
	data := demoData(t)
	code, out, errOut := cli(t, "user", "reset-password", "--data", data, "--username", "dispatcher")
	i := strings.Index(out, "(shown once): ")
	if code != 0 || i < 0 {
		t.Fatalf("reset: %d %s %s", code, out, errOut)
	}
	pw := strings.TrimSpace(out[i+len("(shown once): "):])
	db, err := store.Open(context.Background(), store.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auth.Authenticate(context.Background(), db, "dispatcher", pw, "192.0.2.1"); err != nil || len(pw) < auth.MinPasswordLen {
		t.Errorf("generated password %q: %v", pw, err)
	}
	db.Close()
	if code, _, _ := cli(t, "user", "reset-password", "--data", data, "--username", "dispatcher", "--password", "short"); code == 0 {
		t.Error("a short password was accepted")
	}
	if code, _, _ := cli(t, "user", "reset-password", "--data", data, "--username", "nobody"); code == 0 {
		t.Error("an unknown user was accepted")
	}
}
