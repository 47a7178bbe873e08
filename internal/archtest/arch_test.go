// Package archtest holds the import rules of CivicGrid as a test (docs/ARCHITECTURE.md describes
// them): capabilities know no HTTP, no web package and no demo; the demo imports capabilities,
// never the reverse; each web package of a capability stands on the kit and at most the orders'
// web package; only the web shell mounts them; cmd wires the shell and the demo together.
//
// The rules read `go list -json ./...` (each package's own imports, tests left out: a test may
// load the demo as its fixture) and are checked by a function of that list, so that
// TestRulesCatchBreaks can show, on invented packages, that each rule fails when broken.
package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/civicgrid/civicgrid/"

// Package is what the rules read of one package of the module: its path relative to the module
// (internal/orders) and the packages it imports, the module's also relative, the standard
// library's as they are.
type Package struct {
	Path    string
	Imports []string
}

// netHTTPAllowed are the capability-side packages that may import net/http, each with its reason.
// A new entry needs one as good.
var netHTTPAllowed = map[string]string{
	"internal/open311": "the Open311 GeoReport v2 protocol package: it is an http.Handler by definition, " +
		"kept apart from the domain behind open311backend",
	"internal/media": "uses only http.DetectContentType, the WHATWG sniffing algorithm, to tell a photo's " +
		"format from its first bytes; it serves nothing",
}

// notCapability are the packages under internal/ that are not capabilities (or their foundation):
// the web layer, the demo and the browser tests, which drive the whole binary over HTTP.
func notCapability(p string) bool {
	return under(p, "internal/web") || under(p, "internal/demo") || under(p, "internal/e2e") || under(p, "internal/archtest")
}

// testSupport are packages that exist for tests only — fixtures and runners that start the whole
// server — so the web layering rules do not bind them; in exchange no production package may
// import them (go list leaves test files out, so any import seen is one). They still load no demo:
// a test that wants the demo world passes it in (webtest.New(t, db, demo.World)).
var testSupport = map[string]bool{
	"internal/web/webtest":       true,
	"internal/orders/orderstest": true,
	"internal/store/testdb":      true,
	"internal/sheet/sheettest":   true,
	"internal/auth/authtest":     true,
}

// under reports whether p is root or a package below it.
func under(p, root string) bool { return p == root || strings.HasPrefix(p, root+"/") }

// webCapability returns the capability web package p belongs to (internal/web/orders for
// internal/web/orders/x), or "" when p is the shell, the kit or not a web package.
func webCapability(p string) string {
	rest, ok := strings.CutPrefix(p, "internal/web/")
	if !ok {
		return ""
	}
	first, _, _ := strings.Cut(rest, "/")
	if first == "kit" || testSupport["internal/web/"+first] {
		return ""
	}
	return "internal/web/" + first
}

// Check returns every broken rule, one sentence each.
func Check(pkgs []Package) []string {
	var broken []string
	fail := func(format string, args ...any) { broken = append(broken, fmt.Sprintf(format, args...)) }
	for _, p := range pkgs {
		for _, imp := range p.Imports {
			if testSupport[imp] && !testSupport[p.Path] {
				fail("%s imports %s: a test-support package is for tests only", p.Path, imp)
				continue
			}
			// The demo is imported only by cmd (and by tests, which the list leaves out).
			if under(imp, "internal/demo") && !under(p.Path, "internal/demo") && !under(p.Path, "cmd") {
				fail("%s imports %s: only cmd loads the demo", p.Path, imp)
			}
			if testSupport[p.Path] {
				continue
			}
			switch {
			// Capabilities never import the web layer, the demo or net/http.
			case under(p.Path, "internal") && !notCapability(p.Path):
				if under(imp, "internal/web") {
					fail("%s imports %s: a capability knows no web package (the web package of the capability calls it)", p.Path, imp)
				}
				if under(imp, "internal/demo") {
					fail("%s imports %s: the demo imports capabilities, never the reverse", p.Path, imp)
				}
				if imp == "net/http" {
					if _, ok := netHTTPAllowed[p.Path]; !ok {
						fail("%s imports net/http: a capability knows no HTTP (protocol packages are listed in netHTTPAllowed with their reason)", p.Path)
					}
				}
			}
			// The kit is what every web package stands on: it imports no other web package.
			if under(p.Path, "internal/web/kit") && under(imp, "internal/web") && !under(imp, "internal/web/kit") {
				fail("%s imports %s: the kit imports no other web package", p.Path, imp)
			}
			// A capability's web package imports, among web packages, the kit, its own packages and
			// at most the orders' web package (for the order view).
			if own := webCapability(p.Path); own != "" && under(imp, "internal/web") &&
				!under(imp, "internal/web/kit") && !under(imp, own) && !under(imp, "internal/web/orders") {
				fail("%s imports %s: a capability's web package imports only the kit, its own packages and internal/web/orders", p.Path, imp)
			}
			// Only the shell mounts the capabilities' web packages (web/orders also serves the others).
			if target := webCapability(imp); target != "" && p.Path != "internal/web" && webCapability(p.Path) == "" {
				fail("%s imports %s: only the web shell (internal/web) imports a capability's web package", p.Path, imp)
			}
			// cmd imports the shell (and the demo), not the kit or the capabilities' web packages.
			if under(p.Path, "cmd") && strings.HasPrefix(imp, "internal/web/") {
				fail("%s imports %s: cmd imports the web shell only", p.Path, imp)
			}
		}
	}
	return broken
}

// list runs `go list -json ./...` at the module's root and returns its packages.
func list(t *testing.T) []Package {
	t.Helper()
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = strings.TrimSpace(string(root))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []Package
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkg := Package{Path: strings.TrimPrefix(p.ImportPath, module)}
		for _, imp := range p.Imports {
			pkg.Imports = append(pkg.Imports, strings.TrimPrefix(imp, module))
		}
		pkgs = append(pkgs, pkg)
	}
	return pkgs
}

// TestImportRules checks the module as it is.
func TestImportRules(t *testing.T) {
	pkgs := list(t)
	if len(pkgs) < 10 || !slices.ContainsFunc(pkgs, func(p Package) bool { return p.Path == "internal/orders" }) {
		t.Fatalf("go list found %d packages, not the module's", len(pkgs))
	}
	for _, b := range Check(pkgs) {
		t.Error(b)
	}
	// An exception nobody needs any more goes.
	for p := range netHTTPAllowed {
		i := slices.IndexFunc(pkgs, func(x Package) bool { return x.Path == p })
		if i < 0 || !slices.Contains(pkgs[i].Imports, "net/http") {
			t.Errorf("netHTTPAllowed lists %s, which does not import net/http (any more): remove it", p)
		}
	}
}

// TestRulesCatchBreaks shows each rule failing on invented packages that break it, and holding on
// the layout it allows.
func TestRulesCatchBreaks(t *testing.T) {
	allowed := []Package{
		{"cmd/civicgrid", []string{"internal/web", "internal/demo", "internal/orders", "net/http"}},
		{"internal/demo", []string{"internal/demo/world", "internal/campaigns", "internal/orders"}},
		{"internal/web", []string{"internal/web/kit", "internal/web/orders", "internal/web/places", "net/http"}},
		{"internal/web/kit", []string{"internal/auth", "internal/problem", "net/http"}},
		{"internal/web/orders", []string{"internal/web/kit", "internal/orders", "net/http"}},
		{"internal/web/campaigns", []string{"internal/web/kit", "internal/web/orders", "internal/campaigns", "internal/web/campaigns/forms"}},
		{"internal/open311", []string{"net/http"}},
		{"internal/orders", []string{"internal/store", "internal/workorder", "internal/problem"}},
		{"internal/web/webtest", []string{"internal/web", "internal/store/testdb", "net/http"}},
	}
	if b := Check(allowed); len(b) > 0 {
		t.Fatalf("the allowed layout breaks rules:\n%s", strings.Join(b, "\n"))
	}
	for _, tt := range []struct {
		name string
		pkg  Package
		want string
	}{
		{"capability imports net/http", Package{"internal/places", []string{"net/http"}}, "knows no HTTP"},
		{"capability imports the shell", Package{"internal/orders", []string{"internal/web"}}, "knows no web package"},
		{"capability imports the kit", Package{"internal/campaigns", []string{"internal/web/kit"}}, "knows no web package"},
		{"capability imports the demo", Package{"internal/campaigns", []string{"internal/demo"}}, "never the reverse"},
		{"capability imports the demo world", Package{"internal/intake", []string{"internal/demo/world"}}, "never the reverse"},
		{"new capability imports net/http", Package{"internal/dispatch", []string{"net/http"}}, "knows no HTTP"},
		{"web package imports the demo", Package{"internal/web/places", []string{"internal/demo"}}, "only cmd loads the demo"},
		{"production code imports a test helper", Package{"internal/web/orders", []string{"internal/web/webtest"}}, "for tests only"},
		{"test helper imports the demo", Package{"internal/web/webtest", []string{"internal/demo"}}, "only cmd loads the demo"},
		{"kit imports a web package", Package{"internal/web/kit", []string{"internal/web/orders"}}, "the kit imports no other"},
		{"web package imports the shell", Package{"internal/web/places", []string{"internal/web"}}, "imports only the kit"},
		{"web package imports another", Package{"internal/web/campaigns", []string{"internal/web/places"}}, "imports only the kit"},
		{"cmd imports a web package", Package{"cmd/civicgrid", []string{"internal/web/orders"}}, "only the web shell"},
		{"cmd imports the kit", Package{"cmd/civicgrid", []string{"internal/web/kit"}}, "cmd imports the web shell only"},
		{"capability imports a web package", Package{"internal/intake", []string{"internal/web/orders"}}, "only the web shell"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := Check(append(slices.Clone(allowed), tt.pkg))
			if !slices.ContainsFunc(b, func(s string) bool { return strings.Contains(s, tt.want) }) {
				sort.Strings(b)
				t.Errorf("%s importing %v: broken rules %q, want one saying %q", tt.pkg.Path, tt.pkg.Imports, b, tt.want)
			}
		})
	}
}
