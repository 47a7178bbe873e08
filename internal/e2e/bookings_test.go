package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

type e2eSlot struct {
	ID       int64     `json:"id"`
	StartsAt time.Time `json:"starts_at"`
	Capacity int       `json:"capacity"`
	Used     int       `json:"used"`
	Waiting  int       `json:"waiting"`
	Closed   bool      `json:"closed"`
}

type e2eBooking struct {
	ID       int64  `json:"id"`
	Code     string `json:"code"`
	State    string `json:"state"`
	Position int    `json:"position"`
}

// TestBookingsInBrowser: on a phone (390 px), a resident books 陆家嘴's red route for a party
// branch's group on a slot that two other units have filled; the booking goes on the waiting
// list; one of the units cancels, the waiting group is offered a hold and confirms it on the
// phone, and gets its code and QR code. On a desktop the route's manager checks the group in by
// its code in the day list, beside the occupancy chart. Both languages; screenshots of each step.
func TestBookingsInBrowser(t *testing.T) {
	srv, desk := signedIn(t, "lujiazui_admin", 1280, 900)
	phone := NewBrowser(t, 390, 844)
	noScriptErrors(t, desk, phone)
	signIn(t, phone, srv, "resident")

	var rs struct {
		Resources []struct {
			ID     int64  `json:"id"`
			Name   string `json:"name"`
			Kind   string `json:"kind"`
			Points []any  `json:"points"`
		} `json:"resources"`
	}
	if code := apiFetch(t, desk, "GET", "/api/v1/bookings/resources?town=310115005", "", &rs); code != 200 || len(rs.Resources) == 0 {
		t.Fatalf("resources of 陆家嘴 = %d %+v", code, rs)
	}
	route := rs.Resources[0]
	if route.Kind != "route" || len(route.Points) != 13 {
		t.Fatalf("陆家嘴's resource: %+v, want the red route of 13 points", route)
	}
	// An empty slot some days ahead.
	slot := emptySlot(t, desk, route.ID, 8)
	day := slot.StartsAt.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	// Two units fill it (the slot takes 40 people and two groups).
	var a, b e2eBooking
	if code := apiFetch(t, desk, "POST", fmt.Sprintf("/api/v1/bookings/slots/%d/bookings", slot.ID),
		`{"unit_name":"浏览器测试甲单位党支部","party_size":25,"contact_name":"赵敏","contact_phone":"13900001111"}`, &a); code != 201 || a.State != "confirmed" {
		t.Fatalf("first unit = %d %+v", code, a)
	}
	if code := apiFetch(t, desk, "POST", fmt.Sprintf("/api/v1/bookings/slots/%d/bookings", slot.ID),
		`{"unit_name":"浏览器测试乙单位党支部","party_size":15,"contact_name":"钱进","contact_phone":"13900002222"}`, &b); code != 201 || b.State != "confirmed" {
		t.Fatalf("second unit = %d %+v", code, b)
	}

	// Phone: the portal, the route with its map and calendar, the full slot, the form.
	visit(t, phone, srv.URL+"/portal/bookings?lang=zh", "open the portal")
	waitFor(t, phone, "#bk-resources .bk-card", "portal cards")
	noOverflow(t, phone, "the portal on a phone")
	Screenshot(t, phone, "bookings-phone-portal")
	visit(t, phone, fmt.Sprintf("%s/portal/bookings/%d?from=%s", srv.URL, route.ID, day), "open the route")
	waitTrue(t, phone, `document.body.dataset.mapReady === '1'`, "route map")
	if n := evaluate[string](t, phone, `document.getElementById('map').dataset.points`); n != "13" {
		t.Errorf("the route map drew %s points, want 13", n)
	}
	if n := evaluate[int](t, phone, `document.querySelectorAll('#bk-points li').length`); n != 13 {
		t.Errorf("the route lists %d points, want 13", n)
	}
	full := fmt.Sprintf(`a.bk-slot[data-slot="%d"]`, slot.ID)
	if !evaluate[bool](t, phone, `document.querySelector('`+full+`').classList.contains('bk-full')`) {
		t.Errorf("the filled slot is not shown full")
	}
	must(t, WaitMapIdle(phone), "route map idle")
	noOverflow(t, phone, "the route page on a phone")
	Screenshot(t, phone, "bookings-phone-route")
	must(t, chromedp.Do(phone, chromedp.Click(chromedp.CSS(full))), "pick the full slot")
	waitFor(t, phone, "#bk-submit", "booking form")
	must(t, chromedp.Do(phone,
		chromedp.SendKeys(chromedp.CSS(`input[name=unit_name]`), "梅园新村第一居民区党总支"),
		chromedp.SendKeys(chromedp.CSS(`input[name=party_size]`), "12"),
		chromedp.SendKeys(chromedp.CSS(`input[name=contact_name]`), "孙丽"),
		chromedp.SendKeys(chromedp.CSS(`input[name=contact_phone]`), "13800003333"),
	), "fill the booking form")
	top(t, phone)
	Screenshot(t, phone, "bookings-phone-form")
	if _, err := chromedp.RunResponse(phone, chromedp.Click(chromedp.CSS(`#bk-submit`))); err != nil {
		t.Fatalf("submit the booking: %v", err)
	}
	waitFor(t, phone, "#bk-position", "the waiting list position")
	if got := evaluate[string](t, phone, `document.querySelector('#bk-position b').innerText`); got != "1" {
		t.Errorf("waiting at %s, want 1", got)
	}
	if evaluate[bool](t, phone, `!!document.querySelector('#bk-qr')`) {
		t.Errorf("a waiting booking shows a QR code")
	}
	bookingURL := evaluate[string](t, phone, `location.pathname`)
	code := evaluate[string](t, phone, `document.getElementById('bk-code').dataset.code`)
	noOverflow(t, phone, "the waiting booking on a phone")
	Screenshot(t, phone, "bookings-phone-waiting")

	// The first unit cancels: the waiting group is offered a hold.
	if st := apiFetch(t, desk, "POST", fmt.Sprintf("/api/v1/bookings/%d/cancel", a.ID), "", nil); st != 200 {
		t.Fatalf("cancel the first unit = %d", st)
	}
	visit(t, phone, srv.URL+bookingURL, "reload the booking")
	waitFor(t, phone, "#bk-hold", "the hold")
	if s := evaluate[string](t, phone, `document.getElementById('bk-state').dataset.state`); s != "held" {
		t.Errorf("after the cancellation the booking is %s, want held", s)
	}
	Screenshot(t, phone, "bookings-phone-held")
	if _, err := chromedp.RunResponse(phone, chromedp.Click(chromedp.CSS(`#bk-confirm`))); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	waitFor(t, phone, `#bk-state[data-state=confirmed]`, "the confirmed booking")
	if n := evaluate[int](t, phone, `document.querySelectorAll('#bk-qr svg path').length`); n != 1 {
		t.Errorf("the confirmed booking has no QR code (%d paths)", n)
	}
	noOverflow(t, phone, "the confirmed booking on a phone")
	Screenshot(t, phone, "bookings-phone-confirmed")
	visit(t, phone, srv.URL+bookingURL+"?lang=en", "the booking in English")
	waitFor(t, phone, `#bk-state[data-state=confirmed]`, "the confirmed booking in English")
	if txt := evaluate[string](t, phone, `document.getElementById('bk-state').innerText`); txt != "Confirmed" {
		t.Errorf("English state: %q", txt)
	}
	Screenshot(t, phone, "bookings-phone-confirmed-en")
	visit(t, phone, srv.URL+"/bookings/mine", "my bookings in English")
	waitFor(t, phone, "#bk-mine .bk-card", "my bookings")
	noOverflow(t, phone, "my bookings on a phone")
	Screenshot(t, phone, "bookings-phone-mine-en")

	// Desktop: the manager's day list; check the group in by its code as typed.
	visit(t, desk, fmt.Sprintf("%s/bookings/manage/%d?day=%s&lang=zh", srv.URL, route.ID, day), "the day list")
	waitFor(t, desk, fmt.Sprintf(`tr[data-code="%s"]`, code), "the group in the day list")
	typed := strings.ToLower(code[:4]) + " " + strings.ToLower(code[4:])
	must(t, chromedp.Do(desk, chromedp.SendKeys(chromedp.CSS(`#bk-checkin-code`), typed)), "type the code")
	if _, err := chromedp.RunResponse(desk, chromedp.Click(chromedp.CSS(`#bk-checkin-go`))); err != nil {
		t.Fatalf("check in: %v", err)
	}
	waitFor(t, desk, fmt.Sprintf(`tr.bk-row-checked_in[data-code="%s"]`, code), "the group checked in")
	if flash := evaluate[string](t, desk, `(document.querySelector('.flash') || {}).innerText || ''`); !strings.Contains(flash, code) {
		t.Errorf("check-in notice %q lacks the code %s", flash, code)
	}
	// The contacts are whole for the town's administrator (audited), the chart is drawn.
	if !evaluate[bool](t, desk, `document.body.innerText.includes('13800003333')`) {
		t.Errorf("the administrator does not see the group's contact phone")
	}
	waitTrue(t, desk, `document.querySelectorAll('#bk-chart canvas, #bk-chart svg').length > 0`, "occupancy chart")
	top(t, desk)
	Screenshot(t, desk, "bookings-desk-day")
	visit(t, desk, fmt.Sprintf("%s/bookings/manage/%d?day=%s&lang=en", srv.URL, route.ID, day), "the day list in English")
	waitFor(t, desk, `#bk-checkin-go`, "the English day list")
	if txt := evaluate[string](t, desk, `document.getElementById('bk-checkin-go').innerText`); txt != "Check in" {
		t.Errorf("English check-in button: %q", txt)
	}
	waitTrue(t, desk, `document.querySelectorAll('#bk-chart canvas, #bk-chart svg').length > 0`, "occupancy chart (en)")
	Screenshot(t, desk, "bookings-desk-day-en")
	visit(t, desk, fmt.Sprintf("%s/portal/bookings/%d?from=%s", srv.URL, route.ID, day), "the route on a desktop")
	waitTrue(t, desk, `document.body.dataset.mapReady === '1'`, "route map (desktop)")
	must(t, WaitMapIdle(desk), "route map idle (desktop)")
	Screenshot(t, desk, "bookings-desk-route-en")
}
