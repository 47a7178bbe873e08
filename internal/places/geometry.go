package places

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// ParsePolygon reads a grid boundary from GeoJSON: a Polygon geometry or a Feature holding one.
// The error names what is wrong so that an admin pasting a boundary can fix it.
func ParsePolygon(data []byte) (orb.Polygon, error) {
	var probe struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	var g orb.Geometry
	switch probe.Type {
	case "Feature":
		f, err := geojson.UnmarshalFeature(data)
		if err != nil {
			return nil, fmt.Errorf("GeoJSON Feature: %v", err)
		}
		g = f.Geometry
	case "Polygon":
		gg, err := geojson.UnmarshalGeometry(data)
		if err != nil {
			return nil, fmt.Errorf("GeoJSON Polygon: %v", err)
		}
		g = gg.Geometry()
	case "":
		return nil, fmt.Errorf(`missing "type": want a GeoJSON Polygon or Feature`)
	default:
		return nil, fmt.Errorf("GeoJSON type %q: want Polygon (or a Feature with a Polygon)", probe.Type)
	}
	p, ok := g.(orb.Polygon)
	if !ok {
		return nil, fmt.Errorf("geometry is %T, want a Polygon", g)
	}
	if err := ValidatePolygon(p); err != nil {
		return nil, err
	}
	return p, nil
}

// ValidatePolygon checks that a boundary is usable for point-in-polygon routing: closed rings of
// at least four points, real coordinates, no self-crossing outer ring.
func ValidatePolygon(p orb.Polygon) error {
	if len(p) == 0 {
		return fmt.Errorf("polygon has no rings")
	}
	for i, ring := range p {
		if len(ring) < 4 {
			return fmt.Errorf("ring %d has %d points, need at least 4 (a closed triangle)", i, len(ring))
		}
		if ring[0] != ring[len(ring)-1] {
			return fmt.Errorf("ring %d is not closed: first point %v differs from last %v", i, ring[0], ring[len(ring)-1])
		}
		for j, pt := range ring {
			if math.IsNaN(pt[0]) || math.IsNaN(pt[1]) || pt[0] < -180 || pt[0] > 180 || pt[1] < -90 || pt[1] > 90 {
				return fmt.Errorf("ring %d point %d %v is not a longitude/latitude pair", i, j, pt)
			}
		}
		if a, b, ok := selfCrossing(ring); ok {
			return fmt.Errorf("ring %d crosses itself (edges %d and %d)", i, a, b)
		}
		if planar.Area(ring) == 0 {
			return fmt.Errorf("ring %d encloses no area", i)
		}
	}
	return nil
}

func selfCrossing(r orb.Ring) (int, int, bool) {
	n := len(r) - 1
	for i := 0; i < n; i++ {
		for j := i + 2; j < n; j++ {
			if i == 0 && j == n-1 {
				continue // first and last edges share the closing point
			}
			if properCross(r[i], r[i+1], r[j], r[j+1]) {
				return i, j, true
			}
		}
	}
	return 0, 0, false
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

const eps = 1e-12

// properCross reports whether segments ab and cd cross at a point interior to both.
func properCross(a, b, c, d orb.Point) bool {
	o1, o2 := orient(a, b, c), orient(a, b, d)
	o3, o4 := orient(c, d, a), orient(c, d, b)
	return ((o1 > eps && o2 < -eps) || (o1 < -eps && o2 > eps)) &&
		((o3 > eps && o4 < -eps) || (o3 < -eps && o4 > eps))
}

// onBoundary reports whether pt lies on any edge of the polygon.
func onBoundary(p orb.Polygon, pt orb.Point) bool {
	for _, ring := range p {
		for i := 0; i+1 < len(ring); i++ {
			a, b := ring[i], ring[i+1]
			if math.Abs(orient(a, b, pt)) > 1e-14 {
				continue
			}
			if pt[0] >= math.Min(a[0], b[0])-1e-12 && pt[0] <= math.Max(a[0], b[0])+1e-12 &&
				pt[1] >= math.Min(a[1], b[1])-1e-12 && pt[1] <= math.Max(a[1], b[1])+1e-12 {
				return true
			}
		}
	}
	return false
}

func strictlyInside(p orb.Polygon, pt orb.Point) bool {
	return planar.PolygonContains(p, pt) && !onBoundary(p, pt)
}

// Overlap reports whether the interiors of two boundaries intersect. Grids of one town may share
// edges and corners but never area, or a point would route to two grids.
func Overlap(a, b orb.Polygon) bool {
	if !a.Bound().Intersects(b.Bound()) {
		return false
	}
	for _, ra := range a {
		for i := 0; i+1 < len(ra); i++ {
			for _, rb := range b {
				for j := 0; j+1 < len(rb); j++ {
					if properCross(ra[i], ra[i+1], rb[j], rb[j+1]) {
						return true
					}
				}
			}
		}
	}
	// No edges cross: either one lies inside the other, or they only touch. Test vertices and
	// edge midpoints, which catches containment and identical or nested boundaries.
	probe := func(x, y orb.Polygon) bool {
		for _, r := range x {
			for i := 0; i+1 < len(r); i++ {
				mid := orb.Point{(r[i][0] + r[i+1][0]) / 2, (r[i][1] + r[i+1][1]) / 2}
				if strictlyInside(y, r[i]) || strictlyInside(y, mid) {
					return true
				}
			}
		}
		c, _ := planar.CentroidArea(x)
		return strictlyInside(y, c)
	}
	return probe(a, b) || probe(b, a)
}
