package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAddressesImportCLI: a good file is imported and counted; a file with an unknown grid is
// refused with the row and column named in both languages, and exits non-zero.
func TestAddressesImportCLI(t *testing.T) {
	data := demoData(t)
	good := filepath.Join(t.TempDir(), "book.csv")
	os.WriteFile(good, []byte("道路,门牌/弄,小区,楼栋,地标,网格编号\n测试路,1号,,,,310105102-G01\n,,测试小区,2号楼,,310105102-G02\n"), 0o600)
	code, out, errOut := cli(t, "addresses", "import", "--data", data, "--town", "310105102", good)
	if code != 0 || !strings.Contains(out, "imported 2 address-book rows") {
		t.Fatalf("good file: %d %q %q", code, out, errOut)
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("道路,门牌/弄,网格编号\n测试路,3号,310105102-G01\n测试路,5号,NOPE\n"), 0o600)
	code, out, errOut = cli(t, "addresses", "import", bad, "--data", data, "--town", "310105102")
	if code == 0 || !strings.Contains(out, "第 3 行 网格编号：未知网格 NOPE\trow 3, Grid: unknown grid NOPE") || !strings.Contains(errOut, "nothing imported") {
		t.Errorf("bad file: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := cli(t, "addresses", "import", "--data", data, good); code == 0 || !strings.Contains(errOut, "usage") {
		t.Errorf("no town: %d %q", code, errOut)
	}
}
