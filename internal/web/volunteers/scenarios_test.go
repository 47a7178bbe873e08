package volunteers_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/volunteers"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// world is the demo world with the volunteer demo.
func world(ctx context.Context, db *store.DB, _ string) error {
	_, err := demo.Load(ctx, db, slog.New(slog.DiscardHandler), demo.Volunteers(time.Now()))
	return err
}

// validID is a resident ID number with a correct check digit; badID the same with a wrong one.
var (
	validID = func() string { f := "31010519900307123"; return f + string(volunteers.ResidentIDCheck(f)) }()
	badID   = validID[:17] + map[bool]string{true: "1", false: "2"}[validID[17] != '1']
)

// The volunteer routes: the happy path, forbidden, not found and bad input of each, and the
// privacy of ID numbers (masked everywhere, whole only to admin/dispatcher on request, audited).
func TestVolunteerScenarios(t *testing.T) {
	webtest.Each(t, world, func(t *testing.T, a *webtest.App) {
		ctx := context.Background()
		a.Var("today", `SELECT id FROM vol_activities WHERE title = ?`, demo.VolunteerToday)
		a.Var("role", `SELECT MIN(r.id) FROM vol_roles r JOIN vol_activities a ON a.id = r.activity_id WHERE a.title = ?`, demo.VolunteerToday)
		a.Var("genbao", `SELECT v.id FROM volunteers v JOIN users u ON u.id = v.user_id WHERE u.username = 'volunteer'`)
		a.Var("number", `SELECT v.number FROM volunteers v JOIN users u ON u.id = v.user_id WHERE u.username = 'volunteer'`)
		a.Var("pending", `SELECT MIN(id) FROM volunteers WHERE status = 'pending'`)
		a.Var("cert", `SELECT c.number FROM vol_certificates c JOIN volunteers v ON v.id = c.volunteer_id JOIN users u ON u.id = v.user_id WHERE u.username = 'volunteer'`)
		a.Var("other_cert", `SELECT MIN(c.number) FROM vol_certificates c JOIN volunteers v ON v.id = c.volunteer_id WHERE v.user_id IS NULL`)
		a.Var("attendance", `SELECT MIN(id) FROM vol_attendance`)
		c, err := volunteers.New(a.DB).Certificate(ctx, []string{"310105102"}, a.Vars["cert"])
		if err != nil {
			t.Fatal(err)
		}
		a.Vars["code"] = c.Code
		a.Run(t, []webtest.Scenario{
			{Name: "projects", User: "resident", Method: "GET", URL: "/api/v1/volunteers/projects", Status: http.StatusOK, Contains: []string{"泾彩悦读", "文明保畅"}},
			{Name: "projects of another town", User: "lujiazui_admin", Method: "GET", URL: "/api/v1/volunteers/projects", Status: http.StatusOK, NotContains: []string{"泾彩悦读"}},
			{Name: "add project without volunteers:manage", User: "gridworker", Method: "POST", URL: "/api/v1/volunteers/projects", Body: `{"name": "x"}`, Status: http.StatusForbidden},
			{Name: "add project", User: "admin", Method: "POST", URL: "/api/v1/volunteers/projects", Body: `{"name": "场景项目"}`, Status: http.StatusCreated, Contains: []string{"场景项目"}},
			{Name: "add project twice", User: "admin", Method: "POST", URL: "/api/v1/volunteers/projects", Body: `{"name": "场景项目"}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"name"`}},
			{Name: "list volunteers without manage", User: "gridworker", Method: "GET", URL: "/api/v1/volunteers", Status: http.StatusForbidden, Contains: []string{"volunteers:manage"}},
			{Name: "list volunteers", User: "dispatcher", Method: "GET", URL: "/api/v1/volunteers?status=approved", Status: http.StatusOK, Contains: []string{"{number}", "***"}, NotContains: []string{"id_sealed", "id_hash"}},
			{Name: "register with a wrong check digit", User: "resident", Method: "POST", URL: "/api/v1/volunteers",
				Body: `{"name": "场景居民", "id_type": "resident_id", "id_number": "` + badID + `", "phone": "13800001111"}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"id_number"`}},
			{Name: "register", User: "resident", Method: "POST", URL: "/api/v1/volunteers",
				Body: `{"name": "场景居民", "id_type": "resident_id", "id_number": "` + validID + `", "phone": "13800001111", "skills": "摄影"}`, Status: http.StatusCreated,
				Contains: []string{"pending", validID[:3] + "*"}, NotContains: []string{validID}},
			{Name: "register twice", User: "resident", Method: "POST", URL: "/api/v1/volunteers",
				Body: `{"name": "场景居民", "id_type": "resident_id", "id_number": "` + validID + `", "phone": "13800001111"}`, Status: http.StatusConflict},
			{Name: "register without volunteers:register", User: "gridworker", Method: "POST", URL: "/api/v1/volunteers", Body: `{"name": "x"}`, Status: http.StatusForbidden},
			{Name: "unknown field", User: "resident", Method: "POST", URL: "/api/v1/volunteers", Body: `{"colour": "red"}`, Status: http.StatusBadRequest},
			{Name: "me", User: "volunteer", Method: "GET", URL: "/api/v1/volunteers/me", Status: http.StatusOK, Contains: []string{"周根宝", "{number}", "certificates"}},
			{Name: "me not registered", User: "deputy", Method: "GET", URL: "/api/v1/volunteers/me", Status: http.StatusForbidden},
			{Name: "one volunteer masked", User: "admin", Method: "GET", URL: "/api/v1/volunteers/{genbao}", Status: http.StatusOK, Contains: []string{"id_masked"}, NotContains: []string{`"id_number"`}},
			{Name: "one volunteer of another town", User: "lujiazui_admin", Method: "GET", URL: "/api/v1/volunteers/{genbao}", Status: http.StatusNotFound},
			{Name: "one volunteer bad id", User: "admin", Method: "GET", URL: "/api/v1/volunteers/x", Status: http.StatusBadRequest},
			{Name: "reveal ID without manage", User: "leader", Method: "GET", URL: "/api/v1/volunteers/{genbao}?reveal=id_number", Status: http.StatusForbidden},
			{Name: "reveal ID", User: "dispatcher", Method: "GET", URL: "/api/v1/volunteers/{genbao}?reveal=id_number", Status: http.StatusOK, Contains: []string{`"id_number":"310105`}},
			{Name: "decide bad input", User: "dispatcher", Method: "POST", URL: "/api/v1/volunteers/{pending}/decision", Body: `{"approve": false, "reason": ""}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"reason"`}},
			{Name: "approve", User: "dispatcher", Method: "POST", URL: "/api/v1/volunteers/{pending}/decision", Body: `{"approve": true}`, Status: http.StatusOK, Contains: []string{"approved", "310105102-"}},
			{Name: "approve again", User: "dispatcher", Method: "POST", URL: "/api/v1/volunteers/{pending}/decision", Body: `{"approve": true}`, Status: http.StatusConflict},
			{Name: "decide not found", User: "dispatcher", Method: "POST", URL: "/api/v1/volunteers/999999999/decision", Body: `{"approve": true}`, Status: http.StatusNotFound},
			{Name: "record", User: "admin", Method: "POST", URL: "/api/v1/volunteers/{genbao}/records", Body: `{"kind": "training", "title": "急救培训", "day": "2026-05-01"}`, Status: http.StatusCreated},
			{Name: "record bad kind", User: "admin", Method: "POST", URL: "/api/v1/volunteers/{genbao}/records", Body: `{"kind": "x", "title": "急救培训", "day": "2026-05-01"}`, Status: http.StatusUnprocessableEntity},
			{Name: "activities", User: "volunteer", Method: "GET", URL: "/api/v1/volunteer-activities", Status: http.StatusOK, Contains: []string{demo.VolunteerToday}},
			{Name: "activities bad date", User: "volunteer", Method: "GET", URL: "/api/v1/volunteer-activities?from=yesterday", Status: http.StatusBadRequest},
			{Name: "activity", User: "resident", Method: "GET", URL: "/api/v1/volunteer-activities/{today}", Status: http.StatusOK, Contains: []string{"服务岗"}},
			{Name: "activity not found", User: "resident", Method: "GET", URL: "/api/v1/volunteer-activities/999999999", Status: http.StatusNotFound},
			{Name: "create activity bad input", User: "admin", Method: "POST", URL: "/api/v1/volunteer-activities",
				Body:   `{"project_id": 1, "title": "x", "place": "y", "start": "2026-06-01T09:00:00+08:00", "end": "2026-06-01T08:00:00+08:00", "roles": [{"name": "a", "places": 2}]}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"end"`}},
			{Name: "create activity without manage", User: "volunteer", Method: "POST", URL: "/api/v1/volunteer-activities", Body: `{}`, Status: http.StatusForbidden},
			{Name: "sign up without register", User: "gridworker", Method: "POST", URL: "/api/v1/volunteer-activities/{today}/signup", Body: `{"role_id": {role}}`, Status: http.StatusForbidden},
			{Name: "sign up for a role of another activity", User: "volunteer", Method: "POST", URL: "/api/v1/volunteer-activities/{today}/signup", Body: `{"role_id": 1}`, Status: http.StatusUnprocessableEntity},
			{Name: "sign up", User: "volunteer", Method: "POST", URL: "/api/v1/volunteer-activities/{today}/signup", Body: `{"role_id": {role}}`, Status: http.StatusCreated, Contains: []string{`"state":"confirmed"`}},
			{Name: "sign up twice", User: "volunteer", Method: "POST", URL: "/api/v1/volunteer-activities/{today}/signup", Body: `{"role_id": {role}}`, Status: http.StatusConflict},
			{Name: "scan with a forged code", User: "volunteer", Method: "POST", URL: "/api/v1/volunteer-activities/{today}/scan", Body: `{"code": "abc.def"}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"code"`}},
			{Name: "code not the lead", User: "volunteer", Method: "GET", URL: "/api/v1/volunteer-activities/{today}/code", Status: http.StatusForbidden},
			{Name: "code", User: "gridworker", Method: "GET", URL: "/api/v1/volunteer-activities/{today}/code", Status: http.StatusOK, Contains: []string{"/volunteers/checkin?a={today}"}},
			{Name: "roster", User: "gridworker", Method: "GET", URL: "/api/v1/volunteer-activities/{today}/roster", Status: http.StatusOK, Contains: []string{"周根宝", "****"}},
			{Name: "roster without lead", User: "resident", Method: "GET", URL: "/api/v1/volunteer-activities/{today}/roster", Status: http.StatusForbidden},
			{Name: "walk-in unknown number", User: "gridworker", Method: "POST", URL: "/api/v1/volunteer-activities/{today}/walk-ins", Body: `{"number": "nobody"}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"number"`}},
			{Name: "adjust without reason", User: "admin", Method: "POST", URL: "/api/v1/volunteer-attendance/{attendance}/adjust", Body: `{"minutes": 60, "reason": ""}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"reason"`}},
			{Name: "adjust not the lead", User: "volunteer", Method: "POST", URL: "/api/v1/volunteer-attendance/{attendance}/adjust", Body: `{"minutes": 60, "reason": "x"}`, Status: http.StatusForbidden},
			{Name: "adjust not found", User: "admin", Method: "POST", URL: "/api/v1/volunteer-attendance/999999999/adjust", Body: `{"minutes": 60, "reason": "x"}`, Status: http.StatusNotFound},
			{Name: "check-out for an attendance checked out", User: "admin", Method: "POST", URL: "/api/v1/volunteer-attendance/{attendance}/check-out", Body: `{"at": "2026-01-01T10:00:00+08:00", "reason": "x"}`, Status: http.StatusConflict},
			{Name: "cancel sign-up", User: "volunteer", Method: "DELETE", URL: "/api/v1/volunteer-activities/{today}/signup", Status: http.StatusNoContent},
			{Name: "cancel sign-up again", User: "volunteer", Method: "DELETE", URL: "/api/v1/volunteer-activities/{today}/signup", Status: http.StatusNotFound},
			{Name: "issue certificate bad period", User: "admin", Method: "POST", URL: "/api/v1/volunteer-certificates", Body: `{"volunteer_id": {genbao}, "from": "2026-05-01", "to": "2026-04-01"}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"to"`}},
			{Name: "issue certificate without manage", User: "volunteer", Method: "POST", URL: "/api/v1/volunteer-certificates", Body: `{"volunteer_id": {genbao}, "from": "2020-01-01", "to": "2030-01-01"}`, Status: http.StatusForbidden},
			{Name: "issue certificate", User: "admin", Method: "POST", URL: "/api/v1/volunteer-certificates", Body: `{"volunteer_id": {genbao}, "from": "2020-01-01", "to": "2030-01-01"}`, Status: http.StatusCreated, Contains: []string{"verify_url", "周根宝"}},
			{Name: "verify", Method: "GET", URL: "/api/v1/volunteer-certificates/verify?n={cert}&c={code}", Status: http.StatusOK, Contains: []string{`"genuine":true`, "{number}"}, NotContains: []string{"周根宝"}},
			{Name: "verify forged code", Method: "GET", URL: "/api/v1/volunteer-certificates/verify?n={cert}&c=AAAAAAAAAAAA", Status: http.StatusNotFound},
			{Name: "verify another number with this code", Method: "GET", URL: "/api/v1/volunteer-certificates/verify?n={other_cert}&c={code}", Status: http.StatusNotFound},
			{Name: "stats", User: "dispatcher", Method: "GET", URL: "/api/v1/volunteers/stats", Status: http.StatusOK, Contains: []string{"泾彩悦读", "registered"}},
			{Name: "stats bad year", User: "dispatcher", Method: "GET", URL: "/api/v1/volunteers/stats?year=x", Status: http.StatusBadRequest},
			{Name: "stats without manage", User: "leader", Method: "GET", URL: "/api/v1/volunteers/stats", Status: http.StatusForbidden},

			{Name: "page home", User: "volunteer", Method: "GET", URL: "/volunteers", Status: http.StatusOK, Contains: []string{"周根宝", "{number}", "vol-hours-chart"}},
			{Name: "page home registration pending", User: "resident", Method: "GET", URL: "/volunteers", Status: http.StatusOK, Contains: []string{"场景居民", "待审核"}},
			{Name: "page home staff", User: "gridworker", Method: "GET", URL: "/volunteers", Status: http.StatusOK, Contains: []string{"我带队的活动"}},
			{Name: "page register bad ID", User: "resident", Method: "POST", URL: "/volunteers/register", Body: "name=x&id_type=resident_id&id_number=" + badID + "&phone=13800001111", Status: http.StatusUnprocessableEntity, Contains: []string{`data-field="id_number"`}},
			{Name: "page activities", User: "resident", Method: "GET", URL: "/volunteers/activities", Status: http.StatusOK, Contains: []string{demo.VolunteerToday, "vol-map"}},
			{Name: "page activity", User: "volunteer", Method: "GET", URL: "/volunteers/activities/{today}", Status: http.StatusOK, Contains: []string{"服务岗", "vol-signup"}},
			{Name: "page activity not found", User: "volunteer", Method: "GET", URL: "/volunteers/activities/999999999", Status: http.StatusNotFound},
			{Name: "page sign up", User: "volunteer", Method: "POST", URL: "/volunteers/activities/{today}/signup", Body: "role_id={role}", Status: http.StatusSeeOther, Location: "/volunteers/activities/{today}"},
			{Name: "page scan forged", User: "volunteer", Method: "POST", URL: "/volunteers/activities/{today}/scan", Body: "code=abc.def", Status: http.StatusUnprocessableEntity},
			{Name: "page check-in", User: "volunteer", Method: "GET", URL: "/volunteers/checkin?a={today}&c=abc.def", Status: http.StatusOK, Contains: []string{"vol-scan-button"}},
			{Name: "page check-in bad", User: "volunteer", Method: "GET", URL: "/volunteers/checkin?a=x&c=abc", Status: http.StatusBadRequest},
			{Name: "page lead", User: "gridworker", Method: "GET", URL: "/volunteers/activities/{today}/lead", Status: http.StatusOK, Contains: []string{"vol-qr", "周根宝", "vol-walkin-form"}},
			{Name: "page lead not the lead", User: "volunteer", Method: "GET", URL: "/volunteers/activities/{today}/lead", Status: http.StatusForbidden},
			{Name: "code image", User: "gridworker", Method: "GET", URL: "/volunteers/activities/{today}/code.svg", Status: http.StatusOK, Contains: []string{"<svg", "<path"}},
			{Name: "page walk-in bad", User: "gridworker", Method: "POST", URL: "/volunteers/activities/{today}/walk-in", Body: "number=nobody", Status: http.StatusUnprocessableEntity},
			{Name: "page adjust bad minutes", User: "admin", Method: "POST", URL: "/volunteers/attendance/{attendance}/adjust", Body: "minutes=x&reason=y", Status: http.StatusUnprocessableEntity},
			{Name: "page adjust", User: "admin", Method: "POST", URL: "/volunteers/attendance/{attendance}/adjust", Body: "minutes=75&reason=补录协助时长", Status: http.StatusSeeOther},
			{Name: "page check-out bad time", User: "admin", Method: "POST", URL: "/volunteers/attendance/{attendance}/check-out", Body: "at=x&reason=y", Status: http.StatusUnprocessableEntity},
			{Name: "page manage", User: "admin", Method: "GET", URL: "/volunteers/manage", Status: http.StatusOK, Contains: []string{"场景居民", "泾彩悦读", "TTTTTTTTT-YYYY-NNNNN"}},
			{Name: "page manage without manage", User: "gridworker", Method: "GET", URL: "/volunteers/manage", Status: http.StatusForbidden},
			{Name: "page decide", User: "admin", Method: "POST", URL: "/volunteers/manage/decide/999999999", Body: "decision=approve", Status: http.StatusNotFound},
			{Name: "page project bad", User: "admin", Method: "POST", URL: "/volunteers/manage/projects", Body: "name=", Status: http.StatusUnprocessableEntity},
			{Name: "page activity bad", User: "admin", Method: "POST", URL: "/volunteers/manage/activities", Body: "project_id=1&title=x&start=bad", Status: http.StatusUnprocessableEntity},
			{Name: "page person", User: "dispatcher", Method: "GET", URL: "/volunteers/people/{genbao}", Status: http.StatusOK, Contains: []string{"周根宝", "vol-reveal"}},
			{Name: "page person revealed", User: "dispatcher", Method: "GET", URL: "/volunteers/people/{genbao}?reveal=id_number", Status: http.StatusOK, NotContains: []string{"vol-reveal"}},
			{Name: "page record bad", User: "admin", Method: "POST", URL: "/volunteers/people/{genbao}/records", Body: "kind=award&title=&day=2026-01-01", Status: http.StatusUnprocessableEntity},
			{Name: "page issue", User: "admin", Method: "POST", URL: "/volunteers/people/{genbao}/certificates", Body: "from=2020-01-01&to=2030-12-31", Status: http.StatusSeeOther, Location: "/volunteers/certificates/"},
			{Name: "page stats", User: "admin", Method: "GET", URL: "/volunteers/stats", Status: http.StatusOK, Contains: []string{"vol-projects-chart", "泾彩悦读"}},
			{Name: "page export", User: "dispatcher", Method: "GET", URL: "/volunteers/stats/export", Status: http.StatusOK},
			{Name: "page certificate own", User: "volunteer", Method: "GET", URL: "/volunteers/certificates/{cert}", Status: http.StatusOK, Contains: []string{"{cert}", "vol-verify-link", "新泾镇向“新”力志愿服务联盟"}},
			{Name: "page certificate of someone else", User: "resident", Method: "GET", URL: "/volunteers/certificates/{cert}", Status: http.StatusNotFound},
			{Name: "page verify", Method: "GET", URL: "/volunteers/verify?n={cert}&c={code}", Status: http.StatusOK, Contains: []string{"证明真实有效", "{number}"}, NotContains: []string{"周根宝"}},
			{Name: "page verify forged", Method: "GET", URL: "/volunteers/verify?n={cert}&c=AAAAAAAAAAAA", Status: http.StatusNotFound, Contains: []string{`data-genuine="0"`}},
			{Name: "verify QR", Method: "GET", URL: "/volunteers/verify/qr.svg?n={cert}&c={code}", Status: http.StatusOK, Contains: []string{"<svg"}},
			{Name: "verify QR forged", Method: "GET", URL: "/volunteers/verify/qr.svg?n={cert}&c=AAAAAAAAAAAA", Status: http.StatusNotFound},
		})
		// Privacy: the reveals and the export wrote their audit rows; no page showed a whole ID
		// number to the lead.
		var reveals, exports int
		if err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal_data' AND entity = 'volunteer' AND actor = 'dispatcher' AND detail LIKE ?`, "%id_number%").Scan(&reveals); err != nil || reveals != 2 {
			t.Errorf("%d audit rows for the two ID reveals, %v", reveals, err)
		}
		if err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND entity = 'volunteer'`).Scan(&exports); err != nil || exports != 1 {
			t.Errorf("%d export audit rows, %v", exports, err)
		}
		id, err := volunteers.New(a.DB).IDNumber(ctx, []string{"310105102"}, mustID(t, a.Vars["genbao"]))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/volunteers/activities/" + a.Vars["today"] + "/lead", "/api/v1/volunteer-activities/" + a.Vars["today"] + "/roster", "/volunteers"} {
			_, body := a.Get("gridworker", path)
			if strings.Contains(body, id) {
				t.Errorf("%s shows a whole ID number to the lead", path)
			}
		}
		_, body := a.Get("volunteer", "/volunteers/certificates/"+a.Vars["cert"])
		if strings.Contains(body, id) || !strings.Contains(body, volunteers.MaskID(id)) {
			t.Errorf("the certificate shows %v the whole ID / lacks the masked one", strings.Contains(body, id))
		}
	})
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	for _, c := range s {
		n = n*10 + int64(c-'0')
	}
	return n
}
