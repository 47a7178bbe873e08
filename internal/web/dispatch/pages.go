package dispatch

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// townData is what the page knows of one town: its rules and the names they refer to.
type townData struct {
	Town        string
	Towns       []places.Region
	Rules       []ruleRow
	Categories  []categoryGroup
	Grids       []places.Grid
	Departments []departmentGroup
	Classes     []classOption
	MayEdit     bool
	Form        ruleForm
	Try         *tryResult
	TryForm     tryForm
	Accuracy    accuracyView
}

// accuracyView is how the suggestions of the last accuracyDays fared, in whole percents.
type accuracyView struct {
	dispatch.Accuracy
	Days                                               int
	AcceptedPct, InOfferedPct, ChangedPct, ReturnedPct int
	ModelVersion                                       int
}

// accuracyDays is the window of the accuracy figures.
const accuracyDays = 90

type ruleRow struct {
	dispatch.Rule
	CategoryName, GridName, Window, LeadName, DeadlineName string
	CoNames                                                []string
}

type categoryGroup struct {
	Name   string
	Code   string
	Leaves []orders.Category
}

type departmentGroup struct {
	Kind        string // the kind's name in the page's language
	Departments []places.Department
}

type classOption struct{ Code, Name string }

// ruleForm is the rule being edited (ID 0: a new one), as the form shows it.
type ruleForm struct {
	dispatch.Rule
	From, To string
}

// HasCo reports whether the form's rule has code among its co-handlers.
func (f ruleForm) HasCo(code string) bool { return slices.Contains(f.Co, code) }

// names of one town's records, for the page and the API's answers.
type names struct {
	cats  map[string]orders.Category
	grids map[string]string
	deps  map[string]places.Department
}

func (n names) category(code, lang string) string {
	c, ok := n.cats[code]
	return inLanguage(ok, code, c.Name, c.NameEN, lang)
}

func (n names) department(code, lang string) string {
	d, ok := n.deps[code]
	return inLanguage(ok, code, d.Name, d.NameEN, lang)
}

// inLanguage is a record's name in the page's language (the Chinese one when it has no English
// one), or its code when the record is unknown.
func inLanguage(known bool, code, zh, en, lang string) string {
	switch {
	case !known:
		return code
	case lang == "en" && en != "":
		return en
	}
	return zh
}

// pickTown is the town the request names (?town=), or the caller's first.
func pickTown(r *http.Request, c *kit.Caller) string {
	if t := r.FormValue("town"); slices.Contains(c.Towns, t) {
		return t
	}
	if len(c.Towns) > 0 {
		return c.Towns[0]
	}
	return ""
}

func (s *handlers) load(r *http.Request, town string) (names, []orders.Category, []places.Grid, []places.Department, error) {
	n := names{cats: map[string]orders.Category{}, grids: map[string]string{}, deps: map[string]places.Department{}}
	cats, err := s.Orders.Categories(r.Context(), town)
	if err != nil {
		return n, nil, nil, nil, err
	}
	grids, err := places.Grids(r.Context(), s.DB, []string{town})
	if err != nil {
		return n, nil, nil, nil, err
	}
	deps, err := places.Departments(r.Context(), s.DB, []string{town})
	if err != nil {
		return n, nil, nil, nil, err
	}
	for _, c := range cats {
		n.cats[c.Code] = c
	}
	for _, g := range grids {
		n.grids[g.Code] = g.Name
	}
	for _, d := range deps {
		n.deps[d.Code] = d
	}
	return n, cats, grids, deps, nil
}

func (s *handlers) rulesPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.render(w, r, c, http.StatusOK, nil, nil)
}

// render draws the page; form is the refused rule to show again with ferr, or nil.
func (s *handlers) render(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, form *ruleForm, ferr error) error {
	lang := kit.Language(w, r)
	T := kit.Translator(lang)
	town := pickTown(r, c)
	n, cats, grids, deps, err := s.load(r, town)
	if err != nil {
		return err
	}
	rules, err := dispatch.Rules(r.Context(), s.DB, []string{town})
	if err != nil {
		return err
	}
	towns, err := places.TenantTowns(r.Context(), s.DB, c.Towns)
	if err != nil {
		return err
	}
	d := townData{Town: town, Towns: towns, Grids: grids, MayEdit: c.User.Can(auth.PermDispatchWrite)}
	for _, cl := range workorder.DeadlineClasses {
		if cl.Code == workorder.ClassFirstContact || cl.Code == workorder.ClassRehandle {
			continue // stage limits, not a category's
		}
		name := cl.LabelZH
		if lang == "en" {
			name = cl.LabelEN
		}
		d.Classes = append(d.Classes, classOption{cl.Code, name})
	}
	className := func(code string) string {
		for _, o := range d.Classes {
			if o.Code == code {
				return o.Name
			}
		}
		return T("dispatch.deadline.cat")
	}
	for _, ru := range rules {
		row := ruleRow{Rule: ru, CategoryName: T("dispatch.any.cat"), GridName: T("dispatch.any.grid"), Window: T("dispatch.all.day"),
			LeadName: n.department(ru.Lead, lang), DeadlineName: className(ru.DeadlineClass)}
		if ru.Category != "" {
			row.CategoryName = n.category(ru.Category, lang)
		}
		if ru.Grid != "" {
			row.GridName = n.grids[ru.Grid]
		}
		if !ru.AllDay() {
			row.Window = dispatch.Clock(ru.FromMinute) + "–" + dispatch.Clock(ru.ToMinute)
		}
		for _, co := range ru.Co {
			row.CoNames = append(row.CoNames, n.department(co, lang))
		}
		d.Rules = append(d.Rules, row)
	}
	acc, err := dispatch.AccuracySince(r.Context(), s.DB, town, time.Now().AddDate(0, 0, -accuracyDays))
	if err != nil {
		return err
	}
	pct := func(n int) int { return int(acc.Rate(n)*100 + 0.5) }
	d.Accuracy = accuracyView{Accuracy: acc, Days: accuracyDays, AcceptedPct: pct(acc.Accepted), InOfferedPct: pct(acc.InOffered),
		ChangedPct: pct(acc.Changed), ReturnedPct: pct(acc.Returned)}
	if s.Dispatch != nil {
		if _, v, err := s.Dispatch.Model(town); err == nil {
			d.Accuracy.ModelVersion = v
		}
	}
	d.Categories = groupCategories(cats, lang)
	d.Departments = groupDepartments(deps, lang)
	switch {
	case form != nil:
		d.Form = *form
	case r.FormValue("edit") != "":
		id, _ := strconv.ParseInt(r.FormValue("edit"), 10, 64)
		for _, ru := range rules {
			if ru.ID == id {
				d.Form = ruleForm{Rule: ru, From: dispatch.Clock(ru.FromMinute), To: dispatch.Clock(ru.ToMinute)}
			}
		}
	default:
		d.Form = ruleForm{Rule: dispatch.Rule{Enabled: true}, From: "00:00", To: "00:00"}
	}
	if r.Method == http.MethodGet && r.URL.Query().Has("try") {
		d.TryForm = tryForm{Text: trimmed(r.FormValue("text"), maxTryText), Category: r.FormValue("category"), Grid: r.FormValue("grid"), Time: r.FormValue("time")}
		d.Try = s.try(d.TryForm, n, cats, rules, lang)
	}
	pd := kit.PageData{Title: "dispatch.title", Data: d}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, lang, ferr)
	}
	return s.Render(w, r, status, "dispatch", pd)
}

// groupCategories lists leaves under their top classes, for <optgroup>s.
func groupCategories(cats []orders.Category, lang string) []categoryGroup {
	var out []categoryGroup
	idx := map[string]int{}
	for _, c := range cats {
		if c.Parent == "" {
			name := c.Name
			if lang == "en" && c.NameEN != "" {
				name = c.NameEN
			}
			idx[c.Code] = len(out)
			out = append(out, categoryGroup{Name: name, Code: c.Code})
		}
	}
	for _, c := range cats {
		if i, ok := idx[c.Parent]; ok {
			if lang == "en" && c.NameEN != "" {
				c.Name = c.NameEN
			}
			out[i].Leaves = append(out[i].Leaves, c)
		}
	}
	return out
}

// groupDepartments groups departments by kind in places.DepartmentKinds' order (line
// departments first, residents' committees after them).
func groupDepartments(deps []places.Department, lang string) []departmentGroup {
	var out []departmentGroup
	for _, k := range places.DepartmentKinds {
		g := departmentGroup{Kind: k.ZH}
		if lang == "en" {
			g.Kind = k.EN
		}
		for _, d := range deps {
			if d.Kind == k.Code {
				if lang == "en" && d.NameEN != "" {
					d.Name = d.NameEN
				}
				g.Departments = append(g.Departments, d)
			}
		}
		if len(g.Departments) > 0 {
			out = append(out, g)
		}
	}
	return out
}

func (s *handlers) ruleSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	town := pickTown(r, c)
	f := ruleForm{Rule: dispatch.Rule{TownCode: town, Category: r.PostFormValue("category"), Grid: r.PostFormValue("grid"),
		Lead: r.PostFormValue("lead"), Co: r.PostForm["co"], DeadlineClass: r.PostFormValue("deadline_class"),
		Note: r.PostFormValue("note"), Enabled: r.PostFormValue("enabled") != ""}, From: r.PostFormValue("from"), To: r.PostFormValue("to")}
	f.ID, _ = strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	var err error
	if len(f.Co) > dispatch.MaxCoHandlers*2 {
		f.Co = f.Co[:dispatch.MaxCoHandlers*2] // the service refuses more than its limit; the form keeps what it can show
	}
	if f.FromMinute, err = dispatch.ParseClock("from", f.From); err == nil {
		if f.ToMinute, err = dispatch.ParseClock("to", f.To); err == nil {
			_, err = dispatch.SaveRule(r.Context(), s.DB, f.Rule, kit.AuditActor(r, c))
		}
	}
	if err != nil {
		if st, _, _ := kit.ErrorText(r, kit.Language(w, r), err); st == http.StatusUnprocessableEntity || st == http.StatusBadRequest {
			return s.render(w, r, c, http.StatusUnprocessableEntity, &f, err)
		}
		return err
	}
	kit.RedirectFlash(w, r, "/admin/dispatch?town="+town, kit.Translator(kit.Language(w, r))("dispatch.saved"))
	return nil
}

func (s *handlers) ruleDelete(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := dispatch.DeleteRule(r.Context(), s.DB, c.Towns, id, kit.AuditActor(r, c)); err != nil {
		return err
	}
	kit.RedirectFlash(w, r, "/admin/dispatch?town="+pickTown(r, c), kit.Translator(kit.Language(w, r))("dispatch.deleted"))
	return nil
}

// trimmed keeps s within n characters.
func trimmed(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
