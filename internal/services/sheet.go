package services

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/sheet"
	"github.com/civicgrid/civicgrid/internal/store"
)

// A catalogue sheet is one item a row under a header row; the export writes the same columns, so
// an exported file imports back unchanged. Headers are matched in Chinese or English; 所需材料
// lists documents separated by 、 ; ； | or line breaks.
type column struct {
	key, zh, en string
	required    bool
}

var columns = []column{
	{"catalogue", "清单", "catalogue", false},
	{"aspect", "方面", "aspect", true},
	{"category", "类别", "category", true},
	{"code", "编码", "code", true},
	{"name", "服务项目", "item", true},
	{"name_en", "英文名称", "name_en", false},
	{"eligibility", "服务对象", "eligibility", true},
	{"department", "提供部门编码", "provider_department", true},
	{"unit", "提供单位", "provider_unit", false},
	{"days", "承诺时限（工作日）", "promised_days", true},
	{"documents", "所需材料", "documents", false},
	{"delivery", "服务方式", "delivery", true},
	{"summary", "说明", "summary", false},
	{"illustrative", "示意", "illustrative", false},
	{"active", "启用", "active", false},
}

// MaxSheetBytes bounds an uploaded catalogue file.
const MaxSheetBytes = 4 << 20

// RowError is one problem of an imported sheet, at a row (as the spreadsheet numbers it, the
// header being 1) and a column (A, B, …), in Chinese and English.
type RowError struct {
	Row    int    `json:"row,omitempty"`
	Column string `json:"column,omitempty"`
	ZH     string `json:"zh"`
	EN     string `json:"en"`
}

// Text is the error in lang, with its place.
func (e RowError) Text(lang string) string {
	if lang == "en" {
		switch {
		case e.Row > 0 && e.Column != "":
			return fmt.Sprintf("row %d, column %s: %s", e.Row, e.Column, e.EN)
		case e.Row > 0:
			return fmt.Sprintf("row %d: %s", e.Row, e.EN)
		}
		return e.EN
	}
	switch {
	case e.Row > 0 && e.Column != "":
		return fmt.Sprintf("第 %d 行 %s 列：%s", e.Row, e.Column, e.ZH)
	case e.Row > 0:
		return fmt.Sprintf("第 %d 行：%s", e.Row, e.ZH)
	}
	return e.ZH
}

// ImportError lists every problem of a sheet; nothing of it was saved. It is a 422 (problem.ErrInvalid).
type ImportError struct{ Errors []RowError }

func (e *ImportError) Error() string {
	var parts []string
	for i, r := range e.Errors {
		if i == 10 {
			parts = append(parts, fmt.Sprintf("(+%d more)", len(e.Errors)-10))
			break
		}
		parts = append(parts, r.Text("en"))
	}
	return "the catalogue sheet was not imported: " + strings.Join(parts, "; ")
}

// Is makes an ImportError a problem.ErrInvalid.
func (e *ImportError) Is(target error) bool { return target == problem.ErrInvalid }

// maxErrors is how many problems one import reports.
const maxErrors = 50

func colName(i int) string {
	n, _ := excelize.ColumnNumberToName(i + 1)
	return n
}

var deliveryWords = map[string]string{}

func init() {
	for _, d := range Deliveries {
		deliveryWords[d.Code] = d.Code
		deliveryWords[d.ZH] = d.Code
		deliveryWords[strings.ToLower(d.EN)] = d.Code
	}
	for k, v := range map[string]string{"窗口": DeliverWindow, "上门": DeliverDoor, "线上": DeliverOnline, "网上": DeliverOnline, "电话": DeliverPhone, "视频": DeliverPhone} {
		deliveryWords[k] = v
	}
}

func yes(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "否", "no", "n", "0", "false":
		return false, true
	case "是", "yes", "y", "1", "true", "示意":
		return true, true
	}
	return false, false
}

// ParseSheet reads catalogue rows into edits; every problem is reported with its row and column.
func ParseSheet(rows [][]string) ([]ItemEdit, error) {
	fail := func(errs []RowError) error { return &ImportError{Errors: errs} }
	if len(rows) == 0 {
		return nil, fail([]RowError{{ZH: "文件是空的：第一行应为表头", EN: "the sheet is empty: a header row comes first"}})
	}
	if len(rows)-1 > MaxItems {
		return nil, fail([]RowError{{ZH: fmt.Sprintf("有 %d 行，一次最多导入 %d 项", len(rows)-1, MaxItems), EN: fmt.Sprintf("%d rows; one import takes at most %d items", len(rows)-1, MaxItems)}})
	}
	at := map[string]int{}
	for i, h := range rows[0] {
		h = strings.TrimSpace(h)
		for _, c := range columns {
			if h == c.zh || strings.EqualFold(h, c.en) || h == c.key {
				at[c.key] = i
			}
		}
	}
	var errs []RowError
	for _, c := range columns {
		if _, ok := at[c.key]; !ok && c.required {
			errs = append(errs, RowError{Row: 1, ZH: "缺少表头“" + c.zh + "”", EN: "no column headed " + c.en + " (" + c.zh + ")"})
		}
	}
	if len(errs) > 0 {
		return nil, fail(errs)
	}
	var out []ItemEdit
	seen := map[string]int{}
	for n, row := range rows[1:] {
		rowNo := n + 2
		cell := func(key string) string {
			i, ok := at[key]
			if !ok || i >= len(row) {
				return ""
			}
			return strings.TrimSpace(row[i])
		}
		blank := true
		for _, v := range row {
			if strings.TrimSpace(v) != "" {
				blank = false
			}
		}
		if blank {
			continue
		}
		add := func(key, zh, en string) {
			errs = append(errs, RowError{Row: rowNo, Column: colName(at[key]), ZH: zh, EN: en})
		}
		e := ItemEdit{Catalogue: CatalogueJingcai, Aspect: cell("aspect"), Category: cell("category"), Code: cell("code"), Name: cell("name"),
			NameEN: cell("name_en"), Eligibility: cell("eligibility"), Department: cell("department"), Unit: cell("unit"), Summary: cell("summary")}
		if c := cell("catalogue"); c != "" {
			e.Catalogue = ""
			for _, l := range Catalogues {
				if c == l.Code || strings.Contains(l.ZH, c) || strings.EqualFold(c, l.EN) {
					e.Catalogue = l.Code
				}
			}
			if e.Catalogue == "" {
				add("catalogue", fmt.Sprintf("“%s”不是已知的清单（泾彩满格 或 健康之翼）", c), fmt.Sprintf("%q is not a catalogue (jingcai or health)", c))
			}
		}
		for _, c := range columns {
			if c.required && cell(c.key) == "" {
				add(c.key, c.zh+"不能为空", c.en+" is required")
			}
		}
		if d := cell("days"); d != "" {
			days, err := strconv.Atoi(d)
			if err != nil || days < 1 || days > MaxDays {
				add("days", fmt.Sprintf("“%s”不是 1 到 %d 之间的工作日数", d, MaxDays), fmt.Sprintf("%q is not a number of working days from 1 to %d", d, MaxDays))
			}
			e.Days = days
		}
		if d := cell("delivery"); d != "" {
			if e.Delivery = deliveryWords[strings.ToLower(d)]; e.Delivery == "" {
				add("delivery", fmt.Sprintf("“%s”不是服务方式（窗口办理、上门服务、线上办理、电话/视频）", d), fmt.Sprintf("%q is not a delivery way (window, door, online, phone)", d))
			}
		}
		e.Documents = splitList(cell("documents"))
		ill, ok := yes(cell("illustrative"))
		if !ok {
			add("illustrative", "应为“是”或“否”", "must be yes or no")
		}
		e.Illustrative = ill
		if v := cell("active"); v != "" {
			a, ok := yes(v)
			if !ok {
				add("active", "应为“是”或“否”", "must be yes or no")
			}
			e.Active = &a
		}
		if e.Code != "" {
			if first, dup := seen[e.Code]; dup {
				add("code", fmt.Sprintf("编码 %s 与第 %d 行重复", e.Code, first), fmt.Sprintf("code %s repeats row %d", e.Code, first))
			}
			seen[e.Code] = rowNo
		}
		if len(errs) == 0 {
			if err := e.Check(); err != nil {
				var fe *problem.FieldError
				key := "name"
				msg := err.Error()
				if errors.As(err, &fe) {
					key, msg = sheetKey(fe.Field), fe.Reason
				}
				add(key, "内容有误："+msg, msg)
			}
		}
		if len(errs) >= maxErrors {
			break
		}
		out = append(out, e)
	}
	if len(errs) > 0 {
		return nil, fail(errs)
	}
	if len(out) == 0 {
		return nil, fail([]RowError{{ZH: "表中没有服务项目", EN: "the sheet holds no items"}})
	}
	return out, nil
}

// sheetKey maps an edit's field to its column.
func sheetKey(field string) string {
	switch {
	case field == "provider_department":
		return "department"
	case field == "provider_unit":
		return "unit"
	case field == "promised_days":
		return "days"
	case strings.HasPrefix(field, "documents"):
		return "documents"
	}
	return field
}

// ReadSheet reads the first sheet of an xlsx file.
func ReadSheet(r io.Reader) ([]ItemEdit, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSheetBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSheetBytes {
		return nil, &ImportError{[]RowError{{ZH: fmt.Sprintf("文件超过 %d MB", MaxSheetBytes>>20), EN: fmt.Sprintf("the file is larger than %d MB", MaxSheetBytes>>20)}}}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 50 << 20, UnzipXMLSizeLimit: 20 << 20})
	if err != nil {
		return nil, &ImportError{[]RowError{{ZH: "无法读取文件，请上传 xlsx 表格", EN: "not a readable xlsx file"}}}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, &ImportError{[]RowError{{ZH: "文件没有工作表", EN: "the file has no sheet"}}}
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		return nil, &ImportError{[]RowError{{ZH: "无法读取工作表", EN: "cannot read the sheet"}}}
	}
	return ParseSheet(rows)
}

// Import saves every item of a sheet into town, all or nothing: a department unknown in the town
// fails the whole import with the row named. Items are placed in the sheet's order.
func (s *Service) Import(ctx context.Context, towns []string, town string, edits []ItemEdit, by audit.Actor) (int, error) {
	if !slices.Contains(towns, town) {
		return 0, problem.Field("town", "%q is not one of your towns", town)
	}
	deptCol := colName(indexOf("department"))
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		for i, e := range edits {
			if _, err := s.saveItem(ctx, tx, town, e, i+1); err != nil {
				var fe *problem.FieldError
				if errors.As(err, &fe) && fe.Field == "provider_department" {
					return &ImportError{[]RowError{{Row: i + 2, Column: deptCol, ZH: fmt.Sprintf("“%s”不是本镇的部门编码", e.Department),
						EN: fmt.Sprintf("%q is not a department code of the town", e.Department)}}}
				}
				return fmt.Errorf("row %d: %w", i+2, err)
			}
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "service_catalogue", TownCode: town,
			Detail: fmt.Sprintf("imported %d items", len(edits))})
	})
	return len(edits), err
}

func indexOf(key string) int {
	for i, c := range columns {
		if c.key == key {
			return i
		}
	}
	return 0
}

// Export writes both catalogues of town as one xlsx sheet with the import's columns; cells are
// text, never formulas (internal/sheet).
func (s *Service) Export(ctx context.Context, town string, w io.Writer) error {
	x, err := sheet.New(w, sheet.XLSX, sheet.Options{Sheet: "服务清单", Widths: []float64{10, 18, 18, 10, 28, 28, 30, 16, 16, 10, 36, 10, 40, 6, 6}})
	if err != nil {
		return err
	}
	header := make([]string, len(columns))
	for i, c := range columns {
		header[i] = c.zh
	}
	if err := x.Row(header...); err != nil {
		x.Abort()
		return err
	}
	yesNo := map[bool]string{true: "是", false: "否"}
	for _, cat := range Catalogues {
		tree, err := s.Catalogue(ctx, town, cat.Code, true)
		if err != nil {
			x.Abort()
			return err
		}
		for _, a := range tree {
			for _, c := range a.Categories {
				for _, it := range c.Items {
					if err := x.Row(cat.Code, a.Name, c.Name, it.Code, it.Name, it.NameEN, it.Eligibility, it.Department, it.Unit,
						strconv.Itoa(it.Days), strings.Join(it.Documents, "、"), LabelOf(Deliveries, it.Delivery, "zh"), it.Summary,
						yesNo[it.Illustrative], yesNo[it.Active]); err != nil {
						x.Abort()
						return err
					}
				}
			}
		}
	}
	return x.Close()
}
