package places

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/paulmach/orb"
)

// Basemap is what the product knows of its towns' geography, for maps drawn without a tile
// server: each town's outline, its grids' outlines and names, its residents' committees (at the
// middle of their address-book entries, as no committee boundary is stored) and its landmarks.
// It holds no person: any signed-in user's map may show it.
type Basemap struct {
	Towns      []BasemapTown      `json:"towns"`
	Grids      []BasemapGrid      `json:"grids"`
	Committees []BasemapCommittee `json:"committees"`
	Landmarks  []BasemapLandmark  `json:"landmarks"`
}

// BasemapTown is a town's name, label point and outline: the edges of its grids that no other of
// its grids shares, as [lng, lat] segments chained into lines.
type BasemapTown struct {
	Code    string              `json:"code"`
	Name    string              `json:"name"`
	Lat     float64             `json:"lat"`
	Lng     float64             `json:"lng"`
	Outline orb.MultiLineString `json:"outline"`
}

// BasemapGrid is a grid's outline ([lng, lat] rings) and its name, without the town's prefix.
type BasemapGrid struct {
	Code    string      `json:"code"`
	Town    string      `json:"town"`
	Name    string      `json:"name"`
	Short   string      `json:"short"`
	Polygon orb.Polygon `json:"polygon"`
	Lat     float64     `json:"lat"`
	Lng     float64     `json:"lng"`
}

// BasemapCommittee is a residents' committee at the middle of its addresses.
type BasemapCommittee struct {
	Code string  `json:"code"`
	Town string  `json:"town"`
	Name string  `json:"name"`
	Lat  float64 `json:"lat"`
	Lng  float64 `json:"lng"`
}

// BasemapLandmark is a place of the address book: a landmark, or an estate (kind "estate").
type BasemapLandmark struct {
	Town string  `json:"town"`
	Name string  `json:"name"`
	Kind string  `json:"kind"`
	Lat  float64 `json:"lat"`
	Lng  float64 `json:"lng"`
}

// LoadBasemap reads the basemap of towns.
func LoadBasemap(ctx context.Context, q store.Querier, towns []string) (Basemap, error) {
	b := Basemap{Towns: []BasemapTown{}, Grids: []BasemapGrid{}, Committees: []BasemapCommittee{}, Landmarks: []BasemapLandmark{}}
	regions, err := TenantTowns(ctx, q, towns)
	if err != nil {
		return b, fmt.Errorf("basemap towns: %w", err)
	}
	grids, err := Grids(ctx, q, towns)
	if err != nil {
		return b, fmt.Errorf("basemap grids: %w", err)
	}
	byTown := map[string][]Grid{}
	for _, g := range grids {
		byTown[g.TownCode] = append(byTown[g.TownCode], g)
	}
	names := map[string]string{}
	for _, t := range regions {
		names[t.Code] = t.Name
		gs := byTown[t.Code]
		if len(gs) == 0 {
			continue
		}
		bt := BasemapTown{Code: t.Code, Name: t.Name, Outline: TownOutline(gs)}
		bound := gs[0].Polygon.Bound()
		for _, g := range gs[1:] {
			bound = bound.Union(g.Polygon.Bound())
		}
		c := bound.Center()
		bt.Lng, bt.Lat = c[0], c[1]
		b.Towns = append(b.Towns, bt)
	}
	for _, g := range grids {
		c := labelPoint(g.Polygon)
		b.Grids = append(b.Grids, BasemapGrid{Code: g.Code, Town: g.TownCode, Name: g.Name, Short: ShortGridName(g.Name, names[g.TownCode]),
			Polygon: g.Polygon, Lng: c[0], Lat: c[1]})
	}
	cs, err := Committees(ctx, q, towns)
	if err != nil {
		return b, fmt.Errorf("basemap committees: %w", err)
	}
	addrs, err := Addresses(ctx, q, towns)
	if err != nil {
		return b, fmt.Errorf("basemap addresses: %w", err)
	}
	sum := map[string][3]float64{}
	for _, a := range addrs {
		if a.CommitteeCode == "" || (a.Lat == 0 && a.Lng == 0) {
			continue
		}
		s := sum[a.CommitteeCode]
		sum[a.CommitteeCode] = [3]float64{s[0] + a.Lat, s[1] + a.Lng, s[2] + 1}
	}
	for _, c := range cs {
		if s, ok := sum[c.Code]; ok {
			b.Committees = append(b.Committees, BasemapCommittee{Code: c.Code, Town: c.TownCode, Name: c.Name, Lat: s[0] / s[2], Lng: s[1] / s[2]})
		}
	}
	ps, err := Places(ctx, q, towns)
	if err != nil {
		return b, fmt.Errorf("basemap places: %w", err)
	}
	for _, p := range ps {
		if p.Kind == "road" { // a road is a line, not a point: its pin would sit somewhere on it
			continue
		}
		b.Landmarks = append(b.Landmarks, BasemapLandmark{Town: p.TownCode, Name: p.Name, Kind: p.Kind, Lat: p.Lat, Lng: p.Lng})
	}
	return b, nil
}

// ShortGridName is a grid's name without its town's ("新泾镇第四网格" → "第四网格"), the whole
// name when that would leave nothing.
func ShortGridName(name, town string) string {
	if s := strings.TrimPrefix(name, town); s != "" {
		return s
	}
	return name
}

// labelPoint is where a grid's name goes: the centroid of its outer ring, or the middle of its
// bounds when the centroid falls outside (an L-shaped grid).
func labelPoint(p orb.Polygon) orb.Point {
	if len(p) == 0 {
		return orb.Point{}
	}
	var a, cx, cy float64
	r := p[0]
	for i := 0; i+1 < len(r); i++ {
		f := r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
		a += f
		cx += (r[i][0] + r[i+1][0]) * f
		cy += (r[i][1] + r[i+1][1]) * f
	}
	if a == 0 {
		return p.Bound().Center()
	}
	c := orb.Point{cx / (3 * a), cy / (3 * a)}
	if !strictlyInside(p, c) {
		return p.Bound().Center()
	}
	return c
}

// TownOutline is the outline of a town drawn from its grids: every edge that only one grid has
// (an edge two grids share lies inside the town), chained into lines. Grids of one town share
// their vertices along common boundaries, as the grid editor and the demo draw them; points are
// compared at 1e-7 degrees (about a centimetre).
func TownOutline(grids []Grid) orb.MultiLineString {
	type key [2]int64
	k := func(p orb.Point) key { return key{int64(math.Round(p[0] * 1e7)), int64(math.Round(p[1] * 1e7))} }
	type edge struct{ a, b orb.Point }
	count := map[[2]key]int{}
	var edges []edge
	for _, g := range grids {
		for _, ring := range g.Polygon {
			for i := 0; i+1 < len(ring); i++ {
				a, b := ring[i], ring[i+1]
				ka, kb := k(a), k(b)
				if ka == kb {
					continue
				}
				if kb[0] < ka[0] || (kb[0] == ka[0] && kb[1] < ka[1]) {
					ka, kb = kb, ka
				}
				id := [2]key{ka, kb}
				if count[id] == 0 {
					edges = append(edges, edge{a, b})
				}
				count[id]++
			}
		}
	}
	// The outer edges, chained: from each unused edge, follow the edge that starts where it ends.
	next := map[key][]int{}
	var outer []edge
	for _, e := range edges {
		ka, kb := k(e.a), k(e.b)
		if kb[0] < ka[0] || (kb[0] == ka[0] && kb[1] < ka[1]) {
			ka, kb = kb, ka
		}
		if count[[2]key{ka, kb}] == 1 {
			next[k(e.a)] = append(next[k(e.a)], len(outer))
			next[k(e.b)] = append(next[k(e.b)], len(outer))
			outer = append(outer, e)
		}
	}
	used := make([]bool, len(outer))
	var out orb.MultiLineString
	for i := range outer {
		if used[i] {
			continue
		}
		used[i] = true
		line := orb.LineString{outer[i].a, outer[i].b}
		for {
			end := k(line[len(line)-1])
			found := false
			for _, j := range next[end] {
				if used[j] {
					continue
				}
				used[j] = true
				if k(outer[j].a) == end {
					line = append(line, outer[j].b)
				} else {
					line = append(line, outer[j].a)
				}
				found = true
				break
			}
			if !found {
				break
			}
		}
		out = append(out, line)
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}
