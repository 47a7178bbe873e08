package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer lets the server goroutine write its log while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeWhileAdministering runs the server on a data directory, uses the administrative
// commands on the same directory while it serves, and stops it as Ctrl-C would.
func TestServeWhileAdministering(t *testing.T) {
	data := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, stop := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve", "--addr", addr, "--data", data, "--demo"}, &out, &out) }()
	healthy := false
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				healthy = true
				break
			}
		}
	}
	if !healthy {
		stop()
		t.Fatalf("server did not become healthy:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "demo-admin") {
		t.Errorf("start-up did not print the demo accounts:\n%s", out.String())
	}
	// Administrative commands on the same SQLite file while the server runs.
	code, o, errOut := cli(t, "user", "add", "--data", data, "--town", "310105102", "--username", "live_user", "--role", "dispatcher", "--password", "longenough")
	if code != 0 {
		t.Fatalf("user add while serving: %d %s %s", code, o, errOut)
	}
	code, o, _ = cli(t, "token", "create", "--data", data, "--username", "live_user")
	fields := strings.Fields(o)
	if code != 0 || len(fields) == 0 {
		t.Fatalf("token create while serving: %d %s", code, o)
	}
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+fields[len(fields)-1])
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the running server does not accept the new token: %v %v", err, resp)
	}
	resp.Body.Close()
	// Graceful stop: the context is what SIGINT/SIGTERM cancel in main.
	stop()
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(out.String(), "stopped") {
			t.Errorf("shutdown: exit %d\n%s", code, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not stop within 30 s of the signal")
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("server still answers after shutdown")
	}
}
