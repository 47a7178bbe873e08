// Package hotline reads batch exports of 12345 hotline orders (热线工单) —
// xlsx or CSV, UTF-8 or GB18030 — and turns them into typed rows with
// precise per-row errors. It knows nothing about databases or HTTP: the
// importer and the JSON push endpoint both build on it, so that a row is
// judged by the same rules whichever way it arrives.
package hotline

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// field is one canonical column of a hotline order.
type field int

const (
	fHotlineID field = iota
	fReceivedAt
	fCaller
	fPhone
	fAddress
	fLng
	fLat
	fKind
	fCategory
	fContent
	fLimitDays
	fTown
	numFields
)

// fieldSpec describes a canonical column. The first synonym is the name
// used in the template and in messages when the file has no such column.
type fieldSpec struct {
	key      string
	required bool
	synonyms []string
	format   string // for the template's 说明 sheet and docs
}

var fields = [numFields]fieldSpec{
	fHotlineID:  {"hotline_id", true, []string{"工单编号", "工单号", "热线工单号", "编号", "工单编码", "热线编号", "hotline_id"}, "热线系统的工单号，同一文件内不得重复"},
	fReceivedAt: {"received_at", true, []string{"来电时间", "受理时间", "登记时间", "创建时间", "诉求时间", "received_at"}, "如 2025-09-30 10:03、2025/9/30 10:03:00、2025年9月30日 10时03分、仅日期或 Excel 日期；按北京时间"},
	fCaller:     {"caller", false, []string{"诉求人", "来电人", "姓名", "联系人", "来电人姓名", "诉求人姓名", "caller"}, "文本"},
	fPhone:      {"phone", false, []string{"联系电话", "电话", "手机", "手机号码", "手机号", "来电号码", "联系方式", "phone"}, "11位手机号或座机（可带021区号和分机），可含空格、横线、+86"},
	fAddress:    {"address", false, []string{"诉求地址", "地址", "事发地址", "发生地址", "事发地点", "address"}, "文本"},
	fLng:        {"lng", false, []string{"经度", "lng", "longitude", "lon"}, "120.8–122.2，与纬度同时填写"},
	fLat:        {"lat", false, []string{"纬度", "lat", "latitude"}, "30.6–31.9，与经度同时填写"},
	fKind:       {"kind", false, []string{"诉求类型", "类型", "来电类型", "kind"}, "咨询/求助/投诉/建议/表扬"},
	fCategory:   {"category", false, []string{"诉求分类", "分类", "问题分类", "业务分类", "category"}, "文本，原样保留"},
	fContent:    {"content", true, []string{"诉求内容", "内容", "问题描述", "诉求描述", "content"}, "文本，最多4000字"},
	fLimitDays:  {"limit_days", false, []string{"办理时限", "时限", "时限(工作日)", "办理时限(工作日)", "limit_days"}, "正整数工作日，如 5 或 5个工作日"},
	fTown:       {"town", false, []string{"街镇", "所属街镇", "街道", "town"}, "文本"},
}

// label is the Chinese name of a field, used when the file has no column for it.
func (f field) label() string { return fields[f].synonyms[0] }

// headerMatch is what a normalised header name resolves to. rank orders
// synonyms so that when a file has both 来电时间 and 受理时间 the more
// specific one wins, whatever the column order.
type headerMatch struct {
	f    field
	rank int
}

var headerIndex = func() map[string]headerMatch {
	m := make(map[string]headerMatch)
	for f := field(0); f < numFields; f++ {
		for i, s := range fields[f].synonyms {
			m[normHeader(s)] = headerMatch{f, i}
		}
	}
	return m
}()

// normHeader folds width and case and keeps only letters and digits, so
// "＊工单编号：", " 工单 编号" and "LNG" match their synonyms.
func normHeader(s string) string {
	s = strings.ToLower(width.Fold.String(s))
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// stripBrackets drops bracketed remarks such as "（必填）" or "(WGS84)".
func stripBrackets(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range width.Fold.String(s) {
		switch r {
		case '(', '[', '【', '〔', '{', '<', '《':
			depth++
		case ')', ']', '】', '〕', '}', '>', '》':
			if depth > 0 {
				depth--
			}
		default:
			if depth == 0 {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// matchHeader resolves a header cell to a canonical field.
func matchHeader(s string) (headerMatch, bool) {
	if m, ok := headerIndex[normHeader(s)]; ok {
		return m, true
	}
	if st := stripBrackets(s); st != s {
		if m, ok := headerIndex[normHeader(st)]; ok {
			return m, true
		}
	}
	return headerMatch{}, false
}

// columnMap is the result of reading a header row: which cell index holds
// which field (-1 when absent) and the header text as the file wrote it.
type columnMap struct {
	idx    [numFields]int
	rank   [numFields]int
	labels [numFields]string
	found  int
}

func mapColumns(cells []string) columnMap {
	var c columnMap
	for f := range c.idx {
		c.idx[f] = -1
		c.labels[f] = field(f).label()
	}
	for i, cell := range cells {
		cell = strings.TrimSpace(strings.TrimPrefix(cell, "\ufeff"))
		if cell == "" {
			continue
		}
		m, ok := matchHeader(cell)
		if !ok {
			continue
		}
		if c.idx[m.f] >= 0 && c.rank[m.f] <= m.rank {
			continue
		}
		if c.idx[m.f] < 0 {
			c.found++
		}
		c.idx[m.f], c.rank[m.f], c.labels[m.f] = i, m.rank, cell
	}
	return c
}

// missing lists the Chinese names of required fields the header lacks.
func (c *columnMap) missing() []string {
	var out []string
	for f := field(0); f < numFields; f++ {
		if fields[f].required && c.idx[f] < 0 {
			out = append(out, f.label())
		}
	}
	return out
}
