package consult

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/civicgrid/civicgrid/internal/consult"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// listData is what consult_list.html shows.
type listData struct {
	List       []csView
	Pins       []pin
	Status     string
	Statuses   []consult.Label
	StatusOf   map[string]string
	MayManage  bool
	Bodies     []consult.Body
	BodyKinds  []consult.Label
	KindOf     map[string]string
	Scopes     []consult.Label
	ScopeOf    map[string]string
	Grids      []places.Grid
	Committees []places.Committee
	Form       consult.Draft
	Town       string
}

func (s *handlers) listPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderList(w, r, c, http.StatusOK, consult.Draft{Opens: day(s.Orders.Now()), Closes: day(s.Orders.Now().AddDate(0, 0, 14))}, nil)
}

func (s *handlers) renderList(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, form consult.Draft, ferr error) error {
	lang := kit.Language(w, r)
	svc := s.service()
	st := r.URL.Query().Get("status")
	if st != "" && !slices.ContainsFunc(consult.Statuses, func(l consult.Label) bool { return l.Code == st }) {
		st = ""
	}
	list, err := svc.List(r.Context(), c.Towns, consult.Filter{Status: st})
	if err != nil {
		return err
	}
	vs, err := s.views(r, list, lang)
	if err != nil {
		return err
	}
	d := listData{List: vs, Pins: pins(vs, "/consultations/%d"), Status: st, Statuses: consult.Statuses, StatusOf: labels(consult.Statuses, lang),
		MayManage: consult.MayManage(c.User), BodyKinds: consult.BodyKinds, KindOf: labels(consult.BodyKinds, lang),
		Scopes: consult.Scopes, ScopeOf: labels(consult.Scopes, lang), Form: form}
	if len(c.Towns) > 0 {
		d.Town = c.Towns[0]
	}
	if d.MayManage {
		if d.Bodies, err = svc.Bodies(r.Context(), c.Towns); err != nil {
			return err
		}
		if d.Grids, err = places.Grids(r.Context(), s.DB, c.Towns); err != nil {
			return err
		}
		if d.Committees, err = places.Committees(r.Context(), s.DB, c.Towns); err != nil {
			return err
		}
	}
	pd := kit.PageData{Title: "cs.title", Data: d}
	if ferr != nil {
		pd.Error, pd.Field = pageError(r, lang, ferr)
	}
	return s.Render(w, r, status, "consult_list", pd)
}

// draftForm is the consultation's details a create or edit form posted.
func draftForm(r *http.Request) (consult.Draft, error) {
	d := consult.Draft{Title: r.PostFormValue("title"), Topic: r.PostFormValue("topic"), Description: r.PostFormValue("description"),
		PlaceName: r.PostFormValue("place"), Grid: r.PostFormValue("grid"), ScopeKind: r.PostFormValue("scope"),
		Opens: r.PostFormValue("opens"), Closes: r.PostFormValue("closes"),
		PerHousehold: r.PostFormValue("per_household") != "", Anonymous: r.PostFormValue("anonymous") != ""}
	switch d.ScopeKind {
	case consult.ScopeGrid:
		d.ScopeCode = r.PostFormValue("scope_grid")
	case consult.ScopeCommittee:
		d.ScopeCode = r.PostFormValue("scope_committee")
	case consult.ScopeBuilding:
		d.ScopeCode = r.PostFormValue("scope_building")
	}
	if b := r.PostFormValue("body_id"); b != "" {
		id, err := strconv.ParseInt(b, 10, 64)
		if err != nil {
			return d, problem.Field("body_id", "is not a body")
		}
		d.BodyID = id
	}
	var err error
	if d.Lat, err = kit.FloatField(r, "lat"); err != nil {
		return d, err
	}
	if d.Lng, err = kit.FloatField(r, "lng"); err != nil {
		return d, err
	}
	if n := r.PostFormValue("households"); n != "" {
		h, err := strconv.Atoi(n)
		if err != nil {
			return d, problem.Field("consent.households", "is not a number")
		}
		rule := consult.DefaultConsent(h)
		if r.PostFormValue("agree_of") == consult.AgreeOfHouseholds {
			rule = consult.ConsentRule{Households: h, Agreement: consult.Ratio{Num: 2, Den: 3}, AgreeOf: consult.AgreeOfHouseholds}
		}
		d.Consent = &rule
	}
	return d, nil
}

func (s *handlers) createSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	d, err := draftForm(r)
	if err == nil && d.Consent != nil {
		// A consent consultation starts with its consent question.
		d.Questions = []consult.Question{consentQuestion(kit.Language(w, r))}
	}
	var cs consult.Consultation
	if err == nil {
		cs, err = s.service().Create(r.Context(), c.Towns, d, c.User)
	}
	if status, ok := isFormError(err); ok {
		return s.renderList(w, r, c, status, d, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/consultations/%d", cs.ID), kit.Translator(kit.Language(w, r))("cs.created"))
	return nil
}

func consentQuestion(lang string) consult.Question {
	T := kit.Translator(lang)
	return consult.Question{Key: "consent", Type: consult.TypeSingle, Title: T("cs.consent question"), Required: true, Consent: true, AgreeKey: "agree",
		Options: []consult.Option{{Key: "agree", Text: T("cs.agree")}, {Key: "disagree", Text: T("cs.disagree")}, {Key: "abstain", Text: T("cs.abstain")}}}
}

func (s *handlers) bodySubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	b := consult.Body{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind")}
	if _, err := s.service().AddBody(r.Context(), c.Towns, b, c.User); err != nil {
		if status, ok := isFormError(err); ok {
			return s.renderList(w, r, c, status, consult.Draft{}, err)
		}
		return err
	}
	kit.RedirectFlash(w, r, "/consultations", kit.Translator(kit.Language(w, r))("cs.body added"))
	return nil
}

// oneData is what consult_one.html shows.
type oneData struct {
	C          csView
	MayManage  bool
	MayEnter   bool
	Editable   bool // the questionnaire may change (a draft)
	Questions  []qView
	Types      []consult.Label
	TypeOf     map[string]string
	Actions    []string
	LinkKinds  []consult.Label
	LinkOf     map[string]string
	Bodies     []consult.Body
	Form       consult.Draft
	Scopes     []consult.Label
	ScopeOf    map[string]string
	Grids      []places.Grid
	Committees []places.Committee
}

// condSource is an option a condition may name: question and option.
type condSource struct {
	Value, Label string
	Checked      bool
}

func (s *handlers) onePage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderOne(w, r, c, http.StatusOK, nil)
}

func (s *handlers) renderOne(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, ferr error) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	lang := kit.Language(w, r)
	svc := s.service()
	cs, err := svc.Get(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	v, err := s.oneView(r, cs, lang)
	if err != nil {
		return err
	}
	d := oneData{C: v, MayManage: consult.MayManage(c.User), MayEnter: c.User.Can("consult:enter") && cs.Accepting(),
		Questions: questionViews(cs.Questions, nil), Types: consult.Types, TypeOf: labels(consult.Types, lang),
		LinkKinds: consult.LinkKinds, LinkOf: labels(consult.LinkKinds, lang), Form: consult.DraftOf(cs),
		Scopes: consult.Scopes, ScopeOf: labels(consult.Scopes, lang)}
	d.Editable = d.MayManage && cs.Stored == consult.StatusDraft
	if d.MayManage {
		for _, t := range consult.Transitions {
			if slices.Contains(t.From, cs.Status) && t.Action != "decide" {
				d.Actions = append(d.Actions, t.Action)
			}
		}
		if d.Bodies, err = svc.Bodies(r.Context(), []string{cs.TownCode}); err != nil {
			return err
		}
		if d.Grids, err = places.Grids(r.Context(), s.DB, []string{cs.TownCode}); err != nil {
			return err
		}
		if d.Committees, err = places.Committees(r.Context(), s.DB, []string{cs.TownCode}); err != nil {
			return err
		}
	}
	for i, q := range cs.Questions {
		if q.Type != consult.TypeSingle && q.Type != consult.TypeMultiple {
			continue
		}
		for j := i + 1; j < len(d.Questions); j++ {
			cond := d.Questions[j].ShowIf
			for _, o := range q.Options {
				checked := cond != nil && cond.Question == q.Key && slices.Contains(cond.AnyOf, o.Key)
				d.Questions[j].Sources = append(d.Questions[j].Sources, condSource{Value: q.Key + ":" + o.Key, Label: fmt.Sprintf("%d → %s", i+1, o.Text), Checked: checked})
			}
		}
	}
	pd := kit.PageData{Title: "cs.title", Data: d}
	if ferr != nil {
		pd.Error, pd.Field = pageError(r, lang, ferr)
	}
	return s.Render(w, r, status, "consult_one", pd)
}

// change runs fn on the consultation of the path and answers with its page: again with the
// error when the input was refused, else a redirect with a notice.
func (s *handlers) change(w http.ResponseWriter, r *http.Request, c *kit.Caller, notice string, fn func(id int64) error) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := fn(id); err != nil {
		if status, ok := isFormError(err); ok {
			return s.renderOne(w, r, c, status, err)
		}
		if status, _ := kit.StatusOf(err); status == http.StatusConflict {
			return s.renderOne(w, r, c, status, err)
		}
		return err
	}
	to := fmt.Sprintf("/consultations/%d", id)
	if next := kit.SafeNext(r.PostFormValue("next")); next != "" && strings.HasPrefix(next, to) {
		to = next
	}
	kit.RedirectFlash(w, r, to, kit.Translator(kit.Language(w, r))(notice))
	return nil
}

func (s *handlers) editSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.change(w, r, c, "cs.saved", func(id int64) error {
		svc := s.service()
		old, err := svc.Get(r.Context(), c.Towns, id)
		if err != nil {
			return err
		}
		d, err := draftForm(r)
		if err != nil {
			return err
		}
		d.Questions = old.Questions
		if d.Consent == nil {
			d.Consent = old.Consent
		}
		_, err = svc.Update(r.Context(), c.Towns, id, d, c.User)
		return err
	})
}

func (s *handlers) actSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	action := r.PathValue("action")
	notice := "cs.done." + action
	if !kit.HasMessage(notice) {
		notice = "cs.saved"
	}
	if action == "decide" {
		id, err := kit.PathID(r, "id")
		if err != nil {
			return err
		}
		dec := consult.Decision{Summary: r.PostFormValue("summary"), Decision: r.PostFormValue("decision")}
		_, err = s.service().Act(r.Context(), c.Towns, id, action, dec, c.User)
		if status, ok := isFormError(err); ok {
			return s.renderResults(w, r, c, status, &dec, err)
		}
		if status, _ := kit.StatusOf(err); status == http.StatusConflict {
			return s.renderResults(w, r, c, status, &dec, err)
		}
		if err != nil {
			return err
		}
		kit.RedirectFlash(w, r, fmt.Sprintf("/consultations/%d/results", id), kit.Translator(kit.Language(w, r))(notice))
		return nil
	}
	if action == "delete" {
		id, err := kit.PathID(r, "id")
		if err != nil {
			return err
		}
		if err := s.service().Delete(r.Context(), c.Towns, id, c.User); err != nil {
			return err
		}
		kit.RedirectFlash(w, r, "/consultations", kit.Translator(kit.Language(w, r))("cs.deleted"))
		return nil
	}
	return s.change(w, r, c, notice, func(id int64) error {
		_, err := s.service().Act(r.Context(), c.Towns, id, action, consult.Decision{}, c.User)
		return err
	})
}

func (s *handlers) linkSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.change(w, r, c, "cs.saved", func(id int64) error {
		_, err := s.service().AddLink(r.Context(), c.Towns, id, consult.Link{Kind: r.PostFormValue("kind"), Ref: r.PostFormValue("ref"), Note: r.PostFormValue("note")}, c.User)
		return err
	})
}

func (s *handlers) linkDelete(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lid, err := kit.PathID(r, "lid")
	if err != nil {
		return err
	}
	return s.change(w, r, c, "cs.saved", func(id int64) error {
		return s.service().RemoveLink(r.Context(), c.Towns, id, lid, c.User)
	})
}
