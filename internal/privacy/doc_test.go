package privacy

import (
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/docsync"
)

// TestSecurityDocTable keeps the personal-data table of docs/SECURITY.md equal to Rules, the
// table the code applies, so the threat model never describes a rule the server does not keep.
func TestSecurityDocTable(t *testing.T) {
	docsync.Check(t, "SECURITY.md", "privacy.Markdown", "\n"+strings.TrimSpace(Markdown())+"\n\n",
		"privacy.Rules; run: go test ./internal/privacy -run TestSecurityDocTable -update")
}
