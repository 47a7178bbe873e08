package results

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/results"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// report is the half-year (or other period) report of the town the request names.
func (s *handlers) report(r *http.Request, c *kit.Caller) (results.Report, error) {
	town, err := kit.CallerTown(r, c)
	if err != nil {
		return results.Report{}, err
	}
	ps := r.URL.Query().Get("period")
	if ps == "" {
		y, err := s.yearOf(r, c.Towns)
		if err != nil {
			return results.Report{}, err
		}
		ps = fmt.Sprintf("%dH1", y)
	}
	p, err := results.ParsePeriod(ps)
	if err != nil {
		return results.Report{}, err
	}
	return s.svc().Report(r.Context(), c.Towns, town, p)
}

func (s *handlers) apiReport(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	rep, err := s.report(r, c)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "xlsx" {
		return s.sendReportXLSX(w, r, rep)
	}
	kit.WriteJSON(w, http.StatusOK, rep)
	return nil
}

func (s *handlers) sendReportXLSX(w http.ResponseWriter, r *http.Request, rep results.Report) error {
	var b bytes.Buffer
	if err := rep.WriteXLSX(&b, kit.Language(w, r)); err != nil {
		return err
	}
	sendFile(w, fmt.Sprintf("results-%s-%s.xlsx", rep.Town, rep.Period), b.Bytes())
	return nil
}

func sendFile(w http.ResponseWriter, name string, body []byte) {
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}

func (s *handlers) apiTemplate(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	year, err := s.yearOf(r, c.Towns)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := s.svc().WriteTemplate(r.Context(), &b, c.Towns, year, c.User, kit.Language(w, r)); err != nil {
		return err
	}
	sendFile(w, fmt.Sprintf("results-%d-progress.xlsx", year), b.Bytes())
	return nil
}

// uploadRows reads the xlsx of a request: a multipart field "file", or the body itself.
func uploadRows(r *http.Request) ([]results.BulkRow, error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(kit.FormMemory); err != nil {
			return nil, problem.Field("file", "not a form with a file")
		}
		f, _, err := r.FormFile("file")
		if err != nil {
			return nil, problem.Field("file", "choose the filled-in template (.xlsx)")
		}
		defer f.Close()
		return results.ReadBulk(f)
	}
	return results.ReadBulk(r.Body)
}

// apiImport checks an uploaded file (?dry_run=1: only the plan) and applies it, all or nothing.
// Problems answer 422 with every bad cell by row and column.
func (s *handlers) apiImport(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	year, err := s.yearOf(r, c.Towns)
	if err != nil {
		return err
	}
	rows, err := uploadRows(r)
	if err == nil {
		var plan []results.Planned
		if r.URL.Query().Get("dry_run") == "1" {
			plan, err = s.svc().Plan(r.Context(), c.Towns, year, rows, c.User)
		} else {
			plan, err = s.svc().Apply(r.Context(), c.Towns, year, rows, c.User)
		}
		if err == nil {
			if plan == nil {
				plan = []results.Planned{}
			}
			kit.WriteJSON(w, http.StatusOK, map[string]any{"year": year, "applied": r.URL.Query().Get("dry_run") != "1", "changes": plan})
			return nil
		}
	}
	if be, ok := err.(results.BulkErrors); ok {
		kit.WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": be.Error(), "problems": be})
		return nil
	}
	return err
}

func (s *handlers) apiEvaluate(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in struct {
		Town string `json:"town"`
		Year int    `json:"year"`
		Note string `json:"note"`
	}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.Town == "" && len(c.Towns) > 0 {
		in.Town = c.Towns[0]
	}
	vs, err := s.svc().Evaluate(r.Context(), c.Towns, in.Town, in.Year, in.Note, c.User)
	if err != nil {
		return err
	}
	if vs == nil {
		vs = []results.Verdict{}
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"verdicts": vs})
	return nil
}

func (s *handlers) apiStatuses(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	town, err := kit.CallerTown(r, c)
	if err != nil {
		return err
	}
	list, err := s.svc().Statuses(r.Context(), town)
	if err != nil {
		return err
	}
	rules, err := s.svc().EvaluationRules(r.Context(), town)
	return kit.Reply(w, http.StatusOK, map[string]any{"town": town, "statuses": list, "grades": results.Grades, "evaluation": rules}, err)
}

func (s *handlers) apiSetStatuses(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	town, err := kit.CallerTown(r, c)
	if err != nil {
		return err
	}
	var in struct {
		Statuses []results.Status `json:"statuses"`
	}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.svc().SetStatuses(r.Context(), town, in.Statuses, c.User); err != nil {
		return err
	}
	return s.apiStatuses(w, r, c)
}
