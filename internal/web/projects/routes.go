// Package projects is the web face of livelihood projects up to the deputies' vote
// (internal/projects, docs/PROJECTS.md): proposals with their map, supports, answers, merges and
// appraisals; candidate lists, voting bodies and ballot sessions; the deputies' phone ballot; and
// the public portal of proposals and results.
package projects

import (
	"embed"
	"net/http"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/projects"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

//go:embed templates static
var files embed.FS

// handlers serve the routes of this package over the shared kit.
type handlers struct{ *kit.Kit }

// Mount registers the project routes, pages and entries.
//
// Who may do what: projects:read sees proposals (authors masked by privacy.Proposals), lists,
// sessions, counts and the anonymous ballots, and may recount; projects:propose proposes and
// supports (residents, grid staff, deputies, departments); projects:manage answers, merges, forms
// lists, sets up bodies and sessions, records attendance and tellers, enters paper ballots, opens,
// closes, counts and publishes; projects:appraise records a department's appraisal; projects:vote
// casts a member's electronic ballot. The portal (/portal/projects, /api/v1/public/projects…) and
// the proposal form are public, under the shell's public limit; the form also under the public
// forms' flood limit (kit.FloodLimits).
func Mount(m *kit.Mount) error {
	if err := m.Files(files); err != nil {
		return err
	}
	s := &handlers{m.Kit()}
	s.apiRoutes(m)
	s.pageRoutes(m)
	return nil
}

func (s *handlers) apiRoutes(m *kit.Mount) {
	m.API("GET /api/v1/projects/proposals", auth.PermProjectsRead, s.apiProposals)
	m.API("POST /api/v1/projects/proposals", auth.PermProjectsPropose, s.apiPropose)
	m.API("GET /api/v1/projects/proposals/{id}", auth.PermProjectsRead, s.apiProposal)
	m.API("POST /api/v1/projects/proposals/{id}/support", auth.PermProjectsPropose, s.apiSupport)
	m.API("POST /api/v1/projects/proposals/{id}/answer", auth.PermProjectsManage, s.apiAnswer)
	m.API("POST /api/v1/projects/proposals/{id}/merge", auth.PermProjectsManage, s.apiMerge)
	m.API("POST /api/v1/projects/proposals/{id}/appraisal", auth.PermProjectsAppraise, s.apiAppraise)
	m.API("GET /api/v1/projects/lists", auth.PermProjectsRead, s.apiLists)
	m.API("POST /api/v1/projects/lists", auth.PermProjectsManage, s.apiCreateList)
	m.API("GET /api/v1/projects/lists/{id}", auth.PermProjectsRead, s.apiList)
	m.API("POST /api/v1/projects/lists/{id}/candidates", auth.PermProjectsManage, s.apiSetCandidate)
	m.API("DELETE /api/v1/projects/lists/{id}/candidates/{pid}", auth.PermProjectsManage, s.apiRemoveCandidate)
	m.API("GET /api/v1/projects/bodies", auth.PermProjectsRead, s.apiBodies)
	m.API("POST /api/v1/projects/bodies", auth.PermProjectsManage, s.apiCreateBody)
	m.API("POST /api/v1/projects/bodies/{id}/members", auth.PermProjectsManage, s.apiAddMembers)
	m.API("GET /api/v1/projects/sessions", auth.PermProjectsRead, s.apiSessions)
	m.API("POST /api/v1/projects/sessions", auth.PermProjectsManage, s.apiCreateSession)
	m.API("GET /api/v1/projects/sessions/{id}", auth.PermProjectsRead, s.apiSession)
	m.API("POST /api/v1/projects/sessions/{id}/tellers", auth.PermProjectsManage, s.apiTellers)
	m.API("POST /api/v1/projects/sessions/{id}/present", auth.PermProjectsManage, s.apiPresent)
	m.API("POST /api/v1/projects/sessions/{id}/open", auth.PermProjectsManage, s.apiOpen)
	m.API("POST /api/v1/projects/sessions/{id}/rounds/{round}/counts", auth.PermProjectsManage, s.apiCounts)
	m.API("GET /api/v1/projects/sessions/{id}/rounds/{round}/ballots", auth.PermProjectsRead, s.apiBallots)
	m.API("POST /api/v1/projects/sessions/{id}/rounds/{round}/ballots", auth.PermProjectsManage, s.apiEnterBallot)
	m.API("POST /api/v1/projects/sessions/{id}/rounds/{round}/vote", auth.PermProjectsVote, s.apiVote)
	m.API("POST /api/v1/projects/sessions/{id}/rounds/{round}/close", auth.PermProjectsManage, s.apiClose)
	m.API("POST /api/v1/projects/sessions/{id}/rounds/{round}/count", auth.PermProjectsManage, s.apiCount)
	m.API("POST /api/v1/projects/sessions/{id}/publish", auth.PermProjectsManage, s.apiPublish)
	m.API("GET /api/v1/projects/sessions/{id}/recount", auth.PermProjectsRead, s.apiRecount)

	m.API("GET /api/v1/public/projects", kit.Public, s.apiPublicResults)
	m.API("GET /api/v1/public/projects/{year}", kit.Public, s.apiPublicYear)
	m.API("GET /api/v1/public/projects/proposals", kit.Public, s.apiPublicProposals)
}

func (s *handlers) pageRoutes(m *kit.Mount) {
	m.Page("GET /projects", auth.PermProjectsRead, s.listPage)
	m.Page("GET /projects/proposals/{id}", auth.PermProjectsRead, s.proposalPage)
	m.Page("POST /projects/proposals/{id}/answer", auth.PermProjectsManage, s.answerSubmit)
	m.Page("POST /projects/proposals/{id}/merge", auth.PermProjectsManage, s.mergeSubmit)
	m.Page("POST /projects/proposals/{id}/appraisal", auth.PermProjectsAppraise, s.appraiseSubmit)
	m.Page("POST /projects/proposals/{id}/support", auth.PermProjectsPropose, s.supportSubmit)
	m.Page("GET /projects/candidates", auth.PermProjectsRead, s.candidatesPage)
	m.Page("POST /projects/lists", auth.PermProjectsManage, s.listSubmit)
	m.Page("POST /projects/lists/{id}/candidates", auth.PermProjectsManage, s.candidateSubmit)
	m.Page("POST /projects/lists/{id}/candidates/{pid}/remove", auth.PermProjectsManage, s.candidateRemoveSubmit)
	m.Page("POST /projects/bodies", auth.PermProjectsManage, s.bodySubmit)
	m.Page("POST /projects/sessions", auth.PermProjectsManage, s.sessionSubmit)
	m.Page("GET /projects/sessions/{id}", auth.PermProjectsRead, s.sessionPage)
	m.Page("POST /projects/sessions/{id}/{action}", auth.PermProjectsManage, s.sessionAction)
	m.Page("GET /projects/sessions/{id}/ballots.xlsx", auth.PermProjectsRead, s.ballotsExport)
	m.Page("GET /projects/vote/{id}", auth.PermProjectsVote, s.votePage)
	m.Page("POST /projects/vote/{id}", auth.PermProjectsVote, s.voteSubmit)
	m.Page("GET /my/proposals", auth.PermProjectsPropose, s.myPage)

	m.Page("GET /portal/projects", kit.Public, s.portalPage)
	m.Page("GET /portal/projects/{year}", kit.Public, s.portalYearPage)
	m.Page("GET /portal/projects/propose", kit.Public, s.proposePage)
	m.Page("POST /portal/projects/propose", kit.Public, s.proposeSubmit)
	m.Page("GET /portal/projects/proposals/{id}", kit.Public, s.portalProposalPage)

	m.Nav(kit.NavEntry{Href: "/projects", Key: "pj.nav", Group: "nav people", Order: 34, Show: kit.Can(auth.PermProjectsRead)})
	m.Nav(kit.NavEntry{Href: "/my/proposals", Key: "pj.my", Group: "nav people", Order: 41, Show: kit.CanAs(auth.PermProjectsPropose, auth.RoleResident)})
	m.Home(kit.HomeEntry{Href: "/projects", Title: "pj.nav", Text: "pj.home text", Order: 40,
		Show: kit.CanAs(auth.PermProjectsRead, auth.RoleDispatcher, auth.RoleAdmin, auth.RoleLeader, auth.RoleHandler)})
	m.Home(kit.HomeEntry{Href: "/portal/projects/propose", Title: "pj.propose", Text: "pj.home propose", Order: 40,
		Show: kit.CanAs(auth.PermProjectsPropose, auth.RoleResident, auth.RoleGridWorker, auth.RoleGridLeader)})
	m.Home(kit.HomeEntry{Order: 5, Show: kit.CanAs(auth.PermProjectsVote, auth.RoleDeputy), Panel: s.deputyPanel})
	m.Home(kit.HomeEntry{Href: "/projects", Title: "pj.nav", Text: "pj.home deputy", Order: 41, Show: kit.CanAs(auth.PermProjectsRead, auth.RoleDeputy)})
	m.Portal(kit.PortalEntry{Key: "projects", Order: 30, Href: "/portal/projects", Title: "pj.portal entry", Text: "pj.portal entry text", Icon: "projects", Summary: s.portalSummary})
}

// service is the project service on the server's database and locators.
func (s *handlers) service() *projects.Service {
	return &projects.Service{DB: s.DB, Locator: s.Locators.Get, Now: s.Orders.Now}
}

// noStore marks a response that must not be cached (ballot pages).
func noStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }
