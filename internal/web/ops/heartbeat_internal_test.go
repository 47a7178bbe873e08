package ops

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/live"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// An idle stream sends a comment every heartbeat and ends when the bus closes (the server stops).
func TestStreamHeartbeatAndEnd(t *testing.T) {
	bus := live.NewLocal()
	s := &handlers{live: bus, heartbeat: 20 * time.Millisecond}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/v1/live", nil).WithContext(context.Background())
	c := &kit.Caller{User: auth.User{ID: 1, Role: auth.RoleDispatcher}, Towns: []string{"T"}}
	done := make(chan error, 1)
	go func() { done <- s.apiLive(rec, req, c) }()
	time.Sleep(110 * time.Millisecond)
	bus.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream did not end when the bus closed")
	}
	body := rec.Body.String()
	if n := strings.Count(body, ": ping\n\n"); n < 2 {
		t.Errorf("%d heartbeats in 110 ms at 20 ms: %q", n, body)
	}
	if !strings.HasPrefix(body, "retry: 5000\n") {
		t.Errorf("the stream does not set the reconnection delay: %q", body)
	}
}
