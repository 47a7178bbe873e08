package ops

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/civicgrid/civicgrid/internal/live"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// writeWait is how long one event may take to reach the client before the stream is given up.
const writeWait = 30 * time.Second

// apiLive streams the changes of the caller's towns (or of ?town=) as server-sent events:
// "order" events whose data is an orders.Change, "many" when many orders of a town changed at
// once (an import's batch: data says the town and how many), "resync" when changes may have been missed,
// and a comment every heartbeat. A user has at most live.DefaultMaxPerUser streams, a server
// live.DefaultMaxStreams (429 beyond); the stream ends when the server stops.
func (s *handlers) apiLive(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	towns, err := townsOf(r, c)
	if err != nil {
		return err
	}
	sub, err := s.live.Subscribe(c.User.ID, towns)
	switch {
	case errors.Is(err, live.ErrTooMany):
		return &kit.HTTPError{Status: http.StatusTooManyRequests, Msg: "too many live streams open: close another screen of yours, or try later"}
	case errors.Is(err, live.ErrClosed):
		return &kit.HTTPError{Status: http.StatusServiceUnavailable, Msg: "the server is stopping; reconnect in a moment"}
	case err != nil:
		return err
	}
	defer sub.Close()
	rc := http.NewResponseController(w)
	// The server's read timeout would end a long stream (the connection's read deadline cancels
	// the request); its write deadline is moved along with each event instead.
	_ = rc.SetReadDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	send := func(format string, args ...any) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(writeWait))
		if _, err := fmt.Fprintf(w, format, args...); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send("retry: 5000\n: connected\n\n") {
		return nil
	}
	tick := time.NewTicker(s.heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-sub.Done():
			return nil // server stopping or stream too slow: the browser reconnects
		case <-tick.C:
			if !send(": ping\n\n") {
				return nil
			}
		case ch := <-sub.C():
			if !send("event: %s\ndata: %s\n\n", eventName(ch), eventData(ch)) {
				return nil
			}
		}
	}
}

func eventName(c orders.Change) string {
	switch c.Action {
	case live.ActionResync:
		return "resync"
	case orders.ActionMany:
		return "many" // many orders of a town at once: the screen reloads its figures
	}
	return "order"
}

func eventData(c orders.Change) []byte {
	b, err := json.Marshal(c)
	if err != nil {
		return []byte("{}")
	}
	return b
}
