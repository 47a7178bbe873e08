package orders

import (
	"encoding/json"
	"math"
	"net/http"
	"sort"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// deptGroup is one kind of department in the dispatch pickers (an <optgroup>, a block of the
// co-handlers' checklist).
type deptGroup struct {
	Kind, Label string
	Departments []places.Department
}

// pickerKinds is the order the dispatch pickers list the kinds of department in: the departments
// that lead most orders first, the town's 30-odd residents' committees last, so that the usual
// choice is at the top of the list and not below the committees.
var pickerKinds = []string{"opscentre", "police", "market", "enforcement", "sanitation", "construction", "housing",
	"health", "service", "office", "enterprise", "property", "committee"}

// deptGroups are the departments of town grouped by kind in pickerKinds' order (kinds no table
// knows at the end, before the committees), each group's label in lang.
func deptGroups(deps []places.Department, town, lang string) []deptGroup {
	rank := map[string]int{}
	for i, k := range pickerKinds {
		rank[k] = i + 1
	}
	label := map[string]string{}
	for _, k := range places.DepartmentKinds {
		label[k.Code] = k.ZH
		if lang == "en" {
			label[k.Code] = k.EN
		}
	}
	byKind := map[string]*deptGroup{}
	var out []*deptGroup
	for _, d := range deps {
		if d.TownCode != town {
			continue
		}
		g := byKind[d.Kind]
		if g == nil {
			g = &deptGroup{Kind: d.Kind, Label: label[d.Kind]}
			if g.Label == "" {
				g.Label = d.Kind
			}
			byKind[d.Kind] = g
			out = append(out, g)
		}
		g.Departments = append(g.Departments, d)
	}
	pos := func(k string) int {
		if r, ok := rank[k]; ok {
			if k == "committee" {
				return 1000
			}
			return r
		}
		return 999
	}
	sort.SliceStable(out, func(i, j int) bool { return pos(out[i].Kind) < pos(out[j].Kind) })
	res := make([]deptGroup, len(out))
	for i, g := range out {
		res[i] = *g
	}
	return res
}

// ofTown is the entries of list whose town (as town gives it) is code.
func ofTown[T any](list []T, code string, town func(T) string) []T {
	var out []T
	for _, x := range list {
		if town(x) == code {
			out = append(out, x)
		}
	}
	return out
}

// presetLead is the lead department (and co-handlers) the dispatch form presets for a category,
// and why: the reason is dispatch.ByRule or dispatch.ByFallback when a dispatch rule decided, else
// an orders.Lead reason.
type presetLead struct {
	Department string   `json:"department"`
	Co         []string `json:"co,omitempty"`
	Reason     string   `json:"reason"`
}

// leadTable is the category → preset table of a town (the dispatch form's script reads it as
// data-leads) for an order in grid received at at. The town's dispatch rules decide first (internal/dispatch: a rule of the
// category, the category's own department, a fallback rule); what no rule or category decides,
// orders.DefaultLead presets by the kind of department the category's class goes to, else the
// operations centre.
func (s *handlers) leadTable(r *http.Request, l lookups, town, grid string, at time.Time) (map[string]presetLead, error) {
	cats := ofTown(l.Categories, town, func(c orders.Category) string { return c.TownCode })
	deps := ofTown(l.Departments, town, func(d places.Department) string { return d.TownCode })
	rules, err := dispatch.Rules(r.Context(), s.DB, []string{town})
	if err != nil {
		return nil, err
	}
	engine := dispatch.NewEngine(rules, cats)
	table := map[string]presetLead{}
	for code, lead := range orders.LeadTable(cats, deps) {
		p := presetLead{Department: lead.Department, Reason: lead.Reason}
		switch sg := engine.Suggest(code, grid, at); sg.By {
		case dispatch.ByRule, dispatch.ByFallback:
			if sg.Lead != "" {
				p = presetLead{Department: sg.Lead, Co: sg.Co, Reason: sg.By}
			}
		case dispatch.ByCategory:
			p = presetLead{Department: sg.Lead, Reason: orders.LeadByCategory}
		}
		table[code] = p
	}
	return table, nil
}

// similarOrder is an open order like the one on the page, with why it is alike.
type similarOrder struct {
	OrderView
	SameGrid     bool
	SameCategory bool
	// Metres is the distance between the two orders' points, -1 when either has none.
	Metres int
}

// similarRadius is how near an order of the same category in another grid must be to count as
// similar (a pile of rubbish on the grid's boundary street is reported from both sides).
const similarRadius = 500.0

// similarOpen lists the recent open orders of the same category as the order, in the same grid
// or within similarRadius, nearest first: merge candidates for the dispatcher. An order without
// a category has none (anything in the grid would be "similar").
func (s *handlers) similarOpen(r *http.Request, c *kit.Caller, o orders.Order, shown *privacy.Log) []similarOrder {
	if o.Category == "" || !c.User.Can(auth.PermOrdersAct) || c.User.Role != auth.RoleDispatcher {
		return nil
	}
	from := o.ReceivedAt.Add(-30 * 24 * time.Hour)
	_, list, err := s.Orders.List(r.Context(), orders.Filter{Towns: []string{o.TownCode}, Category: o.Category, From: &from,
		States: []string{"received", "filed", "dispatched", "in_progress", "handled"}, Limit: 50})
	if err != nil {
		return nil
	}
	type candidate struct {
		o  orders.Order
		so similarOrder
	}
	var found []candidate
	for _, x := range list {
		if x.ID == o.ID {
			continue
		}
		so := similarOrder{SameGrid: o.Grid != "" && x.Grid == o.Grid, SameCategory: x.Category == o.Category, Metres: -1}
		if o.Lat != nil && o.Lng != nil && x.Lat != nil && x.Lng != nil {
			so.Metres = int(math.Round(metres(*o.Lat, *o.Lng, *x.Lat, *x.Lng)))
		}
		if !so.SameGrid && (so.Metres < 0 || so.Metres > similarRadius) {
			continue
		}
		found = append(found, candidate{x, so})
	}
	// Nearest first; those without a point after those with one.
	sort.SliceStable(found, func(i, j int) bool {
		a, b := found[i].so.Metres, found[j].so.Metres
		if (a < 0) != (b < 0) {
			return b < 0
		}
		return a < b
	})
	if len(found) > 5 {
		found = found[:5]
	}
	out := make([]similarOrder, len(found))
	for i, f := range found {
		out[i] = f.so
		out[i].OrderView = s.view(r, c, Listed(f.o), shown)
	}
	return out
}

// metres is the great-circle distance between two points (haversine; town scale, so plenty).
func metres(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6371000.0
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}

// newFormLeads is the preset table of the caller's town for the new-order form, each preset by
// the department's name (the form shows it; the order page dispatches), as JSON; "" unless the
// caller is a dispatcher of one town. The grid is not known yet: rules for a grid do not apply.
func (s *handlers) newFormLeads(r *http.Request, c *kit.Caller, l lookups) (string, error) {
	if c.User.Role != auth.RoleDispatcher || len(c.Towns) != 1 {
		return "", nil
	}
	table, err := s.leadTable(r, l, c.Towns[0], "", time.Now())
	if err != nil {
		return "", err
	}
	for code, lead := range table {
		lead.Department, lead.Co = l.DeptName[lead.Department], nil
		table[code] = lead
	}
	raw, _ := json.Marshal(table)
	return string(raw), nil
}
