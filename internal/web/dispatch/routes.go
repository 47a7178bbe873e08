// Package dispatch is the web face of dispatch intelligence (internal/dispatch): the town's
// dispatch rules — who handles which category, in which grid, at which time of day — edited by
// the administrator and read by dispatchers and leaders, with a box that tries a text and a
// place against them and says why.
package dispatch

import (
	"embed"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

//go:embed templates static
var files embed.FS

// handlers serve the routes of this package over the shared kit.
type handlers struct{ *kit.Kit }

// Mount registers the dispatch routes, pages and entries.
func Mount(m *kit.Mount) error {
	if err := m.Files(files); err != nil {
		return err
	}
	s := &handlers{m.Kit()}
	m.API("GET /api/v1/dispatch/rules", auth.PermDispatchRead, s.apiRules)
	m.API("POST /api/v1/dispatch/rules", auth.PermDispatchWrite, s.apiSaveRule)
	m.API("PUT /api/v1/dispatch/rules/{id}", auth.PermDispatchWrite, s.apiSaveRule)
	m.API("DELETE /api/v1/dispatch/rules/{id}", auth.PermDispatchWrite, s.apiDeleteRule)
	m.API("GET /api/v1/dispatch/suggest", auth.PermDispatchRead, s.apiSuggest)

	m.Page("GET /admin/dispatch", auth.PermDispatchRead, s.rulesPage)
	m.Page("POST /admin/dispatch/rules", auth.PermDispatchWrite, s.ruleSubmit)
	m.Page("POST /admin/dispatch/rules/{id}/delete", auth.PermDispatchWrite, s.ruleDelete)

	mountCategories(m, s)
	mountAddresses(m, s)

	m.Nav(kit.NavEntry{Href: "/admin/dispatch", Key: "dispatch.nav", Group: "nav admin", Order: 55, Show: kit.Can(auth.PermDispatchWrite)})
	m.Home(kit.HomeEntry{Href: "/admin/dispatch", Title: "dispatch.title", Text: "dispatch.home", Order: 52, Show: kit.Can(auth.PermDispatchRead)})
	return nil
}
