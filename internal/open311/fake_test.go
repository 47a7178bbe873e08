package open311

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	town   = "310105102" // 新泾镇, the jurisdiction the fake serves
	apiKey = "cg_test_key"
)

// testNow pins the clock so the default 90-day window is predictable.
var testNow = time.Date(2024, 5, 20, 10, 0, 0, 0, beijing)

// fakeBackend is an in-memory Backend whose data mirrors the specification's
// examples, so that every element the examples show has a value to carry.
type fakeBackend struct {
	mu         sync.Mutex
	services   []Service
	defs       map[string]ServiceDefinition
	requests   []Request
	tokens     map[string]string
	created    []NewRequest
	lastFilter Filter
	// requestsCalls counts the calls of Requests: one per GET requests, whatever it asks for.
	requestsCalls int
	// broken makes every call fail as a database outage would.
	broken error
}

func f64(v float64) *float64 { return &v }

func newFakeBackend() *fakeBackend {
	expected := testNow.Add(24 * time.Hour)
	return &fakeBackend{
		services: []Service{
			{Code: "001", Name: "暴露垃圾", Description: "Garbage left out in public space.", Group: "市容环境",
				Metadata: false, Type: TypeRealtime, Keywords: []string{"垃圾", "市容"}},
			{Code: "DMV66", Name: "违法停车", Description: "Illegally parked vehicle.", Group: "街面秩序",
				Metadata: true, Type: TypeRealtime, Keywords: []string{"停车"}},
		},
		defs: map[string]ServiceDefinition{
			"DMV66": {ServiceCode: "DMV66", Attributes: []Attribute{{
				Variable: true, Code: "WHISHETN", Datatype: "singlevaluelist", Required: true,
				Order: 1, Description: "What is the ticket/tag/DL number?",
				Values: []AttributeValue{{Key: "123", Name: "Ford"}, {Key: "124", Name: "Chrysler"}},
			}}},
		},
		requests: []Request{
			{ServiceRequestID: "638344", Status: StatusClosed, StatusNotes: "Duplicate request.",
				ServiceName: "暴露垃圾", ServiceCode: "001", Description: "路口有垃圾",
				AgencyResponsible: "新泾镇城运中心", ServiceNotice: "24小时内处理",
				RequestedDatetime: testNow.Add(-72 * time.Hour).UTC(), UpdatedDatetime: testNow.Add(-48 * time.Hour),
				ExpectedDatetime: &expected, Address: "剑河路 8号", AddressID: "545483", Zipcode: "200336",
				Lat: f64(31.2165), Long: f64(121.3748), MediaURL: "https://example.org/638344.jpg"},
			{ServiceRequestID: "638349", Status: StatusOpen, ServiceName: "违法停车", ServiceCode: "DMV66",
				RequestedDatetime: testNow.Add(-24 * time.Hour), UpdatedDatetime: testNow.Add(-24 * time.Hour),
				Address: "仙霞西路 88号"},
			// Outside the default window: must not appear unless asked for by ID.
			{ServiceRequestID: "500001", Status: StatusClosed, ServiceCode: "001",
				RequestedDatetime: testNow.Add(-120 * 24 * time.Hour), UpdatedDatetime: testNow.Add(-100 * 24 * time.Hour)},
		},
		tokens: map[string]string{"12345": "638344"},
	}
}

func (b *fakeBackend) Jurisdiction(_ context.Context, id string) (bool, error) {
	return id == town, b.broken
}

func (b *fakeBackend) Services(context.Context, string) ([]Service, error) {
	return b.services, b.broken
}

func (b *fakeBackend) ServiceDefinition(_ context.Context, _, code string) (ServiceDefinition, error) {
	if b.broken != nil {
		return ServiceDefinition{}, b.broken
	}
	d, ok := b.defs[code]
	if !ok {
		return ServiceDefinition{}, ErrNotFound
	}
	return d, nil
}

func (b *fakeBackend) CheckAPIKey(_ context.Context, _, key string) error {
	if b.broken != nil {
		return b.broken
	}
	if key != apiKey {
		return ErrForbidden
	}
	return nil
}

func (b *fakeBackend) Create(_ context.Context, _ string, r NewRequest) (Created, error) {
	if b.broken != nil {
		return Created{}, b.broken
	}
	if !slices.ContainsFunc(b.services, func(s Service) bool { return s.Code == r.ServiceCode }) {
		return Created{}, &ValidationError{Code: 400, Description: "service_code " + r.ServiceCode + " is not offered here"}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.created = append(b.created, r)
	return Created{ServiceRequestID: fmt.Sprintf("XJ%06d", len(b.created)),
		ServiceNotice: "将在24小时内派单处置"}, nil
}

// Requests deliberately ignores f.Limit so that tests see the handler
// enforce it.
func (b *fakeBackend) Requests(_ context.Context, _ string, f Filter) ([]Request, error) {
	if b.broken != nil {
		return nil, b.broken
	}
	b.mu.Lock()
	b.lastFilter = f
	b.requestsCalls++
	b.mu.Unlock()
	var out []Request
	for _, r := range b.requests {
		switch {
		case len(f.IDs) > 0 && !slices.Contains(f.IDs, r.ServiceRequestID):
		case len(f.IDs) > 0:
			out = append(out, r)
		case len(f.ServiceCodes) > 0 && !slices.Contains(f.ServiceCodes, r.ServiceCode):
		case f.Status != "" && f.Status != r.Status:
		case f.Start != nil && r.RequestedDatetime.Before(*f.Start):
		case f.End != nil && r.RequestedDatetime.After(*f.End):
		default:
			out = append(out, r)
		}
	}
	return out, nil
}

func (b *fakeBackend) Request(_ context.Context, _, id string) (Request, error) {
	if b.broken != nil {
		return Request{}, b.broken
	}
	for _, r := range b.requests {
		if r.ServiceRequestID == id {
			return r, nil
		}
	}
	return Request{}, ErrNotFound
}

func (b *fakeBackend) Token(_ context.Context, _, token string) (string, error) {
	if b.broken != nil {
		return "", b.broken
	}
	id, ok := b.tokens[token]
	if !ok {
		return "", ErrNotFound
	}
	return id, nil
}

// serve mounts the handler the way the application will and performs one
// call. form, when not nil, is sent as an URL-encoded body.
func serve(t *testing.T, b Backend, opts Options, method, target string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return testNow }
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	mux.Handle("/open311/v2/", http.StripPrefix("/open311/v2", Handler(b, opts)))
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, "/open311/v2"+target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	return rec
}

// validForm is a POST that the fake accepts.
func validForm() url.Values {
	return url.Values{
		"jurisdiction_id": {town},
		"api_key":         {apiKey},
		"service_code":    {"001"},
		"lat":             {"31.2165"},
		"long":            {"121.3748"},
		"description":     {"剑河路口垃圾满溢"},
	}
}
