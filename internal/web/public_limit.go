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
var publicPerClient = kit.GuessRule{Burst: 120, Per: time.Minute}

// publicLimiterEntries bounds the limiter's memory (about 150 bytes an entry).
const publicLimiterEntries = 50_000

// limitAnonymous spends one call of r's client from the public limit, or answers 429 with
// Retry-After when it has none left.
func (s *Server) limitAnonymous(w http.ResponseWriter, r *http.Request) error {
	if s.public == nil {
		return nil
	}
	wait := s.public.TakeClient(kit.ClientKey(r))
	if wait <= 0 {
		return nil
	}
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	msg := fmt.Sprintf("too many requests from your address: try again in %d s / 请求过于频繁，请 %d 秒后再试", secs, secs)
	return &kit.HTTPError{Status: http.StatusTooManyRequests, Msg: msg}
}
