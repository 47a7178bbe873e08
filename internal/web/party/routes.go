// Package party is the web face of party building and new-sector coverage (internal/party,
// docs/PARTY.md): the organisation tree and rosters, the regional council with its convener,
// meetings, resolutions and their review, co-building agreements, needs and resources matched
// into projects, the practice network map, and the coverage map, table, gaps and trend.
package party

import (
	"embed"
	"html/template"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/party"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

//go:embed templates static
var files embed.FS

//go:embed panels
var panelFiles embed.FS

// handlers serve the routes of this package over the shared kit.
type handlers struct {
	*kit.Kit
	panels *template.Template
}

func (s *handlers) service() *party.Service {
	p := party.New(s.DB)
	if s.Orders != nil && s.Orders.Now != nil {
		p.Now = s.Orders.Now
	}
	return p
}

// Mount registers the party-building and coverage routes, pages and entries.
//
// Who may do what (docs/PARTY.md): party:read sees the tree, the council, the agreements, the
// matching and the network (rosters masked); party:roster sees rosters whole, each response
// audited, and imports them (xlsx, all or nothing); party:manage records meetings, resolutions,
// reviews, handovers, agreements, needs, resources and matches, and adds and edits organisations
// and network sites (the council's secretary: administrators and dispatchers); coverage:read
// sees the coverage, coverage:write lists entities and their activities.
func Mount(m *kit.Mount) error {
	if err := m.Files(files); err != nil {
		return err
	}
	panels, err := template.New("panels").Funcs(template.FuncMap{"T": func(string) string { return "" }}).ParseFS(panelFiles, "panels/*.html")
	if err != nil {
		return err
	}
	s := &handlers{Kit: m.Kit(), panels: panels}

	m.API("GET /api/v1/party/orgs", auth.PermPartyRead, s.apiTree)
	m.API("POST /api/v1/party/orgs", auth.PermPartyManage, s.apiCreateOrg)
	m.API("GET /api/v1/party/orgs/{id}", auth.PermPartyRead, s.apiOrg)
	m.API("PUT /api/v1/party/orgs/{id}", auth.PermPartyManage, s.apiUpdateOrg)
	m.API("POST /api/v1/party/orgs/{id}/members", auth.PermPartyManage, s.apiAddMember)
	m.API("GET /api/v1/party/councils", auth.PermPartyRead, s.apiCouncils)
	m.API("GET /api/v1/party/councils/{id}", auth.PermPartyRead, s.apiCouncil)
	m.API("POST /api/v1/party/councils/{id}/meetings", auth.PermPartyManage, s.apiRecordMeeting)
	m.API("POST /api/v1/party/councils/{id}/handover", auth.PermPartyManage, s.apiHandOver)
	m.API("GET /api/v1/party/meetings/{id}", auth.PermPartyRead, s.apiMeeting)
	m.API("POST /api/v1/party/meetings/{id}/resolutions", auth.PermPartyManage, s.apiAddResolution)
	m.API("GET /api/v1/party/tasks", auth.PermPartyRead, s.apiTasks)
	m.API("POST /api/v1/party/tasks/{id}/reviews", auth.PermPartyManage, s.apiReviewTask)
	m.API("GET /api/v1/party/agreements", auth.PermPartyRead, s.apiAgreements)
	m.API("POST /api/v1/party/agreements", auth.PermPartyManage, s.apiCreateAgreement)
	m.API("GET /api/v1/party/market", auth.PermPartyRead, s.apiMarket)
	m.API("POST /api/v1/party/needs", auth.PermPartyManage, s.apiAddNeed)
	m.API("POST /api/v1/party/resources", auth.PermPartyManage, s.apiAddResource)
	m.API("POST /api/v1/party/matches", auth.PermPartyManage, s.apiMatch)
	m.API("GET /api/v1/party/network", auth.PermPartyRead, s.apiNetwork)
	m.API("POST /api/v1/party/network", auth.PermPartyManage, s.apiAddSite)
	m.API("PUT /api/v1/party/network/{id}", auth.PermPartyManage, s.apiUpdateSite)
	m.API("GET /api/v1/coverage", auth.PermCoverageRead, s.apiCoverage)
	m.API("POST /api/v1/coverage/entities", auth.PermCoverageWrite, s.apiAddEntity)
	m.API("POST /api/v1/coverage/entities/{id}/activities", auth.PermCoverageWrite, s.apiAddActivity)

	m.Page("GET /party", auth.PermPartyRead, s.treePage)
	m.Page("GET /party/orgs/new", auth.PermPartyManage, s.newOrgPage)
	m.Page("POST /party/orgs", auth.PermPartyManage, s.createOrgSubmit)
	m.Page("GET /party/orgs/{id}", auth.PermPartyRead, s.orgPage)
	m.Page("GET /party/orgs/{id}/edit", auth.PermPartyManage, s.editOrgPage)
	m.Page("POST /party/orgs/{id}", auth.PermPartyManage, s.updateOrgSubmit)
	m.Page("GET /party/roster", auth.PermPartyRoster, s.rosterPage)
	m.Page("POST /party/roster", auth.PermPartyRoster, s.rosterSubmit)
	m.Page("GET /party/roster.xlsx", auth.PermPartyRead, s.rosterExport)
	m.Page("GET /party/councils", auth.PermPartyRead, s.councilsPage)
	m.Page("GET /party/councils/{id}", auth.PermPartyRead, s.councilPage)
	m.Page("POST /party/councils/{id}/meetings", auth.PermPartyManage, s.meetingSubmit)
	m.Page("POST /party/councils/{id}/handover", auth.PermPartyManage, s.handOverSubmit)
	m.Page("GET /party/meetings/{id}", auth.PermPartyRead, s.meetingPage)
	m.Page("POST /party/meetings/{id}/resolutions", auth.PermPartyManage, s.resolutionSubmit)
	m.Page("POST /party/meetings/{id}/reviews", auth.PermPartyManage, s.reviewSubmit)
	m.Page("GET /party/agreements", auth.PermPartyRead, s.agreementsPage)
	m.Page("POST /party/agreements", auth.PermPartyManage, s.agreementSubmit)
	m.Page("POST /party/needs", auth.PermPartyManage, s.needSubmit)
	m.Page("POST /party/resources", auth.PermPartyManage, s.resourceSubmit)
	m.Page("GET /party/matching", auth.PermPartyRead, s.matchingPage)
	m.Page("POST /party/matching", auth.PermPartyManage, s.matchSubmit)
	m.Page("GET /party/network", auth.PermPartyRead, s.networkPage)
	m.Page("GET /party/network/new", auth.PermPartyManage, s.newSitePage)
	m.Page("POST /party/network", auth.PermPartyManage, s.createSiteSubmit)
	m.Page("GET /party/network/{id}/edit", auth.PermPartyManage, s.editSitePage)
	m.Page("POST /party/network/{id}", auth.PermPartyManage, s.updateSiteSubmit)
	m.Page("GET /coverage", auth.PermCoverageRead, s.coveragePage)
	m.Page("GET /portal/network", kit.Public, s.portalNetworkPage)

	m.Portal(kit.PortalEntry{Key: "network", Order: 80, Href: "/portal/network", Title: "pt.portal entry", Text: "pt.portal entry text", Icon: "network", Summary: s.portalSummary})
	m.Nav(kit.NavEntry{Href: "/party", Key: "pt.nav", Group: "nav party", Order: 40, Show: kit.Can(auth.PermPartyRead)})
	m.Nav(kit.NavEntry{Href: "/coverage", Key: "pt.coverage nav", Group: "nav party", Order: 41, Show: kit.Can(auth.PermCoverageRead)})
	m.Home(kit.HomeEntry{Href: "/party/councils", Title: "pt.home council", Text: "pt.home council text", Order: 40,
		Show: kit.CanAs(auth.PermPartyManage, auth.RoleAdmin, auth.RoleDispatcher)})
	m.Home(kit.HomeEntry{Href: "/coverage", Title: "pt.coverage nav", Text: "pt.home coverage text", Order: 41,
		Show: kit.CanAs(auth.PermCoverageRead, auth.RoleAdmin, auth.RoleDispatcher, auth.RoleGridLeader)})
	m.Home(kit.HomeEntry{Order: 8, Show: kit.CanAs(auth.PermCoverageRead, auth.RoleLeader), Panel: s.homePanel})
	return nil
}
