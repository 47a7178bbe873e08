package kit

import (
	"net/http"

	"github.com/civicgrid/civicgrid/internal/privacy"
)

// Every response that shows personal data goes through package privacy: records are masked by its
// rule, and one audit row names whose data the response showed whole. The helpers below give the
// handlers the viewer, the log and the writing of the row.

// Viewer is the caller as package privacy sees them.
func Viewer(r *http.Request, c *Caller) privacy.Viewer {
	v := privacy.ViewerOf(c.User, c.Towns)
	v.IP = ClientIP(r)
	return v
}

// ShownLog starts the audit log of the response to r, which shows records of class cl.
func ShownLog(r *http.Request, cl privacy.Class) *privacy.Log {
	return privacy.NewLog(cl, r.Method+" "+r.URL.RequestURI())
}

// RecordShown writes the response's audit row when it showed personal data whole. Handlers call
// it before writing the response, and answer with its error instead: data that cannot be
// audited is not shown.
func (k *Kit) RecordShown(r *http.Request, c *Caller, l *privacy.Log) error {
	return privacy.Record(r.Context(), k.DB, Viewer(r, c), l)
}
