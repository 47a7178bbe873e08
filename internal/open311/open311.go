// Package open311 serves the Open311 GeoReport v2 API so that existing civic
// apps can report into CivicGrid (市民诉求接入) without knowing its internals.
//
// The package owns the wire format only: routing, parameter decoding,
// validation and the XML/JSON shapes of the specification
// (http://wiki.open311.org/GeoReport_v2). Everything that touches work orders
// sits behind Backend, so the HTTP layer can be tested without a database.
package open311

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Service is one request type a client may report: in CivicGrid a leaf of the
// category tree.
type Service struct {
	Code        string
	Name        string
	Description string
	Group       string
	// Metadata tells clients to fetch the service definition for extra
	// attributes before posting.
	Metadata bool
	Type     string // realtime, batch or blackbox
	Keywords []string
}

// Service types defined by the specification.
const (
	TypeRealtime = "realtime"
	TypeBatch    = "batch"
	TypeBlackbox = "blackbox"
)

// Attribute is one extra question a service asks when a request is posted.
type Attribute struct {
	// Variable is false for informational attributes that take no input.
	Variable            bool
	Code                string
	Datatype            string // string, number, datetime, text, singlevaluelist, multivaluelist
	Required            bool
	DatatypeDescription string
	Order               int
	Description         string
	Values              []AttributeValue
}

// AttributeValue is one option of a singlevaluelist or multivaluelist.
type AttributeValue struct {
	Key  string
	Name string
}

// ServiceDefinition lists the attributes of one service.
type ServiceDefinition struct {
	ServiceCode string
	Attributes  []Attribute
}

// Request statuses defined by the specification; CivicGrid's richer order
// states are folded into these two by the backend.
const (
	StatusOpen   = "open"
	StatusClosed = "closed"
)

// Request is a service request as clients see it: in CivicGrid a work order.
type Request struct {
	ServiceRequestID  string // the CivicGrid order number
	Status            string // StatusOpen or StatusClosed
	StatusNotes       string
	ServiceName       string
	ServiceCode       string
	Description       string
	AgencyResponsible string
	ServiceNotice     string
	RequestedDatetime time.Time
	UpdatedDatetime   time.Time
	ExpectedDatetime  *time.Time
	Address           string
	AddressID         string
	Zipcode           string
	Lat, Long         *float64
	MediaURL          string
}

// NewRequest is a decoded, validated POST requests call.
type NewRequest struct {
	JurisdictionID string
	// APIKey travels with the request so the backend can attribute the new
	// order to the user who owns the key.
	APIKey        string
	ServiceCode   string
	Lat, Long     *float64
	AddressString string
	AddressID     string
	Email         string
	DeviceID      string
	AccountID     string
	FirstName     string
	LastName      string
	Phone         string
	Description   string
	MediaURL      string
	// Attributes holds attribute[CODE]=v and attribute[CODE][]=v1&attribute[CODE][]=v2,
	// keyed by CODE, values in the order they were sent.
	Attributes map[string][]string
}

// Created is the answer to a successful POST. The specification allows either
// an ID or a token (for backends that create orders asynchronously).
type Created struct {
	ServiceRequestID string
	Token            string
	ServiceNotice    string
	AccountID        string
}

// Filter selects requests for GET requests. When IDs is set the other fields
// are empty: the specification lets an ID list override all other arguments.
type Filter struct {
	IDs          []string
	ServiceCodes []string
	Start, End   *time.Time
	Status       string // "", StatusOpen or StatusClosed; "" means both
	Limit        int
}

// Backend is what the endpoint needs from CivicGrid. Implementations return
// ErrNotFound, ErrForbidden or *ValidationError for conditions the client can
// act on; any other error becomes an HTTP 500 without detail.
type Backend interface {
	// Jurisdiction reports whether id (a town code such as 310105102) is served.
	Jurisdiction(ctx context.Context, id string) (bool, error)
	Services(ctx context.Context, jurisdiction string) ([]Service, error)
	ServiceDefinition(ctx context.Context, jurisdiction, code string) (ServiceDefinition, error)
	CheckAPIKey(ctx context.Context, jurisdiction, key string) error
	Create(ctx context.Context, jurisdiction string, r NewRequest) (Created, error)
	Requests(ctx context.Context, jurisdiction string, f Filter) ([]Request, error)
	Request(ctx context.Context, jurisdiction, id string) (Request, error)
	Token(ctx context.Context, jurisdiction, token string) (requestID string, err error)
}

var (
	// ErrNotFound answers HTTP 404.
	ErrNotFound = errors.New("open311: not found")
	// ErrForbidden answers HTTP 403.
	ErrForbidden = errors.New("open311: forbidden")
)

// ValidationError is a problem with the client's input; it answers HTTP 400
// with Code and Description as the error list entry.
type ValidationError struct {
	Code        int
	Description string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("open311: %d %s", e.Code, e.Description)
}

func invalid(format string, args ...any) *ValidationError {
	return &ValidationError{Code: 400, Description: fmt.Sprintf(format, args...)}
}

// Discovery is the content of discovery.{xml|json}, which tells clients where
// the endpoints are and whom to ask for a key.
type Discovery struct {
	Changeset  time.Time
	Contact    string
	KeyService string
	Endpoints  []Endpoint
}

// Endpoint is one deployment of the API listed by discovery.
type Endpoint struct {
	Specification string // e.g. http://wiki.open311.org/GeoReport_v2
	URL           string
	Changeset     time.Time
	Type          string   // production or test
	Formats       []string // MIME types; defaults to XML and JSON
}
