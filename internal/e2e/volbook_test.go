package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestVolunteerLeadEditsActivity: the lead (gridworker) opens today's activity on a desktop,
// follows "edit", moves it to another room and adds places; a number below those taken is refused
// on its field; the same form on a phone, in English.
func TestVolunteerLeadEditsActivity(t *testing.T) {
	srv, desk := signedIn(t, "gridworker", 1280, 900)
	id, _ := volunteerActivityID(t, desk)
	sid := itoa(id)
	visit(t, desk, srv.URL+"/volunteers/activities/"+sid, "the activity")
	waitFor(t, desk, "#vol-edit-link", "the edit link for the lead")
	must(t, chromedp.Do(desk, chromedp.Click(`#vol-edit-link`), chromedp.WaitVisible(`#vol-edit-form`)), "open the edit form")
	Screenshot(t, desk, "volunteers-edit-desktop-zh")
	// Zero places (past the browser's own check, as a script or an old browser would send it):
	// refused by the server on the role's field, the form kept.
	evaluate[bool](t, desk, `document.getElementById('vol-edit-form').noValidate = true`)
	must(t, chromedp.Do(desk, chromedp.SetValue(`#vol-edit-roles tbody tr:first-child input[name=role_places]`, "0")), "zero places")
	if _, err := chromedp.RunResponse(desk, chromedp.Click(`#vol-edit-save`)); err != nil {
		t.Fatalf("save: %v", err)
	}
	waitFor(t, desk, `.error[role=alert]`, "the field error")
	if f := evaluate[string](t, desk, `document.querySelector('.error[role=alert]').dataset.field`); f != "roles[0].places" {
		t.Errorf("refused on field %q", f)
	}
	Screenshot(t, desk, "volunteers-edit-refused-zh")
	must(t, chromedp.Do(desk,
		chromedp.SetValue(`#vol-edit-roles tbody tr:first-child input[name=role_places]`, "12"),
		chromedp.SetValue(`#vol-edit-form input[name=place]`, "新泾镇社区文化活动中心 二楼多功能厅"),
	), "fill the form")
	if _, err := chromedp.RunResponse(desk, chromedp.Click(`#vol-edit-save`)); err != nil {
		t.Fatalf("save: %v", err)
	}
	waitFor(t, desk, "#vol-activity-title", "back on the activity")
	if flash := evaluate[string](t, desk, `(document.querySelector('.flash') || {}).innerText || ''`); !strings.Contains(flash, "活动已保存") {
		t.Errorf("after saving: %q", flash)
	}
	if body := evaluate[string](t, desk, `document.body.innerText`); !strings.Contains(body, "二楼多功能厅") {
		t.Error("the new place is not on the activity page")
	}
	Screenshot(t, desk, "volunteers-edited-desktop-zh")

	phone := NewBrowser(t, 390, 844)
	signIn(t, phone, srv, "gridworker")
	visit(t, phone, srv.URL+"/volunteers/activities/"+sid+"/edit?lang=en", "the edit form on a phone")
	waitFor(t, phone, "#vol-edit-form", "the form")
	noOverflow(t, phone, "the edit form on a phone")
	Screenshot(t, phone, "volunteers-edit-phone-en")
}

// TestVolunteerDownloadsCertificatePDF: 周根宝 opens his certificate on a phone and downloads its
// PDF (a real PDF of one page; written beside the screenshots to be looked at).
func TestVolunteerDownloadsCertificatePDF(t *testing.T) {
	srv := StartServer(t)
	phone := NewBrowser(t, 390, 844)
	signIn(t, phone, srv, "volunteer")
	visit(t, phone, srv.URL+"/volunteers", "home")
	href := evaluate[string](t, phone, `(document.querySelector('a[href^="/volunteers/certificates/"]') || {}).href || ''`)
	if href == "" {
		t.Fatal("no certificate on the volunteer's home")
	}
	visit(t, phone, href, "the certificate")
	waitFor(t, phone, "#vol-pdf", "the PDF link")
	Screenshot(t, phone, "volunteers-certificate-phone-zh")
	pdfURL := evaluate[string](t, phone, `document.getElementById('vol-pdf').href`)
	js := fmt.Sprintf(`(async () => {
		const r = await fetch(%q, {credentials: 'same-origin'});
		const b = new Uint8Array(await r.arrayBuffer());
		let s = ''; for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
		return JSON.stringify({status: r.status, type: r.headers.get('Content-Type'), body: btoa(s)});
	})()`, pdfURL)
	raw, err := chromedp.Run(phone, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Status int
		Type   string
		Body   string
	}
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		t.Fatal(err)
	}
	pdf, err := base64.StdEncoding.DecodeString(res.Body)
	if err != nil || res.Status != 200 || res.Type != "application/pdf" || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("the PDF: %d %s %.20q %v", res.Status, res.Type, pdf, err)
	}
	if n := strings.Count(string(pdf), "/Type /Page\n") + strings.Count(string(pdf), "/Type /Page "); n < 1 {
		t.Errorf("no page in the PDF")
	}
	if dir := os.Getenv("CIVICGRID_E2E_SHOTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "volunteers-certificate.pdf"), pdf, 0o644); err != nil {
			t.Error(err)
		}
	}
}

// TestBookingNoticeInBell: a resident's booking lights their bell (on top of their reports with
// news), the bell opens the notifications with the booking's notice; on a phone.
func TestBookingNoticeInBell(t *testing.T) {
	srv := StartServer(t)
	phone := NewBrowser(t, 390, 844)
	signIn(t, phone, srv, "resident")
	visit(t, phone, srv.URL+"/portal/bookings", "the portal")
	before := evaluate[int](t, phone, `parseInt((document.getElementById('unread-count') || {}).innerText || '0', 10)`)
	var rs struct {
		Resources []struct {
			ID   int64  `json:"id"`
			Kind string `json:"kind"`
		} `json:"resources"`
	}
	if code := apiFetch(t, phone, "GET", "/api/v1/bookings/resources?town=310115005", "", &rs); code != 200 || len(rs.Resources) == 0 {
		t.Fatalf("resources = %d", code)
	}
	slot := emptySlot(t, phone, rs.Resources[0].ID, 9)
	var b e2eBooking
	if code := apiFetch(t, phone, "POST", fmt.Sprintf("/api/v1/bookings/slots/%d/bookings", slot.ID),
		`{"unit_name":"仙霞路居民区党支部","party_size":8,"contact_name":"李华","contact_phone":"13900005555"}`, &b); code != 201 || b.State != "confirmed" {
		t.Fatalf("book = %d %+v", code, b)
	}
	visit(t, phone, srv.URL+"/portal/bookings", "the portal again")
	waitFor(t, phone, "#unread-count", "the bell's count")
	after := evaluate[int](t, phone, `parseInt(document.getElementById('unread-count').innerText, 10)`)
	if after != before+1 {
		t.Errorf("the bell went from %d to %d, want one more", before, after)
	}
	Screenshot(t, phone, "bookings-bell-phone-zh")
	must(t, chromedp.Do(phone, chromedp.Click(`a.bell`), chromedp.WaitVisible(`.inbox`)), "open the bell")
	if got := evaluate[string](t, phone, `location.pathname`); got != "/notifications" {
		t.Errorf("the bell opened %s", got)
	}
	if body := evaluate[string](t, phone, `document.querySelector('.inbox').innerText`); !strings.Contains(body, "预约成功") || !strings.Contains(body, b.Code) {
		t.Errorf("the notifications lack the booking's notice: %q", body)
	}
	noOverflow(t, phone, "the notifications on a phone")
	Screenshot(t, phone, "bookings-bell-notifications-phone-zh")
}
