package orders

import (
	"context"
	"fmt"

	"github.com/civicgrid/civicgrid/internal/places"
)

// Lead is the department an order of a category goes to first, as the dispatch form presets it,
// and why. The dispatcher may choose another; the preset only saves the common case a click.
//
// The town's dispatch rules (internal/dispatch) decide first — the order page asks them for the
// order's grid and time — and the category's own department with them; DefaultLead is what the
// form falls back on when neither they nor a fallback rule name anyone.
type Lead struct {
	Department string `json:"department"`
	// Reason is why: LeadByCategory (the category's own department), LeadByKind (the town's
	// department of the kind the category's class usually goes to) or LeadByDefault (the
	// operations centre, which sorts out what no table knows).
	Reason string `json:"reason"`
}

// The reasons of a Lead.
const (
	LeadByCategory = "category"
	LeadByKind     = "kind"
	LeadByDefault  = "default"
)

// classKinds is the kind of department each top class (大类) of the category tree usually goes to,
// for leaves that name no department of their own (or one the town does not have).
var classKinds = map[string]string{
	"01": "sanitation",   // 市容环境
	"02": "enforcement",  // 宣传广告
	"03": "enforcement",  // 施工管理
	"04": "opscentre",    // 突发事件
	"05": "enforcement",  // 街面秩序
	"10": "housing",      // 房屋管理
	"11": "enforcement",  // 环境扰民
	"12": "construction", // 市政设施
	"13": "sanitation",   // 绿化养护
	"14": "police",       // 社会治安
	"15": "market",       // 市场监管
	"16": "service",      // 社区服务
	"17": "opscentre",    // 咨询建议
}

// ClassKind is the kind of department the top class of a category usually goes to ("" when the
// table has none).
func ClassKind(categoryCode string) string {
	if len(categoryCode) < 2 {
		return ""
	}
	return classKinds[categoryCode[:2]]
}

// DefaultLead is the preset lead department of an order of category in the town whose category
// tree is cats and whose departments are deps: the category's own department when the town has
// it, else the town's first department of the kind its class goes to (never a residents'
// committee or a property company: they co-handle, they do not lead a category), else the
// operations centre. An unknown category or a town without departments gives the zero Lead.
func DefaultLead(cats []Category, deps []places.Department, category string) Lead {
	var cat *Category
	for i := range cats {
		if cats[i].Code == category {
			cat = &cats[i]
			break
		}
	}
	if cat == nil || category == "" {
		return Lead{}
	}
	var ops string
	byKind := map[string]string{}
	known := map[string]bool{}
	for _, d := range deps {
		known[d.Code] = true
		if _, ok := byKind[d.Kind]; !ok && d.Kind != "committee" && d.Kind != "property" {
			byKind[d.Kind] = d.Code
		}
		if d.Kind == "opscentre" && ops == "" {
			ops = d.Code
		}
	}
	if cat.Department != "" && known[cat.Department] {
		return Lead{Department: cat.Department, Reason: LeadByCategory}
	}
	if d, ok := byKind[ClassKind(category)]; ok {
		return Lead{Department: d, Reason: LeadByKind}
	}
	if ops != "" {
		return Lead{Department: ops, Reason: LeadByDefault}
	}
	return Lead{}
}

// LeadTable is DefaultLead of every category of one town, keyed by category code (the categories
// with no preset left out): what the dispatch form applies in the browser when the category changes.
func LeadTable(cats []Category, deps []places.Department) map[string]Lead {
	out := make(map[string]Lead, len(cats))
	for _, c := range cats {
		if l := DefaultLead(cats, deps, c.Code); l.Department != "" {
			out[c.Code] = l
		}
	}
	return out
}

// DefaultLead is the preset lead department of an order of category in town (see the function
// DefaultLead).
func (s *Store) DefaultLead(ctx context.Context, town, category string) (Lead, error) {
	cats, err := s.Categories(ctx, town)
	if err != nil {
		return Lead{}, err
	}
	deps, err := places.Departments(ctx, s.DB, []string{town})
	if err != nil {
		return Lead{}, fmt.Errorf("departments of town %s: %w", town, err)
	}
	return DefaultLead(cats, deps, category), nil
}
