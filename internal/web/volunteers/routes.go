// Package volunteers is the web face of the volunteer service (志愿服务, internal/volunteers):
// the volunteer's phone pages (home with hours and certificates, activities, sign-up, check-in by
// the lead's rotating code or by location), the lead's phone page (the code, the roster, walk-ins,
// check-outs and adjustments), the staff pages (registrations, projects, activities, certificates,
// statistics and their export) and the public verification of certificates.
package volunteers

import (
	"embed"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/volunteers"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

//go:embed templates static
var files embed.FS

// handlers serve the routes of this package over the shared kit.
type handlers struct{ *kit.Kit }

func (s *handlers) svc() *volunteers.Service {
	return &volunteers.Service{DB: s.DB, Now: s.Orders.Now}
}

// Mount registers the volunteer routes, pages and entries.
//
// Who may do what (docs/VOLUNTEERS.md): volunteers:read sees projects and activities;
// volunteers:register registers, signs up, cancels and checks in; volunteers:lead opens the lead's
// page of the activities the caller leads (checked per activity: the activity's lead, or staff
// with volunteers:manage); volunteers:manage approves registrations, plans projects and
// activities, issues certificates and exports statistics. Verifying a certificate is public.
func Mount(m *kit.Mount) error {
	if err := m.Files(files); err != nil {
		return err
	}
	s := &handlers{m.Kit()}

	m.API("GET /api/v1/volunteers/projects", auth.PermVolunteersRead, s.apiProjects)
	m.API("POST /api/v1/volunteers/projects", auth.PermVolunteersManage, s.apiCreateProject)
	m.API("GET /api/v1/volunteers", auth.PermVolunteersManage, s.apiVolunteers)
	m.API("POST /api/v1/volunteers", auth.PermVolunteersRegister, s.apiRegister)
	m.API("GET /api/v1/volunteers/me", auth.PermVolunteersRegister, s.apiMe)
	m.API("GET /api/v1/volunteers/stats", auth.PermVolunteersManage, s.apiStats)
	m.API("GET /api/v1/volunteers/{id}", auth.PermVolunteersManage, s.apiVolunteer)
	m.API("POST /api/v1/volunteers/{id}/decision", auth.PermVolunteersManage, s.apiDecide)
	m.API("POST /api/v1/volunteers/{id}/records", auth.PermVolunteersManage, s.apiAddRecord)
	m.API("GET /api/v1/volunteer-activities", auth.PermVolunteersRead, s.apiActivities)
	m.API("POST /api/v1/volunteer-activities", auth.PermVolunteersManage, s.apiCreateActivity)
	m.API("GET /api/v1/volunteer-activities/{id}", auth.PermVolunteersRead, s.apiActivity)
	m.API("PUT /api/v1/volunteer-activities/{id}", auth.PermVolunteersLead, s.apiEditActivity)
	m.API("POST /api/v1/volunteer-activities/{id}/cancel", auth.PermVolunteersLead, s.apiCancelActivity)
	m.API("POST /api/v1/volunteer-activities/{id}/signup", auth.PermVolunteersRegister, s.apiSignUp)
	m.API("DELETE /api/v1/volunteer-activities/{id}/signup", auth.PermVolunteersRegister, s.ownSignUp((*volunteers.Service).CancelSignUp))
	m.API("POST /api/v1/volunteer-activities/{id}/signup/confirm", auth.PermVolunteersRegister, s.ownSignUp((*volunteers.Service).ConfirmSignUp))
	m.API("POST /api/v1/volunteer-activities/{id}/scan", auth.PermVolunteersRegister, s.apiScan)
	m.API("GET /api/v1/volunteer-activities/{id}/code", auth.PermVolunteersLead, s.apiCode)
	m.API("GET /api/v1/volunteer-activities/{id}/roster", auth.PermVolunteersLead, s.apiRoster)
	m.API("POST /api/v1/volunteer-activities/{id}/walk-ins", auth.PermVolunteersLead, s.apiWalkIn)
	m.API("POST /api/v1/volunteer-attendance/{id}/check-out", auth.PermVolunteersLead, s.apiCheckOutFor)
	m.API("POST /api/v1/volunteer-attendance/{id}/adjust", auth.PermVolunteersLead, s.apiAdjust)
	m.API("POST /api/v1/volunteer-attendance/{id}/objection", auth.PermVolunteersRegister, s.apiObject)
	m.API("POST /api/v1/volunteer-attendance/{id}/resolve", auth.PermVolunteersLead, s.apiResolve)
	m.API("POST /api/v1/volunteer-certificates", auth.PermVolunteersManage, s.apiIssue)
	m.API("GET /api/v1/volunteer-certificates/verify", kit.Public, s.apiVerify)
	m.API("GET /api/v1/volunteer-certificates/{number}/pdf", auth.PermVolunteersRead, s.certificatePDF)

	m.Page("GET /volunteers", auth.PermVolunteersRead, s.homePage)
	m.Page("POST /volunteers/register", auth.PermVolunteersRegister, s.registerSubmit)
	m.Page("GET /volunteers/activities", auth.PermVolunteersRead, s.activitiesPage)
	m.Page("GET /volunteers/activities/{id}", auth.PermVolunteersRead, s.activityPage)
	m.Page("POST /volunteers/activities/{id}/signup", auth.PermVolunteersRegister, s.signUpSubmit)
	m.Page("POST /volunteers/activities/{id}/cancel-signup", auth.PermVolunteersRegister, s.cancelSignUpSubmit)
	m.Page("POST /volunteers/activities/{id}/confirm-signup", auth.PermVolunteersRegister, s.confirmSignUpSubmit)
	m.Page("POST /volunteers/activities/{id}/scan", auth.PermVolunteersRegister, s.scanSubmit)
	m.Page("GET /volunteers/checkin", auth.PermVolunteersRegister, s.checkInPage)
	m.Page("GET /volunteers/activities/{id}/lead", auth.PermVolunteersLead, s.leadPage)
	m.Page("GET /volunteers/activities/{id}/edit", auth.PermVolunteersLead, s.editPage)
	m.Page("POST /volunteers/activities/{id}/edit", auth.PermVolunteersLead, s.editSubmit)
	m.Page("POST /volunteers/activities/{id}/cancel", auth.PermVolunteersLead, s.cancelSubmit)
	m.Page("GET /volunteers/activities/{id}/code.svg", auth.PermVolunteersLead, s.codeQR)
	m.Page("POST /volunteers/activities/{id}/walk-in", auth.PermVolunteersLead, s.walkInSubmit)
	m.Page("POST /volunteers/attendance/{id}/check-out", auth.PermVolunteersLead, s.checkOutSubmit)
	m.Page("POST /volunteers/attendance/{id}/adjust", auth.PermVolunteersLead, s.adjustSubmit)
	m.Page("POST /volunteers/attendance/{id}/objection", auth.PermVolunteersRegister, s.objectSubmit)
	m.Page("POST /volunteers/attendance/{id}/resolve", auth.PermVolunteersLead, s.resolveSubmit)
	m.Page("GET /volunteers/manage", auth.PermVolunteersManage, s.managePage)
	m.Page("POST /volunteers/manage/decide/{id}", auth.PermVolunteersManage, s.decideSubmit)
	m.Page("POST /volunteers/manage/projects", auth.PermVolunteersManage, s.projectSubmit)
	m.Page("POST /volunteers/manage/activities", auth.PermVolunteersManage, s.activitySubmit)
	m.Page("GET /volunteers/people/{id}", auth.PermVolunteersManage, s.personPage)
	m.Page("POST /volunteers/people/{id}/records", auth.PermVolunteersManage, s.recordSubmit)
	m.Page("POST /volunteers/people/{id}/certificates", auth.PermVolunteersManage, s.issueSubmit)
	m.Page("GET /volunteers/stats", auth.PermVolunteersManage, s.statsPage)
	m.Page("GET /volunteers/stats/export", auth.PermVolunteersManage, s.statsExport)
	m.Page("GET /volunteers/certificates/{number}", auth.PermVolunteersRead, s.certificatePage)
	m.Page("GET /volunteers/certificates/{number}/pdf", auth.PermVolunteersRead, s.certificatePDF)
	m.Page("GET /volunteers/verify", kit.Public, s.verifyPage)
	m.Page("GET /portal/volunteers", kit.Public, s.portalPage)
	m.Page("GET /volunteers/verify/qr.svg", kit.Public, s.verifyQR)

	m.Portal(kit.PortalEntry{Key: "volunteers", Order: 70, Href: "/portal/volunteers", Title: "vol.portal entry", Text: "vol.portal entry text", Icon: "volunteers", Summary: s.portalSummary})
	m.Nav(kit.NavEntry{Href: "/volunteers", Key: "vol.nav", Group: "nav services", Order: 45, Show: kit.Can(auth.PermVolunteersRead)})
	m.Home(kit.HomeEntry{Href: "/volunteers", Title: "vol.nav", Text: "vol.home text", Order: 45,
		Show: kit.CanAs(auth.PermVolunteersRead, auth.RoleVolunteer, auth.RoleResident, auth.RoleAdmin, auth.RoleDispatcher, auth.RoleGridLeader)})
	return nil
}
