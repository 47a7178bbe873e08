package demo

import (
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/dispatch"
)

// CategoryTreeValidFrom is the date the demo's first category version takes effect: before any
// demo order, so that the whole history is filed under it.
const CategoryTreeValidFrom = "2025-01-01"

// CategoryTree is the default category tree of a Shanghai town: the demo's 事件 classes (the
// codes its orders use) with their filing conditions, and the 部件 classes, written in the
// style of the urban-management case standards and marked illustrative (示意).
func CategoryTree(w *world.World) dispatch.Tree {
	t := dispatch.Tree{Note: w.Standard.Note}
	for _, c := range w.Categories {
		n := dispatch.Node{Code: c.Code, Parent: c.ParentCode, Name: c.Name, NameEN: c.NameEn, DeadlineClass: c.Deadline,
			Department: c.DepartmentCode, Keywords: c.Keywords, Aliases: w.Standard.Aliases[c.Code]}
		if c.ParentCode == "" {
			n.Kind = dispatch.KindEvent
		}
		t.Nodes = append(t.Nodes, n)
	}
	for _, s := range w.Standard.Nodes {
		t.Nodes = append(t.Nodes, dispatch.Node{Code: s.Code, Parent: s.Parent, Name: s.Name, NameEN: s.NameEn, Kind: s.Kind,
			Condition: s.Condition, DeadlineClass: s.Deadline, DeadlineDays: s.Days, Department: s.DepartmentCode,
			Keywords: s.Keywords, Aliases: s.Aliases, Close: s.Close, Illustrative: s.Illustrative})
	}
	return t
}
