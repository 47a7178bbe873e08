package dispatch

import (
	"strings"

	"github.com/civicgrid/civicgrid/internal/fold"
)

// foldAddress is Fold without spaces of any kind: addresses are written with spaces anywhere
// ("仙霞西路 88 号") and never need them.
func foldAddress(s string) string {
	s = fold.String(s)
	if strings.IndexFunc(s, isSpace) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isSpace(r) {
			return -1
		}
		return r
	}, s)
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u3000' || r == '\u00a0'
}
