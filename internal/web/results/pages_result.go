package results

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/results"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

type entryView struct {
	results.Entry
	KindName   string
	StatusName string
	Bar        string
}

type resultData struct {
	V          resultView
	Parts      []rowView
	Timeline   []entryView
	StatusName string
	Budget     string
	Bar        string
	Statuses   []results.Status
	Depts      []dept
	Today      string
	MayInspect bool
	MayComment bool
	Lat, Lng   string
	Grades     []results.Status
	Lang       string
	PortalHref string
}

func (s *handlers) resultPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderResult(w, r, c, id, http.StatusOK, nil)
}

func kindName(T func(string) string, kind string) string { return T("rs.kind." + kind) }

func (s *handlers) renderResult(w http.ResponseWriter, r *http.Request, c *kit.Caller, id int64, status int, ferr error) error {
	lang := kit.Language(w, r)
	T := kit.Translator(lang)
	v, err := s.view(r, c, id)
	if err != nil {
		return err
	}
	svc := s.svc()
	sts, err := svc.Statuses(r.Context(), v.TownCode)
	if err != nil {
		return err
	}
	d := resultData{V: v, StatusName: results.StatusName(sts, v.Status, lang), Budget: results.Wan(v.BudgetFen),
		Bar: strconv.FormatFloat(v.Progress, 'f', 1, 64) + "%", Statuses: sts, Today: svc.Today(),
		MayInspect: c.User.Can(auth.PermResultsInspect), MayComment: c.User.Can(auth.PermResultsComment), Grades: results.Grades, Lang: lang,
		PortalHref: fmt.Sprintf("/portal/results/%d", id)}
	// Parts: relative depth under this result.
	parts := rows(v.Parts, sts, lang, nil)
	base := map[int64]int{id: -1}
	for i := range parts {
		parts[i].Depth = base[parts[i].ParentID] + 1
		base[parts[i].ID] = parts[i].Depth
	}
	d.Parts = parts
	for _, e := range v.Timeline {
		ev := entryView{Entry: e, KindName: kindName(T, e.Kind)}
		if e.Status != "" {
			ev.StatusName = results.StatusName(sts, e.Status, lang)
		}
		if e.Progress != nil {
			ev.Bar = strconv.FormatFloat(*e.Progress, 'f', 1, 64) + "%"
		}
		d.Timeline = append(d.Timeline, ev)
	}
	if v.Lat != nil {
		d.Lat, d.Lng = strconv.FormatFloat(*v.Lat, 'f', 6, 64), strconv.FormatFloat(*v.Lng, 'f', 6, 64)
	}
	if v.MayManage {
		if d.Depts, err = s.departments(r, []string{v.TownCode}); err != nil {
			return err
		}
	}
	pd := kit.PageData{Title: "rs.result", Data: d}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, lang, ferr)
	}
	return s.Render(w, r, status, "result", pd)
}

// after answers a page's post: a field error shows the result page again with it, success goes
// back to the result with a notice.
func (s *handlers) after(w http.ResponseWriter, r *http.Request, c *kit.Caller, id int64, err error, flash string) error {
	if status, ok := fieldStatus(err); ok {
		return s.renderResult(w, r, c, id, status, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/results/%d", id), kit.Translator(kit.Language(w, r))(flash))
	return nil
}

func (s *handlers) editSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	e := results.Edit{Title: r.PostFormValue("title"), Description: r.PostFormValue("description"), Category: r.PostFormValue("category"),
		Department: r.PostFormValue("department"), Place: r.PostFormValue("place"), RatingOpens: r.PostFormValue("rating_opens"),
		RatingCloses: r.PostFormValue("rating_closes")}
	if e.BudgetFen, err = wanToFen("budget", r.PostFormValue("budget")); err == nil {
		if e.Weight, err = optFloat(r, "weight"); err == nil {
			if e.Lat, err = kit.FloatField(r, "lat"); err == nil {
				e.Lng, err = kit.FloatField(r, "lng")
			}
		}
	}
	if err == nil {
		_, err = s.svc().Update(r.Context(), c.Towns, id, e, c.User)
	}
	return s.after(w, r, c, id, err, "rs.saved")
}

// progressSubmit is the phone form of a department: progress, status, a note and photos.
func (s *handlers) progressSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	svc := s.svc()
	res, err := svc.Get(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	ch := results.Change{Status: r.PostFormValue("status"), Note: r.PostFormValue("note"), Day: r.PostFormValue("day")}
	if ch.Status == res.Status {
		ch.Status = ""
	}
	if p, perr := kit.FloatField(r, "progress"); perr != nil {
		return s.after(w, r, c, id, perr, "")
	} else if p != nil && res.Children == 0 {
		ch.Progress = p
	}
	if ok, err := svc.MayUpdateResult(r.Context(), c.User, id); err != nil {
		return err
	} else if !ok {
		return problem.Forbidden("only the result's department or the operations centre may update it")
	}
	if r.MultipartForm != nil {
		files := r.MultipartForm.File["photos"]
		if len(files) > results.MaxPhotos {
			return s.after(w, r, c, id, problem.Field("photos", "at most %d photos", results.MaxPhotos), "")
		}
		for _, fh := range files {
			f, err := fh.Open()
			if err != nil {
				return err
			}
			up, err := s.StorePhoto(r, res.TownCode, c.User.ID, f)
			f.Close()
			if err != nil {
				reason := kit.PhotoReason(kit.Language(w, r), err)
				if reason == "" {
					reason = err.Error()
				}
				return s.after(w, r, c, id, problem.Field("photos", "%s", reason), "")
			}
			ch.Photos = append(ch.Photos, up.ID)
		}
	}
	_, err = svc.Record(r.Context(), c.Towns, id, ch, c.User)
	return s.after(w, r, c, id, err, "rs.recorded")
}

func (s *handlers) milestoneSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	_, err = s.svc().AddMilestone(r.Context(), c.Towns, id, results.NewMilestone{Title: r.PostFormValue("title"), Planned: r.PostFormValue("planned")}, c.User)
	return s.after(w, r, c, id, err, "rs.milestone added")
}

func (s *handlers) milestoneDoneSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	mid, err := kit.PathID(r, "mid")
	if err != nil {
		return err
	}
	ms, err := s.svc().Milestones(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	found := false
	for _, m := range ms {
		found = found || m.ID == mid
	}
	if !found {
		return problem.NotFound("milestone %d", mid)
	}
	_, err = s.svc().SetMilestone(r.Context(), c.Towns, mid, results.MilestoneChange{Done: strings.TrimSpace(r.PostFormValue("done"))}, c.User)
	return s.after(w, r, c, id, err, "rs.milestone saved")
}

func (s *handlers) inspectSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	_, err = s.svc().Inspect(r.Context(), c.Towns, id, results.Inspection{Day: r.PostFormValue("day"), Deputies: r.PostFormValue("deputies"),
		Place: r.PostFormValue("place"), Findings: r.PostFormValue("findings")}, c.User)
	return s.after(w, r, c, id, err, "rs.inspected")
}

func (s *handlers) commentSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	_, err = s.svc().AddComment(r.Context(), c.Towns, id, r.PostFormValue("body"), c.User)
	return s.after(w, r, c, id, err, "rs.commented")
}
