package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/results"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// The bulk update in three steps: download the template, upload it filled in (the preview: what
// would change, or every bad cell by row and column), apply (the rows again, checked again, all or
// nothing).

type plannedView struct {
	results.Planned
	FromName, ToName string
	ProgressChanged  bool
	StatusChanged    bool
}

type bulkData struct {
	Year     int
	Years    []int
	Problems []string
	Plan     []plannedView
	Rows     string // the uploaded rows as JSON, carried to the apply step
	Applied  bool
}

func (s *handlers) bulkPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	year, err := s.yearOf(r, c.Towns)
	if err != nil {
		return err
	}
	return s.renderBulk(w, r, c, http.StatusOK, bulkData{Year: year})
}

func (s *handlers) renderBulk(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, d bulkData) error {
	years, err := s.svc().Years(r.Context(), c.Towns)
	if err != nil {
		return err
	}
	d.Years = years
	return s.Render(w, r, status, "results_bulk", kit.PageData{Title: "rs.bulk", Data: d})
}

func (s *handlers) bulkTemplate(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.apiTemplate(w, r, c)
}

func formYear(r *http.Request) (int, error) {
	y, err := strconv.Atoi(r.PostFormValue("year"))
	if err != nil || y < results.MinYear || y > results.MaxYear {
		return 0, problem.Field("year", "%q is not a year", r.PostFormValue("year"))
	}
	return y, nil
}

// bulkProblems renders the problems of a file in the page's language, or reports false.
func bulkProblems(err error, lang string) ([]string, bool) {
	var be results.BulkErrors
	if !errors.As(err, &be) {
		return nil, false
	}
	out := make([]string, len(be))
	for i, e := range be {
		out[i] = e.Message(lang)
	}
	return out, true
}

func (s *handlers) planView(r *http.Request, plan []results.Planned, lang string, towns []string) ([]plannedView, error) {
	town := ""
	if len(towns) > 0 {
		town = towns[0]
	}
	sts, err := s.svc().Statuses(r.Context(), town)
	if err != nil {
		return nil, err
	}
	out := make([]plannedView, len(plan))
	for i, p := range plan {
		out[i] = plannedView{Planned: p, FromName: results.StatusName(sts, p.FromStatus, lang), ToName: results.StatusName(sts, p.ToStatus, lang),
			ProgressChanged: p.FromProgress != p.ToProgress, StatusChanged: p.FromStatus != p.ToStatus}
	}
	return out, nil
}

// bulkUpload reads the file and shows the preview (nothing is written).
func (s *handlers) bulkUpload(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	year, err := formYear(r)
	if err != nil {
		return err
	}
	d := bulkData{Year: year}
	f, _, err := r.FormFile("file")
	if err != nil {
		d.Problems = []string{kit.Translator(lang)("rs.bulk choose")}
		return s.renderBulk(w, r, c, http.StatusUnprocessableEntity, d)
	}
	defer f.Close()
	rows, err := results.ReadBulk(f)
	var plan []results.Planned
	if err == nil {
		plan, err = s.svc().Plan(r.Context(), c.Towns, year, rows, c.User)
	}
	if msgs, ok := bulkProblems(err, lang); ok {
		d.Problems = msgs
		return s.renderBulk(w, r, c, http.StatusUnprocessableEntity, d)
	}
	if err != nil {
		return err
	}
	if d.Plan, err = s.planView(r, plan, lang, c.Towns); err != nil {
		return err
	}
	raw, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	d.Rows = string(raw)
	return s.renderBulk(w, r, c, http.StatusOK, d)
}

// bulkApply applies the previewed rows, checked again: all or nothing.
func (s *handlers) bulkApply(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	year, err := formYear(r)
	if err != nil {
		return err
	}
	var rows []results.BulkRow
	if err := json.Unmarshal([]byte(r.PostFormValue("rows")), &rows); err != nil || len(rows) > results.MaxBulkRows {
		return problem.Field("rows", "upload the file again")
	}
	plan, err := s.svc().Apply(r.Context(), c.Towns, year, rows, c.User)
	if msgs, ok := bulkProblems(err, lang); ok {
		return s.renderBulk(w, r, c, http.StatusUnprocessableEntity, bulkData{Year: year, Problems: msgs})
	}
	if err != nil {
		return err
	}
	kit.RedirectFlash(w, r, fmt.Sprintf("/results?year=%d", year), fmt.Sprintf(kit.Translator(lang)("rs.bulk applied"), len(plan)))
	return nil
}
