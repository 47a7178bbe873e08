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
	s = labels.ReplaceAllString(s, " ")
	var kept, dropped []string
	for _, part := range separators.Split(s, -1) {
		part = emailLike.ReplaceAllString(part, "")
		part = strings.TrimSpace(longNumber.ReplaceAllString(foldDigits(part), ""))
		switch {
		case part == "":
		case addressMarker.MatchString(part):
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
	// separators split an address into parts.
	separators = regexp.MustCompile(`[\s,，。;；、|]+`)
	// longNumber is a phone, ID or bank-card number (seven or more digits) inside a part.
	longNumber = regexp.MustCompile(`(?:\+?86[- ]?)?[0-9](?:-?[0-9]){6,}[Xx]?`)
	// addressMarker is any sign of an address: an administrative unit, a road, a house number, an
	// estate, a building, a landmark. A part without one is a name or a remark.
	addressMarker = regexp.MustCompile(`省|市|区|县|旗|镇|乡|街道|路|街|巷|弄|胡同|号|號|村|组|屯|庄|小区|社区|苑|园|府|城|湾|墅|邸|庭|大厦|广场|中心|大楼|公寓|新村|里|坊|站|宾馆|酒店|学校|大学|学院|医院|院|校|馆|所|局|厂|店|超市|银行|部|公园|机场|码头|地铁|桥|市场|商场|农场|工业|开发区|楼|栋|幢|座|单元|室|层`)
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
