package volunteers_test

import (
	"strconv"
	"time"

	"context"
	"encoding/json"
	"github.com/civicgrid/civicgrid/internal/workcal"
	"net/http"
	"net/url"
	"testing"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/volunteers"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// Editing and cancelling an activity, by its lead (the demo's gridworker leads today's) through
// the API and the page: who may, places below those taken refused on the role's field, the
// audit rows.
func TestActivityEditScenarios(t *testing.T) {
	webtest.Each(t, world, func(t *testing.T, a *webtest.App) {
		ctx := context.Background()
		a.Var("today", `SELECT id FROM vol_activities WHERE title = ?`, demo.VolunteerToday)
		act, err := volunteers.New(a.DB).Activity(ctx, []string{"310105102"}, mustID(t, a.Vars["today"]))
		if err != nil {
			t.Fatal(err)
		}
		e := volunteers.EditOf(act)
		e.Title = act.Title + "（已更新）"
		good, _ := json.Marshal(e)
		e = volunteers.EditOf(act)
		e.Roles[0].Places = 0
		zero, _ := json.Marshal(e)
		form := func(places string) string {
			v := url.Values{"title": {act.Title}, "start": {act.Start.In(loc()).Format("2006-01-02T15:04")}, "end": {act.End.In(loc()).Format("2006-01-02T15:04")},
				"place": {"新泾镇社区文化活动中心二楼"}, "radius_m": {"300"}}
			if act.Lat != nil {
				v.Set("lat", fmtF(*act.Lat))
				v.Set("lng", fmtF(*act.Lng))
			}
			for i, r := range act.Roles {
				p := itoa(r.Places)
				if i == 0 {
					p = places
				}
				v.Add("role_id", itoa64(r.ID))
				v.Add("role_name", r.Name)
				v.Add("role_places", p)
				v.Add("role_requirements", r.Requirements)
			}
			v.Add("role_id", "")
			v.Add("role_name", "场景新岗位")
			v.Add("role_places", "2")
			v.Add("role_requirements", "")
			return v.Encode()
		}
		taken := act.Roles[0].Taken
		a.Run(t, []webtest.Scenario{
			{Name: "edit not the lead", User: "volunteer", Method: "PUT", URL: "/api/v1/volunteer-activities/{today}", Body: string(good), Status: http.StatusForbidden},
			{Name: "edit unknown field", User: "gridworker", Method: "PUT", URL: "/api/v1/volunteer-activities/{today}", Body: `{"colour": "red"}`, Status: http.StatusBadRequest},
			{Name: "edit zero places", User: "gridworker", Method: "PUT", URL: "/api/v1/volunteer-activities/{today}", Body: string(zero), Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"roles[0].places"`}},
			{Name: "edit not found", User: "admin", Method: "PUT", URL: "/api/v1/volunteer-activities/999999999", Body: string(good), Status: http.StatusNotFound},
			{Name: "edit", User: "gridworker", Method: "PUT", URL: "/api/v1/volunteer-activities/{today}", Body: string(good), Status: http.StatusOK, Contains: []string{"（已更新）"}},
			{Name: "page edit", User: "gridworker", Method: "GET", URL: "/volunteers/activities/{today}/edit", Status: http.StatusOK, Contains: []string{"vol-edit-form", "（已更新）", "vol-cancel-activity"}},
			{Name: "page edit not the lead", User: "volunteer", Method: "GET", URL: "/volunteers/activities/{today}/edit", Status: http.StatusForbidden},
			{Name: "page edit without lead permission", User: "deputy", Method: "GET", URL: "/volunteers/activities/{today}/edit", Status: http.StatusForbidden},
			{Name: "page activity shows the edit link to the lead", User: "gridworker", Method: "GET", URL: "/volunteers/activities/{today}", Status: http.StatusOK, Contains: []string{"vol-edit-link"}},
			{Name: "page activity hides it from others", User: "volunteer", Method: "GET", URL: "/volunteers/activities/{today}", Status: http.StatusOK, NotContains: []string{"vol-edit-link"}},
			{Name: "page edit bad places", User: "gridworker", Method: "POST", URL: "/volunteers/activities/{today}/edit", Body: form("x"), Status: http.StatusUnprocessableEntity, Contains: []string{`data-field="roles[0].places"`}},
			{Name: "page edit save", User: "gridworker", Method: "POST", URL: "/volunteers/activities/{today}/edit", Body: form(itoa(max(taken, 1) + 1)), Status: http.StatusSeeOther, Location: "/volunteers/activities/{today}"},
			{Name: "page cancel without reason", User: "gridworker", Method: "POST", URL: "/volunteers/activities/{today}/cancel", Body: "reason=", Status: http.StatusUnprocessableEntity},
			{Name: "cancel not the lead", User: "volunteer", Method: "POST", URL: "/api/v1/volunteer-activities/{today}/cancel", Body: `{"reason": "x"}`, Status: http.StatusForbidden},
			{Name: "page cancel", User: "gridworker", Method: "POST", URL: "/volunteers/activities/{today}/cancel", Body: "reason=场地临时占用", Status: http.StatusSeeOther},
			{Name: "edit a cancelled activity", User: "gridworker", Method: "PUT", URL: "/api/v1/volunteer-activities/{today}", Body: string(good), Status: http.StatusConflict},
		})
		got, err := volunteers.New(a.DB).Activity(ctx, []string{"310105102"}, act.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Place != "新泾镇社区文化活动中心二楼" || got.RadiusM != 300 || len(got.Roles) != len(act.Roles)+1 || got.Status != volunteers.ActivityCancelled || got.Taken != 0 {
			t.Errorf("after the edits and the cancel: %+v", got)
		}
		var rows int
		if err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'vol_activity' AND entity_id = ? AND (detail LIKE 'edited:%' OR detail LIKE 'cancelled:%')`, a.Vars["today"]).Scan(&rows); err != nil || rows != 3 {
			t.Errorf("%d audit rows for two edits and a cancel, %v", rows, err)
		}
	})
}

func loc() *time.Location   { return workcal.Location() }
func itoa(n int) string     { return strconv.Itoa(n) }
func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
func fmtF(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
