package kit

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
)

// PortalLine is one line of a section's live summary on the public portal (/portal): a public
// title or figure, never a person. Text is already in the visitor's language; Figure, when set,
// is shown big beside it; Href, when set, links the line.
type PortalLine struct {
	Text   string
	Figure string
	Href   string
}

// PortalEntry is a section of the public portal's front page, registered by the capability that
// owns the section so that the portal never imports another web package. Href is the section's
// public page; the portal adds ?town=<code>. Title and Text are message keys; Icon names one of
// the portal's icons. Summary, when set, gives a few live lines for the town; it runs for
// anonymous visitors, so it may return only public titles and figures.
type PortalEntry struct {
	Key         string
	Order       int
	Href        string
	Title, Text string
	Icon        string
	Summary     func(r *http.Request, town places.Region, lang string) ([]PortalLine, error)
}

// Portal adds a section to the public portal.
func (m *Mount) Portal(e PortalEntry) { m.k.portal = append(m.k.portal, e) }

// PortalEntries are the portal's sections in their order.
func (k *Kit) PortalEntries() []PortalEntry {
	return sortedByOrder(k.portal, func(e PortalEntry) int { return e.Order })
}

// PortalHref is href for town: ?town=<code> added to what href already asks.
func PortalHref(href, town string) string {
	if town == "" {
		return href
	}
	sep := "?"
	if strings.Contains(href, "?") {
		sep = "&"
	}
	return href + sep + "town=" + url.QueryEscape(town)
}

// PublicTown is the town a public page shows. The request's ?town= must name a town that runs
// CivicGrid (else not found); without one, fallback picks among the towns (nil, or no pick: the
// first by code). It returns the town and every tenant town, for a switcher.
func (k *Kit) PublicTown(r *http.Request, fallback func(towns []places.Region) (places.Region, bool)) (places.Region, []places.Region, error) {
	towns, err := places.TenantTowns(r.Context(), k.DB, nil)
	if err != nil {
		return places.Region{}, nil, err
	}
	if len(towns) == 0 {
		return places.Region{}, nil, problem.NotFound("town")
	}
	if want := strings.TrimSpace(r.URL.Query().Get("town")); want != "" {
		for _, t := range towns {
			if t.Code == want {
				return t, towns, nil
			}
		}
		return places.Region{}, nil, problem.NotFound("town %q", want)
	}
	if fallback != nil {
		if t, ok := fallback(towns); ok {
			return t, towns, nil
		}
	}
	return towns[0], towns, nil
}

// TownNamed is a PublicTown fallback: the town called name.
func TownNamed(name string) func([]places.Region) (places.Region, bool) {
	return func(towns []places.Region) (places.Region, bool) {
		return TownCoded(func(t places.Region) bool { return t.Name == name })(towns)
	}
}

// TownCoded is a PublicTown fallback: the first town for which pick is true.
func TownCoded(pick func(places.Region) bool) func([]places.Region) (places.Region, bool) {
	return func(towns []places.Region) (places.Region, bool) {
		for _, t := range towns {
			if pick(t) {
				return t, true
			}
		}
		return places.Region{}, false
	}
}

// ElderlyCookie remembers the elderly-friendly mode (适老化: large type, high contrast, bigger
// targets) a visitor turned on; every page the layout frames reads it.
const ElderlyCookie = "cg_elderly"

// Elderly reports whether the visitor turned the elderly-friendly mode on.
func Elderly(r *http.Request) bool {
	ck, err := r.Cookie(ElderlyCookie)
	return err == nil && ck.Value == "1"
}

// SetElderly turns the elderly-friendly mode on or off for a year.
func (k *Kit) SetElderly(w http.ResponseWriter, on bool) {
	ck := &http.Cookie{Name: ElderlyCookie, Value: "1", Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode,
		HttpOnly: true, Secure: k.SecureCookies}
	if !on {
		ck.Value, ck.MaxAge = "", -1
	}
	http.SetCookie(w, ck)
}
