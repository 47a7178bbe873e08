package privacy

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/docsync"
)

var update = flag.Bool("update", false, "rewrite the generated block of docs/SECURITY.md")

const (
	docBegin = "<!-- BEGIN GENERATED: privacy.Markdown -->\n"
	docEnd   = "<!-- END GENERATED -->"
)

// TestSecurityDocTable keeps the personal-data table of docs/SECURITY.md equal to Rules, the
// table the code applies, so the threat model never describes a rule the server does not keep.
func TestSecurityDocTable(t *testing.T) {
	docsync.Check(t, filepath.Join("..", "..", "docs", "SECURITY.md"), docBegin, docEnd,
		"\n"+strings.TrimSpace(Markdown())+"\n\n", *update,
		"privacy.Rules; run: go test ./internal/privacy -run TestSecurityDocTable -update")
}
