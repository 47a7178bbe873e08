package main

import (
	"strings"
	"testing"
)

// TestSettingOpen311Photos: a town publishes its photos through Open311 only by saying so, with
// true or false and nothing else.
func TestSettingOpen311Photos(t *testing.T) {
	data := demoData(t)
	for _, c := range []struct {
		value string
		ok    bool
	}{{"yes", false}, {"", false}, {"true", true}, {"false", true}} {
		code, out, errOut := cli(t, "settings", "set", "--data", data, "--town", "310105102", "open311_public_photos", c.value)
		if (code == 0) != c.ok || !strings.Contains(out+errOut, "open311_public_photos") {
			t.Errorf("settings set open311_public_photos %q: exit %d, %q %q", c.value, code, out, errOut)
		}
	}
	if _, out, _ := cli(t, "settings", "list", "--data", data, "--town", "310105102"); !strings.Contains(out, "open311_public_photos") {
		t.Errorf("settings list: %s", out)
	}
}
