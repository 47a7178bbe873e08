package dispatch

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/fold"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
)

// Limits of an address-book file.
const (
	MaxBookRows  = 50_000
	MaxBookBytes = 20 << 20
	maxCellRunes = 100
)

// bookColumns are the columns of an address-book file, each with the headers it is known by
// (Chinese first, as the template has them). Only 网格编号 is required, and each row needs a
// road and number, an estate or a landmark.
var bookColumns = []struct {
	key     string
	zh, en  string
	headers []string
}{
	{"road", "道路", "Road", []string{"道路", "路名", "road", "street"}},
	{"number", "门牌/弄", "Number", []string{"门牌/弄", "门牌", "门牌号", "弄号", "门牌号/弄", "number", "house number"}},
	{"estate", "小区", "Estate", []string{"小区", "小区名称", "estate", "compound"}},
	{"building", "楼栋", "Building", []string{"楼栋", "楼号", "楼栋号", "building"}},
	{"landmark", "地标", "Landmark", []string{"地标", "地标名称", "landmark"}},
	{"grid", "网格编号", "Grid", []string{"网格编号", "网格", "网格代码", "grid", "grid code"}},
	{"lat", "纬度", "Latitude", []string{"纬度", "lat", "latitude"}},
	{"lng", "经度", "Longitude", []string{"经度", "lng", "lon", "longitude"}},
}

// RowError is one problem of an imported file, at a row (as the spreadsheet numbers it, the
// header being row 1; 0 for the file as a whole) and a column, told in Chinese and English.
type RowError struct {
	Row      int
	ColumnZH string
	ColumnEN string
	ReasonZH string
	ReasonEN string
}

// ZH: "第 3 行 网格编号：未知网格 X".
func (e RowError) ZH() string {
	if e.Row == 0 {
		return joinNonEmpty(e.ColumnZH, "：", e.ReasonZH)
	}
	return fmt.Sprintf("第 %d 行 %s", e.Row, joinNonEmpty(e.ColumnZH, "：", e.ReasonZH))
}

// EN: "row 3, Grid: unknown grid X".
func (e RowError) EN() string {
	if e.Row == 0 {
		return joinNonEmpty(e.ColumnEN, ": ", e.ReasonEN)
	}
	return fmt.Sprintf("row %d, %s", e.Row, joinNonEmpty(e.ColumnEN, ": ", e.ReasonEN))
}

func joinNonEmpty(a, sep, b string) string {
	if a == "" {
		return b
	}
	return a + sep + b
}

// ImportError lists every problem of a refused file; nothing of it was imported. It is an
// invalid-input error (problem.ErrInvalid) naming the first problem's column.
type ImportError struct {
	Errors []RowError
}

// maxReported bounds the problems an ImportError lists.
const maxReported = 200

func (e *ImportError) Error() string {
	var b strings.Builder
	b.WriteString("address book not imported: ")
	for i, r := range e.Errors {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(r.EN())
	}
	return b.String()
}

// ZH is the whole list in Chinese, one problem a line.
func (e *ImportError) ZH() string {
	lines := make([]string, len(e.Errors))
	for i, r := range e.Errors {
		lines[i] = r.ZH()
	}
	return "地址库未导入：\n" + strings.Join(lines, "\n")
}

func (e *ImportError) Is(target error) bool { return target == problem.ErrInvalid }

// BookRow is one valid row of an address-book file.
type BookRow struct {
	Row int // as the spreadsheet numbers it
	Entry
	Lat, Lng float64
}

// Text is the row's address as the address book stores it (unique within a town): road and
// number, estate and building, or the landmark.
func (r BookRow) Text() string {
	switch {
	case r.Road != "":
		return r.Road + r.Number
	case r.Estate != "":
		return r.Estate + r.Building
	}
	return r.Landmark
}

// ReadBook reads an address-book file (.xlsx: the first sheet; .csv: UTF-8, with or without a
// byte-order mark, or GB18030 as Excel saves it in China), checks every row against the town's
// grids and returns the rows, or an *ImportError listing every problem (up to 200) by row and
// column.
func ReadBook(filename string, data []byte, grids map[string]bool) ([]BookRow, error) {
	if len(data) > MaxBookBytes {
		return nil, &ImportError{[]RowError{{ReasonZH: fmt.Sprintf("文件超过 %d MB", MaxBookBytes>>20), ReasonEN: fmt.Sprintf("the file is larger than %d MB", MaxBookBytes>>20)}}}
	}
	records, lines, err := readRecords(filename, data)
	if err != nil {
		return nil, &ImportError{[]RowError{{ReasonZH: "无法读取文件：" + err.Error(), ReasonEN: "cannot read the file: " + err.Error()}}}
	}
	if len(records) == 0 {
		return nil, &ImportError{[]RowError{{ReasonZH: "文件是空的", ReasonEN: "the file is empty"}}}
	}
	if len(records)-1 > MaxBookRows {
		return nil, &ImportError{[]RowError{{ReasonZH: fmt.Sprintf("超过 %d 行", MaxBookRows), ReasonEN: fmt.Sprintf("more than %d rows", MaxBookRows)}}}
	}
	col := map[string]int{}
	var errs []RowError
	for i, h := range records[0] {
		h = strings.ToLower(strings.TrimSpace(fold.String(h)))
		for _, c := range bookColumns {
			for _, name := range c.headers {
				if h == fold.String(name) {
					if _, dup := col[c.key]; dup {
						errs = append(errs, RowError{Row: 1, ColumnZH: c.zh, ColumnEN: c.en, ReasonZH: "列重复", ReasonEN: "the column appears twice"})
					}
					col[c.key] = i
				}
			}
		}
	}
	if _, ok := col["grid"]; !ok {
		errs = append(errs, RowError{Row: 1, ColumnZH: "网格编号", ColumnEN: "Grid", ReasonZH: "缺少此列", ReasonEN: "the column is missing"})
	}
	_, road := col["road"]
	_, estate := col["estate"]
	_, landmark := col["landmark"]
	if !road && !estate && !landmark {
		errs = append(errs, RowError{Row: 1, ReasonZH: "需要“道路”“小区”或“地标”列", ReasonEN: "a Road, Estate or Landmark column is needed"})
	}
	if len(errs) > 0 {
		return nil, &ImportError{errs}
	}

	var rows []BookRow
	seen := map[string]BookRow{}
	for i, rec := range records[1:] {
		n := lines[i+1]
		cell := func(key string) string {
			j, ok := col[key]
			if !ok || j >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[j])
		}
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue // blank line
		}
		bad := func(key, zh, en string) {
			for _, c := range bookColumns {
				if c.key == key {
					errs = append(errs, RowError{Row: n, ColumnZH: c.zh, ColumnEN: c.en, ReasonZH: zh, ReasonEN: en})
					return
				}
			}
			errs = append(errs, RowError{Row: n, ReasonZH: zh, ReasonEN: en})
		}
		r := BookRow{Row: n}
		for _, f := range []struct {
			key string
			v   *string
		}{{"road", &r.Road}, {"number", &r.Number}, {"estate", &r.Estate}, {"building", &r.Building}, {"landmark", &r.Landmark}, {"grid", &r.Grid}} {
			v := cell(f.key)
			switch {
			case !utf8.ValidString(v) || strings.ContainsRune(v, 0):
				bad(f.key, "含有无效字符", "holds invalid characters")
			case utf8.RuneCountInString(v) > maxCellRunes:
				bad(f.key, fmt.Sprintf("超过 %d 个字", maxCellRunes), fmt.Sprintf("longer than %d characters", maxCellRunes))
			default:
				*f.v = v
			}
		}
		r.Number, r.Building = fold.String(r.Number), fold.String(r.Building)
		switch {
		case r.Grid == "":
			bad("grid", "不能为空", "required")
		case !grids[r.Grid]:
			bad("grid", "未知网格 "+r.Grid, "unknown grid "+r.Grid)
		}
		switch {
		case r.Building != "" && r.Estate == "":
			bad("estate", "有楼栋时需要小区", "a building needs its estate")
		case r.Road == "" && r.Estate == "" && r.Landmark == "":
			bad("", "需要道路、小区或地标", "a road, an estate or a landmark is needed")
		case r.Road != "" && r.Number == "":
			bad("number", "有道路时需要门牌/弄", "a road needs its number")
		case r.Road != "" && len(numberChain(numerals(r.Number))) == 0:
			bad("number", "门牌/弄应以数字开头，如 176弄、88号", "the number should start with digits, as in 176弄 or 88号")
		case r.Road == "" && r.Number != "":
			bad("road", "有门牌/弄时需要道路", "a number needs its road")
		}
		if r.Building != "" {
			if _, ok := buildingNumber(numerals(fold.String(r.Building))); !ok {
				bad("building", "楼栋应为数字，如 12号楼、12栋", "the building should be a number, as in 12号楼 or 12栋")
			}
		}
		for _, f := range []struct {
			key    string
			v      *float64
			lo, hi float64
		}{{"lat", &r.Lat, -90, 90}, {"lng", &r.Lng, -180, 180}} {
			if s := cell(f.key); s != "" {
				x, err := strconv.ParseFloat(fold.String(s), 64)
				if err != nil || x < f.lo || x > f.hi {
					bad(f.key, "不是有效的坐标："+s, "not a coordinate: "+s)
				}
				*f.v = x
			}
		}
		if t := r.Text(); t != "" {
			if prev, dup := seen[t]; dup && prev.Grid != r.Grid {
				bad("", fmt.Sprintf("与第 %d 行地址相同而网格不同", prev.Row), fmt.Sprintf("same address as row %d with another grid", prev.Row))
			}
			seen[t] = r
		}
		if len(errs) >= maxReported {
			break
		}
		rows = append(rows, r)
	}
	if len(errs) > 0 {
		return nil, &ImportError{errs}
	}
	if len(rows) == 0 {
		return nil, &ImportError{[]RowError{{ReasonZH: "文件没有数据行", ReasonEN: "the file has no data rows"}}}
	}
	return rows, nil
}

// readRecords returns the file's records and the row number of each, as a spreadsheet or an
// editor numbers them (a CSV's blank lines and quoted line breaks counted).
func readRecords(filename string, data []byte) ([][]string, []int, error) {
	switch strings.ToLower(filepath.Ext(filename)) {
	case ".xlsx", ".xlsm":
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return nil, nil, err
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, nil, errors.New("the workbook has no sheet")
		}
		rows, err := f.GetRows(sheets[0])
		lines := make([]int, len(rows))
		for i := range lines {
			lines[i] = i + 1
		}
		return rows, lines, err
	case ".csv", ".txt", "":
		data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
		if !utf8.Valid(data) {
			d, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
			if err != nil {
				return nil, nil, fmt.Errorf("neither UTF-8 nor GB18030: %w", err)
			}
			data = d
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		var recs [][]string
		var lines []int
		for {
			rec, err := r.Read()
			if err == io.EOF {
				return recs, lines, nil
			}
			if err != nil {
				return nil, nil, err
			}
			line, _ := r.FieldPos(0)
			recs, lines = append(recs, rec), append(lines, line)
			if len(recs) > MaxBookRows+1 {
				return recs, lines, nil
			}
		}
	}
	return nil, nil, fmt.Errorf("%s: want a .xlsx or .csv file", filepath.Base(filename))
}

// ImportBook reads an address-book file and writes it into a town's address book, all or
// nothing: a file with any bad row changes nothing and returns an *ImportError listing them. A
// row whose address the book already holds is updated (its grid, building, landmark,
// coordinates); other entries are kept. The change is audited in the same transaction.
func ImportBook(ctx context.Context, db *store.DB, by audit.Actor, town, filename string, r io.Reader) (int, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBookBytes+1))
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", filename, err)
	}
	grids := map[string]bool{}
	rows, err := db.Query(ctx, `SELECT code FROM grids WHERE town_code = ?`, town)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return 0, err
		}
		grids[c] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var exists int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM regions WHERE code = ? AND level = 'town'`, town).Scan(&exists); err != nil {
		return 0, err
	}
	if exists == 0 {
		return 0, problem.NotFound("town %s", town)
	}
	book, err := ReadBook(filename, data, grids)
	if err != nil {
		return 0, err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		for _, b := range book {
			if _, err := tx.Exec(ctx, `INSERT INTO addresses (town_code, text, road, number, estate, building, landmark, lat, lng, grid_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (town_code, text) DO UPDATE SET road = excluded.road, number = excluded.number, estate = excluded.estate,
				building = excluded.building, landmark = excluded.landmark, lat = excluded.lat, lng = excluded.lng, grid_code = excluded.grid_code`,
				town, b.Text(), b.Road, b.Number, b.Estate, b.Building, b.Landmark, b.Lat, b.Lng, b.Grid); err != nil {
				return fmt.Errorf("row %d: %w", b.Row, err)
			}
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "address_book", EntityID: town, TownCode: town,
			Detail: fmt.Sprintf("imported %d rows from %s", len(book), filepath.Base(filename))})
	})
	if err != nil {
		return 0, err
	}
	return len(book), nil
}
