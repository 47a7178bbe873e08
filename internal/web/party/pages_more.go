package party

import (
	"net/http"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/party"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

func (s *handlers) matchingPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderMatchingForm(w, r, c, http.StatusOK, marketForm{}, nil, "")
}

// renderMatching shows the needs, resources and matched projects with the forms; form names the
// form that was refused (need, resource, match), whose input comes back in f.
func (s *handlers) renderMatchingForm(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, f marketForm, ferr error, form string) error {
	m, err := s.service().Market(r.Context(), c.Towns)
	if err != nil {
		return err
	}
	pd := kit.PageData{Title: "pt.matching title", Data: map[string]any{"M": m, "MayManage": party.MayManage(c.User),
		"Statuses": labels(party.TaskStatuses, kit.Language(w, r)), "F": f, "Refused": form, "Towns": c.Towns}}
	if ferr != nil {
		pd.Error, pd.Field = formError(w, r, ferr)
	}
	return s.Render(w, r, status, "party_matching", pd)
}

func (s *handlers) matchSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	need, _ := strconv.ParseInt(r.PostFormValue("need_id"), 10, 64)
	res, _ := strconv.ParseInt(r.PostFormValue("resource_id"), 10, 64)
	f := marketForm{Need: need, Resource: res, Note: r.PostFormValue("note"), Due: r.PostFormValue("due")}
	_, err := s.service().Match(r.Context(), c.Towns, party.NewMatch{NeedID: need, ResourceID: res, Note: f.Note, Due: f.Due}, c.User)
	if status, ok := fieldStatus(err); ok {
		return s.renderMatchingForm(w, r, c, status, f, err, "match")
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, "/party/matching#pt-matches", kit.Translator(kit.Language(w, r))("pt.matched"))
	return nil
}

// siteView is a network site as the map draws it.
type siteView struct {
	party.Site
	KindName string `json:"kind_name"`
}

func (s *handlers) networkPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	sites, n, err := s.service().Network(r.Context(), c.Towns)
	if err != nil {
		return err
	}
	views := make([]siteView, len(sites))
	for i, x := range sites {
		views[i] = siteView{x, party.LabelOf(party.NetworkKinds, x.Kind, lang)}
	}
	T := kit.Translator(lang)
	// A link to a bookings place or a volunteer activity shows its name; any other its address.
	names := map[string]string{}
	places, activities, err := s.linkTargets(r, c)
	if err != nil {
		return err
	}
	for _, t := range append(places, activities...) {
		names[t.Href] = t.Name
	}
	for i := range views {
		for _, l := range views[i].Links {
			if names[l] == "" {
				names[l] = l
			}
		}
	}
	return s.Render(w, r, http.StatusOK, "party_network", kit.PageData{Title: "pt.network title", Data: map[string]any{
		"Sites": views, "Count": n, "Labels": map[string]string{"offers": T("pt.offers"), "enterprise": T("pt.enterprise")},
		"MayManage": party.MayManage(c.User), "LinkNames": names}})
}
