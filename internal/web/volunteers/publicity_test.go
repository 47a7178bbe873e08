package volunteers_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// Objections to hours in their 7-day publication, and answering them; the confirmation of a
// place offered from the waiting list when none was offered.
func TestPublicityScenarios(t *testing.T) {
	webtest.Each(t, world, func(t *testing.T, a *webtest.App) {
		ctx := context.Background()
		a.Var("today", `SELECT id FROM vol_activities WHERE title = ?`, demo.VolunteerToday)
		a.Var("att", `SELECT MAX(t.id) FROM vol_attendance t JOIN volunteers v ON v.id = t.volunteer_id JOIN users u ON u.id = v.user_id WHERE u.username = 'volunteer' AND t.check_out_at IS NOT NULL`)
		// Its figure was just published.
		if _, err := a.DB.Exec(ctx, `UPDATE vol_attendance SET published_at = ?, objection = '' WHERE id = ?`, time.Now().UnixMilli(), mustID(t, a.Vars["att"])); err != nil {
			t.Fatal(err)
		}
		a.Run(t, []webtest.Scenario{
			{Name: "page home shows the publication", User: "volunteer", Method: "GET", URL: "/volunteers", Status: http.StatusOK, Contains: []string{`data-publicity="pending"`, "/volunteers/attendance/{att}/objection"}},
			{Name: "object to another's hours", User: "resident", Method: "POST", URL: "/api/v1/volunteer-attendance/{att}/objection", Body: `{"objection": "x"}`, Status: http.StatusForbidden},
			{Name: "object without text", User: "volunteer", Method: "POST", URL: "/api/v1/volunteer-attendance/{att}/objection", Body: `{"objection": ""}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"objection"`}},
			{Name: "object not found", User: "volunteer", Method: "POST", URL: "/api/v1/volunteer-attendance/999999999/objection", Body: `{"objection": "x"}`, Status: http.StatusNotFound},
			{Name: "object", User: "volunteer", Method: "POST", URL: "/api/v1/volunteer-attendance/{att}/objection", Body: `{"objection": "签退时间记录有误"}`, Status: http.StatusOK, Contains: []string{"签退时间记录有误"}},
			{Name: "object twice", User: "volunteer", Method: "POST", URL: "/volunteers/attendance/{att}/objection", Body: "objection=again", Status: http.StatusConflict},
			{Name: "resolve not the lead", User: "volunteer", Method: "POST", URL: "/api/v1/volunteer-attendance/{att}/resolve", Body: `{"reason": "x"}`, Status: http.StatusForbidden},
			{Name: "page resolve without reason", User: "admin", Method: "POST", URL: "/volunteers/attendance/{att}/resolve", Body: "reason=", Status: http.StatusUnprocessableEntity},
			{Name: "resolve", User: "admin", Method: "POST", URL: "/api/v1/volunteer-attendance/{att}/resolve", Body: `{"reason": "核对签到记录无误"}`, Status: http.StatusOK},
			{Name: "resolve again", User: "admin", Method: "POST", URL: "/api/v1/volunteer-attendance/{att}/resolve", Body: `{"reason": "x"}`, Status: http.StatusConflict},
			{Name: "confirm a place not offered", User: "volunteer", Method: "POST", URL: "/api/v1/volunteer-activities/{today}/signup/confirm", Status: http.StatusNotFound},
			{Name: "page confirm a place not offered", User: "volunteer", Method: "POST", URL: "/volunteers/activities/{today}/confirm-signup", Status: http.StatusNotFound},
		})
	})
}
