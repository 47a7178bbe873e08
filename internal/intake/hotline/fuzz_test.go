package hotline

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestSniffAcrossRuneBoundary(t *testing.T) {
	t.Parallel()
	// Whatever the 64 KiB window cuts through a three-byte rune, a UTF-8
	// file must still be recognised as UTF-8.
	for pad := 0; pad < 3; pad++ {
		var b strings.Builder
		// Padding in an unknown header column shifts where the window ends.
		b.WriteString(strings.TrimSuffix(csvHeader, "\n") + ",备注" + strings.Repeat("a", pad))
		for i := 0; b.Len() < 3*sniffSize; i++ {
			b.WriteString("\nHL" + strings.Repeat("9", 1+i%5) + string(rune('a'+i%26)) + ",2025-09-30,,,,,,,,路面破损，请尽快修复,,")
		}
		r, err := NewCSV(strings.NewReader(b.String()), Auto)
		if err != nil {
			t.Fatal(err)
		}
		row, _, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if row.Content != "路面破损，请尽快修复" {
			t.Errorf("pad %d: content %q, sniffed the wrong encoding", pad, row.Content)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String(csvHeader + "G1,2025年9月30日 10时03分,王,021-62345678,,,,咨询,,内容,5个工作日,\n")
	seeds := []string{
		csvHeader + "HL1,2025-09-30 10:03,李,13800138000,地址,121.36,31.21,投诉,市容,内容,5,新泾镇\n",
		"\ufeff" + csvHeader + "HL1,45930.4187,,,,,,,,\"多行\n内容\",,\n,,,\n",
		gb,
		"标题\n\n工单号,受理时间,问题描述\nA,2025/9/30,x\nA,2025/9/30,dup\n",
		"工单编号,来电时间,诉求内容\n\"unterminated,2025-09-30,x\n",
		"工单编号,来电时间,诉求内容\n,,\n \t, ,　\n",
		"工单编号,来电时间,诉求内容,经度,纬度\nA,2025-02-30,x,31.2,121.4\nB,1e9,y,abc,\n",
		"工单编号,来电时间,诉求内容\r\nA,2025-09-30T10:03:00+08:00,x\r\n",
		"\xff\xfe\x00",
		"",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewCSV(bytes.NewReader(data), Auto)
		if err != nil {
			return
		}
		defer r.Close()
		last := 0
		for i := 0; i < 10000; i++ {
			row, errs, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				return // a broken file may stop the stream, but must not panic
			}
			if row.Line <= last {
				t.Fatalf("line %d after line %d", row.Line, last)
			}
			last = row.Line
			for _, e := range errs {
				if e.Line != row.Line || e.Column == "" || e.Field == "" || e.Reason == "" {
					t.Fatalf("incomplete error %+v on row %d", e, row.Line)
				}
			}
			if len(errs) > 0 {
				continue
			}
			if row.HotlineID == "" || row.Content == "" || row.ReceivedAt.IsZero() {
				t.Fatalf("row without errors violates invariants: %+v", row)
			}
			if utf8.RuneCountInString(row.Content) > MaxContentRunes {
				t.Fatalf("content too long accepted on row %d", row.Line)
			}
			for _, s := range []string{row.HotlineID, row.Caller, row.Phone, row.Address, row.CategoryText, row.Content, row.Town} {
				if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
					t.Fatalf("row %d accepted a text no database can store: %q", row.Line, s)
				}
			}
			if (row.Lat == nil) != (row.Lng == nil) {
				t.Fatalf("half a coordinate on row %d", row.Line)
			}
			if row.Lat != nil && (*row.Lat < minLat || *row.Lat > maxLat || *row.Lng < minLng || *row.Lng > maxLng) {
				t.Fatalf("coordinate outside Shanghai accepted on row %d", row.Line)
			}
			if row.Phone != "" {
				if again, err := NormalizePhone(row.Phone); err != nil || again != row.Phone {
					t.Fatalf("phone %q is not a fixed point of NormalizePhone: %q %v", row.Phone, again, err)
				}
			}
		}
	})
}
