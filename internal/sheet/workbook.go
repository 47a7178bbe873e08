package sheet

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// Workbook writes several tables into one xlsx, a sheet each, one after the other (a report with
// a sheet per dimension). Row's cells are text, as Writer's; Values' cells may be numbers, so
// that a spreadsheet sums and charts them. Close writes the file to the destination.
type Workbook struct {
	dst    io.Writer
	x      *excelize.File
	sw     *excelize.StreamWriter
	sheet  string
	rows   int
	row    []any
	styles map[string]int // number format or "bold" → style id
	charts []chart
}

// Int is a whole-number cell (a count).
type Int int

// Percent is a fraction in a numeric cell shown as a percentage with one decimal (0.714 → 71.4%).
type Percent float64

// Decimal is a numeric cell shown with one decimal (hours).
type Decimal float64

// chart is a chart waiting for its sheet to be flushed: excelize adds charts to a streamed
// sheet only once its rows are written.
type chart struct {
	sheet, cell string
	c           *excelize.Chart
}

// NewWorkbook starts an xlsx workbook that Close writes to dst.
func NewWorkbook(dst io.Writer) *Workbook { return &Workbook{dst: dst, x: excelize.NewFile()} }

// Sheet starts the next sheet (name at most 31 characters, no []:*?/\); the rows that follow go
// to it.
func (b *Workbook) Sheet(name string, widths []float64) error {
	if b.sw != nil {
		if err := b.sw.Flush(); err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
		if _, err := b.x.NewSheet(name); err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
	} else if err := b.x.SetSheetName("Sheet1", name); err != nil {
		return fmt.Errorf("sheet %s: %w", name, err)
	}
	sw, err := newStream(b.x, name, widths)
	if err != nil {
		return fmt.Errorf("sheet %s: %w", name, err)
	}
	b.sw, b.rows, b.sheet = sw, 0, name
	return nil
}

// Header adds a row of bold text cells (the frozen first row of a sheet).
func (b *Workbook) Header(cells ...string) error {
	st, err := b.style("bold")
	if err != nil {
		return err
	}
	vals := make([]excelize.Cell, len(cells))
	for i, c := range cells {
		vals[i] = excelize.Cell{Value: c, StyleID: st}
	}
	return b.cells(vals)
}

// Values adds a row whose cells are text (a string — never a formula, whatever it says), a
// count (Int), a percentage (Percent), hours (Decimal) or empty (nil).
func (b *Workbook) Values(cells ...any) error {
	vals := make([]excelize.Cell, len(cells))
	for i, c := range cells {
		var err error
		switch v := c.(type) {
		case nil:
		case string:
			vals[i].Value = v
		case Int:
			vals[i].Value = int(v)
		case Percent:
			vals[i].Value = float64(v)
			vals[i].StyleID, err = b.style("0.0%")
		case Decimal:
			vals[i].Value = float64(v)
			vals[i].StyleID, err = b.style("0.0")
		default:
			return fmt.Errorf("sheet: a cell of type %T", c)
		}
		if err != nil {
			return err
		}
	}
	return b.cells(vals)
}

func (b *Workbook) cells(vals []excelize.Cell) error {
	if b.sw == nil {
		return fmt.Errorf("sheet: a row before the first sheet")
	}
	b.rows++
	b.row = b.row[:0]
	for _, v := range vals {
		b.row = append(b.row, v)
	}
	cell, err := excelize.CoordinatesToCellName(1, b.rows)
	if err != nil {
		return err
	}
	if err := b.sw.SetRow(cell, b.row); err != nil {
		return fmt.Errorf("sheet row %d: %w", b.rows, err)
	}
	return nil
}

// style is the id of a cell style: "bold", or a number format.
func (b *Workbook) style(key string) (int, error) {
	if id, ok := b.styles[key]; ok {
		return id, nil
	}
	st := &excelize.Style{CustomNumFmt: &key}
	if key == "bold" {
		st = &excelize.Style{Font: &excelize.Font{Bold: true}}
	}
	id, err := b.x.NewStyle(st)
	if err != nil {
		return 0, fmt.Errorf("sheet style: %w", err)
	}
	if b.styles == nil {
		b.styles = map[string]int{}
	}
	b.styles[key] = id
	return id, nil
}

// Rows is the number of rows written to the current sheet.
func (b *Workbook) Rows() int { return b.rows }

// ColumnChart adds to the current sheet, two rows below its table, a clustered chart
// (bar: horizontal bars) of the columns cols (1-based) over the data rows first..last, the
// categories being column catCol and each series named by its header in row 1.
func (b *Workbook) ColumnChart(title string, bar bool, catCol int, cols []int, first, last int) error {
	if b.sw == nil {
		return fmt.Errorf("sheet: a chart before the first sheet")
	}
	if last < first {
		return nil // nothing to chart
	}
	abs := func(col, row int) string {
		name, _ := excelize.CoordinatesToCellName(col, row, true)
		return name
	}
	rng := func(col int) string { return "'" + b.sheet + "'!" + abs(col, first) + ":" + abs(col, last) }
	typ := excelize.Col
	if bar {
		typ = excelize.Bar
	}
	c := &excelize.Chart{Type: typ, Title: []excelize.RichTextRun{{Text: title}},
		Dimension: excelize.ChartDimension{Width: 640, Height: 360},
		Legend:    excelize.ChartLegend{Position: "bottom"}}
	for _, col := range cols {
		c.Series = append(c.Series, excelize.ChartSeries{
			Name:       "'" + b.sheet + "'!" + abs(col, 1),
			Categories: rng(catCol),
			Values:     rng(col),
		})
	}
	cell, err := excelize.CoordinatesToCellName(1, b.rows+2)
	if err != nil {
		return err
	}
	b.charts = append(b.charts, chart{sheet: b.sheet, cell: cell, c: c})
	return nil
}

// Row adds a row of text cells to the current sheet.
func (b *Workbook) Row(cells ...string) error {
	if b.sw == nil {
		return fmt.Errorf("sheet: a row before the first sheet")
	}
	b.rows++
	var err error
	b.row, err = streamRow(b.sw, b.rows, b.row, cells)
	return err
}

// Close writes the workbook to the destination.
func (b *Workbook) Close() error {
	defer b.x.Close()
	if b.sw != nil {
		if err := b.sw.Flush(); err != nil {
			return fmt.Errorf("sheet: %w", err)
		}
	}
	for _, c := range b.charts {
		if err := b.x.AddChart(c.sheet, c.cell, c.c); err != nil {
			return fmt.Errorf("sheet chart: %w", err)
		}
	}
	if _, err := b.x.WriteTo(b.dst); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}
