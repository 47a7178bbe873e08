package services_test

import (
	"net/http"
	"testing"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// The service catalogue's routes: the happy path, forbidden, not found and bad input of each; the
// public ones answer without a session and without personal data.
func TestServiceScenarios(t *testing.T) {
	webtest.Each(t, demo.WorldWithServices, func(t *testing.T, a *webtest.App) {
		a.Var("item", `SELECT id FROM service_items WHERE name = ?`, "营业执照办理指导")
		a.Var("health", `SELECT id FROM service_items WHERE name = ?`, "居家护理上门服务")
		a.Run(t, []webtest.Scenario{
			{Name: "public catalogue", Method: "GET", URL: "/api/v1/services/catalogue", Status: http.StatusOK,
				Contains: []string{`"aspects":5`, `"categories":28`, `"items":76`, "“初心领航”服务", "营业执照办理指导"}, NotContains: []string{"13916620731", "顾德明"}},
			{Name: "public health list", Method: "GET", URL: "/api/v1/services/catalogue?catalogue=health", Status: http.StatusOK, Contains: []string{"老年人", "上海市同仁医院"}},
			{Name: "bad catalogue", Method: "GET", URL: "/api/v1/services/catalogue?catalogue=food", Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"catalogue"`}},
			{Name: "catalogue of an unknown town", Method: "GET", URL: "/api/v1/services/catalogue?town=999", Status: http.StatusNotFound},
			{Name: "public item", Method: "GET", URL: "/api/v1/services/items/{item}", Status: http.StatusOK, Contains: []string{`"provider_department":"xj-market"`, `"promised_days":5`}},
			{Name: "item not there", Method: "GET", URL: "/api/v1/services/items/999999", Status: http.StatusNotFound},
			{Name: "portal page", Method: "GET", URL: "/portal/services", Status: http.StatusOK, Contains: []string{"泾彩满格", "街区服务", "示意"}},
			{Name: "portal item page", Method: "GET", URL: "/portal/services/{item}", Status: http.StatusOK, Contains: []string{"营业执照办理指导", "新泾市场监管所", "登录后申请"}},
			{Name: "portal item not there", Method: "GET", URL: "/portal/services/999999", Status: http.StatusNotFound},

			{Name: "request anonymously", Method: "POST", URL: "/api/v1/services/requests", Body: `{"item_id":{item}}`, Status: http.StatusUnauthorized},
			{Name: "request without services:request", User: "handler_market", Method: "POST", URL: "/api/v1/services/requests",
				Body: `{"item_id":{item},"contact_phone":"13900000000"}`, Status: http.StatusForbidden},
			{Name: "request without a phone", User: "resident", Method: "POST", URL: "/api/v1/services/requests", Body: `{"item_id":{item}}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"contact_phone"`}},
			{Name: "request an unknown item", User: "resident", Method: "POST", URL: "/api/v1/services/requests", Body: `{"item_id":999999,"contact_phone":"13900000000"}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"item_id"`}},
			{Name: "request", User: "resident", Method: "POST", URL: "/api/v1/services/requests",
				Body: `{"item_id":{item},"organisation":"场景面馆","contact_phone":"13900000001","note":"想办执照"}`, Status: http.StatusCreated,
				Contains: []string{`"state":"received"`, "场景面馆"}},
			{Name: "代办 by a grid worker", User: "gridworker", Method: "POST", URL: "/api/v1/services/requests",
				Body: `{"item_id":{health},"contact_name":"场景阿婆","contact_phone":"13900000002","address":"天山星城1号楼101室","on_behalf":true}`, Status: http.StatusCreated,
				Contains: []string{`"on_behalf":true`, "场景阿婆"}},
			{Name: "代办 without an address", User: "gridworker", Method: "POST", URL: "/api/v1/services/requests",
				Body: `{"item_id":{health},"contact_name":"场景阿婆","contact_phone":"13900000002","on_behalf":true}`, Status: http.StatusUnprocessableEntity,
				Contains: []string{`"field":"address"`}},
		})
		a.Var("req", `SELECT id FROM service_requests WHERE organisation = ?`, "场景面馆")
		a.Var("behalf", `SELECT id FROM service_requests WHERE contact_name = ?`, "场景阿婆")
		a.Run(t, []webtest.Scenario{
			{Name: "mine", User: "resident", Method: "GET", URL: "/api/v1/services/requests", Status: http.StatusOK, Contains: []string{"场景面馆", "13900000001"}},
			{Name: "the department's queue", User: "handler_market", Method: "GET", URL: "/api/v1/services/requests?state=open", Status: http.StatusOK,
				Contains: []string{"场景面馆", "13900000001"}, NotContains: []string{"场景阿婆"}},
			{Name: "the leader's queue masks contacts", User: "leader", Method: "GET", URL: "/api/v1/services/requests", Status: http.StatusOK,
				Contains: []string{"场景面馆"}, NotContains: []string{"13900000001", "13900000002"}},
			{Name: "list bad state", User: "dispatcher", Method: "GET", URL: "/api/v1/services/requests?state=done", Status: http.StatusUnprocessableEntity},
			{Name: "list without services:read", User: "deputy", Method: "GET", URL: "/api/v1/services/requests", Status: http.StatusForbidden},
			{Name: "overdue queue", User: "dispatcher", Method: "GET", URL: "/api/v1/services/requests?overdue=1", Status: http.StatusOK, Contains: []string{`"overdue":true`}},
			{Name: "someone else's request", User: "gridworker", Method: "GET", URL: "/api/v1/services/requests/{req}", Status: http.StatusNotFound},
			{Name: "another department's request", User: "handler_police", Method: "GET", URL: "/api/v1/services/requests/{req}", Status: http.StatusNotFound},
			{Name: "another town's admin reads the request", User: "lujiazui_admin", Method: "GET", URL: "/api/v1/services/requests/{req}", Status: http.StatusNotFound},
			{Name: "another town's admin handles the request", User: "lujiazui_admin", Method: "POST", URL: "/api/v1/services/requests/{req}/handle", Body: `{"action":"accept"}`, Status: http.StatusNotFound},
			{Name: "another town's admin opens the request page", User: "lujiazui_admin", Method: "GET", URL: "/services/requests/{req}", Status: http.StatusNotFound},
			{Name: "request not there", User: "dispatcher", Method: "GET", URL: "/api/v1/services/requests/999999", Status: http.StatusNotFound},
			{Name: "request detail", User: "handler_market", Method: "GET", URL: "/api/v1/services/requests/{req}", Status: http.StatusOK,
				Contains: []string{`"allowed_actions":["accept","refuse"]`}},
			{Name: "requester may not handle", User: "resident", Method: "POST", URL: "/api/v1/services/requests/{req}/handle", Body: `{"action":"accept"}`, Status: http.StatusForbidden},
			{Name: "handle with a requester's action", User: "handler_market", Method: "POST", URL: "/api/v1/services/requests/{req}/handle", Body: `{"action":"confirm"}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"action"`}},
			{Name: "deliver before accepting", User: "handler_market", Method: "POST", URL: "/api/v1/services/requests/{req}/handle", Body: `{"action":"deliver","result":"x"}`,
				Status: http.StatusConflict},
			{Name: "accept", User: "handler_market", Method: "POST", URL: "/api/v1/services/requests/{req}/handle", Body: `{"action":"accept"}`, Status: http.StatusOK,
				Contains: []string{`"state":"accepted"`}},
			{Name: "deliver without a result", User: "handler_market", Method: "POST", URL: "/api/v1/services/requests/{req}/handle", Body: `{"action":"deliver"}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"result"`}},
			{Name: "deliver", User: "handler_market", Method: "POST", URL: "/api/v1/services/requests/{req}/handle", Body: `{"action":"deliver","result":"已上门指导"}`,
				Status: http.StatusOK, Contains: []string{`"state":"delivered"`}},
			{Name: "a stranger confirms", User: "gridworker", Method: "POST", URL: "/api/v1/services/requests/{req}/respond", Body: `{"action":"confirm"}`, Status: http.StatusNotFound},
			{Name: "confirm", User: "resident", Method: "POST", URL: "/api/v1/services/requests/{req}/respond", Body: `{"action":"confirm"}`, Status: http.StatusOK,
				Contains: []string{`"state":"confirmed"`}},
			{Name: "rate badly", User: "resident", Method: "POST", URL: "/api/v1/services/requests/{req}/respond", Body: `{"action":"rate","satisfaction":"great"}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"satisfaction"`}},
			{Name: "rate (page form)", User: "resident", Method: "POST", URL: "/services/requests/{req}/respond", Body: "action=rate&satisfaction=satisfied&comment=好",
				Status: http.StatusSeeOther, Location: "/services/requests/{req}"},
			{Name: "request page", User: "resident", Method: "GET", URL: "/services/requests/{req}", Status: http.StatusOK, Contains: []string{"已评价", "已上门指导", "办理进度"}},
			{Name: "the grid worker's 代办 page", User: "gridworker", Method: "GET", URL: "/services/requests/{behalf}", Status: http.StatusOK, Contains: []string{"场景阿婆", "代办"}},
			{Name: "queue page", User: "dispatcher", Method: "GET", URL: "/services/requests", Status: http.StatusOK, Contains: []string{"已超期", "场景阿婆"}},
			{Name: "request page form", User: "resident", Method: "POST", URL: "/services/items/{item}/request", Body: "contact_name=顾&contact_phone=13900000009&organisation=场景二店",
				Status: http.StatusSeeOther, Location: "/services/requests/"},
			{Name: "request page form bad phone", User: "resident", Method: "POST", URL: "/services/items/{item}/request", Body: "contact_phone=call+me",
				Status: http.StatusUnprocessableEntity, Contains: []string{"contact_phone"}},

			{Name: "save item", User: "dispatcher", Method: "POST", URL: "/api/v1/services/items",
				Body:   `{"catalogue":"jingcai","aspect":"街区服务","category":"证照办理","code":"SC-1","name":"场景新项目","eligibility":"商户","provider_department":"xj-market","promised_days":2,"documents":["身份证"],"delivery":"online"}`,
				Status: http.StatusOK, Contains: []string{"场景新项目", `"promised_days":2`}},
			{Name: "save item with an unknown department", User: "admin", Method: "POST", URL: "/api/v1/services/items",
				Body:   `{"aspect":"a","category":"c","code":"SC-2","name":"n","eligibility":"e","provider_department":"nope","promised_days":2,"delivery":"online"}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"provider_department"`}},
			{Name: "save item bad days", User: "admin", Method: "POST", URL: "/api/v1/services/items",
				Body:   `{"aspect":"a","category":"c","code":"SC-2","name":"n","eligibility":"e","provider_department":"xj-market","promised_days":90,"delivery":"online"}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"promised_days"`}},
			{Name: "save item without services:edit", User: "handler_market", Method: "POST", URL: "/api/v1/services/items", Body: `{}`, Status: http.StatusForbidden},
			{Name: "save item in another town", User: "lujiazui_admin", Method: "POST", URL: "/api/v1/services/items",
				Body:   `{"town":"310105102","aspect":"a","category":"c","code":"SC-3","name":"n","eligibility":"e","provider_department":"xj-market","promised_days":2,"delivery":"online"}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"town"`}},
			{Name: "import without a file", User: "admin", Method: "POST", URL: "/api/v1/services/import", Body: "town=310105102", Status: http.StatusUnprocessableEntity,
				Contains: []string{`"field":"file"`}},
			{Name: "import without services:edit", User: "resident", Method: "POST", URL: "/api/v1/services/import", Body: "x=1", Status: http.StatusForbidden},
			{Name: "export", User: "admin", Method: "GET", URL: "/api/v1/services/export", Status: http.StatusOK},
			{Name: "export of another town", User: "admin", Method: "GET", URL: "/api/v1/services/export?town=310115005", Status: http.StatusNotFound},
			{Name: "export without services:edit", User: "leader", Method: "GET", URL: "/api/v1/services/export", Status: http.StatusForbidden},
			{Name: "admin page", User: "admin", Method: "GET", URL: "/services/admin", Status: http.StatusOK, Contains: []string{"场景新项目", "77 项"}},
			{Name: "edit page", User: "admin", Method: "GET", URL: "/services/admin/items/SC-1", Status: http.StatusOK, Contains: []string{"场景新项目"}},
			{Name: "edit page not there", User: "admin", Method: "GET", URL: "/services/admin/items/NOPE", Status: http.StatusNotFound},
			{Name: "edit page form", User: "admin", Method: "POST", URL: "/services/admin/items",
				Body:   "catalogue=jingcai&aspect=街区服务&category=证照办理&code=SC-1&name=场景改名&eligibility=商户&provider_department=xj-market&promised_days=3&delivery=door&active=1",
				Status: http.StatusSeeOther, Location: "/services/admin"},
		})
	})
}
