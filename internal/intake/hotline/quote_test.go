package hotline

import (
	"strings"
	"testing"
)

// A quote left open in a CSV cell used to swallow every row after it into that cell, silently:
// the rows were neither imported nor reported. Now the row whose cell is broken is rejected,
// naming its column and how many lines went into it; well-formed multi-line cells and stray
// quotes on one line (which LazyQuotes reads as text) are still fine.
func TestBrokenQuoteIsReported(t *testing.T) {
	type want struct {
		ids    []string // rows read, by id
		broken string   // id of the row rejected for its quotes, "" for none
		column string
	}
	for _, c := range []struct {
		name string
		csv  string
		want want
	}{
		{"quote open to the end of the file",
			"Q1,2025-09-30 10:00,,,,,,,,\"漏水没人管\n" +
				"Q2,2025-09-30 10:01,,,,,,,,噪音,,\n" +
				"Q3,2025-09-30 10:02,,,,,,,,垃圾,,\n",
			want{[]string{"Q1"}, "Q1", "诉求内容"}},
		{"lone quote inside a quoted cell, closed rows later",
			"Q1,2025-09-30 10:00,,,\"剑河路\"176弄,,,,,漏水,,\n" +
				"Q2,2025-09-30 10:01,,,,,,,,噪音,,\n" +
				"Q3,2025-09-30 10:02,,,\"x\",,,,,垃圾,,\n" +
				"Q4,2025-09-30 10:03,,,,,,,,堆物,,\n",
			want{[]string{"Q1", "Q4"}, "Q1", "诉求地址"}},
		{"multi-line cell written properly",
			"Q1,2025-09-30 10:00,,,,,,,,\"第一行\n他说\"\"太吵了\"\"\n第三行\",,\n" +
				"Q2,2025-09-30 10:01,,,,,,,,噪音,,\n",
			want{[]string{"Q1", "Q2"}, "", ""}},
		{"stray quotes on one line",
			"Q1,2025-09-30 10:00,,,,,,,,他说\"太吵了\"请处理,,\n" +
				"Q2,2025-09-30 10:01,,,,,,,,\"门口\"垃圾\",,\n" +
				"Q3,2025-09-30 10:02,,,,,,,,噪音,,\n",
			want{[]string{"Q1", "Q2", "Q3"}, "", ""}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows, errs := readAll(t, newCSV(t, csvHeader+c.csv))
			var ids []string
			broken, column := "", ""
			for i, r := range rows {
				id := r.HotlineID
				ids = append(ids, id)
				for _, e := range errs[i] {
					if strings.Contains(e.Reason, "引号没有配对") {
						broken, column = id, e.Column
						if e.Line != r.Line || e.Field == "" {
							t.Errorf("error %+v on row %d", e, r.Line)
						}
					}
				}
			}
			if strings.Join(ids, ",") != strings.Join(c.want.ids, ",") || broken != c.want.broken || column != c.want.column {
				t.Errorf("rows %v, broken %q in %q; want %v, %q in %q", ids, broken, column, c.want.ids, c.want.broken, c.want.column)
			}
		})
	}
	// The check holds across the recorder's compaction, far into a long file.
	var b strings.Builder
	b.WriteString(csvHeader)
	for i := range 5000 {
		b.WriteString("L" + strings.Repeat("0", 5-len(itoa(i))) + itoa(i) + ",2025-09-30 10:00,,,,,,,,\"多行\n内容\",,\n")
	}
	b.WriteString("LAST,2025-09-30 10:00,,,,,,,,\"没有闭合\nZ1,2025-09-30 10:00,,,,,,,,噪音,,\n")
	rows, errs := readAll(t, newCSV(t, b.String()))
	if len(rows) != 5001 || len(errs[5000]) != 1 || rows[5000].HotlineID != "LAST" {
		t.Fatalf("%d rows, last errors %v", len(rows), errs[len(errs)-1])
	}
	for i := range 5000 {
		if len(errs[i]) != 0 {
			t.Fatalf("row %d: %v", i, errs[i])
		}
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// Text no database can store (a NUL, bytes that are not UTF-8) and text over the limits are
// rejected per row, naming the column; the other rows are fine.
func TestUnstorableTextIsRejected(t *testing.T) {
	// Declared UTF-8: with Auto, the stray byte would make the whole file GB18030.
	r, err := NewCSV(strings.NewReader(csvHeader+
		"N1,2025-09-30 10:00,,,,,,,,门口\x00噪音,,\n"+
		"N2,2025-09-30 10:00,,,剑河路\xff176弄,,,,,噪音,,\n"+
		"N3,2025-09-30 10:00,"+strings.Repeat("名", MaxCallerRunes+1)+",,,,,,,噪音,,\n"+
		"N4,2025-09-30 10:00,,,"+strings.Repeat("路", MaxAddressRunes+1)+",,,,,噪音,,\n"+
		"N5,2025-09-30 10:00,,,,,,,"+strings.Repeat("类", MaxTextRunes+1)+",噪音,,\n"+
		"N\x006,2025-09-30 10:00,,,,,,,,噪音,,\n"+
		"N7,2025-09-30 10:00,,,,,,,,噪音,,\n"), UTF8)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rows, errs := readAll(t, r)
	want := []string{"诉求内容", "诉求地址", "诉求人", "诉求地址", "诉求分类", "工单编号", ""}
	if len(rows) != len(want) {
		t.Fatalf("%d rows", len(rows))
	}
	for i, w := range want {
		got := ""
		if len(errs[i]) > 0 {
			got = errs[i][0].Column
		}
		if got != w || len(errs[i]) > 1 {
			t.Errorf("row %d: errors %v; want one on %q", rows[i].Line, errs[i], w)
		}
	}
}
