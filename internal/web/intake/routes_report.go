package intake

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/media"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// reportRoutes registers the phone-first reporting pages: grid patrol (巡查上报, with 自行处置) for
// grid workers and leaders, and the public resident report (市民随手拍), anonymous allowed.
func (s *handlers) reportRoutes(m *kit.Mount) {
	// The guess limits of the public lookups by number and code (/track, /api/v1/track and the
	// report confirmation); see track.go.
	s.guesses = kit.NewGuessLimiter(trackPerClient, trackPerNumber, trackLimiterEntries)
	// Photos decoded and refused by their headers (a run of refusals is someone trying bombs).
	s.Registry.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "civicgrid_photos_decoded_total", Help: "Uploaded photos decoded."},
			func() float64 { n, _ := media.Stats(); return float64(n) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "civicgrid_photos_refused_total", Help: "Uploaded photos refused before decoding (size, type, pixel budget)."},
			func() float64 { _, n := media.Stats(); return float64(n) }))

	m.Page("GET /patrol", auth.PermOrdersCreate, s.patrolPage)
	m.Page("POST /patrol", auth.PermOrdersCreate, s.patrolSubmit)
	m.Page("GET /patrol/done/{id}", auth.PermOrdersRead, s.patrolDone)

	m.Page("GET /report", kit.Public, s.reportPage)
	m.Page("POST /report", kit.Public, s.reportSubmit)
	m.Page("GET /report/done", kit.Public, s.reportDone)
	m.API("GET /report/areas", kit.Public, s.reportAreas)

	// The public lookup of an order by its number and tracking code.
	m.Page("GET /track", kit.Public, s.trackPage)
	m.API("GET /api/v1/track", kit.Public, s.apiTrack)
	m.Portal(kit.PortalEntry{Key: "report", Order: 10, Href: "/report", Title: "res.portal report", Text: "res.portal report text", Icon: "report", Summary: s.reportSummary})
	m.Portal(kit.PortalEntry{Key: "track", Order: 20, Href: "/track", Title: "res.portal track", Text: "res.portal track text", Icon: "track"})

	m.Home(kit.HomeEntry{Href: "/patrol", Title: "patrol report", Text: "patrol report text", Order: 40,
		Show: kit.CanAs(auth.PermOrdersCreate, auth.RoleGridWorker, auth.RoleGridLeader)})
	// Grid workers' main act sits in the menu too (second, after home), on the phone's as well.
	m.Nav(kit.NavEntry{Href: "/patrol", Key: "patrol", Group: "nav work", Order: 5, Show: kit.CanAs(auth.PermOrdersCreate, auth.RoleGridWorker, auth.RoleGridLeader)})
	m.Home(kit.HomeEntry{Href: "/report", Title: "resident report", Text: "resident report text", Order: 41, Show: kit.CanAs("", auth.RoleResident)})
}
