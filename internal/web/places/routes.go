// Package places is the web face of the town's geography: grids and their members, departments,
// residents' committees, landmarks and the grid map (internal/places).
package places

import (
	"embed"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

//go:embed templates static
var files embed.FS

// handlers serve the routes of this package over the shared kit.
type handlers struct{ *kit.Kit }

// Mount registers the places routes, pages and entries.
func Mount(m *kit.Mount) error {
	if err := m.Files(files); err != nil {
		return err
	}
	s := &handlers{m.Kit()}
	m.API("GET /api/v1/towns", auth.PermTownsRead, s.apiTowns)
	m.API("GET /api/v1/grids", auth.PermGridsRead, s.apiGrids)
	m.API("GET /api/v1/grids/{id}", auth.PermGridsRead, s.apiGrid)
	m.API("POST /api/v1/grids", auth.PermGridsWrite, s.apiSaveGrid)
	m.API("PUT /api/v1/grids/{id}", auth.PermGridsWrite, s.apiSaveGrid)
	m.API("DELETE /api/v1/grids/{id}", auth.PermGridsWrite, s.apiDeleteGrid)
	m.API("POST /api/v1/grids/{id}/members", auth.PermGridsWrite, s.apiAddMember)
	m.API("DELETE /api/v1/grid-members/{id}", auth.PermGridsWrite, s.apiRemoveMember)
	m.API("GET /api/v1/departments", auth.PermDepartmentsRead, s.apiDepartments)
	m.API("POST /api/v1/departments", auth.PermDepartmentsEdit, s.apiSaveDepartment)
	m.API("GET /api/v1/committees", auth.PermGridsRead, s.apiCommittees)
	m.API("GET /api/v1/places", auth.PermGridsRead, s.apiPlaces)
	m.API("GET /api/v1/basemap", kit.SignedIn, s.apiBasemap)

	m.Page("GET /map", auth.PermGridsRead, s.mapPage)
	m.Page("GET /admin/grids", auth.PermGridsRead, s.gridsPage)
	m.Page("GET /admin/grids/{code}", auth.PermGridsRead, s.gridPage)
	m.Page("POST /admin/grids", auth.PermGridsWrite, s.gridSubmit)
	m.Page("POST /admin/grids/{code}/members", auth.PermGridsWrite, s.memberSubmit)
	m.Page("POST /admin/grid-members/{id}/delete", auth.PermGridsWrite, s.memberDelete)
	m.Page("GET /admin/departments", auth.PermDepartmentsRead, s.departmentsPage)
	m.Page("POST /admin/departments", auth.PermDepartmentsEdit, s.departmentSubmit)

	m.Nav(kit.NavEntry{Href: "/map", Key: "map", Group: "nav ops", Order: 40, Show: kit.Can(auth.PermGridsRead)})
	// Volunteers and deputies see the map, not the list of grids and their members.
	m.Nav(kit.NavEntry{Href: "/admin/grids", Key: "grids", Group: "nav admin", Order: 50, Show: func(u auth.User) bool {
		return u.Can(auth.PermGridsRead) && u.Role != auth.RoleVolunteer && u.Role != auth.RoleDeputy
	}})
	m.Nav(kit.NavEntry{Href: "/admin/departments", Key: "departments", Group: "nav admin", Order: 51, Show: kit.Can(auth.PermDepartmentsEdit)})
	m.Home(kit.HomeEntry{Href: "/map", Title: "map", Text: "open map", Order: 50, Show: kit.Can(auth.PermGridsRead)})
	m.Home(kit.HomeEntry{Href: "/admin/grids", Title: "grids", Text: "manage grids", Order: 51, Show: kit.Can(auth.PermGridsWrite)})
	return nil
}
