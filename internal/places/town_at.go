package places

import (
	"context"
	"slices"
)

// TownAt finds the town among towns, and its grid, whose grids contain (lng, lat), asking
// locator for each town's grids and trying prefer first. ok is false when no town's grids
// contain the point. Every path that stores an order at a point in a town chosen otherwise (a
// form's town, the caller's town, an Open311 jurisdiction, an import's town) must check that the
// point is not inside another town: searching only the chosen town's grids finds nothing there
// and files the order in the wrong town.
func TownAt(ctx context.Context, locator func(context.Context, string) (*Locator, error), towns []Region, prefer string, lng, lat float64) (town Region, grid Grid, ok bool, err error) {
	order := slices.Clone(towns)
	slices.SortStableFunc(order, func(a, b Region) int {
		switch {
		case a.Code == prefer && b.Code != prefer:
			return -1
		case b.Code == prefer && a.Code != prefer:
			return 1
		}
		return 0
	})
	for _, t := range order {
		loc, err := locator(ctx, t.Code)
		if err != nil {
			return Region{}, Grid{}, false, err
		}
		if g, found := loc.Locate(lng, lat); found {
			return t, g, true, nil
		}
	}
	return Region{}, Grid{}, false, nil
}
