package sheet

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// Workbook writes several tables into one xlsx, a sheet each, one after the other (a report with
// a sheet per dimension). Cells are text, as Writer's; Close writes the file to the destination.
type Workbook struct {
	dst  io.Writer
	x    *excelize.File
	sw   *excelize.StreamWriter
	rows int
	row  []any
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
	b.sw, b.rows = sw, 0
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
	if _, err := b.x.WriteTo(b.dst); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}
