package orders

import (
	"slices"
	"testing"

	"github.com/civicgrid/civicgrid/internal/places"
)

// The dispatch pickers list the departments that lead orders first and the residents' committees
// last, one group per kind, the order's town only.
func TestDeptGroupsOrder(t *testing.T) {
	deps := []places.Department{
		{Code: "c1", TownCode: "t", Kind: "committee", Name: "一居"},
		{Code: "c2", TownCode: "t", Kind: "committee", Name: "二居"},
		{Code: "off", TownCode: "t", Kind: "office", Name: "党政办"},
		{Code: "pol", TownCode: "t", Kind: "police", Name: "派出所"},
		{Code: "ops", TownCode: "t", Kind: "opscentre", Name: "城运中心"},
		{Code: "odd", TownCode: "t", Kind: "bureau", Name: "某局"},
		{Code: "x-ops", TownCode: "x", Kind: "opscentre", Name: "别镇城运"},
	}
	var kinds []string
	for _, g := range deptGroups(deps, "t", "zh") {
		kinds = append(kinds, g.Kind)
		for _, d := range g.Departments {
			if d.TownCode != "t" {
				t.Errorf("group %s holds %s of town %s", g.Kind, d.Code, d.TownCode)
			}
		}
	}
	if want := []string{"opscentre", "police", "office", "bureau", "committee"}; !slices.Equal(kinds, want) {
		t.Errorf("groups %v, want %v", kinds, want)
	}
	if g := deptGroups(deps, "t", "en"); g[0].Label != "Operations centre" || g[len(g)-1].Label != "Residents' committee" || len(g[len(g)-1].Departments) != 2 {
		t.Errorf("English groups %+v", g)
	}
}

func TestMetres(t *testing.T) {
	// 0.001° of latitude is about 111 m.
	if m := metres(31.2, 121.4, 31.201, 121.4); m < 110 || m > 112 {
		t.Errorf("metres = %.1f", m)
	}
}
