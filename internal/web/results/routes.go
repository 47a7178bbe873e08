// Package results is the web face of tracked livelihood-project results (internal/results): the
// staff pages and API (year list, result page, bulk update, the congress report, inspections),
// the public portal (/portal/results) and its JSON, and the anonymous rating.
package results

import (
	"embed"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/results"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

//go:embed templates static
var files embed.FS

// handlers serve the routes of this package over the shared kit.
type handlers struct{ *kit.Kit }

func (s *handlers) svc() *results.Service {
	svc := results.New(s.DB)
	svc.Now, svc.Calendar = s.Orders.Now, s.Orders.Cal
	return svc
}

// Mount registers the results routes, pages and entries.
//
// Who may do what (docs/RESULTS.md): staff and deputies see results (results:read); progress,
// status, timeline and milestone days need results:update — a department handler only for their
// department's results and their parts, checked by the service —; creating, editing, deleting,
// rating windows and the evaluation need results:manage (admin, dispatcher); deputies inspect
// (results:inspect); staff and deputies comment (results:comment); residents and deputies rate
// (results:rate). The portal and its JSON are public, under the shell's public rate limit.
func Mount(m *kit.Mount) error {
	if err := m.Files(files); err != nil {
		return err
	}
	s := &handlers{m.Kit()}

	m.API("GET /api/v1/results", auth.PermResultsRead, s.apiYear)
	m.API("POST /api/v1/results", auth.PermResultsManage, s.apiCreate)
	m.API("GET /api/v1/results/overdue", auth.PermResultsRead, s.apiOverdue)
	m.API("GET /api/v1/results/report", auth.PermResultsRead, s.apiReport)
	m.API("GET /api/v1/results/template", auth.PermResultsUpdate, s.apiTemplate)
	m.API("POST /api/v1/results/import", auth.PermResultsUpdate, s.apiImport)
	m.API("POST /api/v1/results/evaluate", auth.PermResultsManage, s.apiEvaluate)
	m.API("GET /api/v1/results/statuses", auth.PermResultsRead, s.apiStatuses)
	m.API("PUT /api/v1/results/statuses", auth.PermResultsManage, s.apiSetStatuses)
	m.API("GET /api/v1/results/{id}", auth.PermResultsRead, s.apiResult)
	m.API("PUT /api/v1/results/{id}", auth.PermResultsManage, s.apiUpdate)
	m.API("DELETE /api/v1/results/{id}", auth.PermResultsManage, s.apiDelete)
	m.API("POST /api/v1/results/{id}/progress", auth.PermResultsUpdate, s.apiProgress)
	m.API("POST /api/v1/results/{id}/milestones", auth.PermResultsUpdate, s.apiAddMilestone)
	m.API("PATCH /api/v1/results/milestones/{mid}", auth.PermResultsUpdate, s.apiSetMilestone)
	m.API("DELETE /api/v1/results/milestones/{mid}", auth.PermResultsManage, s.apiDeleteMilestone)
	m.API("POST /api/v1/results/{id}/inspections", auth.PermResultsInspect, s.apiInspect)
	m.API("POST /api/v1/results/{id}/comments", auth.PermResultsComment, s.apiComment)
	m.API("POST /api/v1/results/{id}/rating", auth.PermResultsRate, s.apiRate)

	m.API("GET /api/v1/public/results", kit.Public, s.apiPublicYear)
	m.API("GET /api/v1/public/results/{id}", kit.Public, s.apiPublicResult)

	m.Page("GET /results", auth.PermResultsRead, s.yearPage)
	m.Page("POST /results", auth.PermResultsManage, s.createSubmit)
	m.Page("POST /results/evaluate", auth.PermResultsManage, s.evaluateSubmit)
	m.Page("GET /results/bulk", auth.PermResultsUpdate, s.bulkPage)
	m.Page("GET /results/bulk/template", auth.PermResultsUpdate, s.bulkTemplate)
	m.Page("POST /results/bulk", auth.PermResultsUpdate, s.bulkUpload)
	m.Page("POST /results/bulk/apply", auth.PermResultsUpdate, s.bulkApply)
	m.Page("GET /results/report", auth.PermResultsRead, s.reportPage)
	m.Page("GET /results/{id}", auth.PermResultsRead, s.resultPage)
	m.Page("POST /results/{id}/edit", auth.PermResultsManage, s.editSubmit)
	m.Page("POST /results/{id}/progress", auth.PermResultsUpdate, s.progressSubmit)
	m.Page("POST /results/{id}/milestones", auth.PermResultsUpdate, s.milestoneSubmit)
	m.Page("POST /results/{id}/milestones/{mid}", auth.PermResultsUpdate, s.milestoneDoneSubmit)
	m.Page("POST /results/{id}/inspections", auth.PermResultsInspect, s.inspectSubmit)
	m.Page("POST /results/{id}/comments", auth.PermResultsComment, s.commentSubmit)

	m.Page("GET /portal/results", kit.Public, s.portalPage)
	m.Page("GET /portal/results/{id}", kit.Public, s.portalResultPage)
	m.Page("POST /portal/results/{id}/rate", auth.PermResultsRate, s.rateSubmit)

	m.Portal(kit.PortalEntry{Key: "results", Order: 35, Href: "/portal/results", Title: "rs.portal entry", Text: "rs.portal entry text", Icon: "progress", Summary: s.portalSummary})
	m.Nav(kit.NavEntry{Href: "/results", Key: "rs.nav", Group: "nav people", Order: 35, Show: kit.Can(auth.PermResultsRead)})
	m.Nav(kit.NavEntry{Href: "/portal/results", Key: "rs.portal nav", Group: "nav people", Order: 36, Show: func(u auth.User) bool { return u.Role == auth.RoleResident }})
	m.Home(kit.HomeEntry{Href: "/results", Title: "rs.nav", Text: "rs.home text", Order: 35,
		Show: kit.CanAs(auth.PermResultsRead, auth.RoleDispatcher, auth.RoleAdmin, auth.RoleLeader)})
	m.Home(kit.HomeEntry{Href: "/results", Order: 5, Show: kit.CanAs(auth.PermResultsRead, auth.RoleHandler, auth.RoleDeputy), Panel: s.homePanel})
	m.Home(kit.HomeEntry{Href: "/portal/results", Title: "rs.portal nav", Text: "rs.portal home", Order: 40,
		Show: kit.CanAs(auth.PermResultsRate, auth.RoleResident)})
	return nil
}
