package orders

import "testing"

func TestHighlight(t *testing.T) {
	long := "市民来电反映：小区北门外的人行道上长期停放大量共享单车，影响通行，另外夜间施工噪音很大，希望尽快处理。"
	for _, c := range []struct {
		text, query string
		n           int
		want        string
	}{
		{"楼道堆放杂物", "", 60, "楼道堆放杂物"},
		{"楼道堆放杂物", "堆放", 60, "楼道<mark>堆放</mark>杂物"},
		{"门口<噪音>", "噪音 门", 60, "<mark>门</mark>口&lt;<mark>噪音</mark>&gt;"},
		{"Open311 report", "open311", 60, "<mark>Open311</mark> report"},
		// A late match moves the window to it (here to the text's end) …
		{long, "噪音", 20, "…行，另外夜间施工<mark>噪音</mark>很大，希望尽快处理。"},
		// … and a match that the first n characters would cut is shown whole.
		{long, "北门", 10, "…小区<mark>北门</mark>外的人行道上…"},
		{"无关的内容", "噪音", 60, "无关的内容"},
	} {
		if got := string(highlight(c.text, c.query, c.n)); got != c.want {
			t.Errorf("highlight(%q, %q, %d) = %q, want %q", c.text, c.query, c.n, got, c.want)
		}
	}
}
