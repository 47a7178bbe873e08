package privacy

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Hidden replaces a text that is masked as a whole (a household's needs): what it says cannot be
// masked word by word, so nothing of it is shown.
const Hidden = "***"

// MaskPhone hides the middle of a phone number: 13812345678 → 138****5678.
func MaskPhone(p string) string {
	r := []rune(p)
	switch {
	case len(r) == 0:
		return ""
	case len(r) <= 4:
		return "****"
	case len(r) <= 7:
		return string(r[:1]) + "****" + string(r[len(r)-2:])
	default:
		return string(r[:3]) + "****" + string(r[len(r)-4:])
	}
}

// MaskName keeps a Chinese name's surname: 王小明 → 王**. A name that carries more than a name —
// digits, brackets or several words, as a visit target's contact does ("王阿姨 138…（独居老人）")
// — is masked as a contact.
func MaskName(n string) string {
	n = strings.TrimSpace(n)
	if n == "" {
		return ""
	}
	if strings.IndexFunc(n, func(r rune) bool { return !unicode.IsLetter(r) && r != '·' && r != '.' }) >= 0 {
		return MaskContact(n)
	}
	r := []rune(n)
	if len(r) == 1 {
		return "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}

// MaskContact masks a free contact string: every name keeps its first character, every number
// its ends, and what brackets say is dropped:
// "王阿姨 13812345678（独居老人）" → "王** 138****5678（…）".
func MaskContact(s string) string {
	s = bracketed.ReplaceAllStringFunc(s, func(m string) string {
		open, _ := utf8.DecodeRuneInString(m)
		closing, _ := utf8.DecodeLastRuneInString(m)
		return string(open) + "…" + string(closing)
	})
	s = MaskText(s)
	return words.ReplaceAllStringFunc(s, func(w string) string {
		r := []rune(w)
		if len(r) == 1 {
			return w
		}
		return string(r[0]) + strings.Repeat("*", len(r)-1)
	})
}

var (
	bracketed = regexp.MustCompile(`（[^（）]*）|\([^()]*\)|【[^【】]*】|\[[^\[\]]*\]`)
	// words are runs of letters: a Chinese name, a latin name, a label.
	words = regexp.MustCompile(`[\p{L}]+`)
)

// MaskText masks what identifies a person inside free text — phone numbers (also written in
// Chinese numerals or full-width digits, with +86, dashes or spaces), ID numbers, e-mail
// addresses — and each of names (of two or more characters) wherever it occurs. Dates and order
// numbers stay: they identify nobody and the text needs them.
func MaskText(s string, names ...string) string {
	if s == "" {
		return s
	}
	if strings.Contains(s, "@") {
		s = emailLike.ReplaceAllStringFunc(s, func(m string) string {
			_, domain, _ := strings.Cut(m, "@")
			return "***@" + domain
		})
	}
	s = maskNumbers(s)
	for _, n := range names {
		// A one-character name would mask that character everywhere; such names are not given.
		if n = strings.TrimSpace(n); utf8.RuneCountInString(n) >= 2 {
			s = strings.ReplaceAll(s, n, MaskName(n))
		}
	}
	return s
}

var (
	emailLike = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	// numberLike runs on the text with every digit folded to ASCII: seven or more digits,
	// optionally after +86 and split by dashes or spaces, with an ID number's final X.
	// It catches mobile and landline numbers, ID and bank-card numbers, but not house numbers
	// (1035弄) or amounts.
	// Up to three separators may stand between digits ("138 - 1234 - 5678"); the folded text has
	// every dash, dot and space of any width as '-' or ' ' (see foldRune).
	numberLike = regexp.MustCompile(`(?:\+?86[- ]{0,3})?[0-9](?:[- ]{0,3}[0-9]){6,}[Xx]?`)
	// orderNumberLike is an order number (310105102-20251001-000123, or XJ-… whose digits start
	// at the date), which merge reasons quote and which is no one's personal data.
	orderNumberLike = regexp.MustCompile(`^(?:[0-9]+-)?[0-9]{8}-[0-9]{6,}$`)
	// dateLike is a written date (2025-10-01, 2025 10 01), possibly followed by an hour.
	dateLike = regexp.MustCompile(`^(?:19|20)[0-9]{2}[- ](?:0?[1-9]|1[0-2])[- ](?:0?[1-9]|[12][0-9]|3[01])(?: [0-9]{1,2})?$`)
)

// foldRune folds a digit as people write phone numbers to its ASCII digit (digitOf), and the
// separators they put between digits to '-' (dashes of every width, dots, middle dots) or ' '
// (spaces, the ideographic space, tabs), one rune for one rune.
func foldRune(r rune) rune {
	switch r {
	case '－', '‐', '‑', '‒', '–', '—', '―', '.', '．', '·', '・':
		return '-'
	case '\u3000', '\t':
		return ' '
	}
	return digitOf(r)
}

// digitOf folds full-width digits, circled digits and Chinese numerals (as people read out phone
// numbers: 幺三八…) to ASCII digits; other runes are returned as they are.
func digitOf(r rune) rune {
	switch {
	case r >= '０' && r <= '９':
		return '0' + (r - '０')
	case r >= '①' && r <= '⑨':
		return '1' + (r - '①')
	}
	switch r {
	case '零', '〇', '○', '⓪':
		return '0'
	case '一', '幺', '壹':
		return '1'
	case '二', '两', '贰':
		return '2'
	case '三', '叁':
		return '3'
	case '四', '肆':
		return '4'
	case '五', '伍':
		return '5'
	case '六':
		return '6' // not 陆: it is a surname (and 陆家嘴) far more often than a digit
	case '七', '柒':
		return '7'
	case '八', '捌':
		return '8'
	case '九', '玖':
		return '9'
	}
	return r
}

// maskNumbers masks numberLike runs. It matches on a folded copy of s (one rune for one rune) and
// masks the original runes, so a number read out as 一三八一二三四五六七八 is caught and shown as
// 一三八****五六七八.
func maskNumbers(s string) string {
	// Most texts hold fewer than seven digits of any kind: nothing to look for.
	digits, changed := 0, false
	for _, r := range s {
		d := foldRune(r)
		if d >= '0' && d <= '9' {
			digits++
		}
		changed = changed || d != r
	}
	if digits < 7 {
		return s
	}
	if !changed {
		return numberLike.ReplaceAllStringFunc(s, maskNumber)
	}
	runes := []rune(s)
	folded := make([]rune, len(runes))
	for i, r := range runes {
		folded[i] = foldRune(r)
	}
	// Byte offsets in the folded text → rune indexes, to map the matches back.
	f := string(folded)
	at := make(map[int]int, len(folded)+1)
	b := 0
	for i, r := range folded {
		at[b] = i
		b += utf8.RuneLen(r)
	}
	at[b] = len(folded)
	var out strings.Builder
	last := 0
	for _, m := range numberLike.FindAllStringIndex(f, -1) {
		from, to := at[m[0]], at[m[1]]
		// Only a run that uses digits all along counts: 三 alone in a sentence stays.
		orig := string(runes[from:to])
		if maskNumber(f[m[0]:m[1]]) == f[m[0]:m[1]] {
			continue
		}
		out.WriteString(string(runes[last:from]))
		out.WriteString(MaskPhone(orig))
		last = to
	}
	out.WriteString(string(runes[last:]))
	return out.String()
}

// maskNumber masks one numberLike match unless it is a date or an order number.
func maskNumber(m string) string {
	if orderNumberLike.MatchString(m) || dateLike.MatchString(m) {
		return m
	}
	return MaskPhone(m)
}
