// Package kit is what every web package of CivicGrid shares: the caller and its authentication,
// CSRF, JSON decoding and encoding, the one mapping of errors to HTTP statuses, page rendering
// through the shell's layout, UI messages, navigation and home-page entries, photos, flash
// notices — and the API and Page route wrappers, which take the permission a route needs and
// record every route in one table (docs/ROUTES.md is generated from it).
//
// The shell (package web) builds one Kit and hands it to each capability's web package, which
// mounts its routes with one call of Kit.Mount.
package kit

import (
	"cmp"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/media"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Kit is the state the web packages share: the database and the stores built on it, the
// templates, the route table being recorded, and the navigation and home entries.
type Kit struct {
	DB       *store.DB
	Orders   *orders.Store
	Photos   media.Store
	Locators *places.LocatorCache
	// Dispatch suggests categories and duplicates on the order page (models under the data
	// directory's models/).
	Dispatch *dispatch.Advisor
	Log      *slog.Logger
	Registry *prometheus.Registry

	// TileURL and TileAttribution are the map's background tiles (pages show them).
	TileURL, TileAttribution string
	// SecureCookies marks cookies Secure (behind HTTPS).
	SecureCookies bool
	// Anonymous is asked before a public route serves an anonymous caller; an error refuses the
	// call (the shell's per-address limit of public routes).
	Anonymous func(http.ResponseWriter, *http.Request) error

	mux    *http.ServeMux
	layout fs.FS
	pages  map[string]*page
	routes []Route
	nav    []NavEntry
	groups []NavGroup
	home   []HomeEntry
	portal []PortalEntry
	static []staticDir
}

// New returns a kit whose routes go to mux and whose pages are framed by the layout.html of
// layout.
func New(mux *http.ServeMux, layout fs.FS) *Kit {
	return &Kit{mux: mux, layout: layout, pages: map[string]*page{}}
}

// Mount returns the route registrar of one capability: every route it registers is recorded
// under that capability's name.
func (k *Kit) Mount(capability string) *Mount { return &Mount{k: k, capability: capability} }

// Mount registers one capability's routes, templates and entries.
type Mount struct {
	k          *Kit
	capability string
}

// Kit is the kit the mount belongs to.
func (m *Mount) Kit() *Kit { return m.k }

// NavEntry is a navigation link, shown to the users for whom Show is true (nil: everyone signed
// in). Links appear by Order, then in the order they were added. Group is the message key of the
// menu the link belongs to (a NavGroup, by what people do there: work orders, operations, …);
// "" puts the link on the bar itself, like Home. The bar would otherwise outgrow a screen: there
// is one link per capability page.
type NavEntry struct {
	Href, Key string // Key is the label's message key
	Group     string // the menu's message key; "" for a link of its own on the bar
	Order     int
	Show      func(u auth.User) bool
}

// NavGroup is a menu of the bar: Key is its label's message key. The bar shows its links and
// menus by Order (a link's own, a menu's here); a menu with one link the user may see is shown
// as that link. An entry whose group was never declared still gets a menu, placed by its first
// link's Order.
type NavGroup struct {
	Key   string
	Order int
}

// HomeEntry is a tile of the home page, shown to the users for whom Show is true. Tiles follow
// the role's own queues, by Order. An entry with a Panel is shown as the panel it renders
// instead (a leader's figures), above the tiles.
type HomeEntry struct {
	Href, Title, Text string // message keys
	Order             int
	Show              func(u auth.User) bool
	Panel             func(r *http.Request, c *Caller, lang string) (template.HTML, error)
}

// Nav adds a navigation link.
func (m *Mount) Nav(e NavEntry) { m.k.nav = append(m.k.nav, e) }

// NavGroup declares a menu of the bar.
func (m *Mount) NavGroup(g NavGroup) { m.k.groups = append(m.k.groups, g) }

// NavGroups are the declared menus in their order.
func (k *Kit) NavGroups() []NavGroup {
	return sortedByOrder(k.groups, func(g NavGroup) int { return g.Order })
}

// NavLinks are the navigation links u may see, in their order, whatever menu holds them: the
// flat list the bar's menus must together offer.
func (k *Kit) NavLinks(u auth.User) []NavEntry {
	var out []NavEntry
	for _, e := range sortedByOrder(k.nav, func(e NavEntry) int { return e.Order }) {
		if e.Show == nil || e.Show(u) {
			out = append(out, e)
		}
	}
	return out
}

// Home adds a home-page tile.
func (m *Mount) Home(e HomeEntry) { m.k.home = append(m.k.home, e) }

// HomeEntries are the home-page tiles in their order.
func (k *Kit) HomeEntries() []HomeEntry {
	return sortedByOrder(k.home, func(e HomeEntry) int { return e.Order })
}

// sortedByOrder returns a copy of es sorted by order, keeping the order of addition among equals.
func sortedByOrder[E any](es []E, order func(E) int) []E {
	out := slices.Clone(es)
	slices.SortStableFunc(out, func(a, b E) int { return cmp.Compare(order(a), order(b)) })
	return out
}

// Can is the Show rule of an entry for the holders of perm.
func Can(perm string) func(auth.User) bool {
	return func(u auth.User) bool { return u.Can(perm) }
}

// CanAs is the Show rule of an entry for the holders of perm ("" for any) with one of roles.
func CanAs(perm string, roles ...string) func(auth.User) bool {
	return func(u auth.User) bool { return (perm == "" || u.Can(perm)) && slices.Contains(roles, u.Role) }
}
