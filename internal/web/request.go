package web

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/version"
)

const (
	sessionCookie = "cg_session"
	csrfCookie    = "cg_csrf"
	langCookie    = "cg_lang"
	csrfField     = "csrf"
)

// caller is who is making a request, resolved once by the route wrapper.
type caller struct {
	User    auth.User
	Session *auth.Session // nil for token or anonymous callers
	Towns   []string      // towns whose data the caller may see
	ViaAPI  bool          // authenticated by bearer token
}

type ctxKey struct{}

func callerFrom(ctx context.Context) *caller {
	c, _ := ctx.Value(ctxKey{}).(*caller)
	return c
}

// authenticate resolves the bearer token or session cookie; nil means anonymous.
func (s *Server) authenticate(r *http.Request) (*caller, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, errUnauthenticated
		}
		u, err := auth.UserByToken(ctx, s.db, strings.TrimSpace(tok))
		if errors.Is(err, auth.ErrTokenExpired) || errors.Is(err, auth.ErrTokenRevoked) {
			// Only the token's holder can learn this, and it tells them what to do.
			return nil, fmt.Errorf("%w (%v)", errUnauthenticated, err)
		}
		if err != nil {
			return nil, errUnauthenticated
		}
		towns, err := u.Towns(ctx, s.db)
		return &caller{User: u, Towns: towns, ViaAPI: true}, err
	}
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil, nil
	}
	sess, err := auth.SessionByToken(ctx, s.db, ck.Value)
	if errors.Is(err, problem.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	towns, err := sess.User.Towns(ctx, s.db)
	return &caller{User: sess.User, Session: &sess, Towns: towns}, err
}

var errUnauthenticated = problem.New(problem.ErrUnauthenticated, "", "authentication required: sign in, or send Authorization: Bearer <token>")

// csrfToken returns the token forms must carry: the session's own, or for anonymous forms
// (sign-in) a random value kept in a cookie (double submit).
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c := callerFrom(r.Context()); c != nil && c.Session != nil {
		return c.Session.CSRF
	}
	if ck, err := r.Cookie(csrfCookie); err == nil && len(ck.Value) >= 20 {
		return ck.Value
	}
	v := randomString()
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: v, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies})
	return v
}

// checkCSRF refuses a state-changing browser request without the right token. Bearer-token API
// calls carry no ambient credentials, so they need none.
func (s *Server) checkCSRF(r *http.Request, c *caller) bool {
	if c != nil && c.ViaAPI {
		return true
	}
	sent := r.Header.Get("X-CSRF-Token")
	if sent == "" {
		sent = r.PostFormValue(csrfField)
	}
	if sent == "" {
		return false
	}
	want := ""
	if c != nil && c.Session != nil {
		want = c.Session.CSRF
	} else if ck, err := r.Cookie(csrfCookie); err == nil {
		want = ck.Value
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(sent), []byte(want)) == 1
}

// withForwardedFor takes the client address from the last X-Forwarded-For entry: earlier entries
// come from the client and can be forged, the last one was written by our own proxy.
func withForwardedFor(r *http.Request) *http.Request {
	xff := r.Header.Get("X-Forwarded-For")
	if xff == "" {
		return r
	}
	parts := strings.Split(xff, ",")
	ip := strings.TrimSpace(parts[len(parts)-1])
	if net.ParseIP(ip) == nil {
		return r
	}
	r2 := r.Clone(r.Context())
	r2.RemoteAddr = net.JoinHostPort(ip, "0")
	return r2
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// apiError is the JSON error body: {"error": {"status", "message", "field"}}.
type apiError struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// statuses maps problem's errors — which every capability's errors are or wrap — to HTTP
// statuses, first match first.
var statuses = []struct {
	err    error
	status int
}{
	{problem.ErrUnauthenticated, http.StatusUnauthorized},
	{problem.ErrNotFound, http.StatusNotFound},
	{problem.ErrForbidden, http.StatusForbidden},
	{problem.ErrConflict, http.StatusConflict},
	{problem.ErrThrottled, http.StatusTooManyRequests},
	// A busy server (every photo decode slot taken): the server's state, not the request's.
	{problem.ErrUnavailable, http.StatusServiceUnavailable},
	{problem.ErrBadRequest, http.StatusBadRequest},
	{problem.ErrInvalid, http.StatusUnprocessableEntity},
}

// statusOf maps an error to its HTTP status: problem's errors, and the handler's own httpError.
func statusOf(err error) (int, apiError) {
	var fe *problem.FieldError
	if errors.As(err, &fe) {
		return http.StatusUnprocessableEntity, apiError{Message: fe.Error(), Field: fe.Field}
	}
	for _, s := range statuses {
		if errors.Is(err, s.err) {
			return s.status, apiError{Message: err.Error(), Field: problem.FieldOf(err)}
		}
	}
	var he *httpError
	if errors.As(err, &he) {
		return he.status, apiError{Message: he.msg, Field: he.field}
	}
	return http.StatusInternalServerError, apiError{Message: "internal error"}
}

// httpError is an error with its own status, for decoding problems found in the handler.
type httpError struct {
	status int
	msg    string
	field  string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(field, msg string) error {
	return &httpError{status: http.StatusBadRequest, msg: msg, field: field}
}

func (s *Server) writeAPIError(w http.ResponseWriter, r *http.Request, err error) {
	status, body := statusOf(err)
	body.Status = status
	if status >= 500 {
		s.log.Error("api error", "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, map[string]any{"error": body})
}

// decodeJSON reads a JSON body strictly: unknown fields are errors that name the field, and the
// body must hold exactly one JSON value.
func decodeJSON(r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(nil, r.Body, 4<<20)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var ute *json.UnmarshalTypeError
		var se *json.SyntaxError
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return &httpError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("body is larger than %d bytes", mbe.Limit)}
		case errors.As(err, &ute):
			return badRequest(ute.Field, "field "+ute.Field+": expected "+ute.Type.String())
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			return badRequest("", "body is not valid JSON: it ends too early (or is empty)")
		case errors.As(err, &se):
			return badRequest("", "body is not valid JSON: "+se.Error())
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return badRequest(f, "unknown field "+f)
		default:
			return badRequest("", "cannot read JSON body: "+err.Error())
		}
	}
	return noTrailingData(dec)
}

// noTrailingData refuses anything but white space after the one JSON value of a body: a second
// value or garbage means the client and the server disagree about what was sent.
func noTrailingData(dec *json.Decoder) error {
	var extra json.RawMessage
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
		return nil
	case err == nil:
		return badRequest("", "body is not valid JSON: it holds more than one JSON value; send exactly one object")
	default:
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &httpError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("body is larger than %d bytes", mbe.Limit)}
		}
		return badRequest("", "body is not valid JSON: unexpected data after the JSON object")
	}
}

func versionString() string { return version.String() }
