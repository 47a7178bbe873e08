package dispatch

import (
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// MaxTreeUpload bounds an uploaded category tree file (the shell's body limit for its route).
const MaxTreeUpload = dispatch.MaxTreeFileBytes

// mountCategories registers the category tree's routes: the tree and its versions, read by
// whoever reads dispatch rules, published and deleted by whoever edits them.
func mountCategories(m *kit.Mount, s *handlers) {
	m.API("GET /api/v1/dispatch/categories", auth.PermDispatchRead, s.apiCategoryTree)
	m.API("GET /api/v1/dispatch/categories/versions", auth.PermDispatchRead, s.apiCategoryVersions)
	m.API("POST /api/v1/dispatch/categories/versions", auth.PermDispatchWrite, s.apiPublishCategories)
	m.API("DELETE /api/v1/dispatch/categories/versions/{version}", auth.PermDispatchWrite, s.apiDeleteCategoryVersion)

	m.Page("GET /admin/categories", auth.PermDispatchRead, s.categoriesPage)
	m.Page("GET /admin/categories/tree.xlsx", auth.PermDispatchRead, s.categoriesXLSX)
	m.Page("POST /admin/categories", auth.PermDispatchWrite, s.categoriesUpload)
	m.Page("POST /admin/categories/versions/{version}/delete", auth.PermDispatchWrite, s.categoriesDeleteVersion)

	m.Nav(kit.NavEntry{Href: "/admin/categories", Key: "dispatch.cat.nav", Group: "nav admin", Order: 56, Show: kit.Can(auth.PermDispatchWrite)})
	m.Home(kit.HomeEntry{Href: "/admin/categories", Title: "dispatch.cat.title", Text: "dispatch.cat.home", Order: 53, Show: kit.Can(auth.PermDispatchRead)})
}
