// Package webtest runs API scenarios against a server built on a world the test gives (the demo's:
// demo.World, demo.WorldWithOrders — passed in, so that webtest itself imports no demo), in the style of
// PocketBase's ApiScenario: each web package keeps a table of {Name, User, Method, URL, Body,
// Status, Contains} beside its code — the happy path, forbidden, not found and bad input of
// each route — and runs it with App.Run.
package webtest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/web"
)

// Scenario is one request and what its answer must be.
type Scenario struct {
	Name string
	// User is the demo username the request is sent as (with an API token); "" is anonymous.
	User   string
	Method string
	// URL is the path and query; {name} is replaced by App.Vars[name].
	URL string
	// Body is sent as JSON when it starts with { or [, else as a form.
	Body string
	// Status is the answer's status code.
	Status int
	// Contains are texts the answer's body must hold; NotContains texts it must not.
	Contains    []string
	NotContains []string
	// Location, when set, is what the answer's Location header must start with (a redirect's
	// target; {name} placeholders expanded).
	Location string
}

// App is a server on the demo world with an API token for each demo user who asks.
type App struct {
	t      *testing.T
	DB     *store.DB
	Server *web.Server
	URL    string
	// Vars are the values of the {name} placeholders of scenario URLs and bodies (ids the demo
	// world gave out).
	Vars   map[string]string
	tokens map[string]string
}

// World fills a fresh database with what the scenarios run on; dir is a temporary directory for
// its files (photos). demo.World and demo.WorldWithOrders (slower: orders in every state) are the
// usual ones.
type World func(ctx context.Context, db *store.DB, dir string) error

// New loads world into db and starts a server on it for the length of the test.
func New(t *testing.T, db *store.DB, world World) *App {
	t.Helper()
	if err := world(context.Background(), db, t.TempDir()); err != nil {
		t.Fatalf("load the world: %v", err)
	}
	s, err := web.New(web.Config{DB: db, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &App{t: t, DB: db, Server: s, URL: srv.URL, Vars: map[string]string{}, tokens: map[string]string{}}
}

// Var sets a placeholder to the first column of the first row of query (an id of the demo world).
func (a *App) Var(name, query string, args ...any) {
	a.t.Helper()
	var v string
	if err := a.DB.QueryRow(context.Background(), query, args...).Scan(&v); err != nil {
		a.t.Fatalf("var %s: %v", name, err)
	}
	a.Vars[name] = v
}

func (a *App) token(user string) string {
	a.t.Helper()
	if tok, ok := a.tokens[user]; ok {
		return tok
	}
	ctx := context.Background()
	u, err := auth.UserByUsername(ctx, a.DB, user)
	if err != nil {
		a.t.Fatalf("demo user %s: %v", user, err)
	}
	tok, err := auth.CreateToken(ctx, a.DB, u.ID, "scenario")
	if err != nil {
		a.t.Fatal(err)
	}
	a.tokens[user] = tok
	return tok
}

// Token is user's bearer token, for requests a scenario cannot carry (a multipart upload).
func (a *App) Token(user string) string { return a.token(user) }

func (a *App) expand(s string) string {
	for k, v := range a.Vars {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

// Get sends a GET as user ("" is anonymous) and returns the status and body, without following
// redirects.
func (a *App) Get(user, path string) (int, string) {
	a.t.Helper()
	req, err := http.NewRequest("GET", a.URL+a.expand(path), nil)
	if err != nil {
		a.t.Fatal(err)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+a.token(user))
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// GetOK is Get that ends the test unless the answer is 200 OK; it returns the body.
func (a *App) GetOK(t *testing.T, user, path string) string {
	t.Helper()
	code, body := a.Get(user, path)
	if code != http.StatusOK {
		t.Fatalf("GET %s as %q = %d: %.300s", path, user, code, body)
	}
	return body
}

// Run sends each scenario in order (later ones may see what earlier ones changed) as a subtest.
func (a *App) Run(t *testing.T, scenarios []Scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			body := a.expand(sc.Body)
			req, err := http.NewRequest(sc.Method, a.URL+a.expand(sc.URL), strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if sc.User != "" {
				req.Header.Set("Authorization", "Bearer "+a.token(sc.User))
			}
			switch {
			case body == "":
			case strings.HasPrefix(body, "{") || strings.HasPrefix(body, "["):
				req.Header.Set("Content-Type", "application/json")
			default:
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			// Pages redirect after a post; the scenario checks the redirect itself.
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != sc.Status {
				t.Errorf("%s %s as %q = %d, want %d: %.300s", sc.Method, req.URL.Path, sc.User, resp.StatusCode, sc.Status, raw)
			}
			if sc.Location != "" && !strings.HasPrefix(resp.Header.Get("Location"), a.expand(sc.Location)) {
				t.Errorf("%s %s as %q went to %q, want %q", sc.Method, req.URL.Path, sc.User, resp.Header.Get("Location"), a.expand(sc.Location))
			}
			for _, want := range sc.Contains {
				if !strings.Contains(string(raw), a.expand(want)) {
					t.Errorf("answer lacks %q: %.300s", want, raw)
				}
			}
			for _, bad := range sc.NotContains {
				if i := strings.Index(string(raw), a.expand(bad)); i >= 0 {
					t.Errorf("answer holds %q: …%s…", bad, raw[max(0, i-300):min(len(raw), i+100)])
				}
			}
		})
	}
}

// Each runs body once per database (testdb.Each), each time on a fresh App on world.
func Each(t *testing.T, world World, body func(t *testing.T, a *App)) {
	testdb.Each(t, func(t *testing.T, db *store.DB) { body(t, New(t, db, world)) })
}
