package services

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/services"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// adminData is what sv_admin.html shows.
type adminData struct {
	Trees       []adminTree
	Errors      []string // the import's row and column errors, in the user's language
	Departments []department
}

type adminTree struct {
	Label   string
	Aspects []services.Aspect
	Counts  services.Counts
}

type department struct{ Code, Name string }

func (s *handlers) departments(r *http.Request, town string) ([]department, error) {
	rows, err := s.DB.Query(r.Context(), `SELECT code, name FROM departments WHERE town_code = ? ORDER BY code`, town)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []department
	for rows.Next() {
		var d department
		if err := rows.Scan(&d.Code, &d.Name); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (s *handlers) adminPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderAdmin(w, r, c, http.StatusOK, nil)
}

func (s *handlers) renderAdmin(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, importErr error) error {
	lang := kit.Language(w, r)
	var d adminData
	for _, cat := range services.Catalogues {
		tree, err := s.svc().Catalogue(r.Context(), c.User.TownCode, cat.Code, true)
		if err != nil {
			return err
		}
		d.Trees = append(d.Trees, adminTree{Label: cat.Name(lang), Aspects: tree, Counts: services.Count(tree)})
	}
	pd := kit.PageData{Title: "sv.admin", Data: &d}
	var ie *services.ImportError
	switch {
	case errors.As(importErr, &ie):
		for _, e := range ie.Errors {
			d.Errors = append(d.Errors, e.Text(lang))
		}
		pd.Error = kit.Translator(lang)("sv.import failed")
	case importErr != nil:
		_, pd.Error, pd.Field = kit.ErrorText(r, lang, importErr)
	}
	return s.Render(w, r, status, "sv_admin", pd)
}

func (s *handlers) importSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	n, err := s.importFile(r, c)
	if err != nil {
		status, _ := kit.StatusOf(err)
		return s.renderAdmin(w, r, c, status, err)
	}
	T := kit.Translator(kit.Language(w, r))
	kit.RedirectFlash(w, r, "/services/admin", T("sv.imported")+" "+strconv.Itoa(n))
	return nil
}

func (s *handlers) editPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	code := r.PathValue("code")
	e := services.ItemEdit{Catalogue: services.CatalogueJingcai, Days: 5, Delivery: services.DeliverWindow}
	if code != "new" {
		tree := []services.Aspect{}
		for _, cat := range services.Catalogues {
			t, err := s.svc().Catalogue(r.Context(), c.User.TownCode, cat.Code, true)
			if err != nil {
				return err
			}
			tree = append(tree, t...)
		}
		found := false
		for _, a := range tree {
			for _, cg := range a.Categories {
				for _, it := range cg.Items {
					if it.Code == code {
						e, found = services.EditOf(it), true
					}
				}
			}
		}
		if !found {
			return problem.NotFound("service item %q", code)
		}
	}
	return s.renderEdit(w, r, c, http.StatusOK, e, nil)
}

func (s *handlers) renderEdit(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, e services.ItemEdit, ferr error) error {
	lang := kit.Language(w, r)
	deps, err := s.departments(r, c.User.TownCode)
	if err != nil {
		return err
	}
	active := e.Active == nil || *e.Active
	pd := kit.PageData{Title: "sv.edit", Data: map[string]any{"E": e, "Active": active, "Documents": fieldList(e.Documents), "Departments": deps,
		"Catalogues": services.Catalogues, "Deliveries": services.Deliveries, "Lang": lang}}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, lang, ferr)
	}
	return s.Render(w, r, status, "sv_edit", pd)
}

func (s *handlers) editSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	days, _ := strconv.Atoi(strings.TrimSpace(r.FormValue("promised_days")))
	active := r.FormValue("active") == "1"
	var docs []string
	for _, l := range strings.Split(r.FormValue("documents"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			docs = append(docs, l)
		}
	}
	e := services.ItemEdit{Catalogue: r.FormValue("catalogue"), Aspect: r.FormValue("aspect"), Category: r.FormValue("category"), Code: r.FormValue("code"),
		Name: r.FormValue("name"), NameEN: r.FormValue("name_en"), Summary: r.FormValue("summary"), Eligibility: r.FormValue("eligibility"),
		Department: r.FormValue("provider_department"), Unit: r.FormValue("provider_unit"), Days: days, Documents: docs,
		Delivery: r.FormValue("delivery"), Illustrative: r.FormValue("illustrative") == "1", Active: &active}
	it, err := s.svc().SaveItem(r.Context(), c.Towns, c.User.TownCode, e, kit.AuditActor(r, c))
	if err != nil {
		status, _ := kit.StatusOf(err)
		return s.renderEdit(w, r, c, status, e, err)
	}
	T := kit.Translator(kit.Language(w, r))
	kit.RedirectFlash(w, r, "/services/admin", T("sv.saved")+" "+it.Code)
	return nil
}
