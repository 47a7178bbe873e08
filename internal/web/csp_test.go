package web

import (
	"strings"
	"testing"
)

func TestTileOrigin(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"},
		{"https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"},
		{"https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&x={x}&y={y}&z={z}", "https://*.is.autonavi.com"},
		{"http://127.0.0.1:8081/tiles/{z}/{x}/{y}.png", "http://127.0.0.1:8081"},
		{"http://{s}.tiles.localhost:8081/{z}/{x}/{y}.png", "http://*.tiles.localhost:8081"},
		{"http://{s}.localhost:8081/{z}/{x}/{y}.png", ""},
		{"HTTPS://Tiles.Example.ORG/{z}/{x}/{y}.png", "https://Tiles.Example.ORG"},
		// On this site: 'self' covers it.
		{"/tiles/{z}/{x}/{y}.png", ""},
		// Nothing that could widen or break the policy.
		{"https://{s}.org/{z}/{x}/{y}.png", ""},
		{"https://{s}/{z}/{x}/{y}.png", ""},
		{"javascript:alert(1)//{z}", ""},
		{"data:image/png;base64,AAAA", ""},
		{"https://user:pw@tiles.example.org/{z}/{x}/{y}.png", ""},
		{"https://tiles.example.org; script-src 'unsafe-inline'/{z}", ""},
		{"https://tiles.example.org'/{z}", ""},
		{"//tiles.example.org/{z}/{x}/{y}.png", ""},
	} {
		if got := tileOrigin(tc.in); got != tc.want {
			t.Errorf("tileOrigin(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestContentSecurityPolicyText(t *testing.T) {
	p := contentSecurityPolicy("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png")
	want := "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; " +
		"img-src 'self' data: blob: https://*.tile.openstreetmap.org; style-src 'self' 'unsafe-inline'"
	if p != want {
		t.Errorf("policy\n got %s\nwant %s", p, want)
	}
	for _, bad := range []string{"unsafe-eval", "script-src 'self' 'unsafe-inline'", "*;"} {
		if strings.Contains(p, bad) {
			t.Errorf("policy contains %q", bad)
		}
	}
	if p := contentSecurityPolicy(""); strings.Contains(p, "http") {
		t.Errorf("policy without tiles names a host: %s", p)
	}
}
