package web

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// publicPerClient bounds the calls an anonymous client makes to the public routes (the resident
// report and its areas, tracking, sign-in, Open311): a burst of 120, then two a second — far above
// what a person or a civic app does, far below what it takes to keep the server busy. Signed-in
// callers are not counted here: their own permissions and limits apply. The report form's flood
// limit, the tracking guess limit and sign-in throttling come on top.
var publicPerClient = guessRule{burst: 120, per: time.Minute}

// publicLimiterEntries bounds the limiter's memory (about 150 bytes an entry).
const publicLimiterEntries = 50_000

// limitAnonymous spends one call of r's client from the public limit, or answers 429 with
// Retry-After when it has none left.
func (s *Server) limitAnonymous(w http.ResponseWriter, r *http.Request) error {
	if s.public == nil {
		return nil
	}
	wait := s.public.takeClient(clientKey(r))
	if wait <= 0 {
		return nil
	}
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	msg := fmt.Sprintf("too many requests from your address: try again in %d s / 请求过于频繁，请 %d 秒后再试", secs, secs)
	return &kit.HTTPError{Status: http.StatusTooManyRequests, Msg: msg}
}

// limitedAnonymous wraps a handler that guards itself (Open311) with the public limit for callers
// without a session or token.
func (s *Server) limitedAnonymous(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, _ := s.Authenticate(r); c == nil {
			if err := s.limitAnonymous(w, r); err != nil {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				http.Error(w, err.Error(), http.StatusTooManyRequests)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// takeClient spends one call of client under the limiter's client rule, or spends nothing and
// returns how long until one is free.
func (l *guessLimiter) takeClient(client string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	key := "ip " + client
	b, ok := l.buckets[key]
	if ok {
		if over := b.levelAt(now) + 1 - l.client.burst; over > 0 {
			return time.Duration(over / l.client.rate() * float64(time.Second))
		}
	} else {
		l.makeRoom(now)
		b = &bucket{rule: &l.client}
		l.buckets[key] = b
	}
	b.level, b.at = b.levelAt(now)+1, now
	return 0
}
