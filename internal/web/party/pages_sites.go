package party

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/civicgrid/civicgrid/internal/bookings"
	"github.com/civicgrid/civicgrid/internal/party"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/volunteers"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// The practice network's sites: add and edit a centre, station or point, what it offers and what it links to.

// siteForm is the network site form's state.
type siteForm struct {
	party.Site
	LatText, LngText string
	Links            string // one a line
	Picked           map[string]bool
}

// linkTarget is a page a site may link to: a bookings place or a volunteer activity.
type linkTarget struct {
	Href, Name string
}

func (s *handlers) linkTargets(r *http.Request, c *kit.Caller) (places, activities []linkTarget, err error) {
	rs, err := (&bookings.Service{DB: s.DB, Now: s.service().Now}).Resources(r.Context(), c.Towns)
	if err != nil {
		return nil, nil, err
	}
	for _, x := range rs {
		places = append(places, linkTarget{fmt.Sprintf("/portal/bookings/%d", x.ID), x.Name})
	}
	vs := volunteers.New(s.DB)
	vs.Now = s.service().Now
	as, err := vs.Activities(r.Context(), c.Towns, volunteers.ActivityFilter{From: s.service().Clock().AddDate(0, 0, -30), Limit: 100})
	if err != nil {
		return nil, nil, err
	}
	for _, x := range as {
		activities = append(activities, linkTarget{fmt.Sprintf("/volunteers/activities/%d", x.ID), x.Start.In(s.service().Clock().Location()).Format("01-02") + " " + x.Title})
	}
	return places, activities, nil
}

func (s *handlers) renderSiteForm(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, f siteForm, ferr error) error {
	places, activities, err := s.linkTargets(r, c)
	if err != nil {
		return err
	}
	if f.Picked == nil {
		f.Picked = map[string]bool{}
	}
	var other []string
	known := map[string]bool{}
	for _, t := range append(append([]linkTarget{}, places...), activities...) {
		known[t.Href] = true
	}
	for _, l := range f.Site.Links {
		if known[l] {
			f.Picked[l] = true
		} else {
			other = append(other, l)
		}
	}
	if f.Links == "" {
		f.Links = strings.Join(other, "\n")
	}
	title := "pt.site new"
	if f.ID != 0 {
		title = "pt.site edit"
	}
	pd := kit.PageData{Title: title, Data: map[string]any{"F": f, "Kinds": party.NetworkKinds, "Places": places, "Activities": activities,
		"Towns": c.Towns, "Lang": kit.Language(w, r)}}
	if ferr != nil {
		pd.Error, pd.Field = formError(w, r, ferr)
	}
	return s.Render(w, r, status, "party_site_form", pd)
}

func (s *handlers) newSitePage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	f := siteForm{Site: party.Site{Kind: "point"}}
	if len(c.Towns) > 0 {
		f.TownCode = c.Towns[0]
	}
	return s.renderSiteForm(w, r, c, http.StatusOK, f, nil)
}

func (s *handlers) editSitePage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	x, err := s.service().Site(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	f := siteForm{Site: x, LatText: strconv.FormatFloat(x.Lat, 'f', -1, 64), LngText: strconv.FormatFloat(x.Lng, 'f', -1, 64)}
	return s.renderSiteForm(w, r, c, http.StatusOK, f, nil)
}

func siteFormOf(r *http.Request, c *kit.Caller) (siteForm, error) {
	f := siteForm{Site: party.Site{TownCode: formTown(r, c), Kind: r.PostFormValue("kind"), Name: r.PostFormValue("name"),
		Enterprise: r.PostFormValue("enterprise") == "1", Offers: strings.ReplaceAll(r.PostFormValue("offers"), "\r\n", "\n"), Grid: r.PostFormValue("grid")},
		LatText: strings.TrimSpace(r.PostFormValue("lat")), LngText: strings.TrimSpace(r.PostFormValue("lng")), Links: r.PostFormValue("links"), Picked: map[string]bool{}}
	if len(r.PostForm["link"]) > party.MaxLinks {
		return f, problem.Field("links", "at most %d links", party.MaxLinks)
	}
	for _, l := range r.PostForm["link"] {
		f.Picked[l] = true
		f.Site.Links = append(f.Site.Links, l)
	}
	typed, err := lines(f.Links, "links", party.MaxLinks)
	if err != nil {
		return f, err
	}
	f.Site.Links = append(f.Site.Links, typed...)
	var perr error
	if f.Lat, perr = strconv.ParseFloat(f.LatText, 64); perr != nil {
		return f, problem.Field("lat", "is a number (degrees north)")
	}
	if f.Lng, perr = strconv.ParseFloat(f.LngText, 64); perr != nil {
		return f, problem.Field("lng", "is a number (degrees east)")
	}
	return f, nil
}

func (s *handlers) createSiteSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	f, err := siteFormOf(r, c)
	if err == nil {
		_, err = s.service().AddSite(r.Context(), c.Towns, f.Site, c.User)
	}
	if status, ok := fieldStatus(err); ok {
		return s.renderSiteForm(w, r, c, status, f, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, "/party/network#pt-sites", kit.Translator(kit.Language(w, r))("pt.site saved"))
	return nil
}

func (s *handlers) updateSiteSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	f, err := siteFormOf(r, c)
	f.ID = id
	if err == nil {
		_, err = s.service().UpdateSite(r.Context(), c.Towns, id, f.Site, c.User)
	}
	if status, ok := fieldStatus(err); ok {
		return s.renderSiteForm(w, r, c, status, f, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, "/party/network#pt-sites", kit.Translator(kit.Language(w, r))("pt.site saved"))
	return nil
}
