package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// lookups are the names pages show next to codes.
type lookups struct {
	Categories  []orders.Category
	Leaves      []orders.Category
	CatName     map[string]string
	Departments []places.Department
	DeptName    map[string]string
	Grids       []places.Grid
	GridName    map[string]string
	Classes     []workorder.DeadlineClass
	Satisfy     []workorder.SatisfactionInfo
	Outcomes    []workorder.SatisfactionInfo // the callback outcomes without a rating
	States      []workorder.StateInfo
	Channels    map[string]string
}

// lookups are the names and pickers of every town the caller sees (the new-order form, the
// export). A constant number of queries, whatever the number of towns.
func (s *handlers) lookups(r *http.Request, c *kit.Caller, lang string) (lookups, error) {
	return s.lookupsOf(r.Context(), c.Towns, len(c.Towns) == 1, lang)
}

// lookupsOf are the names and pickers of towns: their categories (the retired ones named too),
// departments and grids, in four queries. oneTown drops the town's name from its grids' names
// ("新泾镇第四网格" reads as "第四网格" where only one town is seen).
func (s *handlers) lookupsOf(ctx context.Context, towns []string, oneTown bool, lang string) (lookups, error) {
	l := newLookups(lang)
	cats, retired, err := s.Orders.CategoriesOfTowns(ctx, towns)
	if err != nil {
		return l, err
	}
	l.Categories = cats
	l.nameCategories(cats, retired, lang)
	parents := map[string]bool{}
	for _, cat := range cats {
		parents[cat.Parent] = true
	}
	for _, cat := range cats {
		if !parents[cat.Code] {
			l.Leaves = append(l.Leaves, cat)
		}
	}
	if l.Departments, err = places.Departments(ctx, s.DB, towns); err != nil {
		return l, err
	}
	l.nameDepartments(lang)
	if l.Grids, err = places.GridNames(ctx, s.DB, towns, nil); err != nil {
		return l, err
	}
	var trim []places.Region
	if oneTown {
		if trim, err = places.TenantTowns(ctx, s.DB, towns); err != nil {
			return l, err
		}
	}
	l.nameGrids(trim)
	return l, nil
}

// newLookups are lookups with no town's names yet: the state, class and channel tables.
func newLookups(lang string) lookups {
	l := lookups{CatName: map[string]string{}, DeptName: map[string]string{}, GridName: map[string]string{}, Channels: map[string]string{},
		Classes: workorder.DeadlineClasses, Satisfy: workorder.Satisfactions, Outcomes: workorder.CallbackOutcomes, States: workorder.States}
	for _, ch := range orders.Channels {
		if lang == "en" {
			l.Channels[ch.Code] = ch.EN
		} else {
			l.Channels[ch.Code] = ch.ZH
		}
	}
	return l
}

// nameCategories names the categories in use and, for the closed orders filed under them, the
// codes a newer tree retired (a code in use wins over a retired one of another town).
func (l *lookups) nameCategories(inUse, retired []orders.Category, lang string) {
	for _, group := range [][]orders.Category{retired, inUse} {
		for _, cat := range group {
			name := cat.Name
			if lang == "en" && cat.NameEN != "" {
				name = cat.NameEN
			}
			l.CatName[cat.Code] = name
		}
	}
}

// nameDepartments names l.Departments, in English where they have an English name.
func (l *lookups) nameDepartments(lang string) {
	for i, d := range l.Departments {
		if lang == "en" && d.NameEN != "" {
			l.Departments[i].Name = d.NameEN
		}
		l.DeptName[d.Code] = l.Departments[i].Name
	}
}

// nameGrids names l.Grids, without the name of any town of trim at their start.
func (l *lookups) nameGrids(trim []places.Region) {
	for _, g := range l.Grids {
		name := g.Name
		for _, t := range trim {
			name = strings.TrimPrefix(name, t.Name)
		}
		l.GridName[g.Code] = name
	}
}

// actionForm is one allowed action rendered as a form with the fields it needs.
type actionForm struct {
	Action   workorder.Action
	Label    string
	Fields   map[string]bool
	Required map[string]bool
	Primary  bool
	Danger   bool
	// Selected is the form shown when the page opens: the first that is not destructive, none if
	// every one is.
	Selected bool
	// Confirm is the question a destructive form asks before it is sent (data-confirm).
	Confirm string
}

type orderPage struct {
	lookups
	Order   OrderView
	Forms   []actionForm
	Events  []orders.Event
	Pin     string
	Public  PublicOrder
	Related []similarOrder
	// DeptGroups are the departments of the order's town by kind, for the dispatch pickers.
	DeptGroups []deptGroup
	// Leads is the town's category → preset lead department table (JSON, for the form's script);
	// Lead is the preset of the order's category.
	Leads string
	// Preset is the department the lead picker opens on: the order's own, else the category's
	// preset, whose reason (an orders.Lead reason) PresetReason then is.
	Preset, PresetReason string
	// CoSelected are the order's co-handling departments, ticked in the checklist.
	CoSelected map[string]bool
	// Suggest, Duplicates and CanMerge are the dispatcher's smart-dispatch boxes (suggest.go).
	Suggest    *suggestView
	Duplicates []duplicateView
	CanMerge   bool
	// DuplicateNumber is the number of the order this one was merged into, for its timeline.
	DuplicateNumber string
	// Stages are the order's stage clocks in words (办理时限).
	Stages []stageRow
}

// actionFileDispatch is the dispatcher's one-screen triage: file and dispatch in one submission,
// still two transitions with two events, so the history reads as the rules say.
const actionFileDispatch = "file_dispatch"

func (s *handlers) fileAndDispatch(r *http.Request, c *kit.Caller, id int64, version int, in workorder.Input) (orders.Order, error) {
	// Check what the second step needs before taking the first, so a missing department does not
	// leave the order filed but undispatched.
	if strings.TrimSpace(in.Department) == "" {
		return orders.Order{}, &workorder.FieldError{Field: "department", Reason: "is required to dispatch"}
	}
	if _, err := places.DepartmentByCode(r.Context(), s.DB, c.Towns, in.Department); err != nil {
		return orders.Order{}, &workorder.FieldError{Field: "department", Reason: fmt.Sprintf("unknown department %q", in.Department)}
	}
	filed, err := s.Orders.Act(r.Context(), c.Towns, id, ActorOf(c), workorder.ActFile, version,
		workorder.Input{Category: in.Category, Grid: in.Grid, DeadlineClass: in.DeadlineClass})
	if err != nil {
		return filed, err
	}
	return s.Orders.Act(r.Context(), c.Towns, id, ActorOf(c), workorder.ActDispatch, filed.Version,
		workorder.Input{Department: in.Department, CoDepartments: in.CoDepartments})
}

func actionForms(allowed []workorder.Action, lang string) []actionForm {
	var out []actionForm
	for _, a := range allowed {
		if a == workorder.ActFile {
			out = append(out, actionForm{Action: actionFileDispatch, Label: actionLabel(actionFileDispatch, lang), Primary: true,
				Fields:   map[string]bool{"category": true, "grid": true, "deadline_class": true, "department": true, "co_departments": true},
				Required: map[string]bool{"category": true, "grid": true, "department": true}})
		}
	}
	for _, a := range workorder.InButtonOrder(allowed) {
		t, ok := workorder.Lookup(a)
		if !ok {
			continue
		}
		f := actionForm{Action: a, Label: t.LabelZH, Fields: map[string]bool{}, Required: map[string]bool{}}
		if lang == "en" {
			f.Label = t.LabelEN
		}
		for _, x := range t.Requires {
			f.Fields[x], f.Required[x] = true, true
		}
		for _, x := range t.Optional {
			f.Fields[x] = true
		}
		f.Primary = t.Show.Style == workorder.StylePrimary
		f.Danger = t.Show.Style == workorder.StyleDanger
		if f.Danger {
			f.Confirm = fmt.Sprintf(kit.Translator(lang)("confirm action"), f.Label)
		}
		out = append(out, f)
	}
	for i := range out {
		if !out[i].Danger {
			out[i].Selected = true
			break
		}
	}
	return out
}

func (s *handlers) orderPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	if c.User.Role == auth.RoleResident {
		http.Redirect(w, r, ResidentReports+"/"+r.PathValue("id"), http.StatusSeeOther)
		return nil
	}
	o, err := s.pathOrder(r, c)
	if err != nil {
		return err
	}
	// Opening the order is reading what was said about it.
	if err := s.Orders.MarkOrderRead(r.Context(), c.User.ID, o.ID); err != nil {
		return err
	}
	return s.renderOrder(w, r, c, o, http.StatusOK, "", "")
}

func (s *handlers) renderOrder(w http.ResponseWriter, r *http.Request, c *kit.Caller, o orders.Order, status int, errMsg, field string) error {
	lang := kit.Language(w, r)
	// The order's town alone: its pickers offer nothing else, and a city account would otherwise
	// read every town's trees to show one order.
	l, err := s.lookupsOf(r.Context(), []string{o.TownCode}, len(c.Towns) == 1, lang)
	if err != nil {
		return err
	}
	shown := kit.ShownLog(r, privacy.Orders)
	v := s.view(r, c, o, shown)
	p := orderPage{lookups: l, Order: v, Forms: actionForms(v.AllowedActions, lang), Events: v.Events}
	p.Stages = s.stageRows(v.Stages, l, lang)
	if c.User.Role == auth.RoleResident {
		// Residents see who acted by role, not staff members' names (as on the public tracking page).
		p.Events = make([]orders.Event, len(v.Events))
		for i, e := range v.Events {
			if e.ActorID != c.User.ID {
				e.Actor = auth.RoleName(e.Role, lang)
			}
			p.Events[i] = e
		}
	}
	if o.Lat != nil && o.Lng != nil {
		raw, _ := json.Marshal(map[string]any{"lat": *o.Lat, "lng": *o.Lng, "grid": o.Grid})
		p.Pin = string(raw)
	}
	// The pickers offer the order's town only: a city account sees several towns' lists.
	p.Leaves, p.Grids = ofTown(l.Leaves, o.TownCode, func(c orders.Category) string { return c.TownCode }),
		ofTown(l.Grids, o.TownCode, func(g places.Grid) string { return g.TownCode })
	p.DeptGroups = deptGroups(l.Departments, o.TownCode, lang)
	leads, err := s.leadTable(r, l, o.TownCode, o.Grid, o.ReceivedAt)
	if err != nil {
		return err
	}
	raw, _ := json.Marshal(leads)
	lead := leads[o.Category]
	p.Leads, p.Preset = string(raw), o.Department
	co := o.CoDepartments
	if p.Preset == "" && lead.Department != "" {
		p.Preset, p.PresetReason, co = lead.Department, lead.Reason, lead.Co
	}
	p.CoSelected = map[string]bool{}
	for _, d := range co {
		p.CoSelected[d] = true
	}
	if o.DuplicateOf == 0 && (o.State == "received" || o.State == "filed") {
		p.Related = s.similarOpen(r, c, o, shown)
	}
	s.suggestions(r, c, o, v, &p, lang)
	if o.DuplicateOf != 0 {
		if into, err := s.Orders.Get(r.Context(), c.Towns, o.DuplicateOf, false); err == nil {
			p.DuplicateNumber = into.Number
		}
	}
	if err := s.RecordShown(r, c, shown); err != nil {
		return err
	}
	return s.Render(w, r, status, "order", kit.PageData{Title: o.Number, Error: errMsg, Field: field, Data: p})
}

// orderActSubmit applies one action from the order page's multipart form, uploading its photos first.
func (s *handlers) orderActSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	o, err := s.pathOrder(r, c)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 6*(10<<20))
	if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return s.renderOrder(w, r, c, o, http.StatusRequestEntityTooLarge, "photos: "+err.Error(), "photos")
	}
	version, err := strconv.Atoi(r.FormValue("version"))
	if err != nil {
		return s.renderOrder(w, r, c, o, http.StatusBadRequest, "version: missing", "version")
	}
	// Texts and lists are bounded before anything is stored, photos above all.
	lang := kit.Language(w, r)
	err = checkFormTexts(lang, actionTexts, r.FormValue)
	if err == nil {
		err = checkList(lang, "co_departments", "co departments", len(r.Form["co_departments"]), orders.MaxCoDepartments)
	}
	if err == nil && r.MultipartForm != nil {
		err = checkList(lang, "photos", "photos", len(r.MultipartForm.File["photos"]), orders.MaxPhotos)
	}
	if err != nil {
		status, body := kit.StatusOf(err)
		return s.renderOrder(w, r, c, o, status, body.Message, body.Field)
	}
	in := workorder.Input{Category: r.FormValue("category"), Grid: r.FormValue("grid"), DeadlineClass: r.FormValue("deadline_class"),
		Department: r.FormValue("department"), Reason: r.FormValue("reason"), Result: r.FormValue("result"), Note: r.FormValue("note"),
		Satisfaction: r.FormValue("satisfaction"), Comment: r.FormValue("comment"), CallbackOutcome: r.FormValue("callback_outcome")}
	for _, d := range r.Form["co_departments"] {
		if d != "" && d != in.Department {
			in.CoDepartments = append(in.CoDepartments, d)
		}
	}
	if v := strings.TrimSpace(r.FormValue("duplicate_of")); v != "" {
		dup, err := s.resolveOrderRef(r, c, v)
		if err != nil {
			_, msg, _ := kit.ErrorText(r, lang, err)
			return s.renderOrder(w, r, c, o, http.StatusUnprocessableEntity, msg, "duplicate_of")
		}
		in.DuplicateOf = dup
	}
	if v := r.FormValue("deadline"); v != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", v, shanghai)
		if err != nil {
			_, msg, _ := kit.ErrorText(r, lang, problem.Field("deadline", "not a date and time"))
			return s.renderOrder(w, r, c, o, http.StatusUnprocessableEntity, msg, "deadline")
		}
		in.Deadline = &t
	}
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["photos"] {
			id, err := s.savePhotoPart(r, o.TownCode, c.User.ID, fh)
			if err != nil {
				_, msg, _ := kit.ErrorText(r, lang, err)
				return s.renderOrder(w, r, c, o, http.StatusUnprocessableEntity, msg, "photos")
			}
			in.Photos = append(in.Photos, id)
		}
	}
	var updated orders.Order
	if r.FormValue("action") == actionFileDispatch {
		updated, err = s.fileAndDispatch(r, c, o.ID, version, in)
	} else {
		updated, err = s.Orders.Act(r.Context(), c.Towns, o.ID, ActorOf(c), workorder.Action(r.FormValue("action")), version, in)
	}
	if err != nil {
		status, msg, field := kit.ErrorText(r, lang, err)
		if status >= 500 {
			return err
		}
		return s.renderOrder(w, r, c, o, status, msg, field)
	}
	T := kit.Translator(kit.Language(w, r))
	kit.RedirectFlash(w, r, fmt.Sprintf("/orders/%d", updated.ID), T("done")+": "+actionLabel(r.FormValue("action"), kit.Language(w, r)))
	return nil
}
