package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/orders"
)

// A resident cannot take a hotline order number in advance: the channel and the external id of
// an order typed into the JSON API or the new-order form are the server's. Asking for another
// channel or giving an external id is a 400 naming the field, and nothing is stored; when the real
// hotline row with that number arrives, it becomes a new order, which the resident cannot read.
func TestChannelAndExternalIDAreTheServers(t *testing.T) {
	eachOrdersApp(t, func(t *testing.T, a *ordersApp) {
		const number = "HL-CLAIM-0001"
		for _, c := range []struct {
			user  string
			body  map[string]any
			field string
		}{
			{"resident", map[string]any{"content": "占号", "channel": "hotline", "external_id": number}, "channel"},
			{"resident", map[string]any{"content": "占号", "external_id": number}, "external_id"},
			{"resident", map[string]any{"content": "占号", "channel": "resident", "external_id": number}, "external_id"},
			{"resident", map[string]any{"content": "占号", "channel": "open311"}, "channel"},
			{"dispatcher", map[string]any{"content": "代录", "channel": "hotline", "external_id": number}, "channel"},
			{"dispatcher", map[string]any{"content": "代录", "channel": "visit"}, "channel"},
			{"gridworker", map[string]any{"content": "巡查", "channel": "api"}, "channel"},
			{"leader", map[string]any{"content": "代录", "external_id": number}, "external_id"},
		} {
			var e apiErr
			if code := a.call(c.user, "POST", "/api/v1/orders", c.body, &e); code != http.StatusBadRequest || e.Error.Field != c.field {
				t.Errorf("%s posts %v: %d field %q (%s); want 400 naming %s", c.user, c.body, code, e.Error.Field, e.Error.Message, c.field)
			}
		}
		// Echoing the channel the server would pick is fine; leaving it out too.
		for user, want := range map[string]string{"resident": "resident", "gridworker": "patrol", "dispatcher": "api"} {
			o := a.create(user, map[string]any{"content": "自己的上报", "channel": want})
			if o.Channel != want || o.ExternalID != "" {
				t.Errorf("%s's order: channel %q external id %q, want %q and none", user, o.Channel, o.ExternalID, want)
			}
		}
		mine := a.create("resident", map[string]any{"content": "门口有垃圾"})
		if mine.Channel != "resident" {
			t.Errorf("resident's order channel %q", mine.Channel)
		}

		// The staff's form refuses the same, in the user's language. (A resident is not offered
		// it: posting to it sends the resident to the resident's report form, storing nothing.)
		rb := newBrowser(t, a.srv.URL)
		rb.login("resident", "demo-resident")
		if code, _ := rb.post("/orders", url.Values{"csrf": {rb.csrf("/report")}, "content": {"占号"}, "channel": {"hotline"}, "external_id": {number}}); code != http.StatusSeeOther {
			t.Errorf("a resident's post to the staff form = %d, want 303 to /report", code)
		}
		b := newBrowser(t, a.srv.URL)
		b.login("gridworker", "demo-gridworker")
		csrf := b.csrf("/orders/new")
		code, page := b.post("/orders", url.Values{"csrf": {csrf}, "content": {"占号"}, "channel": {"hotline"}, "external_id": {number}})
		if code != http.StatusBadRequest || !strings.Contains(page, "来源渠道由系统按您的身份确定") {
			t.Errorf("form with channel hotline: %d", code)
		}
		code, page = b.post("/orders", url.Values{"csrf": {csrf}, "content": {"占号"}, "external_id": {number}})
		if code != http.StatusBadRequest || !strings.Contains(page, "外部编号只能由受理渠道") {
			t.Errorf("form with an external id: %d", code)
		}
		if _, page := b.get("/orders/new"); strings.Contains(page, `name="channel"`) {
			t.Error("the new-order form still offers a channel")
		}
		var held int
		if err := a.db.QueryRow(context.Background(), `SELECT COUNT(*) FROM orders WHERE external_id = ?`, number).Scan(&held); err != nil || held != 0 {
			t.Fatalf("%d orders hold %s after the refusals (%v)", held, number, err)
		}

		// The hotline's row arrives: a new order, whose caller the resident cannot see.
		var pushed []pushAnswer
		push := fmt.Sprintf(`{"工单编号": %q, "来电时间": "2025-09-30 10:03", "诉求内容": "真实来电", "诉求人": "王女士", "联系电话": "13800138000"}`, number)
		if code := a.call("dispatcher", "POST", "/api/v1/intake/hotline", push, &pushed); code != http.StatusOK || pushed[0].Status != "created" {
			t.Fatalf("push: %d %+v", code, pushed)
		}
		var list struct {
			Orders []orderOut `json:"orders"`
		}
		a.call("resident", "GET", "/api/v1/orders?limit=500", nil, &list)
		for _, o := range list.Orders {
			if o.ExternalID == number || o.CallerPhone == "13800138000" || o.CallerName == "王女士" {
				t.Errorf("the resident sees the hotline caller in order %s", o.Number)
			}
		}
		var id int64
		if err := a.db.QueryRow(context.Background(), `SELECT id FROM orders WHERE channel = 'hotline' AND external_id = ?`, number).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if code := a.call("resident", "GET", fmt.Sprintf("/api/v1/orders/%d", id), nil, nil); code != http.StatusNotFound {
			t.Errorf("resident reads the hotline order: %d", code)
		}
	})
}

// Bad or huge input on the order routes is a 4xx naming the field, never a 500, on both
// databases: a NUL or a byte that is not UTF-8 (PostgreSQL refused them with a 500), a 1 MB
// address or name, lists of ten thousand entries, an extension to the year 9999.
func TestOrderLimitsThroughHTTP(t *testing.T) {
	eachOrdersApp(t, func(t *testing.T, a *ordersApp) {
		megabyte := strings.Repeat("长", 1<<20/3)
		many := func(n int, v string) []string {
			out := make([]string, n)
			for i := range out {
				out[i] = fmt.Sprintf("%s-%d", v, i)
			}
			return out
		}
		ids := make([]int64, 100000)
		for i := range ids {
			ids[i] = int64(i + 1)
		}
		inProgress := a.walk([]step{{act: "file"}, {act: "dispatch"}, {act: "accept"}})
		filed := a.walk([]step{{act: "file"}})
		received := a.walk(nil)
		act := func(o orderOut, action string, kv ...any) map[string]any {
			m := map[string]any{"action": action, "version": o.Version}
			for i := 0; i < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		}
		path := func(o orderOut) string { return fmt.Sprintf("/api/v1/orders/%d/actions", o.ID) }
		for _, c := range []struct {
			name, user, method, path string
			body                     any
			status                   int
			field                    string
		}{
			{"NUL in content", "dispatcher", "POST", "/api/v1/orders", map[string]any{"content": "门口\x00噪音"}, 422, "content"},
			{"1 MB address", "dispatcher", "POST", "/api/v1/orders", map[string]any{"content": "噪音", "address": megabyte}, 422, "address"},
			{"1 MB name", "dispatcher", "POST", "/api/v1/orders", map[string]any{"content": "噪音", "caller_name": megabyte}, 422, "caller_name"},
			{"long phone", "dispatcher", "POST", "/api/v1/orders", map[string]any{"content": "噪音", "caller_phone": strings.Repeat("1", 100)}, 422, "caller_phone"},
			{"long word", "resident", "POST", "/api/v1/orders", map[string]any{"content": "噪音 " + strings.Repeat("a", 3000)}, 201, ""},
			{"NUL in q", "dispatcher", "GET", "/api/v1/orders?q=%00", nil, 400, "q"},
			{"not UTF-8 in q", "dispatcher", "GET", "/api/v1/orders?q=%ff%fe", nil, 400, "q"},
			{"NUL in grid", "dispatcher", "GET", "/api/v1/orders?grid=a%00b", nil, 400, "grid"},
			{"long q", "dispatcher", "GET", "/api/v1/orders?q=" + strings.Repeat("a", 300), nil, 400, "q"},
			{"huge state list", "dispatcher", "GET", "/api/v1/orders?state=" + strings.Repeat("received,", 5000) + "received", nil, 400, "state"},
			{"10,000 co-departments", "dispatcher", "POST", path(filed), act(filed, "dispatch", "department", leadDept, "co_departments", many(10000, "xj")), 400, "co_departments"},
			{"NUL in a co-department", "dispatcher", "POST", path(filed), act(filed, "dispatch", "department", leadDept, "co_departments", []string{"xj\x00"}), 422, "co_departments"},
			{"10,000 photos", leadHandler, "POST", path(inProgress), act(inProgress, "report", "result", "已处理", "photos", many(10000, "p")), 400, "photos"},
			{"1 MB result", leadHandler, "POST", path(inProgress), act(inProgress, "report", "result", megabyte, "photos", []string{a.photo}), 422, "result"},
			{"NUL in a reason", "dispatcher", "POST", path(received), act(received, "reject", "reason", "重复\x00"), 422, "reason"},
			{"extension to 9999", leadHandler, "POST", path(inProgress), act(inProgress, "extend", "reason", "拖", "deadline", "9999-12-31T00:00:00Z"), 422, "deadline"},
			{"100,000 notification ids", "dispatcher", "POST", "/api/v1/notifications/read", map[string]any{"ids": ids}, 400, "ids"},
			{"NUL in a pushed order", "dispatcher", "POST", "/api/v1/intake/hotline", `{"工单编号": "NUL-1", "来电时间": "2025-09-30 10:00", "诉求内容": "门口\u0000噪音"}`, 422, ""},
		} {
			var raw json.RawMessage
			code := a.call(c.user, c.method, c.path, c.body, &raw)
			var e apiErr
			_ = json.Unmarshal(raw, &e) // the push answers with an array
			if code != c.status || (c.field != "" && e.Error.Field != c.field) {
				t.Errorf("%s: %d field %q (%s); want %d naming %q", c.name, code, e.Error.Field, e.Error.Message, c.status, c.field)
			}
		}
		if got := a.get(inProgress.ID); got.Version != inProgress.Version || got.ExtensionPending {
			t.Errorf("refused actions changed the order: v%d → v%d", inProgress.Version, got.Version)
		}

		// The pages answer in the user's language, and refuse a photo too many before reading any.
		b := newBrowser(t, a.srv.URL)
		b.login("dispatcher", "demo-dispatcher")
		csrf := b.csrf("/orders/new")
		code, page := b.post("/orders", url.Values{"csrf": {csrf}, "content": {"噪音"}, "address": {strings.Repeat("路", 201)}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(page, "地址最多 200 个字，现有 201 个") {
			t.Errorf("form with a long address: %d", code)
		}
		code, page = b.post(fmt.Sprintf("/orders/%d/act", received.ID), url.Values{"csrf": {csrf}, "action": {"reject"},
			"version": {fmt.Sprint(received.Version)}, "reason": {strings.Repeat("因", orders.MaxNoteRunes+1)}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(page, "原因最多 2000 个字") {
			t.Errorf("act form with a long reason: %d", code)
		}
		code, page = b.post(fmt.Sprintf("/orders/%d/act", filed.ID), url.Values{"csrf": {csrf}, "action": {"file_dispatch"},
			"version": {fmt.Sprint(filed.Version)}, "department": {leadDept}, "co_departments": many(orders.MaxCoDepartments+1, "xj")})
		if code != http.StatusBadRequest || !strings.Contains(page, "协办部门最多 20 项") {
			t.Errorf("act form with too many co-departments: %d", code)
		}
	})
}
