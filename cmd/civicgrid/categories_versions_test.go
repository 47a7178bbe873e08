package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// categories import publishes a tree from a CSV as a new version (a later date waits for it),
// refuses a bad one with its rows named in both languages, and versions lists them.
func TestCategoriesImportAndVersions(t *testing.T) {
	data := demoData(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("编码,上级编码,名称,类型\n01,,市容环境,事件\n0101,09,暴露垃圾,\n"), 0o644)
	code, _, errOut := cli(t, "categories", "import", "--data", data, "--town", "310105102", bad)
	if code == 0 || !strings.Contains(errOut, "第 3 行 「上级编码」：上级编码 09 不在表中") || !strings.Contains(errOut, "row 3, column parent: parent 09 is not in the tree") {
		t.Errorf("bad tree: %d %q", code, errOut)
	}
	// The demo's orders use every demo code; a tree keeping them and adding one is accepted.
	export := filepath.Join(dir, "tree.xlsx")
	if code, out, errOut := cli(t, "categories", "export", "--data", data, "--town", "310105102", "--out", export); code != 0 || !strings.Contains(out, "wrote version 1") {
		t.Fatalf("export: %d %s %s", code, out, errOut)
	}
	code, out, errOut := cli(t, "categories", "import", "--data", data, "--town", "310105102", export, "--valid-from", "2099-01-01", "--note", "明年")
	if code != 0 || !strings.Contains(out, "published version 2") || !strings.Contains(out, "takes effect on 2099-01-01") {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	_, out, _ = cli(t, "categories", "versions", "--data", data, "--town", "310105102")
	if !strings.Contains(out, "pending") || !strings.Contains(out, "current") || !strings.Contains(out, "明年") {
		t.Errorf("versions:\n%s", out)
	}
}
