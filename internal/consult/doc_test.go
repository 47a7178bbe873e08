package consult

import (
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/docsync"
)

// TestConsultationsDocTables keeps the tables of docs/CONSULTATIONS.md equal to the lifecycle,
// the question types and the scopes the code applies.
func TestConsultationsDocTables(t *testing.T) {
	docsync.Check(t, "CONSULTATIONS.md", "consult.Markdown", "\n"+strings.TrimSpace(Markdown())+"\n\n",
		"consult.Transitions, Types or Scopes; run: go test ./internal/consult -run TestConsultationsDocTables -update")
}
