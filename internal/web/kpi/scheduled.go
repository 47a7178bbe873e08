package kpi

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/civicgrid/civicgrid/internal/kpi"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/sheet"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// maxListedReports bounds the list of scheduled reports (newest first).
const maxListedReports = 500

// scheduledFile is one listed report; LangKey names its language ("kpi.reports.lang zh").
type scheduledFile struct{ Name, Town, Period, LangKey, Href string }

// scheduledReports lists the scheduled reports (serve writes them on the 1st of each month and
// quarter) of the caller's towns, newest period first.
func (s *handlers) scheduledReports(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	rq, err := parseRequest(nil, c, time.Now())
	if err != nil {
		return err
	}
	var files []scheduledFile
	entries, err := os.ReadDir(s.dir)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	for _, e := range entries {
		m := kpi.ReportFile.FindStringSubmatch(e.Name())
		if m == nil || !slices.Contains(rq.Towns, m[1]) {
			continue
		}
		lang := m[3]
		if lang == "" {
			lang = "zh"
		}
		files = append(files, scheduledFile{Name: e.Name(), Town: m[1], Period: m[2], LangKey: "kpi.reports.lang " + lang, Href: "/kpi/reports/" + e.Name()})
	}
	slices.SortFunc(files, func(a, b scheduledFile) int {
		if a.Period != b.Period {
			if a.Period > b.Period {
				return -1
			}
			return 1
		}
		if a.Town != b.Town {
			if a.Town < b.Town {
				return -1
			}
			return 1
		}
		if a.Name < b.Name { // Chinese (…-2026-11.xlsx) before English (…-2026-11.en.xlsx)
			return 1
		}
		return -1
	})
	if len(files) > maxListedReports {
		files = files[:maxListedReports]
	}
	return s.Render(w, r, http.StatusOK, "kpi_reports", kit.PageData{Title: "kpi.reports", Data: files})
}

// scheduledReport sends one scheduled report of one of the caller's towns.
func (s *handlers) scheduledReport(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	name := r.PathValue("file")
	m := kpi.ReportFile.FindStringSubmatch(name)
	if m == nil {
		return problem.NotFound("report %.60q", name)
	}
	rq, err := parseRequest(nil, c, time.Now())
	if err != nil {
		return err
	}
	if !slices.Contains(rq.Towns, m[1]) {
		return problem.NotFound("report %s", name) // another town's: as if it were not there
	}
	b, err := os.ReadFile(filepath.Join(s.dir, name))
	if os.IsNotExist(err) {
		return problem.NotFound("report %s", name)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", sheet.XLSX.ContentType())
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(b)
	return err
}
