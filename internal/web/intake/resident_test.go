package intake_test

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// staffWords are the staff's words a resident's page must not use.
var staffWords = []string{"工单", "派遣", "立案", "签收", "退单", "督办", "处置部门", "/api/v1/grids"}

// The resident's pages: they render for the resident in the resident's words, staff are sent to
// the staff's pages, another resident's report is not found, and rating stays on the resident's page.
func TestResidentPages(t *testing.T) {
	webtest.Each(t, demo.WorldWithOrders, func(t *testing.T, a *webtest.App) {
		ctx := context.Background()
		a.Var("mine", `SELECT o.id FROM orders o JOIN users u ON u.id = o.raised_by WHERE u.username = 'resident' ORDER BY o.id LIMIT 1`)
		a.Var("closed", `SELECT o.id FROM orders o JOIN users u ON u.id = o.raised_by WHERE u.username = 'resident' AND o.state = 'closed' ORDER BY o.id LIMIT 1`)
		a.Var("minenumber", `SELECT number FROM orders WHERE id = `+a.Vars["mine"])
		a.Var("hotline", `SELECT id FROM orders WHERE channel = 'hotline' ORDER BY id LIMIT 1`)
		// Another resident, with a report of their own.
		other, err := auth.CreateUser(ctx, a.DB, auth.NewUser{Username: "resident2", DisplayName: "邻居乙", Role: auth.RoleResident,
			TownCode: world.XinjingCode, Password: "demo-resident2"}, "test")
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := a.Server.Orders().Create(ctx, orders.NewOrder{TownCode: world.XinjingCode, Channel: orders.ChannelResident,
			Content: "邻居家空调外机滴水", RaisedBy: other.ID, ActorName: "邻居乙", ActorRole: workorder.RoleResident})
		if err != nil {
			t.Fatal(err)
		}
		a.Vars["theirs"] = strconv.FormatInt(theirs.ID, 10)

		a.Run(t, []webtest.Scenario{
			{Name: "my reports", User: "resident", Method: "GET", URL: "/my/reports", Status: http.StatusOK,
				Contains:    []string{`id="my-reports"`, "我的诉求", "{minenumber}", "接下来", "res-state", `href="/my/reports/{mine}"`, "新进展", "评价处理结果"},
				NotContains: append([]string{"邻居家空调外机滴水"}, staffWords...)},
			{Name: "my reports in English", User: "resident", Method: "GET", URL: "/my/reports?lang=en", Status: http.StatusOK,
				Contains: []string{"My reports", "What happens next"}, NotContains: []string{"接下来", "新进展"}},
			{Name: "one report", User: "resident", Method: "GET", URL: "/my/reports/{mine}", Status: http.StatusOK,
				Contains: []string{"{minenumber}", "办理进度", "您提交了反映", "返回我的诉求"}},
			{Name: "another resident's report", User: "resident", Method: "GET", URL: "/my/reports/{theirs}", Status: http.StatusNotFound,
				NotContains: []string{"邻居家空调外机滴水"}},
			{Name: "a hotline order", User: "resident", Method: "GET", URL: "/my/reports/{hotline}", Status: http.StatusNotFound},
			{Name: "their own", User: "resident2", Method: "GET", URL: "/my/reports/{theirs}", Status: http.StatusOK, Contains: []string{"邻居家空调外机滴水", "待受理"}},
			{Name: "not a number", User: "resident", Method: "GET", URL: "/my/reports/abc", Status: http.StatusBadRequest},
			{Name: "anonymous", Method: "GET", URL: "/my/reports", Status: http.StatusSeeOther, Location: "/login"},
			{Name: "staff list is not the resident's", User: "dispatcher", Method: "GET", URL: "/my/reports", Status: http.StatusSeeOther, Location: "/orders"},
			{Name: "staff see the staff's order page", User: "dispatcher", Method: "GET", URL: "/my/reports/{mine}", Status: http.StatusSeeOther, Location: "/orders/{mine}"},
			{Name: "staff may not rate as a resident", User: "dispatcher", Method: "POST", URL: "/my/reports/{closed}/rate", Body: "satisfaction=satisfied", Status: http.StatusNotFound},
			{Name: "staff order list sends residents home", User: "resident", Method: "GET", URL: "/orders?state=received", Status: http.StatusSeeOther, Location: "/my/reports"},
			{Name: "staff form sends residents to the report form", User: "resident", Method: "GET", URL: "/orders/new", Status: http.StatusSeeOther, Location: "/report"},
			{Name: "staff order page sends residents to theirs", User: "resident", Method: "GET", URL: "/orders/{mine}", Status: http.StatusSeeOther, Location: "/my/reports/{mine}"},
			{Name: "home points to my reports", User: "resident", Method: "GET", URL: "/", Status: http.StatusOK,
				Contains: []string{`href="/my/reports"`, `href="/report"`}, NotContains: []string{`href="/orders"`, `href="/orders/new"`}},
			{Name: "staff home keeps the order list", User: "dispatcher", Method: "GET", URL: "/", Status: http.StatusOK,
				Contains: []string{`href="/orders"`}, NotContains: []string{`href="/my/reports"`}},
			{Name: "rate another's", User: "resident", Method: "POST", URL: "/my/reports/{theirs}/rate", Body: "satisfaction=satisfied", Status: http.StatusNotFound},
			{Name: "rate without a grade", User: "resident", Method: "POST", URL: "/my/reports/{closed}/rate", Body: "satisfaction=", Status: http.StatusUnprocessableEntity,
				Contains: []string{"id=\"rate\""}},
			{Name: "rate", User: "resident", Method: "POST", URL: "/my/reports/{closed}/rate", Body: "satisfaction=basically_satisfied&comment=很及时", Status: http.StatusSeeOther,
				Location: "/my/reports/{closed}?flash="},
			{Name: "rated", User: "resident", Method: "GET", URL: "/my/reports/{closed}", Status: http.StatusOK,
				Contains: []string{"您的评价", "基本满意", "很及时"}, NotContains: []string{`id="rate"`}},
			{Name: "rate twice", User: "resident", Method: "POST", URL: "/my/reports/{closed}/rate", Body: "satisfaction=satisfied", Status: http.StatusConflict},
		})
		// The report's page speaks the resident's words. What staff wrote to the resident (a
		// result, a reason: class res-staff-text) is theirs and may name a 施工单位 or a police 立案
		// with every right, and which demo order is the resident's first changes with the day, so
		// the check reads the page without those texts.
		_, page := a.Get("resident", "/my/reports/"+a.Vars["mine"])
		own := staffText.ReplaceAllString(page, "")
		if !strings.Contains(own, "办理进度") {
			t.Fatalf("stripping staff texts ate the page: %.300s", own)
		}
		for _, w := range staffWords {
			if i := strings.Index(own, w); i >= 0 {
				t.Errorf("the resident's report page says %q: …%s…", w, own[max(0, i-200):min(len(own), i+60)])
			}
		}
		// Opening a report marks its news seen: the list no longer flags it.
		_, body := a.Get("resident", "/my/reports")
		card := cardOf(body, a.Vars["mine"])
		if strings.Contains(card, "res-news-tag") {
			t.Errorf("the opened report still shows news: %s", card)
		}
	})
}

// staffText matches an element holding text staff wrote to the resident.
var staffText = regexp.MustCompile(`<(p|div) class="[^"]*\bres-staff-text\b[^"]*">[^<]*</(p|div)>`)

// cardOf is the card of report id on the "my reports" page.
func cardOf(page, id string) string {
	i := strings.Index(page, `data-id="`+id+`"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(page[i:], "</article>")
	if j < 0 {
		return page[i:]
	}
	return page[i : i+j]
}
