package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/web"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// The 新泾镇 demo codes the order tests work with.
const (
	xjTown      = "310105102"
	xjGrid      = "310105102-G04" // gridworker's and gridleader's grid
	xjCategory  = "0101"          // 暴露垃圾
	leadDept    = "xj-police"     // the lead department orders are dispatched to
	coDept      = "xj-market"     // a co-department (协办)
	leadHandler = "handler_police"
)

// ordersUsers are the demo users the order tests act as; handler_market's department is the
// co-department and handler_enforcement's has nothing to do with the orders.
var ordersUsers = []string{"admin", "dispatcher", "handler_police", "handler_market", "handler_enforcement", "gridworker",
	"gridleader", "leader", "deputy", "resident", "volunteer", "lujiazui_dispatcher"}

// ordersApp is a demo server under httptest with the category tree, one uploaded photo, an order
// to merge duplicates into, and API tokens for every demo user the tests act as. It takes a
// testing.TB so that the benchmark can use it too.
type ordersApp struct {
	tb     testing.TB
	db     *store.DB
	srv    *httptest.Server
	client *http.Client
	tokens map[string]string
	users  map[string]auth.User
	photo  string // id of an uploaded photo
	target int64  // a received order that merges name as duplicate_of
}

// eachOrdersApp runs body on both databases, each with an orders app on the demo (newOrdersApp).
func eachOrdersApp(t *testing.T, body func(t *testing.T, a *ordersApp)) {
	testdb.Each(t, func(t *testing.T, db *store.DB) { body(t, newOrdersApp(t, db)) })
}

func newOrdersApp(tb testing.TB, db *store.DB) *ordersApp {
	tb.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := demo.Load(ctx, db, quiet); err != nil {
		tb.Fatalf("load demo: %v", err)
	}
	st := orders.New(db)
	for _, c := range []orders.Category{
		{TownCode: xjTown, Code: "01", Name: "市容环境"},
		{TownCode: xjTown, Code: xjCategory, Parent: "01", Name: "暴露垃圾", DeadlineClass: workorder.ClassGeneral, Department: "xj-sanitation"},
	} {
		if err := st.SaveCategory(ctx, db, c); err != nil {
			tb.Fatalf("category %s: %v", c.Code, err)
		}
	}
	s, err := web.New(web.Config{DB: db, Log: quiet, DataDir: tb.TempDir()})
	if err != nil {
		tb.Fatal(err)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	a := &ordersApp{tb: tb, db: db, srv: httptest.NewServer(s.Handler()), client: &http.Client{Transport: tr},
		tokens: map[string]string{}, users: map[string]auth.User{}}
	tb.Cleanup(func() {
		tr.CloseIdleConnections()
		a.srv.Close()
	})
	for _, name := range ordersUsers {
		u, err := auth.UserByUsername(ctx, db, name)
		if err != nil {
			tb.Fatalf("demo user %s: %v", name, err)
		}
		tok, err := auth.CreateToken(ctx, db, u.ID, "test")
		if err != nil {
			tb.Fatal(err)
		}
		a.users[name], a.tokens[name] = u, tok
	}
	var up struct {
		ID string `json:"id"`
	}
	if code, raw := a.upload(leadHandler, "photo.png", testPhoto()); code != http.StatusCreated {
		tb.Fatalf("upload photo = %d %s", code, raw)
	} else if err := json.Unmarshal(raw, &up); err != nil || len(up.ID) != 64 {
		tb.Fatalf("upload answer %s (%v)", raw, err)
	}
	a.photo = up.ID
	a.target = a.create("dispatcher", map[string]any{"content": "同一处暴露垃圾（先报的一件）", "address": "协和路191弄"}).ID
	return a
}

// testPhoto is a small PNG with some structure in it.
func testPhoto() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// send makes one request as user ("" = anonymous) and returns the status and body. It does not
// touch testing.TB, so goroutines may call it.
func (a *ordersApp) send(user, method, path string, body io.Reader, contentType string) (int, []byte, error) {
	req, err := http.NewRequest(method, a.srv.URL+path, body)
	if err != nil {
		return 0, nil, err
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+a.tokens[user])
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// call sends body (a string as is, anything else as JSON) and decodes the answer into out.
func (a *ordersApp) call(user, method, path string, body any, out any) int {
	a.tb.Helper()
	var r io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		r, ct = strings.NewReader(b), "application/json"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			a.tb.Fatal(err)
		}
		r, ct = bytes.NewReader(raw), "application/json"
	}
	code, raw, err := a.send(user, method, path, r, ct)
	if err != nil {
		a.tb.Fatalf("%s %s: %v", method, path, err)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			a.tb.Fatalf("%s %s = %d: answer is not JSON (%v): %s", method, path, code, err, raw)
		}
	}
	return code
}

// upload posts content as the multipart field "file".
func (a *ordersApp) upload(user, filename string, content []byte) (int, []byte) {
	a.tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		a.tb.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = mw.Close()
	code, raw, err := a.send(user, "POST", "/api/v1/uploads", &buf, mw.FormDataContentType())
	if err != nil {
		a.tb.Fatalf("upload: %v", err)
	}
	return code, raw
}

// orderOut is an order as the API returns it.
type orderOut struct {
	orders.Order
	AllowedActions []string `json:"allowed_actions"`
	CallerMasked   bool     `json:"caller_masked"`
}

func (o orderOut) wo() workorder.Order {
	return workorder.Order{ID: o.ID, State: workorder.State(o.State), Grid: o.Grid, Department: o.Department,
		CoDepartments: o.CoDepartments, Suspended: o.Suspended, ExtensionPending: o.ExtensionPending,
		Satisfaction: o.Satisfaction, RaisedBy: o.RaisedBy, Version: o.Version}
}

func (o orderOut) count(action workorder.Action) int {
	n := 0
	for _, e := range o.Events {
		if e.Action == string(action) {
			n++
		}
	}
	return n
}

func (a *ordersApp) create(user string, fields map[string]any) orderOut {
	a.tb.Helper()
	var o orderOut
	if code := a.call(user, "POST", "/api/v1/orders", fields, &o); code != http.StatusCreated {
		a.tb.Fatalf("create order as %s = %d", user, code)
	}
	return o
}

// get reads an order as the dispatcher, who sees every order of the town.
func (a *ordersApp) get(id int64) orderOut {
	a.tb.Helper()
	var o orderOut
	if code := a.call("dispatcher", "GET", fmt.Sprintf("/api/v1/orders/%d", id), nil, &o); code != http.StatusOK {
		a.tb.Fatalf("GET order %d = %d", id, code)
	}
	return o
}

// act posts an action with the version of o; the answer is the new order on 200, else the error.
func (a *ordersApp) act(user string, o orderOut, action workorder.Action, fields map[string]any) (int, orderOut, apiErr) {
	a.tb.Helper()
	body := map[string]any{"action": string(action), "version": o.Version}
	for k, v := range fields {
		body[k] = v
	}
	raw, _ := json.Marshal(body)
	code, ans, err := a.send(user, "POST", fmt.Sprintf("/api/v1/orders/%d/actions", o.ID), bytes.NewReader(raw), "application/json")
	if err != nil {
		a.tb.Fatalf("%s by %s: %v", action, user, err)
	}
	var out orderOut
	var e apiErr
	if code == http.StatusOK {
		err = json.Unmarshal(ans, &out)
	} else {
		err = json.Unmarshal(ans, &e)
	}
	if err != nil {
		a.tb.Fatalf("%s by %s = %d: answer is not JSON (%v): %s", action, user, code, err, ans)
	}
	return code, out, e
}

// validFields is input with which action is acceptable on o, as JSON fields: a valid value for
// every field its table row requires or reads, so that a new row needs no change here.
func (a *ordersApp) validFields(action workorder.Action, o orderOut) map[string]any {
	tr, ok := workorder.Lookup(action)
	if !ok {
		a.tb.Fatalf("no action %s in the table", action)
	}
	out := map[string]any{}
	for _, f := range append(append([]string{}, tr.Requires...), tr.Optional...) {
		switch f {
		case workorder.FieldCategory:
			out[f] = xjCategory
		case workorder.FieldGrid:
			out[f] = xjGrid
		case workorder.FieldDeadlineClass:
			out[f] = workorder.ClassGeneral
		case workorder.FieldDepartment:
			out[f] = leadDept
		case workorder.FieldCoDepartments:
			out[f] = []string{coDept}
		case workorder.FieldReason:
			out[f] = "测试原因：需协调产权单位"
		case workorder.FieldResult:
			out[f] = "已清运，现场恢复整洁"
		case workorder.FieldNote:
			out[f] = "现场已核实"
		case workorder.FieldPhotos:
			out[f] = []string{a.photo}
		case workorder.FieldSatisfaction:
			out[f] = workorder.Satisfied
		case workorder.FieldComment:
			out[f] = "处理及时"
		case workorder.FieldCallbackOutcome:
			out[f] = workorder.CallbackUnreachable
		case workorder.FieldDuplicateOf:
			out[f] = a.target
		case workorder.FieldDeadline:
			base := time.Now()
			if o.Deadline != nil && o.Deadline.After(base) {
				base = *o.Deadline
			}
			out[f] = base.Add(72 * time.Hour).Format(time.RFC3339)
		default:
			a.tb.Fatalf("%s reads field %q, for which the test has no valid value: add one to validFields", action, f)
		}
	}
	return out
}

// inputOf converts fields made by validFields for workorder.Decide.
func inputOf(f map[string]any) workorder.Input {
	s := func(k string) string { v, _ := f[k].(string); return v }
	in := workorder.Input{Category: s("category"), Grid: s("grid"), DeadlineClass: s("deadline_class"), Department: s("department"),
		Reason: s("reason"), Result: s("result"), Note: s("note"), Satisfaction: s("satisfaction"), Comment: s("comment"),
		CallbackOutcome: s("callback_outcome")}
	in.CoDepartments, _ = f["co_departments"].([]string)
	in.Photos, _ = f["photos"].([]string)
	in.DuplicateOf, _ = f["duplicate_of"].(int64)
	if d := s("deadline"); d != "" {
		t, err := time.Parse(time.RFC3339, d)
		if err != nil {
			panic(err)
		}
		in.Deadline = &t
	}
	return in
}
