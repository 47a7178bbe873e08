package kit

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/media"
	"github.com/civicgrid/civicgrid/internal/problem"
)

// PathID reads the positive number a route pattern names (/{id}), or answers 400 naming it.
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, BadRequest(name, fmt.Sprintf("%s must be a positive number, not %q", name, r.PathValue(name)))
	}
	return id, nil
}

// SafeNext returns n when it is a path on this site, and "/" for anything else. Every redirect
// target that comes from the request (the sign-in "next", the "back" of small forms) goes through
// it. Browsers are lenient where an attacker needs them to be: they drop tabs, newlines and
// carriage returns anywhere in a URL, trim leading spaces and control characters, and read a
// backslash as a slash, so "/\t/evil.example", "/\\evil.example" and " //evil.example" all lead off the site.
// Rather than list what is bad, accept only what a path of ours looks like: one leading "/", no
// whitespace, control or invisible format characters and no backslash, in the raw text or once
// percent-decoded, no scheme, host or user after parsing, and at most maxNextLen bytes.
func SafeNext(n string) string {
	if n == "" || len(n) > maxNextLen || !utf8.ValidString(n) || !cleanURLText(n) {
		return "/"
	}
	if n[0] != '/' || strings.HasPrefix(n, "//") {
		return "/"
	}
	u, err := url.Parse(n)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	// The decoded path must pass too: "/%2f/evil" and "/%5c/evil" are not paths of ours either.
	if !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || !cleanURLText(u.Path) {
		return "/"
	}
	return n
}

// maxNextLen bounds a redirect target; our longest links (order lists with filters) are far shorter.
const maxNextLen = 2048

// cleanURLText reports whether s has no character a browser would drop or reinterpret: ASCII
// controls and space, other Unicode spaces, control and format characters (zero-width and
// bidi marks) and the backslash.
func cleanURLText(s string) bool {
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r == '\\' || unicode.IsSpace(r) || unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}

func FloatField(r *http.Request, name string) (*float64, error) {
	v := strings.TrimSpace(r.FormValue(name))
	if v == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return nil, problem.Field(name, "not a number: %q", v)
	}
	return &f, nil
}

// WantsJSON tells the script's fetch (Accept: application/json) from a plain form post.
func WantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// FormSlack is room for the text fields and multipart headers around the files of a form.
const FormSlack = 1 << 20

// ReportBodyLimit is the body of a report form with up to n photos.
func ReportBodyLimit(n int) int64 { return int64(n)*media.MaxBytes + FormSlack }

// FormMemory is how much of a parsed multipart form is held in memory; the rest is on disk.
const FormMemory = 1 << 20
