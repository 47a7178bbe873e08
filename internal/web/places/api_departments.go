package places

import (
	"net/http"
	"slices"

	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

func (s *handlers) apiDepartments(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	ds, err := places.Departments(r.Context(), s.DB, c.Towns)
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []places.Department{}
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"departments": ds})
	return nil
}

func (s *handlers) apiSaveDepartment(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var d places.Department
	if err := kit.DecodeJSON(r, &d); err != nil {
		return err
	}
	if d.TownCode == "" && len(c.Towns) == 1 {
		d.TownCode = c.Towns[0]
	}
	if !slices.Contains(c.Towns, d.TownCode) {
		return problem.Field("town", "unknown town code %q", d.TownCode)
	}
	if err := places.SaveDepartment(r.Context(), s.DB, d, kit.AuditActor(r, c)); err != nil {
		return err
	}
	saved, err := places.DepartmentByCode(r.Context(), s.DB, c.Towns, d.Code)
	return kit.Reply(w, http.StatusCreated, saved, err)
}

func (s *handlers) apiCommittees(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	cs, err := places.Committees(r.Context(), s.DB, c.Towns)
	return kit.Reply(w, http.StatusOK, map[string]any{"committees": cs}, err)
}

func (s *handlers) apiPlaces(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	ps, err := places.Places(r.Context(), s.DB, c.Towns)
	return kit.Reply(w, http.StatusOK, map[string]any{"places": ps}, err)
}
