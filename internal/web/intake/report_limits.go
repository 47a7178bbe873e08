package intake

import (
	"net/http"
	"time"

	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// The public report form's flood limits are the public forms' shared ones (kit.FloodLimits).
type errFlood = kit.FloodError

var (
	floodKeys        = kit.FloodKeys
	checkFlood       = kit.CheckFlood
	recordFlood      = kit.RecordFlood
	retryAfterHeader = kit.RetryAfterHeader
)

// deviceID returns the browser's device cookie, setting a new one when it has none.
func (s *handlers) deviceID(w http.ResponseWriter, r *http.Request) string {
	return s.Kit.DeviceID(w, r)
}

// RecordReportAttempt counts a refused report (a body over the limit) against the flood limit of
// its address and device: failed attempts are not free.
func RecordReportAttempt(k *kit.Kit, w http.ResponseWriter, r *http.Request) error {
	return recordFlood(r.Context(), k.DB, floodKeys(kit.ClientIP(r), k.DeviceID(w, r)), time.Now())
}
