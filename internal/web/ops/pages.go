package ops

import (
	"net/http"

	"github.com/civicgrid/civicgrid/internal/ops"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// screenData is what the map and the wall scripts need besides the APIs: names of the caller's
// towns, categories and states in the page's language, and the measures. It is written into a
// JSON script block (html/template escapes <, > and &).
type screenData struct {
	Towns      map[string]string `json:"towns"`
	Categories map[string]string `json:"categories"`
	States     map[string]string `json:"states"`
	Measures   []string          `json:"measures"`
	MaxDays    int               `json:"max_days"`
}

func (s *handlers) screenData(r *http.Request, c *kit.Caller, lang string) (screenData, error) {
	d := screenData{Towns: map[string]string{}, Categories: map[string]string{}, States: map[string]string{},
		Measures: ops.Measures, MaxDays: ops.MaxDays}
	towns, err := places.TenantTowns(r.Context(), s.DB, c.Towns)
	if err != nil {
		return d, err
	}
	codes := make([]string, len(towns))
	for i, t := range towns {
		d.Towns[t.Code], codes[i] = t.Name, t.Code
	}
	// Every town's categories in one query (a city's screen sees hundreds of towns).
	cats, _, err := s.Orders.CategoriesOfTowns(r.Context(), codes)
	if err != nil {
		return d, err
	}
	for _, cat := range cats {
		if lang == "en" && cat.NameEN != "" {
			d.Categories[cat.Code] = cat.NameEN
		} else {
			d.Categories[cat.Code] = cat.Name
		}
	}
	for _, si := range workorder.States {
		if lang == "en" {
			d.States[string(si.State)] = si.LabelEN
		} else {
			d.States[string(si.State)] = si.LabelZH
		}
	}
	return d, nil
}

func (s *handlers) mapPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.screen(w, r, c, "opsmap", "ops.map")
}

func (s *handlers) wallPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.screen(w, r, c, "opswall", "ops.wall")
}

func (s *handlers) screen(w http.ResponseWriter, r *http.Request, c *kit.Caller, page, title string) error {
	d, err := s.screenData(r, c, kit.Language(w, r))
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, page, kit.PageData{Title: title, Data: d})
}
