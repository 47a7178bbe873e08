// Package sheettest builds spreadsheet files for tests that import them (party rosters, the
// services' catalogue): one sheet "Sheet1", rows of text cells from A1. For tests only; no
// production package imports it (internal/archtest).
package sheettest

import (
	"bytes"
	"os"
	"testing"

	"github.com/xuri/excelize/v2"
)

// XLSX returns an xlsx workbook whose first sheet holds rows, every cell text.
func XLSX(t testing.TB, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, v := range r {
			cells[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// WriteXLSX writes XLSX(rows) to path, for a test that uploads a file.
func WriteXLSX(t testing.TB, path string, rows [][]string) {
	t.Helper()
	if err := os.WriteFile(path, XLSX(t, rows), 0o644); err != nil {
		t.Fatal(err)
	}
}
