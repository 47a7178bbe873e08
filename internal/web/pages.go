package web

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/civicgrid/civicgrid/internal/auth"
)

//go:embed templates
var templateFS embed.FS

type pageSet struct {
	byName map[string]*template.Template
}

var templateFuncs = template.FuncMap{
	"T":        func(string) string { return "" }, // replaced per request
	"roleName": auth.RoleName,
	"mask":     auth.MaskPhone,
	"join":     strings.Join,
}

// loadPages parses layout.html with each page template, so every page shares one frame.
func loadPages() (*pageSet, error) {
	ps := &pageSet{byName: map[string]*template.Template{}}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFS, "templates/layout.html", f)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		ps.byName[name] = t
	}
	return ps, nil
}

type navItem struct {
	Href, Label string
	Active      bool
}

// pageData is what every template receives.
type pageData struct {
	Title   string
	Lang    string
	User    *auth.User
	CSRF    string
	Nav     []navItem
	Flash   string
	Error   string
	Field   string
	Path    string
	Data    any
	TileURL string
	TileAtt string
	Unread  int // unread notifications, for the bell
}

func (s *Server) nav(c *caller, lang, path string) []navItem {
	if c == nil {
		return nil
	}
	T := translator(lang)
	var items []navItem
	add := func(href, key string, ok bool) {
		if ok {
			items = append(items, navItem{Href: href, Label: T(key), Active: path == href || (href != "/" && strings.HasPrefix(path, href))})
		}
	}
	u := c.User
	add("/", "home", true)
	add("/orders", "orders", u.Can(auth.PermOrdersRead))
	for _, e := range s.navExtra {
		add(e.href, e.key, u.Can(e.perm))
	}
	add("/map", "map", u.Can(auth.PermGridsRead))
	add("/admin/grids", "grids", u.Can(auth.PermGridsRead) && u.Role != auth.RoleVolunteer && u.Role != auth.RoleDeputy)
	add("/admin/departments", "departments", u.Can(auth.PermDepartmentsEdit))
	add("/admin/users", "users", u.Can(auth.PermUsersRead))
	add("/admin/audit", "audit", u.Can(auth.PermAuditRead))
	return items
}

// render writes a page through the shared layout; it renders into a buffer first so a template
// error never sends half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, d pageData) error {
	t, ok := s.pages.byName[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	c := callerFrom(r.Context())
	d.Lang = language(w, r)
	if c != nil {
		d.User = &c.User
		if _, n, err := s.orders.Notifications(r.Context(), c.User.ID, true, 0); err == nil {
			d.Unread = n
		}
	}
	d.CSRF = s.csrfToken(w, r)
	d.Path = r.URL.Path
	d.Nav = s.nav(c, d.Lang, r.URL.Path)
	d.TileURL, d.TileAtt = s.cfg.TileURL, s.cfg.TileAttribution
	if d.Flash == "" {
		d.Flash = flashFrom(r)
	}
	tc, err := t.Clone()
	if err != nil {
		return err
	}
	tc.Funcs(template.FuncMap{"T": translator(d.Lang)})
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

// page registers an HTML route guarded by perm; anonymous visitors go to the sign-in page.
func (s *Server) page(pattern, perm string, h func(http.ResponseWriter, *http.Request, *caller) error) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		c, err := s.authenticate(r)
		if err != nil && !errors.Is(err, errUnauthenticated) {
			s.pageError(w, r, err)
			return
		}
		if c != nil {
			r = r.WithContext(withCaller(r.Context(), c))
		}
		if perm != public && c == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if perm == public && c == nil {
			if err := s.limitAnonymous(w, r); err != nil {
				s.pageError(w, r, err)
				return
			}
		}
		if err := s.allowed(r, c, perm); err != nil {
			s.pageError(w, r, err)
			return
		}
		if err := h(w, r, c); err != nil {
			s.pageError(w, r, err)
		}
	})
}

func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	status, body := statusOf(err)
	if status >= 500 {
		s.log.Error("page error", "path", r.URL.Path, "err", err)
	}
	if rerr := s.render(w, r, status, "error", pageData{Title: http.StatusText(status), Error: body.Message}); rerr != nil {
		http.Error(w, body.Message, status)
	}
}

// redirectFlash sends the browser back to a page with a one-line notice (post/redirect/get). The
// notice travels in the URL with a MAC, so that only notices this server wrote are shown: a link
// with any text in ?flash= ("系统升级，请拨打…") would otherwise be a notice in the site's own voice.
func redirectFlash(w http.ResponseWriter, r *http.Request, to, flash string) {
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	http.Redirect(w, r, to+sep+"flash="+url.QueryEscape(flash)+"&fs="+flashMAC(flash), http.StatusSeeOther)
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

// flashFrom returns the request's notice when this server signed it, else nothing.
func flashFrom(r *http.Request) string {
	q := r.URL.Query()
	flash := q.Get("flash")
	if flash == "" || !hmac.Equal([]byte(q.Get("fs")), []byte(flashMAC(flash))) {
		return ""
	}
	return flash
}
