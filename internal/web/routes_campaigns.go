package web

import "github.com/civicgrid/civicgrid/internal/auth"

// campaignRoutes registers the door-to-door visit campaigns (走访, internal/campaigns).
//
// Who may do what: everyone who sees grids (grids:read) sees the campaigns and their progress;
// planning — creating, editing and deleting campaigns and adding targets — needs grids:write
// (administrators) or the dispatcher role (the operations centre plans the town's visits),
// checked in the handlers by campaigns.MayPlan; a campaign is deleted only while it has no
// visits. Logging visits and turning findings into orders needs orders:create and, in the
// handlers, a place on the campaign's team or the grid-staff role of its town.
func (s *Server) campaignRoutes() {
	s.api("GET /api/v1/campaigns", auth.PermGridsRead, s.apiCampaigns)
	s.api("POST /api/v1/campaigns", auth.PermGridsRead, s.apiCreateCampaign)
	s.api("GET /api/v1/campaigns/{id}", auth.PermGridsRead, s.apiCampaign)
	s.api("PUT /api/v1/campaigns/{id}", auth.PermGridsRead, s.apiUpdateCampaign)
	s.api("DELETE /api/v1/campaigns/{id}", auth.PermGridsRead, s.apiDeleteCampaign)
	s.api("GET /api/v1/campaigns/{id}/progress", auth.PermGridsRead, s.apiCampaignProgress)
	s.api("GET /api/v1/campaigns/{id}/targets", auth.PermGridsRead, s.apiCampaignTargets)
	s.api("POST /api/v1/campaigns/{id}/targets", auth.PermGridsRead, s.apiAddCampaignTargets)
	s.api("GET /api/v1/campaigns/{id}/targets/{tid}", auth.PermGridsRead, s.apiCampaignTarget)
	s.api("POST /api/v1/campaigns/{id}/targets/{tid}/visits", auth.PermOrdersCreate, s.apiLogVisit)
	s.api("GET /api/v1/campaigns/{id}/visits", auth.PermGridsRead, s.apiCampaignVisits)
	s.api("POST /api/v1/visits/{id}/order", auth.PermOrdersCreate, s.apiOrderFromVisit)

	s.page("GET /campaigns", auth.PermGridsRead, s.campaignsPage)
	s.page("POST /campaigns", auth.PermGridsRead, s.campaignSubmit)
	s.page("GET /campaigns/{id}", auth.PermGridsRead, s.campaignPage)
	s.page("POST /campaigns/{id}/edit", auth.PermGridsRead, s.campaignEditSubmit)
	s.page("POST /campaigns/{id}/delete", auth.PermGridsRead, s.campaignDeleteSubmit)
	s.page("POST /campaigns/{id}/targets", auth.PermGridsRead, s.campaignTargetSubmit)
	s.page("GET /campaigns/{id}/targets/{tid}", auth.PermGridsRead, s.campaignTargetPage)
	s.page("POST /campaigns/{id}/targets/{tid}/visits", auth.PermOrdersCreate, s.campaignVisitSubmit)
	s.page("POST /campaigns/{id}/visits/{vid}/order", auth.PermOrdersCreate, s.campaignVisitOrderSubmit)

	s.navExtra = append(s.navExtra, navEntry{href: "/campaigns", key: "cp.campaigns", perm: auth.PermGridsRead})
	s.homeExtra = append(s.homeExtra, homeEntry{href: "/campaigns", title: "cp.campaigns", text: "cp.home text", perm: auth.PermGridsRead,
		roles: []string{auth.RoleGridWorker, auth.RoleGridLeader, auth.RoleDispatcher, auth.RoleAdmin, auth.RoleLeader}})
}
