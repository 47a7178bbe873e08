package results

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/results"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// rowView is a result as the lists show it.
type rowView struct {
	results.Result
	Depth      int
	StatusName string
	Budget     string // 万元
	Mine       bool
	Bar        string // the progress bar's width, "46.7%"
	DeptShown  string // the department's name in the page's language
}

func rows(list []results.Result, sts []results.Status, lang string, mine map[int64]bool) []rowView {
	depth := results.Depth(list)
	out := make([]rowView, len(list))
	for i, r := range list {
		out[i] = rowView{Result: r, Depth: depth[r.ID], StatusName: results.StatusName(sts, r.Status, lang), Budget: results.Wan(r.BudgetFen),
			Mine: mine[r.ID], Bar: strconv.FormatFloat(r.Progress, 'f', 1, 64) + "%", DeptShown: r.Dept(lang)}
	}
	return out
}

// chartData is what results.js draws: one bar per project (progress) and its overdue milestones.
type chartData struct {
	Titles   []string  `json:"titles"`
	Progress []float64 `json:"progress"`
	Overdue  []int     `json:"overdue"`
	IDs      []int64   `json:"ids"`
}

// pin is a project's place on the map.
type pin struct {
	ID       int64   `json:"id"`
	Title    string  `json:"title"`
	Lat      float64 `json:"lat"`
	Lng      float64 `json:"lng"`
	Progress float64 `json:"progress"`
	Status   string  `json:"status"`
}

func chartAndPins(rs []rowView) (chartData, []pin) {
	c := chartData{Titles: []string{}, Progress: []float64{}, Overdue: []int{}, IDs: []int64{}}
	pins := []pin{}
	overdue := map[int64]int{}
	root := map[int64]int64{}
	for _, r := range rs {
		if r.ParentID == 0 {
			root[r.ID] = r.ID
		} else {
			root[r.ID] = root[r.ParentID]
		}
		overdue[root[r.ID]] += r.Overdue
		if r.Lat != nil && r.Lng != nil {
			pins = append(pins, pin{ID: r.ID, Title: r.Title, Lat: *r.Lat, Lng: *r.Lng, Progress: r.Progress, Status: r.Status})
		}
	}
	for _, r := range rs {
		if r.ParentID == 0 {
			c.Titles = append(c.Titles, r.Title)
			c.Progress = append(c.Progress, r.Progress)
			c.Overdue = append(c.Overdue, overdue[r.ID])
			c.IDs = append(c.IDs, r.ID)
		}
	}
	return c, pins
}

type dept struct{ Code, Name string }

func (s *handlers) departments(r *http.Request, towns []string) ([]dept, error) {
	var out []dept
	for _, t := range towns {
		rows, err := s.DB.Query(r.Context(), `SELECT code, name FROM departments WHERE town_code = ? ORDER BY kind, code`, t)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var d dept
			if err := rows.Scan(&d.Code, &d.Name); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, d)
		}
		rows.Close()
	}
	return out, nil
}

type yearData struct {
	Year      int
	Years     []int
	Rows      []rowView
	Projects  int
	Budget    string
	Progress  string
	Overdue   []results.Milestone
	Chart     chartData
	Pins      []pin
	Labels    map[string]string
	MayManage bool
	MayBulk   bool
	Depts     []dept
	Form      results.Chosen
	Statuses  []results.Status
	Rules     results.Rules
	Town      string
}

func (s *handlers) yearPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderYear(w, r, c, http.StatusOK, results.Chosen{}, nil)
}

func (s *handlers) renderYear(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, form results.Chosen, ferr error) error {
	ctx := r.Context()
	lang := kit.Language(w, r)
	year, err := s.yearOf(r, c.Towns)
	if err != nil {
		return err
	}
	svc := s.svc()
	list, err := svc.Year(ctx, c.Towns, year)
	if err != nil {
		return err
	}
	years, err := svc.Years(ctx, c.Towns)
	if err != nil {
		return err
	}
	town := ""
	if len(c.Towns) > 0 {
		town = c.Towns[0]
	}
	sts, err := svc.Statuses(ctx, town)
	if err != nil {
		return err
	}
	d := yearData{Year: year, Years: years, Rows: rows(list, sts, lang, svc.Mine(ctx, c.User, list)), MayManage: results.MayManage(c.User),
		MayBulk: c.User.Can(auth.PermResultsUpdate), Form: form, Statuses: sts, Town: town}
	var budget int64
	var sum float64
	for _, r := range list {
		if r.ParentID == 0 {
			d.Projects++
			budget += r.BudgetFen
			sum += r.Progress
		}
	}
	d.Budget = results.Wan(budget)
	d.Progress = "0.0"
	if d.Projects > 0 {
		d.Progress = strconv.FormatFloat(sum/float64(d.Projects), 'f', 1, 64)
	}
	dept := ""
	if c.User.Role == auth.RoleHandler {
		dept = c.User.DepartmentCode
	}
	if d.Overdue, err = svc.OverdueIn(ctx, c.Towns, year, dept); err != nil {
		return err
	}
	d.Chart, d.Pins = chartAndPins(d.Rows)
	T := kit.Translator(lang)
	d.Labels = map[string]string{"progress": T("rs.progress"), "overdue": T("rs.overdue milestones")}
	if d.MayManage {
		if d.Depts, err = s.departments(r, c.Towns); err != nil {
			return err
		}
		if d.Rules, err = svc.EvaluationRules(ctx, town); err != nil {
			return err
		}
	}
	pd := kit.PageData{Title: "rs.title", Data: d}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, lang, ferr)
	}
	return s.Render(w, r, status, "results", pd)
}

// fieldStatus answers bad form input with its status (422) and the page again.
func fieldStatus(err error) (int, bool) {
	var fe *problem.FieldError
	if errors.As(err, &fe) {
		return http.StatusUnprocessableEntity, true
	}
	return 0, false
}

// yuanToFen reads a budget in 万元 ("125.5") as fen.
func wanToFen(field, v string) (int64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1e8 {
		return 0, problem.Field(field, "%q is not an amount in 10,000 yuan", v)
	}
	return int64(f*1e6 + 0.5), nil
}

func optFloat(r *http.Request, name string) (float64, error) {
	p, err := kit.FloatField(r, name)
	if err != nil || p == nil {
		return 0, err
	}
	return *p, nil
}

func (s *handlers) createSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	form := results.Chosen{Title: r.PostFormValue("title"), Description: r.PostFormValue("description"), Category: r.PostFormValue("category"),
		Department: r.PostFormValue("department"), Place: r.PostFormValue("place")}
	form.Year, _ = strconv.Atoi(r.PostFormValue("year"))
	var err error
	if form.BudgetFen, err = wanToFen("budget", r.PostFormValue("budget")); err == nil {
		if pid := r.PostFormValue("parent_id"); pid != "" {
			form.ParentID, _ = strconv.ParseInt(pid, 10, 64)
		}
		if form.Weight, err = optFloat(r, "weight"); err == nil {
			if form.Lat, err = optFloat(r, "lat"); err == nil {
				form.Lon, err = optFloat(r, "lng")
			}
		}
	}
	var res results.Result
	if err == nil {
		res, err = s.svc().Create(r.Context(), c.Towns, form, c.User)
	}
	if status, ok := fieldStatus(err); ok {
		if form.ParentID != 0 {
			return s.renderResult(w, r, c, form.ParentID, status, err)
		}
		return s.renderYear(w, r, c, status, form, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/results/%d", res.ID), kit.Translator(kit.Language(w, r))("rs.created"))
	return nil
}

func (s *handlers) evaluateSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	town := ""
	if len(c.Towns) > 0 {
		town = c.Towns[0]
	}
	vs, err := s.svc().Evaluate(r.Context(), c.Towns, town, year, r.PostFormValue("note"), c.User)
	if status, ok := fieldStatus(err); ok {
		return s.renderYear(w, r, c, status, results.Chosen{}, err)
	}
	if err != nil {
		return err
	}
	n := 0
	for _, v := range vs {
		if v.Rectify {
			n++
		}
	}
	T := kit.Translator(kit.Language(w, r))
	kit.RedirectFlash(w, r, fmt.Sprintf("/results?year=%d", year), fmt.Sprintf(T("rs.evaluated"), len(vs), n))
	return nil
}

// homePanel is a handler's home (their department's results and its overdue milestones) and a
// deputy's (the year's projects to inspect, and those open for rating).
func (s *handlers) homePanel(r *http.Request, c *kit.Caller, lang string) (template.HTML, error) {
	ctx := r.Context()
	svc := s.svc()
	year, _ := s.yearOf(r, c.Towns)
	list, err := svc.Year(ctx, c.Towns, year)
	if err != nil || len(list) == 0 {
		return "", err
	}
	town := list[0].TownCode
	sts, err := svc.Statuses(ctx, town)
	if err != nil {
		return "", err
	}
	all := rows(list, sts, lang, svc.Mine(ctx, c.User, list))
	d := map[string]any{"Year": year, "Deputy": c.User.Role == auth.RoleDeputy}
	var shown []rowView
	today := svc.Today()
	var rate []rowView
	for _, rv := range all {
		switch {
		case c.User.Role == auth.RoleHandler && rv.Mine:
			shown = append(shown, rv)
		case c.User.Role == auth.RoleDeputy && rv.ParentID == 0:
			shown = append(shown, rv)
			if results.RatingOpen(rv.Result, today) {
				rate = append(rate, rv)
			}
		}
	}
	if len(shown) == 0 {
		return "", nil
	}
	d["Rows"], d["Rate"] = shown, rate
	dept := ""
	if c.User.Role == auth.RoleHandler {
		dept = c.User.DepartmentCode
	}
	overdue, err := svc.OverdueIn(ctx, c.Towns, year, dept)
	if err != nil {
		return "", err
	}
	d["Overdue"] = overdue
	t, err := template.New("panel").Funcs(template.FuncMap{"T": kit.Translator(lang)}).ParseFS(files, "templates/panel/home.html")
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "rs-home", d); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil // #nosec: executed by html/template
}
