package services

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/services"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workcal"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

func stamp(t time.Time) string { return t.In(workcal.Location()).Format("2006-01-02 15:04") }

// catalogueData is what sv_catalogue.html shows.
type catalogueData struct {
	Catalogue  string
	Catalogues []services.Label
	Aspects    []services.Aspect
	Counts     services.Counts
	Town       string
	Lang       string
	MayRequest bool
	MayEdit    bool
	MayRead    bool
}

func (s *handlers) cataloguePage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	town, cat, tree, err := s.catalogue(r, c)
	if err != nil {
		return err
	}
	d := catalogueData{Catalogue: cat, Catalogues: services.Catalogues, Aspects: tree, Counts: services.Count(tree), Town: town, Lang: lang,
		MayRequest: c != nil && c.User.Can(auth.PermServicesRequest), MayEdit: c != nil && c.User.Can(auth.PermServicesEdit),
		MayRead: c != nil && c.User.Can(auth.PermServicesRead)}
	return s.Render(w, r, http.StatusOK, "sv_catalogue", kit.PageData{Title: "sv.catalogue", Data: d})
}

// itemData is what sv_item.html shows.
type itemData struct {
	It         services.Item
	Name       string
	Aspect     string // the item's aspect and category in the page's language
	Category   string
	Catalogue  string
	Delivery   string
	MayRequest bool
	OnBehalf   bool // the caller may request for a resident (代办)
	Form       services.NewRequest
}

func (s *handlers) itemPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderItem(w, r, c, http.StatusOK, services.NewRequest{}, nil)
}

func (s *handlers) renderItem(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, form services.NewRequest, ferr error) error {
	lang := kit.Language(w, r)
	it, err := s.item(r)
	if err != nil {
		return err
	}
	d := itemData{It: it, Name: it.DisplayName(lang), Aspect: it.AspectIn(lang), Category: it.CategoryIn(lang), Catalogue: services.LabelOf(services.Catalogues, it.Catalogue, lang),
		Delivery: services.LabelOf(services.Deliveries, it.Delivery, lang), Form: form}
	if c != nil && c.User.Can(auth.PermServicesRequest) && c.User.TownCode == it.TownCode {
		d.MayRequest = true
		d.OnBehalf = c.User.Role == auth.RoleGridWorker || c.User.Role == auth.RoleGridLeader
		if form.ContactName == "" && form.ContactPhone == "" && ferr == nil && !d.OnBehalf {
			d.Form.ContactName, d.Form.ContactPhone = c.User.DisplayName, c.User.Phone
		}
	}
	pd := kit.PageData{Title: "sv.catalogue", Data: d}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, lang, ferr)
	}
	return s.Render(w, r, status, "sv_item", pd)
}

func (s *handlers) requestSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	in := services.NewRequest{ItemID: id, Organisation: r.FormValue("organisation"), ContactName: r.FormValue("contact_name"),
		ContactPhone: r.FormValue("contact_phone"), Address: r.FormValue("address"), Note: r.FormValue("note"), OnBehalf: r.FormValue("on_behalf") == "1"}
	q, err := s.svc().Create(r.Context(), c.Towns, c.User, in, kit.AuditActor(r, c))
	if err != nil {
		return s.renderItem(w, r, c, http.StatusUnprocessableEntity, in, err)
	}
	T := kit.Translator(kit.Language(w, r))
	kit.RedirectFlash(w, r, fmt.Sprintf("/services/requests/%d", q.ID), T("sv.flash requested")+" "+q.Number)
	return nil
}

// requestView is a request with its labels for the pages.
type requestView struct {
	services.Request
	Item      string
	StateName string
	Received  string
	Due       string
	Timeline  []eventView
	Allowed   []actionView
	Rating    string
}

type eventView struct {
	services.Event
	Label string
	At    string
	Role  string
}

type actionView struct {
	Action services.Action
	Label  string
	Style  string
	Route  string // handle or respond
	Fields []fieldView
}

// fieldView is one input of an action's form.
type fieldView struct {
	Name, Key string
	Required  bool
	Rating    bool
	Choices   []choice
}

type choice struct{ Code, Label string }

func fieldsOf(t services.Transition, lang string) []fieldView {
	var out []fieldView
	add := func(names []string, required bool) {
		for _, n := range names {
			f := fieldView{Name: n, Key: "sv.f " + n, Required: required, Rating: n == services.FieldSatisfaction}
			if f.Rating {
				for _, si := range workorder.Satisfactions {
					l := si.LabelZH
					if lang == "en" {
						l = si.LabelEN
					}
					f.Choices = append(f.Choices, choice{si.Code, l})
				}
			}
			out = append(out, f)
		}
	}
	add(t.Requires, true)
	add(t.Optional, false)
	return out
}

func view(q services.Request, lang string) requestView {
	T := kit.Translator(lang)
	v := requestView{Request: q, Item: q.ItemName, StateName: q.State.Label(lang), Received: stamp(q.ReceivedAt), Due: stamp(q.DueAt)}
	if lang == "en" && q.ItemNameEN != "" {
		v.Item = q.ItemNameEN
	}
	for _, si := range workorder.Satisfactions {
		if si.Code == q.Satisfaction {
			v.Rating = si.LabelZH
			if lang == "en" {
				v.Rating = si.LabelEN
			}
		}
	}
	for _, e := range q.Events {
		label := services.Action(e.Action).Label(lang)
		switch e.Action {
		case "request":
			label = T("sv.event request")
		case services.EventEscalate:
			// Stored in Chinese for the record; the label says it in the page's language.
			label, e.Text = T("sv.event escalate"), ""
		}
		if e.Action == string(services.ActRate) {
			// The rating's event starts with the grade's code: show its name.
			for _, si := range workorder.Satisfactions {
				if code, rest, _ := strings.Cut(e.Text, " "); code == si.Code {
					name := si.LabelZH
					if lang == "en" {
						name = si.LabelEN
					}
					e.Text = strings.TrimSpace(name + " " + rest)
				}
			}
		}
		v.Timeline = append(v.Timeline, eventView{Event: e, Label: label, At: stamp(e.At), Role: T("sv.role " + e.ActorRole)})
	}
	return v
}

func (s *handlers) listPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	f, err := filterOf(r)
	if err != nil {
		return err
	}
	list, err := s.svc().List(r.Context(), c.Towns, c.User, f)
	if err != nil {
		return err
	}
	if list, err = s.shown(r, c, list); err != nil {
		return err
	}
	views := make([]requestView, len(list))
	overdue := 0
	for i, q := range list {
		views[i] = view(q, lang)
		if q.Overdue {
			overdue++
		}
	}
	states := []services.Label{{Code: "", ZH: "全部", EN: "All"}, {Code: "open", ZH: "办理中", EN: "Open"}}
	for _, st := range services.States {
		states = append(states, services.Label{Code: st.State, ZH: st.LabelZH, EN: st.LabelEN})
	}
	mine := c.User.Can(auth.PermServicesRequest) && !c.User.Can(auth.PermServicesHandle)
	title := "sv.queue"
	if mine {
		title = "sv.mine"
	}
	return s.Render(w, r, http.StatusOK, "sv_list", kit.PageData{Title: title, Data: map[string]any{"List": views, "Mine": mine, "Title": title,
		"States": states, "State": f.State, "Overdue": f.Overdue, "OverdueCount": overdue, "Lang": lang}})
}

func (s *handlers) requestPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderRequest(w, r, c, http.StatusOK, nil)
}

func (s *handlers) renderRequest(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, ferr error) error {
	lang := kit.Language(w, r)
	q, err := s.visible(r, c)
	if err != nil {
		return err
	}
	// The user has opened the request: its notices are read (as opening an order reads its own).
	if err := s.svc().MarkNoticesRead(r.Context(), c.User.ID, q.ID); err != nil {
		return err
	}
	shown, err := s.shown(r, c, []services.Request{q})
	if err != nil {
		return err
	}
	v := view(shown[0], lang)
	for _, a := range services.AllowedActions(q.Subject(), actorOf(c)) {
		t, _ := services.Lookup(a)
		route := "respond"
		if containsAction(handleActions, a) {
			route = "handle"
		}
		if route == "handle" && !c.User.Can(auth.PermServicesHandle) || route == "respond" && !c.User.Can(auth.PermServicesRequest) {
			continue
		}
		v.Allowed = append(v.Allowed, actionView{Action: a, Label: a.Label(lang), Style: string(t.Style), Route: route, Fields: fieldsOf(t, lang)})
	}
	pd := kit.PageData{Title: "sv.request", Data: map[string]any{"Q": v, "Lang": lang}}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, lang, ferr)
	}
	return s.Render(w, r, status, "sv_request", pd)
}

func containsAction(as []services.Action, a services.Action) bool {
	for _, x := range as {
		if x == a {
			return true
		}
	}
	return false
}

func formAction(r *http.Request) actionBody {
	return actionBody{Action: services.Action(r.FormValue("action")), Note: r.FormValue("note"), Result: r.FormValue("result"),
		Reason: r.FormValue("reason"), Satisfaction: r.FormValue("satisfaction"), Comment: r.FormValue("comment")}
}

func (s *handlers) actSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller, allowed []services.Action) error {
	b := formAction(r)
	q, err := s.act(r, c, allowed, b)
	if err != nil {
		if status, _ := kit.StatusOf(err); status == http.StatusNotFound {
			return err
		}
		status, _ := kit.StatusOf(err)
		return s.renderRequest(w, r, c, status, err)
	}
	lang := kit.Language(w, r)
	kit.RedirectFlash(w, r, fmt.Sprintf("/services/requests/%d", q.ID), b.Action.Label(lang)+" · "+q.State.Label(lang))
	return nil
}

func (s *handlers) handleSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.actSubmit(w, r, c, handleActions)
}

func (s *handlers) respondSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.actSubmit(w, r, c, respondActions)
}

// fieldList joins a list for a textarea, one a line.
func fieldList(ss []string) string { return strings.Join(ss, "\n") }
