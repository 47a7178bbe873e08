package e2e

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/civicgrid/civicgrid/internal/store"
)

// TestVolunteerObjectionAnsweredOnRoster: 周根宝 (volunteer) objects on his phone to hours in
// their 7-day publication; the activity's lead is told, follows the notice to the roster on a
// desktop, sends the keep-the-figure form empty (refused on its field, in Chinese), then keeps
// the figure with a reason; the roster on a phone in English before the answer.
func TestVolunteerObjectionAnsweredOnRoster(t *testing.T) {
	srv := StartServer(t)
	// The demo's hours may all be past their publication: the volunteer's latest figure is
	// published now (as a check-out does), in the running demo's database.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(srv.DataDir, store.SQLiteFile)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var att, act int64
	var lead string
	if err := db.QueryRow(`SELECT t.id, t.activity_id, lu.username FROM vol_attendance t JOIN volunteers v ON v.id = t.volunteer_id
		JOIN users u ON u.id = v.user_id JOIN vol_activities ac ON ac.id = t.activity_id JOIN users lu ON lu.id = ac.lead_id
		WHERE u.username = 'volunteer' AND t.check_out_at IS NOT NULL ORDER BY t.id DESC LIMIT 1`).Scan(&att, &act, &lead); err != nil {
		t.Fatalf("the volunteer's latest hours: %v", err)
	}
	if _, err := db.Exec(`UPDATE vol_attendance SET published_at = ?, objection = '' WHERE id = ?`, time.Now().UnixMilli(), att); err != nil {
		t.Fatal(err)
	}
	sa, sact := itoa(att), itoa(act)

	phone := NewBrowser(t, 390, 844)
	signIn(t, phone, srv, "volunteer")
	visit(t, phone, srv.URL+"/volunteers", "the volunteer's home")
	form := `form[action="/volunteers/attendance/` + sa + `/objection"]`
	waitFor(t, phone, form, "the objection form of the published hours")
	evaluate[bool](t, phone, `(document.querySelector('`+form+`').closest('details').open = true)`)
	must(t, chromedp.Do(phone, chromedp.SendKeys(form+` input[name=objection]`, "签退时间记录有误，实际服务到 11:30")), "write the objection")
	if _, err := chromedp.RunResponse(phone, chromedp.Click(form+` button`)); err != nil {
		t.Fatalf("send the objection: %v", err)
	}
	waitFor(t, phone, `[data-publicity="objected"]`, "the hours marked objected")
	Screenshot(t, phone, "volunteers-objection-sent-phone-zh")

	desk := NewBrowser(t, 1280, 900)
	signIn(t, desk, srv, lead)
	visit(t, desk, srv.URL+"/notifications", "the lead's notifications")
	link := `a[href="/volunteers/activities/` + sact + `/lead"]`
	waitFor(t, desk, link, "the objection's notice linked to the roster")
	Screenshot(t, desk, "volunteers-objection-notice-desktop-zh")
	must(t, chromedp.Do(desk, chromedp.Click(link), chromedp.WaitVisible(`#vol-resolve-`+sa)), "open the roster from the notice")
	if body := evaluate[string](t, desk, `document.getElementById('vol-roster').innerText`); !strings.Contains(body, "实际服务到 11:30") {
		t.Error("the objection is not on the roster")
	}
	must(t, chromedp.Do(desk, chromedp.ScrollIntoView(`#vol-answer-`+sa)), "scroll to the objection")
	Screenshot(t, desk, "volunteers-roster-objection-desktop-zh")

	leadPhone := NewBrowser(t, 390, 844)
	signIn(t, leadPhone, srv, lead)
	visit(t, leadPhone, srv.URL+"/volunteers/activities/"+sact+"/lead?lang=en", "the roster on a phone")
	waitFor(t, leadPhone, `#vol-resolve-`+sa, "the keep-the-figure form")
	noOverflow(t, leadPhone, "the roster with an objection on a phone")
	must(t, chromedp.Do(leadPhone, chromedp.ScrollIntoView(`#vol-answer-`+sa)), "scroll to the objection")
	Screenshot(t, leadPhone, "volunteers-roster-objection-phone-en")

	// Empty (past the browser's own check, as a script would send it): refused on its field.
	evaluate[bool](t, desk, `document.getElementById('vol-resolve-`+sa+`').noValidate = true`)
	if _, err := chromedp.RunResponse(desk, chromedp.Click(`#vol-resolve-`+sa+` button`)); err != nil {
		t.Fatalf("keep without a reason: %v", err)
	}
	waitFor(t, desk, `#vol-fix-msg-`+sa, "the field's error")
	if msg := evaluate[string](t, desk, `document.getElementById('vol-fix-msg-`+sa+`').innerText`); !strings.Contains(msg, "请填写理由") {
		t.Errorf("the field's error: %q", msg)
	}
	if f := evaluate[string](t, desk, `document.querySelector('.error[role=alert]').dataset.field`); f != "reason" {
		t.Errorf("refused on field %q", f)
	}
	must(t, chromedp.Do(desk, chromedp.ScrollIntoView(`#vol-answer-`+sa)), "scroll to the refused form")
	Screenshot(t, desk, "volunteers-roster-objection-refused-zh")
	must(t, chromedp.Do(desk, chromedp.SendKeys(`#vol-resolve-`+sa+` input[name=reason]`, "核对签到二维码记录，签退时间无误")), "give the reason")
	if _, err := chromedp.RunResponse(desk, chromedp.Click(`#vol-resolve-`+sa+` button`)); err != nil {
		t.Fatalf("keep the figure: %v", err)
	}
	waitFor(t, desk, "#vol-roster", "back on the roster")
	if flash := evaluate[string](t, desk, `(document.querySelector('.flash') || {}).innerText || ''`); !strings.Contains(flash, "已维持原时长") {
		t.Errorf("after keeping the figure: %q", flash)
	}
	if evaluate[bool](t, desk, `!!document.getElementById('vol-resolve-`+sa+`')`) {
		t.Error("the objection is still open on the roster")
	}
	Screenshot(t, desk, "volunteers-roster-objection-answered-zh")

	visit(t, phone, srv.URL+"/notifications", "the volunteer's notifications")
	if body := evaluate[string](t, phone, `document.body.innerText`); !strings.Contains(body, "异议已处理") {
		t.Error("the volunteer is not told of the answer")
	}
	Screenshot(t, phone, "volunteers-objection-answered-phone-zh")
}
