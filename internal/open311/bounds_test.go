package open311

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestListParametersAreBounded: GET requests is anonymous, so each list parameter is bounded and a
// longer list is refused with the specification's 400 error list before the backend is asked
// anything; a list within the bound is one backend call, however long.
func TestListParametersAreBounded(t *testing.T) {
	list := func(n int, f string) string {
		vals := make([]string, n)
		for i := range vals {
			vals[i] = fmt.Sprintf(f, i)
		}
		return strings.Join(vals, ",")
	}
	for _, c := range []struct {
		name, query string
		status      int
		calls       int
		errorNames  string
	}{
		{"10,000 service codes", "&service_code=" + list(10000, "C%d"), http.StatusBadRequest, 0, "service_code"},
		{"201 service codes", "&service_code=" + list(MaxServiceCodes+1, "C%d"), http.StatusBadRequest, 0, "service_code"},
		{"1,001 ids", "&service_request_id=" + list(MaxIDs+1, "N%d"), http.StatusBadRequest, 0, "service_request_id"},
		{"3 statuses", "&status=open,closed,open2", http.StatusBadRequest, 0, "status"},
		{"20 service codes", "&service_code=" + list(19, "C%d") + ",DMV66", http.StatusOK, 1, ""},
		{"200 service codes", "&service_code=" + list(MaxServiceCodes, "C%d"), http.StatusOK, 1, ""},
		{"the same code 10,000 times is one code", "&service_code=" + strings.Repeat("DMV66,", 10000), http.StatusOK, 1, ""},
		{"1,000 ids", "&service_request_id=" + list(MaxIDs, "N%d"), http.StatusOK, 1, ""},
	} {
		for _, format := range []string{formatJSON, formatXML} {
			t.Run(c.name+" "+format, func(t *testing.T) {
				b := newFakeBackend()
				rec := serve(t, b, Options{}, "GET", "/requests."+format+"?jurisdiction_id="+town+c.query, nil)
				if rec.Code != c.status || b.requestsCalls != c.calls {
					t.Fatalf("status %d with %d backend calls, want %d with %d\n%.300s", rec.Code, b.requestsCalls, c.status, c.calls, rec.Body)
				}
				if c.status != http.StatusBadRequest {
					if c.name == "20 service codes" && len(b.lastFilter.ServiceCodes) != 20 {
						t.Errorf("backend got %d codes, want 20", len(b.lastFilter.ServiceCodes))
					}
					return
				}
				errs := decodeErrors(t, format, rec.Body.Bytes())
				if len(errs) != 1 || errs[0].Code != 400 || !strings.Contains(errs[0].Description, c.errorNames) {
					t.Errorf("errors = %+v, want one 400 naming %s", errs, c.errorNames)
				}
			})
		}
	}
}
