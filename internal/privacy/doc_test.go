package privacy

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated block of docs/SECURITY.md")

const (
	docBegin = "<!-- BEGIN GENERATED: privacy.Markdown -->\n"
	docEnd   = "<!-- END GENERATED -->"
)

// TestSecurityDocTable keeps the personal-data table of docs/SECURITY.md equal to Rules, the
// table the code applies, so the threat model never describes a rule the server does not keep.
func TestSecurityDocTable(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "SECURITY.md")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i := strings.Index(doc, docBegin)
	j := strings.Index(doc, docEnd)
	if i < 0 || j < i {
		t.Fatalf("%s: generated-block markers missing", path)
	}
	want := "\n" + strings.TrimSpace(Markdown()) + "\n\n"
	if doc[i+len(docBegin):j] == want {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(doc[:i+len(docBegin)]+want+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is out of date with privacy.Rules; run: go test ./internal/privacy -run TestSecurityDocTable -update", path)
}
