package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/label"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Target is something to visit: a household, an office building, an enterprise, a street
// merchant or a new-employment station.
type Target struct {
	ID         int64      `json:"id"`
	CampaignID int64      `json:"campaign_id"`
	Kind       string     `json:"kind"`
	Name       string     `json:"name"`
	Address    string     `json:"address"`
	Contact    string     `json:"contact,omitempty"`
	Lat        *float64   `json:"lat"`
	Lng        *float64   `json:"lng"`
	Grid       string     `json:"grid"`
	PlaceID    int64      `json:"place_id,omitempty"`
	AddressID  int64      `json:"address_id,omitempty"`
	Status     string     `json:"status"` // visited, not_home, refused or pending
	VisitedAt  *time.Time `json:"visited_at"`
	VisitCount int        `json:"visit_count"`
	Visits     []Visit    `json:"visits,omitempty"`
	// Masked says that personal data (the contact; a household's name and address) is masked
	// for the reader (package privacy).
	Masked bool `json:"masked,omitempty"`
}

// NewTarget is one target to add.
type NewTarget struct {
	Kind    string   `json:"kind"`
	Name    string   `json:"name"`
	Address string   `json:"address"`
	Contact string   `json:"contact"`
	Lat     *float64 `json:"lat"`
	Lng     *float64 `json:"lng"`
	Grid    string   `json:"grid"` // empty: located from lat/lng
}

// Bulk adds targets from the town's records: the places of a kind (e.g. office_park, estate),
// or the address book (households); Grid narrows either to one grid.
type Bulk struct {
	FromPlacesKind  string `json:"from_places_kind"`
	FromAddressBook bool   `json:"from_address_book"`
	Kind            string `json:"kind"` // the targets' kind; empty: derived from the place kind
	Grid            string `json:"grid"`
}

// placeTargetKind maps the kinds of places to target kinds when a bulk request names none.
var placeTargetKind = map[string]string{
	"office_park": TargetOffice, "office": TargetOffice, "office_building": TargetOffice,
	"enterprise": TargetEnterprise, "company": TargetEnterprise,
	"mall": TargetMerchant, "market": TargetMerchant, "shop": TargetMerchant, "merchant": TargetMerchant,
	"estate": TargetHousehold, "rider_station": TargetRiderStation,
}

// AddTarget adds one target to a campaign of towns; a target of the same kind and name there
// already is a 422 on name.
func (s *Service) AddTarget(ctx context.Context, towns []string, campaignID int64, n NewTarget, by auth.User) (Target, error) {
	if err := checkPlanner(by); err != nil {
		return Target{}, err
	}
	c, err := s.Get(ctx, towns, campaignID)
	if err != nil {
		return Target{}, err
	}
	n.Kind, n.Name, n.Address, n.Contact, n.Grid = strings.TrimSpace(n.Kind), strings.TrimSpace(n.Name),
		strings.TrimSpace(n.Address), strings.TrimSpace(n.Contact), strings.TrimSpace(n.Grid)
	switch {
	case !ValidTargetKind(n.Kind):
		return Target{}, problem.Field("kind", "unknown target kind %q; one of %s", n.Kind, label.Codes(TargetKinds))
	case n.Name == "":
		return Target{}, problem.Field("name", "is required")
	case utf8.RuneCountInString(n.Name) > 200:
		return Target{}, problem.Field("name", "is longer than 200 characters")
	case (n.Lat == nil) != (n.Lng == nil):
		if n.Lat == nil {
			return Target{}, problem.Field("lat", "is required with lng")
		}
		return Target{}, problem.Field("lng", "is required with lat")
	case n.Lat != nil && (math.IsNaN(*n.Lat) || *n.Lat < -90 || *n.Lat > 90):
		return Target{}, problem.Field("lat", "%v is not a latitude (-90…90)", *n.Lat)
	case n.Lng != nil && (math.IsNaN(*n.Lng) || *n.Lng < -180 || *n.Lng > 180):
		return Target{}, problem.Field("lng", "%v is not a longitude (-180…180)", *n.Lng)
	}
	t := Target{CampaignID: c.ID, Kind: n.Kind, Name: n.Name, Address: n.Address, Contact: n.Contact, Lat: n.Lat, Lng: n.Lng, Grid: n.Grid, Status: StatusPending}
	if t.Grid != "" {
		if _, err := places.GridByCode(ctx, s.DB, []string{c.TownCode}, t.Grid); err != nil {
			return Target{}, problem.Field("grid", "unknown grid %q in town %s", t.Grid, c.TownCode)
		}
	} else if t.Lat != nil {
		loc, err := s.locator(ctx, s.DB, c.TownCode)
		if err != nil {
			return Target{}, err
		}
		if g, ok := loc.Locate(*t.Lng, *t.Lat); ok {
			t.Grid = g.Code
		}
	}
	var lat, lng any
	if t.Lat != nil {
		lat, lng = *t.Lat, *t.Lng
	}
	err = s.DB.QueryRow(ctx, `INSERT INTO campaign_targets (campaign_id, kind, name, address, contact, lat, lng, grid_code, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
		c.ID, t.Kind, t.Name, t.Address, t.Contact, lat, lng, store.NullIfEmpty(t.Grid), s.now().UnixMilli()).Scan(&t.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return Target{}, problem.Field("name", "the campaign has a %s target named %q already", t.Kind, t.Name)
	}
	if err != nil {
		return Target{}, fmt.Errorf("insert target: %w", err)
	}
	return t, nil
}

// AddTargets adds targets in bulk and returns how many were new (targets already there by kind
// and name are skipped, so repeating a bulk add is harmless).
func (s *Service) AddTargets(ctx context.Context, towns []string, campaignID int64, b Bulk, by auth.User) (int, error) {
	if err := checkPlanner(by); err != nil {
		return 0, err
	}
	c, err := s.Get(ctx, towns, campaignID)
	if err != nil {
		return 0, err
	}
	b.FromPlacesKind, b.Kind, b.Grid = strings.TrimSpace(b.FromPlacesKind), strings.TrimSpace(b.Kind), strings.TrimSpace(b.Grid)
	switch {
	case b.FromPlacesKind == "" && !b.FromAddressBook:
		return 0, problem.Field("from_places_kind", "name a kind of places (e.g. office_park) or set from_address_book")
	case b.FromPlacesKind != "" && b.FromAddressBook:
		return 0, problem.Field("from_address_book", "give either from_places_kind or from_address_book, not both")
	case b.Kind != "" && !ValidTargetKind(b.Kind):
		return 0, problem.Field("kind", "unknown target kind %q; one of %s", b.Kind, label.Codes(TargetKinds))
	}
	if b.Grid != "" {
		if _, err := places.GridByCode(ctx, s.DB, []string{c.TownCode}, b.Grid); err != nil {
			return 0, problem.Field("grid", "unknown grid %q in town %s", b.Grid, c.TownCode)
		}
	}
	type row struct {
		kind, name, address string
		lat, lng            float64
		grid                string
		placeID, addressID  int64
	}
	var rows []row
	if b.FromAddressBook {
		kind := b.Kind
		if kind == "" {
			kind = TargetHousehold
		}
		as, err := places.Addresses(ctx, s.DB, []string{c.TownCode})
		if err != nil {
			return 0, err
		}
		for _, a := range as {
			if a.Landmark != "" && a.Road == "" && a.Estate == "" {
				continue // a landmark (a metro station, a school) is not a household
			}
			if b.Grid == "" || a.GridCode == b.Grid {
				rows = append(rows, row{kind: kind, name: a.Text, address: a.Text, lat: a.Lat, lng: a.Lng, grid: a.GridCode, addressID: a.ID})
			}
		}
	} else {
		ps, err := places.Places(ctx, s.DB, []string{c.TownCode})
		if err != nil {
			return 0, err
		}
		var of []places.Place
		for _, p := range ps {
			if p.Kind == b.FromPlacesKind {
				of = append(of, p)
			}
		}
		if len(of) == 0 {
			return 0, problem.Field("from_places_kind", "town %s has no places of kind %q", c.TownCode, b.FromPlacesKind)
		}
		kind := b.Kind
		if kind == "" {
			kind = placeTargetKind[b.FromPlacesKind]
		}
		if kind == "" {
			return 0, problem.Field("kind", "say which kind of target the places of kind %q become (one of %s)", b.FromPlacesKind, label.Codes(TargetKinds))
		}
		for _, p := range of {
			if b.Grid == "" || p.GridCode == b.Grid {
				rows = append(rows, row{kind: kind, name: p.Name, lat: p.Lat, lng: p.Lng, grid: p.GridCode, placeID: p.ID})
			}
		}
	}
	loc, err := s.locator(ctx, s.DB, c.TownCode)
	if err != nil {
		return 0, err
	}
	added := 0
	now := s.now().UnixMilli()
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		st, err := tx.Prepare(ctx, `INSERT INTO campaign_targets (campaign_id, kind, name, address, lat, lng, grid_code, place_id, address_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, r := range rows {
			if r.grid == "" {
				if g, ok := loc.Locate(r.lng, r.lat); ok {
					r.grid = g.Code
				}
			}
			res, err := st.ExecContext(ctx, c.ID, r.kind, r.name, r.address, r.lat, r.lng, store.NullIfEmpty(r.grid), store.NullIfZero(r.placeID), store.NullIfZero(r.addressID), now)
			if err != nil {
				return fmt.Errorf("add target %s: %w", r.name, err)
			}
			n, _ := res.RowsAffected()
			added += int(n)
		}
		return nil
	})
	return added, err
}

// TargetFilter narrows a target list.
type TargetFilter struct {
	Grid   string
	Status string // visited, unvisited, pending, not_home, refused; empty: all
	Kind   string
}

const targetCols = `id, campaign_id, kind, name, address, contact, lat, lng, grid_code, place_id, address_id, visited_at, last_status, visits`

func scanTarget(row interface{ Scan(...any) error }) (Target, error) {
	var t Target
	var lat, lng sql.NullFloat64
	var grid sql.NullString
	var place, addr, visited sql.NullInt64
	var last string
	if err := row.Scan(&t.ID, &t.CampaignID, &t.Kind, &t.Name, &t.Address, &t.Contact, &lat, &lng, &grid, &place, &addr, &visited, &last, &t.VisitCount); err != nil {
		return t, err
	}
	if lat.Valid && lng.Valid {
		t.Lat, t.Lng = &lat.Float64, &lng.Float64
	}
	t.Grid, t.PlaceID, t.AddressID = grid.String, place.Int64, addr.Int64
	switch {
	case visited.Valid:
		v := time.UnixMilli(visited.Int64).In(workcal.Location())
		t.VisitedAt, t.Status = &v, StatusVisited
	case last != "":
		t.Status = last
	default:
		t.Status = StatusPending
	}
	return t, nil
}

// Targets lists a campaign's targets by grid and name.
func (s *Service) Targets(ctx context.Context, towns []string, campaignID int64, f TargetFilter) ([]Target, error) {
	c, err := s.Get(ctx, towns, campaignID)
	if err != nil {
		return nil, err
	}
	where := []string{"campaign_id = ?"}
	args := []any{c.ID}
	if f.Grid != "" {
		where, args = append(where, "grid_code = ?"), append(args, f.Grid)
	}
	if f.Kind != "" {
		if !ValidTargetKind(f.Kind) {
			return nil, problem.Field("kind", "unknown target kind %q; one of %s", f.Kind, label.Codes(TargetKinds))
		}
		where, args = append(where, "kind = ?"), append(args, f.Kind)
	}
	switch f.Status {
	case "":
	case StatusVisited:
		where = append(where, "visited_at IS NOT NULL")
	case "unvisited":
		where = append(where, "visited_at IS NULL")
	case StatusPending:
		where = append(where, "visited_at IS NULL AND last_status = ''")
	case StatusNotHome, StatusRefused:
		where, args = append(where, "visited_at IS NULL AND last_status = ?"), append(args, f.Status)
	default:
		return nil, problem.Field("status", "unknown status %q; one of visited, unvisited, pending, not_home, refused", f.Status)
	}
	rows, err := s.DB.Query(ctx, `SELECT `+targetCols+` FROM campaign_targets WHERE `+strings.Join(where, " AND ")+` ORDER BY grid_code, kind, name, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Target{}
	for rows.Next() {
		t, err := scanTarget(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Target returns one target of a campaign with its visits, newest first.
func (s *Service) Target(ctx context.Context, towns []string, campaignID, targetID int64) (Target, error) {
	c, err := s.Get(ctx, towns, campaignID)
	if err != nil {
		return Target{}, err
	}
	t, err := scanTarget(s.DB.QueryRow(ctx, `SELECT `+targetCols+` FROM campaign_targets WHERE id = ? AND campaign_id = ?`, targetID, c.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return Target{}, problem.NotFound("target %d of campaign %d", targetID, c.ID)
	}
	if err != nil {
		return Target{}, err
	}
	t.Visits, err = visitsWhere(ctx, s.DB, "v.target_id = ?", t.ID)
	return t, err
}
