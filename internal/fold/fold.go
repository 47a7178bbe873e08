// Package fold brings Chinese text to one form for matching and search: width (全角/半角),
// compatibility forms, traditional characters to simplified ones, and ASCII case. Addresses
// (dispatch), search (orders) and imports all fold the same way.
package fold

import (
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

//go:generate go run gen.go TSCharacters.txt

// simplified maps a traditional character to its simplified form (table.go, from
// OpenCC's character table: 4,098 pairs, the first simplified form of each).
var simplified = sync.OnceValue(func() map[rune]rune {
	m := make(map[rune]rune, utf8.RuneCountInString(tradToSimp)/2)
	var k rune
	for i, r := range []rune(tradToSimp) {
		if i%2 == 0 {
			k = r
		} else {
			m[k] = r
		}
	}
	return m
})

// String brings text to one form for matching and search: Unicode NFKC (full-width letters,
// digits and punctuation to their ASCII forms, the ideographic space to a space, compatibility
// ideographs to unified ones), traditional characters to simplified ones character by
// character (陸家嘴 → 陆家嘴, 長寧區 → 长宁区), and ASCII letters to lower case. Both the indexed
// text and the query go through String, so a character with several simplified readings
// (髮 and 發 → 发) still matches itself; the seven characters simplified Chinese writes too
// (乾, 於, 夥…) are kept, so 乾溪新村 stays 乾溪新村. Spaces are kept; text already folded is returned without allocating.
func String(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii && norm.NFKC.QuickSpanString(s) < len(s) {
		s = norm.NFKC.String(s)
	}
	if ascii {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c >= 'A' && c <= 'Z' {
				return strings.ToLower(s)
			}
		}
		return s
	}
	t2s := simplified()
	for i, r := range s {
		if foldRune(t2s, r) != r {
			var b strings.Builder
			b.Grow(len(s))
			b.WriteString(s[:i])
			for _, r := range s[i:] {
				b.WriteRune(foldRune(t2s, r))
			}
			return b.String()
		}
	}
	return s
}

func foldRune(t2s map[rune]rune, r rune) rune {
	switch {
	case r >= 'A' && r <= 'Z':
		return r + ('a' - 'A')
	case r >= 0x3400:
		if s, ok := t2s[r]; ok {
			return s
		}
	}
	return r
}

// Rune folds one character as String does, except for NFKC: an ASCII letter to lower case, a
// traditional character to its simplified form. Tokenizers that walk text rune by rune (search)
// use it after their own width folding.
func Rune(r rune) rune { return foldRune(simplified(), r) }
