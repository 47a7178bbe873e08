package web_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
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
		Reason: s("reason"), Result: s("result"), Note: s("note"), Satisfaction: s("satisfaction"), Comment: s("comment")}
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

// walker is who takes each action when the tests walk an order along.
var walker = map[workorder.Action]string{
	workorder.ActAccept: leadHandler, workorder.ActReturn: leadHandler, workorder.ActExtend: leadHandler, workorder.ActReport: leadHandler,
	workorder.ActVerifyPass: "gridworker", workorder.ActVerifyFail: "gridworker", workorder.ActRate: "resident", workorder.ActEscalate: "leader",
}

// step is one action of a walk; over replaces some of the action's valid fields.
type step struct {
	act  workorder.Action
	over map[string]any
}

// walk creates an order as the resident and drives it through steps, each as the role that takes it.
func (a *ordersApp) walk(steps []step) orderOut {
	a.tb.Helper()
	return a.walkFrom("resident", steps)
}

// walkFrom is walk with the order raised by user; a grid worker's patrol report lies in their grid.
func (a *ordersApp) walkFrom(user string, steps []step) orderOut {
	a.tb.Helper()
	fields := map[string]any{"content": "楼道里堆了很多纸箱，影响通行", "address": "协和路191弄36号"}
	if g := a.users[user].GridCode; g != "" {
		fields["grid"] = g
	}
	o := a.create(user, fields)
	for _, st := range steps {
		user := walker[st.act]
		if user == "" {
			user = "dispatcher"
		}
		f := a.validFields(st.act, o)
		for k, v := range st.over {
			f[k] = v
		}
		code, next, e := a.act(user, o, st.act, f)
		if code != http.StatusOK {
			a.tb.Fatalf("walk: %s by %s on %s order = %d %s", st.act, user, o.State, code, e.Error.Message)
		}
		o = next
	}
	return o
}

// situation is a condition an order can be in, and the walk that brings a new order there.
type situation struct {
	name  string
	by    string // who raises the order; "" is the resident
	steps []step
}

func situations() []situation {
	s := func(acts ...workorder.Action) []step {
		out := make([]step, len(acts))
		for i, x := range acts {
			out[i] = step{act: x}
		}
		return out
	}
	toInProgress := s(workorder.ActFile, workorder.ActDispatch, workorder.ActAccept)
	toClosed := append(append([]step{}, toInProgress...), s(workorder.ActReport, workorder.ActVerifyPass)...)
	open := []situation{
		{"received", "", nil},
		{"filed", "", s(workorder.ActFile)},
		{"dispatched", "", s(workorder.ActFile, workorder.ActDispatch)},
		{"in_progress", "", toInProgress},
		{"handled", "", append(append([]step{}, toInProgress...), step{act: workorder.ActReport})},
	}
	out := append([]situation{}, open...)
	out = append(out,
		situation{"received grid-worker patrol report", "gridworker", nil},
		situation{"filed grid-worker patrol report", "gridworker", s(workorder.ActFile)},
		situation{"in_progress, extension pending", "", append(append([]step{}, toInProgress...), step{act: workorder.ActExtend})},
		situation{"closed", "", toClosed},
		situation{"rated satisfied", "", append(append([]step{}, toClosed...), step{act: workorder.ActRate})},
		situation{"rated dissatisfied", "", append(append([]step{}, toClosed...),
			step{act: workorder.ActRate, over: map[string]any{"satisfaction": workorder.Dissatisfied}})},
		situation{"rejected", "", s(workorder.ActReject)},
		situation{"merged", "", s(workorder.ActMerge)},
	)
	for _, o := range open {
		out = append(out, situation{o.name + ", suspended", "", append(append([]step{}, o.steps...), step{act: workorder.ActSuspend})})
	}
	return out
}

// actorOf is the lifecycle actor the server makes of a user.
func actorOf(u auth.User) workorder.Actor {
	a := workorder.Actor{UserID: u.ID, Role: u.Role, Department: u.DepartmentCode}
	if u.GridCode != "" {
		a.Grids = []string{u.GridCode}
	}
	return a
}

// expect is the status the API must answer when user takes action on o with input in: the route
// needs orders:act, a resident sees only the orders they raised, and workorder.Decide rules on
// the rest.
func (a *ordersApp) expect(user string, o orderOut, action workorder.Action, in workorder.Input) int {
	a.tb.Helper()
	u := a.users[user]
	if !auth.Can(u.Role, auth.PermOrdersAct) {
		return http.StatusForbidden
	}
	if u.Role == workorder.RoleResident && o.RaisedBy != u.ID {
		return http.StatusNotFound
	}
	_, err := workorder.Decide(o.wo(), actorOf(u), action, in)
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, workorder.ErrWrongState):
		return http.StatusConflict
	case errors.Is(err, workorder.ErrForbidden):
		return http.StatusForbidden
	}
	a.tb.Fatalf("the test's input for %s is not valid: %v", action, err)
	return 0
}

// sameOrder reports how after differs from before in what no refused action may change.
func sameOrder(before, after orderOut) string {
	var diffs []string
	if before.Version != after.Version {
		diffs = append(diffs, fmt.Sprintf("version %d → %d", before.Version, after.Version))
	}
	if before.State != after.State {
		diffs = append(diffs, fmt.Sprintf("state %s → %s", before.State, after.State))
	}
	if len(before.Events) != len(after.Events) {
		diffs = append(diffs, fmt.Sprintf("%d → %d events", len(before.Events), len(after.Events)))
	}
	if before.Suspended != after.Suspended || before.ExtensionPending != after.ExtensionPending ||
		before.Department != after.Department || before.Satisfaction != after.Satisfaction || before.EscalationLevel != after.EscalationLevel {
		diffs = append(diffs, "flags or department changed")
	}
	return strings.Join(diffs, ", ")
}

// TestOrderActionsByRoleThroughHTTP tries every action of the transition table as every role on
// orders in every situation it can start from — and, for the roles the table names, in every
// other situation too — and checks the API against workorder.Decide: allowed actions answer 200
// with the new state and exactly one new event by that actor; refused ones answer 403 (role,
// ownership, or a role without orders:act at the route) or 409 (state) and change nothing. A
// resident acting on an order someone else raised gets 404: the order does not exist for them.
func TestOrderActionsByRoleThroughHTTP(t *testing.T) {
	roles := []string{"resident", "gridworker", "gridleader", "dispatcher", "handler_police", "handler_market",
		"handler_enforcement", "leader", "deputy", "volunteer", "admin"}
	eachOrdersApp(t, func(t *testing.T, a *ordersApp) {
		tally := map[int]int{}
		allowedBy := map[workorder.Action][]string{}
		for _, sit := range situations() {
			var shared *orderOut // the order refused attempts in this situation run against
			sharedOrder := func() orderOut {
				if shared == nil {
					o := a.walkFrom(cmp.Or(sit.by, "resident"), sit.steps)
					shared = &o
				}
				return *shared
			}
			for _, tr := range workorder.Transitions {
				// The situation is a start of the row unless Decide refuses it on state, which it
				// checks before anything about the actor or the input.
				_, err := workorder.Decide(sharedOrder().wo(), workorder.Actor{}, tr.Action, workorder.Input{})
				start := !errors.Is(err, workorder.ErrWrongState)
				for _, user := range roles {
					if !start && !slices.Contains(tr.Roles, a.users[user].Role) {
						continue // outside its starts, a row is tried only by the roles it names (they must get 409)
					}
					o := sharedOrder()
					fields := a.validFields(tr.Action, o)
					want := a.expect(user, o, tr.Action, inputOf(fields))
					if want == http.StatusOK {
						o = a.walkFrom(cmp.Or(sit.by, "resident"), sit.steps) // a fresh order for every change
						fields = a.validFields(tr.Action, o)
					}
					code, got, e := a.act(user, o, tr.Action, fields)
					tally[code]++
					name := fmt.Sprintf("%s by %s on a %s order", tr.Action, user, sit.name)
					if code != want {
						t.Errorf("%s = %d (%s), want %d", name, code, e.Error.Message, want)
					}
					if want == http.StatusOK {
						allowedBy[tr.Action] = append(allowedBy[tr.Action], user)
						checkAllowed(t, a, name, user, tr, o, got)
						continue
					}
					if e.Error.Status != code || e.Error.Message == "" {
						t.Errorf("%s: error body %+v does not explain the %d", name, e.Error, code)
					}
					after := a.get(o.ID)
					if d := sameOrder(o, after); d != "" {
						t.Errorf("%s was refused with %d but changed the order: %s", name, code, d)
					}
					if d := sameOrder(o, after); d != "" || code == http.StatusOK {
						shared = nil // start the situation afresh
					}
				}
			}
		}
		for _, tr := range workorder.Transitions {
			if len(allowedBy[tr.Action]) == 0 && !slices.Equal(tr.Roles, []string{workorder.RoleSystem}) {
				t.Errorf("%s was never allowed: the walk does not reach its starts or no demo user may take it", tr.Action)
			}
		}
		t.Logf("answers by status: %v", tally)
	})
}

// checkAllowed checks an allowed action's answer and what was stored.
func checkAllowed(t *testing.T, a *ordersApp, name, user string, tr workorder.Transition, before, got orderOut) {
	t.Helper()
	u := a.users[user]
	wantState := string(tr.To)
	if wantState == "" {
		wantState = before.State
	}
	if got.State != wantState || got.Version != before.Version+1 {
		t.Errorf("%s: state %s version %d, want %s version %d", name, got.State, got.Version, wantState, before.Version+1)
	}
	if len(got.Events) != len(before.Events)+1 || got.count(tr.Action) != before.count(tr.Action)+1 {
		t.Errorf("%s: %d events (%d of them %s), want exactly one new one", name, len(got.Events), got.count(tr.Action), tr.Action)
	} else {
		ev := got.Events[len(got.Events)-1]
		wantActor := u.DisplayName
		if wantActor == "" {
			wantActor = u.Username
		}
		if ev.Action != string(tr.Action) || ev.ActorID != u.ID || ev.Actor != wantActor || ev.Role != u.Role ||
			ev.From != before.State || ev.To != wantState {
			t.Errorf("%s: last event %+v; want %s by %s (%d, %s) from %s to %s", name, ev, tr.Action, wantActor, u.ID, u.Role,
				before.State, wantState)
		}
	}
	stored := a.get(before.ID)
	if stored.State != got.State || stored.Version != got.Version || len(stored.Events) != len(got.Events) {
		t.Errorf("%s: stored order (%s, v%d, %d events) differs from the answer (%s, v%d, %d events)", name,
			stored.State, stored.Version, len(stored.Events), got.State, got.Version, len(got.Events))
	}
}

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
