package orders_test

import (
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

func TestDefaultLeadTable(t *testing.T) {
	cats := []orders.Category{
		{Code: "01", Name: "市容环境"},
		{Code: "0101", Parent: "01", Name: "暴露垃圾", Department: "t-sanitation"},
		{Code: "0102", Parent: "01", Name: "积存垃圾渣土"},                          // no department: its class's kind
		{Code: "0103", Parent: "01", Name: "道路不洁", Department: "gone"},        // a department the town lacks
		{Code: "1401", Parent: "14", Name: "邻里纠纷"},                            // police, but the town has none: the centre
		{Code: "9901", Parent: "99", Name: "未知大类"},                            // no kind for the class: the centre
		{Code: "1003", Parent: "10", Name: "楼道堆物", Department: "t-committee"}, // a committee named by the category is kept
	}
	deps := []places.Department{
		{Code: "t-committee", Kind: "committee"},
		{Code: "t-prop", Kind: "property"},
		{Code: "t-sanitation", Kind: "sanitation"},
		{Code: "t-sanitation-2", Kind: "sanitation"},
		{Code: "t-ops", Kind: "opscentre"},
	}
	for _, tc := range []struct {
		category string
		want     orders.Lead
	}{
		{"0101", orders.Lead{Department: "t-sanitation", Reason: orders.LeadByCategory}},
		{"0102", orders.Lead{Department: "t-sanitation", Reason: orders.LeadByKind}},
		{"0103", orders.Lead{Department: "t-sanitation", Reason: orders.LeadByKind}},
		{"1401", orders.Lead{Department: "t-ops", Reason: orders.LeadByDefault}},
		{"9901", orders.Lead{Department: "t-ops", Reason: orders.LeadByDefault}},
		{"1003", orders.Lead{Department: "t-committee", Reason: orders.LeadByCategory}},
		{"", orders.Lead{}},
		{"7777", orders.Lead{}},
	} {
		if got := orders.DefaultLead(cats, deps, tc.category); got != tc.want {
			t.Errorf("DefaultLead(%q) = %+v, want %+v", tc.category, got, tc.want)
		}
	}
	// A town without departments presets nothing; the table leaves such categories out.
	if got := orders.DefaultLead(cats, nil, "0101"); got != (orders.Lead{}) {
		t.Errorf("no departments: %+v", got)
	}
	table := orders.LeadTable(cats, deps)
	if len(table) != len(cats) || table["0102"].Department != "t-sanitation" {
		t.Errorf("LeadTable = %+v", table)
	}
	if len(orders.LeadTable(cats, nil)) != 0 {
		t.Error("LeadTable without departments is not empty")
	}
}

// The store's DefaultLead reads the town's own tree and departments: the same code presets
// another department in another town, and never one of another town.
func TestStoreDefaultLead(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, time.Now())
		got, err := e.s.DefaultLead(ctx, e.f.Town, e.f.Category)
		if err != nil || got != (orders.Lead{Department: e.f.Sanitation, Reason: orders.LeadByCategory}) {
			t.Fatalf("DefaultLead(%s, %s) = %+v, %v", e.f.Town, e.f.Category, got, err)
		}
		// The consult category names the market office, which the town has.
		if got, _ := e.s.DefaultLead(ctx, e.f.Town, e.f.ConsultCategory); got.Department != e.f.Market {
			t.Errorf("consult lead = %+v", got)
		}
		// The other town's category of its own names no department; its class has no kind, and
		// the town has no operations centre: no preset (and nothing of the first town).
		if got, _ := e.s.DefaultLead(ctx, e.f.OtherTown, e.f.OtherCategory); got != (orders.Lead{}) {
			t.Errorf("other town lead = %+v", got)
		}
		if got, _ := e.s.DefaultLead(ctx, e.f.OtherTown, e.f.Category); got != (orders.Lead{}) {
			t.Errorf("first town's category asked in the other town = %+v", got)
		}
	})
}
