package dispatch

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// categoriesData is what the category tree page shows.
type categoriesData struct {
	Town    string
	Towns   []places.Region
	Version int // the version shown (0: the tree before any version)
	Current int // the version in force
	Note    string
	// Illustrative: some nodes are marked illustrative (示意), written as an example rather than
	// taken from a published standard.
	Illustrative bool
	Sections     []treeSection
	Versions     []dispatch.Version
	MayEdit      bool
	Errors       []string // a refused upload's problems, in the page's language
	More         int
	Form         struct{ ValidFrom, Note string }
	Today        string
}

// treeSection is a kind of top class (部件, 事件, 热线) with its classes.
type treeSection struct {
	Kind    string
	Name    string
	Classes []treeClass
}

type treeClass struct {
	dispatch.Node
	Label string
	Subs  []treeSub
}

type treeSub struct {
	dispatch.Node
	Label      string
	Department string
	Limit      string
	Conditions []treeCondition
}

type treeCondition struct {
	dispatch.Node
	Limit string
}

func (s *handlers) categoriesPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderCategories(w, r, c, http.StatusOK, nil)
}

// renderCategories draws the page; uerr is a refused upload's error, or nil.
func (s *handlers) renderCategories(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, uerr error) error {
	ctx := r.Context()
	lang := kit.Language(w, r)
	town := pickTown(r, c)
	if town == "" {
		return problem.NotFound("town")
	}
	// A version whose date has come takes effect when the tree is read (and hourly, RunActivator).
	if _, err := dispatch.Activate(ctx, s.DB, town, time.Now()); err != nil {
		s.Log.Warn("category version could not take effect", "town", town, "err", err)
	}
	towns, err := places.TenantTowns(ctx, s.DB, c.Towns)
	if err != nil {
		return err
	}
	d := categoriesData{Town: town, Towns: towns, MayEdit: c.User.Can(auth.PermDispatchWrite), Today: dispatch.Today(time.Now())}
	tree, current, err := dispatch.CurrentTree(ctx, s.DB, town)
	if err != nil {
		return err
	}
	d.Current, d.Version = current, current
	if v, err := strconv.Atoi(r.URL.Query().Get("version")); err == nil && v != current && v > 0 {
		if tree, err = dispatch.VersionTree(ctx, s.DB, town, v); err != nil {
			return err
		}
		d.Version = v
	}
	if d.Versions, err = dispatch.Versions(ctx, s.DB, town); err != nil {
		return err
	}
	deps, err := places.Departments(ctx, s.DB, []string{town})
	if err != nil {
		return err
	}
	depName := map[string]string{}
	for _, dp := range deps {
		depName[dp.Code] = dp.Name
		if lang == "en" && dp.NameEN != "" {
			depName[dp.Code] = dp.NameEN
		}
	}
	d.Note = tree.Note
	for _, n := range tree.Nodes {
		d.Illustrative = d.Illustrative || n.Illustrative
	}
	d.Illustrative = d.Illustrative && !strings.Contains(d.Note, "示意") // the note says it already
	d.Sections = sections(tree, lang, depName)
	if uerr != nil {
		var te *dispatch.TreeErrors
		if errors.As(uerr, &te) {
			for _, e := range te.List {
				d.Errors = append(d.Errors, e.Text(lang))
			}
			d.More = te.More
		} else {
			_, msg, _ := kit.ErrorText(r, lang, uerr)
			d.Errors = []string{msg}
		}
		d.Form.ValidFrom, d.Form.Note = r.FormValue("valid_from"), r.FormValue("note")
	}
	return s.Render(w, r, status, "categories", kit.PageData{Title: "dispatch.cat.title", Data: d})
}

// sections lays a tree out for the page: 部件, 事件, 热线, each class with its sub-classes and
// their conditions.
func sections(tree dispatch.Tree, lang string, depName map[string]string) []treeSection {
	name := func(n dispatch.Node) string {
		if lang == "en" && n.NameEN != "" {
			return n.NameEN
		}
		return n.Name
	}
	var out []treeSection
	for _, n := range tree.Sorted() {
		switch n.Level {
		case dispatch.LevelClass:
			if len(out) == 0 || out[len(out)-1].Kind != n.Kind {
				out = append(out, treeSection{Kind: n.Kind, Name: dispatch.KindName(n.Kind, lang)})
			}
			sec := &out[len(out)-1]
			sec.Classes = append(sec.Classes, treeClass{Node: n, Label: name(n)})
		case dispatch.LevelSub:
			if len(out) == 0 || len(out[len(out)-1].Classes) == 0 {
				continue
			}
			cls := &out[len(out)-1].Classes[len(out[len(out)-1].Classes)-1]
			dep := depName[n.Department]
			if dep == "" {
				dep = n.Department
			}
			cls.Subs = append(cls.Subs, treeSub{Node: n, Label: name(n), Department: dep, Limit: limitText(n, lang)})
		case dispatch.LevelCondition:
			if len(out) == 0 || len(out[len(out)-1].Classes) == 0 {
				continue
			}
			cls := &out[len(out)-1].Classes[len(out[len(out)-1].Classes)-1]
			if len(cls.Subs) == 0 {
				continue
			}
			sub := &cls.Subs[len(cls.Subs)-1]
			sub.Conditions = append(sub.Conditions, treeCondition{Node: n, Limit: limitText(n, lang)})
		}
	}
	return out
}

// limitText tells a node's time limit: its deadline class's name with its days, or N working days.
func limitText(n dispatch.Node, lang string) string {
	if n.DeadlineDays > 0 {
		if lang == "en" {
			return fmt.Sprintf("%d working days", n.DeadlineDays)
		}
		return fmt.Sprintf("%d 个工作日", n.DeadlineDays)
	}
	for _, c := range workorder.DeadlineClasses {
		if c.Code == n.DeadlineClass {
			if lang == "en" {
				return fmt.Sprintf("%s (%d working days)", c.LabelEN, c.Days)
			}
			return fmt.Sprintf("%s（%d 个工作日）", c.LabelZH, c.Days)
		}
	}
	return ""
}

// categoriesUpload publishes an uploaded xlsx or CSV as the town's next version.
func (s *handlers) categoriesUpload(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	T := kit.Translator(lang)
	town := pickTown(r, c)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return s.renderCategories(w, r, c, http.StatusBadRequest, kit.BadRequest("file", T("dispatch.cat.no.file")))
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, dispatch.MaxTreeFileBytes+1))
	if err != nil {
		return err
	}
	tree, err := dispatch.ReadTreeFile(hdr.Filename, data)
	if err == nil {
		var v dispatch.Version
		v, err = dispatch.Publish(r.Context(), s.DB, town, tree, strings.TrimSpace(r.FormValue("valid_from")), r.FormValue("note"), kit.AuditActor(r, c), time.Now())
		if err == nil {
			msg := fmt.Sprintf(T("dispatch.cat.published"), v.Version, v.Nodes, v.ValidFrom)
			kit.RedirectFlash(w, r, "/admin/categories?town="+url.QueryEscape(town), msg)
			return nil
		}
	}
	status, _ := kit.StatusOf(err)
	if status == http.StatusInternalServerError {
		return err
	}
	return s.renderCategories(w, r, c, status, err)
}

func (s *handlers) categoriesDeleteVersion(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	T := kit.Translator(kit.Language(w, r))
	town := pickTown(r, c)
	v, err := strconv.Atoi(r.PathValue("version"))
	if err != nil {
		return problem.NotFound("category version %q", r.PathValue("version"))
	}
	err = dispatch.DeleteVersion(r.Context(), s.DB, town, v, kit.AuditActor(r, c))
	switch {
	case errors.Is(err, dispatch.ErrVersionInUse):
		return s.renderCategories(w, r, c, http.StatusConflict, kit.BadRequest("version", fmt.Sprintf(T("dispatch.cat.in.use"), v)))
	case errors.Is(err, dispatch.ErrVersionInForce):
		return s.renderCategories(w, r, c, http.StatusConflict, kit.BadRequest("version", fmt.Sprintf(T("dispatch.cat.in.force"), v)))
	case err != nil:
		return err
	}
	kit.RedirectFlash(w, r, "/admin/categories?town="+url.QueryEscape(town), fmt.Sprintf(T("dispatch.cat.deleted"), v))
	return nil
}

// categoriesXLSX downloads the tree in force (or ?version=N) as xlsx, in the shape the upload reads.
func (s *handlers) categoriesXLSX(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	town := pickTown(r, c)
	tree, v, err := dispatch.CurrentTree(r.Context(), s.DB, town)
	if err != nil {
		return err
	}
	if q, err := strconv.Atoi(r.URL.Query().Get("version")); err == nil && q > 0 && q != v {
		if tree, err = dispatch.VersionTree(r.Context(), s.DB, town, q); err != nil {
			return err
		}
		v = q
	}
	_ = tree.Validate(dispatch.Refs{}) // sets the levels the layout needs; a stored tree was valid
	var b bytes.Buffer
	if err := dispatch.WriteTreeXLSX(&b, tree); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	name := fmt.Sprintf("categories-%s-v%d.xlsx", town, v)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, err = w.Write(b.Bytes())
	return err
}
