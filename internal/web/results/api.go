package results

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/results"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// yearOf is the ?year= of a request, or else the newest year towns have results of, or else
// the current year.
func (s *handlers) yearOf(r *http.Request, towns []string) (int, error) {
	v := strings.TrimSpace(r.URL.Query().Get("year"))
	if v == "" {
		if ys, err := s.svc().Years(r.Context(), towns); err == nil && len(ys) > 0 {
			return ys[0], nil
		}
		return time.Now().In(workcal.Location()).Year(), nil
	}
	y, err := strconv.Atoi(v)
	if err != nil || y < results.MinYear || y > results.MaxYear {
		return 0, problem.Field("year", "%q is not a year", v)
	}
	return y, nil
}

func (s *handlers) apiYear(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	year, err := s.yearOf(r, c.Towns)
	if err != nil {
		return err
	}
	svc := s.svc()
	list, err := svc.Year(r.Context(), c.Towns, year)
	if err != nil {
		return err
	}
	years, err := svc.Years(r.Context(), c.Towns)
	if err != nil {
		return err
	}
	if list == nil {
		list = []results.Result{}
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"year": year, "years": years, "results": list})
	return nil
}

func (s *handlers) apiCreate(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in results.Chosen
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	res, err := s.svc().Create(r.Context(), c.Towns, in, c.User)
	return kit.Reply(w, http.StatusCreated, res, err)
}

// resultView is a result with everything its page shows.
type resultView struct {
	results.Result
	Milestones  []results.Milestone  `json:"milestones"`
	Timeline    []results.Entry      `json:"timeline"`
	Inspections []results.Inspection `json:"inspections"`
	Comments    []results.Comment    `json:"comments"`
	Parts       []results.Result     `json:"parts"`
	Tally       results.Tally        `json:"tally"`
	MayUpdate   bool                 `json:"may_update"`
	MayManage   bool                 `json:"may_manage"`
}

func (s *handlers) view(r *http.Request, c *kit.Caller, id int64) (resultView, error) {
	ctx := r.Context()
	svc := s.svc()
	res, err := svc.Get(ctx, c.Towns, id)
	if err != nil {
		return resultView{}, err
	}
	v := resultView{Result: res, MayManage: results.MayManage(c.User)}
	if v.Milestones, err = svc.Milestones(ctx, c.Towns, id); err != nil {
		return v, err
	}
	if v.Timeline, err = svc.Timeline(ctx, c.Towns, id); err != nil {
		return v, err
	}
	if v.Inspections, err = svc.Inspections(ctx, c.Towns, id); err != nil {
		return v, err
	}
	if v.Comments, err = svc.Comments(ctx, c.Towns, id); err != nil {
		return v, err
	}
	year, err := svc.Year(ctx, []string{res.TownCode}, res.Year)
	if err != nil {
		return v, err
	}
	v.Parts = subtree(year, id)
	t, err := svc.Tallies(ctx, []int64{id})
	if err != nil {
		return v, err
	}
	v.Tally = t[id]
	if v.MayUpdate, err = svc.MayUpdateResult(ctx, c.User, id); err != nil {
		return v, err
	}
	return v, nil
}

// subtree is the descendants of id in a TreeOrder list, in order.
func subtree(list []results.Result, id int64) []results.Result {
	in := map[int64]bool{id: true}
	var out []results.Result
	for _, r := range list {
		if in[r.ParentID] {
			in[r.ID] = true
			out = append(out, r)
		}
	}
	return out
}

func (s *handlers) apiResult(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := s.view(r, c, id)
	return kit.Reply(w, http.StatusOK, v, err)
}

func (s *handlers) apiUpdate(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in results.Edit
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	res, err := s.svc().Update(r.Context(), c.Towns, id, in, c.User)
	return kit.Reply(w, http.StatusOK, res, err)
}

func (s *handlers) apiDelete(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc().Delete(r.Context(), c.Towns, id, c.User); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *handlers) apiProgress(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in results.Change
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	res, err := s.svc().Record(r.Context(), c.Towns, id, in, c.User)
	return kit.Reply(w, http.StatusOK, res, err)
}

func (s *handlers) apiAddMilestone(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in results.NewMilestone
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	m, err := s.svc().AddMilestone(r.Context(), c.Towns, id, in, c.User)
	return kit.Reply(w, http.StatusCreated, m, err)
}

func (s *handlers) apiSetMilestone(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	mid, err := kit.PathID(r, "mid")
	if err != nil {
		return err
	}
	var in results.MilestoneChange
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	m, err := s.svc().SetMilestone(r.Context(), c.Towns, mid, in, c.User)
	return kit.Reply(w, http.StatusOK, m, err)
}

func (s *handlers) apiDeleteMilestone(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	mid, err := kit.PathID(r, "mid")
	if err != nil {
		return err
	}
	if err := s.svc().DeleteMilestone(r.Context(), c.Towns, mid, c.User); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *handlers) apiInspect(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in results.Inspection
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	got, err := s.svc().Inspect(r.Context(), c.Towns, id, in, c.User)
	return kit.Reply(w, http.StatusCreated, got, err)
}

func (s *handlers) apiComment(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	got, err := s.svc().AddComment(r.Context(), c.Towns, id, in.Body, c.User)
	return kit.Reply(w, http.StatusCreated, got, err)
}

func (s *handlers) apiRate(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Grade string `json:"grade"`
	}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.svc().Rate(r.Context(), c.Towns, id, in.Grade, c.User); err != nil {
		return err
	}
	// The answer says that the rating counted, never what it was.
	kit.WriteJSON(w, http.StatusCreated, map[string]any{"rated": true})
	return nil
}

func (s *handlers) apiOverdue(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	year, err := s.yearOf(r, c.Towns)
	if err != nil {
		return err
	}
	dept := strings.TrimSpace(r.URL.Query().Get("department"))
	list, err := s.svc().OverdueIn(r.Context(), c.Towns, year, dept)
	if err != nil {
		return err
	}
	if list == nil {
		list = []results.Milestone{}
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"year": year, "milestones": list})
	return nil
}

// report is the report the request asks for: ?period=2025H1 (or ?year= for the year end).
