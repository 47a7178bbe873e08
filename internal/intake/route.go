// Package intake turns demands arriving from outside — today the 12345 hotline's batch exports
// and its JSON push — into work orders: it routes each to a grid (by coordinates, else by the
// address book) and a category, creates the new ones in bulk and applies the hotline's
// corrections to the ones already in, idempotently by the hotline's 工单编号.
package intake

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/width"

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
	prefixes []string // place names an address may start with, longest first

	byRoadNumber map[string]string // "剑河路|176弄" → grid
	roads        []string          // known roads, longest first
	byRoad       map[string][]numbered
	estates      []estate // longest name first

	leaves   []orders.Category
	catCache map[string]string
}

type numbered struct {
	n    int
	grid string
}

type estate struct {
	name string
	grid string // "" when the estate spans grids: then the name alone decides nothing
}

// Located says how a grid was found.
const (
	ByPoint   = "point"
	ByAddress = "address"
	ByEstate  = "estate"
	ByNearest = "nearest"
)

// NewRouter reads the town's grids, address book and categories.
func NewRouter(ctx context.Context, q store.Querier, s *orders.Store, town string) (*Router, error) {
	r := &Router{Town: town, byRoadNumber: map[string]string{}, byRoad: map[string][]numbered{}, catCache: map[string]string{}}
	reg, err := places.GetRegion(ctx, q, town)
	if err != nil {
		return nil, fmt.Errorf("town %s: %w", town, err)
	}
	r.TownName = reg.Name
	// Full names only: a short name is often the start of an estate's name (新泾 of 新泾一村).
	r.prefixes = []string{"中华人民共和国", "中国", "上海市", "上海", reg.Name}
	if reg.ParentCode != "" {
		if d, err := places.GetRegion(ctx, q, reg.ParentCode); err == nil {
			r.prefixes = append(r.prefixes, d.Name)
		}
	}
	sort.Slice(r.prefixes, func(i, j int) bool { return len(r.prefixes[i]) > len(r.prefixes[j]) })

	grids, err := places.Grids(ctx, q, []string{town})
	if err != nil {
		return nil, fmt.Errorf("grids of town %s: %w", town, err)
	}
	r.locator = places.NewLocator(grids)

	book, err := places.Addresses(ctx, q, []string{town})
	if err != nil {
		return nil, fmt.Errorf("address book of town %s: %w", town, err)
	}
	estateGrid := map[string]string{}
	for _, a := range book {
		if a.GridCode == "" {
			continue
		}
		road, num := normalise(a.Road), normalise(a.Number)
		if road != "" && num != "" {
			r.byRoadNumber[road+"|"+num] = a.GridCode
			if n, _, ok := leadingNumber(num); ok {
				if _, seen := r.byRoad[road]; !seen {
					r.roads = append(r.roads, road)
				}
				r.byRoad[road] = append(r.byRoad[road], numbered{n, a.GridCode})
			}
		}
		if e := normalise(a.Estate); utf8.RuneCountInString(e) >= 2 {
			if g, seen := estateGrid[e]; !seen {
				estateGrid[e] = a.GridCode
			} else if g != a.GridCode {
				estateGrid[e] = ""
			}
		}
	}
	sort.Slice(r.roads, func(i, j int) bool { return len(r.roads[i]) > len(r.roads[j]) })
	for name, g := range estateGrid {
		r.estates = append(r.estates, estate{name, g})
	}
	sort.Slice(r.estates, func(i, j int) bool {
		if len(r.estates[i].name) != len(r.estates[j].name) {
			return len(r.estates[i].name) > len(r.estates[j].name)
		}
		return r.estates[i].name < r.estates[j].name
	})
	for _, nums := range r.byRoad {
		sort.Slice(nums, func(i, j int) bool {
			return nums[i].n < nums[j].n || (nums[i].n == nums[j].n && nums[i].grid < nums[j].grid)
		})
	}

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
// the address places it (the order then waits in the 待定位 queue).
func (r *Router) Grid(lng, lat *float64, address string) (grid, how string) {
	if lng != nil && lat != nil {
		if g, ok := r.locator.Locate(*lng, *lat); ok {
			return g.Code, ByPoint
		}
	}
	return r.GridOfAddress(address)
}

// GridOfAddress routes a written address through the address book: the exact road and number
// (号 and 弄 are tried both ways, since callers mix them), else an estate (小区) named in the
// address, else the nearest known number on the same road.
func (r *Router) GridOfAddress(address string) (grid, how string) {
	a := r.NormaliseAddress(address)
	if a == "" {
		return "", ""
	}
	road, rest := "", ""
	for _, rd := range r.roads {
		if i := strings.Index(a, rd); i >= 0 {
			road, rest = rd, a[i+len(rd):]
			break
		}
	}
	var num int
	var hasNum bool
	if road != "" {
		var unit string
		num, unit, hasNum = leadingNumber(rest)
		if hasNum {
			digits := strconv.Itoa(num)
			for _, u := range []string{unit, "号", "弄"} {
				if g, ok := r.byRoadNumber[road+"|"+digits+u]; ok {
					return g, ByAddress
				}
			}
		}
	}
	for _, e := range r.estates {
		if e.grid != "" && strings.Contains(a, e.name) {
			return e.grid, ByEstate
		}
	}
	if hasNum {
		nums := r.byRoad[road]
		best, bestD := "", -1
		for _, x := range nums {
			d := x.n - num
			if d < 0 {
				d = -d
			}
			if bestD < 0 || d < bestD {
				best, bestD = x.grid, d
			}
		}
		if best != "" {
			return best, ByNearest
		}
	}
	return "", ""
}

// NormaliseAddress folds full-width characters to half-width, removes spaces and strips the
// city, district and town names an address usually starts with.
func (r *Router) NormaliseAddress(s string) string {
	s = normalise(s)
	for again := true; again; {
		again = false
		for _, p := range r.prefixes {
			if p != "" && strings.HasPrefix(s, p) {
				s, again = s[len(p):], true
			}
		}
	}
	return s
}

// normalise is width folding and space removal.
func normalise(s string) string {
	if strings.IndexFunc(s, foldsWidth) >= 0 {
		s = width.Fold.String(s)
	}
	if strings.IndexFunc(s, isSpace) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isSpace(r) {
			return -1
		}
		return r
	}, s)
}

// foldsWidth reports whether width.Fold changes r: only the ideographic space and the
// full- and half-width forms block do (TestFoldsWidth checks every rune). Most text of a
// hotline export has none, and skipping Fold for it spares the importer an allocation per field.
func foldsWidth(r rune) bool {
	return r == '\u3000' || (r >= 0xFF00 && r <= 0xFFEF)
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u3000' || r == '\u00a0'
}

// leadingNumber reads "176弄12号" as 176 and "弄"; the unit is "" when none follows.
func leadingNumber(s string) (int, string, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i > 6 {
		return 0, "", false
	}
	n, _ := strconv.Atoi(s[:i])
	unit := ""
	for _, u := range []string{"号", "弄", "支弄"} {
		if strings.HasPrefix(s[i:], u) {
			unit = u
			break
		}
	}
	return n, unit, true
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
