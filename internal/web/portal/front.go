package portal

import (
	"net/http"
	"net/url"

	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// section is a portal section as the front page shows it.
type section struct {
	Key, Href, Title, Text, Icon string
	Lines                        []kit.PortalLine
	Failed                       bool // its summary could not be read: the button still works
}

// district is a group of the town switcher: a district and its towns that run CivicGrid.
type district struct {
	Name  string
	Towns []places.Region
}

// frontData is what portal.html shows.
type frontData struct {
	Town      places.Region
	City      string
	District  string
	Districts []district
	Sections  []section
	Elderly   bool
	Here      string // this page's path and query, for the elderly toggle's way back
}

// frontPage is /portal?town=CODE: the town's front page (the first tenant town without ?town=).
func (s *handlers) frontPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	t, towns, err := s.PublicTown(r, nil)
	if err != nil {
		return err
	}
	d := frontData{Town: t, Elderly: kit.Elderly(r), Here: "/portal?" + url.Values{"town": {t.Code}}.Encode()}
	if d.Districts, d.District, d.City, err = s.switcher(r, towns, t); err != nil {
		return err
	}
	entries := s.PortalEntries()
	for _, e := range entries {
		sec := section{Key: e.Key, Href: kit.PortalHref(e.Href, t.Code), Title: e.Title, Text: e.Text, Icon: e.Icon}
		if e.Summary != nil {
			lines, err := e.Summary(r, t, lang)
			if err != nil {
				// One section's trouble must not take the town's front page down.
				s.Log.Warn("portal summary", "section", e.Key, "town", t.Code, "err", err)
				sec.Failed = true
			}
			sec.Lines = lines
		}
		d.Sections = append(d.Sections, sec)
	}
	return s.Render(w, r, http.StatusOK, "portal", kit.PageData{Title: "po.title", Data: d})
}

// switcher groups the tenant towns by district, districts in code order, and names the district
// and city of town t.
func (s *handlers) switcher(r *http.Request, towns []places.Region, t places.Region) (ds []district, dname, city string, err error) {
	at := map[string]int{}
	for _, x := range towns {
		i, ok := at[x.ParentCode]
		if !ok {
			name := x.ParentCode
			if x.ParentCode != "" {
				p, err := places.GetRegion(r.Context(), s.DB, x.ParentCode)
				if err != nil {
					return nil, "", "", err
				}
				name = p.Name
				if x.Code == t.Code || city == "" {
					if p.ParentCode != "" {
						if c, err := places.GetRegion(r.Context(), s.DB, p.ParentCode); err == nil {
							city = c.Name
						}
					}
				}
			}
			i = len(ds)
			at[x.ParentCode] = i
			ds = append(ds, district{Name: name})
		}
		ds[i].Towns = append(ds[i].Towns, x)
		if x.Code == t.Code {
			dname = ds[i].Name
		}
	}
	return ds, dname, city, nil
}
