package kit

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/privacy"
)

// page is one page template, parsed together with the shell's layout so every page shares one frame.
type page struct {
	t          *template.Template
	capability string
}

var templateFuncs = template.FuncMap{
	"T":        func(string) string { return "" }, // replaced per request
	"roleName": auth.RoleName,
	"mask":     privacy.MaskPhone,
	"join":     strings.Join,
}

// RegisterFuncs adds template functions for every page; call it from an init function, before
// any templates are parsed. A name taken twice panics: two packages would each expect their own.
func RegisterFuncs(fns template.FuncMap) {
	for name, fn := range fns {
		if _, dup := templateFuncs[name]; dup {
			panic("kit: template function " + name + " registered twice")
		}
		templateFuncs[name] = fn
	}
}

// Templates parses every templates/*.html of fsys (but layout.html) with the shell's layout; a
// page's name is its file name without .html, and two packages may not use the same name.
func (m *Mount) Templates(fsys fs.FS) error {
	files, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return err
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		if p, dup := m.k.pages[name]; dup {
			return fmt.Errorf("template %s of %s: %s has one by that name", name, m.capability, p.capability)
		}
		t, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(m.k.layout, "templates/layout.html")
		if err == nil {
			t, err = t.ParseFS(fsys, f)
		}
		if err != nil {
			return fmt.Errorf("template %s: %w", name, err)
		}
		m.k.pages[name] = &page{t: t, capability: m.capability}
	}
	return nil
}

// NavItem is one item of the bar: a link (Href), or a menu (Items, its links) whose Label is
// the group's. Active marks the page being shown, and the menu that holds it.
type NavItem struct {
	Href, Label string
	Active      bool
	ID          string    // a menu's element id, for the button's aria-controls
	Items       []NavItem // a menu's links
}

// PageData is what every template receives.
type PageData struct {
	Title   string
	Lang    string
	User    *auth.User
	CSRF    string
	Nav     []NavItem
	Flash   string
	Error   string
	Field   string
	Path    string
	Data    any
	TileURL string
	TileAtt string
	Unread  int // orders with unread notices that still need the user, for the bell
	// Elderly is the visitor's elderly-friendly mode (适老化): the layout marks the body for the
	// large, high-contrast styles.
	Elderly bool
	// Here is this page's path and query, for links that come back to it (the elderly toggle).
	Here string
	// BellNotices: a resident has unread notices about no order, so the bell opens /notifications.
	BellNotices bool
}

// navItems is the bar of the caller: their links, the ones of one group gathered into its menu.
func (k *Kit) navItems(c *Caller, lang, path string) []NavItem {
	if c == nil {
		return nil
	}
	T := Translator(lang)
	order := map[string]int{}
	for _, g := range k.groups {
		order[g.Key] = g.Order
	}
	type slot struct {
		order int
		item  NavItem
	}
	var slots []slot
	menus := map[string]int{} // group key → index in slots
	for _, e := range k.NavLinks(c.User) {
		link := NavItem{Href: e.Href, Label: T(e.Key), Active: path == e.Href || (e.Href != "/" && strings.HasPrefix(path, e.Href))}
		if e.Group == "" {
			slots = append(slots, slot{e.Order, link})
			continue
		}
		i, ok := menus[e.Group]
		if !ok {
			o, declared := order[e.Group]
			if !declared {
				o = e.Order
			}
			i = len(slots)
			menus[e.Group] = i
			slots = append(slots, slot{o, NavItem{Label: T(e.Group)}})
		}
		m := &slots[i].item
		m.Items = append(m.Items, link)
		m.Active = m.Active || link.Active
	}
	slots = sortedByOrder(slots, func(s slot) int { return s.order })
	items := make([]NavItem, len(slots))
	for i, s := range slots {
		items[i] = s.item
		switch {
		case len(s.item.Items) == 1: // a menu of one link is that link
			items[i] = s.item.Items[0]
		case s.item.Items != nil:
			items[i].ID = fmt.Sprintf("nav-menu-%d", i+1)
		}
	}
	return items
}

// Render writes a page through the shared layout; it renders into a buffer first so a template
// error never sends half a page.
func (k *Kit) Render(w http.ResponseWriter, r *http.Request, status int, name string, d PageData) error {
	p, ok := k.pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	c := CallerFrom(r.Context())
	d.Lang = Language(w, r)
	if c != nil {
		d.User = &c.User
		// The bell counts the orders that need the user and have news, not the notices; a
		// resident's bell, their reports with news (their news is on "my reports").
		count := k.Orders.UnreadOrders
		if c.User.Role == auth.RoleResident {
			count = k.Orders.ResidentReportsWithNews
			// Notices about no order (a booking confirmed, offered, cancelled) light it too,
			// and while there are any the bell opens the notifications, where they are.
			if n, err := k.Orders.UnreadWithoutOrder(r.Context(), c.User.ID); err == nil && n > 0 {
				d.Unread, d.BellNotices = n, true
			}
		}
		if n, err := count(r.Context(), c.User.ID); err == nil {
			d.Unread += n
		}
	}
	d.CSRF = k.CSRFToken(w, r)
	d.Path = r.URL.Path
	d.Nav = k.navItems(c, d.Lang, r.URL.Path)
	d.TileURL, d.TileAtt = k.TileURL, k.TileAttribution
	d.Elderly = Elderly(r)
	d.Here = r.URL.RequestURI()
	if d.Flash == "" {
		d.Flash = FlashFrom(r)
	}
	tc, err := p.t.Clone()
	if err != nil {
		return err
	}
	tc.Funcs(template.FuncMap{"T": Translator(d.Lang)})
	var buf bytes.Buffer
	if err := tc.Execute(&buf, d); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err = w.Write(buf.Bytes())
	return err
}

// PageError answers a page request that failed with the error page and the status StatusOf gives.
func (k *Kit) PageError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg, _ := ErrorText(r, Language(w, r), err)
	if status >= 500 {
		k.Log.Error("page error", "path", r.URL.Path, "err", err)
	}
	if rerr := k.Render(w, r, status, "error", PageData{Title: ErrorTitle(status), Error: msg}); rerr != nil {
		http.Error(w, msg, status)
	}
}

// RedirectFlash sends the browser back to a page with a one-line notice (post/redirect/get). The
// notice travels in the URL with a MAC, so that only notices this server wrote are shown: a link
// with any text in ?flash= ("系统升级，请拨打…") would otherwise be a notice in the site's own voice.
// A place in the page (to "/party/matching#pt-needs") keeps its fragment after the notice's query,
// where the browser sends the query to the server.
func RedirectFlash(w http.ResponseWriter, r *http.Request, to, flash string) {
	to, frag, hasFrag := strings.Cut(to, "#")
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	loc := to + sep + "flash=" + url.QueryEscape(flash) + "&fs=" + flashMAC(flash)
	if hasFrag {
		loc += "#" + frag
	}
	http.Redirect(w, r, loc, http.StatusSeeOther)
}

// flashKey signs notices for the life of the process: a notice is read right after the redirect
// that carries it, so one that outlives a restart is merely not shown.
var flashKey = func() []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic(err)
	}
	return k
}()

func flashMAC(flash string) string {
	m := hmac.New(sha256.New, flashKey)
	m.Write([]byte(flash))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// FlashFrom returns the request's notice when this server signed it, else nothing.
func FlashFrom(r *http.Request) string {
	q := r.URL.Query()
	flash := q.Get("flash")
	if flash == "" || !hmac.Equal([]byte(q.Get("fs")), []byte(flashMAC(flash))) {
		return ""
	}
	return flash
}
