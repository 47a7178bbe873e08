package open311backend

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/open311"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/problem"
)

// footerMark separates the reporter's text from the contact details Open311 sends but orders
// have no column for (e-mail, photo link, address-book id). Staff read them in the order;
// toRequest cuts them off again before anything is published.
const footerMark = "\n\n-- Open311 --\n"

// Footer keys, one "key: value" line each.
const (
	footerEmail     = "email"
	footerMediaURL  = "media_url"
	footerAddressID = "address_id"
)

// Create stores the request as a received order of channel open311. device_id, account_id and
// attributes are dropped: no service defines attributes, and the other two identify a phone or
// an app account, which staff cannot use and the order should not keep.
func (b *backend) Create(ctx context.Context, j string, r open311.NewRequest) (open311.Created, error) {
	// The handler has checked the key already; asking again ties the order to its owner and
	// keeps Create safe for any other caller.
	u, err := b.keyOwner(ctx, j, r.APIKey)
	if err != nil {
		return open311.Created{}, err
	}
	tree, err := b.categories(ctx, j)
	if err != nil {
		return open311.Created{}, err
	}
	if !tree.isLeaf(r.ServiceCode) {
		return open311.Created{}, invalid("service_code %q is not a service of jurisdiction %s; see services.xml", r.ServiceCode, j)
	}
	n := orders.NewOrder{
		TownCode: j, Channel: orders.ChannelOpen311, ExternalID: newToken(), Category: r.ServiceCode,
		Address: r.AddressString, Lat: r.Lat, Lng: r.Long,
		CallerName: fullName(r.FirstName, r.LastName), CallerPhone: r.Phone,
		ActorName: u.DisplayName, ActorRole: u.Role,
	}
	if u.Role == auth.RoleResident {
		// The key is the resident's own, so the order is theirs ("my reports"), and their account
		// supplies the contact details the form left out, as on the resident report page.
		n.RaisedBy = u.ID
		if n.CallerName == "" {
			n.CallerName = u.DisplayName
		}
		if n.CallerPhone == "" {
			n.CallerPhone = u.Phone
		}
	}
	if r.AddressID != "" {
		if err := b.fromAddressBook(ctx, j, r.AddressID, &n); err != nil {
			return open311.Created{}, err
		}
	}
	// A bare photo or a point on a map is a valid Open311 report, but an order without words is
	// useless to the dispatcher: the service name is the least that describes it.
	text := r.Description
	if text == "" {
		text = tree.byCode[r.ServiceCode].Name
	}
	footer := contactFooter(r)
	if utf8.RuneCountInString(text)+utf8.RuneCountInString(footer) > orders.MaxContentRunes {
		return open311.Created{}, invalid("description is too long together with the contact details: shorten it to %d characters",
			orders.MaxContentRunes-utf8.RuneCountInString(footer))
	}
	n.Content = text + footer

	o, err := b.orders.Create(ctx, n)
	if err != nil {
		return open311.Created{}, wireError(err)
	}
	return open311.Created{
		ServiceRequestID: o.Number,
		Token:            o.ExternalID,
		// The short code (查询码) with the number lets the reporter follow the order on /track;
		// this answer is the only place it is given out.
		ServiceNotice: fmt.Sprintf("已受理，工单号 %s，查询码 %s。Received as order %s; tracking code %s.", o.Number, o.ShortCode, o.Number, o.ShortCode),
	}, nil
}

// Token resolves the token Create returned to the order number.
func (b *backend) Token(ctx context.Context, j, token string) (string, error) {
	o, err := b.orders.ByExternalID(ctx, b.db, j, orders.ChannelOpen311, token)
	if errors.Is(err, problem.ErrNotFound) {
		return "", open311.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("token %s: %w", token, err)
	}
	return o.Number, nil
}

// newToken is the order's external id and the Open311 token: random rather than the short code,
// which is neither unique nor indexed, and is the tracking secret besides.
func newToken() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return "o311-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// fullName joins the two halves in the order the name is written: family name first and without
// a space for Chinese names (小明 + 王 → 王小明), first name first otherwise.
func fullName(first, last string) string {
	switch {
	case first == "" || last == "":
		return strings.TrimSpace(first + last)
	case isHan(first) && isHan(last):
		return last + first
	default:
		return first + " " + last
	}
}

func isHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

func contactFooter(r open311.NewRequest) string {
	var lines []string
	for _, kv := range [][2]string{{footerEmail, r.Email}, {footerMediaURL, r.MediaURL}, {footerAddressID, r.AddressID}} {
		if kv[1] != "" {
			lines = append(lines, kv[0]+": "+kv[1])
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return footerMark + strings.Join(lines, "\n")
}

// splitFooter returns the reporter's text and the footer's fields of an Open311 order.
func splitFooter(content string) (string, map[string]string) {
	text, footer, ok := strings.Cut(content, footerMark)
	if !ok {
		return content, nil
	}
	fields := map[string]string{}
	for _, line := range strings.Split(footer, "\n") {
		if k, v, ok := strings.Cut(line, ": "); ok {
			fields[k] = v
		}
	}
	return text, fields
}

// fromAddressBook fills in what the address-book entry knows and the request did not say. The
// entry's grid is used only without coordinates: a point the reporter chose locates better.
func (b *backend) fromAddressBook(ctx context.Context, j, id string, n *orders.NewOrder) error {
	num, err := strconv.ParseInt(id, 10, 64)
	if err != nil || num <= 0 {
		return invalid("address_id %q is not an address-book id", id)
	}
	// places has no lookup by id; one row by primary key is not worth a new API there.
	var text string
	var lat, lng sql.NullFloat64
	var grid sql.NullString
	err = b.db.QueryRow(ctx, `SELECT text, lat, lng, grid_code FROM addresses WHERE town_code = ? AND id = ?`, j, num).
		Scan(&text, &lat, &lng, &grid)
	if errors.Is(err, sql.ErrNoRows) {
		return invalid("address_id %s is not in the address book of jurisdiction %s", id, j)
	}
	if err != nil {
		return fmt.Errorf("address %d: %w", num, err)
	}
	if n.Address == "" {
		n.Address = text
	}
	if n.Lat == nil && lat.Valid && lng.Valid && (lat.Float64 != 0 || lng.Float64 != 0) {
		n.Lat, n.Lng = &lat.Float64, &lng.Float64
	}
	if n.Lat == nil {
		n.Grid = grid.String
	}
	return nil
}

// wireNames maps the store's field names to the Open311 parameters a client sent.
var wireNames = map[string]string{
	"town": "jurisdiction_id", "content": "description", "category": "service_code", "address": "address_string",
	"lat": "lat", "lng": "long", "caller_name": "first_name", "caller_phone": "phone", "grid": "address_id",
}

// wireError turns the store's input errors into Open311 validation errors naming the parameter;
// anything else stays an internal error.
func wireError(err error) error {
	var fe *problem.FieldError
	if errors.As(err, &fe) {
		name, ok := wireNames[fe.Field]
		if !ok {
			name = fe.Field
		}
		return invalid("%s: %s", name, fe.Reason)
	}
	if errors.Is(err, problem.ErrNotFound) {
		return open311.ErrNotFound
	}
	return err
}

func invalid(format string, args ...any) error {
	return &open311.ValidationError{Code: 400, Description: fmt.Sprintf(format, args...)}
}
