package label

import "testing"

func TestLabels(t *testing.T) {
	ls := []Label{{Code: "open", ZH: "征询中", EN: "Open"}, {Code: "closed", ZH: "已截止", EN: "Closed"}}
	if !Valid(ls, "open") || Valid(ls, "opened") {
		t.Error("Valid")
	}
	if Codes(ls) != "open, closed" {
		t.Errorf("Codes: %q", Codes(ls))
	}
	if Of(ls, "closed", "en") != "Closed" || Of(ls, "closed", "zh") != "已截止" || Of(ls, "x", "zh") != "x" {
		t.Error("Of")
	}
	if n := Names(ls, "en"); n["open"] != "Open" || len(n) != 2 {
		t.Errorf("Names: %v", n)
	}
}
