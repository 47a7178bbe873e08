package web

import "github.com/civicgrid/civicgrid/internal/auth"

// intakeRoutes registers the 12345 hotline intake: the JSON push for the hotline system and the
// upload page for the operations centre's dispatchers. Everything needs intake:import
// (dispatchers and administrators).
func (s *Server) intakeRoutes() {
	s.api("POST /api/v1/intake/hotline", auth.PermIntakeImport, s.apiPushHotline)

	s.page("GET /intake/hotline", auth.PermIntakeImport, s.intakePage)
	s.page("POST /intake/hotline", auth.PermIntakeImport, s.intakeUpload)
	s.page("GET /intake/hotline/template.xlsx", auth.PermIntakeImport, s.intakeTemplate)
	s.api("GET /intake/hotline/jobs/{id}", auth.PermIntakeImport, s.intakeJobStatus)
	s.page("GET /intake/hotline/jobs/{id}/errors.xlsx", auth.PermIntakeImport, s.intakeJobErrors)
	s.navExtra = append(s.navExtra, navEntry{href: "/intake/hotline", key: "in.nav", perm: auth.PermIntakeImport})
}
