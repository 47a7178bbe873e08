package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// TestOrderBadInputThroughHTTP sends wrong requests; each gets a 4xx naming the problem, and the
// order (or the upload table) is unchanged.
func TestOrderBadInputThroughHTTP(t *testing.T) {
	eachOrdersApp(t, func(t *testing.T, a *ordersApp) {
		received := a.walk(nil)
		filed := a.walk([]step{{act: workorder.ActFile}})
		inProgress := a.walk([]step{{act: workorder.ActFile}, {act: workorder.ActDispatch}, {act: workorder.ActAccept}})
		byDispatcher := a.create("dispatcher", map[string]any{"content": "路灯不亮", "address": "新泾一村", "caller_phone": "13900001111"})
		other := a.create("lujiazui_dispatcher", map[string]any{"content": "陆家嘴的一件", "address": "陆家嘴环路"})
		never := sha256.Sum256([]byte("a photo nobody uploaded"))
		path := func(o orderOut) string { return fmt.Sprintf("/api/v1/orders/%d/actions", o.ID) }
		body := func(o orderOut, action string, kv ...any) map[string]any {
			m := map[string]any{"action": action, "version": o.Version}
			for i := 0; i < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		}
		cases := []struct {
			name   string
			user   string
			order  orderOut
			body   any
			status int
			field  string
			msg    string
		}{
			{"unknown action", "dispatcher", received, body(received, "teleport"), 400, "action", "unknown action"},
			{"reject without reason", "dispatcher", received, body(received, "reject"), 422, "reason", "required"},
			{"reject with a blank reason", "dispatcher", received, body(received, "reject", "reason", "   "), 422, "reason", "required"},
			{"wrong state", "dispatcher", received, body(received, "dispatch", "department", leadDept), 409, "", "state received"},
			{"stale version", "dispatcher", filed, body(filed, "dispatch", "department", leadDept, "version", filed.Version-1), 409, "", "changed"},
			{"missing version", "dispatcher", filed, map[string]any{"action": "dispatch", "department": leadDept}, 400, "version", "required"},
			{"missing action", "dispatcher", filed, map[string]any{"version": filed.Version}, 400, "action", "required"},
			{"unknown department", "dispatcher", filed, body(filed, "dispatch", "department", "xj-nope"), 422, "department", "xj-nope"},
			{"unknown co-department", "dispatcher", filed, body(filed, "dispatch", "department", leadDept, "co_departments", []string{"xj-nope"}),
				422, "co_departments", "xj-nope"},
			{"photo never uploaded", leadHandler, inProgress,
				body(inProgress, "report", "result", "已处理", "photos", []string{hex.EncodeToString(never[:])}), 422, "photos", "not uploaded"},
			{"report without photo", leadHandler, inProgress, body(inProgress, "report", "result", "已处理"), 422, "photos", "photo"},
			{"version of the wrong type", "dispatcher", filed, `{"action":"dispatch","version":"2","department":"xj-police"}`, 400, "version", "version"},
			{"body not JSON", "dispatcher", filed, `action=dispatch&version=2`, 400, "", "not valid JSON"},
			{"empty body", "dispatcher", filed, ``, 400, "", "JSON"},
			{"unknown JSON field", "dispatcher", filed,
				fmt.Sprintf(`{"action":"dispatch","version":%d,"department":"xj-police","colour":"red"}`, filed.Version), 400, "colour", "unknown field colour"},
			{"order of another town", "dispatcher", other, body(other, "file", "category", xjCategory, "grid", xjGrid), 404, "", "not found"},
			{"resident acting on someone else's order", "resident", byDispatcher, body(byDispatcher, "rate", "satisfaction", "satisfied"), 404, "", "not found"},
			{"no such order", "dispatcher", orderOut{Order: orders.Order{ID: 99999999}}, map[string]any{"action": "file", "version": 1}, 404, "", "not found"},
		}
		for _, c := range cases {
			reader := "dispatcher"
			if c.order.TownCode != xjTown && c.order.ID != 99999999 {
				reader = "lujiazui_dispatcher"
			}
			var before orderOut
			if c.order.ID != 99999999 {
				a.call(reader, "GET", fmt.Sprintf("/api/v1/orders/%d", c.order.ID), nil, &before)
			}
			var e apiErr
			code := a.call(c.user, "POST", path(c.order), c.body, &e)
			if code != c.status || e.Error.Field != c.field || !strings.Contains(strings.ToLower(e.Error.Message), strings.ToLower(c.msg)) {
				t.Errorf("%s: %d field=%q %q; want %d field=%q with %q", c.name, code, e.Error.Field, e.Error.Message, c.status, c.field, c.msg)
			}
			if c.order.ID != 99999999 {
				var after orderOut
				a.call(reader, "GET", fmt.Sprintf("/api/v1/orders/%d", c.order.ID), nil, &after)
				if d := sameOrder(before, after); d != "" {
					t.Errorf("%s changed the order: %s", c.name, d)
				}
			}
		}

		// Reading: another town's order and another resident's order do not exist for the caller.
		for _, c := range []struct {
			name, user string
			id         int64
		}{
			{"order of another town", "dispatcher", other.ID},
			{"resident reading someone else's order", "resident", byDispatcher.ID},
			{"陆家嘴 dispatcher reading a 新泾镇 order", "lujiazui_dispatcher", received.ID},
		} {
			var e apiErr
			if code := a.call(c.user, "GET", fmt.Sprintf("/api/v1/orders/%d", c.id), nil, &e); code != 404 || e.Error.Status != 404 {
				t.Errorf("%s: %d %+v, want 404", c.name, code, e.Error)
			}
		}
		var list struct {
			Total  int        `json:"total"`
			Orders []orderOut `json:"orders"`
		}
		a.call("resident", "GET", "/api/v1/orders?limit=500", nil, &list)
		for _, o := range list.Orders {
			if o.RaisedBy != a.users["resident"].ID {
				t.Errorf("resident's list shows order %d raised by %d", o.ID, o.RaisedBy)
			}
		}

		// Uploads: a text file and an oversized file are refused and nothing is recorded.
		countUploads := func() int {
			var n int
			if err := a.db.QueryRow(context.Background(), `SELECT COUNT(*) FROM uploads`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		n0 := countUploads()
		big := append([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, make([]byte, 10<<20+10)...)
		huge := append([]byte{0xff, 0xd8, 0xff}, make([]byte, 12<<20)...)
		for _, c := range []struct {
			name     string
			filename string
			content  []byte
			status   int
			msg      string
		}{
			{"text file as a photo", "note.txt", []byte("这不是照片，只是一段文字。\n"), 415, "not a JPEG, PNG or WebP"},
			{"text file named .jpg", "fake.jpg", []byte("hello, not an image"), 415, "not a JPEG, PNG or WebP"},
			{"PNG header with garbage", "broken.png", append([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, make([]byte, 100)...), 415, "cannot decode"},
			{"just over 10 MiB", "big.png", big, 413, "larger than 10 MiB"},
			{"12 MiB", "huge.jpg", huge, 413, "larger than 10 MiB"},
		} {
			code, raw := a.upload(leadHandler, c.filename, c.content)
			var e apiErr
			_ = json.Unmarshal(raw, &e)
			if code != c.status || e.Error.Field != "file" || !strings.Contains(e.Error.Message, c.msg) {
				t.Errorf("upload %s: %d %s; want %d field file with %q", c.name, code, raw, c.status, c.msg)
			}
		}
		if n := countUploads(); n != n0 {
			t.Errorf("refused uploads recorded %d uploads", n-n0)
		}
		var e apiErr
		if code := a.call(leadHandler, "POST", "/api/v1/uploads", `{"file":"x"}`, &e); code != 400 || e.Error.Field != "file" {
			t.Errorf("upload without multipart: %d %+v, want 400 field file", code, e.Error)
		}
	})
}

// TestOrderConcurrentDispatchThroughHTTP has 16 dispatchers' screens send the same dispatch at
// once: one wins, the others are told the order changed, and the history has one dispatch.
func TestOrderConcurrentDispatchThroughHTTP(t *testing.T) {
	eachOrdersApp(t, func(t *testing.T, a *ordersApp) {
		for round := range 3 {
			o := a.walk([]step{{act: workorder.ActFile}})
			body := fmt.Sprintf(`{"action":"dispatch","version":%d,"department":%q}`, o.Version, leadDept)
			const n = 16
			codes, answers, errs := make([]int, n), make([][]byte, n), make([]error, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					<-start
					codes[i], answers[i], errs[i] = a.send("dispatcher", "POST", fmt.Sprintf("/api/v1/orders/%d/actions", o.ID),
						strings.NewReader(body), "application/json")
				})
			}
			close(start)
			wg.Wait()
			byCode := map[int]int{}
			for i := range n {
				if errs[i] != nil {
					t.Fatalf("request %d: %v", i, errs[i])
				}
				byCode[codes[i]]++
				if codes[i] == http.StatusConflict && !strings.Contains(string(answers[i]), "changed") {
					t.Errorf("round %d: a 409 that does not say the order changed: %s", round, answers[i])
				}
				if codes[i] != http.StatusOK && codes[i] != http.StatusConflict {
					t.Errorf("round %d: request %d = %d %s", round, i, codes[i], answers[i])
				}
			}
			if byCode[http.StatusOK] != 1 || byCode[http.StatusConflict] != n-1 {
				t.Errorf("round %d: answers %v; want one 200 and %d × 409", round, byCode, n-1)
			}
			after := a.get(o.ID)
			if after.count(workorder.ActDispatch) != 1 || after.Version != o.Version+1 || after.State != string(workorder.Dispatched) ||
				len(after.Events) != len(o.Events)+1 {
				t.Errorf("round %d: after the race: %s v%d, %d dispatch events, %d events (was %d)", round, after.State, after.Version,
					after.count(workorder.ActDispatch), len(after.Events), len(o.Events))
			}
		}
	})
}

// TestOrderPersonalDataThroughHTTP: a leader sees the caller masked; a dispatcher sees the caller
// whole, and opening the order writes an audit entry that names it.
func TestOrderPersonalDataThroughHTTP(t *testing.T) {
	eachOrdersApp(t, func(t *testing.T, a *ordersApp) {
		o := a.create("dispatcher", map[string]any{"content": "噪音扰民", "address": "新泾二村", "caller_name": "王小明",
			"caller_phone": "13812345678"})
		audited := func() []map[string]any {
			var log struct {
				Entries []map[string]any `json:"entries"`
			}
			if code := a.call("admin", "GET", "/api/v1/audit?action=view_personal_data&entity=order&entity_id="+o.Number, nil, &log); code != 200 {
				t.Fatalf("audit = %d", code)
			}
			return log.Entries
		}
		if es := audited(); len(es) != 0 {
			t.Fatalf("audit entries before anyone opened the order: %v", es)
		}
		path := fmt.Sprintf("/api/v1/orders/%d", o.ID)
		var asLeader orderOut
		if code := a.call("leader", "GET", path, nil, &asLeader); code != 200 {
			t.Fatalf("leader GET = %d", code)
		}
		if asLeader.CallerPhone != "138****5678" || asLeader.CallerName != "王**" || !asLeader.CallerMasked {
			t.Errorf("leader sees caller %q %q masked=%v; want 王** 138****5678 masked", asLeader.CallerName, asLeader.CallerPhone, asLeader.CallerMasked)
		}
		var list struct {
			Orders []orderOut `json:"orders"`
		}
		a.call("leader", "GET", "/api/v1/orders?limit=500", nil, &list)
		for _, lo := range list.Orders {
			if lo.ID == o.ID && (lo.CallerPhone != "138****5678" || !lo.CallerMasked) {
				t.Errorf("leader's list shows caller phone %q masked=%v", lo.CallerPhone, lo.CallerMasked)
			}
		}
		if es := audited(); len(es) != 0 {
			t.Errorf("a masked view was audited as a personal-data view: %v", es)
		}
		var asDispatcher orderOut
		if code := a.call("dispatcher", "GET", path, nil, &asDispatcher); code != 200 {
			t.Fatalf("dispatcher GET = %d", code)
		}
		if asDispatcher.CallerPhone != "13812345678" || asDispatcher.CallerName != "王小明" || asDispatcher.CallerMasked {
			t.Errorf("dispatcher sees caller %q %q masked=%v; want it whole", asDispatcher.CallerName, asDispatcher.CallerPhone, asDispatcher.CallerMasked)
		}
		es := audited()
		if len(es) != 1 || es[0]["actor"] != "dispatcher" || es[0]["entity_id"] != o.Number {
			t.Errorf("audit of personal-data views of %s = %v; want exactly the dispatcher's view", o.Number, es)
		}
		// A resident reading their own order sees their own data whole and is not audited.
		mine := a.walk(nil)
		var own orderOut
		a.call("resident", "GET", fmt.Sprintf("/api/v1/orders/%d", mine.ID), nil, &own)
		if own.CallerMasked || own.CallerPhone != a.users["resident"].Phone {
			t.Errorf("resident sees own phone %q masked=%v", own.CallerPhone, own.CallerMasked)
		}
	})
}
