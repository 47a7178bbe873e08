package volunteers_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// A volunteer objects to published hours and the activity's lead answers on the roster page:
// the lead is told with a link to the roster, the roster counts and shows the objection with
// its keep-the-figure form, refused forms come back with field errors in zh and en, keeping
// the figure redirects to the roster and tells the volunteer, and a second answer is refused.
func TestObjectionOnRoster(t *testing.T) {
	webtest.Each(t, world, func(t *testing.T, a *webtest.App) {
		ctx := context.Background()
		a.Var("att", `SELECT MAX(t.id) FROM vol_attendance t JOIN volunteers v ON v.id = t.volunteer_id JOIN users u ON u.id = v.user_id
			JOIN vol_activities ac ON ac.id = t.activity_id WHERE u.username = 'volunteer' AND t.check_out_at IS NOT NULL AND ac.lead_id IS NOT NULL`)
		a.Var("act", `SELECT activity_id FROM vol_attendance WHERE id = ?`, mustID(t, a.Vars["att"]))
		a.Var("lead", `SELECT u.username FROM vol_activities ac JOIN users u ON u.id = ac.lead_id WHERE ac.id = ?`, mustID(t, a.Vars["act"]))
		if _, err := a.DB.Exec(ctx, `UPDATE vol_attendance SET published_at = ?, objection = '' WHERE id = ?`, time.Now().UnixMilli(), mustID(t, a.Vars["att"])); err != nil {
			t.Fatal(err)
		}
		lead := a.Vars["lead"]
		a.Run(t, []webtest.Scenario{
			{Name: "volunteer objects on the page", User: "volunteer", Method: "POST", URL: "/volunteers/attendance/{att}/objection", Body: "objection=签退时间记录有误", Status: http.StatusSeeOther},
			{Name: "the lead is told, linked to the roster", User: lead, Method: "GET", URL: "/notifications", Status: http.StatusOK,
				Contains: []string{`href="/volunteers/activities/{act}/lead"`, "签退时间记录有误"}},
			{Name: "roster shows the objection to answer", User: lead, Method: "GET", URL: "/volunteers/activities/{act}/lead", Status: http.StatusOK,
				Contains: []string{`id="vol-objections"`, `id="vol-resolve-{att}"`, "签退时间记录有误", "维持原时长"}},
			{Name: "keep without a reason (zh)", User: lead, Method: "POST", URL: "/volunteers/attendance/{att}/resolve", Body: "reason=", Status: http.StatusUnprocessableEntity,
				Contains: []string{"请填写理由（200 字以内）", `aria-invalid="true"`, `id="vol-fix-msg-{att}"`}},
			{Name: "keep without a reason (en)", User: lead, Method: "POST", URL: "/volunteers/attendance/{att}/resolve?lang=en", Body: "reason=", Status: http.StatusUnprocessableEntity,
				Contains: []string{"Give a reason (up to 200 characters).", `aria-invalid="true"`}},
			{Name: "adjust with bad minutes (en)", User: lead, Method: "POST", URL: "/volunteers/attendance/{att}/adjust?lang=en", Body: "minutes=abc&reason=x", Status: http.StatusUnprocessableEntity,
				Contains: []string{"Minutes must be a whole number from 0 to 1440.", `value="abc"`}},
			{Name: "adjust with too many minutes (zh)", User: lead, Method: "POST", URL: "/volunteers/attendance/{att}/adjust", Body: "minutes=5000&reason=x", Status: http.StatusUnprocessableEntity,
				Contains: []string{"时长须为 0 至 1440 之间的整数分钟"}},
			{Name: "another volunteer may not answer", User: "resident", Method: "POST", URL: "/volunteers/attendance/{att}/resolve", Body: "reason=x", Status: http.StatusForbidden},
			{Name: "keep the figure", User: lead, Method: "POST", URL: "/volunteers/attendance/{att}/resolve", Body: "reason=核对签到记录无误", Status: http.StatusSeeOther,
				Location: "/volunteers/activities/{act}/lead"},
			{Name: "answered: no form left", User: lead, Method: "GET", URL: "/volunteers/activities/{act}/lead", Status: http.StatusOK,
				NotContains: []string{`id="vol-resolve-{att}"`, `id="vol-objections"`}},
			{Name: "keep again (zh)", User: lead, Method: "POST", URL: "/volunteers/attendance/{att}/resolve", Body: "reason=x", Status: http.StatusConflict,
				Contains: []string{"该异议已处理"}},
			{Name: "the volunteer is told", User: "volunteer", Method: "GET", URL: "/notifications", Status: http.StatusOK,
				Contains: []string{"异议已处理：维持", "核对签到记录无误"}},
		})
	})
}
