package kit

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestPortalHref(t *testing.T) {
	for _, c := range []struct{ href, town, want string }{
		{"/portal/projects", "310105102", "/portal/projects?town=310105102"},
		{"/portal/bookings?kind=room", "310115005", "/portal/bookings?kind=room&town=310115005"},
		{"/report", "", "/report"},
		{"/track", "a&b", "/track?town=a%26b"},
	} {
		if got := PortalHref(c.href, c.town); got != c.want {
			t.Errorf("PortalHref(%q, %q) = %q, want %q", c.href, c.town, got, c.want)
		}
	}
}

// The elderly mode is on only with the cookie the toggle sets, and the toggle can clear it.
func TestElderlyCookie(t *testing.T) {
	k := &Kit{}
	on := httptest.NewRecorder()
	k.SetElderly(on, true)
	r := httptest.NewRequest(http.MethodGet, "/portal", nil)
	if Elderly(r) {
		t.Fatal("elderly without a cookie")
	}
	for _, ck := range on.Result().Cookies() {
		r.AddCookie(ck)
	}
	if !Elderly(r) {
		t.Fatal("elderly cookie set but mode off")
	}
	off := httptest.NewRecorder()
	k.SetElderly(off, false)
	cks := off.Result().Cookies()
	if len(cks) != 1 || cks[0].Name != ElderlyCookie || cks[0].MaxAge >= 0 {
		t.Errorf("turning off should expire the cookie: %+v", cks)
	}
	if !on.Result().Cookies()[0].HttpOnly {
		t.Error("the elderly cookie should be HttpOnly")
	}
}
