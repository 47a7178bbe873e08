package dispatch

import "testing"

func TestFoldAddress(t *testing.T) {
	for in, want := range map[string]string{"ＸＪ　１２３": "xj123", "仙霞西路 88 号": "仙霞西路88号", "": ""} {
		if got := foldAddress(in); got != want {
			t.Errorf("foldAddress(%q) = %q, want %q", in, got, want)
		}
	}
}
