package kit

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/civicgrid/civicgrid/internal/audit"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
)

const (
	SessionCookie = "cg_session"
	CSRFCookie    = "cg_csrf"
	LangCookie    = "cg_lang"
	CSRFField     = "csrf"
)

// Caller is who is making a request, resolved once by the route wrapper.
type Caller struct {
	User    auth.User
	Session *auth.Session // nil for token or anonymous callers
	Towns   []string      // towns whose data the caller may see
	ViaAPI  bool          // authenticated by bearer token
}

// CallerTown is the town a staff request is about: ?town= when it is one of the caller's towns
// (another town is not found, so that ids of other towns learn nothing), else the caller's first.
func CallerTown(r *http.Request, c *Caller) (string, error) {
	t := strings.TrimSpace(r.URL.Query().Get("town"))
	if t == "" {
		if len(c.Towns) == 0 {
			return "", problem.NotFound("town")
		}
		return c.Towns[0], nil
	}
	if slices.Contains(c.Towns, t) {
		return t, nil
	}
	return "", problem.NotFound("town %s", t)
}

type ctxKey struct{}

func CallerFrom(ctx context.Context) *Caller {
	c, _ := ctx.Value(ctxKey{}).(*Caller)
	return c
}

// Authenticate resolves the bearer token or session cookie; nil means anonymous.
func (k *Kit) Authenticate(r *http.Request) (*Caller, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, ErrUnauthenticated
		}
		u, err := auth.UserByToken(ctx, k.DB, strings.TrimSpace(tok))
		if errors.Is(err, auth.ErrTokenExpired) || errors.Is(err, auth.ErrTokenRevoked) {
			// Only the token's holder can learn this, and it tells them what to do.
			return nil, fmt.Errorf("%w (%v)", ErrUnauthenticated, err)
		}
		if err != nil {
			return nil, ErrUnauthenticated
		}
		towns, err := u.Towns(ctx, k.DB)
		return &Caller{User: u, Towns: towns, ViaAPI: true}, err
	}
	ck, err := r.Cookie(SessionCookie)
	if err != nil || ck.Value == "" {
		return nil, nil
	}
	sess, err := auth.SessionByToken(ctx, k.DB, ck.Value)
	if errors.Is(err, problem.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	towns, err := sess.User.Towns(ctx, k.DB)
	return &Caller{User: sess.User, Session: &sess, Towns: towns}, err
}

var ErrUnauthenticated = problem.New(problem.ErrUnauthenticated, "", "authentication required: sign in, or send Authorization: Bearer <token>")

// CSRFToken returns the token forms must carry: the session's own, or for anonymous forms
// (sign-in) a random value kept in a cookie (double submit).
func (k *Kit) CSRFToken(w http.ResponseWriter, r *http.Request) string {
	if c := CallerFrom(r.Context()); c != nil && c.Session != nil {
		return c.Session.CSRF
	}
	if ck, err := r.Cookie(CSRFCookie); err == nil && len(ck.Value) >= 20 {
		return ck.Value
	}
	v := RandomString()
	http.SetCookie(w, &http.Cookie{Name: CSRFCookie, Value: v, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: k.SecureCookies})
	return v
}

// checkCSRF refuses a state-changing browser request without the right token. Bearer-token API
// calls carry no ambient credentials, so they need none.
func (k *Kit) checkCSRF(r *http.Request, c *Caller) bool {
	if c != nil && c.ViaAPI {
		return true
	}
	sent := r.Header.Get("X-CSRF-Token")
	if sent == "" {
		sent = r.PostFormValue(CSRFField)
	}
	if sent == "" {
		return false
	}
	want := ""
	if c != nil && c.Session != nil {
		want = c.Session.CSRF
	} else if ck, err := r.Cookie(CSRFCookie); err == nil {
		want = ck.Value
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(sent), []byte(want)) == 1
}

// WithForwardedFor takes the client address from the last X-Forwarded-For entry: earlier entries
// come from the client and can be forged, the last one was written by our own proxy.
func WithForwardedFor(r *http.Request) *http.Request {
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

func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Reply ends an API handler on the result of its last call: err as it is (the route wrapper
// maps it with StatusOf), else v as JSON with status. v is not written when err is set, so
// a handler may build it from a result that is only valid without an error.
func Reply(w http.ResponseWriter, status int, v any, err error) error {
	if err != nil {
		return err
	}
	WriteJSON(w, status, v)
	return nil
}

func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// APIError is the JSON error body: {"error": {"status", "message", "field"}}.
type APIError struct {
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

// StatusOf maps an error to its HTTP status: problem's errors, and the handler's own httpError.
func StatusOf(err error) (int, APIError) {
	var fe *problem.FieldError
	if errors.As(err, &fe) {
		return http.StatusUnprocessableEntity, APIError{Message: fe.Error(), Field: fe.Field}
	}
	for _, s := range statuses {
		if errors.Is(err, s.err) {
			return s.status, APIError{Message: err.Error(), Field: problem.FieldOf(err)}
		}
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status, APIError{Message: he.Msg, Field: he.Field}
	}
	return http.StatusInternalServerError, APIError{Message: "internal error"}
}

// HTTPError is an error with its own status, for decoding problems found in the handler.
type HTTPError struct {
	Status int
	Msg    string
	Field  string
	Err    error // the cause, if any: a page tells it in its language (ErrorText)
}

func (e *HTTPError) Error() string { return e.Msg }

func (e *HTTPError) Unwrap() error { return e.Err }

func BadRequest(field, msg string) error {
	return &HTTPError{Status: http.StatusBadRequest, Msg: msg, Field: field}
}

func (k *Kit) WriteAPIError(w http.ResponseWriter, r *http.Request, err error) {
	status, body := StatusOf(err)
	body.Status = status
	if status >= 500 {
		k.Log.Error("api error", "path", r.URL.Path, "err", err)
	}
	WriteJSON(w, status, map[string]any{"error": body})
}

// DecodeJSON reads a JSON body strictly: unknown fields are errors that name the field, and the
// body must hold exactly one JSON value.
func DecodeJSON(r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(nil, r.Body, 4<<20)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var ute *json.UnmarshalTypeError
		var se *json.SyntaxError
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return &HTTPError{Status: http.StatusRequestEntityTooLarge, Msg: fmt.Sprintf("body is larger than %d bytes", mbe.Limit)}
		case errors.As(err, &ute):
			return BadRequest(ute.Field, "field "+ute.Field+": expected "+ute.Type.String())
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			return BadRequest("", "body is not valid JSON: it ends too early (or is empty)")
		case errors.As(err, &se):
			return BadRequest("", "body is not valid JSON: "+se.Error())
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return BadRequest(f, "unknown field "+f)
		default:
			return BadRequest("", "cannot read JSON body: "+err.Error())
		}
	}
	return NoTrailingData(dec)
}

// NoTrailingData refuses anything but white space after the one JSON value of a body: a second
// value or garbage means the client and the server disagree about what was sent.
func NoTrailingData(dec *json.Decoder) error {
	var extra json.RawMessage
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
		return nil
	case err == nil:
		return BadRequest("", "body is not valid JSON: it holds more than one JSON value; send exactly one object")
	default:
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &HTTPError{Status: http.StatusRequestEntityTooLarge, Msg: fmt.Sprintf("body is larger than %d bytes", mbe.Limit)}
		}
		return BadRequest("", "body is not valid JSON: unexpected data after the JSON object")
	}
}

// AuditActor is the signed-in caller as a capability records it in the audit log, inside the
// transaction of the change it makes.
func AuditActor(r *http.Request, c *Caller) audit.Actor {
	return audit.Actor{ID: c.User.ID, Name: c.User.Username, IP: ClientIP(r)}
}
