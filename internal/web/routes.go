package web

import (
	"net/http"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	webplaces "github.com/civicgrid/civicgrid/internal/web/places"
)

// routes is the whole route table: the shell's own routes, then one mount per capability. Each
// route carries the permission it needs; kit records them all (docs/ROUTES.md).
func (s *Server) routes() error {
	k := s.Kit
	m := k.Mount("web")
	if err := m.Templates(templateFS); err != nil {
		return err
	}
	m.Handle("GET /healthz", kit.Public, http.HandlerFunc(s.health))
	m.Handle("GET /metrics", "metrics token or loopback", s.metricsHandler())
	m.Handle("GET /static/", kit.Public, s.staticHandler())
	m.Handle("GET /sw.js", kit.Public, http.HandlerFunc(s.serviceWorker))
	m.Handle("GET /api/openapi.json", kit.Public, http.HandlerFunc(s.openAPI))

	m.API("GET /api/v1/me", kit.SignedIn, s.apiMe)
	m.API("GET /api/v1/users", auth.PermUsersRead, s.apiUsers)
	m.API("GET /api/v1/users/{id}", auth.PermUsersRead, s.apiUser)
	m.API("POST /api/v1/users", auth.PermUsersWrite, s.apiCreateUser)
	m.API("GET /api/v1/audit", auth.PermAuditRead, s.apiAudit)

	m.Page("GET /login", kit.Public, s.loginPage)
	m.Page("POST /login", kit.Public, s.loginSubmit)
	m.Page("POST /logout", kit.SignedIn, s.logout)
	m.Page("GET /{$}", kit.SignedIn, s.homePage)
	m.Page("GET /admin/users", auth.PermUsersRead, s.usersPage)
	m.Page("POST /admin/users", auth.PermUsersWrite, s.userSubmit)
	m.Page("POST /admin/users/{id}/disable", auth.PermUsersWrite, s.userDisable)
	m.Page("GET /admin/audit", auth.PermAuditRead, s.auditPage)
	s.authRoutes(m) // routes_auth.go: listing and revoking API tokens

	m.Nav(kit.NavEntry{Href: "/", Key: "home", Order: 0})
	m.Nav(kit.NavEntry{Href: "/admin/users", Key: "users", Order: 80, Show: kit.Can(auth.PermUsersRead)})
	m.Nav(kit.NavEntry{Href: "/admin/audit", Key: "audit", Order: 90, Show: kit.Can(auth.PermAuditRead)})

	// The capabilities, one mount each.
	s.ordersRoutes(k.Mount("orders"))
	s.intakeRoutes(k.Mount("intake"))      // routes_intake.go: hotline import and push
	s.reportRoutes(k.Mount("intake"))      // routes_report.go: grid patrol and resident reports from phones
	s.open311Routes(k.Mount("intake"))     // routes_open311.go: the GeoReport v2 API
	s.campaignRoutes(k.Mount("campaigns")) // routes_campaigns.go: door-to-door visit campaigns (走访)
	if err := webplaces.Mount(k.Mount("places")); err != nil {
		return err
	}
	return nil
}

func (s *Server) ordersRoutes(m *kit.Mount) {
	m.API("GET /api/v1/categories", kit.SignedIn, s.apiCategories)
	m.API("GET /api/v1/orders", auth.PermOrdersRead, s.apiOrders)
	m.API("POST /api/v1/orders", auth.PermOrdersCreate, s.apiCreateOrder)
	m.API("GET /api/v1/orders/{id}", auth.PermOrdersRead, s.apiOrder)
	m.API("POST /api/v1/orders/{id}/actions", auth.PermOrdersAct, s.apiOrderAction)
	m.API("POST /api/v1/uploads", auth.PermOrdersCreate, s.apiUpload)
	m.API("GET /api/v1/notifications", kit.SignedIn, s.apiNotifications)
	m.API("POST /api/v1/notifications/read", kit.SignedIn, s.apiNotificationsRead)
	// Photos check their reader themselves: staff of the town, or a signed link (privacy).
	m.Handle("GET /uploads/{id}", kit.OwnCheck, http.HandlerFunc(s.servePhoto))
	m.Handle("GET /uploads/{id}/thumb", kit.OwnCheck, http.HandlerFunc(s.servePhoto))

	m.Page("GET /orders", auth.PermOrdersRead, s.ordersPage)
	m.Page("GET /orders/new", auth.PermOrdersCreate, s.newOrderPage)
	m.Page("POST /orders", auth.PermOrdersCreate, s.newOrderSubmit)
	m.Page("GET /orders/{id}", auth.PermOrdersRead, s.orderPage)
	m.Page("POST /orders/{id}/act", auth.PermOrdersAct, s.orderActSubmit)
	m.Page("GET /notifications", kit.SignedIn, s.notificationsPage)
	m.Page("POST /notifications/read", kit.SignedIn, s.notificationsRead)

	m.Nav(kit.NavEntry{Href: "/orders", Key: "orders", Order: 10, Show: kit.Can(auth.PermOrdersRead)})
}
