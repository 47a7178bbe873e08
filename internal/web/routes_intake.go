package web

import (
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// intakeRoutes registers the 12345 hotline intake: the JSON push for the hotline system and the
// upload page for the operations centre's dispatchers. Everything needs intake:import
// (dispatchers and administrators).
func (s *Server) intakeRoutes(m *kit.Mount) {
	m.API("POST /api/v1/intake/hotline", auth.PermIntakeImport, s.apiPushHotline)

	m.Page("GET /intake/hotline", auth.PermIntakeImport, s.intakePage)
	m.Page("POST /intake/hotline", auth.PermIntakeImport, s.intakeUpload)
	m.Page("GET /intake/hotline/template.xlsx", auth.PermIntakeImport, s.intakeTemplate)
	m.API("GET /intake/hotline/jobs/{id}", auth.PermIntakeImport, s.intakeJobStatus)
	m.Page("GET /intake/hotline/jobs/{id}/errors.xlsx", auth.PermIntakeImport, s.intakeJobErrors)
	m.Nav(kit.NavEntry{Href: "/intake/hotline", Key: "in.nav", Order: 20, Show: kit.Can(auth.PermIntakeImport)})
}
