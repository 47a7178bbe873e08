package results

import (
	"net/http"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/results"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

type reportRowView struct {
	results.ReportRow
	No         string
	StatusName string
	Budget     string
	Bar        string
	Sat        string
	LatestKind string // the latest entry's kind when it is not a progress update
}

type reportData struct {
	R        results.Report
	Rows     []reportRowView
	Half     bool
	Year     int
	Years    []int
	Budget   string
	ByStatus []struct {
		Name string
		N    int
	}
	XLSX string
}

// reportPage is the printable report to the congress (print CSS hides the frame).
func (s *handlers) reportPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	rep, err := s.report(r, c)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "xlsx" {
		return s.sendReportXLSX(w, r, rep)
	}
	lang := kit.Language(w, r)
	p, _ := results.ParsePeriod(rep.Period)
	d := reportData{R: rep, Half: p.Half, Year: p.Year, Budget: results.Wan(rep.Totals.BudgetFen),
		XLSX: "/results/report?format=xlsx&period=" + rep.Period + "&lang=" + lang}
	if d.Years, err = s.svc().Years(r.Context(), c.Towns); err != nil {
		return err
	}
	n := 0
	for _, row := range rep.Rows {
		v := reportRowView{ReportRow: row, StatusName: results.StatusName(rep.Statuses, row.Status, lang), Budget: results.Wan(row.BudgetFen),
			Bar: strconv.FormatFloat(row.Progress, 'f', 1, 64) + "%"}
		if row.Latest != nil && row.Latest.Kind != results.KindUpdate {
			v.LatestKind = kindName(kit.Translator(lang), row.Latest.Kind)
		}
		if row.ParentID == 0 {
			n++
			v.No = strconv.Itoa(n)
		}
		if row.Tally != nil && row.Tally.Total > 0 {
			v.Sat = strconv.FormatFloat(row.Tally.Satisfaction, 'f', 1, 64) + "%"
		}
		d.Rows = append(d.Rows, v)
	}
	for _, st := range rep.Statuses {
		d.ByStatus = append(d.ByStatus, struct {
			Name string
			N    int
		}{st.Name(lang), rep.Totals.ByStatus[st.Code]})
	}
	return s.Render(w, r, http.StatusOK, "results_report", kit.PageData{Title: "rs.report", Data: d})
}
