package orders

import (
	"regexp"
	"strings"
	"testing"
)

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

// TestEventDataInWords: every key an event's data may hold has a label in both languages, and
// codes, flags and levels read as words; a key without a label never shows as its code.
func TestEventDataInWords(t *testing.T) {
	p := orderPage{lookups: lookups{DeptName: map[string]string{"xj-opscentre": "Ops centre"}, GridName: map[string]string{"310105102-G01": "Grid 1"},
		CatName: map[string]string{"0301": "Noise"}, Channels: map[string]string{"hotline": "12345 hotline"}}}
	data := map[string]any{"category": "0301", "grid": "310105102-G01", "department": "xj-opscentre", "co_departments": []any{"xj-opscentre"},
		"deadline": "2026-01-02T03:04:05Z", "deadline_at": "2026-01-02T03:04:05Z", "deadline_class": "general", "extension_deadline": "2026-01-02T03:04:05Z",
		"refused_deadline": "2026-01-02T03:04:05Z", "channel": "hotline", "external_id": "X1", "satisfaction": "satisfied", "duplicate_of": 12.0,
		"limit_days": 5.0, "self_handled": true, "escalation_level": 1.0, "suspended_working_ms": 5400000.0,
		"changed":      []any{"caller_name", "caller_phone", "address", "location", "content", "received_at", "limit_days", "kind", "category_text", "town_text"},
		"some_new_key": "v"}
	codes := regexp.MustCompile(`\b[a-z]+_[a-z_]+\b|xj-opscentre|310105102-G01|\btrue\b`)
	han := regexp.MustCompile(`\p{Han}`)
	for _, lang := range []string{"zh", "en"} {
		got := eventData(data, p, lang)
		if c := codes.FindString(got); c != "" {
			t.Errorf("%s: code %q in %q", lang, c, got)
		}
		if lang == "en" && han.MatchString(got) {
			t.Errorf("en: Chinese in %q", got)
		}
		for _, want := range map[string][]string{"zh": {"督办级别：第 1 级", "自行处置：是", "1 小时 30 分钟", "主办部门：Ops centre"},
			"en": {"Escalation level: level 1", "Handled on the spot: yes", "1 h 30 min", "Lead department: Ops centre", "Other detail: v"}}[lang] {
			if !strings.Contains(got, want) {
				t.Errorf("%s: %q lacks %q", lang, got, want)
			}
		}
	}
	if got := actorLabel("处置部门", "handler", "zh"); strings.Count(got, "处置部门") != 1 {
		t.Errorf("a resident's view of a handler: %q", got)
	}
}

func TestCountLabel(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1234: "1,234", 10_000: "10,000", 10_001: "10,000+", 2_000_000: "10,000+"} {
		if got := CountLabel(n); got != want {
			t.Errorf("CountLabel(%d) = %q, want %q", n, got, want)
		}
	}
	// A search stops counting at 1,000: its 1,001 means "1,000+", not the number.
	for n, want := range map[int]string{1000: "1,000", 1001: "1,000+"} {
		if got := countLabelOf(n, 1000); got != want {
			t.Errorf("countLabelOf(%d, 1000) = %q, want %q", n, got, want)
		}
	}
}
