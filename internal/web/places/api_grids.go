package places

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/paulmach/orb/geojson"
)

func (s *handlers) apiTowns(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	towns, err := places.TenantTowns(r.Context(), s.DB, c.Towns)
	if err != nil {
		return err
	}
	out := make([]map[string]string, 0, len(towns))
	for _, t := range towns {
		out = append(out, map[string]string{"code": t.Code, "name": t.Name, "district_code": t.ParentCode})
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"towns": out})
	return nil
}

// departmentNames maps codes to names for labelling grid members.
func (s *handlers) departmentNames(r *http.Request, towns []string) (map[string]string, error) {
	ds, err := places.Departments(r.Context(), s.DB, towns)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(ds))
	for _, d := range ds {
		m[d.Code] = d.Name
	}
	return m, nil
}

func (s *handlers) apiGrids(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	towns := c.Towns
	if t := r.URL.Query().Get("town"); t != "" {
		if !slices.Contains(towns, t) {
			return problem.NotFound("town %s", t)
		}
		towns = []string{t}
	}
	grids, err := places.Grids(r.Context(), s.DB, towns)
	if err != nil {
		return err
	}
	names, err := s.departmentNames(r, towns)
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for _, g := range grids {
		fc.Append(g.Feature(names))
	}
	w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
	return json.NewEncoder(w).Encode(fc)
}

func (s *handlers) apiGrid(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	g, err := s.pathGrid(r, c)
	if err != nil {
		return err
	}
	names, err := s.departmentNames(r, []string{g.TownCode})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
	return json.NewEncoder(w).Encode(g.Feature(names))
}

// gridInput is the body of POST/PUT /api/v1/grids.
type gridInput struct {
	Code     string          `json:"code"`
	Name     string          `json:"name"`
	TownCode string          `json:"town_code"`
	Note     string          `json:"note"`
	Geometry json.RawMessage `json:"geometry"`
}

func (s *handlers) apiSaveGrid(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in gridInput
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	status := http.StatusCreated
	if r.Method == http.MethodPut {
		old, err := s.pathGrid(r, c)
		if err != nil {
			return err
		}
		status = http.StatusOK
		in.Code, in.TownCode = old.Code, old.TownCode
		if len(in.Geometry) == 0 {
			raw, _ := geojson.NewGeometry(old.Polygon).MarshalJSON()
			in.Geometry = raw
		}
	}
	g, err := s.saveGrid(r, c, in)
	if err != nil {
		return err
	}
	names, _ := s.departmentNames(r, []string{g.TownCode})
	kit.WriteJSON(w, status, g.Feature(names))
	return nil
}

// saveGrid is shared by the API and the admin page.
func (s *handlers) saveGrid(r *http.Request, c *kit.Caller, in gridInput) (places.Grid, error) {
	if in.TownCode == "" && len(c.Towns) == 1 {
		in.TownCode = c.Towns[0]
	}
	if in.TownCode != "" && !slices.Contains(c.Towns, in.TownCode) {
		return places.Grid{}, problem.Field("town_code", "unknown town code %q", in.TownCode)
	}
	if len(in.Geometry) == 0 {
		return places.Grid{}, problem.Field("geometry", "is required: a GeoJSON Polygon")
	}
	poly, err := places.ParsePolygon(in.Geometry)
	if err != nil {
		return places.Grid{}, problem.Field("geometry", "%v", err)
	}
	g, err := places.SaveGrid(r.Context(), s.DB, places.Grid{Code: in.Code, TownCode: in.TownCode, Name: in.Name, Note: in.Note, Polygon: poly}, kit.AuditActor(r, c))
	if err != nil {
		return g, err
	}
	s.Locators.Invalidate(g.TownCode)
	return places.GridByCode(r.Context(), s.DB, c.Towns, g.Code)
}

func (s *handlers) apiDeleteGrid(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	g, err := s.pathGrid(r, c)
	if err != nil {
		return err
	}
	if err := places.DeleteGrid(r.Context(), s.DB, c.Towns, g.Code, kit.AuditActor(r, c)); err != nil {
		return err
	}
	s.Locators.Invalidate(g.TownCode)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type memberInput struct {
	Name       string `json:"name"`
	GridRole   string `json:"grid_role"`
	Department string `json:"department"`
	Phone      string `json:"phone"`
	UserID     int64  `json:"user_id"`
}

func (s *handlers) apiAddMember(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	g, err := s.pathGrid(r, c)
	if err != nil {
		return err
	}
	var in memberInput
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	m, err := places.AddMember(r.Context(), s.DB, c.Towns, places.Member{GridCode: g.Code, Name: in.Name, GridRole: in.GridRole,
		DepartmentCode: in.Department, Phone: in.Phone, UserID: in.UserID}, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusCreated, m)
	return nil
}

func (s *handlers) apiRemoveMember(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := places.RemoveMember(r.Context(), s.DB, c.Towns, id, kit.AuditActor(r, c)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// pathGrid is the grid of the path's {id}, among the caller's towns.
func (s *handlers) pathGrid(r *http.Request, c *kit.Caller) (places.Grid, error) {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return places.Grid{}, err
	}
	return places.GridByID(r.Context(), s.DB, c.Towns, id)
}

// apiBasemap is what the maps draw without a tile server: the caller's towns' outlines, grids,
// residents' committees and landmarks (places.Basemap; no person in it, so any signed-in user's
// map may have it). ?town= narrows it to one of the caller's towns.
func (s *handlers) apiBasemap(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	towns := c.Towns
	if t := r.URL.Query().Get("town"); t != "" {
		if !slices.Contains(towns, t) {
			return problem.NotFound("town %s", t)
		}
		towns = []string{t}
	}
	b, err := places.LoadBasemap(r.Context(), s.DB, towns)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "private, max-age=300")
	kit.WriteJSON(w, http.StatusOK, b)
	return nil
}
