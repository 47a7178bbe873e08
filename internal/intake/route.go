// Package intake turns demands arriving from outside — today the 12345 hotline's batch exports
// and its JSON push — into work orders: it routes each to a grid (by coordinates, else by the
// address book) and a category, creates the new ones in bulk and applies the hotline's
// corrections to the ones already in, idempotently by the hotline's 工单编号.
package intake

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/fold"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Router places orders of one town: coordinates → grid by point-in-polygon; else the written
// address → grid through the address book; and the hotline's category text → a category code.
// Built once per import; safe for use by one goroutine.
type Router struct {
	Town     string
	TownName string
	locator  *places.Locator
	// elsewhere holds the other towns' grids (nil when there are none).
	elsewhere *places.Locator
	book      *dispatch.Book

	leaves   []orders.Category
	catCache map[string]string
}

// Located says how a grid was found: by the point, or by the address book (dispatch.By…).
const (
	ByPoint    = "point"
	ByAddress  = dispatch.ByAddress
	ByBuilding = dispatch.ByBuilding
	ByEstate   = dispatch.ByEstate
	ByLandmark = dispatch.ByLandmark
	ByNearest  = dispatch.ByNearest
	// ByOtherTown: the point lies in another town's grid; the order is left unplaced.
	ByOtherTown = "other_town"
)

// NewRouter reads the town's grids, address book and categories.
func NewRouter(ctx context.Context, q store.Querier, s *orders.Store, town string) (*Router, error) {
	r := &Router{Town: town, catCache: map[string]string{}}
	reg, err := places.GetRegion(ctx, q, town)
	if err != nil {
		return nil, fmt.Errorf("town %s: %w", town, err)
	}
	r.TownName = reg.Name
	// The town's own names; ParseAddress strips the city and district. Full names only: a short
	// name is often the start of an estate's name (新泾 of 新泾一村).
	prefixes := []string{reg.Name}
	if reg.ParentCode != "" {
		if d, err := places.GetRegion(ctx, q, reg.ParentCode); err == nil {
			prefixes = append(prefixes, d.Name)
		}
	}

	grids, err := places.Grids(ctx, q, []string{town})
	if err != nil {
		return nil, fmt.Errorf("grids of town %s: %w", town, err)
	}
	r.locator = places.NewLocator(grids)
	// The other towns' grids: a point there belongs to that town, and its address must not route
	// it into one of this town's grids.
	towns, err := places.TenantTowns(ctx, q, nil)
	if err != nil {
		return nil, err
	}
	var others []string
	for _, t := range towns {
		if t.Code != town {
			others = append(others, t.Code)
		}
	}
	if len(others) > 0 {
		og, err := places.Grids(ctx, q, others)
		if err != nil {
			return nil, fmt.Errorf("grids of the other towns: %w", err)
		}
		r.elsewhere = places.NewLocator(og)
	}

	book, err := places.Addresses(ctx, q, []string{town})
	if err != nil {
		return nil, fmt.Errorf("address book of town %s: %w", town, err)
	}
	entries := make([]dispatch.Entry, len(book))
	for i, a := range book {
		entries[i] = dispatch.Entry{Road: a.Road, Number: a.Number, Estate: a.Estate, Building: a.Building, Landmark: a.Landmark, Grid: a.GridCode}
	}
	r.book = dispatch.NewBook(prefixes, entries)

	cats, err := s.Categories(ctx, town)
	if err != nil {
		return nil, err
	}
	components := map[string]bool{}
	for _, c := range cats {
		if c.Parent == "" && c.Kind == "component" {
			components[c.Code] = true
		}
	}
	for _, c := range cats {
		if c.Parent == "" {
			continue
		}
		// The tree's own mapping of hotline texts (热线类别) is decided before any guessing.
		for _, a := range c.Aliases {
			if a = normalise(a); a != "" {
				r.catCache[a] = c.Code
			}
		}
		// A 部件 (component) sub-class names a thing (路灯), which a demand's text names as
		// well as the event it is about (路灯损坏): it is reached by its aliases only.
		if !components[c.Parent] {
			r.leaves = append(r.leaves, c)
		}
	}
	return r, nil
}

// shortName drops the administrative suffix: 新泾镇 → 新泾, 长宁区 → 长宁.
func shortName(name string) string {
	for _, suf := range []string{"街道", "镇", "乡", "区", "市"} {
		if s := strings.TrimSuffix(name, suf); s != name && utf8.RuneCountInString(s) >= 2 {
			return s
		}
	}
	return name
}

// Locator is the town's grid locator, for the order store's own point lookups.
func (r *Router) Locator() *places.Locator { return r.locator }

// Grid returns the grid of an order and how it was found, or "" when neither the point nor
// the address places it (the order then waits in the 待定位 queue). A point inside another
// town's grid is never routed into this town by its address: it waits, marked ByOtherTown, for
// the dispatcher to pass it on (issue #12: never to the reporter's grid).
func (r *Router) Grid(lng, lat *float64, address string) (grid, how string) {
	if lng != nil && lat != nil {
		if g, ok := r.locator.Locate(*lng, *lat); ok {
			return g.Code, ByPoint
		}
		if r.elsewhere != nil {
			if _, ok := r.elsewhere.Locate(*lng, *lat); ok {
				return "", ByOtherTown
			}
		}
	}
	return r.GridOfAddress(address)
}

// GridOfAddress routes a written address through the town's address book
// (dispatch.Book.Locate: road and number, estate and building, estate, landmark, nearest number).
func (r *Router) GridOfAddress(address string) (grid, how string) {
	return r.book.Locate(address)
}

// NormaliseAddress is the address as the address book matches it.
func (r *Router) NormaliseAddress(s string) string { return r.book.Normalise(s) }

// normalise is width folding and space removal.
func normalise(s string) string {
	if strings.IndexFunc(s, foldsWidth) >= 0 {
		s = width.Fold.String(s)
	}
	return fold.NoSpaces(s)
}

// foldsWidth reports whether width.Fold changes r: only the ideographic space and the
// full- and half-width forms block do (TestFoldsWidth checks every rune). Most text of a
// hotline export has none, and skipping Fold for it spares the importer an allocation per field.
func foldsWidth(r rune) bool {
	return r == '\u3000' || (r >= 0xFF00 && r <= 0xFFEF)
}

// Category maps the hotline's category text (诉求分类, e.g. 城市管理/市容环境/暴露垃圾) to a leaf
// of the town's tree: a leaf whose name the text contains; failing that, a leaf one of whose
// keywords it contains. Only a single candidate counts: an ambiguous text maps to nothing and the
// dispatcher chooses.
func (r *Router) Category(text string) string {
	text = normalise(text)
	if text == "" {
		return ""
	}
	if c, ok := r.catCache[text]; ok {
		return c
	}
	pick := func(match func(orders.Category) bool) (string, bool) {
		found := ""
		for _, c := range r.leaves {
			if match(c) {
				if found != "" && found != c.Code {
					return "", true // ambiguous: decided, as nothing
				}
				found = c.Code
			}
		}
		return found, found != ""
	}
	code, ok := pick(func(c orders.Category) bool {
		return utf8.RuneCountInString(c.Name) >= 2 && strings.Contains(text, normalise(c.Name))
	})
	if !ok {
		code, _ = pick(func(c orders.Category) bool {
			for _, k := range c.Keywords {
				if k = normalise(k); utf8.RuneCountInString(k) >= 2 && strings.Contains(text, k) {
					return true
				}
			}
			return false
		})
	}
	if len(r.catCache) < 10_000 {
		r.catCache[text] = code
	}
	return code
}
