package dispatch

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/workorder"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// A tree file is a table, one node a row, with a header row. Two shapes are read:
//
//   - by code: 编码, 上级编码, 名称 and optionally 英文名称, 类型 (部件/事件/热线 on a top class,
//     立案条件 on a condition; empty elsewhere), 时限类别 or 时限天数, 牵头部门, 关键词, 结案条件, 热线类别;
//     a condition's text is its 名称 (or a 立案条件 column);
//   - by path: 大类, 小类 and optionally 立案条件 columns (level1, level2, level3), one row per
//     leaf, codes given in order of first appearance (01, 0101, 010101) — the shape taxonomies
//     published as spreadsheets have.
//
// Lists (关键词, 热线类别) are separated by 、 ， , ; ； or |.

type column struct {
	key, zh, en string
	names       []string // header spellings accepted, lower case
}

var columns = []column{
	{"code", "编码", "code", []string{"编码", "代码", "分类编码", "code"}},
	{"parent", "上级编码", "parent", []string{"上级编码", "父编码", "上级", "parent", "parent_code"}},
	{"name", "名称", "name", []string{"名称", "分类名称", "name"}},
	{"name_en", "英文名称", "name_en", []string{"英文名称", "英文名", "name_en", "english"}},
	{"kind", "类型", "kind", []string{"类型", "类别类型", "kind", "type"}},
	{"deadline", "时限类别", "deadline_class", []string{"时限类别", "时限", "deadline", "deadline_class"}},
	{"days", "时限天数", "deadline_days", []string{"时限天数", "天数", "工作日", "deadline_days", "days"}},
	{"department", "牵头部门", "department", []string{"牵头部门", "部门", "主责部门", "department"}},
	{"keywords", "关键词", "keywords", []string{"关键词", "keywords"}},
	{"condition", "立案条件", "condition", []string{"立案条件", "condition", "level3", "三级分类"}},
	{"close", "结案条件", "close", []string{"结案条件", "close", "closing"}},
	{"aliases", "热线类别", "hotline_categories", []string{"热线类别", "热线分类", "hotline", "hotline_categories", "aliases"}},
	{"illustrative", "示意", "illustrative", []string{"示意", "illustrative"}},
	{"l1", "大类", "level1", []string{"大类", "level1", "一级分类"}},
	{"l2", "小类", "level2", []string{"小类", "level2", "二级分类"}},
}

func columnByKey(key string) *column {
	for i := range columns {
		if columns[i].key == key {
			return &columns[i]
		}
	}
	return nil
}

// MaxTreeFileBytes bounds an uploaded tree file.
const MaxTreeFileBytes = 4 << 20

// ReadTreeFile reads a tree from an .xlsx or .csv file's bytes (CSV in UTF-8, with or without a
// BOM, or GB18030 as Excel writes it on a Chinese Windows). Problems are *TreeErrors with rows
// as the spreadsheet numbers them (the header is row 1). The tree is not validated here beyond
// its cells: call Validate.
func ReadTreeFile(name string, data []byte) (Tree, error) {
	if len(data) > MaxTreeFileBytes {
		return Tree{}, &TreeErrors{List: []TreeError{{ZH: fmt.Sprintf("文件有 %d 字节，最大 %d", len(data), MaxTreeFileBytes),
			EN: fmt.Sprintf("the file has %d bytes; at most %d", len(data), MaxTreeFileBytes)}}}
	}
	var rows [][]string
	var err error
	if strings.HasSuffix(strings.ToLower(name), ".xlsx") || bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		rows, err = xlsxRows(data)
	} else {
		rows, err = csvRows(data)
	}
	if err != nil {
		return Tree{}, err
	}
	return TreeFromRows(rows)
}

func fileError(zh, en string) error {
	return &TreeErrors{List: []TreeError{{ZH: zh, EN: en}}}
}

func xlsxRows(data []byte) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, fileError("无法读取 xlsx 文件："+err.Error(), "not a readable xlsx file: "+err.Error())
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fileError("xlsx 文件没有工作表", "the xlsx file has no sheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fileError("无法读取工作表："+err.Error(), "cannot read the sheet: "+err.Error())
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		if len(out) > MaxNodes+1 {
			return nil, fileError(fmt.Sprintf("超过 %d 行", MaxNodes+1), fmt.Sprintf("more than %d rows", MaxNodes+1))
		}
		cells, err := rows.Columns()
		if err != nil {
			return nil, fileError(fmt.Sprintf("第 %d 行无法读取：%v", len(out)+1, err), fmt.Sprintf("row %d unreadable: %v", len(out)+1, err))
		}
		out = append(out, cells)
	}
	return out, rows.Error()
}

func csvRows(data []byte) ([][]string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil {
			return nil, fileError("文件既不是 UTF-8 也不是 GB18030 编码", "the file is neither UTF-8 nor GB18030")
		}
		data = dec
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	var out [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fileError(fmt.Sprintf("第 %d 行：CSV 格式错误（%v）", pe.StartLine, pe.Err), fmt.Sprintf("row %d: malformed CSV (%v)", pe.StartLine, pe.Err))
			}
			return nil, fileError("CSV 格式错误", "malformed CSV: "+err.Error())
		}
		if len(out) > MaxNodes+1 {
			return nil, fileError(fmt.Sprintf("超过 %d 行", MaxNodes+1), fmt.Sprintf("more than %d rows", MaxNodes+1))
		}
		out = append(out, rec)
	}
}

// TreeFromRows reads a tree from a table whose first row is the header.
func TreeFromRows(rows [][]string) (Tree, error) {
	if len(rows) == 0 {
		return Tree{}, fileError("文件是空的", "the file is empty")
	}
	at := map[string]int{}
	var errs TreeErrors
	for i, h := range rows[0] {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if h == "" {
			continue
		}
		found := false
		for _, c := range columns {
			for _, n := range c.names {
				if h == n {
					if _, dup := at[c.key]; dup {
						errs.add(1, c.key, "列重复", "the column appears twice")
					}
					at[c.key] = i
					found = true
				}
			}
		}
		if !found {
			errs.add(1, "", fmt.Sprintf("不认识的列「%s」", h), fmt.Sprintf("unknown column %q", h))
		}
	}
	if err := errs.err(); err != nil {
		return Tree{}, err
	}
	cell := func(row []string, key string) string {
		i, ok := at[key]
		if !ok || i >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[i])
	}
	_, byCode := at["code"]
	_, byPath := at["l1"]
	switch {
	case byCode && byPath:
		return Tree{}, fileError("「编码」列和「大类」列只能有一种", "give either a code column or level columns (大类, 小类), not both")
	case !byCode && !byPath:
		return Tree{}, fileError("缺少「编码」列（或「大类」「小类」列）", "missing the code column (or the level columns 大类, 小类)")
	}
	if byPath {
		return treeFromPaths(rows, cell)
	}
	if _, ok := at["name"]; !ok {
		if _, ok := at["condition"]; !ok {
			return Tree{}, fileError("缺少「名称」列", "missing the name column")
		}
	}
	var t Tree
	for i, row := range rows[1:] {
		rowNo := i + 2
		if blankRow(row) {
			continue
		}
		n := Node{Row: rowNo, Code: cell(row, "code"), Parent: cell(row, "parent"), Name: cell(row, "name"), NameEN: cell(row, "name_en"),
			Department: cell(row, "department"), Close: cell(row, "close"),
			Keywords: splitList(cell(row, "keywords")), Aliases: splitList(cell(row, "aliases")), Illustrative: yes(cell(row, "illustrative"))}
		readKind(&errs, &n, cell(row, "kind"))
		if c := cell(row, "condition"); c != "" {
			if n.Name != "" && n.Name != c {
				errs.add(rowNo, "condition", "立案条件的文字填在「名称」或「立案条件」之一", "a condition's text goes in the name or the condition column, not both")
			}
			n.Name, n.Condition = c, true
		}
		readLimit(&errs, &n, cell(row, "deadline"), cell(row, "days"))
		t.Nodes = append(t.Nodes, n)
	}
	if err := errs.err(); err != nil {
		return Tree{}, err
	}
	return t, nil
}

func readKind(errs *TreeErrors, n *Node, s string) {
	switch strings.ToLower(s) {
	case "":
	case "部件", KindComponent:
		n.Kind = KindComponent
	case "事件", KindEvent:
		n.Kind = KindEvent
	case "热线", KindHotline:
		n.Kind = KindHotline
	case "小类", "sub", "subclass", "sub-class":
	case "立案条件", "condition":
		n.Condition = true
	default:
		errs.add(n.Row, "kind", fmt.Sprintf("未知的类型「%s」（可选 部件、事件、热线、小类、立案条件）", s),
			fmt.Sprintf("unknown kind %q (部件 component, 事件 event, 热线 hotline, 小类 sub-class or 立案条件 condition)", s))
	}
}

// readLimit reads a time limit: a deadline class (its code or its Chinese label), or working
// days in the days column — or in the class column, as "3" or "3个工作日".
func readLimit(errs *TreeErrors, n *Node, class, days string) {
	if class != "" {
		if d, ok := parseDays(class); ok && days == "" {
			days, class = strconv.Itoa(d), ""
		}
	}
	n.DeadlineClass = classCode(class)
	if days != "" {
		d, ok := parseDays(days)
		if !ok {
			errs.add(n.Row, "days", fmt.Sprintf("「%s」不是工作日天数", days), fmt.Sprintf("%q is not a number of working days", days))
			return
		}
		n.DeadlineDays = d
	}
}

// classCode reads a deadline class by its code or its Chinese label (一般诉求/投诉).
func classCode(s string) string {
	for _, c := range workorder.DeadlineClasses {
		if s == c.LabelZH {
			return c.Code
		}
	}
	return s
}

func parseDays(s string) (int, bool) {
	s = strings.TrimSpace(s)
	for _, suf := range []string{"个工作日", "工作日", "天", "日", " working days", " days", "d"} {
		s = strings.TrimSuffix(s, suf)
	}
	d, err := strconv.Atoi(strings.TrimSpace(s))
	return d, err == nil && d > 0
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == '、' || r == '，' || r == ',' || r == ';' || r == '；' || r == '|' || r == '\n'
	})
}

// yes reads a marker cell: anything but empty, 否, no, 0 or false.
func yes(s string) bool {
	switch strings.ToLower(s) {
	case "", "否", "no", "0", "false":
		return false
	}
	return true
}

func blankRow(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// treeFromPaths reads the by-path shape: each row a path 大类 / 小类 [/ 立案条件]; a node is named
// once, its code given by its place among its siblings.
func treeFromPaths(rows [][]string, cell func([]string, string) string) (Tree, error) {
	var errs TreeErrors
	var t Tree
	codes := map[string]string{} // path → code
	kids := map[string]int{}     // parent code → children so far
	add := func(rowNo int, path, parent, name string, n Node) string {
		if c, ok := codes[path]; ok {
			return c
		}
		kids[parent]++
		width := 2
		if parent != "" && kids[parent] > 99 {
			width = 3
		}
		code := parent + fmt.Sprintf("%0*d", width, kids[parent])
		codes[path] = code
		n.Row, n.Code, n.Parent, n.Name = rowNo, code, parent, name
		t.Nodes = append(t.Nodes, n)
		return code
	}
	for i, row := range rows[1:] {
		rowNo := i + 2
		if blankRow(row) {
			continue
		}
		l1, l2, l3 := cell(row, "l1"), cell(row, "l2"), cell(row, "condition")
		if l1 == "" {
			errs.add(rowNo, "l1", "大类不能为空", "the top class is required")
			continue
		}
		if l2 == "" && l3 != "" {
			errs.add(rowNo, "l2", "有立案条件时小类不能为空", "a condition needs its sub-class")
			continue
		}
		top := Node{NameEN: ""}
		readKind(&errs, &top, cell(row, "kind"))
		top.Condition = false
		c1 := add(rowNo, l1, "", l1, top)
		if l2 == "" {
			continue
		}
		sub := Node{Department: cell(row, "department"), Keywords: splitList(cell(row, "keywords")), Aliases: splitList(cell(row, "aliases"))}
		if l3 == "" {
			readLimit(&errs, &sub, cell(row, "deadline"), cell(row, "days"))
			sub.Close = cell(row, "close")
		}
		c2 := add(rowNo, l1+"\x00"+l2, c1, l2, sub)
		if l3 == "" {
			continue
		}
		cond := Node{Condition: true, Close: cell(row, "close")}
		readLimit(&errs, &cond, cell(row, "deadline"), cell(row, "days"))
		if _, dup := codes[l1+"\x00"+l2+"\x00"+l3]; dup {
			errs.add(rowNo, "condition", fmt.Sprintf("「%s / %s / %s」重复", l1, l2, l3), fmt.Sprintf("%s / %s / %s appears twice", l1, l2, l3))
			continue
		}
		add(rowNo, l1+"\x00"+l2+"\x00"+l3, c2, l3, cond)
	}
	if err := errs.err(); err != nil {
		return Tree{}, err
	}
	return t, nil
}

// TreeHeader is the header of the by-code shape, as WriteTreeXLSX writes it and the import reads it.
var TreeHeader = []string{"编码", "上级编码", "名称", "英文名称", "类型", "时限类别", "时限天数", "牵头部门", "关键词", "结案条件", "热线类别", "示意"}

// TreeRows lays a tree out as TreeHeader rows, depth first.
func TreeRows(t Tree) [][]string {
	out := [][]string{TreeHeader}
	for _, n := range t.Sorted() {
		kind := ""
		switch {
		case n.Level == LevelClass:
			kind = KindName(n.Kind, "zh")
		case n.Condition:
			kind = "立案条件"
		default:
			kind = "小类"
		}
		days := ""
		if n.DeadlineDays > 0 {
			days = strconv.Itoa(n.DeadlineDays)
		}
		ill := ""
		if n.Illustrative {
			ill = "是"
		}
		out = append(out, []string{n.Code, n.Parent, n.Name, n.NameEN, kind, n.DeadlineClass, days, n.Department,
			strings.Join(n.Keywords, "、"), n.Close, strings.Join(n.Aliases, "、"), ill})
	}
	return out
}

// WriteTreeXLSX writes a tree as an xlsx workbook in the by-code shape, which the import reads
// back. Every cell is a string cell (SetCellStr): a name starting with = is text, never a formula.
func WriteTreeXLSX(w io.Writer, t Tree) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "分类"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	for r, row := range TreeRows(t) {
		for c, v := range row {
			cell, err := excelize.CoordinatesToCellName(c+1, r+1)
			if err != nil {
				return err
			}
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				return err
			}
		}
	}
	return f.Write(w)
}
