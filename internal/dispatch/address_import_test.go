package dispatch_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/orders/orderstest"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

var grids = map[string]bool{"G01": true, "G02": true}

func TestReadBookCSV(t *testing.T) {
	csv := "\ufeff道路,门牌/弄,小区,楼栋,地标,网格编号\n" +
		"剑河路,176弄,,,,G01\n" +
		",,天山一村,１２号楼,,G02\n" +
		"\n" + // blank lines are skipped
		",,,,淞虹路地铁站,G01\n"
	rows, err := dispatch.ReadBook("book.csv", []byte(csv), grids)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].Text() != "剑河路176弄" || rows[1].Text() != "天山一村12号楼" || rows[1].Row != 3 || rows[2].Row != 5 || rows[2].Landmark != "淞虹路地铁站" {
		t.Errorf("rows = %+v", rows)
	}
}

// TestReadBookErrors: every bad row is named by its row and column in both languages, and the
// file as a whole is refused.
func TestReadBookErrors(t *testing.T) {
	csv := "道路,门牌/弄,小区,楼栋,网格编号\n" +
		"剑河路,176弄,,,G01\n" +
		"剑河路,180弄,,,X\n" + // row 3: unknown grid
		"剑河路,,,,G01\n" + // row 4: no number
		",,,12号楼,G01\n" + // row 5: building without estate
		"剑河路,176弄,,,G02\n" + // row 6: same address, other grid
		",,天山一村,,\n" // row 7: no grid
	_, err := dispatch.ReadBook("book.csv", []byte(csv), grids)
	var ie *dispatch.ImportError
	if !errors.As(err, &ie) || !errors.Is(err, problem.ErrInvalid) {
		t.Fatalf("err = %v", err)
	}
	var zh, en []string
	for _, e := range ie.Errors {
		zh, en = append(zh, e.ZH()), append(en, e.EN())
	}
	wantZH := []string{"第 3 行 网格编号：未知网格 X", "第 4 行 门牌/弄：有道路时需要门牌/弄", "第 5 行 小区：有楼栋时需要小区", "第 6 行 与第 2 行地址相同而网格不同", "第 7 行 网格编号：不能为空"}
	wantEN := []string{"row 3, Grid: unknown grid X", "row 4, Number: a road needs its number", "row 5, Estate: a building needs its estate", "row 6, same address as row 2 with another grid", "row 7, Grid: required"}
	if strings.Join(zh, "|") != strings.Join(wantZH, "|") {
		t.Errorf("zh:\n%s\nwant\n%s", strings.Join(zh, "\n"), strings.Join(wantZH, "\n"))
	}
	if strings.Join(en, "|") != strings.Join(wantEN, "|") {
		t.Errorf("en:\n%s\nwant\n%s", strings.Join(en, "\n"), strings.Join(wantEN, "\n"))
	}
	if !strings.Contains(ie.ZH(), "第 3 行 网格编号：未知网格 X") || !strings.Contains(err.Error(), "row 3, Grid: unknown grid X") {
		t.Errorf("whole messages: %q / %q", ie.ZH(), err.Error())
	}

	for name, c := range map[string]struct{ file, zh string }{
		"no grid column":  {"道路,门牌/弄\n剑河路,1号\n", "第 1 行 网格编号：缺少此列"},
		"no place column": {"楼栋,网格编号\n1号,G01\n", "第 1 行 需要“道路”“小区”或“地标”列"},
		"header only":     {"道路,门牌/弄,网格编号\n", "文件没有数据行"},
		"bad number":      {"道路,门牌/弄,网格编号\n剑河路,东边,G01\n", "第 2 行 门牌/弄：门牌/弄应以数字开头，如 176弄、88号"},
		"bad coordinate":  {"地标,网格编号,纬度\n菜场,G01,north\n", "第 2 行 纬度：不是有效的坐标：north"},
		"unknown format":  {"", "无法读取文件：book.pdf: want a .xlsx or .csv file"},
	} {
		fn := "book.csv"
		if name == "unknown format" {
			fn = "book.pdf"
		}
		_, err := dispatch.ReadBook(fn, []byte(c.file), grids)
		if !errors.As(err, &ie) || ie.Errors[0].ZH() != c.zh {
			t.Errorf("%s: %v, want %q", name, err, c.zh)
		}
	}
}

func TestReadBookGB18030AndXLSX(t *testing.T) {
	gbk, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte("道路,门牌/弄,网格编号\n剑河路,176弄,G01\n"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := dispatch.ReadBook("book.csv", gbk, grids)
	if err != nil || len(rows) != 1 || rows[0].Road != "剑河路" {
		t.Errorf("GB18030: %+v %v", rows, err)
	}

	f := excelize.NewFile()
	for i, r := range [][]any{{"小区", "楼栋", "网格编号", "经度", "纬度"}, {"天山一村", "12栋", "G02", 121.37, 31.21}, {"天山一村", "13栋", "Y", "", ""}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	_, err = dispatch.ReadBook("book.xlsx", buf.Bytes(), grids)
	var ie *dispatch.ImportError
	if !errors.As(err, &ie) || len(ie.Errors) != 1 || ie.Errors[0].ZH() != "第 3 行 网格编号：未知网格 Y" {
		t.Errorf("xlsx: %v", err)
	}
}

// TestImportBook: a good file lands whole and routes addresses; a file with one bad row changes
// nothing; both databases.
func TestImportBook(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := orderstest.Seed(t, db)
		by := audit.Actor{Name: "cli"}
		good := "道路,门牌/弄,小区,楼栋,地标,网格编号,经度,纬度\n" +
			"剑河路,176弄,,,," + f.Grid + ",121.37,31.21\n" +
			",,天山一村,12号楼,," + f.Grid2 + ",,\n" +
			",,,,淞虹路地铁站," + f.Grid2 + ",,\n"
		n, err := dispatch.ImportBook(ctx, db, by, f.Town, "book.csv", strings.NewReader(good))
		if err != nil || n != 3 {
			t.Fatalf("import: %d %v", n, err)
		}
		book, err := places.Addresses(ctx, db, []string{f.Town})
		if err != nil || len(book) != 3 {
			t.Fatalf("address book: %+v %v", book, err)
		}
		var entries []dispatch.Entry
		for _, a := range book {
			entries = append(entries, dispatch.Entry{Road: a.Road, Number: a.Number, Estate: a.Estate, Building: a.Building, Landmark: a.Landmark, Grid: a.GridCode})
		}
		b := dispatch.NewBook(nil, entries)
		for addr, want := range map[string]string{"剑河路176弄5号": f.Grid, "天山一村12号楼": f.Grid2, "淞虹路地铁站2号口": f.Grid2} {
			if g, _ := b.Locate(addr); g != want {
				t.Errorf("Locate(%q) = %q, want %q", addr, g, want)
			}
		}

		// The other town's grid is unknown here; the good first row is not imported either.
		bad := "道路,门牌/弄,网格编号\n仙霞西路,88号," + f.Grid + "\n仙霞西路,90号," + f.OtherGrid + "\n"
		_, err = dispatch.ImportBook(ctx, db, by, f.Town, "book.csv", strings.NewReader(bad))
		var ie *dispatch.ImportError
		if !errors.As(err, &ie) || len(ie.Errors) != 1 || ie.Errors[0].ZH() != "第 3 行 网格编号：未知网格 "+f.OtherGrid {
			t.Fatalf("bad file: %v", err)
		}
		if book, _ := places.Addresses(ctx, db, []string{f.Town}); len(book) != 3 {
			t.Errorf("a refused file changed the book: %d entries", len(book))
		}
		// Re-importing updates in place.
		if n, err := dispatch.ImportBook(ctx, db, by, f.Town, "book.csv", strings.NewReader("地标,网格编号\n淞虹路地铁站,"+f.Grid+"\n")); err != nil || n != 1 {
			t.Fatalf("re-import: %d %v", n, err)
		}
		book, _ = places.Addresses(ctx, db, []string{f.Town})
		for _, a := range book {
			if a.Landmark == "淞虹路地铁站" && a.GridCode != f.Grid {
				t.Errorf("re-import did not move the landmark: %+v", a)
			}
		}
		if len(book) != 3 {
			t.Errorf("re-import: %d entries, want 3", len(book))
		}
		entries2, err := audit.List(ctx, db, audit.Filter{Towns: []string{f.Town}, Entity: "address_book"})
		found := 0
		for _, e := range entries2 {
			if e.Entity == "address_book" && e.EntityID == f.Town {
				found++
			}
		}
		if err != nil || found != 2 {
			t.Errorf("audit: %d address_book entries, want 2 (%v)", found, err)
		}
		if _, err := dispatch.ImportBook(ctx, db, by, "nowhere", "book.csv", strings.NewReader(good)); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("unknown town: %v", err)
		}
	})
}
