package dispatch

import (
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// MaxBookUpload bounds an uploaded address-book file (the shell's body limit for its route).
const MaxBookUpload = dispatch.MaxBookBytes

// mountAddresses registers the address book's page: what the book holds per grid, read by whoever
// reads dispatch rules; an xlsx/CSV import by whoever edits them (issue #12 item 1).
func mountAddresses(m *kit.Mount, s *handlers) {
	m.Page("GET /admin/addresses", auth.PermDispatchRead, s.addressesPage)
	m.Page("POST /admin/addresses", auth.PermDispatchWrite, s.addressesUpload)
	m.Home(kit.HomeEntry{Href: "/admin/addresses", Title: "dispatch.addr.title", Text: "dispatch.addr.home", Order: 54, Show: kit.Can(auth.PermDispatchWrite)})
}
