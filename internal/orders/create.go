package orders

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// NewOrder is a demand as an intake channel hands it over.
type NewOrder struct {
	TownCode    string
	Channel     string
	ExternalID  string // the channel's own id (hotline 工单编号, Open311 token); unique per town and channel
	Content     string
	Address     string
	Lat, Lng    *float64
	Category    string
	Grid        string // empty: located from Lat/Lng when given
	CallerName  string
	CallerPhone string
	RaisedBy    int64     // the resident's user id, 0 if anonymous or external
	ReceivedAt  time.Time // zero means now
	ActorName   string    // who took it in, for the history
	ActorRole   string
	// DeadlineClass and LimitDays carry a time limit set by the channel (the hotline imposes its
	// own); filing uses them unless the dispatcher picks a class.
	DeadlineClass string
	LimitDays     int
	// Photos are uploads of the town (ids from SaveUpload) the reporter sent with the demand
	// (patrol and resident reports); the first event of the history carries them.
	Photos []string
	// ChannelData is what the channel says beyond these fields (see Order.ChannelData).
	ChannelData map[string]string

	bulk *bulkPrepared // set by PrepareBulk
}

// Create validates n and stores it as a received order with its first event.
func (s *Store) Create(ctx context.Context, n NewOrder) (Order, error) {
	var o Order
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		o, err = s.CreateTx(ctx, tx, n)
		return err
	})
	if err == nil {
		s.DB.KickSearch()
		s.announce(ctx, o, ActionReceive)
	}
	return o, err
}

// CreateTx is Create inside the caller's transaction, for importers that batch many rows. A
// duplicate external id is reported as problem.ErrConflict without aborting the transaction.
func (s *Store) CreateTx(ctx context.Context, tx *store.Tx, n NewOrder) (Order, error) {
	now := s.now()
	if err := normalise(&n); err != nil {
		return Order{}, err
	}
	if n.ReceivedAt.IsZero() {
		n.ReceivedAt = now
	}
	// An hour of slack absorbs a channel's clock skew; more is a wrong date, and a receipt time in
	// the future would put the deadline there too.
	if n.ReceivedAt.After(now.Add(time.Hour)) {
		return Order{}, problem.Field("received_at", "%s is in the future", n.ReceivedAt.Format(time.RFC3339))
	}
	// Town check and number prefix in one round trip.
	var level string
	var tenant int
	var prefix sql.NullString
	err := tx.QueryRow(ctx, `SELECT level, tenant, (SELECT value FROM settings WHERE town_code = regions.code AND key = ?)
		FROM regions WHERE code = ?`, SettingOrderPrefix, n.TownCode).Scan(&level, &tenant, &prefix)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (level != "town" || tenant != 1)) {
		return Order{}, problem.Field("town", "%q is not a town that runs CivicGrid", n.TownCode)
	}
	if err != nil {
		return Order{}, fmt.Errorf("town %s: %w", n.TownCode, err)
	}
	if n.Category != "" {
		var c int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM categories WHERE town_code = ? AND code = ? AND retired = 0`, n.TownCode, n.Category).Scan(&c); err != nil {
			return Order{}, err
		}
		if c == 0 {
			return Order{}, problem.Field("category", "unknown category %q in town %s", n.Category, n.TownCode)
		}
	}
	if len(n.Photos) > 0 {
		if err := checkPhotos(ctx, tx, n.TownCode, n.Photos); err != nil {
			return Order{}, err
		}
	}
	if n.Lat != nil {
		if err := s.refuseOtherTownsPoint(ctx, tx, n.TownCode, *n.Lng, *n.Lat); err != nil {
			return Order{}, err
		}
	}
	switch {
	case n.Grid != "":
		var c int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM grids WHERE town_code = ? AND code = ?`, n.TownCode, n.Grid).Scan(&c); err != nil {
			return Order{}, err
		}
		if c == 0 {
			return Order{}, problem.Field("grid", "unknown grid %q in town %s", n.Grid, n.TownCode)
		}
	case n.Lat != nil:
		loc, err := s.locator(ctx, tx, n.TownCode)
		if err != nil {
			return Order{}, err
		}
		// A point outside every grid stays unassigned: the dispatcher picks the grid when filing.
		if g, ok := loc.Locate(*n.Lng, *n.Lat); ok {
			n.Grid = g.Code
		}
	}

	o := Order{
		TownCode: n.TownCode, ShortCode: shortCode(), State: string(workorder.Received), Version: 1,
		Channel: n.Channel, ExternalID: n.ExternalID, Content: n.Content, Address: n.Address, Lat: n.Lat, Lng: n.Lng,
		Grid: n.Grid, Category: n.Category, DeadlineClass: n.DeadlineClass, limitDays: n.LimitDays,
		CallerName: n.CallerName, CallerPhone: n.CallerPhone, RaisedBy: n.RaisedBy,
		ReceivedAt: n.ReceivedAt.Truncate(time.Millisecond), UpdatedAt: now.Truncate(time.Millisecond),
		ChannelData: cleanChannelData(n.ChannelData),
	}
	var lat, lng any
	if n.Lat != nil {
		lat, lng = *n.Lat, *n.Lng
	}
	// ON CONFLICT DO NOTHING keeps the caller's transaction usable on PostgreSQL when the
	// external id was imported before: an importer skips the row and goes on.
	err = tx.QueryRow(ctx, `INSERT INTO orders (town_code, short_code, state, version, channel, external_id, content, address,
		lat, lng, grid_code, category_code, deadline_class, limit_days, caller_name, caller_phone, raised_by, received_at, updated_at, channel_data)
		VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
		o.TownCode, o.ShortCode, o.State, o.Channel, store.NullIfEmpty(o.ExternalID), o.Content, o.Address,
		lat, lng, store.NullIfEmpty(o.Grid), o.Category, o.DeadlineClass, o.limitDays, o.CallerName, o.CallerPhone, store.NullIfZero(o.RaisedBy),
		o.ReceivedAt.UnixMilli(), o.UpdatedAt.UnixMilli(), encodeChannelData(o.ChannelData)).Scan(&o.ID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Order{}, problem.Conflict("%s order %q already exists in town %s", n.Channel, n.ExternalID, n.TownCode)
	case store.IsForeignKeyViolation(err):
		return Order{}, problem.Field("raised_by", "unknown user %d", n.RaisedBy)
	case err != nil:
		return Order{}, fmt.Errorf("insert order: %w", err)
	}
	if prefix.Valid && prefix.String != "" {
		o.Number = orderNumber(prefix.String, o.ReceivedAt, o.ID)
	} else {
		o.Number = orderNumber(o.TownCode, o.ReceivedAt, o.ID)
	}
	if _, err := tx.Exec(ctx, `UPDATE orders SET number = ? WHERE id = ?`, o.Number, o.ID); err != nil {
		return Order{}, fmt.Errorf("number order %d: %w", o.ID, err)
	}
	if o.Category != "" {
		if err := recordCategoryVersion(ctx, tx, &o); err != nil {
			return Order{}, err
		}
	}
	if err := searchNewOrders(ctx, tx, []searchDoc{{ID: o.ID, Terms: searchTerms(o.Content, o.Address)}}); err != nil {
		return Order{}, err
	}
	ev := Event{Seq: 1, At: o.UpdatedAt, ActorID: n.RaisedBy, Actor: n.ActorName, Role: n.ActorRole,
		Action: ActionReceive, To: o.State, Data: receiveFieldsOf(&o).data(), Photos: n.Photos}
	if err := appendEvent(ctx, tx, o.ID, ev); err != nil {
		return Order{}, err
	}
	if err := s.kpiCreatedOne(ctx, tx, &o); err != nil {
		return Order{}, err
	}
	o.Events = []Event{ev}
	o.flags(now)
	return o, nil
}

// channelKeepsIDs are the channels whose intake numbers its orders itself, so that an order's
// external id means something: the hotline's 工单编号, the Open311 token, the patrol phone's
// client id (which makes a resubmission idempotent). Any other channel's order has none.
var channelKeepsIDs = map[string]bool{ChannelHotline: true, ChannelOpen311: true, ChannelPatrol: true}

// normalise trims n and checks what needs no database; errors name the API field.
func normalise(n *NewOrder) error {
	n.TownCode = strings.TrimSpace(n.TownCode)
	n.Channel = strings.TrimSpace(n.Channel)
	n.ExternalID = strings.TrimSpace(n.ExternalID)
	n.Content = strings.TrimSpace(n.Content)
	n.Address = strings.TrimSpace(n.Address)
	n.Category = strings.TrimSpace(n.Category)
	n.Grid = strings.TrimSpace(n.Grid)
	n.CallerName = strings.TrimSpace(n.CallerName)
	n.CallerPhone = strings.TrimSpace(n.CallerPhone)
	switch {
	case n.TownCode == "":
		return problem.Field("town", "is required")
	case n.Content == "":
		return problem.Field("content", "is required: describe the problem")
	}
	if err := checkOrderTexts(n); err != nil {
		return err
	}
	switch {
	case !ValidChannel(n.Channel):
		return problem.Field("channel", "unknown channel %q; one of hotline, patrol, resident, visit, open311, api", n.Channel)
	case n.ExternalID != "" && !channelKeepsIDs[n.Channel]:
		return problem.Field("external_id", "orders of channel %s carry no external id", n.Channel)
	case (n.Lat == nil) != (n.Lng == nil):
		if n.Lat == nil {
			return problem.Field("lat", "is required with lng")
		}
		return problem.Field("lng", "is required with lat")
	case n.Lat != nil && (*n.Lat < -90 || *n.Lat > 90 || *n.Lat != *n.Lat):
		return problem.Field("lat", "%v is not a latitude (-90…90)", *n.Lat)
	case n.Lng != nil && (*n.Lng < -180 || *n.Lng > 180 || *n.Lng != *n.Lng):
		return problem.Field("lng", "%v is not a longitude (-180…180)", *n.Lng)
	case n.DeadlineClass != "" && !workorder.ValidClass(n.DeadlineClass):
		return problem.Field("deadline_class", "unknown class %q", n.DeadlineClass)
	case n.LimitDays < 0 || n.LimitDays > 365:
		return problem.Field("limit_days", "%d is not a number of working days (0…365)", n.LimitDays)
	case n.RaisedBy < 0:
		return problem.Field("raised_by", "must be a user id")
	}
	if n.Lat != nil && *n.Lat == 0 && *n.Lng == 0 {
		// (0, 0) is what broken GPS fixes send; no town lies there.
		return problem.Field("lat", "0, 0 is not a location; leave lat and lng out when unknown")
	}
	return nil
}

func (s *Store) locator(ctx context.Context, q store.Querier, town string) (*places.Locator, error) {
	if s.Locator != nil {
		return s.Locator(ctx, town)
	}
	grids, err := places.Grids(ctx, q, []string{town})
	if err != nil {
		return nil, fmt.Errorf("grids of town %s: %w", town, err)
	}
	return places.NewLocator(grids), nil
}

// orderNumber is <prefix>-<yyyymmdd>-<id>: derived from the id, so it is unique without a
// per-day counter that concurrent intakes would fight over; the date is the Shanghai date.
func orderNumber(prefix string, received time.Time, id int64) string {
	return fmt.Sprintf("%s-%s-%06d", prefix, received.In(workcal.Location()).Format("20060102"), id)
}

// shortCodeAlphabet leaves out 0/O and 1/I/L, which residents misread on the phone.
const shortCodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// shortCode is the 6-character secret a resident needs with the number to follow an order.
func shortCode() string {
	out := make([]byte, 0, 6)
	buf := make([]byte, 16)
	// Bytes at or above the largest multiple of the alphabet's size are dropped, so every
	// character is equally likely.
	limit := byte(256 - 256%len(shortCodeAlphabet))
	for len(out) < 6 {
		_, _ = rand.Read(buf) // crypto/rand.Read never fails (Go 1.24+)
		for _, c := range buf {
			if c < limit && len(out) < 6 {
				out = append(out, shortCodeAlphabet[int(c)%len(shortCodeAlphabet)])
			}
		}
	}
	return string(out)
}

// refuseOtherTownsPoint refuses, on the field lat, a point that lies outside every grid of town
// but inside another town's: stored here, the order would sit in the wrong town (searching only
// this town's grids finds nothing and leaves it unassigned), out of sight of the town that must
// handle it. Every channel that creates one order at a point — the API, the staff form, patrol,
// Open311, visits — comes through Create, so the rule holds for all of them. A point inside no
// town's grids passes: the illustrative polygons leave gaps, and the dispatcher places such orders.
func (s *Store) refuseOtherTownsPoint(ctx context.Context, tx store.Querier, town string, lng, lat float64) error {
	loc, err := s.locator(ctx, tx, town)
	if err != nil {
		return err
	}
	if _, ok := loc.Locate(lng, lat); ok {
		return nil
	}
	towns, err := places.TenantTowns(ctx, tx, nil)
	if err != nil {
		return err
	}
	other, _, ok, err := places.TownAt(ctx, func(ctx context.Context, code string) (*places.Locator, error) {
		return s.locator(ctx, tx, code)
	}, towns, "", lng, lat)
	if err != nil || !ok || other.Code == town {
		return err
	}
	return problem.Field("lat", "the point lies in %s, another town: report it there", other.Name)
}
