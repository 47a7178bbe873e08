package places

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/paulmach/orb/geojson"
)

func (s *handlers) mapPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	ps, err := places.Places(r.Context(), s.DB, c.Towns)
	if err != nil {
		return err
	}
	// html/template writes the places into the JSON script block, escaping <, > and &.
	return s.Render(w, r, http.StatusOK, "map", kit.PageData{Title: "map", Data: map[string]any{"Places": ps}})
}

type gridsData struct {
	Grids       []places.Grid
	Committees  map[string][]places.Committee
	Departments []places.Department
	Towns       []string
	Form        gridInput
	FormGeo     string
}

func (s *handlers) gridsPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	d, err := s.gridsData(r, c)
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "grids", kit.PageData{Title: "grids", Data: d})
}

func (s *handlers) gridPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	g, err := places.GridByCode(r.Context(), s.DB, c.Towns, r.PathValue("code"))
	if err != nil {
		return err
	}
	return s.renderGrid(w, r, c, g, http.StatusOK, "", "")
}

func (s *handlers) renderGrid(w http.ResponseWriter, r *http.Request, c *kit.Caller, g places.Grid, status int, errMsg, field string) error {
	d, err := s.gridsData(r, c)
	if err != nil {
		return err
	}
	geo, _ := geojson.NewGeometry(g.Polygon).MarshalJSON()
	// The members' phones as the caller may see them; one audit row when they are shown whole.
	var whole bool
	shown := kit.ShownLog(r, privacy.Members)
	if g.Members, whole = kit.Viewer(r, c).Members(g.TownCode, g.Members); whole {
		for _, m := range g.Members {
			if m.Phone != "" && m.UserID != c.User.ID {
				shown.Add(fmt.Sprint(m.ID), g.TownCode)
			}
		}
	}
	if err := s.RecordShown(r, c, shown); err != nil {
		return err
	}
	d.Grids = []places.Grid{g}
	d.Form = gridInput{Code: g.Code, Name: g.Name, TownCode: g.TownCode, Note: g.Note}
	d.FormGeo = string(geo)
	return s.Render(w, r, status, "grid", kit.PageData{Title: g.Name, Error: errMsg, Field: field, Data: d})
}

// gridSubmit creates or edits a grid from the admin form; errors re-show the form with the input kept.
func (s *handlers) gridSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	in := gridInput{Code: strings.TrimSpace(r.PostFormValue("code")), Name: r.PostFormValue("name"), TownCode: r.PostFormValue("town_code"),
		Note: r.PostFormValue("note"), Geometry: json.RawMessage(strings.TrimSpace(r.PostFormValue("geometry")))}
	g, err := s.saveGrid(r, c, in)
	if err == nil {
		kit.RedirectFlash(w, r, "/admin/grids/"+url.PathEscape(g.Code), kit.Translator(kit.Language(w, r))("saved"))
		return nil
	}
	var fe *problem.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	d, derr := s.gridsData(r, c)
	if derr != nil {
		return derr
	}
	d.Form, d.FormGeo = in, string(in.Geometry)
	return s.Render(w, r, http.StatusUnprocessableEntity, "grids", kit.PageData{Title: "grids", Error: pageErrorText(w, r, err), Field: fe.Field, Data: d})
}

func (s *handlers) memberSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	code := r.PathValue("code")
	g, err := places.GridByCode(r.Context(), s.DB, c.Towns, code)
	if err != nil {
		return err
	}
	_, err = places.AddMember(r.Context(), s.DB, c.Towns, places.Member{GridCode: g.Code, Name: r.PostFormValue("name"),
		GridRole: r.PostFormValue("grid_role"), DepartmentCode: r.PostFormValue("department"), Phone: r.PostFormValue("phone")}, kit.AuditActor(r, c))
	var fe *problem.FieldError
	if errors.As(err, &fe) {
		return s.renderGrid(w, r, c, g, http.StatusUnprocessableEntity, pageErrorText(w, r, err), fe.Field)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, "/admin/grids/"+url.PathEscape(g.Code), kit.Translator(kit.Language(w, r))("saved"))
	return nil
}

func (s *handlers) memberDelete(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := places.RemoveMember(r.Context(), s.DB, c.Towns, id, kit.AuditActor(r, c)); err != nil {
		return err
	}
	back := kit.SafeNext(r.PostFormValue("back"))
	kit.RedirectFlash(w, r, back, kit.Translator(kit.Language(w, r))("saved"))
	return nil
}

func (s *handlers) gridsData(r *http.Request, c *kit.Caller) (gridsData, error) {
	ctx := r.Context()
	grids, err := places.Grids(ctx, s.DB, c.Towns)
	if err != nil {
		return gridsData{}, err
	}
	cs, err := places.Committees(ctx, s.DB, c.Towns)
	if err != nil {
		return gridsData{}, err
	}
	byGrid := map[string][]places.Committee{}
	for _, cm := range cs {
		byGrid[cm.GridCode] = append(byGrid[cm.GridCode], cm)
	}
	deps, err := places.Departments(ctx, s.DB, c.Towns)
	return gridsData{Grids: grids, Committees: byGrid, Departments: deps, Towns: c.Towns}, err
}

// pageErrorText is err told in the page's language, as every page tells its errors (kit.ErrorText).
func pageErrorText(w http.ResponseWriter, r *http.Request, err error) string {
	_, msg, _ := kit.ErrorText(r, kit.Language(w, r), err)
	return msg
}
