package open311

import (
	"errors"
	"maps"
	"math"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Input limits. The body limit bounds memory; these bound what lands in a
// work order so that one client cannot fill the store with a single field.
const (
	maxBodyBytes       = 1 << 20
	maxDescriptionRune = 4000
	maxFieldRunes      = 500
	maxURLRunes        = 2048
	maxAttributes      = 100
)

// DecodeNewRequest decodes and validates the form of a POST requests call.
// On failure the error wraps one *ValidationError per problem (errors.Join),
// so a client learns everything it must fix in one round trip.
func DecodeNewRequest(form url.Values) (NewRequest, error) {
	var (
		r    NewRequest
		errs []error
	)
	field := func(name string, max int) string {
		v := strings.TrimSpace(form.Get(name))
		if err := checkText(name, v, max); err != nil {
			errs = append(errs, err)
			return ""
		}
		return v
	}
	r.JurisdictionID = field("jurisdiction_id", maxFieldRunes)
	r.APIKey = field("api_key", maxFieldRunes)
	r.ServiceCode = field("service_code", maxFieldRunes)
	r.AddressString = field("address_string", maxFieldRunes)
	r.AddressID = field("address_id", maxFieldRunes)
	r.Email = field("email", maxFieldRunes)
	r.DeviceID = field("device_id", maxFieldRunes)
	r.AccountID = field("account_id", maxFieldRunes)
	r.FirstName = field("first_name", maxFieldRunes)
	r.LastName = field("last_name", maxFieldRunes)
	r.Phone = field("phone", maxFieldRunes)
	r.Description = field("description", maxDescriptionRune)
	r.MediaURL = field("media_url", maxURLRunes)

	if strings.TrimSpace(form.Get("service_code")) == "" {
		errs = append(errs, invalid("service_code is required"))
	}
	lat, latErr := coordinate(form, "lat", 90)
	long, longErr := coordinate(form, "long", 180)
	errs = append(errs, latErr, longErr)
	switch {
	case latErr != nil || longErr != nil:
	case (lat == nil) != (long == nil):
		errs = append(errs, invalid("lat and long must be sent together"))
	default:
		r.Lat, r.Long = lat, long
	}
	// Only when no coordinate was attempted: a broken one is already reported.
	if lat == nil && long == nil && latErr == nil && longErr == nil && r.AddressString == "" && r.AddressID == "" {
		errs = append(errs, invalid("a location is required: lat and long, address_string or address_id"))
	}
	if r.Email != "" {
		if a, err := mail.ParseAddress(r.Email); err != nil || a.Address != r.Email {
			errs = append(errs, invalid("email %q is not a valid address", r.Email))
		}
	}
	if r.MediaURL != "" {
		if u, err := url.Parse(r.MediaURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, invalid("media_url must be an absolute http or https URL"))
		}
	}
	attrs, err := decodeAttributes(form)
	errs = append(errs, err)
	r.Attributes = attrs

	if err := errors.Join(errs...); err != nil {
		return NewRequest{}, err
	}
	return r, nil
}

// checkText rejects what would corrupt storage or XML output rather than
// silently repairing it: the client should know its text was not accepted.
func checkText(name, v string, max int) error {
	if !utf8.ValidString(v) {
		return invalid("%s is not valid UTF-8", name)
	}
	if n := utf8.RuneCountInString(v); n > max {
		return invalid("%s is too long: %d characters, at most %d", name, n, max)
	}
	for _, c := range v {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f || c == 0xfffe || c == 0xffff {
			return invalid("%s contains a control character", name)
		}
	}
	return nil
}

func coordinate(form url.Values, name string, limit float64) (*float64, error) {
	s := strings.TrimSpace(form.Get(name))
	if s == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < -limit || f > limit {
		return nil, invalid("%s must be a WGS-84 decimal degree between -%g and %g", name, limit, limit)
	}
	return &f, nil
}

// decodeAttributes reads attribute[CODE] (one value) and attribute[CODE][]
// (several values), the two shapes the specification's clients send.
func decodeAttributes(form url.Values) (map[string][]string, error) {
	var attrs map[string][]string
	var errs []error
	// Sorted so that errors and repeated values come out the same every time.
	keys := slices.Sorted(maps.Keys(form))
	for _, key := range keys {
		vals := form[key]
		rest, ok := strings.CutPrefix(key, "attribute[")
		if !ok {
			continue
		}
		code, tail, ok := strings.Cut(rest, "]")
		if !ok || (tail != "" && tail != "[]") || code == "" || strings.ContainsAny(code, "[]") {
			errs = append(errs, invalid("malformed attribute parameter %q: use attribute[CODE] or attribute[CODE][]", truncate(key, 80)))
			continue
		}
		if err := checkText("attribute code", code, maxFieldRunes); err != nil {
			errs = append(errs, err)
			continue
		}
		if attrs == nil {
			attrs = make(map[string][]string)
		}
		if len(attrs) >= maxAttributes {
			errs = append(errs, invalid("too many attributes: at most %d", maxAttributes))
			break
		}
		for _, v := range vals {
			if err := checkText("attribute["+code+"]", v, maxDescriptionRune); err != nil {
				errs = append(errs, err)
				continue
			}
			attrs[code] = append(attrs[code], v)
		}
	}
	return attrs, errors.Join(errs...)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
