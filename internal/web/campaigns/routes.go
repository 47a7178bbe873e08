// Package campaigns is the web face of door-to-door visit campaigns (走访, internal/campaigns):
// the campaign API and pages, their targets, visits and the orders raised from visits.
package campaigns

import (
	"embed"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

//go:embed templates static
var files embed.FS

// handlers serve the routes of this package over the shared kit.
type handlers struct{ *kit.Kit }

// Mount registers the campaign routes, pages and entries.
func Mount(m *kit.Mount) error {
	if err := m.Files(files); err != nil {
		return err
	}
	(&handlers{m.Kit()}).campaignRoutes(m)
	return nil
}

// campaignRoutes registers the door-to-door visit campaigns (走访, internal/campaigns).
//
// Who may do what: everyone who sees grids (grids:read) sees the campaigns and their progress;
// planning — creating, editing and deleting campaigns and adding targets — needs campaigns:plan
// (administrators and the operations centre's dispatchers), checked here, again by the
// service, and used by the pages to show the planning forms (campaigns.MayPlan); a campaign is
// deleted only while it has no visits. Logging visits and turning findings into orders needs
// orders:create and, in the handlers, a place on the campaign's team or the grid-staff role of
// its town.
func (s *handlers) campaignRoutes(m *kit.Mount) {
	m.API("GET /api/v1/campaigns", auth.PermGridsRead, s.apiCampaigns)
	m.API("POST /api/v1/campaigns", auth.PermCampaignsPlan, s.apiCreateCampaign)
	m.API("GET /api/v1/campaigns/{id}", auth.PermGridsRead, s.apiCampaign)
	m.API("PUT /api/v1/campaigns/{id}", auth.PermCampaignsPlan, s.apiUpdateCampaign)
	m.API("DELETE /api/v1/campaigns/{id}", auth.PermCampaignsPlan, s.apiDeleteCampaign)
	m.API("GET /api/v1/campaigns/{id}/progress", auth.PermGridsRead, s.apiCampaignProgress)
	m.API("GET /api/v1/campaigns/{id}/targets", auth.PermGridsRead, s.apiCampaignTargets)
	m.API("POST /api/v1/campaigns/{id}/targets", auth.PermCampaignsPlan, s.apiAddCampaignTargets)
	m.API("GET /api/v1/campaigns/{id}/targets/{tid}", auth.PermGridsRead, s.apiCampaignTarget)
	m.API("POST /api/v1/campaigns/{id}/targets/{tid}/visits", auth.PermOrdersCreate, s.apiLogVisit)
	m.API("GET /api/v1/campaigns/{id}/visits", auth.PermGridsRead, s.apiCampaignVisits)
	m.API("POST /api/v1/visits/{id}/order", auth.PermOrdersCreate, s.apiOrderFromVisit)

	m.Page("GET /campaigns", auth.PermGridsRead, s.campaignsPage)
	m.Page("POST /campaigns", auth.PermCampaignsPlan, s.campaignSubmit)
	m.Page("GET /campaigns/{id}", auth.PermGridsRead, s.campaignPage)
	m.Page("POST /campaigns/{id}/edit", auth.PermCampaignsPlan, s.campaignEditSubmit)
	m.Page("POST /campaigns/{id}/delete", auth.PermCampaignsPlan, s.campaignDeleteSubmit)
	m.Page("POST /campaigns/{id}/targets", auth.PermCampaignsPlan, s.campaignTargetSubmit)
	m.Page("GET /campaigns/{id}/targets/{tid}", auth.PermGridsRead, s.campaignTargetPage)
	m.Page("POST /campaigns/{id}/targets/{tid}/visits", auth.PermOrdersCreate, s.campaignVisitSubmit)
	m.Page("POST /campaigns/{id}/visits/{vid}/order", auth.PermOrdersCreate, s.campaignVisitOrderSubmit)

	m.Nav(kit.NavEntry{Href: "/campaigns", Key: "cp.campaigns", Group: "nav work", Order: 30, Show: kit.Can(auth.PermGridsRead)})
	m.Home(kit.HomeEntry{Href: "/campaigns", Title: "cp.campaigns", Text: "cp.home text", Order: 30,
		Show: kit.CanAs(auth.PermGridsRead, auth.RoleGridWorker, auth.RoleGridLeader, auth.RoleDispatcher, auth.RoleAdmin, auth.RoleLeader)})
}
