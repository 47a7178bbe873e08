package dispatch

import (
	"fmt"
	"testing"

	"github.com/civicgrid/civicgrid/internal/cputime"
)

func testBook() *Book {
	return NewBook([]string{"新泾镇"}, []Entry{
		{Road: "剑河路", Number: "176弄", Grid: "G01"},
		{Road: "剑河路", Number: "176弄3支弄", Grid: "G02"},
		{Road: "剑河路", Number: "300号", Grid: "G03"},
		{Road: "仙霞西路", Number: "88号", Grid: "G04"},
		{Estate: "天山一村", Building: "12号楼", Grid: "G05"},
		{Estate: "天山一村", Building: "十三栋", Grid: "G06"},
		{Estate: "新泾六村", Grid: "G07"},
		{Estate: "新泾六村", Building: "1号", Grid: "G07"},
		{Landmark: "淞虹路地铁站", Grid: "G08"},
		{Landmark: "新泾中学", Grid: "G09"},
		{Landmark: "家乐福", Grid: "G10"},
		{Landmark: "新泾镇社区党群服务中心", Grid: "G11"},
	})
}

// TestBookLocate: the ways people write one address all reach its grid, and each way of
// finding it says how.
func TestBookLocate(t *testing.T) {
	b := testBook()
	for _, c := range []struct{ in, grid, how string }{
		{"剑河路176弄12号", "G01", ByAddress},
		{"上海市长宁区新泾镇剑河路１７６弄１２号", "G01", ByAddress},                 // prefixes, full-width
		{"長寧區劍河路176弄12號", "G01", ByAddress},                       // traditional
		{"剑河路 176 弄 12 号 302室 王先生 13912345678", "G01", ByAddress}, // spaces, a name and a phone
		{"王先生13912345678剑河路176号", "G01", ByAddress},               // 号 for 弄
		{"剑河路176弄3支弄5号", "G02", ByAddress},                        // 支弄 before 弄
		{"剑河路一百七十六弄", "G01", ByAddress},                           // Chinese numerals
		{"剑河路300号", "G03", ByAddress},
		{"仙霞西路88弄", "G04", ByAddress},
		{"天山一村12号楼3单元", "G05", ByBuilding},
		{"天山一村十三号楼", "G06", ByBuilding},
		{"天山一村", "", ""}, // spans two grids, no building: undecided
		{"新泾六村门口垃圾桶满了", "G07", ByEstate},
		{"淞虹路地铁站2号口", "G08", ByLandmark},
		{"新涇中學旁邊", "G09", ByLandmark},
		{"剑河路290号", "G03", ByNearest},
		{"13912345678 家乐福", "G10", ByLandmark}, // a place where a name would stand
		{"新泾镇社区党群服务中心门口", "G11", ByLandmark},   // the town's name: stripped from both
		{"社区党群服务中心", "G11", ByLandmark},
		{"不知道哪里", "", ""},
		{"", "", ""},
	} {
		g, how := b.Locate(c.in)
		if g != c.grid || how != c.how {
			t.Errorf("Locate(%q) = %q %q, want %q %q (normalised %q)", c.in, g, how, c.grid, c.how, b.Normalise(c.in))
		}
	}
}

func TestNumerals(t *testing.T) {
	for in, want := range map[string]string{"十三号楼": "13号楼", "一百零八弄": "108弄", "二十支弄": "20支弄", "一〇八号": "108号", "天山一村": "天山一村", "三单元": "3单元"} {
		if got := numerals(in); got != want {
			t.Errorf("numerals(%q) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkBookLocate: a messy hotline address (prefix, full-width digits, a name and a phone)
// through ParseAddress and the address book of a town with 2,000 road numbers and 300 estates.
func BenchmarkBookLocate(b *testing.B) {
	var entries []Entry
	for i := 0; i < 2000; i++ {
		entries = append(entries, Entry{Road: fmt.Sprintf("测试%d路", i%40), Number: fmt.Sprintf("%d弄", i), Grid: fmt.Sprintf("G%02d", i%30)})
	}
	for i := 0; i < 300; i++ {
		entries = append(entries, Entry{Estate: fmt.Sprintf("测试%d村", i), Building: fmt.Sprintf("%d号楼", i%20), Grid: fmt.Sprintf("G%02d", i%30)})
	}
	bk := NewBook([]string{"新泾镇"}, entries)
	cpu0, n := cputime.Now(), 0
	for b.Loop() {
		if g, _ := bk.Locate("上海市长宁区新泾镇測試7路１２３弄５号 王先生 13912345678"); g == "" {
			b.Fatal("not found")
		}
		n++
	}
	cputime.Report(b, cpu0, n)
}
