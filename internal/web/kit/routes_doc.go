package kit

import (
	"fmt"
	"strings"
)

// RoutesMarkdown renders the route table as the Markdown table of docs/ROUTES.md: one row per
// route, grouped by capability in the order they were mounted.
func RoutesMarkdown(rs []Route) string {
	var b strings.Builder
	b.WriteString("| capability | method | path | permission | kind |\n| --- | --- | --- | --- | --- |\n")
	for _, r := range rs {
		perm := r.Perm
		switch perm {
		case Public:
			perm = "public"
		case SignedIn:
			perm = "signed in"
		default:
			if strings.Contains(perm, ":") {
				perm = "`" + perm + "`"
			}
		}
		fmt.Fprintf(&b, "| %s | %s | `%s` | %s | %s |\n", r.Capability, r.Method, r.Path, perm, r.Kind)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
