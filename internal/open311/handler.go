package open311

import (
	"context"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"
)

// Options configure Handler.
type Options struct {
	// DefaultJurisdiction is used when a call has no jurisdiction_id, for
	// deployments that serve one town. Empty makes jurisdiction_id required.
	DefaultJurisdiction string
	Discovery           Discovery
	// Logger receives internal errors, which clients never see. Defaults to
	// slog.Default().
	Logger *slog.Logger
	// Now defaults to time.Now; tests pin it to get a stable default window.
	Now func() time.Time
}

const (
	formatXML  = "xml"
	formatJSON = "json"
)

type handler struct {
	b    Backend
	opts Options
}

// Handler serves GeoReport v2. Mount it with
// http.StripPrefix("/open311/v2", open311.Handler(b, opts)).
//
// It routes by hand rather than with http.ServeMux patterns because every
// path ends in ".{format}" inside one segment, and because wrong methods and
// unknown paths must answer with the specification's error list, not
// ServeMux's plain text.
func Handler(b Backend, opts Options) http.Handler {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &handler{b: b, opts: opts}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	resource, id, format, err := splitPath(path)
	if err != nil {
		h.writeErrors(w, r, formatXML, http.StatusNotFound, err)
		return
	}
	type route struct {
		method string
		serve  func(http.ResponseWriter, *http.Request, string, string)
	}
	var routes []route
	switch {
	case resource == "discovery" && id == "":
		routes = []route{{http.MethodGet, h.discovery}}
	case resource == "services" && id == "":
		routes = []route{{http.MethodGet, h.services}}
	case resource == "services":
		routes = []route{{http.MethodGet, h.serviceDefinition}}
	case resource == "requests" && id == "":
		routes = []route{{http.MethodGet, h.requests}, {http.MethodPost, h.create}}
	case resource == "requests":
		routes = []route{{http.MethodGet, h.request}}
	case resource == "tokens" && id != "":
		routes = []route{{http.MethodGet, h.token}}
	default:
		h.writeErrors(w, r, format, http.StatusNotFound, &ValidationError{Code: http.StatusNotFound,
			Description: "no Open311 endpoint at /" + truncate(path, 200) + "; see discovery.xml"})
		return
	}
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	allow := make([]string, 0, len(routes))
	for _, rt := range routes {
		if rt.method == method {
			rt.serve(w, r, format, id)
			return
		}
		allow = append(allow, rt.method)
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	h.writeErrors(w, r, format, http.StatusMethodNotAllowed,
		&ValidationError{Code: http.StatusMethodNotAllowed, Description: "method " + r.Method + " is not allowed here; use " + strings.Join(allow, " or ")})
}

// splitPath splits "requests/123.json" into resource, id and format. The
// format is after the last dot so that IDs and codes may contain dots.
func splitPath(path string) (resource, id, format string, err *ValidationError) {
	dot := strings.LastIndexByte(path, '.')
	if dot < 0 {
		return "", "", "", &ValidationError{Code: http.StatusNotFound,
			Description: "missing response format: end the path with .xml or .json"}
	}
	path, format = path[:dot], path[dot+1:]
	if format != formatXML && format != formatJSON {
		return "", "", "", &ValidationError{Code: http.StatusNotFound,
			Description: "unknown response format \"" + truncate(format, 20) + "\": use .xml or .json"}
	}
	resource, id, _ = strings.Cut(path, "/")
	if strings.Contains(id, "/") {
		resource = "" // deeper paths exist nowhere in the specification
	}
	return resource, id, format, nil
}

func (h *handler) discovery(w http.ResponseWriter, r *http.Request, format, _ string) {
	d := toWireDiscovery(h.opts.Discovery)
	h.write(w, r, format, http.StatusOK, d, d)
}

func (h *handler) services(w http.ResponseWriter, r *http.Request, format, _ string) {
	j, ok := h.jurisdiction(w, r, format, r.URL.Query().Get("jurisdiction_id"))
	if !ok {
		return
	}
	list, err := h.b.Services(r.Context(), j)
	if err != nil {
		h.fail(w, r, format, err, "")
		return
	}
	ws := toWireServices(list)
	h.write(w, r, format, http.StatusOK, xmlServices{Services: ws}, ws)
}

func (h *handler) serviceDefinition(w http.ResponseWriter, r *http.Request, format, code string) {
	j, ok := h.jurisdiction(w, r, format, r.URL.Query().Get("jurisdiction_id"))
	if !ok {
		return
	}
	d, err := h.b.ServiceDefinition(r.Context(), j, code)
	if err != nil {
		h.fail(w, r, format, err, "service_code "+code+" not found")
		return
	}
	wd := toWireDefinition(d)
	h.write(w, r, format, http.StatusOK, wd, wd)
}

func (h *handler) requests(w http.ResponseWriter, r *http.Request, format, _ string) {
	q := r.URL.Query()
	j, ok := h.jurisdiction(w, r, format, q.Get("jurisdiction_id"))
	if !ok {
		return
	}
	f, err := parseFilter(q, h.opts.Now())
	if err != nil {
		h.fail(w, r, format, err, "")
		return
	}
	list, err := h.b.Requests(r.Context(), j, f)
	if err != nil {
		h.fail(w, r, format, err, "")
		return
	}
	if len(list) > f.Limit { // the limit is a promise to clients, not a hint to backends
		list = list[:f.Limit]
	}
	out := make([]wireRequest, 0, len(list))
	for _, req := range list {
		out = append(out, toWireRequest(req))
	}
	h.write(w, r, format, http.StatusOK, xmlRequests[wireRequest]{Requests: out}, out)
}

func (h *handler) request(w http.ResponseWriter, r *http.Request, format, id string) {
	j, ok := h.jurisdiction(w, r, format, r.URL.Query().Get("jurisdiction_id"))
	if !ok {
		return
	}
	req, err := h.b.Request(r.Context(), j, id)
	if err != nil {
		h.fail(w, r, format, err, "Service request not found with id "+id)
		return
	}
	out := []wireRequest{toWireRequest(req)}
	h.write(w, r, format, http.StatusOK, xmlRequests[wireRequest]{Requests: out}, out)
}

func (h *handler) token(w http.ResponseWriter, r *http.Request, format, token string) {
	j, ok := h.jurisdiction(w, r, format, r.URL.Query().Get("jurisdiction_id"))
	if !ok {
		return
	}
	id, err := h.b.Token(r.Context(), j, token)
	if err != nil {
		h.fail(w, r, format, err, "token "+token+" not found")
		return
	}
	out := []wireToken{{ServiceRequestID: id, Token: token}}
	h.write(w, r, format, http.StatusOK, xmlRequests[wireToken]{Requests: out}, out)
}

func (h *handler) create(w http.ResponseWriter, r *http.Request, format, _ string) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if err := parseForm(r); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.writeErrors(w, r, format, http.StatusRequestEntityTooLarge,
				&ValidationError{Code: http.StatusRequestEntityTooLarge, Description: "request body is larger than 1 MiB"})
			return
		}
		h.writeErrors(w, r, format, http.StatusBadRequest, invalid("cannot read the form: send application/x-www-form-urlencoded"))
		return
	}
	j, ok := h.jurisdiction(w, r, format, r.Form.Get("jurisdiction_id"))
	if !ok {
		return
	}
	// The key is checked before the rest of the input so that callers
	// without one learn nothing about what the endpoint would accept.
	key := strings.TrimSpace(r.Form.Get("api_key"))
	if key == "" {
		h.writeErrors(w, r, format, http.StatusForbidden, &ValidationError{Code: http.StatusForbidden, Description: "api_key is required to create a service request"})
		return
	}
	if err := h.b.CheckAPIKey(r.Context(), j, key); err != nil {
		h.fail(w, r, format, err, "")
		return
	}
	nr, err := DecodeNewRequest(r.Form)
	if err != nil {
		h.fail(w, r, format, err, "")
		return
	}
	nr.JurisdictionID = j
	created, err := h.b.Create(r.Context(), j, nr)
	if err != nil {
		h.fail(w, r, format, err, "")
		return
	}
	out := []wireCreated{{
		ServiceRequestID: created.ServiceRequestID,
		Token:            created.Token,
		ServiceNotice:    optString(created.ServiceNotice),
		AccountID:        optString(created.AccountID),
	}}
	// 200 rather than 201: the specification shows none, and deployed
	// clients compare against 200.
	h.write(w, r, format, http.StatusOK, xmlRequests[wireCreated]{Requests: out}, out)
}

// parseForm accepts multipart as well as URL-encoded bodies because some
// clients send the photo along; files are dropped, only fields are read.
func parseForm(r *http.Request) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		err := r.ParseMultipartForm(maxBodyBytes)
		if r.MultipartForm != nil {
			_ = r.MultipartForm.RemoveAll()
		}
		return err
	}
	return r.ParseForm()
}

// jurisdiction resolves and checks jurisdiction_id, writing the error itself
// so that handlers can simply return when ok is false.
func (h *handler) jurisdiction(w http.ResponseWriter, r *http.Request, format, id string) (string, bool) {
	id = strings.TrimSpace(id)
	if id == "" {
		id = h.opts.DefaultJurisdiction
	}
	if id == "" {
		h.writeErrors(w, r, format, http.StatusBadRequest, invalid("jurisdiction_id is required"))
		return "", false
	}
	found, err := h.b.Jurisdiction(r.Context(), id)
	if err != nil {
		h.fail(w, r, format, err, "")
		return "", false
	}
	if !found {
		h.writeErrors(w, r, format, http.StatusNotFound,
			&ValidationError{Code: http.StatusNotFound, Description: "jurisdiction_id " + truncate(id, 80) + " not found"})
		return "", false
	}
	return id, true
}

// fail maps a backend or decoding error to the specification's error list.
// notFound is the description for ErrNotFound, which backends return bare.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, format string, err error, notFound string) {
	if list := validationErrors(err); len(list) > 0 {
		h.writeErrors(w, r, format, http.StatusBadRequest, list...)
		return
	}
	switch {
	case errors.Is(err, ErrNotFound):
		if notFound == "" {
			notFound = "not found"
		}
		h.writeErrors(w, r, format, http.StatusNotFound, &ValidationError{Code: http.StatusNotFound, Description: notFound})
	case errors.Is(err, ErrForbidden):
		h.writeErrors(w, r, format, http.StatusForbidden, &ValidationError{Code: http.StatusForbidden, Description: "invalid api_key: it is unknown, expired or not allowed to report here"})
	case errors.Is(err, context.Canceled):
		// The client went away; there is no one to answer and nothing to log.
	default:
		h.opts.Logger.ErrorContext(r.Context(), "open311 backend failed",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
		h.writeErrors(w, r, format, http.StatusInternalServerError, &ValidationError{Code: http.StatusInternalServerError, Description: "internal error; please try again later"})
	}
}

// validationErrors collects every *ValidationError in err, looking through
// errors.Join trees, so several input problems are reported together.
func validationErrors(err error) []*ValidationError {
	var out []*ValidationError
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if ve, ok := e.(*ValidationError); ok {
			out = append(out, ve)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, inner := range u.Unwrap() {
				walk(inner)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

func (h *handler) writeErrors(w http.ResponseWriter, r *http.Request, format string, status int, list ...*ValidationError) {
	out := make([]wireError, 0, len(list))
	for _, e := range list {
		out = append(out, wireError{Code: e.Code, Description: e.Description})
	}
	h.write(w, r, format, status, xmlErrors{Errors: out}, out)
}

func (h *handler) write(w http.ResponseWriter, r *http.Request, format string, status int, xmlDoc, jsonDoc any) {
	body, err := marshal(format, xmlDoc, jsonDoc)
	if err != nil {
		// Only a programming error gets here; the error list itself is
		// plain data and cannot fail to encode.
		h.opts.Logger.ErrorContext(r.Context(), "open311 encode failed", slog.String("path", r.URL.Path), slog.Any("err", err))
		status = http.StatusInternalServerError
		body, _ = marshal(format, xmlErrors{Errors: []wireError{{Code: 500, Description: "internal error"}}},
			[]wireError{{Code: 500, Description: "internal error"}})
	}
	ct := contentXML
	if format == formatJSON {
		ct = contentJSON
	}
	w.Header().Set("Content-Type", ct+"; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
