package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/civicgrid/civicgrid/internal/bookings"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/kpi"
	"github.com/civicgrid/civicgrid/internal/live"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/residentnotify"
	"github.com/civicgrid/civicgrid/internal/services"
	"github.com/civicgrid/civicgrid/internal/version"
	"github.com/civicgrid/civicgrid/internal/volunteers"
	"github.com/civicgrid/civicgrid/internal/web"
)

// demoExtras lists the capabilities' demo loaders after places and people: the work orders.
func demoExtras(dataDir string) []demo.Extra {
	now := time.Now()
	// Campaigns come after orders: they reuse the demo's categories and a stored photo.
	return []demo.Extra{demo.Orders(dataDir, now), demo.DispatchRules(), demo.Models(dataDir), demo.Campaigns(now), demo.Projects(now), demo.Results(), demo.Consultations(now), demo.Party(now), demo.Bookings(now), demo.Volunteers(now), demo.Services(now)}
}

// minMetricsToken keeps a guessable word out of --metrics-token.
const minMetricsToken = 16

func runServe(ctx context.Context, args []string, out io.Writer) error {
	var d dbFlags
	var addr, tiles, tileAtt, metricsToken, residentNotify string
	var withDemo, trustProxy, secureCookies bool
	fs := newFlagSet("serve", "serve the web UI and the JSON API", "serve [--addr HOST:PORT] [--data DIR] [--db URL] [--demo] [--tiles URL] [--secure-cookies] [--metrics-token T]", out)
	d.register(fs)
	fs.StringVar(&addr, "addr", envOr("CIVICGRID_ADDR", "127.0.0.1:8080"), "listen address (env CIVICGRID_ADDR)")
	fs.BoolVar(&withDemo, "demo", os.Getenv("CIVICGRID_DEMO") == "1", "load the 新泾镇 demo on first start (idempotent)")
	fs.StringVar(&tiles, "tiles", envOr("CIVICGRID_TILES", ""), "map tile URL template, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png (env CIVICGRID_TILES; empty: polygons on a plain background)")
	fs.BoolVar(&trustProxy, "trust-proxy", os.Getenv("CIVICGRID_TRUST_PROXY") == "1", "behind one reverse proxy: take client addresses (sign-in throttling, report limits, audit) from X-Forwarded-For (env CIVICGRID_TRUST_PROXY=1)")
	fs.StringVar(&tileAtt, "tiles-attribution", envOr("CIVICGRID_TILES_ATTRIBUTION", ""), "attribution shown for the tiles")
	fs.BoolVar(&secureCookies, "secure-cookies", os.Getenv("CIVICGRID_SECURE_COOKIES") == "1", "mark cookies Secure: set it whenever users reach the server over HTTPS (env CIVICGRID_SECURE_COOKIES=1)")
	fs.StringVar(&metricsToken, "metrics-token", os.Getenv("CIVICGRID_METRICS_TOKEN"), "bearer token /metrics requires; without one /metrics answers loopback requests only (env CIVICGRID_METRICS_TOKEN)")
	fs.StringVar(&residentNotify, "resident-notify", envOr("CIVICGRID_RESIDENT_NOTIFY", residentnotify.ModeLog),
		"how residents hear that their reports moved: log (write each message to the log, phones masked) or off (env CIVICGRID_RESIDENT_NOTIFY)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if metricsToken != "" && len(metricsToken) < minMetricsToken {
		return fmt.Errorf("--metrics-token must be at least %d characters (e.g. openssl rand -hex 16)", minMetricsToken)
	}
	log := logger(out)
	residents, err := residentnotify.New(residentNotify, log)
	if err != nil {
		return err
	}
	started := time.Now()
	db, err := openDB(ctx, d, out)
	if err != nil {
		return err
	}
	defer db.Close()
	log.Info("database ready", "db", db.Dialect().String(), "location", db.Location)
	var accounts []demo.Account
	if withDemo {
		accounts, err = demo.Load(ctx, db, log, demoExtras(d.data)...)
		if err != nil {
			return err
		}
	}
	// Live updates: in process on SQLite, LISTEN/NOTIFY on PostgreSQL so that every server of the
	// database streams every change (docs/OPS.md).
	bus, err := live.Open(ctx, db, log)
	if err != nil {
		return err
	}
	defer bus.Close()
	cfg := web.Config{DB: db, Log: log, DataDir: d.data, TileURL: tiles, TileAttribution: tileAtt, Started: started, TrustProxy: trustProxy,
		SecureCookies: secureCookies, MetricsToken: metricsToken, Residents: residents, Live: bus}
	srv, err := web.New(cfg)
	if err != nil {
		return err
	}
	// The overdue escalator runs in every instance; each order is claimed with a version check, so
	// several servers on one PostgreSQL database escalate an order once.
	go srv.Orders().RunEscalator(ctx, time.Minute, log)
	// Service requests past their deadline are escalated the same way, once per deadline (the
	// marker's conditional UPDATE decides between servers; docs/SERVICES.md).
	go (&services.Service{DB: db, Now: srv.Orders().Now}).RunEscalator(ctx, time.Minute, log)
	// SQLite's search index follows the orders from its own file (a no-op on PostgreSQL).
	go orders.RunSearchIndexer(ctx, db, func(err error) { log.Warn("search index", "err", err) })
	// A category tree version published for a later date takes effect on its day.
	go dispatch.RunActivator(ctx, db, time.Hour, log)
	// Holds offered from waiting lists that were not confirmed pass on (every read and write of a
	// pool does it too; the ticker makes the notices go out without one).
	go bookings.RunSweeper(ctx, db, time.Minute, log)
	// Volunteers are reminded of their activities a day ahead, and their sign-up holds that ran
	// out pass on with their notices (docs/VOLUNTEERS.md).
	go volunteers.New(db).RunReminders(ctx, 5*time.Minute, log)
	// The previous month's and quarter's KPI reports of every town are written into the data
	// directory once (checked hourly, so a server down on the 1st catches up) and listed at
	// /kpi/reports (docs/KPI.md).
	go (&kpi.Service{DB: db, Cal: srv.Orders().Cal}).RunReportScheduler(ctx, srv.ReportsDir(), func(ctx context.Context) ([]string, error) {
		towns, err := places.TenantTowns(ctx, db, nil)
		var codes []string
		for _, t := range towns {
			codes = append(codes, t.Code)
		}
		return codes, err
	}, time.Hour, nil, log)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	hs := srv.HTTPServer()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	if len(accounts) > 0 {
		printAccounts(out, accounts)
	}
	log.Info("civicgrid serving", "url", "http://"+ln.Addr().String()+"/", "version", version.String(), "startup_ms", time.Since(started).Milliseconds())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	shutCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}
