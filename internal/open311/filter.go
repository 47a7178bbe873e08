package open311

import (
	"errors"
	"net/url"
	"strings"
	"time"
)

// The specification's default and maximum search: 90 days, 1000 requests.
const (
	maxWindow   = 90 * 24 * time.Hour
	maxRequests = 1000
)

// Bounds of the list parameters of GET requests. The endpoint is anonymous, so a list's length is
// the client's to choose and the server's to bound: a town has a few hundred services at most,
// and status has two values. MaxIDs is the most requests one answer holds anyway.
const (
	MaxServiceCodes = 200
	MaxStatuses     = 2
	MaxIDs          = maxRequests
)

// beijing is CivicGrid's zone for output and for dates sent without one. A
// fixed zone avoids depending on tzdata being installed; China has no DST.
var beijing = time.FixedZone("CST", 8*60*60)

// parseFilter turns the query of GET requests into a Filter with the
// specification's defaults filled in, so backends never see an unbounded
// search.
func parseFilter(q url.Values, now time.Time) (Filter, error) {
	f := Filter{Limit: maxRequests}
	if ids := commaList(q.Get("service_request_id")); len(ids) > 0 {
		if len(ids) > MaxIDs {
			return Filter{}, invalid("at most %d service_request_id values may be sent, not %d", MaxIDs, len(ids))
		}
		f.IDs = ids
		return f, nil
	}
	var errs []error
	f.ServiceCodes = commaList(q.Get("service_code"))
	if len(f.ServiceCodes) > MaxServiceCodes {
		return Filter{}, invalid("at most %d service_code values may be sent, not %d", MaxServiceCodes, len(f.ServiceCodes))
	}
	statusList := commaList(q.Get("status"))
	if len(statusList) > MaxStatuses {
		return Filter{}, invalid("at most %d status values may be sent (open, closed), not %d", MaxStatuses, len(statusList))
	}
	statuses := map[string]bool{}
	for _, s := range statusList {
		if s != StatusOpen && s != StatusClosed {
			errs = append(errs, invalid("status must be open or closed, not %q", truncate(s, 40)))
			continue
		}
		statuses[s] = true
	}
	if len(statuses) == 1 { // both asked for means no restriction
		for s := range statuses {
			f.Status = s
		}
	}
	start, err := parseDate("start_date", q.Get("start_date"))
	errs = append(errs, err)
	end, err := parseDate("end_date", q.Get("end_date"))
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return Filter{}, err
	}
	switch {
	case start == nil && end == nil:
		e, s := now, now.Add(-maxWindow)
		start, end = &s, &e
	case end == nil:
		e := start.Add(maxWindow)
		end = &e
	case start == nil:
		s := end.Add(-maxWindow)
		start = &s
	}
	if end.Before(*start) {
		return Filter{}, invalid("end_date is before start_date")
	}
	if end.Sub(*start) > maxWindow {
		return Filter{}, invalid("start_date and end_date may not span more than 90 days")
	}
	f.Start, f.End = start, end
	return f, nil
}

// dateLayouts are the ISO 8601 forms clients send in practice; the ones
// without a zone are read as Beijing time.
var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"}

func parseDate(name, s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	// An unencoded "+08:00" arrives as " 08:00" after query decoding; no
	// accepted layout contains a space, so putting the plus back is safe.
	s = strings.ReplaceAll(s, " ", "+")
	for _, layout := range dateLayouts {
		if t, err := time.ParseInLocation(layout, s, beijing); err == nil {
			return &t, nil
		}
	}
	return nil, invalid("%s must be an ISO 8601 datetime such as 2024-05-01T08:00:00+08:00", name)
}

// commaList splits a comma-separated parameter into its distinct non-empty values, in order.
func commaList(s string) []string {
	var out []string
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" && !seen[part] {
			seen[part] = true
			out = append(out, part)
		}
	}
	return out
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(beijing).Format(time.RFC3339)
}
