// Package auth knows who is calling: users and their roles, passwords, browser sessions, API
// tokens, login throttling, which towns a user may see, and who may see personal data.
package auth

import "slices"

// Roles of CivicGrid (DESIGN.md, "The people").
const (
	RoleResident   = "resident"
	RoleGridWorker = "gridworker"
	RoleGridLeader = "gridleader"
	RoleDispatcher = "dispatcher"
	RoleHandler    = "handler"
	RoleLeader     = "leader"
	RoleDeputy     = "deputy"
	RoleVolunteer  = "volunteer"
	RoleAdmin      = "admin"
)

// RoleInfo describes a role for pages and help texts.
type RoleInfo struct {
	Code, ZH, EN string
}

// Roles lists every role in the order pages show them.
var Roles = []RoleInfo{
	{RoleResident, "居民", "Resident"},
	{RoleGridWorker, "网格员", "Grid worker"},
	{RoleGridLeader, "网格长", "Grid leader"},
	{RoleDispatcher, "受理派单员", "Dispatcher"},
	{RoleHandler, "处置部门", "Department handler"},
	{RoleLeader, "领导", "Leader"},
	{RoleDeputy, "人大代表", "People's-congress deputy"},
	{RoleVolunteer, "志愿者", "Volunteer"},
	{RoleAdmin, "管理员", "Administrator"},
}

// ValidRole reports whether r is a known role.
func ValidRole(r string) bool {
	return slices.ContainsFunc(Roles, func(ri RoleInfo) bool { return ri.Code == r })
}

// RoleName returns the role's label in the language ("zh" or "en").
func RoleName(r, lang string) string {
	for _, ri := range Roles {
		if ri.Code == r {
			if lang == "en" {
				return ri.EN
			}
			return ri.ZH
		}
	}
	return r
}

// Permissions, checked by the route table (docs/ROUTES.md lists which route needs which).
const (
	PermTownsRead       = "towns:read"
	PermGridsRead       = "grids:read"
	PermGridsWrite      = "grids:write"
	PermDepartmentsRead = "departments:read"
	PermDepartmentsEdit = "departments:write"
	PermUsersRead       = "users:read"
	PermUsersWrite      = "users:write"
	PermPersonalData    = "personal_data:read" // unmasked names, phones, addresses of residents
	PermAuditRead       = "audit:read"
	PermOrdersRead      = "orders:read"
	PermOrdersCreate    = "orders:create"
	PermOrdersAct       = "orders:act"
	PermIntakeImport    = "intake:import"
	PermCampaignsPlan   = "campaigns:plan" // create, edit and delete visit campaigns, add their targets
	PermDispatchRead    = "dispatch:read"  // see the dispatch rules and try a demand against them
	PermDispatchWrite   = "dispatch:write" // edit the dispatch rules
	PermKPIRead         = "kpi:read"       // the KPIs, rankings and exemptions (docs/KPI.md)
	PermKPIExempt       = "kpi:exempt"     // exempt an order from assessment after an approved appeal
	PermOpsRead         = "ops:read"       // the operations centre's live map, wall screen and live stream
	// Volunteer service (docs/VOLUNTEERS.md).
	PermVolunteersRead     = "volunteers:read"     // the alliance, projects, activities and one's own records
	PermVolunteersRegister = "volunteers:register" // register as a volunteer, sign up for activities, check in
	PermVolunteersLead     = "volunteers:lead"     // lead an activity: show its check-in code, roster, walk-ins, adjustments
	PermVolunteersManage   = "volunteers:manage"   // approve registrations, projects, activities, certificates, statistics
)

var staffBase = []string{PermTownsRead, PermGridsRead, PermDepartmentsRead, PermOrdersRead, PermOrdersCreate, PermOrdersAct, PermVolunteersRead}

var rolePerms = map[string][]string{
	RoleAdmin: append(append([]string{}, staffBase...), PermGridsWrite, PermDepartmentsEdit, PermUsersRead, PermUsersWrite,
		PermPersonalData, PermAuditRead, PermIntakeImport, PermCampaignsPlan, PermDispatchRead, PermDispatchWrite, PermKPIRead, PermOpsRead,
		PermVolunteersLead, PermVolunteersManage),
	// Dispatchers of the operations centre plan the town's visit campaigns.
	RoleDispatcher: append(append([]string{}, staffBase...), PermUsersRead, PermPersonalData, PermIntakeImport, PermCampaignsPlan, PermDispatchRead, PermKPIRead, PermOpsRead,
		PermVolunteersLead, PermVolunteersManage),
	RoleHandler:    append(append([]string{}, staffBase...), PermPersonalData),
	RoleGridWorker: append(append([]string{}, staffBase...), PermPersonalData, PermVolunteersLead),
	RoleGridLeader: append(append([]string{}, staffBase...), PermPersonalData, PermUsersRead, PermVolunteersLead),
	// Leaders supervise through figures and escalations; they see personal data masked. District
	// and city accounts are leaders whose scope is a district or the city (User.DistrictCode).
	RoleLeader: append(append([]string{}, staffBase...), PermUsersRead, PermAuditRead, PermDispatchRead, PermKPIRead, PermKPIExempt, PermOpsRead),
	RoleDeputy: {PermTownsRead, PermGridsRead, PermDepartmentsRead, PermOrdersRead, PermVolunteersRead},
	// Volunteers sign up and check in; team leaders among them lead activities (the activity's
	// lead is checked per activity).
	RoleVolunteer: {PermTownsRead, PermGridsRead, PermVolunteersRead, PermVolunteersRegister, PermVolunteersLead},
	// Residents may register as volunteers; their orders are their own only.
	RoleResident: {PermOrdersRead, PermOrdersCreate, PermOrdersAct, PermVolunteersRead, PermVolunteersRegister},
}

// Can reports whether a role holds a permission.
func Can(role, perm string) bool {
	for _, p := range rolePerms[role] {
		if p == perm {
			return true
		}
	}
	return false
}
