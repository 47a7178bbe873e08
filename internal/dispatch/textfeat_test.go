package dispatch

import "testing"

func TestFoldRune(t *testing.T) {
	for in, want := range map[rune]rune{'Ａ': 'a', 'ａ': 'a', '１': '1', 'B': 'b', '路': '路', '，': 0, '。': 0, ' ': 0, '　': 0, 'é': 'é', '陸': '陸'} {
		if got := foldRune(in); got != want {
			t.Errorf("foldRune(%q) = %q, want %q", in, got, want)
		}
	}
}
