// Package web is CivicGrid's HTTP face: the JSON API under /api/v1, the server-rendered pages,
// health and metrics. Handlers decode, call a capability package, and encode; the route table in
// routes.go shows at a glance which permission guards what.
package web

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/live"
	"github.com/civicgrid/civicgrid/internal/media"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/version"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

//go:embed static
var staticFS embed.FS

// The shell's templates: layout.html frames every page of every web package.
//
//go:embed templates
var templateFS embed.FS

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
	// MetricsToken, when set, is the bearer token /metrics requires; without it /metrics
	// answers only direct requests from the loopback interface.
	MetricsToken string
	// ReadTimeout and WriteTimeout override DefaultReadTimeout and DefaultWriteTimeout (tests).
	ReadTimeout, WriteTimeout time.Duration
	// Residents is told when a resident's report moves (the SMS / WeChat hook point; see
	// internal/residentnotify); nil tells nobody.
	Residents orders.ResidentNotifier
	// Live carries order changes to the live screens (internal/live: LISTEN/NOTIFY on PostgreSQL);
	// nil builds an in-process bus, enough for one server.
	Live *live.Bus
	// NoPanelCache computes the homes' KPI panels, and a district's or city's hotspots, on every
	// load (web/kpi and web/ops keep them otherwise): the bench measures the cold cost with it.
	NoPanelCache bool
}

// Limits of the HTTP server (docs/SECURITY.md). A request has ReadHeaderTimeout for its headers
// and ReadTimeout for its body; a body that keeps arriving at MinBodyRate or faster gets more time
// in proportion (a 256 MiB hotline export over a slow line, six photos from a phone), so no
// upload is cut short while a client trickling bytes to hold a connection is. The response must
// be written within WriteTimeout of the last body byte; handlers that stream for longer extend
// their own deadline with http.ResponseController (none does today: exports are built in memory).
const (
	ReadHeaderTimeout   = 10 * time.Second
	DefaultReadTimeout  = time.Minute
	DefaultWriteTimeout = 2 * time.Minute
	IdleTimeout         = 2 * time.Minute
	MaxHeaderBytes      = 64 << 10
	MinBodyRate         = 16 << 10 // bytes per second, averaged over the whole body
)

// Server serves CivicGrid over HTTP. It embeds the kit its web packages share.
type Server struct {
	*kit.Kit
	cfg     Config
	mux     *http.ServeMux
	csp     string // the Content-Security-Policy header of every response
	reqs    *prometheus.CounterVec
	latency *prometheus.HistogramVec
	public  *kit.GuessLimiter // anonymous calls of public routes (public_limit.go)
	live    *live.Bus
}

// New builds a server with every route registered.
func New(cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Started.IsZero() {
		cfg.Started = time.Now()
	}
	if cfg.DataDir == "" {
		dir, err := os.MkdirTemp("", "civicgrid-data-")
		if err != nil {
			return nil, err
		}
		cfg.DataDir = dir
	}
	mux := http.NewServeMux()
	k := kit.New(mux, templateFS)
	k.DB, k.Log, k.Registry = cfg.DB, cfg.Log, prometheus.NewRegistry()
	k.Orders = orders.New(cfg.DB)
	k.Photos = media.Store{Dir: filepath.Join(cfg.DataDir, "uploads")}
	k.Dispatch = &dispatch.Advisor{DB: cfg.DB, Dir: filepath.Join(cfg.DataDir, "models")}
	k.Locators = &places.LocatorCache{DB: cfg.DB}
	k.TileURL, k.TileAttribution, k.SecureCookies = cfg.TileURL, cfg.TileAttribution, cfg.SecureCookies
	s := &Server{Kit: k, cfg: cfg, mux: mux}
	// Anonymous calls of every public route, per client address (public_limit.go).
	s.public = kit.NewGuessLimiter(publicPerClient, publicPerClient, publicLimiterEntries)
	k.Anonymous = s.limitAnonymous
	s.csp = contentSecurityPolicy(cfg.TileURL)
	k.Orders.Locator = k.Locators.Get
	k.Orders.Residents = cfg.Residents
	if s.live = cfg.Live; s.live == nil {
		s.live = live.NewLocal()
	}
	k.Orders.Changes = s.live
	cal, err := orders.LoadCalendar(context.Background(), cfg.DB)
	if err != nil {
		return nil, fmt.Errorf("load calendars: %w", err)
	}
	k.Orders.Cal = cal
	s.reqs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "civicgrid_http_requests_total", Help: "HTTP requests by route and status class."},
		[]string{"route", "code"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "civicgrid_http_request_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"route"})
	k.Registry.MustRegister(s.reqs, s.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := s.routes(); err != nil {
		return nil, err
	}
	return s, nil
}

// Orders is the work-order store the server uses (background jobs share it).
func (s *Server) Orders() *orders.Store { return s.Kit.Orders }

// ReportsDir is where the scheduled KPI reports are written and listed from (/kpi/reports).
func (s *Server) ReportsDir() string { return filepath.Join(s.cfg.DataDir, "reports") }

// Registry lets capabilities register their own metrics.
func (s *Server) Registry() *prometheus.Registry { return s.Kit.Registry }

// Handler returns the root handler with logging, metrics and panic recovery around the routes,
// and every request body bounded (body_limits.go).
func (s *Server) Handler() http.Handler {
	return s.observe(s.limitBodies(s.mux))
}

// HTTPServer returns an http.Server for s with every timeout and size limit set.
func (s *Server) HTTPServer() *http.Server {
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       s.readTimeout(),
		WriteTimeout:      s.writeTimeout(),
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.Log.Handler(), slog.LevelWarn),
	}
	// Shutdown waits for requests to finish; live streams never do, so they are ended first.
	hs.RegisterOnShutdown(s.live.Hub.Close)
	return hs
}

func (s *Server) readTimeout() time.Duration {
	if s.cfg.ReadTimeout > 0 {
		return s.cfg.ReadTimeout
	}
	return DefaultReadTimeout
}

func (s *Server) writeTimeout() time.Duration {
	if s.cfg.WriteTimeout > 0 {
		return s.cfg.WriteTimeout
	}
	return DefaultWriteTimeout
}

// pacedBody moves a request's read and write deadlines along as its body arrives: the body
// may take ReadTimeout plus one second per MinBodyRate bytes received so far, and the answer
// WriteTimeout after that.
type pacedBody struct {
	io.ReadCloser
	rc          *http.ResponseController
	start       time.Time
	grace, rest time.Duration
	n           int64
}

func (p *pacedBody) Read(b []byte) (int, error) {
	d := p.start.Add(p.grace + time.Duration(p.n)*(time.Second/MinBodyRate))
	// Errors mean the writer cannot take deadlines (a test recorder); the server's own hold then.
	_ = p.rc.SetReadDeadline(d)
	_ = p.rc.SetWriteDeadline(d.Add(p.rest))
	n, err := p.ReadCloser.Read(b)
	p.n += int64(n)
	return n, err
}

func (s *Server) staticHandler() http.Handler {
	fsrv := http.FileServerFS(s.StaticFS())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		http.StripPrefix("/static/", fsrv).ServeHTTP(w, r)
	})
}

// favicon answers /favicon.ico — which browsers and tools ask for whatever the page links —
// with the SVG icon the layout links, so that no page's visit logs a 404.
func (s *Server) favicon(w http.ResponseWriter, r *http.Request) {
	b, err := staticFS.ReadFile("static/favicon.svg")
	if err != nil {
		http.Error(w, "no icon", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(b)
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

// metricsHandler serves Prometheus metrics to whoever holds the metrics token or, without one,
// only to direct requests from the loopback interface: the figures (routes, latencies, Go
// runtime) help an attacker more than they help the public.
func (s *Server) metricsHandler() http.Handler {
	h := promhttp.HandlerFor(s.Kit.Registry, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.MetricsToken != "" {
			tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(s.cfg.MetricsToken)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
				http.Error(w, "metrics need Authorization: Bearer <the metrics token>", http.StatusUnauthorized)
				return
			}
		} else if !s.fromLoopback(r) {
			http.Error(w, "metrics are served to the loopback interface only; start the server with --metrics-token to scrape them from elsewhere",
				http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// fromLoopback reports whether r came from this machine itself. Behind a trusted proxy the
// client's address is already the one the proxy saw; otherwise a request carrying forwarding
// headers was relayed by a proxy on this machine for someone else, and does not count.
func (s *Server) fromLoopback(r *http.Request) bool {
	if !s.cfg.TrustProxy && (r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" || r.Header.Get("X-Real-IP") != "") {
		return false
	}
	ip := net.ParseIP(kit.ClientIP(r))
	return ip != nil && ip.IsLoopback()
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
				s.Log.Error("panic in handler", "path", r.URL.Path, "panic", p)
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
				s.Log.Info("http", "method", r.Method, "path", r.URL.Path, "status", code, "ms", time.Since(start).Milliseconds())
			}
		}()
		secureHeaders(rec, s.csp)
		if s.cfg.TrustProxy {
			r = kit.WithForwardedFor(r)
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &pacedBody{ReadCloser: r.Body, rc: http.NewResponseController(w), start: start, grace: s.readTimeout(), rest: s.writeTimeout()}
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
	if err := s.DB.SQL().PingContext(ctx); err != nil {
		status, code, dbStatus = "degraded", http.StatusServiceUnavailable, err.Error()
	}
	schema, err := s.DB.SchemaVersion(ctx)
	if err != nil && !errors.Is(err, context.Canceled) {
		dbStatus = err.Error()
	}
	kit.WriteJSON(w, code, map[string]any{
		"status": status, "database": s.DB.Dialect().String(), "database_status": dbStatus, "schema_version": schema,
		"version": version.String(), "uptime_seconds": int(time.Since(s.cfg.Started).Seconds()),
	})
}
