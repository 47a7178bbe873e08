package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The demo's activity under way (internal/demo.VolunteerToday), led by gridworker.
const volunteerToday = "泾彩悦读 · 社区共读日"

// volunteerActivityID finds today's demo activity through the API of a signed-in page.
func volunteerActivityID(t *testing.T, ctx context.Context) (int64, int64) {
	t.Helper()
	var list struct {
		Activities []struct {
			ID    int64  `json:"id"`
			Title string `json:"title"`
			Roles []struct {
				ID int64 `json:"id"`
			} `json:"roles"`
		} `json:"activities"`
	}
	if code := apiFetch(t, ctx, "GET", "/api/v1/volunteer-activities?from="+time.Now().Format("2006-01-02"), "", &list); code != 200 {
		t.Fatalf("GET activities = %d", code)
	}
	for _, a := range list.Activities {
		if a.Title == volunteerToday {
			return a.ID, a.Roles[0].ID
		}
	}
	t.Fatalf("no demo activity %q", volunteerToday)
	return 0, 0
}

// leadCheckInURL opens the lead's page on a phone and reads the check-in link its rotating QR
// code carries (the link the QR image encodes).
func leadCheckInURL(t *testing.T, lead context.Context, base string, id string, shot string) string {
	t.Helper()
	visit(t, lead, base+"/volunteers/activities/"+id+"/lead", "the lead's page")
	must(t, chromedp.Do(lead, chromedp.WaitVisible(`#vol-qr`)), "the QR code")
	// The QR image loaded (an SVG of the same link).
	if _, err := chromedp.Run(lead, chromedp.Poll[bool](`document.getElementById('vol-qr').complete && document.getElementById('vol-qr').naturalWidth > 0`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the QR image: %v", err)
	}
	Screenshot(t, lead, shot)
	link := evaluate[string](t, lead, `document.getElementById('vol-checkin-url').href`)
	u, err := url.Parse(link)
	if err != nil || u.Path != "/volunteers/checkin" || u.Query().Get("c") == "" {
		t.Fatalf("check-in link %q", link)
	}
	return link
}

// TestVolunteerSignUpCheckInByQR: 周根宝 signs up on a phone (390 px) for the activity under way,
// checks in by the code the lead's phone shows (the test reads the link from the lead's page and
// opens it on the volunteer's phone), waits a minute, checks out by the next code and gets the
// minutes from his actual attendance; in Chinese and then in English. A code link a minute and a
// half old no longer checks anyone in.
func TestVolunteerSignUpCheckInByQR(t *testing.T) {
	srv := StartServer(t)
	phone := NewBrowser(t, 390, 844)
	signIn(t, phone, srv, "volunteer")
	lead := NewBrowser(t, 390, 844)
	signIn(t, lead, srv, "gridworker")
	id, _ := volunteerActivityID(t, phone)
	sid := itoa(id)

	// Sign up on the phone.
	visit(t, phone, srv.URL+"/volunteers/activities/"+sid, "the activity page")
	must(t, chromedp.Do(phone, chromedp.WaitVisible(`.vol-signup`)), "the sign-up button")
	Screenshot(t, phone, "volunteers-phone-activity-zh")
	must(t, chromedp.Do(phone, chromedp.Click(`.vol-signup`), chromedp.WaitVisible(`#vol-mine`)), "sign up")
	if got := evaluate[string](t, phone, `document.getElementById('vol-mine').innerText`); !strings.Contains(got, "已报名") {
		t.Fatalf("after sign-up: %q", got)
	}

	// Check in with the code read from the lead's page.
	link := leadCheckInURL(t, lead, srv.URL, sid, "volunteers-lead-qr-zh")
	visit(t, phone, link, "open the check-in link")
	must(t, chromedp.Do(phone, chromedp.WaitVisible(`#vol-scan-button`)), "the check-in page")
	Screenshot(t, phone, "volunteers-phone-checkin-zh")
	must(t, chromedp.Do(phone, chromedp.Click(`#vol-scan-button`), chromedp.WaitVisible(`#vol-my-attendance`)), "check in")
	flash := evaluate[string](t, phone, `(document.querySelector('.flash') || {}).innerText || ''`)
	if !strings.Contains(flash, "签到成功") {
		t.Fatalf("check-in answer %q", flash)
	}
	Screenshot(t, phone, "volunteers-phone-checked-in-zh")
	checkedIn := time.Now()

	// The lead's roster shows him checked in.
	visit(t, lead, srv.URL+"/volunteers/activities/"+sid+"/lead", "the lead's roster")
	if got := evaluate[string](t, lead, `document.getElementById('vol-roster').innerText`); !strings.Contains(got, "周根宝") || !strings.Contains(got, "已签到") {
		t.Errorf("lead's roster: %q", got)
	}
	Screenshot(t, lead, "volunteers-lead-roster-zh")

	// A minute of service later (fresh browsers: each has 90 s), check out by the new code, in English.
	time.Sleep(time.Until(checkedIn.Add(62 * time.Second)))
	phone2 := NewBrowser(t, 390, 844)
	signIn(t, phone2, srv, "volunteer")
	lead2 := NewBrowser(t, 390, 844)
	signIn(t, lead2, srv, "gridworker")
	visit(t, lead2, srv.URL+"/volunteers?lang=en", "English")
	link2 := leadCheckInURL(t, lead2, srv.URL, sid, "volunteers-lead-qr-en")
	if link2 == link {
		t.Errorf("the code did not rotate in a minute: %s", link)
	}
	// The old link is refused.
	visit(t, phone2, srv.URL+"/volunteers?lang=en", "English")
	visit(t, phone2, link, "the old link")
	must(t, chromedp.Do(phone2, chromedp.Click(`#vol-scan-button`), chromedp.WaitVisible(`.error[role=alert]`)), "the old code")
	if field := evaluate[string](t, phone2, `document.querySelector('.error[role=alert]').dataset.field`); field != "code" {
		t.Errorf("old code refused on field %q", field)
	}
	visit(t, phone2, link2, "the new link")
	must(t, chromedp.Do(phone2, chromedp.WaitVisible(`#vol-scan-button`)), "the check-out page")
	if got := evaluate[string](t, phone2, `document.getElementById('vol-scan-button').innerText`); !strings.Contains(got, "Check out") {
		t.Errorf("second scan offers %q, want a check-out", got)
	}
	Screenshot(t, phone2, "volunteers-phone-checkout-en")
	must(t, chromedp.Do(phone2, chromedp.Click(`#vol-scan-button`), chromedp.WaitVisible(`#vol-my-minutes`)), "check out")
	minutes := evaluate[string](t, phone2, `document.getElementById('vol-my-minutes').dataset.minutes`)
	if minutes != "1" && minutes != "2" {
		t.Errorf("minutes after a minute of service: %q", minutes)
	}
	if flash := evaluate[string](t, phone2, `(document.querySelector('.flash') || {}).innerText || ''`); !strings.Contains(flash, "Checked out") {
		t.Errorf("check-out answer %q", flash)
	}
	Screenshot(t, phone2, "volunteers-phone-checked-out-en")

	// His home: the new minutes are shown in their 7-day publication (公示), not yet in his total.
	var me struct {
		Volunteer struct {
			Minutes int64 `json:"minutes"`
		} `json:"volunteer"`
	}
	if code := apiFetch(t, phone2, "GET", "/api/v1/volunteers/me", "", &me); code != 200 || me.Volunteer.Minutes < 1 {
		t.Errorf("me = %d, %+v", code, me)
	}
	visit(t, phone2, srv.URL+"/volunteers", "home")
	must(t, chromedp.Do(phone2, chromedp.WaitVisible(`#vol-hours-chart svg`)), "the hours chart")
	if !evaluate[bool](t, phone2, `!!document.querySelector('[data-publicity="pending"]')`) {
		t.Error("the new attendance is not shown in its publication")
	}
	Screenshot(t, phone2, "volunteers-phone-home-en")
	visit(t, phone2, srv.URL+"/volunteers?lang=zh", "home zh")
	must(t, chromedp.Do(phone2, chromedp.WaitVisible(`#vol-hours-chart svg`)), "the hours chart")
	Screenshot(t, phone2, "volunteers-phone-home-zh")
}

// TestVolunteerStaffPages: the staff's pages and a certificate on a desktop and its public
// verification on a phone, zh and en; a forged link is refused.
func TestVolunteerStaffPages(t *testing.T) {
	srv, desk := signedIn(t, "admin", 1280, 900)
	visit(t, desk, srv.URL+"/volunteers/stats", "stats")
	must(t, chromedp.Do(desk, chromedp.WaitVisible(`#vol-projects-chart svg`)), "the projects chart")
	Screenshot(t, desk, "volunteers-stats-zh")
	visit(t, desk, srv.URL+"/volunteers/manage?lang=en", "manage")
	Screenshot(t, desk, "volunteers-manage-en")
	visit(t, desk, srv.URL+"/volunteers/activities?lang=zh", "activities")
	must(t, chromedp.Do(desk, chromedp.WaitVisible(`body[data-map-ready]`)), "the map")
	Screenshot(t, desk, "volunteers-activities-zh")
	href := evaluate[string](t, desk, `(document.querySelector('#vol-volunteers a, a[href^="/volunteers/certificates/"]') || {}).href || ''`)
	if href == "" {
		visit(t, desk, srv.URL+"/volunteers/manage", "manage")
		href = evaluate[string](t, desk, `(document.querySelector('a[href^="/volunteers/certificates/"]') || {}).href || ''`)
	}
	if href == "" {
		t.Fatal("no certificate link on the manage page")
	}
	visit(t, desk, href, "a certificate")
	must(t, chromedp.Do(desk, chromedp.WaitVisible(`#vol-cert-qr`)), "the certificate")
	Screenshot(t, desk, "volunteers-certificate-zh")
	verify := evaluate[string](t, desk, `document.getElementById('vol-verify-link').href`)
	phone := NewBrowser(t, 390, 844)
	visit(t, phone, verify, "verify anonymously")
	if g := evaluate[string](t, phone, `document.getElementById('vol-verify-result').dataset.genuine`); g != "1" {
		t.Errorf("genuine certificate verified as %q", g)
	}
	Screenshot(t, phone, "volunteers-verify-phone-zh")
	forged := strings.Replace(verify, "&c=", "&c=X", 1)
	visit(t, phone, forged+"&lang=en", "verify forged")
	if g := evaluate[string](t, phone, `document.getElementById('vol-verify-result').dataset.genuine`); g != "0" {
		t.Errorf("forged certificate verified as %q", g)
	}
	Screenshot(t, phone, "volunteers-verify-forged-en")
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
