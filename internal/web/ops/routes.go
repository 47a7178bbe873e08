// Package ops is the web face of the operations centre (城运中心): the live map (/ops/map), the
// wall screen (/ops/wall), the data they draw (internal/ops) and the stream of order changes
// they follow (GET /api/v1/live, server-sent events from internal/live).
package ops

import (
	"context"
	"embed"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/live"
	"github.com/civicgrid/civicgrid/internal/ops"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

//go:embed templates static
var files embed.FS

// Options are what the shell hands the package.
type Options struct {
	// Live is the server's bus of order changes.
	Live *live.Bus
	// Heartbeat is the pause between the stream's keep-alive comments (0: DefaultHeartbeat).
	Heartbeat time.Duration
	// NoCache computes several towns' hotspots on every call (the bench's cold figures).
	NoCache bool
}

// DefaultHeartbeat keeps proxies from closing an idle stream (most wait 60 s).
const DefaultHeartbeat = 25 * time.Second

// handlers serve the routes of this package over the shared kit.
type handlers struct {
	*kit.Kit
	live      *live.Bus
	heartbeat time.Duration
	hotspots  *hotspotCache
}

// Mount registers the operations centre's routes, pages and entries.
func Mount(m *kit.Mount, o Options) error {
	if err := m.Files(files); err != nil {
		return err
	}
	if o.Live == nil {
		o.Live = live.NewLocal()
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = DefaultHeartbeat
	}
	s := &handlers{Kit: m.Kit(), live: o.Live, heartbeat: o.Heartbeat}
	s.hotspots = newHotspotCache(func(ctx context.Context, towns []string, now time.Time) ([]ops.Hotspot, error) {
		return ops.Hotspots(ctx, s.DB, towns, now)
	})
	s.hotspots.off = o.NoCache
	m.API("GET /api/v1/live", auth.PermOpsRead, s.apiLive)
	m.API("GET /api/v1/ops/points", auth.PermOpsRead, s.apiPoints)
	m.API("GET /api/v1/ops/figures", auth.PermOpsRead, s.apiFigures)
	m.API("GET /api/v1/ops/heat", auth.PermOpsRead, s.apiHeat)
	m.API("GET /api/v1/ops/hotspots", auth.PermOpsRead, s.apiHotspots)
	m.Page("GET /ops/map", auth.PermOpsRead, s.mapPage)
	m.Page("GET /ops/wall", auth.PermOpsRead, s.wallPage)
	m.Page("GET /ops/hotspots", auth.PermOpsRead, s.hotspotsPage)
	m.Page("POST /ops/hotspots/supervise", auth.PermOrdersAct, s.superviseSubmit)

	m.Nav(kit.NavEntry{Href: "/ops/map", Key: "ops.nav", Group: "nav ops", Order: 35, Show: kit.Can(auth.PermOpsRead)})
	m.Home(kit.HomeEntry{Href: "/ops/map", Title: "ops.map", Text: "ops.map text", Order: 20, Show: kit.Can(auth.PermOpsRead)})
	m.Home(kit.HomeEntry{Href: "/ops/hotspots", Title: "ops.hotspots", Text: "ops.hotspots text", Order: 22, Show: kit.Can(auth.PermOpsRead)})
	m.Home(kit.HomeEntry{Href: "/ops/wall", Title: "ops.wall", Text: "ops.wall text", Order: 21, Show: kit.Can(auth.PermOpsRead)})
	return nil
}
