package hotline

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// genCSV writes n realistic rows: mixed time layouts, mobile and landline
// phones, coordinates on most rows, Chinese free text of typical length.
func genCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString(csvHeader)
	kinds := []string{"咨询", "求助", "投诉", "建议", "表扬"}
	base := time.Date(2025, 1, 1, 8, 0, 0, 0, shanghai)
	for i := 0; i < n; i++ {
		at := base.Add(time.Duration(i) * 37 * time.Second)
		var ts string
		switch i % 4 {
		case 0, 1:
			ts = at.Format("2006-01-02 15:04:05")
		case 2:
			ts = at.Format("2006/1/2 15:04")
		default:
			ts = at.Format("2006年1月2日 15时04分")
		}
		phone := fmt.Sprintf("139%08d", i%100000000)
		if i%5 == 0 {
			phone = fmt.Sprintf("021-6%07d", i%10000000)
		}
		lng, lat := "", ""
		if i%3 != 0 {
			lng, lat = fmt.Sprintf("121.%04d", 3000+i%900), fmt.Sprintf("31.%04d", 2000+i%300)
		}
		fmt.Fprintf(&b, "HL%010d,%s,市民%d,%s,长宁区新泾镇天山西路%d弄%d号,%s,%s,%s,城市管理/市容环境,"+
			"\"小区门口有摊贩占道经营，早晚高峰影响通行，多次反映未解决，希望相关部门尽快处理。\",%d,新泾镇\n",
			i, ts, i%1000, phone, i%800, i%60, lng, lat, kinds[i%5], 1+i%15)
	}
	return b.Bytes()
}

func benchRead(b *testing.B, data []byte, rowsPerFile int, open func([]byte) (*Reader, error)) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	total := 0
	for b.Loop() {
		r, err := open(data)
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, errs, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if len(errs) > 0 {
				b.Fatal(errs)
			}
			total++
		}
		r.Close()
	}
	if total != rowsPerFile*b.N {
		b.Fatalf("read %d rows, want %d", total, rowsPerFile*b.N)
	}
	ns := float64(b.Elapsed().Nanoseconds()) / float64(total)
	b.ReportMetric(ns, "ns/row")
	b.ReportMetric(1e9/ns, "rows/s")
}

func BenchmarkReadCSV(b *testing.B) {
	const n = 100_000
	data := genCSV(n)
	benchRead(b, data, n, func(d []byte) (*Reader, error) { return NewCSV(bytes.NewReader(d), Auto) })
}

func BenchmarkReadCSVGB18030(b *testing.B) {
	const n = 100_000
	data, err := simplifiedchinese.GB18030.NewEncoder().Bytes(genCSV(n))
	if err != nil {
		b.Fatal(err)
	}
	benchRead(b, data, n, func(d []byte) (*Reader, error) { return NewCSV(bytes.NewReader(d), Auto) })
}

func BenchmarkReadXLSX(b *testing.B) {
	const n = 20_000
	src, err := NewCSV(bytes.NewReader(genCSV(n)), UTF8)
	if err != nil {
		b.Fatal(err)
	}
	f := excelize.NewFile()
	sw, _ := f.NewStreamWriter("Sheet1")
	_ = sw.SetRow("A1", []any{"工单编号", "来电时间", "诉求人", "联系电话", "诉求内容", "诉求类型"})
	for i := 2; ; i++ {
		row, _, err := src.Next()
		if err == io.EOF {
			break
		}
		cell, _ := excelize.CoordinatesToCellName(1, i)
		_ = sw.SetRow(cell, []any{row.HotlineID, 45000.5 + float64(i)/1000, row.Caller, row.Phone, row.Content, "投诉"})
	}
	_ = sw.Flush()
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		b.Fatal(err)
	}
	benchRead(b, buf.Bytes(), n, func(d []byte) (*Reader, error) { return NewXLSX(bytes.NewReader(d)) })
}

func BenchmarkParseTime(b *testing.B) {
	in := []string{"2025-09-30 10:03:00", "2025/9/30 10:03", "2025年9月30日 10时03分", "45930.4187"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := ParseTime(in[i%len(in)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
