package places

import (
	"errors"
	"net/http"
	"slices"

	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

func (s *handlers) departmentsPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	deps, err := places.Departments(r.Context(), s.DB, c.Towns)
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "departments", kit.PageData{Title: "departments", Data: map[string]any{"Departments": deps, "Towns": c.Towns,
		"Kinds": places.DepartmentKinds}})
}

func (s *handlers) departmentSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	d := places.Department{Code: r.PostFormValue("code"), TownCode: r.PostFormValue("town"), Name: r.PostFormValue("name"),
		NameEN: r.PostFormValue("name_en"), Kind: r.PostFormValue("kind"), Phone: r.PostFormValue("phone")}
	if d.TownCode == "" && len(c.Towns) == 1 {
		d.TownCode = c.Towns[0]
	}
	var err error
	if !slices.Contains(c.Towns, d.TownCode) {
		err = problem.Field("town", "unknown town code %q", d.TownCode)
	} else {
		err = places.SaveDepartment(r.Context(), s.DB, d, kit.AuditActor(r, c))
	}
	var fe *problem.FieldError
	if errors.As(err, &fe) {
		deps, derr := places.Departments(r.Context(), s.DB, c.Towns)
		if derr != nil {
			return derr
		}
		return s.Render(w, r, http.StatusUnprocessableEntity, "departments", kit.PageData{Title: "departments", Error: pageErrorText(w, r, err), Field: fe.Field,
			Data: map[string]any{"Departments": deps, "Towns": c.Towns, "Form": d, "Kinds": places.DepartmentKinds}})
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, "/admin/departments", kit.Translator(kit.Language(w, r))("saved"))
	return nil
}
