package places

import (
	"testing"

	"github.com/paulmach/orb"
)

func rect(x0, y0, x1, y1 float64) orb.Polygon {
	return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
}

func TestOverlap(t *testing.T) {
	a := rect(0, 0, 2, 2)
	cases := []struct {
		name string
		b    orb.Polygon
		want bool
	}{
		{"shares an edge", rect(2, 0, 4, 2), false},
		{"shares a corner", rect(2, 2, 3, 3), false},
		{"apart", rect(5, 5, 6, 6), false},
		{"crossing edges", rect(1, 1, 3, 3), true},
		{"inside", rect(0.5, 0.5, 1, 1), true},
		{"contains", rect(-1, -1, 3, 3), true},
		{"identical", rect(0, 0, 2, 2), true},
		{"same edge, half inside", rect(0, 0, 1, 2), true},
	}
	for _, c := range cases {
		if got := Overlap(a, c.b); got != c.want {
			t.Errorf("%s: Overlap = %v, want %v", c.name, got, c.want)
		}
		if got := Overlap(c.b, a); got != c.want {
			t.Errorf("%s (swapped): Overlap = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestParsePolygonErrors(t *testing.T) {
	cases := map[string]string{
		`nope`:               "not valid JSON",
		`{"coordinates":[]}`: `missing "type"`,
		`{"type":"LineString","coordinates":[[0,0],[1,1]]}`:                  "want Polygon",
		`{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`:             "at least 4",
		`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`:       "not closed",
		`{"type":"Polygon","coordinates":[[[0,0],[200,0],[1,1],[0,0]]]}`:     "longitude/latitude",
		`{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}`: "crosses itself",
	}
	for in, want := range cases {
		_, err := ParsePolygon([]byte(in))
		if err == nil || !contains(err.Error(), want) {
			t.Errorf("ParsePolygon(%s) = %v, want error containing %q", in, err, want)
		}
	}
	p, err := ParsePolygon([]byte(`{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}`))
	if err != nil || len(p[0]) != 5 {
		t.Errorf("Feature with polygon: %v %v", p, err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestLocator(t *testing.T) {
	l := NewLocator([]Grid{{Code: "B", Polygon: rect(1, 0, 2, 1)}, {Code: "A", Polygon: rect(0, 0, 1, 1)}})
	cases := []struct {
		x, y float64
		want string
		ok   bool
	}{
		{0.5, 0.5, "A", true},
		{1.5, 0.5, "B", true},
		{1, 0.5, "A", true}, // on the shared edge: lowest code
		{3, 3, "", false},
	}
	for _, c := range cases {
		g, ok := l.Locate(c.x, c.y)
		if ok != c.ok || g.Code != c.want {
			t.Errorf("Locate(%v,%v) = %q %v, want %q %v", c.x, c.y, g.Code, ok, c.want, c.ok)
		}
	}
}
