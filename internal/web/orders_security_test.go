package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// A resident cannot take a hotline order number in advance: the channel and the external id of
// an order typed into the JSON API or the new-order form are the server's. Asking for another
// channel or giving an external id is a 400 naming the field, and nothing is stored; when the real
// hotline row with that number arrives, it becomes a new order, which the resident cannot read.
func TestChannelAndExternalIDAreTheServers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		a := newOrdersApp(t, db)
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

		// The form refuses the same, in the user's language.
		b := newBrowser(t, a.srv.URL)
		b.login("resident", "demo-resident")
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
		if err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM orders WHERE external_id = ?`, number).Scan(&held); err != nil || held != 0 {
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
		if err := db.QueryRow(context.Background(), `SELECT id FROM orders WHERE channel = 'hotline' AND external_id = ?`, number).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if code := a.call("resident", "GET", fmt.Sprintf("/api/v1/orders/%d", id), nil, nil); code != http.StatusNotFound {
			t.Errorf("resident reads the hotline order: %d", code)
		}
	})
}
