package web

import (
	"net/http"

	webbookings "github.com/civicgrid/civicgrid/internal/web/bookings"
	webcampaigns "github.com/civicgrid/civicgrid/internal/web/campaigns"
	webconsult "github.com/civicgrid/civicgrid/internal/web/consult"
	webdispatch "github.com/civicgrid/civicgrid/internal/web/dispatch"
	webparty "github.com/civicgrid/civicgrid/internal/web/party"
	webportal "github.com/civicgrid/civicgrid/internal/web/portal"

	webintake "github.com/civicgrid/civicgrid/internal/web/intake"
	webkpi "github.com/civicgrid/civicgrid/internal/web/kpi"

	webops "github.com/civicgrid/civicgrid/internal/web/ops"
	weborders "github.com/civicgrid/civicgrid/internal/web/orders"
	webprojects "github.com/civicgrid/civicgrid/internal/web/projects"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	webplaces "github.com/civicgrid/civicgrid/internal/web/places"
	webresults "github.com/civicgrid/civicgrid/internal/web/results"
	webservices "github.com/civicgrid/civicgrid/internal/web/services"
	webvolunteers "github.com/civicgrid/civicgrid/internal/web/volunteers"
)

// routes is the whole route table: the shell's own routes, then one mount per capability. Each
// route carries the permission it needs; kit records them all (docs/ROUTES.md).
func (s *Server) routes() error {
	k := s.Kit
	m := k.Mount("web")
	if err := m.Templates(templateFS); err != nil {
		return err
	}
	// The shell's static files (vendored libraries, dom.js, app.js, app.css) come first.
	if err := m.Static(staticFS); err != nil {
		return err
	}
	m.Handle("GET /healthz", kit.Public, http.HandlerFunc(s.health))
	m.Handle("GET /metrics", "metrics token or loopback", s.metricsHandler())
	m.Handle("GET /static/", kit.Public, s.staticHandler())
	m.Handle("GET /sw.js", kit.Public, http.HandlerFunc(s.serviceWorker))
	m.Handle("GET /favicon.ico", kit.Public, http.HandlerFunc(s.favicon))
	m.Handle("GET /api/openapi.json", kit.Public, http.HandlerFunc(s.openAPI))

	m.API("GET /api/v1/me", kit.SignedIn, s.apiMe)
	m.API("GET /api/v1/users", auth.PermUsersRead, s.apiUsers)
	m.API("GET /api/v1/users/{id}", auth.PermUsersRead, s.apiUser)
	m.API("POST /api/v1/users", auth.PermUsersWrite, s.apiCreateUser)
	m.API("PATCH /api/v1/users/{id}", auth.PermUsersWrite, s.apiUpdateUser)
	m.API("POST /api/v1/users/{id}/password", auth.PermUsersWrite, s.apiResetPassword)
	m.API("GET /api/v1/audit", auth.PermAuditRead, s.apiAudit)

	m.Page("GET /login", kit.Public, s.loginPage)
	m.Page("POST /login", kit.Public, s.loginSubmit)
	m.Page("POST /logout", kit.SignedIn, s.logout)
	m.Page("GET /{$}", kit.SignedIn, s.homePage)
	m.Page("GET /admin/users", auth.PermUsersRead, s.usersPage)
	m.Page("POST /admin/users", auth.PermUsersWrite, s.userSubmit)
	m.Page("POST /admin/users/{id}/disable", auth.PermUsersWrite, s.userDisable)
	m.Page("GET /admin/users/{id}/edit", auth.PermUsersWrite, s.userEditPage)
	m.Page("POST /admin/users/{id}", auth.PermUsersWrite, s.userUpdateSubmit)
	m.Page("POST /admin/users/{id}/password", auth.PermUsersWrite, s.userPasswordReset)
	m.Page("GET /account/password", kit.SignedIn, s.accountPage)
	m.Page("POST /account/password", kit.SignedIn, s.accountPasswordSubmit)
	m.Page("GET /admin/audit", auth.PermAuditRead, s.auditPage)
	m.Page("GET /admin/audit/export", auth.PermAuditRead, s.auditExport)
	s.authRoutes(m) // routes_auth.go: listing and revoking API tokens

	// The bar's menus, by what people do there; each capability puts its links in one of them.
	for i, group := range []string{"nav work", "nav ops", "nav people", "nav services", "nav party", "nav admin"} {
		m.NavGroup(kit.NavGroup{Key: group, Order: 10 * (i + 1)})
	}
	m.Nav(kit.NavEntry{Href: "/", Key: "home", Order: 0})
	m.Nav(kit.NavEntry{Href: "/admin/users", Key: "users", Group: "nav admin", Order: 45, Show: kit.Can(auth.PermUsersRead)})
	m.Nav(kit.NavEntry{Href: "/admin/audit", Key: "audit", Group: "nav admin", Order: 90, Show: kit.Can(auth.PermAuditRead)})

	// The capabilities, one mount each.
	if err := weborders.Mount(k.Mount("orders")); err != nil {
		return err
	}
	if err := webintake.Mount(k.Mount("intake"), webintake.Options{Started: s.cfg.Started}); err != nil {
		return err
	}
	if err := webcampaigns.Mount(k.Mount("campaigns")); err != nil {
		return err
	}
	if err := webresults.Mount(k.Mount("results")); err != nil {
		return err
	}
	if err := webplaces.Mount(k.Mount("places")); err != nil {
		return err
	}
	if err := webdispatch.Mount(k.Mount("dispatch")); err != nil {
		return err
	}
	if err := webkpi.Mount(k.Mount("kpi"), webkpi.Options{Live: s.live, NoPanelCache: s.cfg.NoPanelCache, ReportsDir: s.ReportsDir()}); err != nil {
		return err
	}
	if err := webops.Mount(k.Mount("ops"), webops.Options{Live: s.live, NoCache: s.cfg.NoPanelCache}); err != nil {
		return err
	}
	if err := webprojects.Mount(k.Mount("projects")); err != nil {
		return err
	}
	if err := webconsult.Mount(k.Mount("consult")); err != nil {
		return err
	}
	if err := webparty.Mount(k.Mount("party")); err != nil {
		return err
	}
	if err := webbookings.Mount(k.Mount("bookings")); err != nil {
		return err
	}
	if err := webvolunteers.Mount(k.Mount("volunteers")); err != nil {
		return err
	}
	if err := webservices.Mount(k.Mount("services")); err != nil {
		return err
	}
	if err := webportal.Mount(k.Mount("portal")); err != nil {
		return err
	}
	return nil
}

// Route is one recorded route of the route table (Server.Routes), for tools outside the web
// packages — `civicgrid bench pages` measures every GET route from it — which import the shell
// only.
type Route = kit.Route

// The permissions a route may carry besides the role table's.
const (
	PermPublic   = kit.Public   // anyone
	PermSignedIn = kit.SignedIn // any signed-in user
	PermOwnCheck = kit.OwnCheck // the handler checks who may
)
