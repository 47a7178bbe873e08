package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCalendarLoad(t *testing.T) {
	data := t.TempDir()
	good := filepath.Join(t.TempDir(), "2027.json")
	os.WriteFile(good, []byte(`{"year":2027,"holidays":["2027-01-01","2027-10-01"],"workdays":["2027-09-26"]}`), 0o644)
	if code, out, errOut := cli(t, "calendar", "load", "--data", data, good); code != 0 || !strings.Contains(out, "calendar 2027 loaded") {
		t.Fatalf("load: %d %s %s", code, out, errOut)
	}
	code, out, _ := cli(t, "calendar", "show", "--data", data, "2027")
	if code != 0 || !strings.Contains(out, "2027-09-26 Sun 调休上班") || !strings.Contains(out, "2027-10-01 Fri 放假") {
		t.Errorf("show after load: %d\n%s", code, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"year":2027,"holidays":["2027-01-01"],"workdays":["2027-01-04"]}`), 0o644)
	code, _, errOut := cli(t, "calendar", "load", "--data", data, bad)
	if code == 0 || !strings.Contains(errOut, "workdays[0]") {
		t.Errorf("a weekday listed as 调休 workday: exit %d, %q; want an error naming workdays[0]", code, errOut)
	}
}

func TestSettings(t *testing.T) {
	data := demoData(t)
	cases := []struct {
		args []string
		ok   bool
		want string
	}{
		{[]string{"--town", "310105102", "deadline_days", `{"general":3}`}, true, "deadline_days"},
		{[]string{"--town", "310105102", "deadline_days", `{"urgent":3}`}, false, "deadline_days"},
		{[]string{"--town", "310105102", "warning_fraction", "1.5"}, false, "between 0 and 1"},
		{[]string{"--town", "310105102", "stage_days", `{"verification":2,"co_handling":3}`}, true, "stage_days"},
		{[]string{"--town", "310105102", "stage_days", `{"handling":2}`}, false, "handling: 2 days"},
		{[]string{"--town", "310105102", "order_prefix", "XJ"}, true, "order_prefix"},
		{[]string{"--town", "999999999", "order_prefix", "XJ"}, false, "town"},
		{[]string{"--town", "310105102", "colour", "red"}, false, "unknown setting"},
	}
	for _, c := range cases {
		code, out, errOut := cli(t, append([]string{"settings", "set", "--data", data}, c.args...)...)
		if (code == 0) != c.ok || !strings.Contains(out+errOut, c.want) {
			t.Errorf("settings set %v: exit %d, %q %q", c.args, code, out, errOut)
		}
	}
	_, out, _ := cli(t, "settings", "list", "--data", data, "--town", "310105102")
	if !strings.Contains(out, `{"general":3}`) || !strings.Contains(out, "XJ") {
		t.Errorf("settings list: %s", out)
	}
}

func TestCategoriesLoad(t *testing.T) {
	data := demoData(t)
	// 陆家嘴 lacks 新泾镇's departments: the default tree loads only without them.
	code, _, errOut := cli(t, "categories", "load", "--data", data, "--town", "310115005")
	if code == 0 || !strings.Contains(errOut, "department: unknown department") {
		t.Errorf("default tree into a town without its departments: %d %q", code, errOut)
	}
	code, out, errOut := cli(t, "categories", "load", "--data", data, "--town", "310115005", "--drop-unknown-departments")
	if code != 0 || !strings.Contains(out, "loaded") {
		t.Fatalf("load: %d %s %s", code, out, errOut)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"categories":[{"code":"01","name":"A"},{"code":"0101","parent":"09","name":"B"}]}`), 0o644)
	code, _, errOut = cli(t, "categories", "load", "--data", data, "--town", "310105102", "--file", bad)
	if code == 0 || !strings.Contains(errOut, `categories[1] (0101): parent "09"`) {
		t.Errorf("orphan category: %d %q", code, errOut)
	}
	_, out, _ = cli(t, "categories", "list", "--data", data, "--town", "310105102")
	if !strings.Contains(out, "暴露垃圾") {
		t.Errorf("list: %s", out)
	}
}
