package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// withStdin runs f with stdin reading s.
func withStdin(t *testing.T, s string, f func()) {
	t.Helper()
	old := stdin
	stdin = strings.NewReader(s)
	defer func() { stdin = old }()
	f()
}

func TestCLITrainClassifyEval(t *testing.T) {
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("text,label\n")
	fillers := []string{"小区门口", "昨天晚上", "我们楼下", "最近一直", "请有关部门", "居民反映"}
	for i, f := range fillers {
		g := fillers[(i+2)%len(fillers)]
		fmt.Fprintf(&csv, "%s路灯坏了%s,照明\n%s有人乱扔垃圾%s,环卫\n\"%s装修噪音扰民,%s\",噪音\n", f, g, g, f, f, g)
	}
	data := filepath.Join(dir, "train.csv")
	os.WriteFile(data, []byte(csv.String()), 0o644)
	model := filepath.Join(dir, "m.json")

	if code, out, errOut := cli(t, "train", "--data", data, "--out", model); code != 0 || !strings.Contains(out, "trained on 18 texts") {
		t.Fatalf("train: %d %s %s", code, out, errOut)
	}
	var out string
	withStdin(t, "新村的路灯坏了\n楼道里都是垃圾\n", func() {
		var code int
		var errOut string
		code, out, errOut = cli(t, "classify", "--model", model, "--explain", "2")
		if code != 0 {
			t.Fatalf("classify: %d %s", code, errOut)
		}
	})
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("classify wrote %d lines for 2 texts: %s", len(lines), out)
	}
	var got struct {
		Label   string
		Top     [][2]any
		Because []struct{ Gram string }
	}
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatal(err)
	}
	if got.Label != "照明" || len(got.Top) != 3 || got.Top[0][0] != "照明" || len(got.Because) == 0 || !strings.Contains(got.Because[0].Gram, "路灯") {
		t.Errorf("classify: %s", lines[0])
	}
	if !strings.Contains(lines[1], `"label":"环卫"`) {
		t.Errorf("second line: %s", lines[1])
	}

	// A store keeps versions and rolls back.
	store := filepath.Join(dir, "models")
	for range 2 {
		if code, _, errOut := cli(t, "train", "--data", data, "--store", store); code != 0 {
			t.Fatalf("train --store: %s", errOut)
		}
	}
	if code, out, _ := cli(t, "model", "rollback", "--store", store); code != 0 || !strings.Contains(out, "version 1 is current") {
		t.Errorf("rollback: %d %s", code, out)
	}
	if code, out, _ := cli(t, "model", "list", "--store", store); code != 0 || out != "* 1\n  2\n" {
		t.Errorf("model list: %q", out)
	}

	if code, out, errOut := cli(t, "eval", "--data", data, "--folds", "3", "--seeds", "1,2"); code != 0 || !strings.Contains(out, "keyword rules") || !strings.Contains(out, "most frequent label") || !strings.Contains(out, "ensemble") {
		t.Errorf("eval: %d %s %s", code, out, errOut)
	}
	// Departments: 照明 and 环卫 are one department's, so a text of either is right by department
	// whichever of the two comes first; every system is scored on both in the same run.
	depts := filepath.Join(dir, "depts.csv")
	os.WriteFile(depts, []byte("label,department\n照明,市容\n环卫,市容\n噪音,执法\n"), 0o644)
	code, out, errOut := cli(t, "eval", "--data", data, "--folds", "3", "--departments", depts)
	if code != 0 {
		t.Fatalf("eval --departments: %d %s", code, errOut)
	}
	cat, dep, found := strings.Cut(out, "\ndepartment ")
	if !found || strings.Count(cat, "ensemble (") != 2 || strings.Count(dep, "ensemble (") != 2 || !strings.Contains(dep, "most frequent label") {
		t.Errorf("eval --departments: %s", out)
	}
	// The three labels have 6 texts each: the most frequent label is the first by name, 噪音, whose
	// department 执法 is right for 6 of 18 texts; 市容 follows, so every text has its department in the top 3.
	if !strings.Contains(dep, "most frequent label                  0.333         1.000") {
		t.Errorf("department baseline: %s", dep)
	}
	os.WriteFile(depts, []byte("label,department\n照明,市容\n"), 0o644)
	if code, _, errOut := cli(t, "eval", "--data", data, "--folds", "3", "--departments", depts); code == 0 || !strings.Contains(errOut, "has no department") {
		t.Errorf("eval with a label lacking its department: %d %s", code, errOut)
	}
	if code, _, errOut := cli(t, "train", "--out", model); code == 0 || !strings.Contains(errOut, "civicgrid model train --town") {
		t.Errorf("train without --data: %d %s", code, errOut)
	}
}

func TestCLISimilar(t *testing.T) {
	in := `{"id":"1","text":"翠竹苑小区3号楼门口的路灯坏了，晚上一片漆黑","time":"2026-11-01T08:00:00+08:00","lat":31.21,"lng":121.39}
{"id":"2","text":"翠竹苑3号楼门口路灯不亮了，晚上漆黑一片","time":"2026-11-03 09:00:00","lat":31.2115,"lng":121.39}
{"id":"3","text":"翠竹苑3号楼门口路灯不亮了，晚上漆黑一片","time":"2026-11-04 09:00:00","lat":31.26,"lng":121.39}
{"id":"4","text":"翠竹苑3号楼门口路灯不亮了，晚上漆黑一片","time":"2027-02-01 09:00:00","lat":31.21,"lng":121.39}
`
	var out string
	withStdin(t, in, func() {
		var code int
		var errOut string
		code, out, errOut = cli(t, "similar")
		if code != 0 {
			t.Fatalf("similar: %d %s", code, errOut)
		}
	})
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], `{"a":"2","b":"1","score":`) || !strings.Contains(lines[0], `"distance_m":`) {
		t.Errorf("similar: want only 2 ~ 1 (3 is 5 km away, 4 three months later), got:\n%s", out)
	}
	withStdin(t, `{"id":"1","text":"x","time":"yesterday"}`, func() {
		if code, _, errOut := cli(t, "similar"); code == 0 || !strings.Contains(errOut, "line 1: time") {
			t.Errorf("bad time: %d %s", code, errOut)
		}
	})
}
