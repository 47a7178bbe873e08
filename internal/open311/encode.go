package open311

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strconv"
	"strings"
)

// The wire types below mirror the specification's examples element by
// element. One struct serves both formats where the shapes agree; XML needs a
// root element and JSON a bare array, which writeBody adds.

// optString is a string that JSON writes as null when empty, as the
// specification's examples do for absent values; XML writes an empty element.
type optString string

func (s optString) MarshalJSON() ([]byte, error) {
	if s == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(s))
}

// optNumber is a decimal already formatted for output: a JSON number, or
// null when absent.
type optNumber string

func (n optNumber) MarshalJSON() ([]byte, error) {
	if n == "" {
		return []byte("null"), nil
	}
	return []byte(n), nil
}

func number(f *float64) optNumber {
	if f == nil {
		return ""
	}
	return optNumber(strconv.FormatFloat(*f, 'f', -1, 64))
}

type wireService struct {
	ServiceCode string    `xml:"service_code" json:"service_code"`
	ServiceName string    `xml:"service_name" json:"service_name"`
	Description optString `xml:"description" json:"description"`
	Metadata    bool      `xml:"metadata" json:"metadata"`
	Type        string    `xml:"type" json:"type"`
	Keywords    optString `xml:"keywords" json:"keywords"`
	Group       optString `xml:"group" json:"group"`
}

type xmlServices struct {
	XMLName  xml.Name      `xml:"services"`
	Services []wireService `xml:"service"`
}

func toWireServices(in []Service) []wireService {
	out := make([]wireService, 0, len(in))
	for _, s := range in {
		typ := s.Type
		if typ == "" {
			typ = TypeRealtime
		}
		out = append(out, wireService{
			ServiceCode: s.Code,
			ServiceName: s.Name,
			Description: optString(s.Description),
			Metadata:    s.Metadata,
			Type:        typ,
			Keywords:    optString(strings.Join(s.Keywords, ", ")),
			Group:       optString(s.Group),
		})
	}
	return out
}

type wireValue struct {
	Key  string `xml:"key" json:"key"`
	Name string `xml:"name" json:"name"`
}

type wireAttribute struct {
	Variable            bool       `xml:"variable" json:"variable"`
	Code                string     `xml:"code" json:"code"`
	Datatype            string     `xml:"datatype" json:"datatype"`
	Required            bool       `xml:"required" json:"required"`
	DatatypeDescription optString  `xml:"datatype_description" json:"datatype_description"`
	Order               int        `xml:"order" json:"order"`
	Description         string     `xml:"description" json:"description"`
	Values              wireValues `xml:"values" json:"values"`
}

// wireValues always writes <values>, even when empty, because clients look
// the element up unconditionally.
type wireValues struct {
	Value []wireValue `xml:"value"`
}

func (v wireValues) MarshalJSON() ([]byte, error) { return jsonArray(v.Value) }

// jsonArray is xs in JSON, [] and not null when there are none.
func jsonArray[T any](xs []T) ([]byte, error) {
	if xs == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(xs)
}

type wireAttributes struct {
	Attribute []wireAttribute `xml:"attribute"`
}

func (a wireAttributes) MarshalJSON() ([]byte, error) { return jsonArray(a.Attribute) }

type wireDefinition struct {
	XMLName     xml.Name       `xml:"service_definition" json:"-"`
	ServiceCode string         `xml:"service_code" json:"service_code"`
	Attributes  wireAttributes `xml:"attributes" json:"attributes"`
}

func toWireDefinition(d ServiceDefinition) wireDefinition {
	out := wireDefinition{ServiceCode: d.ServiceCode}
	for _, a := range d.Attributes {
		wa := wireAttribute{
			Variable:            a.Variable,
			Code:                a.Code,
			Datatype:            a.Datatype,
			Required:            a.Required,
			DatatypeDescription: optString(a.DatatypeDescription),
			Order:               a.Order,
			Description:         a.Description,
		}
		for _, v := range a.Values {
			wa.Values.Value = append(wa.Values.Value, wireValue(v))
		}
		out.Attributes.Attribute = append(out.Attributes.Attribute, wa)
	}
	return out
}

type wireRequest struct {
	ServiceRequestID  string    `xml:"service_request_id" json:"service_request_id"`
	Status            string    `xml:"status" json:"status"`
	StatusNotes       optString `xml:"status_notes" json:"status_notes"`
	ServiceName       optString `xml:"service_name" json:"service_name"`
	ServiceCode       string    `xml:"service_code" json:"service_code"`
	Description       optString `xml:"description" json:"description"`
	AgencyResponsible optString `xml:"agency_responsible" json:"agency_responsible"`
	ServiceNotice     optString `xml:"service_notice" json:"service_notice"`
	RequestedDatetime optString `xml:"requested_datetime" json:"requested_datetime"`
	UpdatedDatetime   optString `xml:"updated_datetime" json:"updated_datetime"`
	ExpectedDatetime  optString `xml:"expected_datetime" json:"expected_datetime"`
	Address           optString `xml:"address" json:"address"`
	AddressID         optString `xml:"address_id" json:"address_id"`
	Zipcode           optString `xml:"zipcode" json:"zipcode"`
	Lat               optNumber `xml:"lat" json:"lat"`
	Long              optNumber `xml:"long" json:"long"`
	MediaURL          optString `xml:"media_url" json:"media_url"`
}

func toWireRequest(r Request) wireRequest {
	var expected string
	if r.ExpectedDatetime != nil {
		expected = formatTime(*r.ExpectedDatetime)
	}
	return wireRequest{
		ServiceRequestID:  r.ServiceRequestID,
		Status:            r.Status,
		StatusNotes:       optString(r.StatusNotes),
		ServiceName:       optString(r.ServiceName),
		ServiceCode:       r.ServiceCode,
		Description:       optString(r.Description),
		AgencyResponsible: optString(r.AgencyResponsible),
		ServiceNotice:     optString(r.ServiceNotice),
		RequestedDatetime: optString(formatTime(r.RequestedDatetime)),
		UpdatedDatetime:   optString(formatTime(r.UpdatedDatetime)),
		ExpectedDatetime:  optString(expected),
		Address:           optString(r.Address),
		AddressID:         optString(r.AddressID),
		Zipcode:           optString(r.Zipcode),
		Lat:               number(r.Lat),
		Long:              number(r.Long),
		MediaURL:          optString(r.MediaURL),
	}
}

// wireCreated answers POST requests; the specification sends either the ID
// or a token, so each is left out when empty, but account_id is always there.
type wireCreated struct {
	ServiceRequestID string    `xml:"service_request_id,omitempty" json:"service_request_id,omitempty"`
	Token            string    `xml:"token,omitempty" json:"token,omitempty"`
	ServiceNotice    optString `xml:"service_notice" json:"service_notice"`
	AccountID        optString `xml:"account_id" json:"account_id"`
}

type wireToken struct {
	ServiceRequestID string `xml:"service_request_id" json:"service_request_id"`
	Token            string `xml:"token" json:"token"`
}

// xmlRequests wraps any of the request-shaped answers, which the
// specification all puts under service_requests/request.
type xmlRequests[T any] struct {
	XMLName  xml.Name `xml:"service_requests"`
	Requests []T      `xml:"request"`
}

type wireError struct {
	Code        int    `xml:"code" json:"code"`
	Description string `xml:"description" json:"description"`
}

type xmlErrors struct {
	XMLName xml.Name    `xml:"errors"`
	Errors  []wireError `xml:"error"`
}

type wireEndpoint struct {
	Specification string   `xml:"specification" json:"specification"`
	URL           string   `xml:"url" json:"url"`
	Changeset     string   `xml:"changeset" json:"changeset"`
	Type          string   `xml:"type" json:"type"`
	Formats       []string `xml:"formats>format" json:"formats"`
}

type wireDiscovery struct {
	XMLName    xml.Name       `xml:"discovery" json:"-"`
	Changeset  string         `xml:"changeset" json:"changeset"`
	Contact    string         `xml:"contact" json:"contact"`
	KeyService string         `xml:"key_service" json:"key_service"`
	Endpoints  []wireEndpoint `xml:"endpoints>endpoint" json:"endpoints"`
}

func toWireDiscovery(d Discovery) wireDiscovery {
	out := wireDiscovery{
		Changeset:  formatTime(d.Changeset),
		Contact:    d.Contact,
		KeyService: d.KeyService,
		Endpoints:  []wireEndpoint{},
	}
	for _, e := range d.Endpoints {
		formats := e.Formats
		if len(formats) == 0 {
			formats = []string{contentXML, contentJSON}
		}
		out.Endpoints = append(out.Endpoints, wireEndpoint{
			Specification: e.Specification,
			URL:           e.URL,
			Changeset:     formatTime(e.Changeset),
			Type:          e.Type,
			Formats:       formats,
		})
	}
	return out
}

// MIME types as discovery lists them; responses add the charset.
const (
	contentXML  = "text/xml"
	contentJSON = "application/json"
)

// marshal renders a document in the requested format. For XML the root
// element wraps list answers; in JSON the list itself is the document, as
// in the specification.
func marshal(format string, xmlDoc, jsonDoc any) ([]byte, error) {
	if format == formatJSON {
		b, err := json.Marshal(jsonDoc)
		if err != nil {
			return nil, err
		}
		return append(b, '\n'), nil
	}
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	if err := xml.NewEncoder(&buf).Encode(xmlDoc); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
