// Package kpi is the web face of the KPIs (internal/kpi): the KPI page with its period picker,
// comparison columns, breakdown table and chart, each figure a link to the orders it counts (the
// order list's kpi filter, registered here); the rankings (考核) with the exemptions form; the
// KPI API; and the panels of the leader's, the district's and the city's homes.
package kpi

import (
	"embed"
	"html/template"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/kpi"
	"github.com/civicgrid/civicgrid/internal/live"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

//go:embed templates static
var files embed.FS

//go:embed panels
var panelFiles embed.FS

// handlers serve the routes of this package over the shared kit.
type handlers struct {
	*kit.Kit
	panels *template.Template
	cache  *panelCache // the homes' panels (panelcache.go)
	dir    string      // the scheduled reports (Options.ReportsDir)
}

// Options are what the server hands the package beside the kit.
type Options struct {
	// Live is the server's bus of order changes: a change drops the home panels of its town.
	// Without it (tests mounting the package alone) panels are kept for panelTTL at most.
	Live *live.Bus
	// NoPanelCache computes the panels on every load (the bench's cold figures).
	NoPanelCache bool
	// ReportsDir holds the scheduled reports (kpi.WriteDueReports) that /kpi/reports lists.
	ReportsDir string
}

func (s *handlers) service() *kpi.Service { return &kpi.Service{DB: s.DB, Cal: s.Orders.Cal} }

// Mount registers the KPI routes, pages and home panels.
func Mount(m *kit.Mount, o Options) error {
	if err := m.Files(files); err != nil {
		return err
	}
	panels, err := template.New("panels").Funcs(panelFuncs).ParseFS(panelFiles, "panels/*.html")
	if err != nil {
		return err
	}
	s := &handlers{Kit: m.Kit(), panels: panels, cache: newPanelCache(o.Live), dir: o.ReportsDir}
	s.cache.off = o.NoPanelCache
	m.API("GET /api/v1/kpi", auth.PermKPIRead, s.apiKPI)
	m.Page("GET /kpi", auth.PermKPIRead, s.kpiPage)
	m.Page("GET /kpi/rankings", auth.PermKPIRead, s.rankingsPage)
	m.Page("GET /kpi/report", auth.PermKPIRead, s.report)
	m.Page("GET /kpi/report/print", auth.PermKPIRead, s.reportPrint)
	m.Page("GET /kpi/reports", auth.PermKPIRead, s.scheduledReports)
	m.Page("GET /kpi/reports/{file}", auth.PermKPIRead, s.scheduledReport)
	m.Page("POST /kpi/exemptions", auth.PermKPIExempt, s.exemptSubmit)

	m.Nav(kit.NavEntry{Href: "/kpi", Key: "kpi.nav", Group: "nav ops", Order: 40, Show: kit.Can(auth.PermKPIRead)})
	// A leader's home is the KPI panel (homePanel); the others who may read the figures get a tile.
	m.Home(kit.HomeEntry{Order: 5, Show: kit.CanAs(auth.PermKPIRead, auth.RoleLeader), Panel: s.homePanel})
	m.Home(kit.HomeEntry{Href: "/kpi", Title: "kpi.title", Text: "kpi.home", Order: 5, Show: func(u auth.User) bool {
		return u.Can(auth.PermKPIRead) && u.Role != auth.RoleLeader
	}})
	return nil
}
