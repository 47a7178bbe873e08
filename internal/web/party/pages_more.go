package party

import (
	"net/http"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/party"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

func (s *handlers) agreementsPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	as, err := s.service().Agreements(r.Context(), c.Towns)
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "party_agreements", kit.PageData{Title: "pt.agreements title",
		Data: map[string]any{"Agreements": as, "Statuses": labels(party.TaskStatuses, kit.Language(w, r))}})
}

func (s *handlers) matchingPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderMatching(w, r, c, http.StatusOK, nil)
}

func (s *handlers) renderMatching(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, ferr error) error {
	m, err := s.service().Market(r.Context(), c.Towns)
	if err != nil {
		return err
	}
	pd := kit.PageData{Title: "pt.matching title", Data: map[string]any{"M": m, "MayManage": party.MayManage(c.User),
		"Statuses": labels(party.TaskStatuses, kit.Language(w, r))}}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, kit.Language(w, r), ferr)
	}
	return s.Render(w, r, status, "party_matching", pd)
}

func (s *handlers) matchSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	need, _ := strconv.ParseInt(r.PostFormValue("need_id"), 10, 64)
	res, _ := strconv.ParseInt(r.PostFormValue("resource_id"), 10, 64)
	_, err := s.service().Match(r.Context(), c.Towns, party.NewMatch{NeedID: need, ResourceID: res, Note: r.PostFormValue("note"), Due: r.PostFormValue("due")}, c.User)
	if status, ok := fieldStatus(err); ok {
		return s.renderMatching(w, r, c, status, err)
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
	return s.Render(w, r, http.StatusOK, "party_network", kit.PageData{Title: "pt.network title", Data: map[string]any{
		"Sites": views, "Count": n, "Labels": map[string]string{"offers": T("pt.offers"), "enterprise": T("pt.enterprise")}}})
}
