package dispatch

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Parsed is a written address taken apart: the administrative prefix (province, city, district
// as written, repeats dropped), the town when nothing follows it, the rest (Details), and the
// name, phone and postcode people mix into an address, each extracted on its own.
type Parsed struct {
	Province, City, District, Town string
	Details                        string // road, number, estate, building…: NFKC, no spaces
	Name, Phone, Postcode          string
}

var (
	// A landline: area code and number, with or without a dash.
	landline = regexp.MustCompile(`(^|[^0-9])(0[1-9][0-9]{1,2}-?[2-9][0-9]{6,7})([^0-9]|$)`)
	// Labels of the fields copied from shop and courier forms; replaced by a separator, the name
	// labels marking what follows as the name.
	nameLabels  = []string{"收货人", "收件人", "联系人", "姓名"}
	otherLabels = []string{"手机号码", "联系电话", "手机号", "电话号码", "电话", "手机", "所在地区", "详细地址", "邮编", "tel:", "tel"}
	separators  = "，,、。；;：:!！?？()（）[]【】|/\\\"'“”‘’"
)

// ParseAddress takes a written address apart. It is forgiving by design: full-width digits and
// letters, spaces anywhere, traditional characters (folded in Details' matching, kept in Name),
// a missing or repeated prefix (上海 上海市 长宁区…), a name and a phone number before, after or
// glued to the address, courier-form labels (收货人…手机号码…详细地址…).
func ParseAddress(s string) Parsed {
	var p Parsed
	if norm.NFKC.QuickSpanString(s) < len(s) {
		s = norm.NFKC.String(s)
	}
	if i := strings.Index(s, "地址:"); i >= 0 {
		// "…发到这个地址:江苏省…": the address starts after the label.
		s = s[i+len("地址:"):]
	}

	// Phones: cut out, leaving a separator so that a name glued to the number stands alone.
	const sep = "\x00"
	phonePos := -1
	areaCode := false // a run of digits starting with 0: maybe a landline
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if s[i] == '0' && j-i >= 3 {
			areaCode = true
		}
		// A mainland mobile number is 11 digits from 1[3-9]; a run of more digits ending in one
		// ("301" room number + mobile, written without a space) gives up its last 11.
		if run := s[i:j]; len(run) >= 11 && run[len(run)-11] == '1' && run[len(run)-10] >= '3' {
			p.Phone = run[len(run)-11:]
			s = s[:j-11] + sep + "\x01" + sep + s[j:]
			break
		}
		i = j
	}
	if p.Phone == "" && areaCode {
		if m := landline.FindStringSubmatchIndex(s); m != nil {
			p.Phone = s[m[4]:m[5]]
			s = s[:m[4]] + sep + "\x01" + sep + s[m[5]:]
		}
	}
	lower := strings.ToLower(s)
	for _, l := range nameLabels {
		s = replaceFold(s, &lower, l, sep+"\x02")
	}
	for _, l := range otherLabels {
		s = replaceFold(s, &lower, l, sep)
	}

	// Tokens: split on spaces and punctuation.
	var toks []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool {
		return r == 0 || unicode.IsSpace(r) || strings.ContainsRune(separators, r)
	}) {
		toks = append(toks, t)
	}
	nameAt := -1
	for i, t := range toks {
		switch {
		case t == "\x01":
			phonePos = i
		case strings.HasPrefix(t, "\x02"):
			toks[i] = strings.TrimPrefix(t, "\x02")
			if nameAt < 0 && nameLike(toks[i]) {
				nameAt = i
			}
		}
	}
	// The name: a labelled one, else the name-like token nearest the phone (before it on a
	// tie), else the last name-like token.
	if nameAt < 0 {
		best := -1
		for i, t := range toks {
			if !nameLike(t) {
				continue
			}
			if phonePos < 0 {
				nameAt = i
				continue
			}
			d := i - phonePos
			if d < 0 {
				d = -d*2 - 1 // before the phone wins a tie
			} else {
				d *= 2
			}
			if best < 0 || d < best {
				best, nameAt = d, i
			}
		}
	}
	if nameAt < 0 && phonePos >= 0 {
		// No Chinese name: a word of Latin letters next to the phone (an online name).
		for _, i := range []int{phonePos + 1, phonePos - 1} {
			if i >= 0 && i < len(toks) && latinName(toks[i]) {
				nameAt = i
				break
			}
		}
	}
	var rest strings.Builder
	for i, t := range toks {
		switch {
		case i == nameAt:
			p.Name = strings.TrimSuffix(t, "收")
		case t == "\x01":
		case len(t) == 6 && isDigits(t) && p.Postcode == "":
			p.Postcode = t
		default:
			rest.WriteString(t)
		}
	}
	p.parseAdmin(rest.String())
	return p
}

// replaceFold replaces every case-insensitive occurrence of label (lower-case) in s.
func replaceFold(s string, lower *string, label, with string) string {
	if !strings.Contains(*lower, label) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(*lower, label)
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		b.WriteString(with)
		s, *lower = s[i+len(label):], (*lower)[i+len(label):]
	}
	out := b.String()
	*lower = strings.ToLower(out)
	return out
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// addressChars are characters a person's name in an address never holds but addresses do;
// addressWords the same for words whose characters alone may be in names (小姐, 文元, 大旋仔).
const addressChars = "省市区县镇乡街路巷弄号楼栋幢室村组园苑院府居坊厂店铺校场馆站桥座层期所"

var addressWords = []string{"小区", "单元", "大厦", "广场", "公寓", "中心", "花园", "新村", "大道", "大街", "公司"}

// courtesy are short phrases of chatter that look like names.
var courtesy = map[string]bool{"谢谢": true, "麻烦了": true, "您好": true, "你好": true, "快递": true, "备注": true, "麻烦": true}

// nameLike: 1 to 5 characters, at least one Chinese, no digit, no address word.
func nameLike(t string) bool {
	n := utf8.RuneCountInString(t)
	if n == 0 || n > 5 || courtesy[t] {
		return false
	}
	if pr, ok := prefixAny(t, provinces); ok && pr == t {
		return false
	}
	for _, w := range addressWords {
		if strings.Contains(t, w) {
			return false
		}
	}
	han := false
	for _, r := range t {
		switch {
		case unicode.Is(unicode.Han, r):
			if strings.ContainsRune(addressChars, r) {
				return false
			}
			han = true
		case r >= '0' && r <= '9':
			return false
		case !unicode.IsLetter(r):
			return false
		}
	}
	return han
}

func latinName(t string) bool {
	if len(t) < 2 || len(t) > 20 {
		return false
	}
	for i := 0; i < len(t); i++ {
		if c := t[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// Administrative units: the level a suffix gives, 1 province, 2 city, 3 district or county.
var adminSuffixes = []struct {
	suffix string
	level  int
}{
	{"特别行政区", 1}, {"自治区", 1}, {"省", 1},
	{"自治州", 2}, {"地区", 2}, {"盟", 2},
	{"自治县", 3}, {"自治旗", 3}, {"区", 3}, {"县", 3}, {"旗", 3},
	{"市", 0}, // city, or county-level city after a city
}

// provinces are the short names people write without 省 (and the four municipalities).
var provinces = []string{
	"北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
	"江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
	"台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
}

// fillers are levels written by forms that carry no place (北京市市辖区, 省直辖县级行政区划).
var fillers = []string{"省直辖县级行政区划", "自治区直辖县级行政区划", "市辖区", "县"}

// parseAdmin strips the leading administrative units in order (province, city, district; a
// unit already seen may repeat anywhere: forms often write the prefix twice), then keeps the
// rest as Details; a town (街道, 镇, 乡) with nothing after it is the Town, not Details.
func (p *Parsed) parseAdmin(s string) {
	seen := map[string]bool{}
	level := 0
	for s != "" {
		if rest, ok := repeatUnit(s, seen); ok {
			s = rest
			continue
		}
		if level >= 1 {
			if f, ok := prefixAny(s, fillers); ok && f != "县" || ok && isUnit(s[len(f):]) {
				s = s[len(f):]
				continue
			}
		}
		if level == 0 {
			if pr, ok := prefixAny(s, provinces); ok {
				full := pr
				for _, suf := range []string{"壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市"} {
					if strings.HasPrefix(s[len(pr):], suf) {
						full = pr + suf
						break
					}
				}
				p.Province, level = full, 1
				seen[full], seen[pr] = true, true
				s = s[len(full):]
				continue
			}
		}
		name, suffix, lv, ok := adminUnit(s)
		if !ok {
			break
		}
		if lv == 0 { // 市: a city first, a county-level city under a city
			lv = 2
			if p.City != "" {
				lv = 3
			}
		}
		if lv <= level {
			break // a second, different district: it belongs to the details
		}
		unit := name + suffix
		switch lv {
		case 1:
			p.Province = unit
		case 2:
			p.City = unit
		default:
			p.District = unit
		}
		seen[unit] = true // not the bare name: 吐鲁番市吐鲁番宾馆 keeps its 吐鲁番
		level = lv
		s = s[len(unit):]
	}
	if m := townOnly.FindString(s); m != "" && m == s {
		p.Town, s = s, ""
	}
	p.Details = s
}

var townOnly = regexp.MustCompile(`^\p{Han}{2,6}(街道|镇|乡)(办事处|办)?$`)

func prefixAny(s string, list []string) (string, bool) {
	best := ""
	for _, x := range list {
		if strings.HasPrefix(s, x) && len(x) > len(best) {
			best = x
		}
	}
	return best, best != ""
}

func isUnit(s string) bool {
	_, _, _, ok := adminUnit(s)
	return ok
}

// repeatUnit strips a unit already seen (a province with or without its suffix).
func repeatUnit(s string, seen map[string]bool) (string, bool) {
	best := ""
	for u := range seen {
		if strings.HasPrefix(s, u) && len(u) > len(best) {
			best = u
		}
	}
	if best == "" {
		return s, false
	}
	// "上海" seen: take "上海市" whole.
	for _, suf := range []string{"市", "省"} {
		if !strings.HasSuffix(best, "市") && !strings.HasSuffix(best, "省") && strings.HasPrefix(s[len(best):], suf) && !strings.HasPrefix(s[len(best)+len(suf):], "场") {
			best += suf
		}
	}
	return s[len(best):], true
}

// adminUnit reads a unit at the start of s: 2 to 4 characters of name (5 for names with 族, 7
// for 自治 names) and a suffix; the name holds no character of streets and estates, and "市场",
// "小区", "园区" are not units.
func adminUnit(s string) (name, suffix string, level int, ok bool) {
	n := 0
	for i, r := range s {
		if n >= 2 || n == 1 && strings.HasPrefix(s[i:], "县") {
			for _, a := range adminSuffixes {
				if strings.HasPrefix(s[i:], a.suffix) {
					name, suffix = s[:i], a.suffix
					after := s[i+len(suffix):]
					if suffix == "市" && strings.HasPrefix(after, "场") || suffix == "区" && strings.HasPrefix(after, "域") ||
						strings.HasPrefix(after, "镇") || strings.HasPrefix(after, "乡") { // 柳市镇 is a town

						return "", "", 0, false
					}
					if maxName(name) < n {
						return "", "", 0, false
					}
					return name, suffix, a.level, true
				}
			}
		}
		if !unicode.Is(unicode.Han, r) || strings.ContainsRune("街路巷弄号楼栋幢室村组园苑院府居坊厂店铺校场馆站桥镇乡小", r) {
			return "", "", 0, false
		}
		n++
		if n > 9 {
			return "", "", 0, false
		}
	}
	return "", "", 0, false
}

func maxName(name string) int {
	switch {
	case strings.Contains(name, "族"):
		return 7
	case strings.Contains(name, "开发") || strings.Contains(name, "经济") || strings.Contains(name, "工业"):
		return 0
	}
	return 4
}
