package intake

import (
	"testing"

	"golang.org/x/text/width"
)

// TestFoldsWidth checks the importer's shortcut around width.Fold against Fold itself, for every
// rune: a rune Fold changes but foldsWidth misses would leave full-width text unfolded.
func TestFoldsWidth(t *testing.T) {
	for r := rune(0); r <= 0x10FFFF; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		s := string(r)
		if changes := width.Fold.String(s) != s; changes && !foldsWidth(r) {
			t.Errorf("width.Fold changes %U but foldsWidth(%U) is false", r, r)
		}
	}
	for in, want := range map[string]string{"ＸＪ　１２３": "XJ123", "仙霞西路 88 号": "仙霞西路88号", "": ""} {
		if got := normalise(in); got != want {
			t.Errorf("normalise(%q) = %q, want %q", in, got, want)
		}
	}
}
