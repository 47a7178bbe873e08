// Package consult is the web face of consultations (协商于民, 意见征询; internal/consult): the staff's
// list, map, questionnaire editor, results with charts, decision and export; the paper-entry
// form of grid staff (offline-tolerant); and the public portal where residents answer and read
// results and decisions.
package consult

import (
	"embed"
	"html/template"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/consult"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

//go:embed templates static
var files embed.FS

//go:embed panels/*.html
var panelFS embed.FS

// handlers serve the routes of this package over the shared kit.
type handlers struct {
	*kit.Kit
	panels *template.Template
}

// Mount registers the consultation routes, pages and entries.
//
// Who may do what: consult:read (staff, leaders, deputies) sees every consultation of their
// towns with its tallies; consult:manage (administrators, the operations centre's dispatchers and
// leaders, who run them for the street-governance committee and the 协商于民 workstation) creates,
// edits, opens, closes, decides, links and exports; consult:enter (grid staff, a committee's
// handlers) enters paper answers; consult:answer (residents) answers. The portal is public,
// under the shell's public rate limit; answering there needs a resident's sign-in unless the
// consultation takes anonymous answers. The service checks every rule again.
func Mount(m *kit.Mount) error {
	if err := m.Files(files); err != nil {
		return err
	}
	panels, err := template.New("panels").Funcs(template.FuncMap{"T": func(string) string { return "" }}).ParseFS(panelFS, "panels/*.html")
	if err != nil {
		return err
	}
	s := &handlers{Kit: m.Kit(), panels: panels}

	m.API("GET /api/v1/consultations", auth.PermConsultRead, s.apiList)
	m.API("POST /api/v1/consultations", auth.PermConsultManage, s.apiCreate)
	m.API("GET /api/v1/consultations/{id}", auth.PermConsultRead, s.apiGet)
	m.API("PUT /api/v1/consultations/{id}", auth.PermConsultManage, s.apiUpdate)
	m.API("DELETE /api/v1/consultations/{id}", auth.PermConsultManage, s.apiDelete)
	m.API("POST /api/v1/consultations/{id}/actions/{action}", auth.PermConsultManage, s.apiAct)
	m.API("GET /api/v1/consultations/{id}/results", auth.PermConsultRead, s.apiResults)
	m.API("GET /api/v1/consultations/{id}/texts/{key}", auth.PermConsultRead, s.apiTexts)
	m.API("GET /api/v1/consultations/{id}/export", auth.PermConsultManage, s.export)
	m.API("POST /api/v1/consultations/{id}/links", auth.PermConsultManage, s.apiAddLink)
	m.API("DELETE /api/v1/consultations/{id}/links/{lid}", auth.PermConsultManage, s.apiRemoveLink)
	m.API("POST /api/v1/consultations/{id}/answers", kit.SignedIn, s.apiAnswer)
	m.API("GET /api/v1/consult-bodies", auth.PermConsultRead, s.apiBodies)
	m.API("POST /api/v1/consult-bodies", auth.PermConsultManage, s.apiAddBody)

	m.API("GET /api/v1/public/consultations", kit.Public, s.apiPublicList)
	m.API("GET /api/v1/public/consultations/{id}", kit.Public, s.apiPublicGet)
	m.API("POST /api/v1/public/consultations/{id}/answers", kit.Public, s.apiAnswer)

	m.Page("GET /consultations", auth.PermConsultRead, s.listPage)
	m.Page("POST /consultations", auth.PermConsultManage, s.createSubmit)
	m.Page("POST /consultations/bodies", auth.PermConsultManage, s.bodySubmit)
	m.Page("GET /consultations/{id}", auth.PermConsultRead, s.onePage)
	m.Page("POST /consultations/{id}/edit", auth.PermConsultManage, s.editSubmit)
	m.Page("POST /consultations/{id}/questions", auth.PermConsultManage, s.questionAdd)
	m.Page("POST /consultations/{id}/questions/{key}", auth.PermConsultManage, s.questionSubmit)
	m.Page("POST /consultations/{id}/actions/{action}", auth.PermConsultManage, s.actSubmit)
	m.Page("POST /consultations/{id}/links", auth.PermConsultManage, s.linkSubmit)
	m.Page("POST /consultations/{id}/links/{lid}/delete", auth.PermConsultManage, s.linkDelete)
	m.Page("GET /consultations/{id}/results", auth.PermConsultRead, s.resultsPage)
	m.Page("GET /consultations/{id}/export", auth.PermConsultManage, s.export)
	m.Page("GET /consultations/{id}/enter", auth.PermConsultEnter, s.enterPage)

	m.Page("GET /portal/consultations", kit.Public, s.portalList)
	m.Page("GET /portal/consultations/{id}", kit.Public, s.portalOne)
	m.Page("POST /portal/consultations/{id}", kit.Public, s.portalAnswer)

	m.Portal(kit.PortalEntry{Key: "consult", Order: 40, Href: "/portal/consultations", Title: "cs.portal entry", Text: "cs.portal entry text", Icon: "consult", Summary: s.portalSummary})
	m.Nav(kit.NavEntry{Href: "/consultations", Key: "cs.nav", Group: "nav people", Order: 35, Show: kit.Can(auth.PermConsultRead)})
	m.Nav(kit.NavEntry{Href: "/portal/consultations", Key: "cs.nav", Group: "nav people", Order: 35,
		Show: func(u auth.User) bool { return u.Can(auth.PermConsultAnswer) && !u.Can(auth.PermConsultRead) }})
	m.Home(kit.HomeEntry{Href: "/consultations", Title: "cs.nav", Text: "cs.home text", Order: 35,
		Show: kit.CanAs(auth.PermConsultRead, auth.RoleDispatcher, auth.RoleAdmin, auth.RoleLeader, auth.RoleGridWorker, auth.RoleGridLeader, auth.RoleDeputy)})
	m.Home(kit.HomeEntry{Href: "/portal/consultations", Title: "cs.nav", Order: 5, Show: kit.Can(auth.PermConsultAnswer), Panel: s.residentPanel})
	return nil
}

// service is the consultation service on the server's database and clock.
func (s *handlers) service() *consult.Service {
	return &consult.Service{DB: s.DB, Now: s.Orders.Now}
}
