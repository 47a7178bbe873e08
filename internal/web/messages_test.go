package web_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	_ "github.com/civicgrid/civicgrid/internal/web" // registers every web package's messages
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

var (
	// {{T "key"}}, (T "key") and the like in a template.
	templateKeyRe = regexp.MustCompile(`\bT\s+"((?:[^"\\]|\\.)+)"`)
	// T("key") in Go, where T is a translator (kit.Translator(lang)).
	goKeyRe = regexp.MustCompile(`\bT\("((?:[^"\\]|\\.)+)"\)|Translator\([^()]*\)\("((?:[^"\\]|\\.)+)"\)`)
)

// messageUses lists every literal message key the templates and the Go code of the web packages
// use, with where.
func messageUses(t *testing.T) map[string][]string {
	t.Helper()
	uses := map[string][]string{}
	for _, pattern := range []string{"templates/*.html", "*/templates/*.html", "*.go", "*/*.go"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			re := templateKeyRe
			if strings.HasSuffix(f, ".go") {
				re = goKeyRe
			}
			for _, m := range re.FindAllStringSubmatch(string(raw), -1) {
				key := m[1]
				if key == "" && len(m) > 2 {
					key = m[2]
				}
				uses[key] = append(uses[key], f)
			}
		}
	}
	return uses
}

// Every key a template or a handler asks for has a Chinese and an English text (registration
// refuses a key without both): a missing one would show the key itself to the user.
func TestMessagesComplete(t *testing.T) {
	uses := messageUses(t)
	if len(uses) < 200 {
		t.Fatalf("found only %d message keys in use: is the scan broken?", len(uses))
	}
	var missing []string
	for key, where := range uses {
		if !kit.HasMessage(key) {
			missing = append(missing, key+" (used in "+strings.Join(slices.Compact(where), ", ")+")")
		}
	}
	slices.Sort(missing)
	for _, m := range missing {
		t.Errorf("message without text: %s", m)
	}
}
