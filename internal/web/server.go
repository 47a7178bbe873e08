// Package web is CivicGrid's HTTP face: the JSON API under /api/v1, the server-rendered pages,
// health and metrics. Handlers decode, call a capability package, and encode; the route table in
// routes.go shows at a glance which permission guards what.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/civicgrid/civicgrid/internal/media"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/store"
)

//go:embed static
var staticFS embed.FS

// Config is what a server needs.
type Config struct {
	DB      *store.DB
	Log     *slog.Logger
	DataDir string
	// TileURL is the map's background tile template ({z}/{x}/{y}); empty shows polygons on a plain background.
	TileURL         string
	TileAttribution string
	// SecureCookies marks cookies Secure (behind HTTPS).
	SecureCookies bool
	// TrustProxy: the server runs behind one reverse proxy, so the client's address is the last
	// entry of X-Forwarded-For (the one the proxy appended), not the proxy's own.
	TrustProxy bool
	Started    time.Time
}

// Server serves CivicGrid over HTTP.
type Server struct {
	cfg       Config
	db        *store.DB
	orders    *orders.Store
	photos    media.Store
	locators  *places.LocatorCache
	log       *slog.Logger
	mux       *http.ServeMux
	pages     *pageSet
	csp       string // the Content-Security-Policy header of every response
	registry  *prometheus.Registry
	reqs      *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	extra     []func(*Server)
	navExtra  []navEntry
	homeExtra []homeEntry
	guesses   *guessLimiter // failed tracking-code guesses (track.go)
}

// homeEntry is a tile a capability adds to the home page of some roles (nil roles: all with perm).
type homeEntry struct {
	href, title, text, perm string
	roles                   []string
}

// navEntry is a navigation link a capability adds for the roles holding perm.
type navEntry struct{ href, key, perm string }

// New builds a server with every route registered.
func New(cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Started.IsZero() {
		cfg.Started = time.Now()
	}
	pages, err := loadPages()
	if err != nil {
		return nil, err
	}
	if cfg.DataDir == "" {
		dir, err := os.MkdirTemp("", "civicgrid-data-")
		if err != nil {
			return nil, err
		}
		cfg.DataDir = dir
	}
	s := &Server{cfg: cfg, db: cfg.DB, log: cfg.Log, mux: http.NewServeMux(), pages: pages, registry: prometheus.NewRegistry(),
		orders: orders.New(cfg.DB), photos: media.Store{Dir: filepath.Join(cfg.DataDir, "uploads")}, locators: &places.LocatorCache{DB: cfg.DB}}
	s.csp = contentSecurityPolicy(cfg.TileURL)
	s.orders.Locator = s.locators.Get
	cal, err := orders.LoadCalendar(context.Background(), cfg.DB)
	if err != nil {
		return nil, fmt.Errorf("load calendars: %w", err)
	}
	s.orders.Cal = cal
	s.reqs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "civicgrid_http_requests_total", Help: "HTTP requests by route and status class."},
		[]string{"route", "code"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "civicgrid_http_request_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"route"})
	s.registry.MustRegister(s.reqs, s.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.routes()
	return s, nil
}

// Orders is the work-order store the server uses (background jobs share it).
func (s *Server) Orders() *orders.Store { return s.orders }

// Registry lets capabilities register their own metrics.
func (s *Server) Registry() *prometheus.Registry { return s.registry }

// Handler returns the root handler with logging, metrics and panic recovery around the routes,
// and every request body bounded (body_limits.go).
func (s *Server) Handler() http.Handler {
	return s.observe(s.limitBodies(s.mux))
}

func (s *Server) staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	fsrv := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		http.StripPrefix("/static/", fsrv).ServeHTTP(w, r)
	})
}

// serviceWorker serves the patrol page's service worker from the site's root, the scope it needs to
// see navigations to /patrol and /logout; browsers check it for updates on every visit.
func (s *Server) serviceWorker(w http.ResponseWriter, r *http.Request) {
	b, err := staticFS.ReadFile("static/sw.js")
	if err != nil {
		http.Error(w, "no service worker", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(b)
}

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("panic in handler", "path", r.URL.Path, "panic", p)
				if rec.status == 0 {
					http.Error(rec, "internal error", http.StatusInternalServerError)
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			code := rec.status
			if code == 0 {
				code = http.StatusOK
			}
			s.reqs.WithLabelValues(route, statusClass(code)).Inc()
			s.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
			if r.URL.Path != "/healthz" && r.URL.Path != "/metrics" && !isStatic(r.URL.Path) {
				s.log.Info("http", "method", r.Method, "path", r.URL.Path, "status", code, "ms", time.Since(start).Milliseconds())
			}
		}()
		secureHeaders(rec, s.csp)
		if s.cfg.TrustProxy {
			r = withForwardedFor(r)
		}
		next.ServeHTTP(rec, r)
	})
}

func isStatic(p string) bool { return len(p) > 8 && p[:8] == "/static/" }

func statusClass(code int) string {
	return string(rune('0'+code/100)) + "xx"
}

func secureHeaders(w http.ResponseWriter, csp string) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status, code := "ok", http.StatusOK
	dbStatus := "ok"
	if err := s.db.SQL().PingContext(ctx); err != nil {
		status, code, dbStatus = "degraded", http.StatusServiceUnavailable, err.Error()
	}
	schema, err := s.db.SchemaVersion(ctx)
	if err != nil && !errors.Is(err, context.Canceled) {
		dbStatus = err.Error()
	}
	writeJSON(w, code, map[string]any{
		"status": status, "database": s.db.Dialect().String(), "database_status": dbStatus, "schema_version": schema,
		"version": versionString(), "uptime_seconds": int(time.Since(s.cfg.Started).Seconds()),
	})
}
