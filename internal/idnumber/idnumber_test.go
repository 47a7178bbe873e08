package idnumber

import "testing"

func TestValid(t *testing.T) {
	for _, c := range []struct {
		id   string
		want bool
	}{
		{"11010519491231002X", true}, // the standard's own example
		{"11010519491231002x", false},
		{"110105194912310021", false}, // wrong check character
		{"11010519491331002X", false}, // month 13
		{"1101051949123100", false},
		{"1101051949123100A2", false},
		{Make("310105", "19500630", 1, true), true},
		{Make("310105", "20000229", 7, false), true},
	} {
		if got := Valid(c.id); got != c.want {
			t.Errorf("Valid(%q) = %v, want %v", c.id, got, c.want)
		}
	}
	if id := Make("310105", "19500630", 101, true); id[14:17] != "011" {
		t.Errorf("Make: sequence and gender digits of %s", id)
	}
}
