package services_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// A service request's notices link to it from the inbox (page and API), its notices share one
// line, and opening the request reads them; order lines keep their order link.
func TestServiceNoticesLink(t *testing.T) {
	webtest.Each(t, demo.WorldWithServices, func(t *testing.T, a *webtest.App) {
		a.Var("item", `SELECT id FROM service_items WHERE name = ?`, "营业执照办理指导")
		a.Run(t, []webtest.Scenario{
			{Name: "request", User: "resident", Method: "POST", URL: "/api/v1/services/requests",
				Body: `{"item_id":{item},"organisation":"链接面馆","contact_phone":"13900000011"}`, Status: http.StatusCreated},
		})
		a.Var("req", `SELECT id FROM service_requests WHERE organisation = ?`, "链接面馆")
		link := `/services/requests/` + a.Vars["req"]
		line := regexp.MustCompile(`<li class="(unread)?">[^<]*<a class="text" href="` + regexp.QuoteMeta(link) + `">`)
		m := line.FindStringSubmatch(a.GetOK(t, "handler_market", "/notifications"))
		if m == nil || m[1] != "unread" {
			t.Fatalf("the provider's inbox has no unread line linked to %s: %v", link, m)
		}
		a.Run(t, []webtest.Scenario{
			{Name: "API carries the link", User: "handler_market", Method: "GET", URL: "/api/v1/notifications", Status: http.StatusOK,
				Contains: []string{`"link":"` + link + `"`}},
			{Name: "accept", User: "handler_market", Method: "POST", URL: "/api/v1/services/requests/{req}/handle",
				Body: `{"action":"accept"}`, Status: http.StatusOK},
		})
		// The resident's acceptance notice, then opening the request reads it.
		body := a.GetOK(t, "resident", "/notifications")
		if m := line.FindStringSubmatch(body); m == nil || m[1] != "unread" {
			t.Fatalf("the requester's inbox has no unread line linked to %s", link)
		}
		a.GetOK(t, "resident", link)
		body = a.GetOK(t, "resident", "/notifications")
		if m := line.FindStringSubmatch(body); m == nil || m[1] != "" {
			t.Fatalf("after opening %s its line is still unread or gone: %v", link, m)
		}
		if strings.Count(body, `href="`+link+`"`) != 1 {
			t.Fatalf("the request's notices take %d lines, want 1", strings.Count(body, `href="`+link+`"`))
		}
	})
}

// The demo catalogue in English: aspects, categories and items by their English names.
func TestServiceCatalogueEnglish(t *testing.T) {
	webtest.Each(t, demo.WorldWithServices, func(t *testing.T, a *webtest.App) {
		a.Var("item", `SELECT id FROM service_items WHERE name = ?`, "营业执照办理指导")
		a.Run(t, []webtest.Scenario{
			{Name: "catalogue in English", Method: "GET", URL: "/portal/services?lang=en", Status: http.StatusOK,
				Contains: []string{"Streets and shops", "Licences and permits", "Business licence guidance"}, NotContains: []string{"营业执照办理指导", ">证照办理<"}},
			{Name: "health list in English", Method: "GET", URL: "/portal/services?catalogue=health&lang=en", Status: http.StatusOK,
				Contains: []string{"Older people", "Home nursing visits"}, NotContains: []string{"居家护理上门服务"}},
			{Name: "item in English", Method: "GET", URL: "/portal/services/{item}?lang=en", Status: http.StatusOK,
				Contains: []string{"Streets and shops › Licences and permits", "Business licence guidance"}},
		})
	})
}
