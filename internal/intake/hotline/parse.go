package hotline

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/workcal"
)

// shanghai is the zone of every wall-clock time in a hotline export (the calendar's zone).
var shanghai = workcal.Location()

// foldASCII maps full-width ASCII forms (U+FF01–U+FF5E) and the ideographic
// space to plain ASCII. Exports typed on Chinese input methods are full of
// "１３８" and "：". The fast path returns s untouched when it holds no such
// runes, so the common case costs one scan and no allocation.
func foldASCII(s string) string {
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c == 0xEF && i+1 < len(s) && (s[i+1] == 0xBC || s[i+1] == 0xBD) {
			break
		}
		if c == 0xE3 && i+2 < len(s) && s[i+1] == 0x80 && s[i+2] == 0x80 {
			break
		}
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for _, r := range s[i:] {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			b = append(b, byte(r-0xFF01+0x21))
		case r == 0x3000:
			b = append(b, ' ')
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return string(b)
}

var errBadTime = errors.New("无法识别的日期")

// Excel serial day numbers: day 1 is 1900-01-01 and day 60 a phantom
// 1900-02-29, so counting from 1899-12-30 is right for every date after
// February 1900 — the only ones a hotline export can hold.
const (
	excelMaxSerial = 2958465 // 9999-12-31
)

var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// ParseTime reads a hotline timestamp. It accepts the layouts real exports
// use — "2025-09-30 10:03", "2025/9/30 10:03:00", "2025年9月30日 10时03分",
// "2025.9.30", "20250930", RFC 3339 with an offset, a date alone — and Excel
// serial day numbers such as "45930.4187". Times without an offset are
// Asia/Shanghai wall-clock times.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(foldASCII(s))
	if s == "" {
		return time.Time{}, errBadTime
	}
	if t, ok := parseSerial(s); ok {
		return t, nil
	}
	if t, ok := parseCompact(s); ok {
		return t, nil
	}
	if t, ok := parseLayout(s); ok {
		return t, nil
	}
	return time.Time{}, errBadTime
}

// parseSerial accepts an Excel serial day number: digits with at most one
// decimal point (raw numeric cells look like "45930.418749999997").
func parseSerial(s string) (time.Time, bool) {
	dot := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' && !dot && i > 0 {
			dot = true
			continue
		}
		if c < '0' || c > '9' {
			return time.Time{}, false
		}
	}
	// Eight and fourteen digit numbers are compact dates, not serials.
	if !dot && (len(s) == 8 || len(s) == 14) {
		return time.Time{}, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 1 || v > excelMaxSerial {
		return time.Time{}, false
	}
	days := math.Floor(v)
	secs := math.Round((v - days) * 86400)
	t := excelEpoch.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second)
	y, mo, d := t.Date()
	h, mi, sec := t.Clock()
	return time.Date(y, mo, d, h, mi, sec, 0, shanghai), true
}

// parseCompact accepts "20250930" and "20250930100300".
func parseCompact(s string) (time.Time, bool) {
	if len(s) != 8 && len(s) != 14 {
		return time.Time{}, false
	}
	var n [7]int
	n[0], n[1], n[2] = atoiN(s[0:4]), atoiN(s[4:6]), atoiN(s[6:8])
	if len(s) == 14 {
		n[3], n[4], n[5] = atoiN(s[8:10]), atoiN(s[10:12]), atoiN(s[12:14])
	}
	for _, v := range n[:6] {
		if v < 0 {
			return time.Time{}, false
		}
	}
	return makeTime(n[0], n[1], n[2], n[3], n[4], n[5], 0, nil)
}

// atoiN parses a short run of ASCII digits, -1 if any byte is not a digit.
func atoiN(s string) int {
	if s == "" {
		return -1
	}
	v := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return -1
		}
		v = v*10 + int(c-'0')
	}
	return v
}

// scanner is a tiny cursor over a timestamp; hand-written because
// time.Parse needs one attempt per layout and regexps are too slow for the
// import hot path.
type scanner struct {
	s string
	i int
}

func (p *scanner) digits(min, max int) int {
	start, v := p.i, 0
	for p.i < len(p.s) && p.i-start < max && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		v = v*10 + int(p.s[p.i]-'0')
		p.i++
	}
	if p.i-start < min {
		return -1
	}
	return v
}

// eat consumes one of the given separators and reports which, or "".
func (p *scanner) eat(seps ...string) string {
	for _, sep := range seps {
		if strings.HasPrefix(p.s[p.i:], sep) {
			p.i += len(sep)
			return sep
		}
	}
	return ""
}

func (p *scanner) spaces() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *scanner) done() bool { return p.i == len(p.s) }

func parseLayout(s string) (time.Time, bool) {
	p := scanner{s: s}
	y := p.digits(4, 4)
	if y < 0 {
		return time.Time{}, false
	}
	sep := p.eat("-", "/", ".", "年")
	if sep == "" {
		return time.Time{}, false
	}
	mo := p.digits(1, 2)
	if mo < 0 {
		return time.Time{}, false
	}
	want := sep
	if sep == "年" {
		want = "月"
	}
	if p.eat(want) == "" {
		return time.Time{}, false
	}
	d := p.digits(1, 2)
	if d < 0 {
		return time.Time{}, false
	}
	if sep == "年" {
		p.eat("日", "号")
	}
	if p.done() {
		return makeTime(y, mo, d, 0, 0, 0, 0, nil)
	}
	if p.eat("T") == "" {
		p.spaces()
	}
	h := p.digits(1, 2)
	if h < 0 {
		return time.Time{}, false
	}
	if p.eat(":", "时", "点") == "" {
		return time.Time{}, false
	}
	mi, sec, nsec := 0, 0, 0
	if !p.done() && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		mi = p.digits(1, 2)
		if p.eat(":") != "" {
			if sec = p.digits(1, 2); sec < 0 {
				return time.Time{}, false
			}
			if p.eat(".", ",") != "" {
				start := p.i
				frac := p.digits(1, 9)
				if frac < 0 {
					return time.Time{}, false
				}
				for n := p.i - start; n < 9; n++ {
					frac *= 10
				}
				nsec = frac
			}
		} else if p.eat("分") != "" {
			if !p.done() && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
				sec = p.digits(1, 2)
				p.eat("秒")
			}
		}
	}
	var loc *time.Location
	switch {
	case p.done():
	case p.eat("Z", "z") != "":
		loc = time.UTC
	default:
		p.spaces()
		sign := p.eat("+", "-")
		if sign == "" {
			return time.Time{}, false
		}
		oh := p.digits(2, 2)
		p.eat(":")
		om := 0
		if !p.done() {
			om = p.digits(2, 2)
		}
		if oh < 0 || om < 0 || oh > 14 || om > 59 {
			return time.Time{}, false
		}
		off := oh*3600 + om*60
		if sign == "-" {
			off = -off
		}
		if off == 8*3600 {
			loc = shanghai
		} else {
			loc = time.FixedZone("", off)
		}
	}
	if !p.done() {
		return time.Time{}, false
	}
	return makeTime(y, mo, d, h, mi, sec, nsec, loc)
}

// makeTime builds a time and rejects values that time.Date would silently
// normalise (February 30th, 25 o'clock).
func makeTime(y, mo, d, h, mi, sec, nsec int, loc *time.Location) (time.Time, bool) {
	if loc == nil {
		loc = shanghai
	}
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, nsec, loc)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// NormalizePhone validates a mainland phone number and returns it in a
// canonical form: a mobile as 11 digits ("13800138000"), a landline as
// "021-62345678" or "62345678" (as given), an extension appended with "-"
// ("021-62345678-801"). Full-width digits, spaces, dashes, brackets and a
// leading +86 / 0086 are accepted. An empty string is returned unchanged.
func NormalizePhone(s string) (string, error) {
	if isMobile(s) { // the common case: no allocation
		return s, nil
	}
	s = strings.TrimSpace(foldASCII(s))
	if s == "" {
		return "", nil
	}
	main, ext := s, ""
	for _, sep := range []string{"转", "分机", "#", "ext.", "ext", "EXT", "x", "X", "*"} {
		if i := strings.Index(s, sep); i > 0 {
			main, ext = s[:i], s[i+len(sep):]
			break
		}
	}
	out, err := normalizePhone(s, main, ext)
	if err != nil && ext == "" && strings.Count(main, "-") >= 2 {
		// "021-62345678-801": the last dash group may be an extension.
		i := strings.LastIndexByte(main, '-')
		if alt, altErr := normalizePhone(s, main[:i], main[i+1:]); altErr == nil {
			return alt, nil
		}
	}
	return out, err
}

func normalizePhone(s, main, ext string) (string, error) {
	digits := make([]byte, 0, 16)
	for i := 0; i < len(main); i++ {
		c := main[i]
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == '+' && len(digits) == 0:
			digits = append(digits, c)
		case c == ' ' || c == '-' || c == '(' || c == ')' || c == '.' || c == '\t':
		case c == '/' || c == ',' || c == ';' || strings.HasPrefix(main[i:], "、"):
			return "", fmt.Errorf("只能填写一个号码: %q", s)
		default:
			return "", fmt.Errorf("电话号码含非法字符: %q", s)
		}
	}
	d := string(digits)
	country := false
	switch {
	case strings.HasPrefix(d, "+86"):
		d, country = d[3:], true
	case strings.HasPrefix(d, "0086"):
		d, country = d[4:], true
	case strings.HasPrefix(d, "+"):
		return "", fmt.Errorf("不支持境外号码: %q", s)
	case len(d) == 13 && strings.HasPrefix(d, "861"):
		d, country = d[2:], true
	}
	extDigits := ""
	if ext != "" {
		e := strings.Trim(ext, " -.:：")
		if atoiN(e) < 0 || len(e) > 6 {
			return "", fmt.Errorf("分机号无效: %q", s)
		}
		extDigits = e
	}
	if isMobile(d) {
		if extDigits != "" {
			return "", fmt.Errorf("手机号不应带分机: %q", s)
		}
		return d, nil
	}
	if country && d != "" && d[0] != '0' {
		d = "0" + d // "+86 21 6234 5678" drops the trunk prefix
	}
	var out string
	switch {
	case strings.HasPrefix(d, "0"):
		area := 4
		if len(d) > 1 && (d[1] == '1' || d[1] == '2') {
			area = 3 // 010 and 02x are the three-digit area codes
		}
		if len(d) < area+7 || !isLocal(d[area:]) {
			return "", fmt.Errorf("电话号码位数不对: %q", s)
		}
		out = d[:area] + "-" + d[area:]
	case isLocal(d):
		out = d
	default:
		if len(d) == 11 && d[0] == '1' {
			return "", fmt.Errorf("手机号号段无效: %q", s)
		}
		return "", fmt.Errorf("电话号码位数不对: %q", s)
	}
	if extDigits != "" {
		out += "-" + extDigits
	}
	return out, nil
}

// isMobile reports 11 ASCII digits in a mainland mobile range (13x–19x).
func isMobile(s string) bool {
	if len(s) != 11 || s[0] != '1' || s[1] < '3' {
		return false
	}
	return atoiN(s) >= 0
}

// isLocal reports a 7–8 digit local number; those never start with 0 or 1.
func isLocal(s string) bool {
	return (len(s) == 7 || len(s) == 8) && s[0] >= '2' && atoiN(s) >= 0
}

// Bounds of a plausible coordinate in and around Shanghai (WGS-84 or GCJ-02;
// the offset between them is far smaller than this box).
const (
	minLng, maxLng = 120.8, 122.2
	minLat, maxLat = 30.6, 31.9
)

func parseFloat(s string) (float64, bool) {
	s = strings.TrimSuffix(strings.TrimSpace(foldASCII(s)), "°")
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// kinds maps the hotline's 诉求类型 to our canonical kind. A few variants
// seen in exports (举报, 感谢, 求决) are folded into the five official ones.
var kinds = map[string]string{
	"咨询": "consult", "求助": "help", "投诉": "complaint", "建议": "suggestion", "表扬": "praise",
	"求决": "help", "举报": "complaint", "意见": "suggestion", "感谢": "praise",
	"consult": "consult", "help": "help", "complaint": "complaint", "suggestion": "suggestion", "praise": "praise",
}

func parseKind(s string) (string, bool) {
	if k, ok := kinds[s]; ok {
		return k, true
	}
	t := strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(s), "类"), "件"))
	k, ok := kinds[t]
	return k, ok
}

// parseLimitDays accepts "5", "５", "5个工作日", "5工作日", "5天" and the
// "5.0" a numeric spreadsheet cell can produce.
func parseLimitDays(s string) (int, bool) {
	s = strings.TrimSpace(foldASCII(s))
	p := scanner{s: s}
	n := p.digits(1, 4)
	if n <= 0 {
		return 0, false
	}
	if p.eat(".") != "" {
		for !p.done() && p.s[p.i] == '0' {
			p.i++
		}
	}
	p.spaces()
	p.eat("个工作日", "工作日", "天", "日")
	return n, p.done() && n <= 365
}
