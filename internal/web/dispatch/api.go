package dispatch

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

func (s *handlers) apiRules(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	rules, err := dispatch.Rules(r.Context(), s.DB, c.Towns)
	return kit.Reply(w, http.StatusOK, map[string]any{"rules": rules}, err)
}

func (s *handlers) apiSaveRule(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var ru dispatch.Rule
	if err := kit.DecodeJSON(r, &ru); err != nil {
		return err
	}
	status := http.StatusCreated
	if r.PathValue("id") != "" {
		id, err := kit.PathID(r, "id")
		if err != nil {
			return err
		}
		ru.ID, status = id, http.StatusOK
	} else {
		ru.ID = 0
	}
	if ru.TownCode == "" && len(c.Towns) == 1 {
		ru.TownCode = c.Towns[0]
	}
	if !slices.Contains(c.Towns, ru.TownCode) {
		return problem.Field("town", "unknown town code %q", ru.TownCode)
	}
	if len(ru.Co) > dispatch.MaxCoHandlers {
		return problem.Field("co", "at most %d co-handling departments, not %d", dispatch.MaxCoHandlers, len(ru.Co))
	}
	id, err := dispatch.SaveRule(r.Context(), s.DB, ru, kit.AuditActor(r, c))
	if err != nil {
		return err
	}
	saved, err := dispatch.RuleByID(r.Context(), s.DB, c.Towns, id)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, status, saved)
	return nil
}

func (s *handlers) apiDeleteRule(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := dispatch.DeleteRule(r.Context(), s.DB, c.Towns, id, kit.AuditActor(r, c)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiSuggest answers who should handle a demand: GET /api/v1/dispatch/suggest?town=&text=
// &category=&grid=&lat=&lng=&at= — the grid from the point when none is named, the category
// guessed from the text when none is named (top three, with the words that decided), and the
// rule's suggestion with what it matched.
func (s *handlers) apiSuggest(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	q := r.URL.Query()
	town := q.Get("town")
	if town == "" && len(c.Towns) > 0 {
		town = c.Towns[0]
	}
	if !slices.Contains(c.Towns, town) {
		return problem.Field("town", "unknown town code %q", town)
	}
	if len([]rune(q.Get("text"))) > maxTryText {
		return problem.Field("text", "at most %d characters", maxTryText)
	}
	n, cats, _, _, err := s.load(r, town)
	if err != nil {
		return err
	}
	category, grid := q.Get("category"), q.Get("grid")
	if category != "" {
		if _, ok := n.cats[category]; !ok {
			return problem.Field("category", "the town has no category %q", category)
		}
	}
	if grid != "" {
		if _, ok := n.grids[grid]; !ok {
			return problem.Field("grid", "the town has no grid %q", grid)
		}
	}
	located := ""
	if grid == "" && (q.Has("lat") || q.Has("lng")) {
		lat, err1 := strconv.ParseFloat(q.Get("lat"), 64)
		lng, err2 := strconv.ParseFloat(q.Get("lng"), 64)
		if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
			return problem.Field("lat", "lat and lng are a point in degrees")
		}
		loc, err := s.Locators.Get(r.Context(), town)
		if err != nil {
			return err
		}
		var g places.Grid
		var ok bool
		if g, ok = loc.Locate(lng, lat); ok {
			grid, located = g.Code, "point"
		}
	}
	at := time.Now()
	if v := q.Get("at"); v != "" {
		if at, err = time.Parse(time.RFC3339, v); err != nil {
			return problem.Field("at", "a time is written as RFC 3339 (2026-11-30T22:15:00+08:00), not %q", v)
		}
	}
	guesses := dispatch.GuessByKeywords(cats, q.Get("text"), 3)
	if guesses == nil {
		guesses = []dispatch.Guess{}
	}
	if category == "" && len(guesses) > 0 {
		category = guesses[0].Category
	}
	rules, err := dispatch.Rules(r.Context(), s.DB, []string{town})
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"town": town, "grid": grid, "grid_by": located, "category": category,
		"guesses": guesses, "suggestion": dispatch.NewEngine(rules, cats).Suggest(category, grid, at)})
	return nil
}
