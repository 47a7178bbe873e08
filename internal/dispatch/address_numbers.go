package dispatch

import (
	"strconv"
	"strings"
)

// part2 is one number of a chain: 176弄 3支弄 12号.
type part2 struct {
	n    int
	unit string
}

var numberUnits = []string{"支弄", "弄", "号"}

// numberChain reads "176弄3支弄12号301室" as 176弄, 3支弄, 12号; a bare leading number
// ("88") is one part without a unit.
func numberChain(s string) []part2 {
	var out []part2
	for {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i > 6 {
			return out
		}
		n, _ := strconv.Atoi(s[:i])
		unit := ""
		for _, u := range numberUnits {
			if strings.HasPrefix(s[i:], u) {
				unit = u
				break
			}
		}
		out = append(out, part2{n, unit})
		if unit == "" || unit == "号" {
			return out
		}
		s = s[i+len(unit):]
	}
}

func joinChain(c []part2) string {
	var b strings.Builder
	for _, p := range c {
		b.WriteString(strconv.Itoa(p.n))
		b.WriteString(p.unit)
	}
	return b.String()
}

// buildingNumber reads the building at the start of s: 12号楼, 12栋, 12幢, 12号, 12楼 → 12.
func buildingNumber(s string) (int, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i > 5 {
		return 0, false
	}
	n, _ := strconv.Atoi(s[:i])
	if rest := s[i:]; rest == "" || strings.HasPrefix(rest, "号") || strings.HasPrefix(rest, "栋") ||
		strings.HasPrefix(rest, "幢") || strings.HasPrefix(rest, "楼") || strings.HasPrefix(rest, "座") {
		return n, true
	}
	return 0, false
}

// numerals writes Chinese numbers before 号, 弄, 支弄, 栋, 幢, 楼, 座 and 单元 in digits:
// 十三号楼 → 13号楼, 一百零八弄 → 108弄. Other Chinese numerals (天山一村) are names and stay.
func numerals(s string) string {
	if !strings.ContainsAny(s, "零〇一二两三四五六七八九十百千") {
		return s
	}
	rs := []rune(s)
	var b strings.Builder
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && strings.ContainsRune("零〇一二两三四五六七八九十百千", rs[j]) {
			j++
		}
		if j > i && j < len(rs) && strings.ContainsRune("号弄支栋幢楼座单", rs[j]) {
			if n, ok := chineseNumber(rs[i:j]); ok {
				b.WriteString(strconv.Itoa(n))
				i = j
				continue
			}
		}
		if j == i {
			j = i + 1
		}
		b.WriteString(string(rs[i:j]))
		i = j
	}
	return b.String()
}

func chineseNumber(rs []rune) (int, bool) {
	digit := map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	unit := map[rune]int{'十': 10, '百': 100, '千': 1000}
	total, cur := 0, -1
	positional := true // 一〇八 written digit by digit
	for _, r := range rs {
		if _, ok := unit[r]; ok {
			positional = false
		}
	}
	if positional {
		n := 0
		for _, r := range rs {
			n = n*10 + digit[r]
		}
		return n, true
	}
	for _, r := range rs {
		if d, ok := digit[r]; ok {
			cur = d
			continue
		}
		u := unit[r]
		if cur < 0 {
			cur = 1 // 十三: one ten
		}
		total += cur * u
		cur = -1
	}
	if cur > 0 {
		total += cur
	}
	return total, total > 0
}
