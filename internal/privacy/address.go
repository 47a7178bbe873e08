package privacy

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CoarseAddress is an address as the public, and roles that see personal data masked, may read
// it: down to the road and its lane or house number (仙霞西路88弄), or the estate or building
// (徐汇苑), never the building of an estate, the unit, floor or room (3号601室, 23号楼5单元401室),
// and without the names, phone numbers and postcodes that people type into address fields.
//
// The rule, in order: labels such as 收货人 or 联系电话 are dropped; the text is split at spaces
// and punctuation, and parts without any sign of an address (a name, a phone number, a postcode)
// are dropped; in what remains, the first road number (路…号, 路…弄) ends the address, and so
// does, before it, the first building, unit, floor or room (10号楼, 九栋, 5单元, 3F, 401室).
func CoarseAddress(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		// A latin address: no names to drop by script, so cut at the flat, floor or room.
		s = strings.TrimSpace(longNumber.ReplaceAllString(emailLike.ReplaceAllString(foldDigits(s), ""), ""))
		if m := latinDetail.FindStringIndex(s); m != nil {
			s = s[:m[0]]
		}
		return strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
	}
	hasLabel := strings.ContainsFunc(s, func(r rune) bool { return strings.ContainsRune(labelRunes, r) }) && labels.MatchString(s)
	if !hasLabel && !strings.ContainsFunc(s, mayMatter) {
		// No digit, numeral, separator, label or @: one part with no number to cut at — an
		// address if it has a sign of one (淞虹路地铁站), a name otherwise.
		if hasMarker(s) {
			return s
		}
		return ""
	}
	if hasLabel {
		s = labels.ReplaceAllString(s, " ")
	}
	var kept, dropped []string
	for _, part := range strings.FieldsFunc(s, isSeparator) {
		if strings.Contains(part, "@") {
			part = emailLike.ReplaceAllString(part, "")
		}
		part = foldDigits(part)
		if countDigits(part) >= 7 {
			part = strings.TrimSpace(longNumber.ReplaceAllString(part, ""))
		}
		switch {
		case part == "":
		case hasMarker(part):
			kept = append(kept, part)
		default:
			dropped = append(dropped, part)
		}
	}
	// A name typed twice, once stuck to the address ("东城区嘿嘿 嘿嘿"), goes from both places.
	for i, part := range kept {
		for _, name := range dropped {
			if utf8.RuneCountInString(name) >= 2 && strings.HasSuffix(part, name) && part != name {
				part = strings.TrimSuffix(part, name)
			}
		}
		kept[i] = part
	}
	out := strings.Join(kept, " ")
	road := roadNumber.FindStringIndex(out)
	detail := buildingDetail.FindStringIndex(out)
	switch {
	case road != nil && (detail == nil || road[0] <= detail[0]):
		out = out[:road[1]]
	case detail != nil:
		out = out[:detail[0]]
	}
	return strings.TrimRightFunc(out, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
}

// labelRunes are the first characters of the labels; without one of them no label can match.
const labelRunes = "收联姓电手所详地"

func isSeparator(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune(",，。;；、|", r)
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// markerRunes and markerWords are the signs of an address: an administrative unit, a road, a
// house number, an estate, a building, a landmark. A part of an address without one is a name
// or a remark.
const markerRunes = "省市区县旗镇乡路街巷弄号號村组屯庄苑园府城湾墅邸庭里坊站院校馆所局厂店部桥楼栋幢座室层"

var markerWords = []string{"胡同", "大厦", "广场", "中心", "公寓", "大学", "银行", "机场", "码头", "地铁", "商场", "农场", "工业", "单元"}

func hasMarker(s string) bool {
	if strings.ContainsFunc(s, func(r rune) bool { return strings.ContainsRune(markerRunes, r) }) {
		return true
	}
	for _, w := range markerWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// mayMatter reports whether r may take part in a cut, a separation or a removal.
func mayMatter(r rune) bool {
	return r < utf8.RuneSelf && (r >= '0' && r <= '9' || r == '@' || r == ',' || r == ';' || r == '|' || r == '#' || unicode.IsSpace(r) ||
		r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') ||
		r >= '０' && r <= '９' || strings.ContainsRune("一二三四五六七八九十百零〇两，。；、\u3000", r) || unicode.IsSpace(r)
}

// foldDigits turns full-width digits into ASCII ones, so that the patterns below see them.
func foldDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + (r - '０')
		}
		return r
	}, s)
}

const cnNum = `[一二三四五六七八九十百零〇两]`

var (
	// labels are the words of a form or a parcel slip in front of a name, a phone or the address.
	labels = regexp.MustCompile(`(?:收货人|收件人|联系人|姓名|联系电话|联系方式|手机号码|手机号|手机|电话|所在地区|详细地址|地址)[:：]?`)
	// longNumber is a phone, ID or bank-card number (seven or more digits) inside a part.
	longNumber = regexp.MustCompile(`(?:\+?86[- ]?)?[0-9](?:-?[0-9]){6,}[Xx]?`)
	// latinDetail starts the flat, floor or room of an address in latin letters.
	latinDetail = regexp.MustCompile(`(?i)\b(?:room|rm|apt|apartment|flat|floor|fl|unit|suite)\b|#`)
	// roadNumber is a road (or lane) with its number: 仙霞西路88弄, 天府大道中段530号. The address
	// ends after it.
	roadNumber = regexp.MustCompile(`(?:路|街|道|巷|弄|里|坊|胡同|大道|公路)(?:[东南西北中]段)?\s*[0-9]+(?:-[0-9]+)?\s*(?:弄|号|號)`)
	// buildingDetail is a building of an estate, a unit, a floor or a room: 23号楼, 九栋, 5单元,
	// 3F, B1层, 401室, 3-502. The address ends before it.
	buildingDetail = regexp.MustCompile(`(?:[0-9]+|` + cnNum + `+)\s*(?:号楼|號樓|#楼|#|栋|棟|幢|座|单元|單元|楼|樓|层|層|室|户|房)|` +
		`[A-Za-z]\s*(?:座|栋|幢|区[0-9])|[0-9]+[Ff]\b|[Bb][0-9]+层?|地下` + cnNum + `*层|[0-9]+-[0-9]{3,4}(?:室)?`)
)
