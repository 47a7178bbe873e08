package hotline

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Row is one hotline order as read from a file or a JSON push.
type Row struct {
	// Line is the 1-based row number a spreadsheet user sees (for CSV: the
	// row Excel would show, counting a quoted multi-line cell as one row).
	Line         int
	HotlineID    string
	ReceivedAt   time.Time
	Caller       string
	Phone        string // canonical form, see NormalizePhone
	Address      string
	Lat, Lng     *float64
	Kind         string // consult, help, complaint, suggestion, praise or ""
	CategoryText string
	Content      string
	LimitDays    int // working days; 0 when not given
	Town         string
}

// RowError names one problem with one cell of one row.
type RowError struct {
	Line   int
	Column string // the header text as written in the file
	Field  string // canonical field key, e.g. "received_at"
	Reason string // Chinese, for the person fixing the file
}

func (e RowError) Error() string {
	return fmt.Sprintf("第%d行 “%s”: %s (row %d, column %s)", e.Line, e.Column, e.Reason, e.Line, e.Column)
}

// Limits on a row's text, the same as the order store's (orders.MaxContentRunes, MaxCodeRunes,
// MaxNameRunes, MaxAddressRunes, MaxChannelDataRunes; TestLimitsAgree in package intake keeps
// them equal), so that a row over them is rejected here, naming its column in Chinese, rather
// than by the store.
const (
	MaxContentRunes = 4000
	MaxIDLen        = 64  // bytes, after folding full-width forms
	MaxCallerRunes  = 64  // 诉求人
	MaxAddressRunes = 200 // 诉求地址
	MaxTextRunes    = 200 // 诉求分类 and 街镇, kept as written
)

// Bounds of a plausible 来电时间: the hotline did not exist before 2000, and
// a year past 2099 is a typo, not an order.
var (
	minReceived = time.Date(2000, 1, 1, 0, 0, 0, 0, shanghai)
	maxReceived = time.Date(2100, 1, 1, 0, 0, 0, 0, shanghai)
)

// validate turns the raw cell values of one row into a Row. labels name
// the columns in errors. Every problem is reported, not only the first, so
// one round of fixes suffices.
func validate(line int, v *[numFields]string, labels *[numFields]string) (Row, []RowError) {
	c := checker{line: line, labels: labels}
	bad := c.bad
	row := Row{Line: line}

	id := strings.TrimSpace(v[fHotlineID])
	switch {
	case id == "":
		bad(fHotlineID, "工单编号不能为空")
	default:
		id = foldASCII(id)
		switch {
		case len(id) > MaxIDLen:
			bad(fHotlineID, "工单编号过长（最多%d个字符）", MaxIDLen)
		case c.unfit(fHotlineID, id, "工单编号"):
		case strings.ContainsAny(id, "\r\n\t"):
			bad(fHotlineID, "工单编号不能包含换行或制表符")
		case looksScientific(id):
			bad(fHotlineID, "工单编号 %q 被 Excel 转成了科学计数法，请把该列设为文本后重新导出", id)
		default:
			row.HotlineID = id
		}
	}

	if s := strings.TrimSpace(v[fReceivedAt]); s == "" {
		bad(fReceivedAt, "来电时间不能为空")
	} else if t, err := ParseTime(s); err != nil {
		bad(fReceivedAt, "无法识别的日期 %q", s)
	} else if t.Before(minReceived) || !t.Before(maxReceived) {
		bad(fReceivedAt, "日期 %q 超出合理范围（2000–2099年）", s)
	} else {
		row.ReceivedAt = t
	}

	row.Caller = c.text(fCaller, strings.TrimSpace(v[fCaller]), MaxCallerRunes, "诉求人")
	if s := strings.TrimSpace(v[fPhone]); s != "" {
		if p, err := NormalizePhone(s); err != nil {
			bad(fPhone, "%s", err.Error())
		} else {
			row.Phone = p
		}
	}
	row.Address = c.text(fAddress, strings.TrimSpace(v[fAddress]), MaxAddressRunes, "诉求地址")
	validateCoords(&row, v, &c)

	if s := strings.TrimSpace(v[fKind]); s != "" {
		if k, ok := parseKind(s); ok {
			row.Kind = k
		} else {
			bad(fKind, "未知的诉求类型 %q（应为 咨询/求助/投诉/建议/表扬）", s)
		}
	}
	row.CategoryText = c.text(fCategory, strings.TrimSpace(v[fCategory]), MaxTextRunes, "诉求分类")

	content := strings.TrimSpace(v[fContent])
	switch {
	case content == "":
		bad(fContent, "诉求内容不能为空")
	default:
		row.Content = c.text(fContent, content, MaxContentRunes, "诉求内容")
	}

	if s := strings.TrimSpace(v[fLimitDays]); s != "" {
		if n, ok := parseLimitDays(s); ok {
			row.LimitDays = n
		} else {
			bad(fLimitDays, "办理时限应为正整数个工作日（1–365），实际为 %q", s)
		}
	}
	row.Town = c.text(fTown, strings.TrimSpace(v[fTown]), MaxTextRunes, "街镇")
	return row, c.errs
}

// unfit reports (and records) a text no database can store whole: bytes that are not UTF-8
// (PostgreSQL refuses them) or a NUL (which PostgreSQL's text cannot hold). what names the
// column's content in the message.
func (c *checker) unfit(f field, s, what string) bool {
	switch {
	case !utf8.ValidString(s):
		c.bad(f, "%s含有无效字符（不是 UTF-8 编码），请检查文件编码或删除乱码后重新导入", what)
	case strings.IndexByte(s, 0) >= 0:
		c.bad(f, "%s含有空字符（NUL），无法保存，请删除后重新导入", what)
	default:
		return false
	}
	return true
}

// text is s when it is fit to store and at most max runes long; otherwise the problem is
// recorded for column f and "" returned.
func (c *checker) text(f field, s string, max int, what string) string {
	if c.unfit(f, s, what) {
		return ""
	}
	if len(s) > max {
		if n := utf8.RuneCountInString(s); n > max {
			c.bad(f, "%s过长（%d字，最多%d字）", what, n, max)
			return ""
		}
	}
	return s
}

// checker collects the errors of one row. A struct rather than a closure
// keeps the error-free path free of heap allocations.
type checker struct {
	line   int
	labels *[numFields]string
	errs   []RowError
}

func (c *checker) bad(f field, format string, args ...any) {
	c.errs = append(c.errs, RowError{Line: c.line, Column: c.labels[f], Field: fields[f].key, Reason: fmt.Sprintf(format, args...)})
}

func validateCoords(row *Row, v *[numFields]string, c *checker) {
	bad := c.bad
	lngS, latS := strings.TrimSpace(v[fLng]), strings.TrimSpace(v[fLat])
	if lngS == "" && latS == "" {
		return
	}
	lng, lngOK := parseFloat(lngS)
	lat, latOK := parseFloat(latS)
	// Many exports write 0,0 for "not located"; that is no location, not a
	// point in the Gulf of Guinea.
	if lngOK && latOK && lng == 0 && lat == 0 {
		return
	}
	switch {
	case lngS == "":
		bad(fLng, "填写了纬度时经度也必须填写")
		return
	case latS == "":
		bad(fLat, "填写了经度时纬度也必须填写")
		return
	}
	ok := true
	if !lngOK {
		bad(fLng, "经度不是数字: %q", lngS)
		ok = false
	}
	if !latOK {
		bad(fLat, "纬度不是数字: %q", latS)
		ok = false
	}
	if !ok {
		return
	}
	inLng := func(x float64) bool { return x >= minLng && x <= maxLng }
	inLat := func(x float64) bool { return x >= minLat && x <= maxLat }
	switch {
	case inLng(lng) && inLat(lat):
		row.Lng, row.Lat = &lng, &lat
	case inLng(lat) && inLat(lng):
		bad(fLng, "经纬度疑似填反（经度 %s，纬度 %s）", lngS, latS)
	default:
		if !inLng(lng) {
			bad(fLng, "经度 %s 不在上海范围内（%.1f–%.1f）", lngS, minLng, maxLng)
		}
		if !inLat(lat) {
			bad(fLat, "纬度 %s 不在上海范围内（%.1f–%.1f）", latS, minLat, maxLat)
		}
	}
}

// looksScientific spots "2.02509E+13": Excel's rendering of a long numeric
// order number, whose trailing digits are already lost.
func looksScientific(s string) bool {
	i := strings.IndexAny(s, "eE")
	if i <= 0 || i+1 >= len(s) || (s[i+1] != '+' && s[i+1] != '-') {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// FromFields validates one order given as header name → value, with any
// synonym as the key (工单号, 来电时间, hotline_id …). It is what the JSON
// push endpoint uses, so pushed and uploaded orders obey the same rules.
// Unknown keys are ignored. Duplicate detection across orders is the
// caller's business.
func FromFields(line int, in map[string]string) (Row, []RowError) {
	var v [numFields]string
	var labels [numFields]string
	rank := [numFields]int{}
	for f := range labels {
		labels[f] = field(f).label()
		rank[f] = -1
	}
	for k, val := range in {
		m, ok := matchHeader(k)
		if !ok {
			continue
		}
		// With two synonyms for one field, prefer a non-empty value, then
		// the better-ranked synonym, then the smaller key so the choice is
		// independent of map order.
		if rank[m.f] >= 0 {
			cur := strings.TrimSpace(v[m.f]) != ""
			nw := strings.TrimSpace(val) != ""
			if cur && !nw {
				continue
			}
			if cur == nw && (m.rank > rank[m.f] || (m.rank == rank[m.f] && k > labels[m.f])) {
				continue
			}
		}
		v[m.f], labels[m.f], rank[m.f] = val, k, m.rank
	}
	return validate(line, &v, &labels)
}
