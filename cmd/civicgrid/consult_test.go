package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// consult list and consult export on the demo: the garden's 168 answers, one row each, names
// on paper answers masked unless --personal.
func TestCLIConsult(t *testing.T) {
	data := t.TempDir()
	if code, _, errOut := cli(t, "demo", "--data", data); code != 0 {
		t.Fatalf("demo: %d %s", code, errOut)
	}
	code, out, errOut := cli(t, "consult", "list", "--data", data, "--town", "310105102")
	if code != 0 || !strings.Contains(out, "同Xin街区口袋花园建设意见征询") || !strings.Contains(out, "decided") {
		t.Fatalf("consult list: %d %s %s", code, out, errOut)
	}
	if code, _, _ := cli(t, "consult", "export", "--data", data, "--out", "x.xlsx"); code == 0 {
		t.Error("export without an id succeeded")
	}
	rows := func(personal bool) [][]string {
		file := filepath.Join(t.TempDir(), "garden.xlsx")
		args := []string{"consult", "export", "1", "--data", data, "--out", file}
		if personal {
			args = append(args, "--personal")
		}
		if code, out, errOut := cli(t, args...); code != 0 || !strings.Contains(out, "168 answers") {
			t.Fatalf("consult export: %d %s %s", code, out, errOut)
		}
		x, err := excelize.OpenFile(file)
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		rs, err := x.GetRows(x.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	masked, whole := rows(false), rows(true)
	if len(masked) != 169 || masked[0][0] != "答卷号" || !strings.HasPrefix(masked[0][6], "1. 您对盘活青溪路街角") {
		t.Fatalf("%d rows, header %v", len(masked), masked[0])
	}
	names := 0
	for i, r := range whole[1:] {
		if len(r) > 4 && r[4] != "" {
			names++
			if m := masked[i+1][4]; m == r[4] || !strings.Contains(m, "*") {
				t.Errorf("row %d: %q exported as %q without --personal", i+1, r[4], m)
			}
		}
	}
	if names == 0 {
		t.Error("no paper answer with a name in the demo")
	}
}
