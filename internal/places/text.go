package places

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/problem"
)

// Limits of the free-text fields of towns' records, in characters. They are generous for real
// names (the longest demo department name is 15 characters) and keep a megabyte "name" out of
// pages, maps and exports. docs/SECURITY.md lists them.
const (
	MaxCodeLen    = 64  // grid, department and committee codes: ASCII letters, digits, - _ .
	MaxNameLen    = 64  // names of grids, departments, committees, members and users
	MaxNameENLen  = 128 // English names
	MaxPlaceLen   = 128 // place names, address parts
	MaxAddressLen = 256 // a whole written address
	MaxNoteLen    = 500 // notes
	MaxPhoneLen   = 32  // one phone number, possibly with an extension
	MaxKindLen    = 32  // the kind of a place
)

// Text checks one line of free text for field: it returns s trimmed, or a field error when it
// is not valid UTF-8, holds a control character (a NUL, which PostgreSQL refuses, a newline or
// tab, which a one-line field never needs) or a bidirectional override that could make a name
// display as something else, or is longer than max characters.
func Text(field, s string, max int) (string, error) {
	return checkText(field, s, max, false)
}

// RequiredText is Text for a field that may not be empty.
func RequiredText(field, s string, max int) (string, error) {
	s, err := Text(field, s, max)
	if err == nil && s == "" {
		err = problem.Field(field, "is required")
	}
	return s, err
}

// LongText is Text for multi-line fields (notes): newlines and tabs are allowed.
func LongText(field, s string, max int) (string, error) {
	return checkText(field, s, max, true)
}

func checkText(field, s string, max int, multiline bool) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return s, problem.Field(field, "is not valid UTF-8 text")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return s, problem.Field(field, "is %d characters long; at most %d are allowed", n, max)
	}
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t') {
			continue
		}
		if r == '\r' && multiline {
			continue
		}
		if unicode.Is(unicode.Cc, r) || isBidiControl(r) {
			return s, problem.Field(field, "contains the control character %U; use plain text", r)
		}
	}
	return s, nil
}

// isBidiControl reports the embedding, override and isolate marks (U+202A–U+202E,
// U+2066–U+2069) that reorder how the text around them is displayed.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// Code checks a record code: it appears in URLs, file names and other systems' data, so it is
// 1 to MaxCodeLen ASCII letters, digits, '-', '_' and '.'.
func Code(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return s, problem.Field(field, "is required")
	}
	if len(s) > MaxCodeLen {
		return s, problem.Field(field, "is %d characters long; at most %d are allowed", len(s), MaxCodeLen)
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return s, problem.Field(field, "may contain only letters, digits, '-', '_' and '.', not %q", r)
		}
	}
	return s, nil
}

// Phone checks a phone number as people write them in China — "13812345678",
// "021-62345678转123", "+86 138 1234 5678", two numbers separated by "/" — and nothing else:
// digits, spaces, + - ( ) # * , / and 转, at most MaxPhoneLen characters, with at least one digit
// unless it is empty.
func Phone(field, s string) (string, error) {
	s, err := Text(field, s, MaxPhoneLen)
	if err != nil || s == "" {
		return s, err
	}
	digit := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune(" +-()#*,/转", r):
		default:
			return s, problem.Field(field, "may contain only digits, spaces and + - ( ) # * , / 转, not %q", r)
		}
	}
	if !digit {
		return s, problem.Field(field, "has no digit")
	}
	return s, nil
}
