package web_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/web"
)

func quietServer(t *testing.T, cfg web.Config) *web.Server {
	t.Helper()
	if cfg.DB == nil {
		cfg.DB = testdb.SQLite(t)
	}
	cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func getMetrics(t *testing.T, h http.Handler, remote string, header map[string]string) int {
	t.Helper()
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.RemoteAddr = remote
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code == http.StatusOK && !strings.Contains(rec.Body.String(), "go_goroutines") {
		t.Errorf("metrics answer 200 without the metrics")
	}
	return rec.Code
}

// TestMetricsAccess: without a token /metrics answers direct loopback requests only; with one,
// only requests carrying it.
func TestMetricsAccess(t *testing.T) {
	open := quietServer(t, web.Config{}).Handler()
	cases := []struct {
		name, remote string
		header       map[string]string
		want         int
	}{
		{"loopback", "127.0.0.1:5000", nil, 200},
		{"loopback IPv6", "[::1]:5000", nil, 200},
		{"another machine", "203.0.113.9:5000", nil, 403},
		{"private network", "10.0.0.7:5000", nil, 403},
		{"relayed by a proxy on this machine", "127.0.0.1:5000", map[string]string{"X-Forwarded-For": "203.0.113.9"}, 403},
		{"relayed with Forwarded", "127.0.0.1:5000", map[string]string{"Forwarded": "for=203.0.113.9"}, 403},
	}
	for _, c := range cases {
		if got := getMetrics(t, open, c.remote, c.header); got != c.want {
			t.Errorf("no token, %s: %d, want %d", c.name, got, c.want)
		}
	}
	// Behind a trusted proxy the proxy's client address decides.
	proxied := quietServer(t, web.Config{TrustProxy: true}).Handler()
	if got := getMetrics(t, proxied, "127.0.0.1:5000", map[string]string{"X-Forwarded-For": "203.0.113.9"}); got != 403 {
		t.Errorf("trusted proxy relaying an outside client: %d, want 403", got)
	}
	token := "s3cret-metrics-token-0123456789"
	locked := quietServer(t, web.Config{MetricsToken: token}).Handler()
	for _, c := range []struct {
		name, remote, auth string
		want               int
	}{
		{"no token from loopback", "127.0.0.1:5000", "", 401},
		{"wrong token", "203.0.113.9:5000", "Bearer nope", 401},
		{"token as basic auth", "203.0.113.9:5000", "Basic " + token, 401},
		{"right token from afar", "203.0.113.9:5000", "Bearer " + token, 200},
	} {
		h := map[string]string{}
		if c.auth != "" {
			h["Authorization"] = c.auth
		}
		if got := getMetrics(t, locked, c.remote, h); got != c.want {
			t.Errorf("with a token, %s: %d, want %d", c.name, got, c.want)
		}
	}
}

// TestSecureCookies: with SecureCookies every cookie the server sets — CSRF, session, sign-out —
// is Secure, HttpOnly and SameSite.
func TestSecureCookies(t *testing.T) {
	a := newApp(t, testdb.SQLite(t))
	srv := httptest.NewServer(quietServer(t, web.Config{DB: a.db, SecureCookies: true}).Handler())
	defer srv.Close()
	b := newBrowser(t, srv.URL)
	var setCookies []string
	record := func(resp *http.Response) {
		setCookies = append(setCookies, resp.Header.Values("Set-Cookie")...)
		resp.Body.Close()
	}
	resp, err := b.c.Get(srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	record(resp)
	tok := csrfRe.FindSubmatch(body)
	// The jar does not send Secure cookies over http://, so send the CSRF cookie by hand.
	form := url.Values{"csrf": {string(tok[1])}, "username": {"admin"}, "password": {"demo-admin"}}
	req, _ := http.NewRequest("POST", srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "cg_csrf", Value: string(tok[1])})
	resp, err = b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	record(resp)
	var session string
	for _, c := range resp.Cookies() {
		if c.Name == "cg_session" {
			session = c.Value
		}
	}
	req, _ = http.NewRequest("POST", srv.URL+"/logout", nil)
	req.AddCookie(&http.Cookie{Name: "cg_session", Value: session})
	req.Header.Set("X-CSRF-Token", "")
	resp, err = b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	record(resp)
	if len(setCookies) < 2 {
		t.Fatalf("cookies set: %q", setCookies)
	}
	for _, c := range setCookies {
		if strings.HasPrefix(c, "cg_lang=") {
			continue // a language preference, not a credential
		}
		if !strings.Contains(c, "; Secure") || !strings.Contains(c, "; HttpOnly") || !strings.Contains(c, "SameSite=") {
			t.Errorf("cookie without Secure, HttpOnly and SameSite: %s", c)
		}
	}
}

// TestHTTPServerLimits: the served http.Server has every timeout and size limit set.
func TestHTTPServerLimits(t *testing.T) {
	hs := quietServer(t, web.Config{}).HTTPServer()
	if hs.ReadHeaderTimeout <= 0 || hs.ReadTimeout <= 0 || hs.WriteTimeout <= hs.ReadTimeout || hs.IdleTimeout <= 0 ||
		hs.MaxHeaderBytes <= 0 || hs.MaxHeaderBytes > 1<<20 {
		t.Errorf("limits: header %s, read %s, write %s, idle %s, header bytes %d", hs.ReadHeaderTimeout, hs.ReadTimeout, hs.WriteTimeout,
			hs.IdleTimeout, hs.MaxHeaderBytes)
	}
}

// startServer serves s's HTTPServer on a loopback port.
func startServer(t *testing.T, s *web.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := s.HTTPServer()
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
	})
	return ln.Addr().String()
}

// sendSlowly posts a form body of size bytes in chunks of chunk bytes every pause, and returns
// the status line of the answer, or the error that ended the exchange, and when it ended.
func sendSlowly(t *testing.T, addr string, size, chunk int, pause time.Duration) (string, time.Duration) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n", addr, size)
	body := "a=" + strings.Repeat("x", size-2)
	for sent := 0; sent < size; sent += chunk {
		end := min(sent+chunk, size)
		if _, err := conn.Write([]byte(body[sent:end])); err != nil {
			return "write: " + err.Error(), time.Since(start)
		}
		if end < size {
			time.Sleep(pause)
		}
		if time.Since(start) > 20*time.Second {
			return "client gave up", time.Since(start)
		}
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return "read: " + err.Error(), time.Since(start)
	}
	return strings.TrimSpace(line), time.Since(start)
}

// TestSlowBodies: a body that keeps coming at a fair rate may take longer than ReadTimeout (big
// uploads over slow lines); one trickled to hold the connection open is cut off.
func TestSlowBodies(t *testing.T) {
	addr := startServer(t, quietServer(t, web.Config{ReadTimeout: 300 * time.Millisecond, WriteTimeout: time.Second}))
	// 400 KB at ~400 KB/s: a second in all, three times ReadTimeout, and answered (403: no CSRF token).
	if status, took := sendSlowly(t, addr, 400<<10, 4<<10, 10*time.Millisecond); !strings.HasPrefix(status, "HTTP/1.1 403") || took < 300*time.Millisecond {
		t.Errorf("steady upload over %s: %q, want an answer", took, status)
	}
	// A byte every 50 ms: cut off soon after ReadTimeout instead of holding the connection for minutes.
	status, took := sendSlowly(t, addr, 4000, 1, 50*time.Millisecond)
	t.Logf("trickled body: %q after %s", status, took)
	if strings.HasPrefix(status, "HTTP/1.1 403") || took > 5*time.Second {
		t.Errorf("trickled body: %q after %s; want the connection cut within a few seconds", status, took)
	}
}
