// Package intake is the web face of the ways problems come in (internal/intake): the 12345
// hotline import and push, grid patrol reports and the public resident report from phones, the
// public tracking lookup, and the Open311 GeoReport v2 API.
package intake

import (
	"embed"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

//go:embed templates static
var files embed.FS

// Options are what the intake routes need beyond the kit.
type Options struct {
	// Started is when the server started: Open311's discovery names it as the changeset.
	Started time.Time
}

// handlers serve the routes of this package over the shared kit.
type handlers struct {
	*kit.Kit
	started time.Time
	guesses *kit.GuessLimiter // failed tracking-code guesses (track.go)
}

// Mount registers the intake routes, pages and entries.
func Mount(m *kit.Mount, o Options) error {
	if err := m.Files(files); err != nil {
		return err
	}
	s := &handlers{Kit: m.Kit(), started: o.Started}
	s.intakeRoutes(m)   // the 12345 hotline import and push
	s.reportRoutes(m)   // routes_report.go: grid patrol and resident reports from phones, tracking
	s.open311Routes(m)  // routes_open311.go: the GeoReport v2 API
	s.residentRoutes(m) // resident_pages.go: the resident's own reports and their rating
	return nil
}

// intakeRoutes registers the 12345 hotline intake: the JSON push for the hotline system and the
// upload page for the operations centre's dispatchers. Everything needs intake:import
// (dispatchers and administrators).
func (s *handlers) intakeRoutes(m *kit.Mount) {
	m.API("POST /api/v1/intake/hotline", auth.PermIntakeImport, s.apiPushHotline)

	m.Page("GET /intake/hotline", auth.PermIntakeImport, s.intakePage)
	m.Page("POST /intake/hotline", auth.PermIntakeImport, s.intakeUpload)
	m.Page("GET /intake/hotline/template.xlsx", auth.PermIntakeImport, s.intakeTemplate)
	m.API("GET /intake/hotline/jobs/{id}", auth.PermIntakeImport, s.intakeJobStatus)
	m.Page("GET /intake/hotline/jobs/{id}/errors.xlsx", auth.PermIntakeImport, s.intakeJobErrors)
	m.Nav(kit.NavEntry{Href: "/intake/hotline", Key: "in.nav", Group: "nav work", Order: 20, Show: kit.Can(auth.PermIntakeImport)})
}
