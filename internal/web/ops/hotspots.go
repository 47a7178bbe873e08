package ops

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/ops"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	weborders "github.com/civicgrid/civicgrid/internal/web/orders"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// maxSupervised bounds the orders one click supervises.
const maxSupervised = 50

func (s *handlers) apiHotspots(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	towns, err := townsOf(r, c)
	if err != nil {
		return err
	}
	hs, err := s.hotspots.get(r.Context(), towns)
	if err != nil {
		return err
	}
	if hs == nil {
		hs = []ops.Hotspot{}
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"hotspots": hs})
	return nil
}

type hotspotsPage struct {
	screenData
	Hotspots     []ops.Hotspot
	GridNames    map[string]string
	CanSupervise bool
}

func (s *handlers) hotspotsPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	d, err := s.screenData(r, c, lang)
	if err != nil {
		return err
	}
	hs, err := s.hotspots.get(r.Context(), c.Towns)
	if err != nil {
		return err
	}
	p := hotspotsPage{screenData: d, Hotspots: hs, GridNames: map[string]string{},
		CanSupervise: c.User.Role == auth.RoleLeader && c.User.Can(auth.PermOrdersAct)}
	gs, err := places.Grids(r.Context(), s.DB, c.Towns)
	if err != nil {
		return err
	}
	for _, g := range gs {
		p.GridNames[g.Code] = g.Name
	}
	return s.Render(w, r, http.StatusOK, "opshotspots", kit.PageData{Title: "ops.hotspots", Flash: kit.FlashFrom(r), Data: p})
}

// superviseSubmit escalates (督办) the open orders of one hotspot — its town, grid and category,
// received since its week began — at most maxSupervised, each with the same note. Act checks
// that the caller may escalate (leaders).
func (s *handlers) superviseSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	if c.User.Role != auth.RoleLeader {
		return problem.Forbidden("only leaders supervise (督办)")
	}
	town, grid, cat := r.FormValue("town"), r.FormValue("grid"), r.FormValue("category")
	if !slices.Contains(c.Towns, town) {
		return problem.NotFound("town %.40q", town)
	}
	if cat == "" || len(cat) > 64 || len(grid) > 64 {
		return problem.Field("category", "category: a category code is required")
	}
	fromMs, err := strconv.ParseInt(r.FormValue("from"), 10, 64)
	if err != nil || fromMs <= 0 {
		return problem.Field("from", "from: the hotspot's week start, in milliseconds")
	}
	from := time.UnixMilli(fromMs)
	if grid == "" {
		return problem.Field("grid", "grid: orders without a grid are supervised one by one")
	}
	var open []string
	for _, si := range workorder.States {
		if si.Open {
			open = append(open, string(si.State))
		}
	}
	_, list, err := s.Orders.List(r.Context(), orders.Filter{Towns: []string{town}, Grid: grid, Category: cat, States: open, From: &from, Limit: maxSupervised})
	if err != nil {
		return err
	}
	note := fmt.Sprintf("治理堵点督办（网格 %s，类别 %s）：近 7 天受理量明显高于该网格此类问题的基线，请加快处置", grid, cat)
	done := 0
	for _, o := range list {
		_, err := s.Orders.Act(r.Context(), []string{town}, o.ID, weborders.ActorOf(c), workorder.ActEscalate, o.Version, workorder.Input{Note: note})
		if errors.Is(err, workorder.ErrForbidden) {
			return problem.Forbidden("only leaders supervise (督办)")
		}
		if err != nil {
			continue // changed meanwhile or no longer open: the others go on
		}
		done++
	}
	T := kit.Translator(kit.Language(w, r))
	kit.RedirectFlash(w, r, "/ops/hotspots", fmt.Sprintf(T("ops.supervised"), done))
	return nil
}
