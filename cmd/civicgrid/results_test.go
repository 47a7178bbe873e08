package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/results"
	"github.com/civicgrid/civicgrid/internal/store"
)

// The results commands on the demo: list, the half-year report, a bulk import (a bad file writes
// nothing and names its cells; a dry run writes nothing; then it applies), the evaluation settings,
// and the raters' key kept out of the settings list.
func TestResultsCommands(t *testing.T) {
	data := demoData(t)
	code, out, errOut := cli(t, "results", "list", "--data", data, "--town", "310105102")
	if code != 0 || !strings.Contains(out, "精品小区建设") || !strings.Contains(out, "林泉居民区生境花园") {
		t.Fatalf("results list: %d %s %s", code, out, errOut)
	}
	file := filepath.Join(t.TempDir(), "h1.xlsx")
	code, out, errOut = cli(t, "results", "report", "--data", data, "--town", "310105102", "--half", "2025H1", "--out", file)
	if code != 0 || !strings.Contains(out, "10 projects, mean progress 47.7%") {
		t.Fatalf("results report: %d %s %s", code, out, errOut)
	}
	x, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows(x.GetSheetList()[0])
	if len(rows) < 12 || rows[2][1] != "精品小区建设" || rows[2][4] != "30.6%" {
		t.Errorf("report rows %q", rows[:min(3, len(rows))])
	}
	if code, _, _ := cli(t, "results", "report", "--data", data, "--town", "310105102", "--half", "2025H3", "--out", file); code == 0 {
		t.Error("a bad period was accepted")
	}

	db, err := store.Open(context.Background(), store.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	var garden int64
	if err := db.QueryRow(context.Background(), `SELECT id FROM results WHERE title = ?`, "林泉居民区生境花园").Scan(&garden); err != nil {
		t.Fatal(err)
	}
	// The raters' key exists once someone has rated.
	if _, err := results.New(db).Rated(context.Background(), garden, auth.User{ID: 1}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	sheet := func(progress string) string {
		path := filepath.Join(t.TempDir(), "progress.xlsx")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := results.WriteBulk(f, "2025", [][]string{{fmt.Sprint(garden), "", "", progress, "", "命令行导入", ""}}); err != nil {
			t.Fatal(err)
		}
		return path
	}
	code, out, errOut = cli(t, "results", "import", "--data", data, "--town", "310105102", "--as", "handler_committee", "--year", "2025", sheet("120"))
	if code == 0 || !strings.Contains(out, "第 2 行 D 列") {
		t.Errorf("bad import: %d %s %s", code, out, errOut)
	}
	code, out, _ = cli(t, "results", "import", "--data", data, "--town", "310105102", "--as", "handler_committee", "--dry-run", sheet("75"))
	if code != 0 || !strings.Contains(out, "50.0% → 75.0%") || !strings.Contains(out, "dry run") {
		t.Errorf("dry run: %d %s", code, out)
	}
	code, out, _ = cli(t, "results", "import", "--data", data, "--town", "310105102", "--as", "handler_committee", sheet("75"))
	if code != 0 || !strings.Contains(out, "applied: 1 changes") {
		t.Errorf("import: %d %s", code, out)
	}
	if code, out, _ = cli(t, "results", "list", "--data", data, "--town", "310105102"); !strings.Contains(out, "75.0%") {
		t.Errorf("after import: %s", out)
	}

	for _, c := range []struct {
		key, value string
		ok         bool
	}{{"results_rectify_threshold", "25", true}, {"results_rectify_threshold", "120", false}, {"results_min_ratings", "0", false}, {"results_min_ratings", "20", true}} {
		if code, _, _ := cli(t, "settings", "set", "--data", data, "--town", "310105102", c.key, c.value); (code == 0) != c.ok {
			t.Errorf("settings set %s %s: exit %d", c.key, c.value, code)
		}
	}
	_, out, _ = cli(t, "settings", "list", "--data", data, "--town", "310105102")
	if !strings.Contains(out, "results_rectify_threshold") || strings.Contains(out, results.SettingRaterKey) {
		t.Errorf("settings list: %s", out)
	}
}
