package bookings_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// The booking routes: the happy path, forbidden (bookings:manage, another town), not found and
// bad input of each; the public routes answer without a session.
func TestBookingScenarios(t *testing.T) {
	webtest.Each(t, demo.World, func(t *testing.T, a *webtest.App) {
		today := time.Now().In(workcal.Location())
		from, to := today.AddDate(0, 0, 2).Format("2006-01-02"), today.AddDate(0, 0, 8).Format("2006-01-02")
		a.Run(t, []webtest.Scenario{
			{Name: "create resource", User: "lujiazui_admin", Method: "POST", URL: "/api/v1/bookings/resources",
				Body: `{"town":"310115005","kind":"route","name":"场景红色路线","who":"units","group_min":5,"group_max":30,
					"points":[{"name":"甲","lat":31.24,"lng":121.50},{"name":"乙","lat":31.235,"lng":121.51}]}`,
				Status: http.StatusCreated, Contains: []string{"场景红色路线", `"seq":2`}},
			{Name: "create resource without bookings:manage", User: "resident", Method: "POST", URL: "/api/v1/bookings/resources",
				Body: `{"town":"310105102","kind":"place","name":"x"}`, Status: http.StatusForbidden},
			{Name: "create resource in another town", User: "admin", Method: "POST", URL: "/api/v1/bookings/resources",
				Body: `{"town":"310115005","kind":"place","name":"x"}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"town"`}},
			{Name: "create resource bad kind", User: "admin", Method: "POST", URL: "/api/v1/bookings/resources",
				Body: `{"town":"310105102","kind":"boat","name":"x"}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"kind"`}},
		})
		a.Var("route", `SELECT id FROM booking_resources WHERE name = ?`, "场景红色路线")
		a.Run(t, []webtest.Scenario{
			{Name: "slots", User: "lujiazui_admin", Method: "POST", URL: "/api/v1/bookings/resources/{route}/slots",
				Body:   fmt.Sprintf(`{"from":%q,"to":%q,"weekdays":[1,2,3,4,5,6,7],"times":["09:30-11:30"],"capacity":30,"max_groups":1}`, from, to),
				Status: http.StatusCreated, Contains: []string{`"created":7`}},
			{Name: "slots of another town", User: "admin", Method: "POST", URL: "/api/v1/bookings/resources/{route}/slots",
				Body: fmt.Sprintf(`{"from":%q,"to":%q,"weekdays":[1],"times":["09:30-11:30"],"capacity":30}`, from, to), Status: http.StatusNotFound},
			{Name: "slots bad time", User: "lujiazui_admin", Method: "POST", URL: "/api/v1/bookings/resources/{route}/slots",
				Body: fmt.Sprintf(`{"from":%q,"to":%q,"weekdays":[1],"times":["11:30-09:30"],"capacity":30}`, from, to), Status: http.StatusUnprocessableEntity,
				Contains: []string{`"field":"times[1]"`}},
			{Name: "public resources", Method: "GET", URL: "/api/v1/bookings/resources", Status: http.StatusOK, Contains: []string{"场景红色路线"}},
			{Name: "public slots", Method: "GET", URL: "/api/v1/bookings/resources/{route}/slots", Status: http.StatusOK, Contains: []string{`"left":30`}},
			{Name: "public resource not there", Method: "GET", URL: "/api/v1/bookings/resources/999999", Status: http.StatusNotFound},
			{Name: "public portal", Method: "GET", URL: "/portal/bookings", Status: http.StatusOK, Contains: []string{"场景红色路线"}},
			{Name: "public route page", Method: "GET", URL: "/portal/bookings/{route}", Status: http.StatusOK, Contains: []string{"甲", "乙"}},
		})
		a.Var("slot", `SELECT MIN(id) FROM booking_slots`)
		a.Run(t, []webtest.Scenario{
			{Name: "book anonymously", Method: "POST", URL: "/api/v1/bookings/slots/{slot}/bookings", Body: `{}`, Status: http.StatusUnauthorized},
			{Name: "book as a person on a units-only route", User: "resident", Method: "POST", URL: "/api/v1/bookings/slots/{slot}/bookings",
				Body: `{}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"unit_name"`}},
			{Name: "book a group", User: "resident", Method: "POST", URL: "/api/v1/bookings/slots/{slot}/bookings",
				Body: `{"unit_name":"场景党支部","party_size":10,"contact_name":"孙丽","contact_phone":"13800003333"}`, Status: http.StatusCreated,
				Contains: []string{`"state":"confirmed"`}},
			{Name: "a second group waits (one group per slot)", User: "volunteer", Method: "POST", URL: "/api/v1/bookings/slots/{slot}/bookings",
				Body: `{"unit_name":"场景第二支部","party_size":5,"contact_name":"周","contact_phone":"13800004444"}`, Status: http.StatusCreated,
				Contains: []string{`"state":"waiting"`, `"position":1`}},
			{Name: "bad phone", User: "gridworker", Method: "POST", URL: "/api/v1/bookings/slots/{slot}/bookings",
				Body: `{"unit_name":"场景第三支部","party_size":5,"contact_name":"吴","contact_phone":"call me"}`, Status: http.StatusUnprocessableEntity,
				Contains: []string{`"field":"contact_phone"`}},
			{Name: "mine", User: "resident", Method: "GET", URL: "/api/v1/bookings/mine", Status: http.StatusOK, Contains: []string{"场景党支部", "13800003333"}},
			{Name: "slot bookings without bookings:manage", User: "resident", Method: "GET", URL: "/api/v1/bookings/slots/{slot}/bookings", Status: http.StatusForbidden},
			{Name: "slot bookings of another town", User: "admin", Method: "GET", URL: "/api/v1/bookings/slots/{slot}/bookings", Status: http.StatusOK,
				NotContains: []string{"场景党支部"}},
			{Name: "slot bookings", User: "lujiazui_admin", Method: "GET", URL: "/api/v1/bookings/slots/{slot}/bookings", Status: http.StatusOK,
				Contains: []string{"场景党支部", "13800003333", "场景第二支部"}},
			{Name: "occupancy", User: "lujiazui_admin", Method: "GET", URL: "/api/v1/bookings/resources/{route}/occupancy", Status: http.StatusOK, Contains: []string{`"booked":10`}},
			{Name: "check in an unknown code", User: "lujiazui_admin", Method: "POST", URL: "/api/v1/bookings/checkin", Body: `{"code":"ZZZZZZZZ"}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"code"`}},
			{Name: "close the slot", User: "lujiazui_admin", Method: "POST", URL: "/api/v1/bookings/slots/{slot}/close", Body: `{"closed":true}`, Status: http.StatusOK,
				Contains: []string{`"closed":true`}},
			{Name: "book a closed slot", User: "gridworker", Method: "POST", URL: "/api/v1/bookings/slots/{slot}/bookings",
				Body: `{"unit_name":"场景第三支部","party_size":5,"contact_name":"吴","contact_phone":"13800005555"}`, Status: http.StatusUnprocessableEntity,
				Contains: []string{`"field":"slot"`}},
			{Name: "page manage without bookings:manage", User: "resident", Method: "GET", URL: "/bookings/manage", Status: http.StatusForbidden},
			{Name: "page day list", User: "lujiazui_admin", Method: "GET", URL: "/bookings/manage/{route}?day=" + from, Status: http.StatusOK, Contains: []string{"场景党支部"}},
			{Name: "page mine", User: "volunteer", Method: "GET", URL: "/bookings/mine", Status: http.StatusOK, Contains: []string{"场景第二支部"}},
		})
		a.Var("first", `SELECT b.id FROM bookings b WHERE b.unit_name = ?`, "场景党支部")
		a.Var("second", `SELECT b.id FROM bookings b WHERE b.unit_name = ?`, "场景第二支部")
		a.Var("code", `SELECT code FROM bookings WHERE unit_name = ?`, "场景党支部")
		a.Run(t, []webtest.Scenario{
			{Name: "someone else's booking", User: "volunteer", Method: "GET", URL: "/api/v1/bookings/{first}", Status: http.StatusNotFound},
			{Name: "cancel someone else's booking", User: "volunteer", Method: "POST", URL: "/api/v1/bookings/{first}/cancel", Status: http.StatusNotFound},
			{Name: "staff cancel without a reason", User: "lujiazui_admin", Method: "POST", URL: "/api/v1/bookings/{second}/staff-cancel", Body: `{"reason":""}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"reason"`}},
			{Name: "check in", User: "lujiazui_admin", Method: "POST", URL: "/api/v1/bookings/checkin", Body: `{"code":"{code}"}`, Status: http.StatusOK,
				Contains: []string{`"state":"checked_in"`}},
			{Name: "no-show of a checked-in booking", User: "lujiazui_admin", Method: "POST", URL: "/api/v1/bookings/{first}/no-show", Status: http.StatusConflict},
			{Name: "check-in page by the scanned link", User: "lujiazui_admin", Method: "GET", URL: "/bookings/checkin/{code}", Status: http.StatusOK, Contains: []string{"场景党支部"}},
			{Name: "check-in page of another town", User: "admin", Method: "GET", URL: "/bookings/checkin/{code}", Status: http.StatusNotFound},
			{Name: "cancel own", User: "volunteer", Method: "POST", URL: "/api/v1/bookings/{second}/cancel", Status: http.StatusOK, Contains: []string{`"state":"cancelled"`}},
		})
	})
}
