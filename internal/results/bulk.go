package results

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/sheet"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Bulk updates (批量更新进度): a template of a year's results to download, filled in and uploaded
// back; every row is checked first and the file is applied all or nothing.

// Limits of an uploaded file.
const (
	MaxBulkBytes = 5 << 20
	MaxBulkRows  = 2000
)

// The template's columns, in order.
var bulkColumns = []struct{ Key, ZH, EN string }{
	{"id", "编号", "ID"},
	{"title", "项目", "Result"},
	{"department", "责任部门", "Department"},
	{"progress", "进度(%)", "Progress (%)"},
	{"status", "状态", "Status"},
	{"note", "进展说明", "Progress note"},
	{"day", "日期", "Day"},
}

func colLetter(i int) string { return string(rune('A' + i)) }

func colIndex(key string) int {
	for i, c := range bulkColumns {
		if c.Key == key {
			return i
		}
	}
	return -1
}

// BulkRow is one row of an uploaded file, as read.
type BulkRow struct {
	Row      int    `json:"row"` // the spreadsheet's row number (the header is row 1)
	ID       string `json:"id"`
	Progress string `json:"progress"`
	Status   string `json:"status"`
	Note     string `json:"note"`
	Day      string `json:"day"`
}

// BulkError is a problem with one cell of an uploaded file, in both languages.
type BulkError struct {
	Row    int    `json:"row"`
	Column string `json:"column"` // the spreadsheet's column letter
	Field  string `json:"field"`
	ZH     string `json:"message_zh"`
	EN     string `json:"message"`
}

// Message is the problem in lang.
func (e BulkError) Message(lang string) string {
	if lang == "en" {
		return fmt.Sprintf("row %d, column %s (%s): %s", e.Row, e.Column, bulkColumns[max(0, colIndex(e.Field))].EN, e.EN)
	}
	return fmt.Sprintf("第 %d 行 %s 列（%s）：%s", e.Row, e.Column, bulkColumns[max(0, colIndex(e.Field))].ZH, e.ZH)
}

// BulkErrors are every problem of a file; nothing was written.
type BulkErrors []BulkError

func (es BulkErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems, nothing written", len(es))
	for i, e := range es {
		if i == 5 {
			b.WriteString("; …")
			break
		}
		b.WriteString("; " + e.Message("en"))
	}
	return b.String()
}

// Is makes BulkErrors an invalid-input error.
func (es BulkErrors) Is(target error) bool { return target == problem.ErrInvalid }

// Planned is one change a file would make.
type Planned struct {
	Row          int     `json:"row"`
	ResultID     int64   `json:"result_id"`
	Title        string  `json:"title"`
	FromProgress float64 `json:"from_progress"`
	ToProgress   float64 `json:"to_progress"`
	FromStatus   string  `json:"from_status"`
	ToStatus     string  `json:"to_status"`
	Note         string  `json:"note,omitempty"`
	Day          string  `json:"day"`
	change       Change
}

// WriteTemplate writes the template of towns' results of year: one row per result, progress and
// status as they are now, note and day empty. Labels in lang.
func (s *Service) WriteTemplate(ctx context.Context, w io.Writer, towns []string, year int, by auth.User, lang string) error {
	list, err := s.Year(ctx, towns, year)
	if err != nil {
		return err
	}
	sts := map[string][]Status{}
	depth := Depth(list)
	rows := make([][]string, 0, len(list))
	for _, r := range list {
		if sts[r.TownCode] == nil {
			if sts[r.TownCode], err = s.Statuses(ctx, r.TownCode); err != nil {
				return err
			}
		}
		rows = append(rows, []string{strconv.FormatInt(r.ID, 10), strings.Repeat("　", depth[r.ID]) + r.Title, r.Dept(lang),
			strconv.FormatFloat(r.Progress, 'f', -1, 64), StatusName(sts[r.TownCode], r.Status, lang), "", ""})
	}
	return WriteBulk(w, strconv.Itoa(year), rows)
}

// WriteBulk writes a bulk-update file: the header (both languages) and rows of cells in the
// template's column order (id, result, department, progress, status, note, day), every cell text.
func WriteBulk(w io.Writer, sheetName string, rows [][]string) error {
	b := sheet.NewWorkbook(w)
	if err := b.Sheet(sheetName, []float64{8, 40, 22, 10, 12, 50, 12}); err != nil {
		return err
	}
	head := make([]string, len(bulkColumns))
	for i, c := range bulkColumns {
		head[i] = c.ZH + " / " + c.EN
	}
	if err := b.Row(head...); err != nil {
		return err
	}
	for _, r := range rows {
		if err := b.Row(r...); err != nil {
			return err
		}
	}
	return b.Close()
}

// ReadBulk reads an uploaded xlsx: the first sheet, header in row 1, the template's columns in
// order. A file that is not such a table is one BulkError.
func ReadBulk(r io.Reader) ([]BulkRow, error) {
	x, err := excelize.OpenReader(io.LimitReader(r, MaxBulkBytes+1), excelize.Options{UnzipSizeLimit: 50 << 20, UnzipXMLSizeLimit: 20 << 20})
	if err != nil {
		return nil, BulkErrors{{Row: 1, Column: "A", Field: "id", ZH: "不是 xlsx 文件：请上传下载的模板", EN: "not an xlsx file: upload the downloaded template"}}
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if len(sheets) == 0 {
		return nil, BulkErrors{{Row: 1, Column: "A", Field: "id", ZH: "文件没有工作表", EN: "the file has no sheet"}}
	}
	rows, err := x.Rows(sheets[0])
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []BulkRow
	n := 0
	for rows.Next() {
		n++
		cells, err := rows.Columns()
		if err != nil {
			return nil, err
		}
		if n == 1 {
			for i, c := range bulkColumns {
				got := ""
				if i < len(cells) {
					got = strings.TrimSpace(cells[i])
				}
				if !strings.Contains(got, c.ZH) && !strings.Contains(got, c.EN) {
					return nil, BulkErrors{{Row: 1, Column: colLetter(i), Field: c.Key,
						ZH: fmt.Sprintf("表头应为“%s”：请使用下载的模板", c.ZH), EN: fmt.Sprintf("the header should be %q: use the downloaded template", c.EN)}}
				}
			}
			continue
		}
		cell := func(key string) string {
			i := colIndex(key)
			if i < len(cells) {
				return strings.TrimSpace(cells[i])
			}
			return ""
		}
		br := BulkRow{Row: n, ID: cell("id"), Progress: cell("progress"), Status: cell("status"), Note: cell("note"), Day: cell("day")}
		if br == (BulkRow{Row: n}) {
			continue
		}
		if len(out) >= MaxBulkRows {
			return nil, BulkErrors{{Row: n, Column: "A", Field: "id", ZH: fmt.Sprintf("最多 %d 行", MaxBulkRows), EN: fmt.Sprintf("at most %d rows", MaxBulkRows)}}
		}
		out = append(out, br)
	}
	return out, rows.Error()
}

// Plan checks rows against towns' results of year as by would change them, and returns the
// changes they make (rows that change nothing are left out) or every problem found.
func (s *Service) Plan(ctx context.Context, towns []string, year int, rows []BulkRow, by auth.User) ([]Planned, error) {
	if len(rows) > MaxBulkRows {
		return nil, BulkErrors{{Row: 1, Column: "A", Field: "id", ZH: fmt.Sprintf("最多 %d 行", MaxBulkRows), EN: fmt.Sprintf("at most %d rows", MaxBulkRows)}}
	}
	list, err := s.Year(ctx, towns, year)
	if err != nil {
		return nil, err
	}
	byID := map[int64]Result{}
	for _, r := range list {
		byID[r.ID] = r
	}
	mine := s.Mine(ctx, by, list)
	sts := map[string][]Status{}
	today := s.Today()
	var errs BulkErrors
	bad := func(row int, key, zh, en string) {
		errs = append(errs, BulkError{Row: row, Column: colLetter(colIndex(key)), Field: key, ZH: zh, EN: en})
	}
	seen := map[int64]int{}
	var out []Planned
	for _, br := range rows {
		id, err := strconv.ParseInt(strings.TrimSpace(br.ID), 10, 64)
		r, ok := byID[id]
		if err != nil || !ok {
			bad(br.Row, "id", fmt.Sprintf("编号“%s”不是 %d 年的项目", clip(br.ID), year), fmt.Sprintf("%q is not a result of %d", clip(br.ID), year))
			continue
		}
		if first, dup := seen[id]; dup {
			bad(br.Row, "id", fmt.Sprintf("编号 %d 已在第 %d 行出现", id, first), fmt.Sprintf("result %d is already on row %d", id, first))
			continue
		}
		seen[id] = br.Row
		if !MayManage(by) && (by.Role == auth.RoleHandler && !mine[id] || !by.Can(auth.PermResultsUpdate)) {
			bad(br.Row, "id", "不是本部门负责的项目，不能更新", "not a result of your department: you may not update it")
			continue
		}
		if sts[r.TownCode] == nil {
			if sts[r.TownCode], err = s.Statuses(ctx, r.TownCode); err != nil {
				return nil, err
			}
		}
		p := Planned{Row: br.Row, ResultID: id, Title: r.Title, FromProgress: r.Progress, ToProgress: r.Progress, FromStatus: r.Status, ToStatus: r.Status}
		if br.Progress != "" {
			v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(br.Progress), "%"), 64)
			switch {
			case err != nil || checkProgress("progress", v) != nil:
				bad(br.Row, "progress", fmt.Sprintf("“%s”不是 0 到 100 之间的数", clip(br.Progress)), fmt.Sprintf("%q is not a number from 0 to 100", clip(br.Progress)))
			case r.Children > 0 && round1(v) != r.Progress:
				bad(br.Row, "progress", fmt.Sprintf("有子项目的项目进度由子项目加权计算（%.1f%%），不能填写", r.Progress),
					fmt.Sprintf("the progress of a result with parts is their weighted mean (%.1f%%): it cannot be set", r.Progress))
			case r.Children == 0 && round1(v) != r.Progress:
				p.ToProgress = round1(v)
				pv := p.ToProgress
				p.change.Progress = &pv
			}
		}
		if br.Status != "" {
			code := ""
			for _, st := range sts[r.TownCode] {
				if strings.EqualFold(br.Status, st.Code) || br.Status == st.ZH || strings.EqualFold(br.Status, st.EN) {
					code = st.Code
				}
			}
			if code == "" {
				var names []string
				for _, st := range sts[r.TownCode] {
					names = append(names, st.ZH)
				}
				bad(br.Row, "status", fmt.Sprintf("“%s”不是状态（%s）", clip(br.Status), strings.Join(names, "、")),
					fmt.Sprintf("%q is not a status (%s)", clip(br.Status), strings.Join(names, ", ")))
			} else if code != r.Status {
				p.ToStatus, p.change.Status = code, code
			}
		}
		if note, err := checkText("note", br.Note, MaxNote, false); err != nil {
			bad(br.Row, "note", fmt.Sprintf("进展说明最多 %d 字", MaxNote), fmt.Sprintf("a note has at most %d characters", MaxNote))
		} else {
			p.Note, p.change.Note = note, note
		}
		p.Day = today
		if br.Day != "" {
			d, err := checkDay("day", normaliseDay(br.Day), false)
			switch {
			case err != nil:
				bad(br.Row, "day", fmt.Sprintf("“%s”不是日期（YYYY-MM-DD）", clip(br.Day)), fmt.Sprintf("%q is not a day (YYYY-MM-DD)", clip(br.Day)))
			case d > today:
				bad(br.Row, "day", fmt.Sprintf("%s 是将来的日期", d), fmt.Sprintf("%s is in the future", d))
			default:
				p.Day = d
			}
		}
		p.change.Day = p.Day
		if p.change.Progress != nil || p.change.Status != "" || p.change.Note != "" {
			out = append(out, p)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// normaliseDay accepts 2025/6/30 and 2025-6-30 as well as 2025-06-30.
func normaliseDay(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "/", "-")
	parts := strings.Split(s, "-")
	if len(parts) != 3 {
		return s
	}
	for i := 1; i < 3; i++ {
		if len(parts[i]) == 1 {
			parts[i] = "0" + parts[i]
		}
	}
	return strings.Join(parts, "-")
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// Apply plans rows and, if every row is good, records every change in one transaction (each with
// its timeline entry and audit row); if any row is bad, nothing is written and every problem is
// returned (BulkErrors).
func (s *Service) Apply(ctx context.Context, towns []string, year int, rows []BulkRow, by auth.User) ([]Planned, error) {
	plan, err := s.Plan(ctx, towns, year, rows, by)
	if err != nil {
		return nil, err
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		for _, p := range plan {
			if err := s.report(ctx, tx, towns, p.ResultID, p.change, by); err != nil {
				return fmt.Errorf("row %d: %w", p.Row, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return plan, nil
}
