package places

import (
	"context"
	"testing"

	"github.com/paulmach/orb"
)

func square(x, y float64) orb.Polygon {
	return orb.Polygon{{{x, y}, {x + 1, y}, {x + 1, y + 1}, {x, y + 1}, {x, y}}}
}

// TestTownAt: the point is found in whichever town's grids hold it, the preferred town first
// where grids overlap, and nowhere when no grid holds it.
func TestTownAt(t *testing.T) {
	locs := map[string]*Locator{
		"A": NewLocator([]Grid{{Code: "A-1", TownCode: "A", Polygon: square(0, 0)}, {Code: "A-2", TownCode: "A", Polygon: square(5, 5)}}),
		"B": NewLocator([]Grid{{Code: "B-1", TownCode: "B", Polygon: square(2, 0)}, {Code: "B-2", TownCode: "B", Polygon: square(5, 5)}}),
	}
	get := func(_ context.Context, town string) (*Locator, error) { return locs[town], nil }
	towns := []Region{{Code: "A", Name: "甲镇"}, {Code: "B", Name: "乙镇"}}
	for _, c := range []struct {
		prefer     string
		lng, lat   float64
		town, grid string
	}{
		{"A", 0.5, 0.5, "A", "A-1"},
		{"A", 2.5, 0.5, "B", "B-1"}, // inside the other town: found there, not lost
		{"B", 0.5, 0.5, "A", "A-1"},
		{"B", 5.5, 5.5, "B", "B-2"}, // overlapping grids: the preferred town's
		{"A", 5.5, 5.5, "A", "A-2"},
		{"A", 9, 9, "", ""},
	} {
		town, grid, ok, err := TownAt(context.Background(), get, towns, c.prefer, c.lng, c.lat)
		if err != nil || town.Code != c.town || grid.Code != c.grid || ok != (c.town != "") {
			t.Errorf("TownAt(prefer %s, %v %v) = %s %s %v %v, want %s %s", c.prefer, c.lng, c.lat, town.Code, grid.Code, ok, err, c.town, c.grid)
		}
	}
}
