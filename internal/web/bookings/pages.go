package bookings

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/bookings"
	"github.com/civicgrid/civicgrid/internal/capacity"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// dayView is one day of a resource's calendar.
type dayView struct {
	Date  string // 2026-12-08
	Label string // 12-08 周二
	Slots []bookings.Slot
}

var weekdays = [2][7]string{{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}, {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}}

func dayLabel(t time.Time, lang string) string {
	i := 0
	if lang == "en" {
		i = 1
	}
	return t.Format("01-02") + " " + weekdays[i][t.Weekday()]
}

// calendar groups slots by day.
func calendar(slots []bookings.Slot, lang string) []dayView {
	var out []dayView
	for _, sl := range slots {
		d := sl.StartsAt.Format("2006-01-02")
		if len(out) == 0 || out[len(out)-1].Date != d {
			out = append(out, dayView{Date: d, Label: dayLabel(sl.StartsAt, lang)})
		}
		out[len(out)-1].Slots = append(out[len(out)-1].Slots, sl)
	}
	return out
}

func labels(ls []bookings.Label, lang string) map[string]string {
	m := map[string]string{}
	for _, l := range ls {
		m[l.Code] = l.Name(lang)
	}
	return m
}

func toJSON(v any) (template.JS, error) {
	b, err := json.Marshal(v)
	return template.JS(b), err
}

// resourceCard is a resource with its next slots' figures, for the portal.
type resourceCard struct {
	bookings.Resource
	Name      string
	Kind      string
	Who       string
	NextSlots int
	NextLeft  int
}

func (s *handlers) portalPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	svc := s.svc()
	var towns []string // every town's places, or the one ?town= names (the portal's links)
	if t := strings.TrimSpace(r.URL.Query().Get("town")); t != "" {
		towns = []string{t}
	}
	list, err := svc.Resources(r.Context(), towns)
	if err != nil {
		return err
	}
	from, to, err := rangeOf(r, svc.Clock(), 14)
	if err != nil {
		return err
	}
	kinds, whos := labels(bookings.Kinds, lang), labels(bookings.Whos, lang)
	cards := make([]resourceCard, 0, len(list))
	for _, res := range list {
		slots, err := svc.Slots(r.Context(), res.ID, from, to)
		if err != nil {
			return err
		}
		card := resourceCard{Resource: res, Name: res.DisplayName(lang), Kind: kinds[res.Kind], Who: whos[res.Who]}
		for _, sl := range slots {
			if !sl.Closed && sl.StartsAt.After(svc.Clock()) {
				card.NextSlots++
				card.NextLeft += sl.Left
			}
		}
		cards = append(cards, card)
	}
	return s.Render(w, r, http.StatusOK, "bk_portal", kit.PageData{Title: "bk.portal", Data: map[string]any{"Cards": cards,
		"MayManage": c != nil && c.User.Can(auth.PermBookingsManage)}})
}

// resourceData is what bk_resource.html shows.
type resourceData struct {
	R       bookings.Resource
	Name    string
	Kind    string
	Who     string
	Days    []dayView
	Points  template.JS
	MayBook bool
	Units   bool // the form asks for a unit (the rule is units, or the caller chose a group)
	Slot    int64
	Form    bookings.Request
	From    string
	Prev    string
	Next    string
}

func (s *handlers) resourcePage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.renderResource(w, r, c, http.StatusOK, 0, bookings.Request{}, nil)
}

func (s *handlers) renderResource(w http.ResponseWriter, r *http.Request, c *kit.Caller, status int, slot int64, form bookings.Request, ferr error) error {
	lang := kit.Language(w, r)
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	svc := s.svc()
	res, err := svc.Resource(r.Context(), id)
	if err != nil {
		return err
	}
	from, to, err := rangeOf(r, svc.Clock(), 14)
	if err != nil {
		return err
	}
	slots, err := svc.Slots(r.Context(), id, from, to)
	if err != nil {
		return err
	}
	var open []bookings.Slot
	for _, sl := range slots {
		if sl.StartsAt.After(svc.Clock()) {
			open = append(open, sl)
		}
	}
	pts, err := toJSON(map[string]any{"points": res.Points, "lat": res.Lat, "lng": res.Lng, "name": res.DisplayName(lang), "kind": res.Kind})
	if err != nil {
		return err
	}
	d := resourceData{R: res, Name: res.DisplayName(lang), Kind: labels(bookings.Kinds, lang)[res.Kind], Who: labels(bookings.Whos, lang)[res.Who],
		Days: calendar(open, lang), Points: pts, MayBook: c != nil && c.User.Can(auth.PermBookingsBook),
		Units: res.Who == bookings.WhoUnits || res.GroupMax > 1, Slot: slot, Form: form, From: from.Format("2006-01-02"),
		Prev: from.AddDate(0, 0, -14).Format("2006-01-02"), Next: from.AddDate(0, 0, 14).Format("2006-01-02")}
	if d.Slot == 0 {
		if v, err := strconv.ParseInt(r.URL.Query().Get("slot"), 10, 64); err == nil {
			d.Slot = v
		}
	}
	pd := kit.PageData{Title: "bk.portal", Data: d}
	if ferr != nil {
		_, pd.Error, pd.Field = kit.ErrorText(r, lang, ferr)
	}
	return s.Render(w, r, status, "bk_resource", pd)
}

func (s *handlers) bookSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	id, err := kit.PathID(r, "id")
	if err != nil {
		return err
	}
	slot, _ := strconv.ParseInt(r.FormValue("slot"), 10, 64)
	size, _ := strconv.Atoi(strings.TrimSpace(r.FormValue("party_size")))
	in := bookings.Request{UnitName: r.FormValue("unit_name"), PartySize: size, ContactName: r.FormValue("contact_name"),
		ContactPhone: r.FormValue("contact_phone"), Note: r.FormValue("note")}
	sl, err := s.svc().Slot(r.Context(), slot)
	if err != nil || sl.ResourceID != id {
		return s.renderResource(w, r, c, http.StatusUnprocessableEntity, slot, in, problem.Field("slot", "choose a slot of this resource"))
	}
	b, err := s.svc().Book(r.Context(), slot, in, kit.AuditActor(r, c), c.User)
	if err != nil {
		return s.renderResource(w, r, c, http.StatusUnprocessableEntity, slot, in, err)
	}
	T := kit.Translator(kit.Language(w, r))
	kit.RedirectFlash(w, r, fmt.Sprintf("/bookings/mine/%d", b.ID), T("bk.flash."+b.State))
	return nil
}

// bookingView is a booking with its labels for the pages.
type bookingView struct {
	bookings.Booking
	StateName string
	When      string
	Hold      string
}

func view(b bookings.Booking, lang string) bookingView {
	T := kit.Translator(lang)
	v := bookingView{Booking: b, StateName: T("bk.state." + b.State),
		When: b.StartsAt.Format("2006-01-02") + " " + weekdays[boolIndex(lang == "en")][b.StartsAt.Weekday()] + " " + b.StartsAt.Format("15:04") + "–" + b.EndsAt.Format("15:04")}
	if lang == "en" && b.ResourceNameEN != "" {
		v.ResourceName = b.ResourceNameEN
	}
	if b.State == capacity.StateHeld && !b.HoldUntil.IsZero() {
		v.Hold = b.HoldUntil.In(workcal.Location()).Format("2006-01-02 15:04")
	}
	return v
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *handlers) minePage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	list, err := s.svc().Mine(r.Context(), c.User)
	if err != nil {
		return err
	}
	vs := make([]bookingView, len(list))
	for i, b := range list {
		vs[i] = view(b, lang)
	}
	return s.Render(w, r, http.StatusOK, "bk_mine", kit.PageData{Title: "bk.mine", Data: map[string]any{"List": vs}})
}

func (s *handlers) bookingPage(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	lang := kit.Language(w, r)
	b, err := s.visible(r, c)
	if err != nil {
		return err
	}
	scheme := "http"
	if s.SecureCookies {
		scheme = "https"
	}
	svg, err := qrSVG(scheme + "://" + r.Host + "/bookings/checkin/" + b.Code)
	if err != nil {
		return err
	}
	v := view(b, lang)
	live := b.State == capacity.StateConfirmed || b.State == capacity.StateHeld || b.State == capacity.StateWaiting
	return s.Render(w, r, http.StatusOK, "bk_booking", kit.PageData{Title: "bk.booking", Data: map[string]any{
		"B": v, "QR": svg, "Own": b.UserID == c.User.ID, "Live": live && b.StartsAt.After(s.svc().Clock()),
		"Held": b.State == capacity.StateHeld, "Code": b.Code[:4] + " " + b.Code[4:]}})
}

func (s *handlers) ownAct(act bookingAct, flash string) kit.Handler {
	return func(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
		id, err := kit.PathID(r, "id")
		if err != nil {
			return err
		}
		T := kit.Translator(kit.Language(w, r))
		to := fmt.Sprintf("/bookings/mine/%d", id)
		if _, err := act(id, r, c); err != nil {
			_, msg, _ := kit.ErrorText(r, kit.Language(w, r), err)
			kit.RedirectFlash(w, r, to, msg)
			return nil
		}
		kit.RedirectFlash(w, r, to, T(flash))
		return nil
	}
}

func (s *handlers) confirmSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.ownAct(s.confirm, "bk.flash.confirmed")(w, r, c)
}
func (s *handlers) cancelSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	return s.ownAct(s.cancel, "bk.flash.cancelled")(w, r, c)
}
