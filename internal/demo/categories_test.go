package demo

import (
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/dispatch"
)

// The default tree is valid for each demo town against its own departments, keeps every code the
// demo's orders use, has 部件 and 事件 sections, gives every sub-class one or two filing
// conditions with a time limit and a closing condition, and says it is illustrative.
func TestDefaultCategoryTree(t *testing.T) {
	for _, load := range []func() (*world.World, error){world.Xinjing, world.Lujiazui} {
		w, err := load()
		if err != nil {
			t.Fatal(err)
		}
		tree := CategoryTree(w)
		refs := dispatch.Refs{Departments: map[string]bool{}}
		for _, d := range w.Departments {
			refs.Departments[d.Code] = true
		}
		if err := tree.Validate(refs); err != nil {
			t.Fatalf("%s: %v", w.Town.Name, err)
		}
		codes, conds, kinds := map[string]dispatch.Node{}, map[string]int{}, map[string]int{}
		for _, n := range tree.Nodes {
			codes[n.Code] = n
			if n.Condition {
				conds[n.Parent]++
				if n.DeadlineClass == "" && n.DeadlineDays == 0 || n.Close == "" || !n.Illustrative {
					t.Errorf("%s: condition %s lacks a limit, a closing condition or the illustrative mark", w.Town.Name, n.Code)
				}
			}
			if n.Level == dispatch.LevelClass {
				kinds[n.Kind]++
			}
		}
		for _, c := range w.Categories {
			if n, ok := codes[c.Code]; !ok || n.Parent != c.ParentCode || n.Department != c.DepartmentCode {
				t.Errorf("%s: demo category %s changed in the tree: %+v", w.Town.Name, c.Code, n)
			}
		}
		for _, n := range tree.Nodes {
			if n.Level == dispatch.LevelSub && (conds[n.Code] < 1 || conds[n.Code] > 2) {
				t.Errorf("%s: sub-class %s has %d conditions", w.Town.Name, n.Code, conds[n.Code])
			}
		}
		if kinds[dispatch.KindComponent] < 4 || kinds[dispatch.KindEvent] < 10 {
			t.Errorf("%s: top classes by kind %v", w.Town.Name, kinds)
		}
		if !strings.Contains(tree.Note, "示意") || !strings.Contains(tree.Note, "illustrative") {
			t.Errorf("note: %q", tree.Note)
		}
	}
}
