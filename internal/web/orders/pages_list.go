package orders

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/sheet"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// queueTab is one of the role's queues (Queues) shown as a tab on the orders page, with the
// total of its list.
type queueTab struct {
	Label, Href string
	Count       int
	Active      bool
}

// tabsFor gives each role its working queues first, then all orders, each with its count.
func (s *handlers) tabsFor(r *http.Request, c *kit.Caller, lang string, current string) ([]queueTab, error) {
	T := kit.Translator(lang)
	var qs []Queue
	for _, q := range Queues(c.User) {
		if !q.TileOnly {
			qs = append(qs, q)
		}
	}
	// All orders: an explicit query, as an empty one opens the role's first queue.
	qs = append(qs, Queue{Label: "tab all", Query: "sort=-received_at"})
	counts, err := CountQueues(r.Context(), s.Orders, c, qs)
	if err != nil {
		return nil, err
	}
	tabs := make([]queueTab, len(qs))
	for i, q := range qs {
		// Compare in url.Values' canonical (sorted) form: the page's own query arrives re-encoded.
		canon, _ := url.ParseQuery(q.Query)
		tabs[i] = queueTab{Label: T(q.Label), Href: q.Href(), Count: counts[i], Active: canon.Encode() == current}
	}
	return tabs, nil
}

type ordersPage struct {
	lookups
	Orders []listRow
	// ShowTown adds a town column: the caller sees the orders of a district or the city.
	ShowTown bool
	// Towns is the town picker of a caller who sees several towns, Town the one chosen (town=).
	// The grid, category and department pickers offer one town's entries: without a town chosen
	// they hold only what the filter selected.
	Towns      []places.Region
	Town       string
	Pickers    bool // the grid, category and department pickers list one town's entries
	Total      int
	TotalLabel string // Total as shown: "10,000+" (a search: "1,000+") where counting stopped
	Filter     orders.Filter
	Query      url.Values
	Tabs       []queueTab
	Pins       any // the map's pins; html/template writes them into a JSON script block, escaping <, > and &
	Prev       string
	Next       string
	Showing    string
	// Filtered counts the filters in use, shown on the phone's folded 筛选 button.
	Filtered int
	// Exports are the 导出 menu's links: the list's filter and sort in each format (export.go).
	Exports     []exportLink
	ExportLimit string
}

// exportLink is one entry of the 导出 menu.
type exportLink struct{ Label, Href, Format string }

// exportLinks are the export's links for the list's query: its filter and sort, all pages.
func exportLinks(q url.Values, lang string) []exportLink {
	T := kit.Translator(lang)
	q = maps.Clone(q)
	for _, k := range []string{"offset", "limit", "flash", "fs", "lang"} {
		q.Del(k)
	}
	labels := map[sheet.Format]string{sheet.XLSX: T("ox.xlsx"), sheet.CSV: T("ox.csv"), sheet.CSVGB18030: T("ox.csv gb")}
	var out []exportLink
	for _, f := range sheet.Formats {
		q.Set("format", string(f))
		out = append(out, exportLink{Label: labels[f], Href: "/orders/export?" + q.Encode(), Format: string(f)})
	}
	return out
}

func (s *handlers) ordersPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	if c.User.Role == auth.RoleResident {
		http.Redirect(w, r, ResidentReports, http.StatusSeeOther)
		return nil
	}
	lang := kit.Language(w, r)
	if r.URL.RawQuery == "" {
		for _, q := range Queues(c.User) {
			if !q.TileOnly {
				http.Redirect(w, r, q.Href(), http.StatusSeeOther)
				return nil
			}
		}
	}
	f, err := listFilter(r.URL.Query(), c)
	if err != nil {
		return err
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	total, list, err := s.Orders.List(r.Context(), f)
	if err != nil {
		return err
	}
	l, err := s.listLookups(r.Context(), c, f, list, lang)
	if err != nil {
		return err
	}
	p := ordersPage{lookups: l, Total: total, Filter: f, Query: r.URL.Query(), Pickers: len(f.Towns) == 1}
	type pin struct {
		ID       int64   `json:"id"`
		Number   string  `json:"number"`
		Lat      float64 `json:"lat"`
		Lng      float64 `json:"lng"`
		State    string  `json:"state"`
		Overdue  bool    `json:"overdue"`
		Category string  `json:"category"`
	}
	var pins []pin
	shown := kit.ShownLog(r, privacy.Orders)
	townName := map[string]string{}
	if p.ShowTown = c.User.TownCode == "" || len(c.Towns) > 1; p.ShowTown {
		towns, err := places.TenantTowns(r.Context(), s.DB, c.Towns)
		if err != nil {
			return err
		}
		for _, t := range towns {
			townName[t.Code] = t.Name
		}
		if len(c.Towns) > 1 {
			p.Towns = towns
			if len(f.Towns) == 1 {
				p.Town = f.Towns[0]
			}
		}
	}
	now := time.Now()
	for _, o := range list {
		p.Orders = append(p.Orders, s.listRow(s.view(r, c, Listed(o), shown), l, townName, lang, now))
		if o.Lat != nil && o.Lng != nil {
			pins = append(pins, pin{o.ID, o.Number, *o.Lat, *o.Lng, o.State, o.Overdue, l.CatName[o.Category]})
		}
	}
	p.Pins = pins
	for _, k := range []string{"town", "state", "grid", "category", "channel", "department", "overdue", "q"} {
		if r.URL.Query().Get(k) != "" {
			p.Filtered++
		}
	}
	current := r.URL.Query()
	current.Del("offset")
	current.Del("flash")
	current.Del("fs")
	if p.Tabs, err = s.tabsFor(r, c, lang, current.Encode()); err != nil {
		return err
	}
	if c.User.Role != auth.RoleResident && total > 0 {
		p.Exports, p.ExportLimit = exportLinks(r.URL.Query(), lang), groupDigits(orders.MaxExportRows)
	}
	// Next and previous pages go by keyset (after / before the page's last or first order), so a
	// deep page costs what the first does; offset only numbers the rows shown.
	bound := orders.CountBoundOf(f)
	p.TotalLabel = countLabelOf(total, bound)
	more := f.Offset+len(list) < total || (total > bound && len(list) == f.Limit)
	if len(list) > 0 && f.Offset > 0 {
		q := r.URL.Query()
		q.Del("after")
		q.Set("offset", strconv.Itoa(max(0, f.Offset-f.Limit)))
		if cur := orders.CursorOf(list[0], f.Sort); cur != "" && f.Offset > f.Limit {
			q.Set("before", cur)
		} else {
			q.Del("before")
		}
		p.Prev = "?" + q.Encode()
	}
	if len(list) > 0 && more {
		q := r.URL.Query()
		q.Del("before")
		q.Set("offset", strconv.Itoa(f.Offset+f.Limit))
		cur := orders.CursorOf(list[len(list)-1], f.Sort)
		if cur != "" {
			q.Set("after", cur)
		}
		if cur != "" || f.Offset+f.Limit <= orders.MaxOffset {
			// Without a cursor (the deadline sorts) a page past orders.MaxOffset is refused: no link to it.
			p.Next = "?" + q.Encode()
		}
	}
	switch {
	case len(list) > 0:
		p.Showing = fmt.Sprintf("%d–%d / %s", f.Offset+1, f.Offset+len(list), p.TotalLabel)
	case total > 0: // an offset past the end (an old link after orders moved on): say how many there are
		p.Showing = fmt.Sprintf("0 / %s", p.TotalLabel)
	}
	if err := s.RecordShown(r, c, shown); err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "orders", kit.PageData{Title: "orders", Data: p})
}

// listLookups are the names a page of the list shows and the entries of its filter form. With one
// town in scope (a town's account, or a district's or the city's list narrowed by town=) they
// are that town's, as lookupsOf reads them. With several, only the codes the page's rows and the
// filter name are read and named — a city's every grid, category and department (tens of
// towns' trees, rendered into three pickers on every page) cost more than the orders did, and
// grew with the towns.
func (s *handlers) listLookups(ctx context.Context, c *kit.Caller, f orders.Filter, list []orders.Order, lang string) (lookups, error) {
	if len(f.Towns) == 1 {
		return s.lookupsOf(ctx, f.Towns, len(c.Towns) == 1, lang)
	}
	l := newLookups(lang)
	var deps, grids codeSet
	var cats []orders.CategoryKey
	for _, o := range list {
		if k := (orders.CategoryKey{Town: o.TownCode, Code: o.Category}); k.Code != "" && !slices.Contains(cats, k) {
			cats = append(cats, k)
		}
		deps.add(o.Department)
		grids.add(o.Grid)
	}
	if f.Category != "" {
		// The filter's category, in whichever of the towns has it (category codes are a town's).
		for _, t := range f.Towns {
			if k := (orders.CategoryKey{Town: t, Code: f.Category}); !slices.Contains(cats, k) {
				cats = append(cats, k)
			}
		}
	}
	deps.add(f.Department)
	grids.add(f.Grid)
	if len(cats) > 0 {
		inUse, retired, err := s.Orders.CategoriesByKey(ctx, cats)
		if err != nil {
			return l, err
		}
		l.nameCategories(inUse, retired, lang)
		l.Categories = selected(inUse, f.Category, func(c orders.Category) string { return c.Code })
		if len(l.Categories) > 1 {
			l.Categories = l.Categories[:1] // the same code in several towns: one option
		}
	}
	if len(deps) > 0 {
		ds, err := places.DepartmentsByCode(ctx, s.DB, f.Towns, deps)
		if err != nil {
			return l, err
		}
		l.Departments = ds
		l.nameDepartments(lang)
		l.Departments = selected(l.Departments, f.Department, func(d places.Department) string { return d.Code })
	}
	if len(grids) > 0 {
		gs, err := places.GridNames(ctx, s.DB, f.Towns, grids)
		if err != nil {
			return l, err
		}
		l.Grids = gs
		l.nameGrids(nil)
		l.Grids = selected(l.Grids, f.Grid, func(g places.Grid) string { return g.Code })
	}
	return l, nil
}

// codeSet is a list of distinct codes, empty ones left out.
type codeSet []string

func (s *codeSet) add(code string) {
	if code != "" && !slices.Contains(*s, code) {
		*s = append(*s, code)
	}
}

// selected keeps the entry whose code is code (the filter's choice, so that the picker shows it).
func selected[T any](all []T, code string, codeOf func(T) string) []T {
	var out []T
	for _, x := range all {
		if code != "" && codeOf(x) == code {
			out = append(out, x)
		}
	}
	return out
}
