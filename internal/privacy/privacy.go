// Package privacy is CivicGrid's one rule for personal data: names, phone numbers, ID numbers and
// household details of residents and users, wherever they are stored — the caller of a work
// order and the numbers in its texts, the contact and the household of a visit target and what
// its visits found, a user's phone.
//
// Who sees such data whole is a table (Rules): for each class of record, the roles that need it
// and how far their view reaches — their whole town, their department's orders, their grid, the
// campaigns they visit for. Everyone else sees it masked (Mask*, CoarseAddress). Everyone sees
// their own records whole: the orders they raised, their own account, the visits they logged.
//
// Every response that shows personal data of someone else whole writes exactly one audit row
// (Log, Record) naming whose data it was, before the response is sent.
package privacy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/civicgrid/civicgrid/internal/auth"
)

// Class is a kind of record that holds personal data.
type Class string

// The classes of records with personal data.
const (
	// Orders: the caller's name and phone, the address down to the room, and the numbers and the
	// caller's name inside the content, the result and the history's notes.
	Orders Class = "order"
	// Targets: a visit target's contact; a household's name and address; what visits to it found
	// and the household's needs.
	Targets Class = "campaign_target"
	// Users: a user's phone, and a resident's name.
	Users Class = "user"
	// Members: the name and phone of a grid's member as the grid page lists them.
	Members Class = "grid_member"
	// Proposals: the name and phone of a resident who proposed a livelihood project (or for whom a
	// grid worker proposed it).
	Proposals Class = "project_proposal"
	// Answers: the name and phone written on a consultation's paper answer (internal/consult).
	// The household (building and room) is never stored in plain: only its hash and the building
	// without the room.
	Answers Class = "consult_answer"
	// PartyMembers: a party member's name and phone on an organisation's roster (docs/PARTY.md);
	// the route also needs party:roster.
	PartyMembers Class = "party_member"
	// Bookings: the contact person and phone of a booking (a unit's group or a resident), and its note.
	Bookings Class = "booking"
	// Volunteers: a volunteer's ID number and phone (docs/VOLUNTEERS.md); the name is shown to
	// whoever sees the volunteer's activities and certificates.
	Volunteers Class = "volunteer"
	// ServiceRequests: the contact (name, phone, address) of a service request — a merchant's, or
	// the elderly resident's a grid worker requests for (代办) — and the names in its texts.
	ServiceRequests Class = "service_request"
)

// Reach is how far a role's unmasked view of a class extends.
type Reach string

// The reaches.
const (
	Town       Reach = "town"       // every record of the viewer's towns
	Department Reach = "department" // orders whose lead or co-handling department is the viewer's
	Grid       Reach = "grid"       // records located in the viewer's grid
	Team       Reach = "team"       // targets of the campaigns whose team the viewer is on
)

// Rules is who sees which class of personal data whole, and how far. A role that is not listed
// for a class sees that class masked (its own records aside). Leaders, deputies and volunteers
// are never listed: they supervise and help through figures, not through residents' details.
var Rules = map[Class]map[string][]Reach{
	Orders: {
		auth.RoleAdmin:      {Town},
		auth.RoleDispatcher: {Town},
		auth.RoleHandler:    {Department},
		auth.RoleGridWorker: {Grid},
		auth.RoleGridLeader: {Grid},
	},
	Targets: {
		auth.RoleAdmin:      {Town},
		auth.RoleDispatcher: {Town},
		auth.RoleGridWorker: {Grid, Team},
		auth.RoleGridLeader: {Grid, Team},
		auth.RoleHandler:    {Team},
	},
	Users: {
		auth.RoleAdmin:      {Town},
		auth.RoleDispatcher: {Town},
		auth.RoleGridLeader: {Town},
	},
	Proposals: {
		auth.RoleAdmin:      {Town},
		auth.RoleDispatcher: {Town},
		auth.RoleGridWorker: {Grid},
		auth.RoleGridLeader: {Grid},
	},
	Answers: {
		auth.RoleAdmin:      {Town},
		auth.RoleDispatcher: {Town},
		auth.RoleGridLeader: {Grid},
	},
	Bookings: {
		auth.RoleAdmin:      {Town},
		auth.RoleDispatcher: {Town},
	},
	Members: {
		auth.RoleAdmin:      {Town},
		auth.RoleDispatcher: {Town},
		auth.RoleHandler:    {Town},
		auth.RoleGridWorker: {Town},
		auth.RoleGridLeader: {Town},
	},
	PartyMembers: {
		auth.RoleAdmin: {Town},
	},
	// The ID number and phone of a volunteer: the staff who approve registrations and issue
	// certificates. An activity's lead sees the roster with phones masked.
	Volunteers: {
		auth.RoleAdmin:      {Town},
		auth.RoleDispatcher: {Town},
	},
	// A service request's contact: the operations centre, and the provider department that has
	// to reach the requester. The requester (the grid worker for 代办) sees their own.
	ServiceRequests: {
		auth.RoleAdmin:      {Town},
		auth.RoleDispatcher: {Town},
		auth.RoleHandler:    {Department},
	},
}

// Viewer is who a response is for.
type Viewer struct {
	UserID     int64
	Username   string
	Role       string
	Department string
	Grid       string
	Towns      []string // the towns the viewer may see at all
	IP         string   // for the audit log
}

// ViewerOf is u, who may see towns, as a viewer.
func ViewerOf(u auth.User, towns []string) Viewer {
	return Viewer{UserID: u.ID, Username: u.Username, Role: u.Role, Department: u.DepartmentCode, Grid: u.GridCode, Towns: towns}
}

// Facts are what the rule needs to know about one record.
type Facts struct {
	Town        string   // the record's town
	Own         bool     // the viewer's own record: an order they raised, their account, their visit
	Departments []string // the lead and co-handling departments of an order
	Grid        string   // the grid the record lies in
	Team        []int64  // the users on the team of a target's campaign
}

// Whole reports whether v may see the personal data of a record of class c whole.
func (v Viewer) Whole(c Class, f Facts) bool {
	if f.Own {
		return true
	}
	if f.Town == "" || !slices.Contains(v.Towns, f.Town) {
		return false
	}
	for _, r := range Rules[c][v.Role] {
		switch r {
		case Town:
			return true
		case Department:
			if v.Department != "" && slices.Contains(f.Departments, v.Department) {
				return true
			}
		case Grid:
			if v.Grid != "" && f.Grid == v.Grid {
				return true
			}
		case Team:
			if v.UserID != 0 && slices.Contains(f.Team, v.UserID) {
				return true
			}
		}
	}
	return false
}

// Markdown renders Rules as a table for the documentation (docs/SECURITY.md).
func Markdown() string {
	var b strings.Builder
	classes := []Class{Orders, Targets, Users, Members, Proposals, Answers, PartyMembers, Bookings, Volunteers, ServiceRequests}
	b.WriteString("| role |")
	for _, c := range classes {
		fmt.Fprintf(&b, " %s |", c)
	}
	b.WriteString("\n| --- |" + strings.Repeat(" --- |", len(classes)) + "\n")
	for _, ri := range auth.Roles {
		fmt.Fprintf(&b, "| %s |", ri.Code)
		for _, c := range classes {
			var rs []string
			for _, r := range Rules[c][ri.Code] {
				rs = append(rs, string(r))
			}
			cell := "masked"
			if len(rs) > 0 {
				cell = strings.Join(rs, ", ")
			}
			fmt.Fprintf(&b, " %s |", cell)
		}
		b.WriteString("\n")
	}
	return b.String()
}
