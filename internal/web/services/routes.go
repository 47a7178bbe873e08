// Package services is the web face of the service catalogue (服务清单, internal/services): the
// public catalogue (/portal/services, browse by aspect and category, an item's page), requesting
// an item (residents and merchants for themselves, grid staff for a resident, 代办), following a
// request (timeline, deadline) and confirming and rating it, the provider departments' and the
// operations centre's queue with overdue marking, and the catalogue editor with xlsx import and
// export.
package services

import (
	"embed"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

//go:embed templates static
var files embed.FS

type handlers struct{ *kit.Kit }

// Mount registers the service catalogue's routes, pages and entries.
func Mount(m *kit.Mount) error {
	if err := m.Files(files); err != nil {
		return err
	}
	(&handlers{m.Kit()}).routes(m)
	return nil
}

// routes: who may do what. Anyone (under the public rate limit) reads the catalogue and an item;
// requesting, confirming, sending back, rating and cancelling need services:request (and being
// the requester: the lifecycle table); accepting, refusing and delivering need services:handle
// (a handler only for the items its department provides); the lists need services:read and show
// one's own, the department's or the town's requests by role; the editor needs services:edit.
func (s *handlers) routes(m *kit.Mount) {
	m.API("GET /api/v1/services/catalogue", kit.Public, s.apiCatalogue)
	m.API("GET /api/v1/services/items/{id}", kit.Public, s.apiItem)
	m.API("POST /api/v1/services/items", auth.PermServicesEdit, s.apiSaveItem)
	m.API("POST /api/v1/services/import", auth.PermServicesEdit, s.apiImport)
	m.API("GET /api/v1/services/export", auth.PermServicesEdit, s.apiExport)
	m.API("POST /api/v1/services/requests", auth.PermServicesRequest, s.apiCreate)
	m.API("GET /api/v1/services/requests", auth.PermServicesRead, s.apiList)
	m.API("GET /api/v1/services/requests/{id}", auth.PermServicesRead, s.apiRequest)
	m.API("POST /api/v1/services/requests/{id}/handle", auth.PermServicesHandle, s.apiHandle)
	m.API("POST /api/v1/services/requests/{id}/respond", auth.PermServicesRequest, s.apiRespond)

	m.Page("GET /portal/services", kit.Public, s.cataloguePage)
	m.Page("GET /portal/services/{id}", kit.Public, s.itemPage)
	m.Page("POST /services/items/{id}/request", auth.PermServicesRequest, s.requestSubmit)
	m.Page("GET /services/requests", auth.PermServicesRead, s.listPage)
	m.Page("GET /services/requests/{id}", auth.PermServicesRead, s.requestPage)
	m.Page("POST /services/requests/{id}/handle", auth.PermServicesHandle, s.handleSubmit)
	m.Page("POST /services/requests/{id}/respond", auth.PermServicesRequest, s.respondSubmit)
	m.Page("GET /services/admin", auth.PermServicesEdit, s.adminPage)
	m.Page("GET /services/admin/items/{code}", auth.PermServicesEdit, s.editPage)
	m.Page("POST /services/admin/items", auth.PermServicesEdit, s.editSubmit)
	m.Page("POST /services/admin/import", auth.PermServicesEdit, s.importSubmit)
	m.Page("GET /services/admin/export", auth.PermServicesEdit, s.exportFile)

	m.Portal(kit.PortalEntry{Key: "services", Order: 50, Href: "/portal/services", Title: "sv.portal entry", Text: "sv.portal entry text", Icon: "services", Summary: s.portalSummary})
	m.Nav(kit.NavEntry{Href: "/portal/services", Key: "sv.nav", Group: "nav services", Order: 62, Show: kit.Can(auth.PermServicesRequest)})
	m.Nav(kit.NavEntry{Href: "/services/requests", Key: "sv.nav queue", Group: "nav services", Order: 63, Show: kit.Can(auth.PermServicesHandle)})
	m.Home(kit.HomeEntry{Href: "/services/requests", Title: "sv.queue", Text: "sv.home queue", Order: 62, Show: kit.Can(auth.PermServicesHandle)})
	m.Home(kit.HomeEntry{Href: "/services/admin", Title: "sv.admin", Text: "sv.home admin", Order: 63, Show: kit.Can(auth.PermServicesEdit)})
}
