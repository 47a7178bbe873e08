package web

import (
	"net/url"
	"regexp"
	"strings"
)

// contentSecurityPolicy is the policy every response carries. Scripts come only from this site's
// own files: no inline script, no inline event handler, no eval — so a name that slips into the
// page as markup still cannot run code. Styles allow inline style attributes, which Leaflet and
// ECharts set on the elements they draw. Images may also come from the map's tile server, and
// from data: and blob: URLs (Leaflet's icons, the photo previews of the report forms). fetch and
// the live screens' EventSource (/api/v1/live) fall under default-src 'self': this site only.
func contentSecurityPolicy(tileURL string) string {
	img := "'self' data: blob:"
	if o := tileOrigin(tileURL); o != "" {
		img += " " + o
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"frame-ancestors 'none'",
		"form-action 'self'",
		"img-src " + img,
		"style-src 'self' 'unsafe-inline'",
	}, "; ")
}

var tilePlaceholder = regexp.MustCompile(`\{[^}]*\}`)

// tileOrigin is the CSP source of a Leaflet tile URL template such as
// https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png: its scheme, host and port, with a host
// label that holds a placeholder ({s}: a, b, c) widened to the wildcard CSP allows, *.rest.
// A template on this site (a path) needs nothing beyond 'self'; one that cannot be read as an
// http(s) URL gives nothing, so its tiles are blocked rather than the policy opened.
func tileOrigin(tileURL string) string {
	if tileURL == "" {
		return ""
	}
	// Placeholders are not valid in a host: read the template with a letter in their place.
	u, err := url.Parse(tilePlaceholder.ReplaceAllString(tileURL, "x0placeholder0x"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ""
	}
	labels := strings.Split(u.Hostname(), ".")
	last := -1
	for i, l := range labels {
		if strings.Contains(l, "x0placeholder0x") {
			last = i
		}
	}
	host := u.Hostname()
	if last >= 0 {
		rest := labels[last+1:]
		if len(rest) < 2 { // a placeholder in the domain itself: no wildcard that narrow exists
			return ""
		}
		host = "*." + strings.Join(rest, ".")
	}
	for _, r := range host {
		// A policy is a list separated by ';' and ' ': a host with anything else is refused.
		if !(r == '.' || r == '-' || r == '*' || r == ':' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return ""
		}
	}
	if strings.Contains(host, ":") { // an IPv6 literal
		host = "[" + host + "]"
	}
	origin := u.Scheme + "://" + host
	if p := u.Port(); p != "" {
		origin += ":" + p
	}
	return origin
}
