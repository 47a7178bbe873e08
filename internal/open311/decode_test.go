package open311

import (
	"math"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// examplePOST is the specification's example POST, split into its request
// line, headers and body. It is parsed by hand because the example has no
// Content-Length and so is not a complete HTTP message.
type examplePOST struct {
	method, path string
	header       http.Header
	body         string
}

func specPOST(t testing.TB) examplePOST {
	t.Helper()
	raw := strings.ReplaceAll(string(readShared(t, "spec_examples/post_service_request.request.txt")), "\r\n", "\n")
	head, body, ok := strings.Cut(raw, "\n\n")
	if !ok {
		t.Fatal("example POST has no body")
	}
	lines := strings.Split(head, "\n")
	var ex examplePOST
	if f := strings.Fields(lines[0]); len(f) >= 2 {
		ex.method, ex.path = f[0], f[1]
	}
	ex.header = http.Header{}
	for _, l := range lines[1:] {
		if k, v, ok := strings.Cut(l, ":"); ok {
			ex.header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	ex.body = strings.TrimSpace(body)
	return ex
}

func TestDecodeSpecExample(t *testing.T) {
	ex := specPOST(t)
	if ex.method != "POST" || !strings.HasSuffix(ex.path, "/requests.xml") ||
		!strings.HasPrefix(ex.header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		t.Fatalf("example is not a form POST to requests.xml: %s %s %v", ex.method, ex.path, ex.header)
	}
	form, err := url.ParseQuery(ex.body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeNewRequest(form)
	if err != nil {
		t.Fatalf("DecodeNewRequest: %v", err)
	}
	want := NewRequest{
		JurisdictionID: "city.gov", APIKey: "xyz", ServiceCode: "001",
		AddressString: "1234 5th street", Email: "smit333@sfgov.edu", DeviceID: "tt222111",
		AccountID: "123456", FirstName: "john", LastName: "smith", Phone: "111111111",
		Description: "A large sinkhole is destroying the street",
		MediaURL:    "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg",
	}
	if got.Lat == nil || *got.Lat != 37.76524078 || got.Long == nil || *got.Long != -122.4212043 {
		t.Errorf("lat/long = %v/%v", got.Lat, got.Long)
	}
	if a := got.Attributes; len(a) != 2 || strings.Join(a["WHISPAWN"], "|") != "123456" || strings.Join(a["WHISDORN"], "|") != "COISL001" {
		t.Errorf("attributes = %v", a)
	}
	got.Lat, got.Long, got.Attributes = nil, nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// TestSpecExamplePOSTEndToEnd sends the example through the handler: it
// names a jurisdiction we do not serve, which must be a 404, and with ours
// substituted it must create a request.
func TestSpecExamplePOSTEndToEnd(t *testing.T) {
	form, err := url.ParseQuery(specPOST(t).body)
	if err != nil {
		t.Fatal(err)
	}
	rec := serve(t, newFakeBackend(), Options{}, "POST", "/requests.xml", form)
	if rec.Code != 404 {
		t.Fatalf("foreign jurisdiction: status %d\n%s", rec.Code, rec.Body)
	}
	form.Set("jurisdiction_id", town)
	form.Set("api_key", apiKey)
	b := newFakeBackend()
	rec = serve(t, b, Options{}, "POST", "/requests.xml", form)
	if rec.Code != 200 || len(b.created) != 1 || b.created[0].Attributes["WHISDORN"][0] != "COISL001" {
		t.Fatalf("status %d, created %+v\n%s", rec.Code, b.created, rec.Body)
	}
}

func TestDecodeNewRequest(t *testing.T) {
	base := "service_code=001&lat=31.2&long=121.4"
	tests := []struct {
		name    string
		form    string
		wantErr []string // substrings, one per expected problem; nil means valid
	}{
		{"coordinates", base, nil},
		{"address only", "service_code=001&address_string=剑河路8号", nil},
		{"address_id only", "service_code=001&address_id=A17", nil},
		{"boundary coordinates", "service_code=001&lat=-90&long=180", nil},
		{"multivalue attribute", base + "&attribute[A][]=1&attribute[A][]=2&attribute[B]=x", nil},
		{"everything wrong at once", "lat=100&long=x&email=nobody&description=" + strings.Repeat("x", 4001),
			[]string{"description is too long", "service_code is required", "lat must be", "long must be", "email"}},
		{"long without lat", "service_code=001&long=121", []string{"together"}},
		{"no location", "service_code=001", []string{"location is required"}},
		{"infinite lat", "service_code=001&lat=Inf&long=0", []string{"lat must be"}},
		{"invalid UTF-8", base + "&description=%FF%FE", []string{"not valid UTF-8"}},
		{"control character", base + "&first_name=a%00b", []string{"control character"}},
		{"empty attribute code", base + "&attribute[]=1", []string{"malformed attribute"}},
		{"nested attribute", base + "&attribute[A][B]=1", []string{"malformed attribute"}},
		{"relative media_url", base + "&media_url=/img.jpg", []string{"media_url"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form, err := url.ParseQuery(tt.form)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeNewRequest(form)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if got.ServiceCode != "001" {
					t.Errorf("service_code = %q", got.ServiceCode)
				}
				return
			}
			list := validationErrors(err)
			if len(list) != len(tt.wantErr) {
				t.Fatalf("got %d problems, want %d: %v", len(list), len(tt.wantErr), err)
			}
			for i, want := range tt.wantErr {
				if !strings.Contains(list[i].Description, want) || list[i].Code != 400 {
					t.Errorf("problem %d = %+v, want %q", i, list[i], want)
				}
			}
		})
	}
	t.Run("multivalue order kept", func(t *testing.T) {
		form, _ := url.ParseQuery(base + "&attribute[A][]=2&attribute[A][]=1")
		got, err := DecodeNewRequest(form)
		if err != nil || strings.Join(got.Attributes["A"], ",") != "2,1" {
			t.Errorf("attributes = %v, err %v", got.Attributes, err)
		}
	})
}

func FuzzDecodeNewRequest(f *testing.F) {
	f.Add(specPOST(f).body)
	f.Add("service_code=1&lat=-90&long=-180")
	f.Add("service_code=1&address_id=x&attribute[a][]=1&attribute[a][]=2&attribute[a]=3")
	f.Add("service_code=%FF&lat=1e309&long=0x1p-2")
	f.Fuzz(func(t *testing.T, body string) {
		form, _ := url.ParseQuery(body) // partial forms are what a server sees too
		r, err := DecodeNewRequest(form)
		if err != nil {
			if len(validationErrors(err)) == 0 {
				t.Fatalf("error is not a validation error: %v", err)
			}
			return
		}
		if (r.Lat == nil) != (r.Long == nil) {
			t.Fatalf("lat %v without long %v", r.Lat, r.Long)
		}
		if r.Lat != nil && (math.IsNaN(*r.Lat) || *r.Lat < -90 || *r.Lat > 90 || math.IsNaN(*r.Long) || *r.Long < -180 || *r.Long > 180) {
			t.Fatalf("coordinates out of range: %v, %v", *r.Lat, *r.Long)
		}
		if r.Lat == nil && r.AddressString == "" && r.AddressID == "" {
			t.Fatal("accepted a request without a location")
		}
		if r.ServiceCode == "" {
			t.Fatal("accepted a request without service_code")
		}
		if !utf8.ValidString(r.Description) || utf8.RuneCountInString(r.Description) > maxDescriptionRune {
			t.Fatalf("description not bounded: %d runes", utf8.RuneCountInString(r.Description))
		}
	})
}
