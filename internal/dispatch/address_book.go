package dispatch

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Entry is one line of a town's address book: a road and number (剑河路 / 176弄, 88号,
// 176弄3支弄), an estate (小区) and optionally one of its buildings (12号楼), or a landmark
// (a school, a market, a metro exit), and the grid it belongs to. Road and number, estate (with
// or without building) and landmark may each be given alone.
type Entry struct {
	Road, Number, Estate, Building, Landmark, Grid string
}

// How the address book found a grid.
const (
	ByAddress  = "address"  // road and number
	ByBuilding = "building" // estate and building
	ByEstate   = "estate"   // an estate all of whose entries lie in one grid
	ByLandmark = "landmark" // a landmark named in the address
	ByNearest  = "nearest"  // the nearest known number on the same road
)

// Book routes written addresses to grids. Built once from a town's entries; safe for
// concurrent use.
type Book struct {
	prefixes []string // folded place names an address may start with, longest first

	byRoadNumber map[string]string // "剑河路|176弄" → grid
	roads        names             // known roads
	byRoad       map[string][]numbered
	byBuilding   map[string]string // "天山一村|12" → grid
	estates      names
	landmarks    names
}

type numbered struct {
	n    int
	grid string
}

type named struct {
	name string
	grid string // "" when the name spans grids: then it decides nothing
}

// NewBook indexes entries. prefixes are the place names of the town an address may start
// with that ParseAddress does not know (the town's own name, 新泾镇); full names only, since a
// short name is often the start of an estate's name (新泾 of 新泾一村).
func NewBook(prefixes []string, entries []Entry) *Book {
	b := &Book{byRoadNumber: map[string]string{}, byRoad: map[string][]numbered{}, byBuilding: map[string]string{}}
	for _, p := range prefixes {
		if p = foldAddress(p); p != "" {
			b.prefixes = append(b.prefixes, p)
		}
	}
	sort.Slice(b.prefixes, func(i, j int) bool { return len(b.prefixes[i]) > len(b.prefixes[j]) })
	estateGrid, landmarkGrid := map[string]string{}, map[string]string{}
	unique := func(m map[string]string, name, grid string) {
		if utf8.RuneCountInString(name) < 2 {
			return
		}
		if g, seen := m[name]; !seen {
			m[name] = grid
		} else if g != grid {
			m[name] = ""
		}
	}
	for _, e := range entries {
		if e.Grid == "" {
			continue
		}
		road, num := foldAddress(e.Road), numerals(foldAddress(e.Number))
		if road != "" && num != "" {
			b.byRoadNumber[road+"|"+num] = e.Grid
			if chain := numberChain(num); len(chain) > 0 {
				if _, seen := b.byRoad[road]; !seen {
					b.roads.list = append(b.roads.list, named{name: road})
				}
				b.byRoad[road] = append(b.byRoad[road], numbered{chain[0].n, e.Grid})
			}
		}
		estate := foldAddress(e.Estate)
		if n, ok := buildingNumber(numerals(foldAddress(e.Building))); ok && estate != "" {
			b.byBuilding[estate+"|"+strconv.Itoa(n)] = e.Grid
		}
		unique(estateGrid, estate, e.Grid)
		// An address loses the town's name at its front (normalise), so a landmark named with it
		// (新泾镇社区党群服务中心) is listed without it too.
		unique(landmarkGrid, b.stripPrefixes(foldAddress(e.Landmark)), e.Grid)
	}
	b.roads.index()
	b.estates, b.landmarks = sortedNames(estateGrid), sortedNames(landmarkGrid)
	for _, nums := range b.byRoad {
		sort.Slice(nums, func(i, j int) bool {
			return nums[i].n < nums[j].n || (nums[i].n == nums[j].n && nums[i].grid < nums[j].grid)
		})
	}
	return b
}

func sortedNames(m map[string]string) names {
	var ns names
	for name, g := range m {
		ns.list = append(ns.list, named{name, g})
	}
	ns.index()
	return ns
}

// names finds which of many names (roads, estates, landmarks) a text contains without trying
// each: a name is listed under its first three characters (two for names of two), and the
// text's positions are looked up there. A book of thousands of names costs a few map lookups
// per character of the address.
type names struct {
	list  []named // longest first, then by name
	byKey map[string][]int32
	short []int32 // names of one character, tried one by one
}

// keyLen is the number of characters a name is listed under: the first three (天山一 of
// 天山一村, not 天山, which every 天山…村 shares), or two for a name of two.
const keyLen = 3

func (ns *names) index() {
	sort.Slice(ns.list, func(i, j int) bool {
		if len(ns.list[i].name) != len(ns.list[j].name) {
			return len(ns.list[i].name) > len(ns.list[j].name)
		}
		return ns.list[i].name < ns.list[j].name
	})
	ns.byKey = map[string][]int32{}
	for i, n := range ns.list {
		if k := prefixRunes(n.name, keyLen); k != "" {
			ns.byKey[k] = append(ns.byKey[k], int32(i))
		} else if k := prefixRunes(n.name, 2); k != "" && k == n.name {
			ns.byKey[k] = append(ns.byKey[k], int32(i))
		} else {
			ns.short = append(ns.short, int32(i))
		}
	}
}

// prefixRunes is the first n characters of s, or "" when s has fewer.
func prefixRunes(s string, n int) string {
	end := 0
	for range n {
		if end >= len(s) {
			return ""
		}
		_, w := utf8.DecodeRuneInString(s[end:])
		end += w
	}
	return s[:end]
}

// hit is a name found in a text: its position in list and where it first occurs.
type hit struct {
	name int
	at   int
}

// in returns the names a contains, in list order (longest first), each with its first
// occurrence.
func (ns *names) in(a string) []hit {
	var hits []hit
	add := func(i int32, at int) {
		for _, h := range hits {
			if h.name == int(i) {
				return
			}
		}
		hits = append(hits, hit{int(i), at})
	}
	for at := 0; at < len(a); {
		for _, n := range [2]int{keyLen, 2} {
			if k := prefixRunes(a[at:], n); k != "" {
				for _, i := range ns.byKey[k] {
					if strings.HasPrefix(a[at:], ns.list[i].name) {
						add(i, at)
					}
				}
			}
		}
		_, w := utf8.DecodeRuneInString(a[at:])
		at += w
	}
	for _, i := range ns.short {
		if at := strings.Index(a, ns.list[i].name); at >= 0 {
			add(i, at)
		}
	}
	sort.Slice(hits, func(x, y int) bool { return hits[x].name < hits[y].name })
	return hits
}

// Normalise is the address as the book matches it: ParseAddress's details (no name, phone,
// province, city or district), folded (full-width, traditional characters, case), without
// spaces, the town's own names stripped from the front, Chinese numerals before 号/弄/栋…
// written in digits.
func (b *Book) Normalise(address string) string {
	return b.normalise(ParseAddress(address).Details)
}

func (b *Book) normalise(details string) string {
	return numerals(b.stripPrefixes(foldAddress(details)))
}

// stripPrefixes drops the town's own names from the front of a folded address.
func (b *Book) stripPrefixes(s string) string {
	for again := true; again; {
		again = false
		for _, p := range b.prefixes {
			if strings.HasPrefix(s, p) {
				s, again = s[len(p):], true
			}
		}
	}
	return s
}

// Locate routes a written address to a grid: the exact road and number (the longest known
// prefix of 176弄3支弄12号; 号 and 弄 tried both ways, since callers mix them), else an estate's
// building, else an estate in one grid, else a landmark, else the nearest known number on the
// same road. "" when nothing places it.
func (b *Book) Locate(address string) (grid, how string) {
	p := ParseAddress(address)
	if grid, how = b.locate(b.normalise(p.Details)); grid == "" && p.Name != "" {
		// What looked like a person's name may be a place (家乐福, 菜场 written apart): try the
		// address with it.
		grid, how = b.locate(b.normalise(p.Details + p.Name))
	}
	return grid, how
}

func (b *Book) locate(a string) (grid, how string) {
	if a == "" {
		return "", ""
	}
	road, rest := "", ""
	if hits := b.roads.in(a); len(hits) > 0 {
		road = b.roads.list[hits[0].name].name
		rest = a[hits[0].at+len(road):]
	}
	var chain []part2
	if road != "" {
		chain = numberChain(rest)
		for k := len(chain); k >= 1; k-- {
			key := joinChain(chain[:k])
			if g, ok := b.byRoadNumber[road+"|"+key]; ok {
				return g, ByAddress
			}
			if k == 1 {
				for _, u := range []string{"号", "弄", ""} {
					if g, ok := b.byRoadNumber[road+"|"+strconv.Itoa(chain[0].n)+u]; ok {
						return g, ByAddress
					}
				}
			}
		}
	}
	for _, h := range b.estates.in(a) {
		e, i := b.estates.list[h.name], h.at
		if n, ok := buildingNumber(a[i+len(e.name):]); ok {
			if g, ok := b.byBuilding[e.name+"|"+strconv.Itoa(n)]; ok {
				return g, ByBuilding
			}
		}
		if e.grid != "" {
			return e.grid, ByEstate
		}
	}
	for _, h := range b.landmarks.in(a) {
		if l := b.landmarks.list[h.name]; l.grid != "" {
			return l.grid, ByLandmark
		}
	}
	if len(chain) > 0 {
		num := chain[0].n
		best, bestD := "", -1
		for _, x := range b.byRoad[road] {
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
