package web

import (
	"net/http"

	"github.com/civicgrid/civicgrid/internal/auth"
)

// Who may call a route: "" public, loggedIn any signed-in user, otherwise a permission.
const (
	public   = ""
	loggedIn = "signed-in"
)

// routes is the whole route table; the permission beside each route is the access rule.
func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /healthz", s.health)
	m.Handle("GET /metrics", s.metricsHandler())
	m.Handle("GET /static/", s.staticHandler())
	m.HandleFunc("GET /sw.js", s.serviceWorker)
	m.HandleFunc("GET /api/openapi.json", s.openAPI)

	// JSON API.
	s.api("GET /api/v1/me", loggedIn, s.apiMe)
	s.api("GET /api/v1/towns", auth.PermTownsRead, s.apiTowns)
	s.api("GET /api/v1/grids", auth.PermGridsRead, s.apiGrids)
	s.api("GET /api/v1/grids/{id}", auth.PermGridsRead, s.apiGrid)
	s.api("POST /api/v1/grids", auth.PermGridsWrite, s.apiSaveGrid)
	s.api("PUT /api/v1/grids/{id}", auth.PermGridsWrite, s.apiSaveGrid)
	s.api("DELETE /api/v1/grids/{id}", auth.PermGridsWrite, s.apiDeleteGrid)
	s.api("POST /api/v1/grids/{id}/members", auth.PermGridsWrite, s.apiAddMember)
	s.api("DELETE /api/v1/grid-members/{id}", auth.PermGridsWrite, s.apiRemoveMember)
	s.api("GET /api/v1/departments", auth.PermDepartmentsRead, s.apiDepartments)
	s.api("POST /api/v1/departments", auth.PermDepartmentsEdit, s.apiSaveDepartment)
	s.api("GET /api/v1/committees", auth.PermGridsRead, s.apiCommittees)
	s.api("GET /api/v1/places", auth.PermGridsRead, s.apiPlaces)
	s.api("GET /api/v1/users", auth.PermUsersRead, s.apiUsers)
	s.api("GET /api/v1/users/{id}", auth.PermUsersRead, s.apiUser)
	s.api("POST /api/v1/users", auth.PermUsersWrite, s.apiCreateUser)
	s.api("GET /api/v1/audit", auth.PermAuditRead, s.apiAudit)
	s.api("GET /api/v1/categories", loggedIn, s.apiCategories)
	s.api("GET /api/v1/orders", auth.PermOrdersRead, s.apiOrders)
	s.api("POST /api/v1/orders", auth.PermOrdersCreate, s.apiCreateOrder)
	s.api("GET /api/v1/orders/{id}", auth.PermOrdersRead, s.apiOrder)
	s.api("POST /api/v1/orders/{id}/actions", auth.PermOrdersAct, s.apiOrderAction)
	s.api("POST /api/v1/uploads", auth.PermOrdersCreate, s.apiUpload)
	s.api("GET /api/v1/notifications", loggedIn, s.apiNotifications)
	s.api("POST /api/v1/notifications/read", loggedIn, s.apiNotificationsRead)
	s.api("GET /api/v1/track", public, s.apiTrack)
	m.HandleFunc("GET /uploads/{id}", s.servePhoto)
	m.HandleFunc("GET /uploads/{id}/thumb", s.servePhoto)

	// Pages.
	s.page("GET /login", public, s.loginPage)
	s.page("POST /login", public, s.loginSubmit)
	s.page("POST /logout", loggedIn, s.logout)
	s.page("GET /{$}", loggedIn, s.homePage)
	s.page("GET /map", auth.PermGridsRead, s.mapPage)
	s.page("GET /admin/grids", auth.PermGridsRead, s.gridsPage)
	s.page("GET /admin/grids/{code}", auth.PermGridsRead, s.gridPage)
	s.page("POST /admin/grids", auth.PermGridsWrite, s.gridSubmit)
	s.page("POST /admin/grids/{code}/members", auth.PermGridsWrite, s.memberSubmit)
	s.page("POST /admin/grid-members/{id}/delete", auth.PermGridsWrite, s.memberDelete)
	s.page("GET /admin/departments", auth.PermDepartmentsRead, s.departmentsPage)
	s.page("POST /admin/departments", auth.PermDepartmentsEdit, s.departmentSubmit)
	s.page("GET /admin/users", auth.PermUsersRead, s.usersPage)
	s.page("POST /admin/users", auth.PermUsersWrite, s.userSubmit)
	s.page("POST /admin/users/{id}/disable", auth.PermUsersWrite, s.userDisable)
	s.page("GET /admin/audit", auth.PermAuditRead, s.auditPage)
	s.page("GET /orders", auth.PermOrdersRead, s.ordersPage)
	s.page("GET /orders/new", auth.PermOrdersCreate, s.newOrderPage)
	s.page("POST /orders", auth.PermOrdersCreate, s.newOrderSubmit)
	s.page("GET /orders/{id}", auth.PermOrdersRead, s.orderPage)
	s.page("POST /orders/{id}/act", auth.PermOrdersAct, s.orderActSubmit)
	s.page("GET /track", public, s.trackPage)
	s.page("GET /notifications", loggedIn, s.notificationsPage)
	s.page("POST /notifications/read", loggedIn, s.notificationsRead)

	// Capabilities register their own routes in their own files, each with the same wrappers.
	s.intakeRoutes()   // routes_intake.go: hotline import and push, patrol and resident reports
	s.open311Routes()  // routes_open311.go: the GeoReport v2 API
	s.campaignRoutes() // routes_campaigns.go: door-to-door visit campaigns (走访)
	s.reportRoutes()   // routes_report.go: grid patrol and resident reports from phones
	s.authRoutes()     // routes_auth.go: listing and revoking API tokens

	for _, add := range s.extra {
		add(s)
	}
}

// api registers a JSON route guarded by perm.
func (s *Server) api(pattern, perm string, h func(http.ResponseWriter, *http.Request, *caller) error) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		c, err := s.authenticate(r)
		if err != nil {
			s.writeAPIError(w, r, err)
			return
		}
		if perm == public && c == nil {
			if err := s.limitAnonymous(w, r); err != nil {
				s.writeAPIError(w, r, err)
				return
			}
		}
		if err := s.allowed(r, c, perm); err != nil {
			s.writeAPIError(w, r, err)
			return
		}
		if c != nil {
			r = r.WithContext(withCaller(r.Context(), c))
		}
		if err := h(w, r, c); err != nil {
			s.writeAPIError(w, r, err)
		}
	})
}

// allowed applies the route's rule and, for browser sessions, CSRF on unsafe methods.
func (s *Server) allowed(r *http.Request, c *caller, perm string) error {
	if perm != public && c == nil {
		return errUnauthenticated
	}
	if perm != public && perm != loggedIn && !c.User.Can(perm) {
		return &httpError{status: http.StatusForbidden, msg: "your role (" + c.User.Role + ") may not do this (" + perm + ")"}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !s.checkCSRF(r, c) {
		return &httpError{status: http.StatusForbidden, msg: "missing or wrong CSRF token: reload the page and try again"}
	}
	return nil
}
