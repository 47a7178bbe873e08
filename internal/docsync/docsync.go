// Package docsync keeps a generated block of a document (docs/WORKFLOW.md, docs/SECURITY.md,
// docs/ROUTES.md) equal to what the code produces, for the tests that guard those documents.
package docsync

import (
	"os"
	"strings"
	"testing"
)

// Check fails t unless the text between the markers begin and end of the file at path is want.
// With update it rewrites that text instead. stale completes the failure message "<path> is out
// of date with …" and should say how to regenerate the block.
func Check(t testing.TB, path, begin, end, want string, update bool, stale string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i := strings.Index(doc, begin)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s: generated-block markers missing", path)
	}
	if doc[i+len(begin):j] == want {
		return
	}
	if update {
		if err := os.WriteFile(path, []byte(doc[:i+len(begin)]+want+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is out of date with %s", path, stale)
}
