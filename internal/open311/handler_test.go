package open311

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// decodeErrors parses an error list in either format, failing the test when
// the body is not the specification's shape.
func decodeErrors(t *testing.T, format string, body []byte) []wireError {
	t.Helper()
	var list []wireError
	if format == formatJSON {
		if err := json.Unmarshal(body, &list); err != nil {
			t.Fatalf("body is not a JSON error list: %v\n%s", err, body)
		}
		return list
	}
	var doc xmlErrors
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("body is not an XML error list: %v\n%s", err, body)
	}
	return doc.Errors
}

func withForm(edit func(url.Values)) url.Values {
	f := validForm()
	edit(f)
	return f
}

func TestErrors(t *testing.T) {
	q := "?jurisdiction_id=" + town
	tests := []struct {
		name   string
		method string
		target string // {fmt} is replaced by each format in turn
		form   url.Values
		status int
		want   string // substring of one description
	}{
		{"missing api_key", "POST", "/requests.{fmt}", withForm(func(f url.Values) { f.Del("api_key") }), 403, "api_key is required"},
		{"invalid api_key", "POST", "/requests.{fmt}", withForm(func(f url.Values) { f.Set("api_key", "nope") }), 403, "invalid api_key"},
		{"missing service_code", "POST", "/requests.{fmt}", withForm(func(f url.Values) { f.Del("service_code") }), 400, "service_code is required"},
		{"blank service_code", "POST", "/requests.{fmt}", withForm(func(f url.Values) { f.Set("service_code", "  ") }), 400, "service_code is required"},
		{"unknown service_code", "POST", "/requests.{fmt}", withForm(func(f url.Values) { f.Set("service_code", "999") }), 400, "not offered"},
		{"no location", "POST", "/requests.{fmt}", withForm(func(f url.Values) { f.Del("lat"); f.Del("long") }), 400, "location is required"},
		{"lat out of range", "POST", "/requests.{fmt}", withForm(func(f url.Values) { f.Set("lat", "91") }), 400, "lat must be"},
		{"lat not a number", "POST", "/requests.{fmt}", withForm(func(f url.Values) { f.Set("lat", "north") }), 400, "lat must be"},
		{"long NaN", "POST", "/requests.{fmt}", withForm(func(f url.Values) { f.Set("long", "NaN") }), 400, "long must be"},
		{"lat without long", "POST", "/requests.{fmt}", withForm(func(f url.Values) { f.Del("long") }), 400, "together"},
		{"description too long", "POST", "/requests.{fmt}", withForm(func(f url.Values) { f.Set("description", strings.Repeat("路", 4001)) }), 400, "at most 4000"},
		{"bad media_url", "POST", "/requests.{fmt}", withForm(func(f url.Values) { f.Set("media_url", "javascript:alert(1)") }), 400, "media_url"},
		{"malformed attribute", "POST", "/requests.{fmt}", withForm(func(f url.Values) { f.Set("attribute[X", "1") }), 400, "malformed attribute"},
		{"unknown jurisdiction on POST", "POST", "/requests.{fmt}", withForm(func(f url.Values) { f.Set("jurisdiction_id", "city.gov") }), 404, "jurisdiction_id city.gov not found"},
		{"unknown jurisdiction", "GET", "/services.{fmt}?jurisdiction_id=999999999", nil, 404, "not found"},
		{"missing jurisdiction", "GET", "/services.{fmt}", nil, 400, "jurisdiction_id is required"},
		{"unknown request id", "GET", "/requests/XJ404.{fmt}" + q, nil, 404, "not found with id XJ404"},
		{"unknown service code", "GET", "/services/NOPE.{fmt}" + q, nil, 404, "service_code NOPE not found"},
		{"unknown token", "GET", "/tokens/00000.{fmt}" + q, nil, 404, "token 00000 not found"},
		{"bad start_date", "GET", "/requests.{fmt}" + q + "&start_date=yesterday", nil, 400, "start_date must be"},
		{"window over 90 days", "GET", "/requests.{fmt}" + q + "&start_date=2024-01-01&end_date=2024-05-01", nil, 400, "90 days"},
		{"end before start", "GET", "/requests.{fmt}" + q + "&start_date=2024-05-01&end_date=2024-04-01", nil, 400, "before"},
		{"bad status", "GET", "/requests.{fmt}" + q + "&status=pending", nil, 400, "status must be"},
		{"wrong method", "DELETE", "/requests.{fmt}" + q, nil, 405, "not allowed"},
		{"POST to a request", "POST", "/requests/638344.{fmt}" + q, url.Values{}, 405, "not allowed"},
		{"unknown endpoint", "GET", "/reports.{fmt}" + q, nil, 404, "no Open311 endpoint"},
	}
	for _, format := range []string{formatXML, formatJSON} {
		for _, tt := range tests {
			t.Run(format+"/"+tt.name, func(t *testing.T) {
				rec := serve(t, newFakeBackend(), Options{}, tt.method, strings.ReplaceAll(tt.target, "{fmt}", format), tt.form)
				if rec.Code != tt.status {
					t.Fatalf("status = %d, want %d\n%s", rec.Code, tt.status, rec.Body)
				}
				wantCT := map[string]string{formatXML: "text/xml; charset=utf-8", formatJSON: "application/json; charset=utf-8"}[format]
				if ct := rec.Header().Get("Content-Type"); ct != wantCT {
					t.Errorf("Content-Type = %q, want %q", ct, wantCT)
				}
				list := decodeErrors(t, format, rec.Body.Bytes())
				if len(list) == 0 {
					t.Fatalf("empty error list")
				}
				found := false
				for _, e := range list {
					if e.Code != tt.status {
						t.Errorf("error code %d in a %d answer", e.Code, tt.status)
					}
					found = found || strings.Contains(e.Description, tt.want)
				}
				if !found {
					t.Errorf("no description contains %q: %+v", tt.want, list)
				}
				if tt.status == 405 && rec.Header().Get("Allow") == "" {
					t.Errorf("405 without Allow header")
				}
			})
		}
	}
}

func TestUnknownFormat(t *testing.T) {
	for _, target := range []string{"/services.html", "/services", "/requests/638344.yaml"} {
		rec := serve(t, newFakeBackend(), Options{}, "GET", target+"?jurisdiction_id="+town, nil)
		if rec.Code != 404 {
			t.Errorf("%s: status %d, want 404", target, rec.Code)
			continue
		}
		// XML is the format every client must support, so errors about the
		// format itself are written in it.
		list := decodeErrors(t, formatXML, rec.Body.Bytes())
		if len(list) != 1 || !strings.Contains(list[0].Description, ".xml or .json") {
			t.Errorf("%s: errors %+v, want a hint to use .xml or .json", target, list)
		}
	}
}

func TestBackendFailureHidesDetail(t *testing.T) {
	var logs bytes.Buffer
	b := newFakeBackend()
	b.broken = errors.New("pq: connection refused to 10.0.0.5")
	rec := serve(t, b, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))}, "GET", "/requests.json?jurisdiction_id="+town, nil)
	if rec.Code != 500 {
		t.Fatalf("status = %d, want 500", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "10.0.0.5") {
		t.Errorf("internal detail leaked: %s", rec.Body)
	}
	if list := decodeErrors(t, formatJSON, rec.Body.Bytes()); len(list) != 1 || list[0].Code != 500 {
		t.Errorf("errors = %+v", list)
	}
	if !strings.Contains(logs.String(), "10.0.0.5") {
		t.Errorf("failure not logged: %q", logs.String())
	}
}

func TestBodyLimit(t *testing.T) {
	f := validForm()
	f.Set("media_url", "https://example.org/"+strings.Repeat("a", maxBodyBytes))
	rec := serve(t, newFakeBackend(), Options{}, "POST", "/requests.xml", f)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status = %d, want 413\n%.300s", rec.Code, rec.Body)
	}
	decodeErrors(t, formatXML, rec.Body.Bytes())
}

func TestCreate(t *testing.T) {
	b := newFakeBackend()
	f := validForm()
	f.Del("jurisdiction_id") // served by DefaultJurisdiction
	f.Add("attribute[WHISHETN]", "123")
	f.Add("attribute[PLATE][]", "沪A12345")
	f.Add("attribute[PLATE][]", "沪B67890")
	rec := serve(t, b, Options{DefaultJurisdiction: town}, "POST", "/requests.json", f)
	if rec.Code != 200 {
		t.Fatalf("status = %d\n%s", rec.Code, rec.Body)
	}
	var got []map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || len(got) != 1 {
		t.Fatalf("body %s: %v", rec.Body, err)
	}
	if got[0]["service_request_id"] != "XJ000001" || got[0]["account_id"] != nil {
		t.Errorf("answer = %v", got[0])
	}
	if len(b.created) != 1 {
		t.Fatalf("created %d requests", len(b.created))
	}
	c := b.created[0]
	if c.JurisdictionID != town || c.APIKey != apiKey || c.ServiceCode != "001" || *c.Lat != 31.2165 || *c.Long != 121.3748 {
		t.Errorf("created = %+v", c)
	}
	if fmt.Sprint(c.Attributes) != "map[PLATE:[沪A12345 沪B67890] WHISHETN:[123]]" {
		t.Errorf("attributes = %v", c.Attributes)
	}
}

func TestRequestsQuery(t *testing.T) {
	q := "/requests.json?jurisdiction_id=" + town
	tests := []struct {
		name    string
		query   string
		wantIDs string
		check   func(t *testing.T, f Filter)
	}{
		{"default window is the last 90 days", "", "638344,638349", func(t *testing.T, f Filter) {
			if f.Limit != 1000 || !f.End.Equal(testNow) || !f.Start.Equal(testNow.Add(-90*24*time.Hour)) {
				t.Errorf("filter = %+v", f)
			}
		}},
		{"ID list overrides other arguments", "&service_request_id=500001,638349&status=closed", "638349,500001", func(t *testing.T, f Filter) {
			if f.Status != "" || f.Start != nil || len(f.IDs) != 2 {
				t.Errorf("filter = %+v", f)
			}
		}},
		{"status", "&status=open", "638349", nil},
		{"both statuses mean all", "&status=open,closed", "638344,638349", nil},
		{"service codes", "&service_code=DMV66,NONE", "638349", nil},
		{"start only spans 90 days forward", "&start_date=2024-01-01T00:00:00%2B08:00", "500001", func(t *testing.T, f Filter) {
			if got := f.End.Sub(*f.Start); got != 90*24*time.Hour {
				t.Errorf("span = %v", got)
			}
		}},
		{"unencoded plus in a date", "&start_date=2024-05-18T00:00:00+08:00&end_date=2024-05-20T00:00:00+08:00", "638349", nil},
		{"date without zone is Beijing time", "&start_date=2024-05-19&end_date=2024-05-19T10:00:00", "638349", func(t *testing.T, f Filter) {
			if !f.Start.Equal(time.Date(2024, 5, 18, 16, 0, 0, 0, time.UTC)) {
				t.Errorf("start = %v", f.Start)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newFakeBackend()
			rec := serve(t, b, Options{}, "GET", q+tt.query, nil)
			if rec.Code != 200 {
				t.Fatalf("status = %d\n%s", rec.Code, rec.Body)
			}
			var got []struct {
				ID string `json:"service_request_id"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range got {
				ids = append(ids, r.ID)
			}
			if strings.Join(ids, ",") != tt.wantIDs {
				t.Errorf("ids = %v, want %s", ids, tt.wantIDs)
			}
			if tt.check != nil {
				tt.check(t, b.lastFilter)
			}
		})
	}
}

func TestRequestsLimit(t *testing.T) {
	b := newFakeBackend()
	for i := range 1500 {
		b.requests = append(b.requests, Request{ServiceRequestID: fmt.Sprint("N", i), Status: StatusOpen,
			ServiceCode: "001", RequestedDatetime: testNow.Add(-time.Hour), UpdatedDatetime: testNow})
	}
	rec := serve(t, b, Options{}, "GET", "/requests.xml?jurisdiction_id="+town, nil)
	var doc struct {
		Requests []struct{} `xml:"request"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Requests) != 1000 {
		t.Errorf("returned %d requests, want 1000", len(doc.Requests))
	}
}

// TestWireValues checks values, not just shapes: zones, booleans, numbers
// and nulls as the specification prints them.
func TestWireValues(t *testing.T) {
	b := newFakeBackend()
	rec := serve(t, b, Options{}, "GET", "/requests/638344.xml?jurisdiction_id="+town, nil)
	for _, want := range []string{
		// Stored in UTC, served in +08:00.
		"<requested_datetime>2024-05-17T10:00:00+08:00</requested_datetime>",
		"<lat>31.2165</lat>", "<long>121.3748</long>", "<status>closed</status>",
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("XML lacks %s\n%s", want, rec.Body)
		}
	}
	rec = serve(t, b, Options{}, "GET", "/requests/638349.json?jurisdiction_id="+town, nil)
	var got []map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"expected_datetime", "lat", "long", "media_url", "description"} {
		if v, ok := got[0][k]; !ok || v != nil {
			t.Errorf("%s = %v, want null", k, v)
		}
	}
	rec = serve(t, b, Options{}, "GET", "/services.json?jurisdiction_id="+town, nil)
	var services []map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &services); err != nil {
		t.Fatal(err)
	}
	if services[1]["metadata"] != true || services[0]["metadata"] != false || services[0]["keywords"] != "垃圾, 市容" {
		t.Errorf("services = %v", services)
	}
	rec = serve(t, b, Options{}, "GET", "/services.xml?jurisdiction_id="+town, nil)
	if !strings.Contains(rec.Body.String(), "<metadata>true</metadata>") {
		t.Errorf("XML boolean not written as true/false:\n%s", rec.Body)
	}
}

func TestDiscovery(t *testing.T) {
	opts := Options{Discovery: Discovery{
		Changeset:  time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
		Contact:    "新泾镇城运中心 021-00000000",
		KeyService: "https://civicgrid.example/settings/tokens",
		Endpoints: []Endpoint{{Specification: "http://wiki.open311.org/GeoReport_v2",
			URL: "https://civicgrid.example/open311/v2", Type: "production"}},
	}}
	rec := serve(t, newFakeBackend(), opts, "GET", "/discovery.json", nil)
	var d struct {
		Changeset string `json:"changeset"`
		Endpoints []struct {
			Formats []string `json:"formats"`
		} `json:"endpoints"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil || rec.Code != 200 {
		t.Fatalf("%d %s: %v", rec.Code, rec.Body, err)
	}
	if d.Changeset != "2024-05-01T08:00:00+08:00" || len(d.Endpoints) != 1 || len(d.Endpoints[0].Formats) != 2 {
		t.Errorf("discovery = %+v", d)
	}
	rec = serve(t, newFakeBackend(), opts, "GET", "/discovery.xml", nil)
	if !strings.Contains(rec.Body.String(), "<endpoints><endpoint><specification>") ||
		!strings.Contains(rec.Body.String(), "<formats><format>text/xml</format><format>application/json</format></formats>") {
		t.Errorf("discovery XML:\n%s", rec.Body)
	}
}
