package bookings

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/bookings"
	"github.com/civicgrid/civicgrid/internal/capacity"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// The resource manager's pages: the day's list, slots in bulk, check-in, no-shows and closing a slot.

// managePage lists the resources of the manager's towns with a link to each day list.
func (s *handlers) managePage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	list, err := s.svc().Resources(r.Context(), c.Towns)
	if err != nil {
		return err
	}
	kinds := labels(bookings.Kinds, lang)
	cards := make([]resourceCard, len(list))
	for i, res := range list {
		cards[i] = resourceCard{Resource: res, Name: res.DisplayName(lang), Kind: kinds[res.Kind]}
	}
	return s.Render(w, r, http.StatusOK, "bk_manage", kit.PageData{Title: "bk.manage", Data: map[string]any{
		"Cards": cards, "Today": s.svc().Clock().In(workcal.Location()).Format("2006-01-02")}})
}

// slotDay is one slot of the day list with its bookings.
type slotDay struct {
	bookings.Slot
	Time     string
	Bookings []bookingView
	Came     int
}

func (s *handlers) dayPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	svc := s.svc()
	loc := workcal.Location()
	day := svc.Clock().In(loc)
	if v := r.URL.Query().Get("day"); v != "" {
		if day, err = time.ParseInLocation("2006-01-02", v, loc); err != nil {
			return problem.Field("day", "%q is not a date (YYYY-MM-DD)", v)
		}
	}
	res, days, err := svc.DayList(r.Context(), c.Towns, id, day)
	if err != nil {
		return err
	}
	var all []bookings.Booking
	for _, d := range days {
		all = append(all, d.Bookings...)
	}
	if all, err = s.shown(r, c, all); err != nil {
		return err
	}
	var slots []slotDay
	i := 0
	for _, d := range days {
		sd := slotDay{Slot: d.Slot, Time: d.Slot.StartsAt.Format("15:04") + "–" + d.Slot.EndsAt.Format("15:04")}
		for range d.Bookings {
			b := all[i]
			i++
			if b.State == capacity.StateCheckedIn {
				sd.Came += b.PartySize
			}
			sd.Bookings = append(sd.Bookings, view(b, lang))
		}
		slots = append(slots, sd)
	}
	start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	occ, err := svc.OccupancyByDay(r.Context(), c.Towns, id, start.AddDate(0, 0, -7), start.AddDate(0, 0, 14))
	if err != nil {
		return err
	}
	T := kit.Translator(lang)
	chart, err := toJSON(map[string]any{"days": occ, "labels": map[string]string{"capacity": T("bk.capacity"), "booked": T("bk.booked col"),
		"checked_in": T("bk.state.checked_in"), "no_show": T("bk.state.no_show"), "waiting": T("bk.waiting people")}})
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "bk_day", kit.PageData{Title: "bk.manage", Data: map[string]any{
		"R": res, "Name": res.DisplayName(lang), "Day": start.Format("2006-01-02"), "DayLabel": dayLabel(start, lang),
		"Prev": start.AddDate(0, 0, -1).Format("2006-01-02"), "Next": start.AddDate(0, 0, 1).Format("2006-01-02"),
		"Slots": slots, "Occupancy": occ, "Chart": chart, "Back": r.URL.RequestURI()}})
}

func (s *handlers) slotsSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	T := kit.Translator(kit.Language(w, r))
	capN, _ := strconv.Atoi(r.FormValue("capacity"))
	groups, _ := strconv.Atoi(r.FormValue("max_groups"))
	var days []int
	for _, v := range r.Form["weekdays"] {
		if n, err := strconv.Atoi(v); err == nil && len(days) < 7 {
			days = append(days, n)
		}
	}
	var times []string
	for _, t := range strings.FieldsFunc(r.FormValue("times"), func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '\n' }) {
		if len(times) < 24 {
			times = append(times, t)
		}
	}
	p := bookings.SlotPattern{From: r.FormValue("from"), To: r.FormValue("to"), Weekdays: days, Times: times, Capacity: capN,
		MaxGroups: groups, SkipHolidays: r.FormValue("skip_holidays") != ""}
	to := fmt.Sprintf("/bookings/manage/%d", id)
	n, err := s.svc().CreateSlots(r.Context(), c.Towns, id, p, kit.AuditActor(r, c), c.User)
	if err != nil {
		_, msg, _ := kit.ErrorText(r, kit.Language(w, r), err)
		kit.RedirectFlash(w, r, to, msg)
		return nil
	}
	kit.RedirectFlash(w, r, to, fmt.Sprintf("%s: %d", T("bk.slots made"), n))
	return nil
}

func (s *handlers) checkInPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	b, err := s.svc().ByCode(r.Context(), r.PathValue("code"))
	if err != nil || !bookings.MayManage(c.User, c.Towns, b.TownCode) {
		return &kit.HTTPError{Status: http.StatusNotFound, Msg: kit.Translator(lang)("bk.no code")}
	}
	list, err := s.shown(r, c, []bookings.Booking{b})
	if err != nil {
		return err
	}
	return s.Render(w, r, http.StatusOK, "bk_checkin", kit.PageData{Title: "bk.checkin", Data: map[string]any{
		"B": view(list[0], lang), "CanCheckIn": b.State == capacity.StateConfirmed || b.State == capacity.StateNoShow}})
}

func (s *handlers) checkInSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	T := kit.Translator(kit.Language(w, r))
	back := kit.SafeNext(r.FormValue("back"))
	b, err := s.svc().CheckIn(r.Context(), c.Towns, r.FormValue("code"), kit.AuditActor(r, c), c.User)
	if err != nil {
		_, msg, _ := kit.ErrorText(r, kit.Language(w, r), err)
		kit.RedirectFlash(w, r, back, msg)
		return nil
	}
	unit := b.UnitName
	if unit == "" {
		unit = b.ResourceName
	}
	kit.RedirectFlash(w, r, back, fmt.Sprintf("%s: %s · %s · %d %s", T("bk.flash.checked_in"), b.Code, unit, b.PartySize, T("bk.people")))
	return nil
}

func (s *handlers) noShowSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	back := kit.SafeNext(r.FormValue("back"))
	if _, err := s.noShow(id, r, c); err != nil {
		_, msg, _ := kit.ErrorText(r, kit.Language(w, r), err)
		kit.RedirectFlash(w, r, back, msg)
		return nil
	}
	kit.RedirectFlash(w, r, back, kit.Translator(kit.Language(w, r))("bk.flash.no_show"))
	return nil
}

func (s *handlers) closeSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	back := kit.SafeNext(r.FormValue("back"))
	closed := r.FormValue("closed") == "1"
	if _, err := s.svc().CloseSlot(r.Context(), c.Towns, id, closed, kit.AuditActor(r, c), c.User); err != nil {
		_, msg, _ := kit.ErrorText(r, kit.Language(w, r), err)
		kit.RedirectFlash(w, r, back, msg)
		return nil
	}
	key := "bk.flash.reopened"
	if closed {
		key = "bk.flash.closed"
	}
	kit.RedirectFlash(w, r, back, kit.Translator(kit.Language(w, r))(key))
	return nil
}
