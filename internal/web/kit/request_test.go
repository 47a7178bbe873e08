package kit

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/media"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// StatusOf is the one mapping of errors to statuses; wrapped errors map like the ones they wrap.
func TestStatusOf(t *testing.T) {
	for _, c := range []struct {
		err    error
		status int
		field  string
	}{
		{problem.Field("name", "is required"), http.StatusUnprocessableEntity, "name"},
		{problem.NotFound("order %d", 1), http.StatusNotFound, ""},
		{fmt.Errorf("load: %w", problem.ErrNotFound), http.StatusNotFound, ""},
		{problem.Forbidden("no"), http.StatusForbidden, ""},
		{problem.Conflict("stale"), http.StatusConflict, ""},
		{ErrUnauthenticated, http.StatusUnauthorized, ""},
		{auth.ErrThrottled, http.StatusTooManyRequests, ""},
		{auth.ErrBadCredentials, http.StatusUnauthorized, ""},
		{media.ErrBusy, http.StatusServiceUnavailable, ""},
		{workorder.ErrUnknownAction, http.StatusBadRequest, "action"},
		{workorder.ErrWrongState, http.StatusConflict, ""},
		{workorder.ErrForbidden, http.StatusForbidden, ""},
		{workorder.ErrInvalidInput, http.StatusUnprocessableEntity, ""},
		{BadRequest("id", "id must be a number"), http.StatusBadRequest, "id"},
		{fmt.Errorf("something broke"), http.StatusInternalServerError, ""},
	} {
		status, body := StatusOf(c.err)
		if status != c.status || body.Field != c.field {
			t.Errorf("%v: %d field %q, want %d field %q", c.err, status, body.Field, c.status, c.field)
		}
		if status == http.StatusInternalServerError && body.Message != "internal error" {
			t.Errorf("a 500 shows %q: internal errors are not shown", body.Message)
		}
	}
}

// DecodeJSON takes exactly one JSON value with known fields.
func TestDecodeJSON(t *testing.T) {
	type in struct {
		Name string `json:"name"`
		N    int    `json:"n"`
	}
	for _, c := range []struct {
		body, field string
		status      int
	}{
		{`{"name": "x", "n": 1}`, "", 0},
		{`{"name": "x"}   ` + "\n", "", 0},
		{`{"name": "x"} {"name": "y"}`, "", http.StatusBadRequest},
		{`{"name": "x"} garbage`, "", http.StatusBadRequest},
		{`{"nope": 1}`, "nope", http.StatusBadRequest},
		{`{"n": "one"}`, "n", http.StatusBadRequest},
		{`{"name": `, "", http.StatusBadRequest},
		{``, "", http.StatusBadRequest},
	} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(c.body))
		var v in
		err := DecodeJSON(r, &v)
		if c.status == 0 {
			if err != nil {
				t.Errorf("%q: %v", c.body, err)
			}
			continue
		}
		status, body := StatusOf(err)
		if status != c.status || body.Field != c.field {
			t.Errorf("%q: %d field %q (%v), want %d field %q", c.body, status, body.Field, err, c.status, c.field)
		}
	}
}

// Every route is recorded with its capability, method, path and rule.
func TestMountRecordsRoutes(t *testing.T) {
	k := New(http.NewServeMux(), nil)
	m := k.Mount("things")
	m.API("GET /api/v1/things", "things:read", func(http.ResponseWriter, *http.Request, *Caller) error { return nil })
	m.Page("POST /things", "things:write", func(http.ResponseWriter, *http.Request, *Caller) error { return nil })
	m.Handle("/things/raw/", OwnCheck, http.NotFoundHandler())
	got := k.Routes()
	want := []Route{
		{Method: "GET", Path: "/api/v1/things", Perm: "things:read", Capability: "things", Kind: "api"},
		{Method: "POST", Path: "/things", Perm: "things:write", Capability: "things", Kind: "page"},
		{Method: "ANY", Path: "/things/raw/", Perm: OwnCheck, Capability: "things", Kind: "handler"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("routes = %v, want %v", got, want)
	}
	if md := RoutesMarkdown(got); !strings.Contains(md, "| things | POST | `/things` | `things:write` | page |") {
		t.Errorf("markdown:\n%s", md)
	}
}
