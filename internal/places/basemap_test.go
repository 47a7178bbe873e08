package places

import (
	"testing"

	"github.com/paulmach/orb"
)

func unitSquare(x, y float64) orb.Polygon {
	return orb.Polygon{{{x, y}, {x + 1, y}, {x + 1, y + 1}, {x, y + 1}, {x, y}}}
}

// Two grids side by side: the shared edge is inside the town, the other six make one closed line.
func TestTownOutline(t *testing.T) {
	out := TownOutline([]Grid{{Polygon: unitSquare(0, 0)}, {Polygon: unitSquare(1, 0)}})
	if len(out) != 1 {
		t.Fatalf("outline has %d lines, want 1: %v", len(out), out)
	}
	line := out[0]
	if len(line) != 7 || line[0] != line[len(line)-1] {
		t.Fatalf("outline %v: want a closed line of 6 edges", line)
	}
	for _, p := range line {
		if p == (orb.Point{1, 0.5}) {
			t.Errorf("outline %v runs through the shared edge", line)
		}
	}
	for i := 0; i+1 < len(line); i++ {
		a, b := line[i], line[i+1]
		if a[0] == 1 && b[0] == 1 {
			t.Errorf("outline keeps the shared edge %v–%v", a, b)
		}
	}
	// Two grids apart: two lines.
	if out := TownOutline([]Grid{{Polygon: unitSquare(0, 0)}, {Polygon: unitSquare(5, 5)}}); len(out) != 2 {
		t.Errorf("apart: %d lines", len(out))
	}
}

func TestLabelPointAndShortName(t *testing.T) {
	if p := labelPoint(unitSquare(0, 0)); p != (orb.Point{0.5, 0.5}) {
		t.Errorf("label point %v", p)
	}
	if s := ShortGridName("新泾镇第四网格", "新泾镇"); s != "第四网格" {
		t.Errorf("short %q", s)
	}
	if s := ShortGridName("新泾镇", "新泾镇"); s != "新泾镇" {
		t.Errorf("short of the town's own name %q", s)
	}
}
