package results

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/results"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

type portalRow struct {
	publicResult
	Depth  int
	Budget string
	Bar    string
}

type portalData struct {
	Town, TownName string
	Year           int
	Rows           []portalRow
	Chart          chartData
	Pins           []pin
	Labels         map[string]string
	Projects       int
	Progress       string
}

func (s *handlers) portalPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	town, year, list, err := s.publicYear(r, c, lang)
	if err != nil {
		return err
	}
	d := portalData{Town: town, Year: year}
	_ = s.DB.QueryRow(r.Context(), `SELECT name FROM regions WHERE code = ?`, town).Scan(&d.TownName)
	depth := map[int64]int{}
	var rv []rowView
	var sum float64
	for _, p := range list {
		if p.ParentID != 0 {
			depth[p.ID] = depth[p.ParentID] + 1
		} else {
			d.Projects++
			sum += p.Progress
		}
		d.Rows = append(d.Rows, portalRow{publicResult: p, Depth: depth[p.ID], Budget: results.Wan(p.BudgetFen),
			Bar: strconv.FormatFloat(p.Progress, 'f', 1, 64) + "%"})
		rv = append(rv, rowView{Result: results.Result{ID: p.ID, ParentID: p.ParentID, Title: p.Title, Progress: p.Progress, Status: p.Status,
			Lat: p.Lat, Lng: p.Lng, Overdue: p.Overdue}})
	}
	d.Progress = "0.0"
	if d.Projects > 0 {
		d.Progress = strconv.FormatFloat(sum/float64(d.Projects), 'f', 1, 64)
	}
	d.Chart, d.Pins = chartAndPins(rv)
	T := kit.Translator(lang)
	d.Labels = map[string]string{"progress": T("rs.progress"), "overdue": T("rs.overdue milestones"), "base": "/portal/results/"}
	return s.Render(w, r, http.StatusOK, "portal_results", kit.PageData{Title: "rs.portal title", Data: d})
}

type portalResultData struct {
	D        publicDetail
	Parts    []portalRow
	Budget   string
	Bar      string
	Grades   []results.Status
	MayRate  bool
	Rated    bool
	SignIn   string
	Lang     string
	Timeline []entryView
}

func (s *handlers) portalResultPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderPortalResult(w, r, c, id, http.StatusOK, nil)
}

func (s *handlers) renderPortalResult(w http.ResponseWriter, r *http.Request, c *kit.Caller, id int64, status int, ferr error) error {
	lang := kit.Language(w, r)
	T := kit.Translator(lang)
	d, res, err := s.publicDetailOf(r, id, lang)
	if err != nil {
		return err
	}
	pd := portalResultData{D: d, Budget: results.Wan(d.BudgetFen), Bar: strconv.FormatFloat(d.Progress, 'f', 1, 64) + "%", Grades: results.Grades,
		Lang: lang, SignIn: fmt.Sprintf("/login?next=/portal/results/%d", id)}
	base := map[int64]int{id: -1}
	for _, p := range d.Parts {
		base[p.ID] = base[p.ParentID] + 1
		pd.Parts = append(pd.Parts, portalRow{publicResult: p, Depth: base[p.ID], Budget: results.Wan(p.BudgetFen), Bar: strconv.FormatFloat(p.Progress, 'f', 1, 64) + "%"})
	}
	for _, e := range d.Timeline {
		ev := entryView{Entry: results.Entry{Day: e.Day, Kind: e.Kind, Body: e.Body, Progress: e.Progress, Photos: e.Photos}, KindName: kindName(T, e.Kind), StatusName: e.Status}
		if e.Progress != nil {
			ev.Bar = strconv.FormatFloat(*e.Progress, 'f', 1, 64) + "%"
		}
		pd.Timeline = append(pd.Timeline, ev)
	}
	if c != nil && c.User.Can(auth.PermResultsRate) && c.User.TownCode == res.TownCode {
		pd.MayRate = true
		if pd.Rated, err = s.svc().Rated(r.Context(), id, c.User); err != nil {
			return err
		}
	}
	page := kit.PageData{Title: "rs.portal title", Data: pd}
	if ferr != nil {
		_, page.Error, page.Field = kit.ErrorText(r, lang, ferr)
	}
	return s.Render(w, r, status, "portal_result", page)
}

// rateSubmit records a resident's or deputy's rating from the portal page.
func (s *handlers) rateSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	err = s.svc().Rate(r.Context(), c.Towns, id, r.PostFormValue("grade"), c.User)
	if status, ok := fieldStatus(err); ok {
		return s.renderPortalResult(w, r, c, id, status, err)
	}
	if errorsIsConflict(err) {
		return s.renderPortalResult(w, r, c, id, http.StatusConflict, err)
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/portal/results/%d", id), kit.Translator(kit.Language(w, r))("rs.rated"))
	return nil
}

func errorsIsConflict(err error) bool { return err != nil && errors.Is(err, problem.ErrConflict) }
