package sheettest

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestXLSX(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(XLSX(t, [][]string{{"a", "=1+1"}, {"", "c"}})))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Sheet1")
	if err != nil || len(rows) != 2 || rows[0][1] != "=1+1" || rows[1][1] != "c" {
		t.Fatalf("rows %q, %v", rows, err)
	}
}
