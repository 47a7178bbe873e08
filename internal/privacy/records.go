package privacy

import (
	"slices"
	"strings"
	"unicode"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/campaigns"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
)

// Each function below applies the rule to one record: it returns the record as v may see it,
// whether anything in it was masked, and whether personal data of someone else is shown whole
// (then the response must be recorded with Log.Add). A record that holds no personal data is
// neither masked nor shown.

// Order is o as v may see it.
func (v Viewer) Order(o orders.Order) (out orders.Order, masked, shown bool) {
	m, personal := MaskOrder(o)
	if !personal {
		return o, false, false
	}
	f := Facts{Town: o.TownCode, Own: o.RaisedBy != 0 && o.RaisedBy == v.UserID, Grid: o.Grid,
		Departments: append([]string{o.Department}, o.CoDepartments...)}
	if v.Whole(Orders, f) {
		return o, false, !f.Own
	}
	return m, true, false
}

// MaskOrder is o with its personal data masked — the caller, the address below the house number,
// numbers and the caller's name in the texts — and whether it held any.
func MaskOrder(o orders.Order) (orders.Order, bool) {
	names := namesIn(o.CallerName)
	m := o
	m.CallerName, m.CallerPhone = MaskName(o.CallerName), MaskPhone(o.CallerPhone)
	m.Address = CoarseAddress(o.Address)
	m.Content, m.Result = MaskText(o.Content, names...), MaskText(o.Result, names...)
	changed := m.CallerName != o.CallerName || m.CallerPhone != o.CallerPhone || m.Address != o.Address ||
		m.Content != o.Content || m.Result != o.Result
	if o.Events != nil {
		m.Events = make([]orders.Event, len(o.Events))
		for i, e := range o.Events {
			x := e
			x.Reason, x.Note = MaskText(e.Reason, names...), MaskText(e.Note, names...)
			x.Result, x.Comment = MaskText(e.Result, names...), MaskText(e.Comment, names...)
			changed = changed || x.Reason != e.Reason || x.Note != e.Note || x.Result != e.Result || x.Comment != e.Comment
			m.Events[i] = x
		}
	}
	return m, changed
}

// namesIn is a caller name and, when the name is a whole contact ("王阿姨 138…"), the name that
// leads it: the words to mask in an order's texts.
func namesIn(caller string) []string {
	caller = strings.TrimSpace(caller)
	out := []string{caller}
	if i := strings.IndexFunc(caller, func(r rune) bool { return !unicode.IsLetter(r) }); i > 0 {
		out = append(out, caller[:i])
	}
	return out
}

// Target is t, a target of campaign c, as v may see it, with its visits.
func (v Viewer) Target(c campaigns.Campaign, t campaigns.Target) (out campaigns.Target, shown bool) {
	m, personal := maskTarget(t)
	out = t
	if personal {
		if v.Whole(Targets, Facts{Town: c.TownCode, Grid: t.Grid, Team: teamOf(c)}) {
			shown = true
		} else {
			out = m
		}
	}
	if t.Visits != nil {
		out.Visits = make([]campaigns.Visit, len(t.Visits))
		for i, x := range t.Visits {
			var s bool
			out.Visits[i], s = v.Visit(c, x)
			shown = shown || s
		}
	}
	return out, shown
}

func maskTarget(t campaigns.Target) (campaigns.Target, bool) {
	m := t
	m.Visits = nil
	m.Contact = MaskContact(t.Contact)
	if t.Kind == campaigns.TargetHousehold {
		m.Name, m.Address = householdName(t.Name), CoarseAddress(t.Address)
	}
	m.Masked = true
	return m, m.Contact != t.Contact || m.Name != t.Name || m.Address != t.Address
}

// householdName is a household's name for those who see it masked: its address down to the road
// number when the name is an address (as the address book's are), the surname otherwise.
func householdName(n string) string {
	if c := CoarseAddress(n); c != "" {
		return c
	}
	return MaskName(n)
}

// Visit is x, a visit of campaign c, as v may see it. What a visit found at a household is
// household detail and is hidden whole; at an office, a shop or a station only the numbers in it
// are masked. The visitor sees what they logged whole; the target's name follows the target's rule.
func (v Viewer) Visit(c campaigns.Campaign, x campaigns.Visit) (out campaigns.Visit, shown bool) {
	m := x
	if x.TargetKind == campaigns.TargetHousehold {
		m.TargetName = householdName(x.TargetName)
		m.Findings, m.Needs = hide(x.Findings), hide(x.Needs)
	} else {
		m.Findings, m.Needs = MaskText(x.Findings), MaskText(x.Needs)
	}
	nameDiffers := m.TargetName != x.TargetName
	textDiffers := m.Findings != x.Findings || m.Needs != x.Needs
	if !nameDiffers && !textDiffers {
		return x, false
	}
	f := Facts{Town: c.TownCode, Grid: x.TargetGrid, Team: teamOf(c)}
	target := v.Whole(Targets, f)
	own := x.VisitorID != 0 && x.VisitorID == v.UserID
	out = x
	if !target {
		out.TargetName = m.TargetName
		if !own {
			out.Findings, out.Needs = m.Findings, m.Needs
		}
		out.Masked = nameDiffers || !own && textDiffers
	}
	return out, target && (nameDiffers || !own && textDiffers)
}

func hide(s string) string {
	if s == "" {
		return ""
	}
	return Hidden
}

func teamOf(c campaigns.Campaign) []int64 {
	ids := make([]int64, len(c.Team))
	for i, m := range c.Team {
		ids[i] = m.UserID
	}
	return ids
}

// User is u as v may see it: the phone, and a resident's name. Staff names are not masked:
// staff act in the town's name.
func (v Viewer) User(u auth.User) (out auth.User, phoneMasked, nameMasked, shown bool) {
	m := u
	m.Phone = MaskPhone(u.Phone)
	if u.Role == auth.RoleResident {
		m.DisplayName = MaskName(u.DisplayName)
	}
	if m.Phone == u.Phone && m.DisplayName == u.DisplayName {
		return u, false, false, false
	}
	f := Facts{Town: u.TownCode, Own: u.ID == v.UserID}
	if v.Whole(Users, f) {
		return u, false, false, !f.Own
	}
	return m, m.Phone != u.Phone, m.DisplayName != u.DisplayName, false
}

// Members is the members of a grid of town as v may see them: their phones masked unless the
// rule lets v see them whole.
func (v Viewer) Members(town string, ms []places.Member) (out []places.Member, shown bool) {
	out = slices.Clone(ms)
	whole := v.Whole(Members, Facts{Town: town})
	for i, m := range ms {
		if m.Phone == "" || m.UserID != 0 && m.UserID == v.UserID {
			continue
		}
		if whole {
			shown = true
			continue
		}
		out[i].Phone = MaskPhone(m.Phone)
	}
	return out, shown
}
