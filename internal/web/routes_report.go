package web

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/media"
)

// reportRoutes registers the phone-first reporting pages: grid patrol (巡查上报, with 自行处置) for
// grid workers and leaders, and the public resident report (市民随手拍), anonymous allowed.
func (s *Server) reportRoutes() {
	// The guess limits of the public lookups by number and code (/track, /api/v1/track and the
	// report confirmation); see track.go.
	s.guesses = newGuessLimiter(trackPerClient, trackPerNumber, trackLimiterEntries)
	// Anonymous calls of every public route, per client address (public_limit.go).
	s.public = newGuessLimiter(publicPerClient, publicPerClient, publicLimiterEntries)
	// Photos decoded and refused by their headers (a run of refusals is someone trying bombs).
	s.registry.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "civicgrid_photos_decoded_total", Help: "Uploaded photos decoded."},
			func() float64 { n, _ := media.Stats(); return float64(n) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "civicgrid_photos_refused_total", Help: "Uploaded photos refused before decoding (size, type, pixel budget)."},
			func() float64 { _, n := media.Stats(); return float64(n) }))

	s.page("GET /patrol", auth.PermOrdersCreate, s.patrolPage)
	s.page("POST /patrol", auth.PermOrdersCreate, s.patrolSubmit)
	s.page("GET /patrol/done/{id}", auth.PermOrdersRead, s.patrolDone)

	s.page("GET /report", public, s.reportPage)
	s.page("POST /report", public, s.reportSubmit)
	s.page("GET /report/done", public, s.reportDone)
	s.api("GET /report/areas", public, s.reportAreas)

	s.homeExtra = append(s.homeExtra,
		homeEntry{href: "/patrol", title: "patrol report", text: "patrol report text", perm: auth.PermOrdersCreate,
			roles: []string{auth.RoleGridWorker, auth.RoleGridLeader}},
		homeEntry{href: "/report", title: "resident report", text: "resident report text", roles: []string{auth.RoleResident}},
	)
}
