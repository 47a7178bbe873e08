package ops_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// sse is one open event stream: its events ("name\ndata") arrive on events.
type sse struct {
	events chan string
	cancel context.CancelFunc
}

func bearer(t *testing.T, a *webtest.App, user string) string {
	t.Helper()
	u, err := auth.UserByUsername(context.Background(), a.DB, user)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := auth.CreateToken(context.Background(), a.DB, u.ID, "stream test")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// openStream opens GET /api/v1/live as user and waits for the server's first comment.
func openStream(t *testing.T, a *webtest.App, user string) *sse {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", a.URL+"/api/v1/live", nil)
	req.Header.Set("Authorization", "Bearer "+bearer(t, a, user))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET /api/v1/live as %s = %d %s: %s", user, resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	s := &sse{events: make(chan string, 16), cancel: cancel}
	connected := make(chan struct{})
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var ev []string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == ": connected":
				close(connected)
			case line == "":
				if len(ev) > 0 {
					s.events <- strings.Join(ev, "\n")
				}
				ev = nil
			case strings.HasPrefix(line, "event: "), strings.HasPrefix(line, "data: "):
				ev = append(ev, line)
			}
		}
		close(s.events)
	}()
	select {
	case <-connected:
	case <-time.After(10 * time.Second):
		t.Fatalf("stream of %s: no first comment", user)
	}
	return s
}

type change struct {
	Town, Number, State, Action, Grid string
	ID                                int64
}

// next returns the next order event of s.
func (s *sse) next(t *testing.T) (change, string) {
	t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			t.Fatal("stream ended")
		}
		name, data, _ := strings.Cut(ev, "\n")
		if name != "event: order" {
			t.Fatalf("event %q, want order", name)
		}
		raw := strings.TrimPrefix(data, "data: ")
		var c change
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			t.Fatalf("event data %q: %v", raw, err)
		}
		return c, raw
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
	}
	return change{}, ""
}

func post(t *testing.T, a *webtest.App, token, path, body string, out any) {
	t.Helper()
	req, _ := http.NewRequest("POST", a.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("POST %s = %d: %s", path, resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatal(err)
	}
}

// An order created and filed in 新泾镇 reaches the 新泾镇 dispatcher's stream as two events, in
// order, carrying no personal data; 陆家嘴's dispatcher hears nothing of it.
func TestLiveStreamCarriesTheTownsChangesOnly(t *testing.T) {
	a := webtest.New(t, testdb.SQLite(t), demo.WorldWithOrders)
	mine := openStream(t, a, "dispatcher")
	other := openStream(t, a, "lujiazui_dispatcher")
	tok := bearer(t, a, "dispatcher")
	// A leaf category of the town (no other category names it as its parent).
	var cat string
	if err := a.DB.QueryRow(context.Background(), `SELECT c.code FROM categories c WHERE c.town_code = ? AND NOT EXISTS
		(SELECT 1 FROM categories k WHERE k.town_code = c.town_code AND k.parent_code = c.code) ORDER BY c.code LIMIT 1`, world.XinjingCode).Scan(&cat); err != nil {
		t.Fatal(err)
	}
	var o struct {
		ID      int64
		Number  string
		Grid    string
		Version int
	}
	post(t, a, tok, "/api/v1/orders", `{"content": "路灯不亮，居民张三 13800000000", "address": "剑河路176弄", "caller_name": "张三", "caller_phone": "13800000000",
		"category": "`+cat+`", "lat": 31.2216, "lng": 121.3765}`, &o)
	c, raw := mine.next(t)
	if c.ID != o.ID || c.Number != o.Number || c.Town != world.XinjingCode || c.Action != "receive" || c.State != "received" || c.Grid != o.Grid || o.Grid == "" {
		t.Errorf("receive event %+v for order %+v", c, o)
	}
	for _, personal := range []string{"张三", "13800000000", "剑河路", "路灯不亮", "content", "address", "caller"} {
		if strings.Contains(raw, personal) {
			t.Errorf("the event carries %q: %s", personal, raw)
		}
	}
	post(t, a, tok, fmt.Sprintf("/api/v1/orders/%d/actions", o.ID), fmt.Sprintf(`{"action": "file", "version": %d, "category": %q, "grid": %q}`, o.Version, cat, o.Grid), &o)
	if c, _ := mine.next(t); c.ID != o.ID || c.Action != "file" || c.State != "filed" {
		t.Errorf("file event %+v", c)
	}
	select {
	case ev := <-other.events:
		t.Errorf("陆家嘴's stream got %q", ev)
	case <-time.After(300 * time.Millisecond):
	}
}

// A user may keep four streams open; the fifth is refused with 429 until one closes.
func TestLiveStreamsPerUserAreBounded(t *testing.T) {
	a := webtest.New(t, testdb.SQLite(t), demo.World)
	var open []*sse
	for range 4 {
		open = append(open, openStream(t, a, "leader"))
	}
	if code, body := a.Get("leader", "/api/v1/live"); code != http.StatusTooManyRequests {
		t.Fatalf("fifth stream = %d %s, want 429", code, body)
	}
	open[0].cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		code, _ := statusOnly(t, a, "leader")
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after closing one stream the next is still refused (%d)", code)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// statusOnly opens a stream and closes it at once, returning the status.
func statusOnly(t *testing.T, a *webtest.App, user string) (int, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", a.URL+"/api/v1/live", nil)
	req.Header.Set("Authorization", "Bearer "+bearer(t, a, user))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
