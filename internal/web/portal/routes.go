// Package portal is the public front page of each town (/portal): the resident's tasks as big
// buttons, a live summary of each section, a town switcher over the city's districts and their
// towns, and the elderly-friendly mode (适老化) that every page framed by the layout honours.
//
// The sections are not known here: each capability registers its own with kit.Mount.Portal (its
// page, title and a Summary of public titles and figures), so the portal imports no other web
// package. The page is built for a cheap phone and WeChat's browser: server-rendered HTML, plain
// forms and links, one small script that only makes the switcher submit itself.
package portal

import (
	"embed"
	"net/http"

	"github.com/civicgrid/civicgrid/internal/web/kit"
)

//go:embed templates static
var files embed.FS

// handlers serve the portal's routes over the shared kit.
type handlers struct{ *kit.Kit }

// Mount registers the portal's routes. Both are public, under the shell's public rate limit:
// /portal shows no personal data (the sections' summaries are public titles and figures), and
// /portal/elderly only sets or clears the elderly-mode cookie and goes back.
//
// Mount it after the capabilities: it reads the sections they registered when a page is served,
// so the order only matters for the route table.
func Mount(m *kit.Mount) error {
	if err := m.Files(files); err != nil {
		return err
	}
	s := &handlers{m.Kit()}
	m.Page("GET /portal", kit.Public, s.frontPage)
	m.Page("GET /portal/elderly", kit.Public, s.elderlyToggle)
	return nil
}

// elderlyToggle turns the elderly-friendly mode on (?on=1) or off and goes back to ?next (a path
// of this site), so the toggle is a plain link that works without scripts.
func (s *handlers) elderlyToggle(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	q := r.URL.Query()
	s.SetElderly(w, q.Get("on") == "1")
	next := kit.SafeNext(q.Get("next"))
	if next == "/" {
		next = "/portal"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}
