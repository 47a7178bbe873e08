// Package geo turns a point into the grid that holds it: an exact point-in-polygon test over a
// bucket index (an R-tree for the largest parts), with one rule for points on shared borders,
// holes and multipolygons, across towns. It is the foundation that places' Locator and dispatch
// intelligence (internal/dispatch) both stand on, so it imports neither.
package geo

import (
	"errors"
	"fmt"
)

// ErrNoGrid: the point lies in no indexed grid of any town.
var ErrNoGrid = errors.New("the point lies in no grid")

// OtherTownError refuses a point reported to one town that lies inside another town's grid.
type OtherTownError struct {
	From, Town, Grid string
}

func (e *OtherTownError) Error() string {
	return fmt.Sprintf("the point lies in grid %s of town %s, not in town %s", e.Grid, e.Town, e.From)
}

// Placement is where a point reported to town From belongs.
type Placement struct {
	From string // the town the report was made to
	Town string // the town whose grid holds the point
	Grid string
}

// Moved reports whether the point lies in another town than the one it was reported to.
func (p Placement) Moved() bool { return p.Town != p.From }

// Refuse returns an *OtherTownError when the point lies in another town, for callers that
// must not move a report across towns (a resident's form of one town).
func (p Placement) Refuse() error {
	if p.Moved() {
		return &OtherTownError{From: p.From, Town: p.Town, Grid: p.Grid}
	}
	return nil
}

// Route places a point reported to town from, over an index of every town's grids: the town of
// the grid holding the point, which is another town when the point lies there — never one of
// from's own grids merely because the report was made to it. A point in grids of two towns
// (overlapping towns, which valid data does not have) stays in from. ErrNoGrid when no grid
// holds it.
func (ix *Index) Route(from string, lng, lat float64) (Placement, error) {
	s := search{ix: ix, best: -1}
	s.pt[0], s.pt[1] = lng, lat
	own := search{ix: ix, pt: s.pt, best: -1}
	ix.candidates(s.pt, func(pi int32) {
		s.visit(pi)
		if ix.areas[ix.parts[pi].area].Town == from {
			own.visit(pi)
		}
	})
	switch {
	case own.best >= 0:
		return Placement{From: from, Town: from, Grid: ix.areas[own.best].Code}, nil
	case s.best >= 0:
		a := ix.areas[s.best]
		return Placement{From: from, Town: a.Town, Grid: a.Code}, nil
	}
	return Placement{From: from}, ErrNoGrid
}
