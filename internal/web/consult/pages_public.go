package consult

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/consult"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// publicList is what the portal lists: every consultation of the towns that run CivicGrid
// (?town= one of them) but drafts, open and scheduled ones first.
func (s *handlers) publicList(r *http.Request) ([]consult.Consultation, error) {
	var codes []string
	if t := r.URL.Query().Get("town"); t != "" {
		codes = []string{t}
	}
	towns, err := places.TenantTowns(r.Context(), s.DB, codes)
	if err != nil {
		return nil, err
	}
	var tc []string
	for _, t := range towns {
		tc = append(tc, t.Code)
	}
	if len(tc) == 0 {
		return []consult.Consultation{}, nil
	}
	list, err := s.service().List(r.Context(), tc, consult.Filter{Public: true})
	if err != nil {
		return nil, err
	}
	rank := map[string]int{consult.StatusOpen: 0, consult.StatusScheduled: 1, consult.StatusDecided: 2, consult.StatusClosed: 3}
	slices.SortStableFunc(list, func(a, b consult.Consultation) int { return rank[a.Status] - rank[b.Status] })
	return list, nil
}

// portalData is what consult_portal.html shows.
type portalData struct {
	List   []csView
	Pins   []pin
	Status string
}

func (s *handlers) portalList(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	list, err := s.publicList(r)
	if err != nil {
		return err
	}
	st := r.URL.Query().Get("status")
	if st != "" {
		list = slices.DeleteFunc(list, func(x consult.Consultation) bool { return x.Status != st })
	}
	vs, err := s.views(r, list, lang)
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "consult_portal", kit.PageData{Title: "cs.portal", Data: portalData{List: vs, Pins: pins(vs, "/portal/consultations/%d"), Status: st}})
}

// publicData is what consult_public.html shows: a consultation, its form for who may answer,
// and its results and decision once published. The staff's paper entry is the same page.
type publicData struct {
	C         csView
	Questions []qView
	ShowForm  bool
	Answered  bool
	SignIn    string // the sign-in link for a visitor who must sign in to answer
	Paper     bool
	StaffOnly bool // a staff member who may not answer online
	EnterLink string
	ClientID  string
	Household bool // ask for building and room
	Building  string
	Room      string
	Name      string
	Phone     string
	Results   *resultsData
	Done      bool
	LinkOf    map[string]string
	Labels    map[string]string
}

func (s *handlers) portalOne(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	cs, err := s.service().Public(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderPublic(w, r, c, cs, false, http.StatusOK, nil)
}

func (s *handlers) enterPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	cs, err := s.service().Get(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	return s.renderPublic(w, r, c, cs, true, http.StatusOK, nil)
}

func (s *handlers) renderPublic(w http.ResponseWriter, r *http.Request, c *kit.Caller, cs consult.Consultation, paper bool, status int, ferr error) error {
	lang := kit.Language(w, r)
	v, err := s.oneView(r, cs, lang)
	if err != nil {
		return err
	}
	cs = publicConsultation(cs)
	v.Consultation = cs
	T := kit.Translator(lang)
	d := publicData{C: v, Paper: paper, ClientID: newClientID(), LinkOf: labels(consult.LinkKinds, lang),
		Household: cs.PerHousehold || cs.ScopeKind != consult.ScopeTown, Done: r.URL.Query().Get("done") == "1",
		Labels: map[string]string{"queued": T("cs.queued"), "sent": T("cs.sent"), "offline": T("cs.offline"), "draft": T("cs.draft saved"),
			"sending": T("cs.sending"), "failed": T("cs.failed"), "thanks": T("cs.thanks"), "position": T("cs.position")}}
	var form *http.Request
	if ferr != nil {
		form = r
		d.ClientID = r.PostFormValue("client_id")
		d.Building, d.Room, d.Name, d.Phone = r.PostFormValue("building"), r.PostFormValue("room"), r.PostFormValue("respondent"), r.PostFormValue("phone")
	}
	d.Questions = questionViews(cs.Questions, form)
	switch {
	case !cs.Accepting():
	case paper:
		d.ShowForm = c != nil && c.User.Can(auth.PermConsultEnter) && c.User.TownCode == cs.TownCode
	case c == nil:
		d.ShowForm = cs.Anonymous
		if !cs.Anonymous {
			d.SignIn = "/login?next=" + url.QueryEscape(r.URL.Path)
		}
	case c.User.Can(auth.PermConsultAnswer) && c.User.TownCode == cs.TownCode:
		answered, err := s.service().AnsweredBy(r.Context(), cs.ID, c.User)
		if err != nil {
			return err
		}
		d.Answered, d.ShowForm = answered, !answered
	case c.User.Can(auth.PermConsultEnter) && c.User.TownCode == cs.TownCode:
		d.StaffOnly, d.EnterLink = true, fmt.Sprintf("/consultations/%d/enter", cs.ID)
	}
	if cs.Published() {
		rd, err := s.results(r, cs, lang, fmt.Sprintf("/portal/consultations/%d", cs.ID))
		if err != nil {
			return err
		}
		d.Results = &rd
	}
	title := "cs.portal"
	if paper {
		title = "cs.enter"
	}
	pd := kit.PageData{Title: title, Data: d}
	if ferr != nil {
		pd.Error, pd.Field = pageError(r, lang, ferr)
	}
	return s.Render(w, r, status, "consult_public", pd)
}

// newClientID is a form's answer id, made when the form is shown: a form posted twice (a
// double tap, a resend) is one answer.
func newClientID() string { return "f-" + kit.RandomString()[:24] }

func (s *handlers) portalAnswer(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	svc := s.service()
	cs, err := svc.Public(r.Context(), id)
	if err != nil {
		return err
	}
	paper := r.PostFormValue("paper") == "1" && c != nil && c.User.Can(auth.PermConsultEnter)
	sub := consult.Submission{ClientID: r.PostFormValue("client_id"), Answers: formAnswers(r, cs.Questions), Paper: paper,
		Building: r.PostFormValue("building"), Room: r.PostFormValue("room"), Respondent: r.PostFormValue("respondent"), Phone: r.PostFormValue("phone")}
	var by *auth.User
	if c != nil {
		by = &c.User
	}
	_, err = svc.Submit(r.Context(), id, sub, by)
	if status, ok := isFormError(err); ok {
		return s.renderPublic(w, r, c, cs, paper, status, err)
	}
	if err != nil {
		return err
	}
	T := kit.Translator(kit.Language(w, r))
	if paper {
		kit.RedirectFlash(w, r, fmt.Sprintf("/consultations/%d/enter", id), T("cs.paper saved"))
		return nil
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/portal/consultations/%d?done=1", id), T("cs.thanks"))
	return nil
}

// residentPanel is a resident's home: the open consultations of their town, answered or not.
func (s *handlers) residentPanel(r *http.Request, c *kit.Caller, lang string) (template.HTML, error) {
	if c.User.Role != auth.RoleResident || c.User.TownCode == "" {
		return "", nil
	}
	svc := s.service()
	list, err := svc.List(r.Context(), []string{c.User.TownCode}, consult.Filter{Status: consult.StatusOpen})
	if err != nil {
		return "", err
	}
	type item struct {
		csView
		Answered bool
	}
	var items []item
	for _, cs := range list {
		if cs.ScopeKind == consult.ScopeGrid && c.User.GridCode != "" && c.User.GridCode != cs.ScopeCode {
			continue // another grid's: not for them
		}
		answered, err := svc.AnsweredBy(r.Context(), cs.ID, c.User)
		if err != nil {
			return "", err
		}
		items = append(items, item{view(cs, lang, nil, nil), answered})
	}
	return s.panel("resident.html", lang, items)
}

// panel renders one of panels/ in lang: a part of a page built by html/template.
func (s *handlers) panel(name, lang string, d any) (template.HTML, error) {
	t, err := s.panels.Clone()
	if err != nil {
		return "", err
	}
	t.Funcs(template.FuncMap{"T": kit.Translator(lang)})
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, d); err != nil {
		return "", err
	}
	return template.HTML(strings.TrimSpace(b.String())), nil // #nosec: executed by html/template
}
