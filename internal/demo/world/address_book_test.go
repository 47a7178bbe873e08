package world

import (
	"slices"
	"testing"

	"github.com/civicgrid/civicgrid/internal/dispatch"
)

// xinjingBook is the demo town's address book as intake builds it (internal/intake.Router):
// every row of the demo's address data, the town's own name as a prefix.
func xinjingBook(t *testing.T, w *World) *dispatch.Book {
	t.Helper()
	var entries []dispatch.Entry
	for _, a := range slices.Concat(w.Addresses, w.Buildings, w.Landmarks) {
		entries = append(entries, dispatch.Entry{Road: a.Road, Number: a.Number, Estate: a.Estate, Building: a.Building,
			Landmark: a.Landmark, Grid: a.GridCode})
	}
	return dispatch.NewBook([]string{w.Town.Name}, entries)
}

// TestDemoAddressBookBuildingsAndLandmarks: the demo's book has building and landmark rows, each
// in the grid that holds its point, and written addresses naming them reach that grid.
func TestDemoAddressBookBuildingsAndLandmarks(t *testing.T) {
	w := worlds(t)["xinjing"]
	if len(w.Buildings) < 50 || len(w.Landmarks) < 30 {
		t.Fatalf("%d building and %d landmark rows: want the demo's ≥ 50 and ≥ 30", len(w.Buildings), len(w.Landmarks))
	}
	for _, a := range slices.Concat(w.Buildings, w.Landmarks) {
		if got := w.GridAt(a.Point()); got != a.GridCode {
			t.Errorf("%s: its point is in %q, stated %s", a.Text, got, a.GridCode)
		}
	}
	book := xinjingBook(t, w)
	cases := []struct{ address, grid, how string }{
		// Estate and building; the building rows of 天山星城 are in 第七网格 (G07) like its lane.
		{"天山星城12号楼", "310105102-G07", dispatch.ByBuilding},
		{"长宁区新泾镇天山星城十二号楼502室 王建国 13912345678", "310105102-G07", dispatch.ByBuilding},
		{"绿园八村3幢底楼", "310105102-G06", dispatch.ByBuilding},
		{"刘家宅一村14号楼", "310105102-G02", dispatch.ByBuilding},
		// A building the book does not list still finds its estate (all in one grid).
		{"天山星城99号楼", "310105102-G07", dispatch.ByEstate},
		// Landmarks, by their names and by what people call them.
		{"生境花园门口的路灯不亮", "310105102-G06", dispatch.ByLandmark},
		{"绿八居民区乐颐生境花园", "310105102-G06", dispatch.ByLandmark},
		{"新泾镇社区党群服务中心对面", "310105102-G07", dispatch.ByLandmark},
		{"仙霞路党群服务中心旁边", "310105102-G08", dispatch.ByLandmark},
		{"淞虹路地铁站2号口", "310105102-G01", dispatch.ByLandmark},
		{"淞虹路站出口有人乱停共享单车", "310105102-G01", dispatch.ByLandmark},
		{"北新泾地铁站", "310105102-G06", dispatch.ByLandmark},
		{"绿苑小学门口", "310105102-G06", dispatch.ByLandmark},
		{"上海荟聚停车场", "310105102-G03", dispatch.ByLandmark},
		{"同仁医院急诊", "310105102-G08", dispatch.ByLandmark},
		{"新泾法治文化广场", "310105102-G02", dispatch.ByLandmark},
		// Two centres of that kind are in two grids: the bare kind names neither.
		{"党群服务中心", "", ""},
	}
	for _, c := range cases {
		grid, how := book.Locate(c.address)
		if grid != c.grid || how != c.how {
			t.Errorf("%s: %q by %q, want %q by %q", c.address, grid, how, c.grid, c.how)
		}
	}
	// Every building and landmark row is found by its own text.
	for _, a := range slices.Concat(w.Buildings, w.Landmarks) {
		if grid, _ := book.Locate(a.Text); grid != a.GridCode {
			t.Errorf("%s: located in %q, want %s", a.Text, grid, a.GridCode)
		}
	}
}

// TestDemoAddressRowsValidated: Validate refuses a building whose estate is elsewhere and a
// landmark outside its grid.
func TestDemoAddressRowsValidated(t *testing.T) {
	w := worlds(t)["xinjing"]
	bad := *w
	bad.Buildings = slices.Clone(w.Buildings)
	bad.Buildings[0].Estate = "南洋新都" // in 第八网格, the building's estate is not
	if bad.Validate() == nil {
		t.Error("Validate accepted a building of an estate in another grid")
	}
	bad = *w
	bad.Landmarks = slices.Clone(w.Landmarks)
	bad.Landmarks[0].GridCode = "310105102-G08"
	if bad.Landmarks[0].GridCode == w.Landmarks[0].GridCode {
		bad.Landmarks[0].GridCode = "310105102-G01"
	}
	if bad.Validate() == nil {
		t.Error("Validate accepted a landmark outside its grid")
	}
}
