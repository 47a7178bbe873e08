package kit

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Who may call a route: Public anyone, SignedIn any signed-in user, otherwise a permission
// (auth.Perm…).
const (
	Public   = ""
	SignedIn = "signed-in"
)

// Handler is a route's handler: the wrapper has resolved the caller (nil when anonymous) and
// checked the permission; an error it returns is answered through StatusOf.
type Handler func(w http.ResponseWriter, r *http.Request, c *Caller) error

// Route is one recorded route: the table docs/ROUTES.md shows and tests check.
type Route struct {
	Method, Path string
	// Perm is the permission the route needs, Public or SignedIn; OwnCheck marks routes that
	// check their caller themselves (RecordHandle).
	Perm       string
	Capability string
	Kind       string // "api", "page" or "handler"
}

// OwnCheck is the Perm of a route whose handler checks its caller itself (static files, photo
// links, Open311's api_key).
const OwnCheck = "(own check)"

// Routes is the route table in the order the routes were registered.
func (k *Kit) Routes() []Route { return slices.Clone(k.routes) }

func (m *Mount) record(pattern, perm, kind string) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "ANY", pattern
	}
	m.k.routes = append(m.k.routes, Route{Method: method, Path: path, Perm: perm, Capability: m.capability, Kind: kind})
}

// Handle registers a handler that checks its caller itself (or serves everyone, like static
// files); perm says in words who may call it, for the route table.
func (m *Mount) Handle(pattern, perm string, h http.Handler) {
	m.record(pattern, perm, "handler")
	m.k.mux.Handle(pattern, h)
}

// API registers a JSON route guarded by perm.
func (m *Mount) API(pattern, perm string, h Handler) {
	m.record(pattern, perm, "api")
	k := m.k
	k.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		c, err := k.Authenticate(r)
		if err != nil {
			k.WriteAPIError(w, r, err)
			return
		}
		if perm == Public && c == nil {
			if err := k.anonymous(w, r); err != nil {
				k.WriteAPIError(w, r, err)
				return
			}
		}
		if err := k.allowed(r, c, perm); err != nil {
			k.WriteAPIError(w, r, err)
			return
		}
		if c != nil {
			r = r.WithContext(WithCaller(r.Context(), c))
		}
		if err := h(w, r, c); err != nil {
			k.WriteAPIError(w, r, err)
		}
	})
}

// Page registers an HTML route guarded by perm; anonymous visitors go to the sign-in page.
func (m *Mount) Page(pattern, perm string, h Handler) {
	m.record(pattern, perm, "page")
	k := m.k
	k.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		c, err := k.Authenticate(r)
		if err != nil && !errors.Is(err, ErrUnauthenticated) {
			k.PageError(w, r, err)
			return
		}
		if c != nil {
			r = r.WithContext(WithCaller(r.Context(), c))
		}
		if perm != Public && c == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if perm == Public && c == nil {
			if err := k.anonymous(w, r); err != nil {
				k.PageError(w, r, err)
				return
			}
		}
		if err := k.allowed(r, c, perm); err != nil {
			k.PageError(w, r, err)
			return
		}
		if err := h(w, r, c); err != nil {
			k.PageError(w, r, err)
		}
	})
}

func (k *Kit) anonymous(w http.ResponseWriter, r *http.Request) error {
	if k.Anonymous == nil {
		return nil
	}
	return k.Anonymous(w, r)
}

// allowed applies the route's rule and, for browser sessions, CSRF on unsafe methods.
func (k *Kit) allowed(r *http.Request, c *Caller, perm string) error {
	if perm != Public && c == nil {
		return ErrUnauthenticated
	}
	if perm != Public && perm != SignedIn && !c.User.Can(perm) {
		return &HTTPError{Status: http.StatusForbidden, Msg: "your role (" + c.User.Role + ") may not do this (" + perm + ")"}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !k.checkCSRF(r, c) {
		return &HTTPError{Status: http.StatusForbidden, Msg: "missing or wrong CSRF token: reload the page and try again"}
	}
	return nil
}

// LimitedAnonymous wraps a handler that guards itself (Open311) with the public limit for callers
// without a session or token.
func (k *Kit) LimitedAnonymous(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, _ := k.Authenticate(r); c == nil {
			if err := k.anonymous(w, r); err != nil {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				http.Error(w, err.Error(), http.StatusTooManyRequests)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
