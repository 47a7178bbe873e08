package results

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/sheet"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Period is the span a congress report covers: the first half (H1, to 30 June) or the whole year
// (Y, to 31 December).
type Period struct {
	Year int
	Half bool
}

// ParsePeriod reads "2025H1" (half year) or "2025" / "2025Y" (year end).
func ParsePeriod(s string) (Period, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	half := strings.HasSuffix(s, "H1")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "H1"), "Y")
	y, err := strconv.Atoi(s)
	if err != nil || y < MinYear || y > MaxYear {
		return Period{}, problem.Field("period", "a period is 2025H1 (half year) or 2025 (year end)")
	}
	return Period{Year: y, Half: half}, nil
}

// String is the period as ParsePeriod reads it.
func (p Period) String() string {
	if p.Half {
		return fmt.Sprintf("%dH1", p.Year)
	}
	return fmt.Sprintf("%dY", p.Year)
}

// End is the period's last day.
func (p Period) End() string {
	if p.Half {
		return fmt.Sprintf("%d-06-30", p.Year)
	}
	return fmt.Sprintf("%d-12-31", p.Year)
}

// ReportRow is one result in a report, as of the report's day.
type ReportRow struct {
	ID         int64   `json:"id"`
	ParentID   int64   `json:"parent_id,omitempty"`
	Depth      int     `json:"depth"`
	Title      string  `json:"title"`
	Department string  `json:"department"`
	DeptEN     string  `json:"department_en,omitempty"`
	BudgetFen  int64   `json:"budget_fen"`
	Progress   float64 `json:"progress"`
	Status     string  `json:"status"`
	Done       int     `json:"milestones_done"`
	Total      int     `json:"milestones"`
	Overdue    int     `json:"milestones_overdue"`
	Late       int     `json:"milestones_late"`
	Latest     *Entry  `json:"latest,omitempty"` // the newest timeline entry on or before the day
	Tally      *Tally  `json:"tally,omitempty"`  // year-end reports
}

// Dept is the row's department in lang (the Chinese name when it has no English one).
func (r ReportRow) Dept(lang string) string {
	if lang == "en" && r.DeptEN != "" {
		return r.DeptEN
	}
	return r.Department
}

// Report is the report to the congress on a town's results of a year (人大验单).
type Report struct {
	Town     string      `json:"town"`
	TownName string      `json:"town_name"`
	Period   string      `json:"period"`
	AsOf     string      `json:"as_of"` // the day the figures are as of: the period's end, or today if earlier
	Rows     []ReportRow `json:"rows"`
	Totals   Totals      `json:"totals"`
	Statuses []Status    `json:"statuses"`
}

// Totals sum a report's projects (not their parts).
type Totals struct {
	Projects  int            `json:"projects"`
	BudgetFen int64          `json:"budget_fen"`
	Progress  float64        `json:"progress"` // the projects' mean progress
	ByStatus  map[string]int `json:"by_status"`
	Done      int            `json:"milestones_done"`
	Total     int            `json:"milestones"`
	Overdue   int            `json:"milestones_overdue"`
	Late      int            `json:"milestones_late"`
}

// Report computes the congress report of town for period from the tracked data as of the period's
// end (or today, if that is earlier): each result's progress and status are the last ones the
// timeline recorded on or before that day, parents' progress their children's weighted mean, the
// milestones done by then and those overdue then.
func (s *Service) Report(ctx context.Context, towns []string, town string, p Period) (Report, error) {
	if !containsTown(towns, town) {
		return Report{}, problem.NotFound("town %s", town)
	}
	asOf := p.End()
	if today := s.Today(); today < asOf {
		asOf = today
	}
	rep := Report{Town: town, Period: p.String(), AsOf: asOf}
	_ = s.DB.QueryRow(ctx, `SELECT name FROM regions WHERE code = ?`, town).Scan(&rep.TownName)
	var err error
	if rep.Statuses, err = s.Statuses(ctx, town); err != nil {
		return rep, err
	}
	list, err := s.Year(ctx, []string{town}, p.Year)
	if err != nil {
		return rep, err
	}
	ids := make([]int64, len(list))
	for i, r := range list {
		ids[i] = r.ID
	}
	figs, err := s.milestoneFiguresAsOf(ctx, s.DB, ids, asOf)
	if err != nil {
		return rep, err
	}
	latest, progress, status, err := s.asOf(ctx, ids, asOf)
	if err != nil {
		return rep, err
	}
	var tallies map[int64]Tally
	if !p.Half {
		if tallies, err = s.Tallies(ctx, ids); err != nil {
			return rep, err
		}
	}
	// Progress as of the day: leaves from their timeline, parents from their parts (deepest first).
	prog := map[int64]float64{}
	kids := map[int64][]Result{}
	for _, r := range list {
		prog[r.ID] = progress[r.ID]
		if r.ParentID != 0 {
			kids[r.ParentID] = append(kids[r.ParentID], r)
		}
	}
	for i := len(list) - 1; i >= 0; i-- {
		r := list[i]
		if ks := kids[r.ID]; len(ks) > 0 {
			parts := make([]Part, len(ks))
			for j, k := range ks {
				parts[j] = Part{Progress: prog[k.ID], Weight: k.Weight}
			}
			prog[r.ID] = WeightedProgress(parts)
		}
	}
	depth := Depth(list)
	rep.Totals.ByStatus = map[string]int{}
	var sum float64
	for _, r := range list {
		f := figs[r.ID]
		row := ReportRow{ID: r.ID, ParentID: r.ParentID, Depth: depth[r.ID], Title: r.Title, Department: r.DeptName, DeptEN: r.DeptNameEN, BudgetFen: r.BudgetFen,
			Progress: round1(prog[r.ID]), Status: status[r.ID], Done: f.done, Total: f.total, Overdue: f.overdue, Late: f.late}
		if row.Status == "" {
			row.Status = StatusNotStarted
		}
		if e, ok := latest[r.ID]; ok {
			row.Latest = &e
		}
		if t, ok := tallies[r.ID]; ok && r.ParentID == 0 {
			row.Tally = &t
		}
		rep.Rows = append(rep.Rows, row)
		if r.ParentID == 0 {
			rep.Totals.Projects++
			rep.Totals.BudgetFen += r.BudgetFen
			rep.Totals.ByStatus[row.Status]++
			sum += prog[r.ID]
		}
		rep.Totals.Done += f.done
		rep.Totals.Total += f.total
		rep.Totals.Overdue += f.overdue
		rep.Totals.Late += f.late
	}
	if rep.Totals.Projects > 0 {
		rep.Totals.Progress = round1(sum / float64(rep.Totals.Projects))
	}
	return rep, nil
}

// asOf returns, per result, the newest timeline entry on or before day, and the progress and
// status the timeline last recorded by then.
func (s *Service) asOf(ctx context.Context, ids []int64, day string) (latest map[int64]Entry, progress map[int64]float64, status map[int64]string, err error) {
	latest, progress, status = map[int64]Entry{}, map[int64]float64{}, map[int64]string{}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(len(ids), start+500)]
		args := make([]any, 0, len(chunk)+1)
		for _, id := range chunk {
			args = append(args, id)
		}
		args = append(args, day)
		var list []Entry
		list, err = store.Collect(ctx, s.DB, scanEntry, `SELECT id, result_id, on_day, kind, body, progress, status, photos, author_name
			FROM result_timeline WHERE result_id IN (`+store.Placeholders(len(chunk))+`) AND on_day <= ? ORDER BY on_day, id`, args...)
		if err != nil {
			return
		}
		for _, e := range list { // oldest first: later entries overwrite
			if e.Body != "" {
				latest[e.ResultID] = e
			}
			if e.Progress != nil {
				progress[e.ResultID] = *e.Progress
			}
			if e.Status != "" {
				status[e.ResultID] = e.Status
			}
		}
	}
	return
}

// Wan formats fen in 万元 (10,000 yuan) with two decimals (the unit reports to the congress use).
func Wan(fen int64) string { return strconv.FormatFloat(float64(fen)/1e6, 'f', 2, 64) }

// WriteXLSX writes the report as a workbook: the projects and their parts, then the totals.
// Labels are in lang; every cell is text (sheet).
func (rep Report) WriteXLSX(w io.Writer, lang string) error {
	L := func(zh, en string) string {
		if lang == "en" {
			return en
		}
		return zh
	}
	b := sheet.NewWorkbook(w)
	if err := b.Sheet(L("实事项目", "Projects"), []float64{6, 40, 24, 12, 10, 12, 10, 10, 10, 60, 12}); err != nil {
		return err
	}
	title := fmt.Sprintf(L("%s %d年为民办实事项目%s推进情况（截至 %s）", "%s livelihood projects %d: %s report (as of %s)"),
		rep.TownName, yearOf(rep.Period), L(map[bool]string{true: "上半年", false: "全年"}[strings.HasSuffix(rep.Period, "H1")],
			map[bool]string{true: "half-year", false: "year-end"}[strings.HasSuffix(rep.Period, "H1")]), rep.AsOf)
	if err := b.Row(title); err != nil {
		return err
	}
	head := []string{L("序号", "No."), L("项目", "Project"), L("责任部门", "Department"), L("预算（万元）", "Budget (10k yuan)"),
		L("进度", "Progress"), L("状态", "Status"), L("节点完成", "Milestones done"), L("逾期节点", "Overdue"), L("延期完成", "Done late"),
		L("最新进展", "Latest entry"), L("满意度", "Satisfaction")}
	if err := b.Row(head...); err != nil {
		return err
	}
	n := 0
	for _, r := range rep.Rows {
		no := ""
		if r.ParentID == 0 {
			n++
			no = strconv.Itoa(n)
		}
		latest := ""
		if r.Latest != nil {
			latest = r.Latest.Day + " " + r.Latest.Body
		}
		sat := ""
		if r.Tally != nil && r.Tally.Total > 0 {
			sat = fmt.Sprintf("%.1f%% (%d)", r.Tally.Satisfaction, r.Tally.Total)
		}
		if err := b.Row(no, strings.Repeat("　", r.Depth)+r.Title, r.Dept(lang), Wan(r.BudgetFen), fmt.Sprintf("%.1f%%", r.Progress),
			StatusName(rep.Statuses, r.Status, lang), fmt.Sprintf("%d/%d", r.Done, r.Total), strconv.Itoa(r.Overdue), strconv.Itoa(r.Late), latest, sat); err != nil {
			return err
		}
	}
	t := rep.Totals
	if err := b.Row("", L("合计", "Total"), fmt.Sprintf(L("%d 个项目", "%d projects"), t.Projects), Wan(t.BudgetFen), fmt.Sprintf("%.1f%%", t.Progress),
		"", fmt.Sprintf("%d/%d", t.Done, t.Total), strconv.Itoa(t.Overdue), strconv.Itoa(t.Late)); err != nil {
		return err
	}
	if err := b.Sheet(L("按状态", "By status"), []float64{16, 10}); err != nil {
		return err
	}
	if err := b.Row(L("状态", "Status"), L("项目数", "Projects")); err != nil {
		return err
	}
	for _, st := range rep.Statuses {
		if err := b.Row(st.Name(lang), strconv.Itoa(t.ByStatus[st.Code])); err != nil {
			return err
		}
	}
	return b.Close()
}

func yearOf(period string) int {
	y, _ := strconv.Atoi(period[:4])
	return y
}
