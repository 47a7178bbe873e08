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
	// Bookings (预约, internal/bookings, docs/BOOKINGS.md).
	PermBookingsRead   = "bookings:read"   // the bookable places and routes, their slots and places left
	PermBookingsBook   = "bookings:book"   // book a slot (for oneself or for a unit's group), cancel and confirm one's own
	PermBookingsManage = "bookings:manage" // resources, slots, the day's list, check-in, no-show, closing a slot

	// The service catalogue (服务清单, docs/SERVICES.md). The catalogue itself is public.
	PermServicesRead    = "services:read"    // one's service requests: one's own, the department's, the town's queue
	PermServicesRequest = "services:request" // request a service (grid staff also for a resident, 代办), confirm, rate, cancel
	PermServicesHandle  = "services:handle"  // accept, refuse and deliver requests (handlers: their department's items)
	PermServicesEdit    = "services:edit"    // edit the catalogue, import and export it
	// Livelihood projects (docs/PROJECTS.md).
	PermProjectsRead     = "projects:read"     // proposals with their authors' masks, candidate lists, sessions and counts
	PermProjectsPropose  = "projects:propose"  // propose and support livelihood projects
	PermProjectsManage   = "projects:manage"   // answer and merge proposals, candidate lists, voting bodies, sessions, tellers, count, publish
	PermProjectsAppraise = "projects:appraise" // a department's appraisal of a proposal
	PermProjectsVote     = "projects:vote"     // vote electronically as a member of a voting body's roll
	// Tracked livelihood-project results (internal/results, docs/RESULTS.md).
	PermResultsRead    = "results:read"    // the staff pages of results, their reports and inspections
	PermResultsUpdate  = "results:update"  // progress, status, timeline and milestone dates (a handler: their department's results only)
	PermResultsManage  = "results:manage"  // create, edit and delete results and milestones, rating windows, evaluation
	PermResultsRate    = "results:rate"    // rate a result once its rating window is open (anonymous)
	PermResultsInspect = "results:inspect" // record a deputies' inspection (视察)
	PermResultsComment = "results:comment" // comment on a result
	// Consultations (协商于民, internal/consult, docs/CONSULTATIONS.md).
	PermConsultRead   = "consult:read"   // consultations (协商于民) with their answers' tallies, as staff
	PermConsultManage = "consult:manage" // create consultations, edit questionnaires, open, close, decide, export
	PermConsultAnswer = "consult:answer" // answer a consultation as a resident
	PermConsultEnter  = "consult:enter"  // enter a resident's paper answer (grid staff)
	PermPartyRead     = "party:read"     // the party organisations, council, agreements, network (docs/PARTY.md)
	PermPartyManage   = "party:manage"   // record council meetings, resolutions, reviews, agreements, matches
	PermPartyRoster   = "party:roster"   // see party members' names and phones whole (audited)
	PermCoverageRead  = "coverage:read"  // the new-sector coverage (两个覆盖) map, table and gaps
	PermCoverageWrite = "coverage:write" // record a new-sector entity's organisation, liaison and activities
)

var staffBase = []string{PermTownsRead, PermGridsRead, PermDepartmentsRead, PermOrdersRead, PermOrdersCreate, PermOrdersAct}

// rolePerms are the permissions of the work-order loop and the shell's pages; each later
// capability adds its own by role in capabilityPerms, so that a capability's permissions are read
// in one place.
var rolePerms = map[string][]string{
	RoleAdmin: append(append([]string{}, staffBase...), PermGridsWrite, PermDepartmentsEdit, PermUsersRead, PermUsersWrite,
		PermPersonalData, PermAuditRead, PermIntakeImport, PermCampaignsPlan, PermDispatchRead, PermDispatchWrite, PermKPIRead, PermOpsRead),
	// Dispatchers of the operations centre plan the town's visit campaigns.
	RoleDispatcher: append(append([]string{}, staffBase...), PermUsersRead, PermPersonalData, PermIntakeImport, PermCampaignsPlan, PermDispatchRead, PermKPIRead, PermOpsRead),
	RoleHandler:    append(append([]string{}, staffBase...), PermPersonalData),
	RoleGridWorker: append(append([]string{}, staffBase...), PermPersonalData),
	RoleGridLeader: append(append([]string{}, staffBase...), PermPersonalData, PermUsersRead),
	// Leaders supervise through figures and escalations; they see personal data masked. District
	// and city accounts are leaders whose scope is a district or the city (User.DistrictCode).
	RoleLeader:    append(append([]string{}, staffBase...), PermUsersRead, PermAuditRead, PermDispatchRead, PermKPIRead, PermKPIExempt, PermOpsRead),
	RoleDeputy:    {PermTownsRead, PermGridsRead, PermDepartmentsRead, PermOrdersRead},
	RoleVolunteer: {PermTownsRead, PermGridsRead},
	RoleResident:  {PermOrdersRead, PermOrdersCreate, PermOrdersAct}, // their own orders only
}

// capabilityPerms are each later capability's permissions by role, added to rolePerms at start.
var capabilityPerms = []map[string][]string{
	// Volunteer service: the town's staff see it; the operations centre manages it; grid staff
	// and volunteers (team leaders among them) lead activities — the activity's lead is checked per
	// activity; volunteers and residents register, sign up and check in.
	{
		RoleAdmin:      {PermVolunteersRead, PermVolunteersLead, PermVolunteersManage},
		RoleDispatcher: {PermVolunteersRead, PermVolunteersLead, PermVolunteersManage},
		RoleHandler:    {PermVolunteersRead},
		RoleGridWorker: {PermVolunteersRead, PermVolunteersLead},
		RoleGridLeader: {PermVolunteersRead, PermVolunteersLead},
		RoleLeader:     {PermVolunteersRead},
		RoleDeputy:     {PermVolunteersRead},
		RoleVolunteer:  {PermVolunteersRead, PermVolunteersRegister, PermVolunteersLead},
		RoleResident:   {PermVolunteersRead, PermVolunteersRegister},
	},
	// Bookings: every signed-in role books for itself (and units for their groups); the operations
	// centre manages the resources, slots and check-in.
	{
		RoleAdmin:      {PermBookingsRead, PermBookingsBook, PermBookingsManage},
		RoleDispatcher: {PermBookingsRead, PermBookingsBook, PermBookingsManage},
		RoleHandler:    {PermBookingsRead, PermBookingsBook},
		RoleGridWorker: {PermBookingsRead, PermBookingsBook},
		RoleGridLeader: {PermBookingsRead, PermBookingsBook},
		RoleLeader:     {PermBookingsRead, PermBookingsBook},
		RoleDeputy:     {PermBookingsRead, PermBookingsBook},
		RoleVolunteer:  {PermBookingsRead, PermBookingsBook},
		RoleResident:   {PermBookingsRead, PermBookingsBook},
	},
	// Livelihood projects: the town's staff read and propose; the operations centre and leaders
	// run the process; departments (and residents' committees) appraise the proposals of their
	// field; deputies propose and vote (票决制); residents propose and support (群众点单).
	{
		RoleAdmin:      {PermProjectsRead, PermProjectsPropose, PermProjectsManage, PermProjectsAppraise},
		RoleDispatcher: {PermProjectsRead, PermProjectsPropose, PermProjectsManage},
		RoleLeader:     {PermProjectsRead, PermProjectsPropose, PermProjectsManage},
		RoleHandler:    {PermProjectsRead, PermProjectsPropose, PermProjectsAppraise},
		RoleGridWorker: {PermProjectsRead, PermProjectsPropose},
		RoleGridLeader: {PermProjectsRead, PermProjectsPropose},
		RoleDeputy:     {PermProjectsRead, PermProjectsPropose, PermProjectsVote},
		RoleResident:   {PermProjectsPropose},
	},
	// Tracked results: departments update their own; the operations centre manages; deputies
	// follow, inspect (视察) and rate (人大验单); residents rate.
	{
		RoleAdmin:      {PermResultsRead, PermResultsUpdate, PermResultsManage, PermResultsComment},
		RoleDispatcher: {PermResultsRead, PermResultsUpdate, PermResultsManage, PermResultsComment},
		RoleHandler:    {PermResultsRead, PermResultsUpdate, PermResultsComment},
		RoleGridWorker: {PermResultsRead},
		RoleGridLeader: {PermResultsRead},
		RoleLeader:     {PermResultsRead, PermResultsComment},
		RoleDeputy:     {PermResultsRead, PermResultsInspect, PermResultsComment, PermResultsRate},
		RoleResident:   {PermResultsRate},
	},
	// Consultations: the operations centre and the town's leaders run them for the
	// street-governance committee and the 协商于民 workstation; a residents' committee's staff
	// (handlers of a committee) and grid staff read them and enter paper answers from their
	// rounds; deputies read them; residents answer.
	{
		RoleAdmin:      {PermConsultRead, PermConsultManage, PermConsultEnter},
		RoleDispatcher: {PermConsultRead, PermConsultManage, PermConsultEnter},
		RoleLeader:     {PermConsultRead, PermConsultManage},
		RoleHandler:    {PermConsultRead, PermConsultEnter},
		RoleGridWorker: {PermConsultRead, PermConsultEnter},
		RoleGridLeader: {PermConsultRead, PermConsultEnter},
		RoleDeputy:     {PermConsultRead},
		RoleResident:   {PermConsultAnswer},
	},
	// Party building and new-sector coverage (docs/PARTY.md): the party-work staff (administrators,
	// and dispatchers as the council's secretary) manage; administrators keep the rosters whole;
	// leaders and grid staff read; grid leaders record the coverage of their grids.
	{
		RoleAdmin:      {PermPartyRead, PermPartyManage, PermPartyRoster, PermCoverageRead, PermCoverageWrite},
		RoleDispatcher: {PermPartyRead, PermPartyManage, PermCoverageRead, PermCoverageWrite},
		RoleLeader:     {PermPartyRead, PermCoverageRead},
		RoleGridLeader: {PermPartyRead, PermCoverageRead, PermCoverageWrite},
		RoleGridWorker: {PermPartyRead, PermCoverageRead},
	},
	// Service catalogue: residents (merchants and enterprise contacts among them) request and
	// follow their requests; grid staff request for residents (代办); the provider departments'
	// handlers and the operations centre handle them; the centre edits the catalogue; leaders
	// watch the queue.
	{
		RoleAdmin:      {PermServicesRead, PermServicesHandle, PermServicesEdit},
		RoleDispatcher: {PermServicesRead, PermServicesHandle, PermServicesEdit},
		RoleHandler:    {PermServicesRead, PermServicesHandle},
		RoleGridWorker: {PermServicesRead, PermServicesRequest},
		RoleGridLeader: {PermServicesRead, PermServicesRequest},
		RoleLeader:     {PermServicesRead},
		RoleResident:   {PermServicesRead, PermServicesRequest},
	},
}

func init() {
	for _, perms := range capabilityPerms {
		for role, ps := range perms {
			if _, ok := rolePerms[role]; !ok {
				panic("auth: capability permissions for unknown role " + role)
			}
			rolePerms[role] = append(rolePerms[role], ps...)
		}
	}
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
