package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// A page shows a notice only when this server wrote it: ?flash= with any text, as a link in a
// phishing message would carry it, is not shown in the site's own voice; the notice of a real
// post/redirect/get is.
func TestFlashOnlyWhenSigned(t *testing.T) {
	rec := httptest.NewRecorder()
	kit.RedirectFlash(rec, httptest.NewRequest(http.MethodPost, "/x", nil), "/orders?state=open", "已保存")
	loc, err := url.Parse(rec.Header().Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := kit.FlashFrom(&http.Request{URL: loc}); got != "已保存" {
		t.Fatalf("signed notice: got %q, want 已保存", got)
	}
	for _, forged := range []string{
		"/orders?flash=" + url.QueryEscape("系统升级，请拨打 400-000-0000"),
		"/orders?flash=" + url.QueryEscape("系统升级") + "&fs=" + loc.Query().Get("fs"),
		"/orders?flash=" + url.QueryEscape("已保存") + "&fs=",
	} {
		u, _ := url.Parse(forged)
		if got := kit.FlashFrom(&http.Request{URL: u}); got != "" {
			t.Errorf("%s: shown %q, want no notice", forged, got)
		}
	}
	if !strings.Contains(loc.RawQuery, "state=open&flash=") {
		t.Errorf("redirect lost the page's own query: %s", loc)
	}
}
