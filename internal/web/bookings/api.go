package bookings

import (
	"net/http"
	"strconv"
	"time"

	"github.com/civicgrid/civicgrid/internal/bookings"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// svc is the bookings service on the server's database.
func (s *handlers) svc() *bookings.Service { return &bookings.Service{DB: s.DB, Now: s.Orders.Now} }

// rangeOf reads ?from=YYYY-MM-DD&to=YYYY-MM-DD (to inclusive), by default days days from today.
func rangeOf(r *http.Request, now time.Time, days int) (from, to time.Time, err error) {
	loc := workcal.Location()
	n := now.In(loc)
	from = time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	to = from.AddDate(0, 0, days)
	if v := r.URL.Query().Get("from"); v != "" {
		if from, err = time.ParseInLocation("2006-01-02", v, loc); err != nil {
			return from, to, problem.Field("from", "%q is not a date (YYYY-MM-DD)", v)
		}
		to = from.AddDate(0, 0, days)
	}
	if v := r.URL.Query().Get("to"); v != "" {
		t, err := time.ParseInLocation("2006-01-02", v, loc)
		if err != nil {
			return from, to, problem.Field("to", "%q is not a date (YYYY-MM-DD)", v)
		}
		to = t.AddDate(0, 0, 1)
	}
	if to.Before(from) || to.Sub(from) > 92*24*time.Hour {
		return from, to, problem.Field("to", "the range is at most 92 days, after from")
	}
	return from, to, nil
}

// shown returns the bookings as c may see them: the contact whole for their own bookings and for
// the roles privacy.Rules lists for the town (each recorded in the response's audit row), masked
// otherwise.
func (s *handlers) shown(r *http.Request, c *kit.Caller, list []bookings.Booking) ([]bookings.Booking, error) {
	v := kit.Viewer(r, c)
	log := kit.ShownLog(r, privacy.Bookings)
	out := make([]bookings.Booking, len(list))
	for i, b := range list {
		own := b.UserID == c.User.ID
		if v.Whole(privacy.Bookings, privacy.Facts{Town: b.TownCode, Own: own}) {
			if !own && (b.ContactName != "" || b.ContactPhone != "") {
				log.Add(b.Code, b.TownCode)
			}
			out[i] = b
		} else {
			out[i] = b.Masked()
		}
	}
	return out, s.RecordShown(r, c, log)
}

func (s *handlers) apiResources(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var towns []string
	if t := r.URL.Query().Get("town"); t != "" {
		towns = []string{t}
	}
	list, err := s.svc().Resources(r.Context(), towns)
	return kit.Reply(w, http.StatusOK, map[string]any{"resources": list}, err)
}

func (s *handlers) apiCreateResource(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in bookings.NewResource
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	res, err := s.svc().CreateResource(r.Context(), c.Towns, in, kit.AuditActor(r, c), c.User)
	return kit.Reply(w, http.StatusCreated, res, err)
}

func (s *handlers) apiResource(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	res, err := s.svc().Resource(r.Context(), id)
	return kit.Reply(w, http.StatusOK, res, err)
}

func (s *handlers) apiSlots(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	from, to, err := rangeOf(r, s.svc().Clock(), 14)
	if err != nil {
		return err
	}
	if _, err := s.svc().Resource(r.Context(), id); err != nil {
		return err
	}
	list, err := s.svc().Slots(r.Context(), id, from, to)
	return kit.Reply(w, http.StatusOK, map[string]any{"slots": list}, err)
}

func (s *handlers) apiCreateSlots(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in bookings.SlotPattern
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	n, err := s.svc().CreateSlots(r.Context(), c.Towns, id, in, kit.AuditActor(r, c), c.User)
	return kit.Reply(w, http.StatusCreated, map[string]any{"created": n}, err)
}

func (s *handlers) apiOccupancy(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	from, to, err := rangeOf(r, s.svc().Clock(), 14)
	if err != nil {
		return err
	}
	occ, err := s.svc().OccupancyByDay(r.Context(), c.Towns, id, from, to)
	return kit.Reply(w, http.StatusOK, map[string]any{"days": occ}, err)
}

func (s *handlers) apiSlotBookings(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	list, err := s.svc().SlotBookings(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	if list, err = s.shown(r, c, list); err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"bookings": list})
	return nil
}

func (s *handlers) apiBook(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in bookings.Request
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	b, err := s.svc().Book(r.Context(), id, in, kit.AuditActor(r, c), c.User)
	return kit.Reply(w, http.StatusCreated, b, err)
}

func (s *handlers) apiCloseSlot(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Closed bool `json:"closed"`
	}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	sl, err := s.svc().CloseSlot(r.Context(), c.Towns, id, in.Closed, kit.AuditActor(r, c), c.User)
	return kit.Reply(w, http.StatusOK, sl, err)
}

func (s *handlers) apiMine(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	list, err := s.svc().Mine(r.Context(), c.User)
	return kit.Reply(w, http.StatusOK, map[string]any{"bookings": list}, err)
}

// apiBooking is one booking: its holder's, or a manager's of its town (contact as privacy says).
func (s *handlers) apiBooking(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	b, err := s.visible(r, c)
	return kit.Reply(w, http.StatusOK, b, err)
}

// visible is the booking of the path's {id} if c made it or manages its town, shown as c may see it.
func (s *handlers) visible(r *http.Request, c *kit.Caller) (bookings.Booking, error) {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return bookings.Booking{}, err
	}
	b, err := s.svc().Get(r.Context(), id)
	if err != nil {
		return b, err
	}
	if b.UserID != c.User.ID && !bookings.MayManage(c.User, c.Towns, b.TownCode) {
		return bookings.Booking{}, problem.NotFound("booking %d", id)
	}
	list, err := s.shown(r, c, []bookings.Booking{b})
	if err != nil {
		return b, err
	}
	return list[0], nil
}

type bookingAct func(id int64, r *http.Request, c *kit.Caller) (bookings.Booking, error)

func (s *handlers) apiAct(act bookingAct) kit.Handler {
	return func(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
		id, err := kit.PathID(r, "id")
		if err != nil {
			return err
		}
		b, err := act(id, r, c)
		if err != nil {
			return err
		}
		kit.WriteJSON(w, http.StatusOK, map[string]any{"id": b.ID, "code": b.Code, "state": b.State, "hold_until": b.HoldUntil})
		return nil
	}
}

func (s *handlers) confirm(id int64, r *http.Request, c *kit.Caller) (bookings.Booking, error) {
	return s.svc().Confirm(r.Context(), id, kit.AuditActor(r, c), c.User)
}
func (s *handlers) cancel(id int64, r *http.Request, c *kit.Caller) (bookings.Booking, error) {
	return s.svc().Cancel(r.Context(), id, kit.AuditActor(r, c), c.User)
}
func (s *handlers) noShow(id int64, r *http.Request, c *kit.Caller) (bookings.Booking, error) {
	return s.svc().NoShow(r.Context(), c.Towns, id, kit.AuditActor(r, c), c.User)
}

func (s *handlers) apiConfirm(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.apiAct(s.confirm)(w, r, c)
}
func (s *handlers) apiCancel(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.apiAct(s.cancel)(w, r, c)
}
func (s *handlers) apiNoShow(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.apiAct(s.noShow)(w, r, c)
}

func (s *handlers) apiStaffCancel(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	return s.apiAct(func(id int64, r *http.Request, c *kit.Caller) (bookings.Booking, error) {
		return s.svc().CancelAsStaff(r.Context(), c.Towns, id, in.Reason, kit.AuditActor(r, c), c.User)
	})(w, r, c)
}

func (s *handlers) apiCheckIn(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := kit.DecodeJSON(r, &in); err != nil {
		return err
	}
	b, err := s.svc().CheckIn(r.Context(), c.Towns, in.Code, kit.AuditActor(r, c), c.User)
	if err != nil {
		return err
	}
	kit.WriteJSON(w, http.StatusOK, map[string]any{"id": b.ID, "code": b.Code, "state": b.State, "party_size": b.PartySize,
		"unit_name": b.UnitName, "starts_at": b.StartsAt, "resource": b.ResourceName, "slot_id": strconv.FormatInt(b.SlotID, 10)})
	return nil
}
