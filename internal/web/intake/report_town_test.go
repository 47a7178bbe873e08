package intake

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/paulmach/orb/planar"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// TestCheckPointTown: a point inside a grid of another town is refused on lat, naming that town;
// a point of the town itself, a point in no town's grids and no point at all pass.
func TestCheckPointTown(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		if _, err := demo.Load(ctx, db, quiet); err != nil {
			t.Fatal(err)
		}
		// The handlers need the database and the town locators only.
		s := &handlers{Kit: &kit.Kit{DB: db, Log: quiet, Locators: &places.LocatorCache{DB: db}}}
		point := func(town string) (float64, float64) {
			gs, err := places.Grids(ctx, db, []string{town})
			if err != nil || len(gs) == 0 {
				t.Fatalf("grids of %s: %v", town, err)
			}
			for _, g := range gs {
				if c, _ := planar.CentroidArea(g.Polygon); planar.PolygonContains(g.Polygon, c) {
					return c[1], c[0]
				}
			}
			t.Fatalf("no grid of %s holds its centroid", town)
			return 0, 0
		}
		ljzLat, ljzLng := point(world.LujiazuiCode)
		xjLat, xjLng := point(world.XinjingCode)
		nowhere := [2]float64{39.9, 116.4} // Beijing
		var fe *problem.FieldError
		if err := s.checkPointTown(ctx, "zh", world.XinjingCode, &ljzLat, &ljzLng); !errors.As(err, &fe) || fe.Field != "lat" {
			t.Errorf("a point of 陆家嘴 for 新泾镇: %v, want a field error on lat", err)
		}
		if err := s.checkPointTown(ctx, "en", world.LujiazuiCode, &xjLat, &xjLng); err == nil {
			t.Error("a point of 新泾镇 for 陆家嘴 passed")
		}
		for name, p := range map[string][2]float64{"own": {xjLat, xjLng}, "nowhere": nowhere} {
			if err := s.checkPointTown(ctx, "zh", world.XinjingCode, &p[0], &p[1]); err != nil {
				t.Errorf("%s point: %v", name, err)
			}
		}
		if err := s.checkPointTown(ctx, "zh", world.XinjingCode, nil, nil); err != nil {
			t.Errorf("no point: %v", err)
		}
	})
}
