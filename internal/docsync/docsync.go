// Package docsync keeps a generated block of a document (docs/WORKFLOW.md, docs/SECURITY.md,
// docs/ROUTES.md) equal to what the code produces. Only tests import it: it registers their
// -update flag, which rewrites the blocks instead of failing.
package docsync

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated blocks of the docs this package's tests keep")

// Check fails t unless the block of docs/<doc> between "<!-- BEGIN GENERATED: <generator> -->"
// and "<!-- END GENERATED -->" is want; with -update it rewrites the block instead. The test
// runs in internal/<package>, two levels below the docs. stale completes the failure message
// "<path> is out of date with …" and should say how to regenerate the block.
func Check(t testing.TB, doc, generator, want, stale string) {
	t.Helper()
	path := filepath.Join("..", "..", "docs", doc)
	begin := "<!-- BEGIN GENERATED: " + generator + " -->\n"
	const end = "<!-- END GENERATED -->"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	i := strings.Index(text, begin)
	j := strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("%s: generated-block markers missing", path)
	}
	if text[i+len(begin):j] == want {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(text[:i+len(begin)]+want+text[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is out of date with %s", path, stale)
}
