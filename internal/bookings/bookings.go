// Package bookings runs bookings (预约) of a town's places and routes: exhibition halls, 绿八's
// 生境花园 and its museum, a party-service centre's 共享客厅, 陆家嘴's red route of 13 points.
// A resource has opening hours, rules (who may book, how far ahead, how many live bookings per
// person or unit, group sizes) and time slots created in bulk from a weekly pattern; each slot's
// places are a pool of the capacity engine (internal/capacity), so the waiting list, the holds
// offered when places free, their expiry and the guarantee against overbooking are the engine's.
// A booking is one claim on its slot's pool, with a code (and its QR code) that the place scans
// at check-in.
package bookings

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/capacity"
	"github.com/civicgrid/civicgrid/internal/label"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// PoolKind is the capacity pools' kind for booking slots (owner: the slot id).
const PoolKind = "booking_slot"

// Resource kinds.
const (
	KindPlace = "place" // a hall, a garden, a museum, a meeting room
	KindRoute = "route" // a route of points visited in order (陆家嘴's red route)
)

// Who may book a resource.
const (
	WhoAnyone    = "anyone"    // anyone signed in with bookings:book
	WhoResidents = "residents" // resident accounts only
	WhoUnits     = "units"     // only as a unit or party branch, for a group
)

// Label is a code with its Chinese and English names (internal/label's, shared by every capability).
type Label = label.Label

// Kinds and Whos label the codes.
var (
	Kinds = []Label{{Code: KindPlace, ZH: "场馆", EN: "Place"}, {Code: KindRoute, ZH: "路线", EN: "Route"}}
	Whos  = []Label{{Code: WhoAnyone, ZH: "所有人", EN: "Anyone"}, {Code: WhoResidents, ZH: "居民", EN: "Residents"}, {Code: WhoUnits, ZH: "单位团体", EN: "Units"}}
)

// Limits of what a request may carry.
const (
	MaxName      = 100
	MaxText      = 1000
	MaxPoints    = 50
	MaxSlotsOnce = 2000 // slots one bulk creation may make
	MaxPeople    = 1000 // a slot's capacity
	MaxList      = 500  // rows a list returns
)

// Point is one stop of a route.
type Point struct {
	Seq  int     `json:"seq"`
	Name string  `json:"name"`
	Lat  float64 `json:"lat"`
	Lng  float64 `json:"lng"`
}

// Resource is a bookable place or route with its rules.
type Resource struct {
	ID           int64   `json:"id"`
	TownCode     string  `json:"town"`
	Kind         string  `json:"kind"`
	Name         string  `json:"name"`
	NameEN       string  `json:"name_en,omitempty"`
	Description  string  `json:"description,omitempty"`
	Address      string  `json:"address,omitempty"`
	Lat          float64 `json:"lat,omitempty"`
	Lng          float64 `json:"lng,omitempty"`
	OpeningHours string  `json:"opening_hours,omitempty"`
	Who          string  `json:"who"`
	AheadDays    int     `json:"ahead_days"`
	MaxPerHolder int     `json:"max_per_holder"`
	GroupMin     int     `json:"group_min"`
	GroupMax     int     `json:"group_max"`
	HoldHours    int     `json:"hold_hours"`
	Active       bool    `json:"active"`
	Points       []Point `json:"points,omitempty"`
}

// DisplayName is the resource's name in lang (the Chinese one when it has no English one).
func (r Resource) DisplayName(lang string) string {
	if lang == "en" && r.NameEN != "" {
		return r.NameEN
	}
	return r.Name
}

// Slot is a bookable time of a resource with its pool's figures.
type Slot struct {
	ID         int64     `json:"id"`
	ResourceID int64     `json:"resource_id"`
	StartsAt   time.Time `json:"starts_at"`
	EndsAt     time.Time `json:"ends_at"`
	PoolID     int64     `json:"pool_id"`
	Capacity   int       `json:"capacity"`
	MaxGroups  int       `json:"max_groups,omitempty"`
	Used       int       `json:"used"`
	Left       int       `json:"left"`
	Waiting    int       `json:"waiting"`
	Closed     bool      `json:"closed"`
}

// Booking is one booking with its claim's state.
type Booking struct {
	ID           int64  `json:"id"`
	Code         string `json:"code"`
	SlotID       int64  `json:"slot_id"`
	ResourceID   int64  `json:"resource_id"`
	ResourceName string `json:"resource_name"`
	// ResourceNameEN is the resource's English name, when it has one.
	ResourceNameEN string    `json:"resource_name_en,omitempty"`
	TownCode       string    `json:"town"`
	ClaimID        int64     `json:"claim_id"`
	UserID         int64     `json:"user_id"`
	UnitName       string    `json:"unit_name,omitempty"`
	PartySize      int       `json:"party_size"`
	ContactName    string    `json:"contact_name,omitempty"`
	ContactPhone   string    `json:"contact_phone,omitempty"`
	Note           string    `json:"note,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	StartsAt       time.Time `json:"starts_at"`
	EndsAt         time.Time `json:"ends_at"`
	State          string    `json:"state"`
	Position       int       `json:"position,omitempty"`
	HoldUntil      time.Time `json:"hold_until,omitzero"`
	CancelReason   string    `json:"cancel_reason,omitempty"`
}

// Masked is the booking with its contact masked (for viewers who may not see it whole).
func (b Booking) Masked() Booking {
	b.ContactName = privacy.MaskName(b.ContactName)
	b.ContactPhone = privacy.MaskPhone(b.ContactPhone)
	b.Note = ""
	return b
}

// Service runs bookings on a database with a clock.
type Service struct {
	DB *store.DB
	// Now is the clock (nil: time.Now); the capacity engine uses it too.
	Now workcal.Clock
}

func (s *Service) now() time.Time { return s.Now.Time() }

// Clock is the service's current time.
func (s *Service) Clock() time.Time { return s.now() }

func (s *Service) engine() capacity.Engine { return capacity.Engine{Now: s.Now} }

// MayManage reports whether u manages the bookings of town.
func MayManage(u auth.User, towns []string, town string) bool {
	return u.Can(auth.PermBookingsManage) && slices.Contains(towns, town)
}

// NewResource describes a resource to create.
type NewResource struct {
	TownCode     string  `json:"town"`
	Kind         string  `json:"kind"`
	Name         string  `json:"name"`
	NameEN       string  `json:"name_en"`
	Description  string  `json:"description"`
	Address      string  `json:"address"`
	Lat          float64 `json:"lat"`
	Lng          float64 `json:"lng"`
	OpeningHours string  `json:"opening_hours"`
	Who          string  `json:"who"`
	AheadDays    int     `json:"ahead_days"`
	MaxPerHolder int     `json:"max_per_holder"`
	GroupMin     int     `json:"group_min"`
	GroupMax     int     `json:"group_max"`
	HoldHours    int     `json:"hold_hours"`
	Points       []Point `json:"points"`
}

func (n *NewResource) check(towns []string) error {
	var err error
	if !slices.Contains(towns, n.TownCode) {
		return problem.Field("town", "%q is not one of your towns", n.TownCode)
	}
	if n.Kind != KindPlace && n.Kind != KindRoute {
		return problem.Field("kind", "must be %q or %q", KindPlace, KindRoute)
	}
	if n.Name, err = problem.Text("name", n.Name, MaxName, true); err != nil {
		return err
	}
	if n.NameEN, err = problem.Text("name_en", n.NameEN, MaxName, false); err != nil {
		return err
	}
	if n.Description, err = problem.Text("description", n.Description, MaxText, false); err != nil {
		return err
	}
	if n.Address, err = problem.Text("address", n.Address, 200, false); err != nil {
		return err
	}
	if n.OpeningHours, err = problem.Text("opening_hours", n.OpeningHours, 200, false); err != nil {
		return err
	}
	if n.Who == "" {
		n.Who = WhoAnyone
	}
	if n.Who != WhoAnyone && n.Who != WhoResidents && n.Who != WhoUnits {
		return problem.Field("who", "must be one of anyone, residents, units")
	}
	if n.AheadDays == 0 {
		n.AheadDays = 30
	}
	if n.AheadDays < 1 || n.AheadDays > 366 {
		return problem.Field("ahead_days", "must be between 1 and 366")
	}
	if n.MaxPerHolder == 0 {
		n.MaxPerHolder = 2
	}
	if n.MaxPerHolder < 1 || n.MaxPerHolder > 100 {
		return problem.Field("max_per_holder", "must be between 1 and 100")
	}
	if n.GroupMin == 0 {
		n.GroupMin = 1
	}
	if n.GroupMax == 0 {
		n.GroupMax = 1
	}
	if n.GroupMin < 1 || n.GroupMax < n.GroupMin || n.GroupMax > MaxPeople {
		return problem.Field("group_max", "group sizes must satisfy 1 ≤ min ≤ max ≤ %d", MaxPeople)
	}
	if n.HoldHours == 0 {
		n.HoldHours = 48
	}
	if n.HoldHours < 1 || n.HoldHours > 24*14 {
		return problem.Field("hold_hours", "must be between 1 and 336")
	}
	if n.Lat < -90 || n.Lat > 90 || n.Lng < -180 || n.Lng > 180 {
		return problem.Field("lat", "is not a position")
	}
	if len(n.Points) > MaxPoints {
		return problem.Field("points", "has %d points; at most %d", len(n.Points), MaxPoints)
	}
	for i := range n.Points {
		p := &n.Points[i]
		p.Seq = i + 1
		if p.Name, err = problem.Text(fmt.Sprintf("points[%d].name", i+1), p.Name, MaxName, true); err != nil {
			return err
		}
		if p.Lat < -90 || p.Lat > 90 || p.Lng < -180 || p.Lng > 180 || (p.Lat == 0 && p.Lng == 0) {
			return problem.Field(fmt.Sprintf("points[%d].lat", i+1), "is not a position")
		}
	}
	return nil
}

// CreateResource creates a resource (bookings:manage in its town), audited.
func (s *Service) CreateResource(ctx context.Context, towns []string, n NewResource, by audit.Actor, u auth.User) (Resource, error) {
	if !u.Can(auth.PermBookingsManage) {
		return Resource{}, problem.Forbidden("your role (%s) may not manage bookings (%s)", u.Role, auth.PermBookingsManage)
	}
	if err := n.check(towns); err != nil {
		return Resource{}, err
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var lat, lng any
		if n.Lat != 0 || n.Lng != 0 {
			lat, lng = n.Lat, n.Lng
		}
		err := tx.QueryRow(ctx, `INSERT INTO booking_resources (town_code, kind, name, name_en, description, address, lat, lng, opening_hours,
			who, ahead_days, max_per_holder, group_min, group_max, hold_hours, active, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING id`,
			n.TownCode, n.Kind, n.Name, n.NameEN, n.Description, n.Address, lat, lng, n.OpeningHours,
			n.Who, n.AheadDays, n.MaxPerHolder, n.GroupMin, n.GroupMax, n.HoldHours, s.now().UnixMilli()).Scan(&id)
		if err != nil {
			if strings.Contains(strings.ToLower(err.Error()), "unique") || strings.Contains(err.Error(), "duplicate") {
				return problem.Field("name", "a resource named %q exists already in this town", n.Name)
			}
			return err
		}
		for _, p := range n.Points {
			if _, err := tx.Exec(ctx, `INSERT INTO booking_points (resource_id, seq, name, lat, lng) VALUES (?, ?, ?, ?, ?)`,
				id, p.Seq, p.Name, p.Lat, p.Lng); err != nil {
				return err
			}
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "booking_resource", EntityID: strconv.FormatInt(id, 10),
			TownCode: n.TownCode, Detail: n.Name})
	})
	if err != nil {
		return Resource{}, err
	}
	return s.Resource(ctx, id)
}

const resourceCols = `id, town_code, kind, name, name_en, description, address, lat, lng, opening_hours, who, ahead_days, max_per_holder, group_min, group_max, hold_hours, active`

func scanResource(r interface{ Scan(...any) error }) (Resource, error) {
	var x Resource
	var lat, lng sql.NullFloat64
	var active int
	err := r.Scan(&x.ID, &x.TownCode, &x.Kind, &x.Name, &x.NameEN, &x.Description, &x.Address, &lat, &lng, &x.OpeningHours,
		&x.Who, &x.AheadDays, &x.MaxPerHolder, &x.GroupMin, &x.GroupMax, &x.HoldHours, &active)
	x.Lat, x.Lng, x.Active = lat.Float64, lng.Float64, active != 0
	return x, err
}

// Resource reads a resource with its points. Resources are public (the portal lists them).
func (s *Service) Resource(ctx context.Context, id int64) (Resource, error) {
	x, err := scanResource(s.DB.QueryRow(ctx, `SELECT `+resourceCols+` FROM booking_resources WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return x, problem.NotFound("resource %d", id)
	}
	if err != nil {
		return x, err
	}
	x.Points, err = store.Collect(ctx, s.DB, func(r *sql.Rows) (Point, error) {
		var p Point
		return p, r.Scan(&p.Seq, &p.Name, &p.Lat, &p.Lng)
	}, `SELECT seq, name, lat, lng FROM booking_points WHERE resource_id = ? ORDER BY seq`, id)
	return x, err
}

// Resources lists the active resources of the towns (every town when towns is nil), by town and name.
func (s *Service) Resources(ctx context.Context, towns []string) ([]Resource, error) {
	where, args := "1 = 1", []any(nil)
	if towns != nil {
		where, args = store.In("town_code", towns)
	}
	list, err := store.Collect(ctx, s.DB, func(r *sql.Rows) (Resource, error) { return scanResource(r) },
		`SELECT `+resourceCols+` FROM booking_resources WHERE active = 1 AND `+where+` ORDER BY town_code, kind DESC, id LIMIT `+strconv.Itoa(MaxList), args...)
	if err != nil || len(list) == 0 {
		return list, err
	}
	// The routes' points, in one query.
	at := map[int64]int{}
	ids := make([]string, len(list))
	for i, r := range list {
		at[r.ID], ids[i] = i, strconv.FormatInt(r.ID, 10)
	}
	in, iargs := store.In("resource_id", ids)
	rows, err := s.DB.Query(ctx, `SELECT resource_id, seq, name, lat, lng FROM booking_points WHERE `+in+` ORDER BY resource_id, seq`, iargs...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p Point
		if err := rows.Scan(&id, &p.Seq, &p.Name, &p.Lat, &p.Lng); err != nil {
			return nil, err
		}
		list[at[id]].Points = append(list[at[id]].Points, p)
	}
	return list, rows.Err()
}

// SlotPattern makes slots in bulk: on each listed weekday of [From, To], one slot per time range.
type SlotPattern struct {
	From     string   `json:"from"`     // YYYY-MM-DD
	To       string   `json:"to"`       // YYYY-MM-DD, inclusive
	Weekdays []int    `json:"weekdays"` // 1 Monday … 7 Sunday
	Times    []string `json:"times"`    // "09:00-10:30"
	Capacity int      `json:"capacity"` // people per slot
	// MaxGroups bounds the groups per slot (0: no bound).
	MaxGroups int `json:"max_groups"`
	// SkipHolidays leaves out Monday-to-Friday days that the working calendar (internal/workcal)
	// says are not working days: public holidays.
	SkipHolidays bool `json:"skip_holidays"`
}

type timeRange struct{ start, end time.Duration }

func parseDay(field, s string) (time.Time, error) {
	d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), workcal.Location())
	if err != nil {
		return d, problem.Field(field, "%q is not a date (YYYY-MM-DD)", s)
	}
	return d, nil
}

func (p SlotPattern) check() (from, to time.Time, times []timeRange, err error) {
	if from, err = parseDay("from", p.From); err != nil {
		return
	}
	if to, err = parseDay("to", p.To); err != nil {
		return
	}
	if to.Before(from) || to.Sub(from) > 366*24*time.Hour {
		err = problem.Field("to", "must be on or after from, within a year")
		return
	}
	if len(p.Weekdays) == 0 || len(p.Weekdays) > 7 {
		err = problem.Field("weekdays", "name 1 to 7 weekdays (1 Monday … 7 Sunday)")
		return
	}
	for _, d := range p.Weekdays {
		if d < 1 || d > 7 {
			err = problem.Field("weekdays", "%d is not a weekday (1 Monday … 7 Sunday)", d)
			return
		}
	}
	if len(p.Times) == 0 || len(p.Times) > 24 {
		err = problem.Field("times", "name 1 to 24 time ranges such as 09:00-10:30")
		return
	}
	for i, t := range p.Times {
		a, b, ok := strings.Cut(strings.TrimSpace(t), "-")
		sa, e1 := time.Parse("15:04", strings.TrimSpace(a))
		sb, e2 := time.Parse("15:04", strings.TrimSpace(b))
		if !ok || e1 != nil || e2 != nil || !sb.After(sa) {
			err = problem.Field(fmt.Sprintf("times[%d]", i+1), "%q is not a time range such as 09:00-10:30", t)
			return
		}
		times = append(times, timeRange{time.Duration(sa.Hour())*time.Hour + time.Duration(sa.Minute())*time.Minute,
			time.Duration(sb.Hour())*time.Hour + time.Duration(sb.Minute())*time.Minute})
	}
	if p.Capacity < 1 || p.Capacity > MaxPeople {
		err = problem.Field("capacity", "must be between 1 and %d", MaxPeople)
		return
	}
	if p.MaxGroups < 0 || p.MaxGroups > MaxPeople {
		err = problem.Field("max_groups", "must be between 0 and %d", MaxPeople)
	}
	return
}

// CreateSlots makes the pattern's slots for a resource (bookings:manage in its town), each with its
// pool, skipping times that exist already; it returns how many it made. One transaction, audited.
func (s *Service) CreateSlots(ctx context.Context, towns []string, resourceID int64, p SlotPattern, by audit.Actor, u auth.User) (int, error) {
	res, err := s.Resource(ctx, resourceID)
	if err != nil {
		return 0, err
	}
	if !slices.Contains(towns, res.TownCode) {
		return 0, problem.NotFound("resource %d", resourceID)
	}
	if !MayManage(u, towns, res.TownCode) {
		return 0, problem.Forbidden("your role (%s) may not manage bookings (%s)", u.Role, auth.PermBookingsManage)
	}
	from, to, times, err := p.check()
	if err != nil {
		return 0, err
	}
	days := map[int]bool{}
	for _, d := range p.Weekdays {
		days[d%7] = true // time.Weekday: Sunday 0
	}
	cal := workcal.Default()
	var starts []timeRange
	var dayStarts []time.Time
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		wd := d.Weekday()
		if !days[int(wd)] {
			continue
		}
		if p.SkipHolidays && wd >= time.Monday && wd <= time.Friday && !cal.IsWorkday(d) {
			continue
		}
		for _, t := range times {
			starts = append(starts, t)
			dayStarts = append(dayStarts, d)
		}
	}
	if len(starts) > MaxSlotsOnce {
		return 0, problem.Field("to", "the pattern makes %d slots; at most %d at once", len(starts), MaxSlotsOnce)
	}
	e := s.engine()
	made := 0
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		for i, t := range starts {
			st, en := dayStarts[i].Add(t.start), dayStarts[i].Add(t.end)
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM booking_slots WHERE resource_id = ? AND starts_at = ?`, res.ID, st.UnixMilli()).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			var slotID int64
			// The pool is made first with a provisional owner, then named after the slot.
			pool, err := e.CreatePool(ctx, tx, capacity.NewPool{Kind: PoolKind, OwnerRef: fmt.Sprintf("new-%d-%d", res.ID, st.UnixMilli()),
				Capacity: p.Capacity, MaxGroups: p.MaxGroups, Hold: time.Duration(res.HoldHours) * time.Hour, ClosesAt: st})
			if err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, `INSERT INTO booking_slots (resource_id, starts_at, ends_at, pool_id) VALUES (?, ?, ?, ?) RETURNING id`,
				res.ID, st.UnixMilli(), en.UnixMilli(), pool.ID).Scan(&slotID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE capacity_pools SET owner_ref = ? WHERE id = ?`, strconv.FormatInt(slotID, 10), pool.ID); err != nil {
				return err
			}
			made++
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "booking_resource", EntityID: strconv.FormatInt(res.ID, 10),
			TownCode: res.TownCode, Detail: fmt.Sprintf("%d slots %s…%s", made, p.From, p.To)})
	})
	return made, err
}

const slotCols = `s.id, s.resource_id, s.starts_at, s.ends_at, s.pool_id, p.capacity, p.max_groups, p.used_people, p.waiting, p.closed`

func scanSlot(r interface{ Scan(...any) error }) (Slot, error) {
	var x Slot
	var st, en int64
	var closed int
	err := r.Scan(&x.ID, &x.ResourceID, &st, &en, &x.PoolID, &x.Capacity, &x.MaxGroups, &x.Used, &x.Waiting, &closed)
	x.StartsAt, x.EndsAt = time.UnixMilli(st).In(workcal.Location()), time.UnixMilli(en).In(workcal.Location())
	x.Left, x.Closed = max(x.Capacity-x.Used, 0), closed != 0
	return x, err
}

// Slots lists a resource's slots starting in [from, to), in time order (at most MaxList).
func (s *Service) Slots(ctx context.Context, resourceID int64, from, to time.Time) ([]Slot, error) {
	return store.Collect(ctx, s.DB, func(r *sql.Rows) (Slot, error) { return scanSlot(r) },
		`SELECT `+slotCols+` FROM booking_slots s JOIN capacity_pools p ON p.id = s.pool_id
		WHERE s.resource_id = ? AND s.starts_at >= ? AND s.starts_at < ? ORDER BY s.starts_at LIMIT `+strconv.Itoa(MaxList),
		resourceID, from.UnixMilli(), to.UnixMilli())
}

// Slot reads one slot.
func (s *Service) Slot(ctx context.Context, id int64) (Slot, error) {
	x, err := scanSlot(s.DB.QueryRow(ctx, `SELECT `+slotCols+` FROM booking_slots s JOIN capacity_pools p ON p.id = s.pool_id WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return x, problem.NotFound("slot %d", id)
	}
	return x, err
}

// Request is a booking of a slot.
type Request struct {
	// UnitName books for a unit or party branch (a group); empty books for oneself.
	UnitName     string `json:"unit_name"`
	PartySize    int    `json:"party_size"`
	ContactName  string `json:"contact_name"`
	ContactPhone string `json:"contact_phone"`
	Note         string `json:"note"`
}

// holder is who holds the claim: the user, or the unit (by its name, so that one unit books once
// per slot whoever books for it).
func holder(u auth.User, unit string) (kind, ref string) {
	if unit != "" {
		return capacity.HolderUnit, strings.ToLower(unit)
	}
	return capacity.HolderUser, strconv.FormatInt(u.ID, 10)
}

// Book books a slot for u: confirmed when the places are there, else on the waiting list. The
// resource's rules apply; one transaction with the claim, the booking and its audit row.
func (s *Service) Book(ctx context.Context, slotID int64, in Request, by audit.Actor, u auth.User) (Booking, error) {
	if !u.Can(auth.PermBookingsBook) {
		return Booking{}, problem.Forbidden("your role (%s) may not book (%s)", u.Role, auth.PermBookingsBook)
	}
	slot, err := s.Slot(ctx, slotID)
	if err != nil {
		return Booking{}, err
	}
	res, err := s.Resource(ctx, slot.ResourceID)
	if err != nil {
		return Booking{}, err
	}
	now := s.now()
	if !res.Active {
		return Booking{}, problem.Field("slot", "this resource takes no bookings now")
	}
	if !slot.StartsAt.After(now) {
		return Booking{}, problem.Field("slot", "this slot has begun or is over")
	}
	if slot.StartsAt.After(now.AddDate(0, 0, res.AheadDays)) {
		return Booking{}, problem.Field("slot", "bookings open %d days ahead", res.AheadDays)
	}
	if in.UnitName, err = problem.Text("unit_name", in.UnitName, MaxName, false); err != nil {
		return Booking{}, err
	}
	if in.Note, err = problem.Text("note", in.Note, 500, false); err != nil {
		return Booking{}, err
	}
	if in.ContactName, err = problem.Text("contact_name", in.ContactName, 50, in.UnitName != ""); err != nil {
		return Booking{}, err
	}
	if in.ContactPhone, err = places.Phone("contact_phone", in.ContactPhone); err != nil {
		return Booking{}, err
	}
	switch {
	case res.Who == WhoResidents && u.Role != auth.RoleResident:
		return Booking{}, problem.Field("unit_name", "this resource is booked by residents only")
	case res.Who == WhoUnits && in.UnitName == "":
		return Booking{}, problem.Field("unit_name", "this resource is booked by units and party branches for a group: name the unit")
	}
	if in.UnitName != "" {
		if in.ContactPhone == "" {
			return Booking{}, problem.Field("contact_phone", "is required for a group booking")
		}
		if in.PartySize < res.GroupMin || in.PartySize > res.GroupMax {
			return Booking{}, problem.Field("party_size", "a group here is %d to %d people", res.GroupMin, res.GroupMax)
		}
	} else {
		in.PartySize = 1
		if in.ContactName == "" {
			in.ContactName = u.DisplayName
		}
		if in.ContactPhone == "" {
			in.ContactPhone = u.Phone
		}
	}
	kind, ref := holder(u, in.UnitName)
	var b Booking
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		// One holder's bookings are counted and made one at a time (PostgreSQL: an advisory lock
		// on the holder; SQLite: the single writer), so two at once cannot pass the maximum.
		if tx.Dialect() == store.Postgres {
			h := fnv.New64a()
			h.Write([]byte("booking-holder:" + kind + ":" + ref))
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(h.Sum64())); err != nil {
				return err
			}
		}
		var live int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM bookings b JOIN capacity_claims c ON c.id = b.claim_id JOIN booking_slots s ON s.id = b.slot_id
			WHERE b.resource_id = ? AND c.holder_kind = ? AND c.holder_ref = ? AND c.state IN ('confirmed','waiting','held') AND s.starts_at > ?`,
			res.ID, kind, ref, now.UnixMilli()).Scan(&live); err != nil {
			return err
		}
		if live >= res.MaxPerHolder {
			return problem.Field("slot", "you have %d live bookings here; at most %d", live, res.MaxPerHolder)
		}
		c, ch, err := s.engine().Claim(ctx, tx, capacity.ClaimRequest{PoolID: slot.PoolID, HolderKind: kind, HolderRef: ref, Size: in.PartySize})
		if err != nil {
			if errors.Is(err, capacity.ErrAlready) {
				return problem.Field("slot", "you have booked this slot already")
			}
			if errors.Is(err, capacity.ErrClosed) {
				return problem.Field("slot", "this slot is closed to bookings")
			}
			if errors.Is(err, capacity.ErrTooBig) {
				return problem.Field("party_size", "larger than the slot's %d places", slot.Capacity)
			}
			return err
		}
		if err := s.notify(ctx, tx, ch); err != nil {
			return err
		}
		code, err := s.newCode(ctx, tx)
		if err != nil {
			return err
		}
		b = Booking{Code: code, SlotID: slot.ID, ResourceID: res.ID, ResourceName: res.Name, TownCode: res.TownCode, ClaimID: c.ID,
			UserID: u.ID, UnitName: in.UnitName, PartySize: in.PartySize, ContactName: in.ContactName, ContactPhone: in.ContactPhone,
			Note: in.Note, CreatedAt: now, StartsAt: slot.StartsAt, EndsAt: slot.EndsAt, State: c.State, Position: c.Position}
		if err := tx.QueryRow(ctx, `INSERT INTO bookings (code, slot_id, resource_id, town_code, claim_id, user_id, unit_name, party_size,
			contact_name, contact_phone, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			b.Code, b.SlotID, b.ResourceID, b.TownCode, b.ClaimID, b.UserID, b.UnitName, b.PartySize, b.ContactName, b.ContactPhone, b.Note,
			now.UnixMilli()).Scan(&b.ID); err != nil {
			return err
		}
		msg := fmt.Sprintf("预约成功：%s（%s），预约码 %s，到场时出示预约码或二维码。", res.Name, local(slot.StartsAt), b.Code)
		kind := KindConfirmed
		if b.State == capacity.StateWaiting {
			msg = fmt.Sprintf("已进入候补：%s（%s），预约码 %s，当前第 %d 位；有空位时会通知您确认。", res.Name, local(slot.StartsAt), b.Code, b.Position)
			kind = KindWaiting
		}
		if err := notice(ctx, tx, u.ID, kind, msg, now); err != nil {
			return err
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionCreate, Entity: "booking", EntityID: b.Code, TownCode: b.TownCode,
			Detail: fmt.Sprintf("slot %d, %d people, %s", slot.ID, b.PartySize, b.State)})
	})
	return b, err
}

const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// CodeLen is the length of a booking code.
const CodeLen = 8

func (s *Service) newCode(ctx context.Context, tx *store.Tx) (string, error) {
	for range 5 {
		buf := make([]byte, CodeLen)
		if _, err := rand.Read(buf); err != nil {
			return "", err
		}
		for i := range buf {
			buf[i] = codeAlphabet[int(buf[i])%len(codeAlphabet)]
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM bookings WHERE code = ?`, string(buf)).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			return string(buf), nil
		}
	}
	return "", errors.New("no free booking code after 5 tries")
}

// NormalizeCode is a typed or scanned code as stored: upper case, without spaces and dashes.
func NormalizeCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.NewReplacer(" ", "", "-", "").Replace(s)
	if i := strings.LastIndex(s, "/"); i >= 0 { // a scanned link ending in the code
		s = s[i+1:]
	}
	return s
}

const bookingCols = `b.id, b.code, b.slot_id, b.resource_id, r.name, r.name_en, b.town_code, b.claim_id, b.user_id, b.unit_name, b.party_size,
	b.contact_name, b.contact_phone, b.note, b.created_at, s.starts_at, s.ends_at, c.state, c.hold_until, c.cancel_reason`

const bookingFrom = ` FROM bookings b JOIN booking_slots s ON s.id = b.slot_id JOIN booking_resources r ON r.id = b.resource_id
	JOIN capacity_claims c ON c.id = b.claim_id `

func scanBooking(r interface{ Scan(...any) error }) (Booking, error) {
	var b Booking
	var created, st, en int64
	var hold sql.NullInt64
	err := r.Scan(&b.ID, &b.Code, &b.SlotID, &b.ResourceID, &b.ResourceName, &b.ResourceNameEN, &b.TownCode, &b.ClaimID, &b.UserID, &b.UnitName, &b.PartySize,
		&b.ContactName, &b.ContactPhone, &b.Note, &created, &st, &en, &b.State, &hold, &b.CancelReason)
	loc := workcal.Location()
	b.CreatedAt, b.StartsAt, b.EndsAt = time.UnixMilli(created).In(loc), time.UnixMilli(st).In(loc), time.UnixMilli(en).In(loc)
	if hold.Valid {
		b.HoldUntil = time.UnixMilli(hold.Int64).In(loc)
	}
	return b, err
}

// sweepFor brings the slot's pool up to date (expired holds passed on, with their notices)
// before a read, so pages are right without the ticker.
func (s *Service) sweepFor(ctx context.Context, poolID int64) error {
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM capacity_claims WHERE pool_id = ? AND state = 'held' AND hold_until <= ?`,
		poolID, s.now().UnixMilli()).Scan(&n); err != nil || n == 0 {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, ch, err := s.engine().Lock(ctx, tx, poolID)
		if err != nil {
			return err
		}
		return s.notify(ctx, tx, ch)
	})
}

// Get reads a booking by id (position on the waiting list included), after sweeping its slot.
func (s *Service) Get(ctx context.Context, id int64) (Booking, error) {
	return s.getWhere(ctx, `b.id = ?`, id)
}

// ByCode reads a booking by its code.
func (s *Service) ByCode(ctx context.Context, code string) (Booking, error) {
	return s.getWhere(ctx, `b.code = ?`, NormalizeCode(code))
}

func (s *Service) getWhere(ctx context.Context, where string, arg any) (Booking, error) {
	var pool int64
	if err := s.DB.QueryRow(ctx, `SELECT s.pool_id FROM bookings b JOIN booking_slots s ON s.id = b.slot_id WHERE `+where, arg).Scan(&pool); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Booking{}, problem.NotFound("booking")
		}
		return Booking{}, err
	}
	if err := s.sweepFor(ctx, pool); err != nil {
		return Booking{}, err
	}
	b, err := scanBooking(s.DB.QueryRow(ctx, `SELECT `+bookingCols+bookingFrom+`WHERE `+where, arg))
	if err != nil {
		return b, err
	}
	if b.State == capacity.StateWaiting {
		c, err := capacity.GetClaim(ctx, s.DB, b.ClaimID)
		if err != nil {
			return b, err
		}
		b.Position = c.Position
	}
	return b, nil
}

// Mine lists u's bookings, newest slot first (at most MaxList).
func (s *Service) Mine(ctx context.Context, u auth.User) ([]Booking, error) {
	list, err := store.Collect(ctx, s.DB, func(r *sql.Rows) (Booking, error) { return scanBooking(r) },
		`SELECT `+bookingCols+bookingFrom+`WHERE b.user_id = ? ORDER BY s.starts_at DESC, b.id DESC LIMIT `+strconv.Itoa(MaxList), u.ID)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].State == capacity.StateWaiting || list[i].State == capacity.StateHeld {
			if b, err := s.Get(ctx, list[i].ID); err == nil {
				list[i] = b
			}
		}
	}
	return list, nil
}

// SlotBookings lists a slot's bookings (the manager's list): occupying ones by time booked, then
// the waiting list in its order.
func (s *Service) SlotBookings(ctx context.Context, towns []string, slotID int64) ([]Booking, error) {
	slot, err := s.Slot(ctx, slotID)
	if err != nil {
		return nil, err
	}
	if err := s.sweepFor(ctx, slot.PoolID); err != nil {
		return nil, err
	}
	in, args := store.In("b.town_code", towns)
	args = append([]any{slotID}, args...)
	list, err := store.Collect(ctx, s.DB, func(r *sql.Rows) (Booking, error) { return scanBooking(r) },
		`SELECT `+bookingCols+bookingFrom+`WHERE b.slot_id = ? AND `+in+`
		ORDER BY CASE WHEN c.state = 'waiting' THEN 1 ELSE 0 END, CASE WHEN c.state = 'waiting' THEN -c.priority ELSE 0 END, c.id LIMIT `+strconv.Itoa(MaxList), args...)
	pos := 0
	for i := range list {
		if list[i].State == capacity.StateWaiting {
			pos++
			list[i].Position = pos
		}
	}
	return list, err
}

// Day is a resource's slots of one day with their bookings: the manager's day list.
type Day struct {
	Slot     Slot      `json:"slot"`
	Bookings []Booking `json:"bookings"`
}

// DayList is the day's slots of a resource with their bookings (bookings:manage).
func (s *Service) DayList(ctx context.Context, towns []string, resourceID int64, day time.Time) (Resource, []Day, error) {
	res, err := s.Resource(ctx, resourceID)
	if err != nil {
		return res, nil, err
	}
	if !slices.Contains(towns, res.TownCode) {
		return res, nil, problem.NotFound("resource %d", resourceID)
	}
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, workcal.Location())
	slots, err := s.Slots(ctx, resourceID, from, from.AddDate(0, 0, 1))
	if err != nil {
		return res, nil, err
	}
	var out []Day
	for _, sl := range slots {
		bs, err := s.SlotBookings(ctx, towns, sl.ID)
		if err != nil {
			return res, nil, err
		}
		if sl, err = s.Slot(ctx, sl.ID); err != nil {
			return res, nil, err
		}
		out = append(out, Day{Slot: sl, Bookings: bs})
	}
	return res, out, nil
}

// change runs one engine transition on a booking in a transaction with its audit row and the
// notices of whom it promoted.
func (s *Service) change(ctx context.Context, b Booking, by audit.Actor, action string,
	fn func(tx *store.Tx) (capacity.Claim, capacity.Change, error)) (Booking, error) {
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		c, ch, err := fn(tx)
		if err != nil {
			return err
		}
		b.State, b.HoldUntil, b.CancelReason = c.State, c.HoldUntil, c.CancelReason
		if err := s.notify(ctx, tx, ch); err != nil {
			return err
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "booking", EntityID: b.Code, TownCode: b.TownCode,
			Detail: action + " → " + c.State})
	})
	return b, err
}

// own returns booking id if u made it (else not found: never say whose it is).
func (s *Service) own(ctx context.Context, id int64, u auth.User) (Booking, error) {
	b, err := s.Get(ctx, id)
	if err != nil {
		return b, err
	}
	if b.UserID != u.ID {
		return Booking{}, problem.NotFound("booking %d", id)
	}
	return b, nil
}

// Cancel cancels u's own booking (its places go to the waiting list at once).
func (s *Service) Cancel(ctx context.Context, id int64, by audit.Actor, u auth.User) (Booking, error) {
	b, err := s.own(ctx, id, u)
	if err != nil {
		return b, err
	}
	return s.change(ctx, b, by, "cancel", func(tx *store.Tx) (capacity.Claim, capacity.Change, error) {
		return s.engine().Cancel(ctx, tx, b.ClaimID, capacity.Canceller{UserID: u.ID})
	})
}

// CancelAsStaff cancels a booking of the manager's towns, with a reason.
func (s *Service) CancelAsStaff(ctx context.Context, towns []string, id int64, reason string, by audit.Actor, u auth.User) (Booking, error) {
	b, err := s.managed(ctx, towns, id, u)
	if err != nil {
		return b, err
	}
	return s.change(ctx, b, by, "cancel by staff: "+reason, func(tx *store.Tx) (capacity.Claim, capacity.Change, error) {
		c, ch, err := s.engine().Cancel(ctx, tx, b.ClaimID, capacity.Canceller{UserID: u.ID, Staff: true, Reason: reason})
		if err != nil {
			return c, ch, err
		}
		return c, ch, notice(ctx, tx, b.UserID, KindCancelled, fmt.Sprintf("您的预约 %s（%s %s）已被管理方取消：%s", b.Code, b.ResourceName, local(b.StartsAt), c.CancelReason), s.now())
	})
}

// Confirm takes up the hold u's booking was offered (before it expires).
func (s *Service) Confirm(ctx context.Context, id int64, by audit.Actor, u auth.User) (Booking, error) {
	b, err := s.own(ctx, id, u)
	if err != nil {
		return b, err
	}
	b, err = s.change(ctx, b, by, "confirm", func(tx *store.Tx) (capacity.Claim, capacity.Change, error) {
		return s.engine().Confirm(ctx, tx, b.ClaimID)
	})
	if errors.Is(err, capacity.ErrHoldExpired) {
		return b, problem.Conflict("the hold expired and passed to the next on the waiting list")
	}
	return b, err
}

func (s *Service) managed(ctx context.Context, towns []string, id int64, u auth.User) (Booking, error) {
	b, err := s.Get(ctx, id)
	if err != nil {
		return b, err
	}
	if !slices.Contains(towns, b.TownCode) {
		return Booking{}, problem.NotFound("booking %d", id)
	}
	if !MayManage(u, towns, b.TownCode) {
		return Booking{}, problem.Forbidden("your role (%s) may not manage bookings (%s)", u.Role, auth.PermBookingsManage)
	}
	return b, nil
}

// CheckIn checks a booking in by its code (typed or scanned) at the place.
func (s *Service) CheckIn(ctx context.Context, towns []string, code string, by audit.Actor, u auth.User) (Booking, error) {
	b, err := s.ByCode(ctx, code)
	if err != nil {
		return b, problem.Field("code", "no booking has the code %q", NormalizeCode(code))
	}
	if b, err = s.managed(ctx, towns, b.ID, u); err != nil {
		return b, err
	}
	b, err = s.change(ctx, b, by, "check-in", func(tx *store.Tx) (capacity.Claim, capacity.Change, error) {
		return s.engine().CheckIn(ctx, tx, b.ClaimID)
	})
	if errors.Is(err, capacity.ErrState) {
		return b, problem.Field("code", "booking %s is %s; only a confirmed booking is checked in", b.Code, b.State)
	}
	return b, err
}

// NoShow records that a confirmed booking's people did not come.
func (s *Service) NoShow(ctx context.Context, towns []string, id int64, by audit.Actor, u auth.User) (Booking, error) {
	b, err := s.managed(ctx, towns, id, u)
	if err != nil {
		return b, err
	}
	b, err = s.change(ctx, b, by, "no-show", func(tx *store.Tx) (capacity.Claim, capacity.Change, error) {
		return s.engine().MarkNoShow(ctx, tx, b.ClaimID)
	})
	if errors.Is(err, capacity.ErrState) {
		return b, problem.Conflict("booking %s is %s; only a confirmed booking is marked as not come", b.Code, b.State)
	}
	return b, err
}

// CloseSlot closes a slot to new bookings and to promotion (or reopens it).
func (s *Service) CloseSlot(ctx context.Context, towns []string, slotID int64, closed bool, by audit.Actor, u auth.User) (Slot, error) {
	slot, err := s.Slot(ctx, slotID)
	if err != nil {
		return slot, err
	}
	res, err := s.Resource(ctx, slot.ResourceID)
	if err != nil {
		return slot, err
	}
	if !slices.Contains(towns, res.TownCode) {
		return slot, problem.NotFound("slot %d", slotID)
	}
	if !MayManage(u, towns, res.TownCode) {
		return slot, problem.Forbidden("your role (%s) may not manage bookings (%s)", u.Role, auth.PermBookingsManage)
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, ch, err := s.engine().SetClosed(ctx, tx, slot.PoolID, closed)
		if err != nil {
			return err
		}
		if err := s.notify(ctx, tx, ch); err != nil {
			return err
		}
		return by.Record(ctx, tx, audit.Entry{Action: audit.ActionUpdate, Entity: "booking_slot", EntityID: strconv.FormatInt(slotID, 10),
			TownCode: res.TownCode, Detail: fmt.Sprintf("closed=%v", closed)})
	})
	if err != nil {
		return slot, err
	}
	return s.Slot(ctx, slotID)
}

// NoticeKind is the notifications' kind for a booking promoted from the waiting list.
const NoticeKind = "booking_offer"

// notify tells the people whose bookings were promoted (a hold to confirm) through the
// notifications every user has, in the transaction that promoted them.
func (s *Service) notify(ctx context.Context, tx *store.Tx, ch capacity.Change) error {
	for _, c := range ch.Promoted {
		var user int64
		var code, name string
		var start int64
		err := tx.QueryRow(ctx, `SELECT b.user_id, b.code, r.name, s.starts_at FROM bookings b JOIN booking_resources r ON r.id = b.resource_id
			JOIN booking_slots s ON s.id = b.slot_id WHERE b.claim_id = ?`, c.ID).Scan(&user, &code, &name, &start)
		if errors.Is(err, sql.ErrNoRows) {
			continue // a claim of another capability's pool
		}
		if err != nil {
			return err
		}
		when := time.UnixMilli(start).In(workcal.Location()).Format("2006-01-02 15:04")
		msg := fmt.Sprintf("您在候补名单上的预约 %s（%s %s）已有空位", code, name, when)
		if c.State == capacity.StateHeld {
			msg += fmt.Sprintf("，请在 %s 前确认，逾期名额将转给下一位。", c.HoldUntil.In(workcal.Location()).Format("2006-01-02 15:04"))
		} else {
			msg += "，已为您确认。"
		}
		if err := notice(ctx, tx, user, NoticeKind, msg, s.now()); err != nil {
			return err
		}
	}
	for _, c := range ch.Expired {
		var user int64
		var code, name string
		var start int64
		err := tx.QueryRow(ctx, `SELECT b.user_id, b.code, r.name, s.starts_at FROM bookings b JOIN booking_resources r ON r.id = b.resource_id
			JOIN booking_slots s ON s.id = b.slot_id WHERE b.claim_id = ?`, c.ID).Scan(&user, &code, &name, &start)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		msg := fmt.Sprintf("您的预约 %s（%s %s）保留的名额未在期限内确认，已转给候补的下一位。", code, name, local(time.UnixMilli(start)))
		if err := notice(ctx, tx, user, KindExpired, msg, s.now()); err != nil {
			return err
		}
	}
	return nil
}

// The notifications' kinds of bookings besides NoticeKind (an offer from the waiting list):
// every one lights the booker's bell (a notice without an order always needs its user).
const (
	KindConfirmed = "booking_confirmed"   // booked and confirmed
	KindWaiting   = "booking_waiting"     // booked onto the waiting list, with the position
	KindCancelled = "booking_cancelled"   // cancelled by the place's staff, with the reason
	KindExpired   = "booking_expired"     // a hold not confirmed in time passed on
	KindExpiring  = "booking_hold_ending" // a hold runs out within HoldWarning
)

// HoldWarning is how long before a hold runs out its holder is reminded (once per hold). A hold
// shorter than this is warned at once when offered — harmless: the offer itself says the deadline.
const HoldWarning = 6 * time.Hour

// notice writes one in-app notification for a user, inside the caller's transaction.
func notice(ctx context.Context, tx *store.Tx, userID int64, kind, msg string, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO notifications (user_id, kind, text, created_at) VALUES (?, ?, ?, ?)`, userID, kind, msg, now.UnixMilli())
	return err
}

func local(t time.Time) string { return t.In(workcal.Location()).Format("2006-01-02 15:04") }

// WarnHolds tells every holder whose hold runs out within HoldWarning, once per hold (the booking
// row keeps the hold_until it warned for, set by a conditional update, so two servers warn once).
// The sweeper runs it; it returns the warnings sent.
func (s *Service) WarnHolds(ctx context.Context) (int, error) {
	now := s.now()
	type due struct {
		id, user, until int64
		code, name      string
	}
	list, err := store.Collect(ctx, s.DB, func(r *sql.Rows) (due, error) {
		var d due
		return d, r.Scan(&d.id, &d.user, &d.until, &d.code, &d.name)
	}, `SELECT b.id, b.user_id, c.hold_until, b.code, r.name FROM bookings b JOIN capacity_claims c ON c.id = b.claim_id
		JOIN booking_resources r ON r.id = b.resource_id
		WHERE c.state = 'held' AND c.hold_until > ? AND c.hold_until <= ? AND (b.hold_warned_until IS NULL OR b.hold_warned_until <> c.hold_until)
		ORDER BY b.id LIMIT 1000`, now.UnixMilli(), now.Add(HoldWarning).UnixMilli())
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, d := range list {
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			res, err := tx.Exec(ctx, `UPDATE bookings SET hold_warned_until = ? WHERE id = ? AND (hold_warned_until IS NULL OR hold_warned_until <> ?)`, d.until, d.id, d.until)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
			}
			sent++
			return notice(ctx, tx, d.user, KindExpiring, fmt.Sprintf("提醒：预约 %s（%s）为您保留的名额将于 %s 到期，请尽快在“我的预约”中确认。", d.code, d.name, local(time.UnixMilli(d.until))), now)
		})
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// Sweep passes on every booking hold that expired, with the notices, one transaction per slot (the
// serve ticker calls it; every read and write of a slot sweeps that slot too).
func (s *Service) Sweep(ctx context.Context) (int, error) {
	pools, err := store.Collect(ctx, s.DB, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, `SELECT DISTINCT c.pool_id FROM capacity_claims c JOIN booking_slots s ON s.pool_id = c.pool_id
		WHERE c.state = 'held' AND c.hold_until <= ? LIMIT 1000`, s.now().UnixMilli())
	if err != nil {
		return 0, err
	}
	for _, p := range pools {
		if err := s.sweepFor(ctx, p); err != nil {
			return 0, err
		}
	}
	return len(pools), nil
}

// Occupancy is one day's figures of a resource.
type Occupancy struct {
	Day       string `json:"day"`
	Capacity  int    `json:"capacity"`
	Booked    int    `json:"booked"` // people confirmed or held
	CheckedIn int    `json:"checked_in"`
	NoShow    int    `json:"no_show"`
	Waiting   int    `json:"waiting"` // people waiting
}

// OccupancyByDay sums a resource's slots per day in [from, to) (at most 92 days).
func (s *Service) OccupancyByDay(ctx context.Context, towns []string, resourceID int64, from, to time.Time) ([]Occupancy, error) {
	res, err := s.Resource(ctx, resourceID)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(towns, res.TownCode) {
		return nil, problem.NotFound("resource %d", resourceID)
	}
	if to.Sub(from) > 92*24*time.Hour {
		to = from.AddDate(0, 0, 92)
	}
	rows, err := s.DB.Query(ctx, `SELECT s.id, s.starts_at, p.capacity,
		COALESCE(SUM(CASE WHEN c.state IN ('confirmed','held') THEN c.size ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN c.state = 'checked_in' THEN c.size ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN c.state = 'no_show' THEN c.size ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN c.state = 'waiting' THEN c.size ELSE 0 END), 0)
		FROM booking_slots s JOIN capacity_pools p ON p.id = s.pool_id LEFT JOIN capacity_claims c ON c.pool_id = p.id
		WHERE s.resource_id = ? AND s.starts_at >= ? AND s.starts_at < ?
		GROUP BY s.id, s.starts_at, p.capacity ORDER BY s.starts_at`, resourceID, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Occupancy
	for rows.Next() {
		var id, st int64
		var o Occupancy
		if err := rows.Scan(&id, &st, &o.Capacity, &o.Booked, &o.CheckedIn, &o.NoShow, &o.Waiting); err != nil {
			return nil, err
		}
		o.Day = time.UnixMilli(st).In(workcal.Location()).Format("2006-01-02")
		if n := len(out); n > 0 && out[n-1].Day == o.Day {
			p := &out[n-1]
			p.Capacity += o.Capacity
			p.Booked += o.Booked
			p.CheckedIn += o.CheckedIn
			p.NoShow += o.NoShow
			p.Waiting += o.Waiting
			continue
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// RunSweeper sweeps every interval until ctx ends: booking holds first (with their notices), then
// every other capacity pool (volunteer activities' roles) through the engine.
func RunSweeper(ctx context.Context, db *store.DB, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	s := &Service{DB: db}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			log.Warn("booking holds sweep", "err", err)
		}
		if _, err := s.WarnHolds(ctx); err != nil && ctx.Err() == nil {
			log.Warn("booking hold warnings", "err", err)
		}
		if _, err := s.engine().Sweep(ctx, db); err != nil && ctx.Err() == nil {
			log.Warn("capacity holds sweep", "err", err)
		}
	}
}
