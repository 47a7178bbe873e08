// Package orders is the web face of work orders (internal/orders): the order API, the order
// list, page and actions, the staff form for a new order, photos and notifications. Other web
// packages show an order through View and link to its page.
package orders

import (
	"embed"
	"net/http"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

//go:embed templates static
var files embed.FS

// handlers serve the routes of this package over the shared kit.
type handlers struct {
	*kit.Kit
	exports *exportSlots // the order exports being built (MaxExports)
}

// Mount registers the order routes, pages and entries.
func Mount(m *kit.Mount) error {
	if err := m.Files(files); err != nil {
		return err
	}
	s := &handlers{Kit: m.Kit(), exports: &exportSlots{busy: map[int64]bool{}}}
	m.API("GET /api/v1/categories", kit.SignedIn, s.apiCategories)
	m.API("GET /api/v1/orders", auth.PermOrdersRead, s.apiOrders)
	m.API("POST /api/v1/orders", auth.PermOrdersCreate, s.apiCreateOrder)
	m.API("GET /api/v1/orders/export", auth.PermOrdersRead, s.exportOrders)
	m.API("GET /api/v1/orders/{id}", auth.PermOrdersRead, s.apiOrder)
	m.API("POST /api/v1/orders/{id}/actions", auth.PermOrdersAct, s.apiOrderAction)
	m.API("POST /api/v1/uploads", auth.PermOrdersCreate, s.apiUpload)
	m.API("GET /api/v1/notifications", kit.SignedIn, s.apiNotifications)
	m.API("POST /api/v1/notifications/read", kit.SignedIn, s.apiNotificationsRead)
	// Photos check their reader themselves: staff of the town, or a signed link (privacy).
	m.Handle("GET /uploads/{id}", kit.OwnCheck, http.HandlerFunc(s.servePhoto))
	m.Handle("GET /uploads/{id}/thumb", kit.OwnCheck, http.HandlerFunc(s.servePhoto))

	m.Page("GET /orders", auth.PermOrdersRead, s.ordersPage)
	m.Page("GET /orders/export", auth.PermOrdersRead, s.exportOrders)
	m.Page("GET /orders/new", auth.PermOrdersCreate, s.newOrderPage)
	m.Page("POST /orders", auth.PermOrdersCreate, s.newOrderSubmit)
	m.Page("GET /orders/{id}", auth.PermOrdersRead, s.orderPage)
	m.Page("POST /orders/{id}/act", auth.PermOrdersAct, s.orderActSubmit)
	m.Page("GET /notifications", kit.SignedIn, s.notificationsPage)
	m.Page("POST /notifications/read", kit.SignedIn, s.notificationsRead)

	// Residents have their own pages of their reports (web/intake: /my/reports).
	m.Nav(kit.NavEntry{Href: "/orders", Key: "orders", Group: "nav work", Order: 10, Show: func(u auth.User) bool {
		return u.Can(auth.PermOrdersRead) && u.Role != auth.RoleResident
	}})
	return nil
}
