package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// The personal-data sweep: every route that returns personal data, called as every role, must
// show each record whole exactly when the rule says so (internal/privacy: admin and dispatcher in
// their town; a handler on the orders of their own department; grid staff in their grid; a
// campaign's team on its targets; everyone their own records) and masked otherwise — and each
// response must write one audit row exactly when it showed someone else's data whole, naming
// whose. The expectations below are written out by hand, not derived from the rule.

// subject is one record with personal data and the strings that give it away.
type subject struct {
	id      string   // what its audit row names: an order number, a target id, a user id, a member id
	marker  string   // present in every response that shows it whole
	secrets []string // none present in a response that shows it masked
}

// sweepFixture holds the records of the sweep.
type sweepFixture struct {
	a              *ordersApp
	orderA, orderB orderOut // A: 新泾派出所, grid G04; B: 城管执法中队, grid G01
	campaign       int64
	t1, t2         int64 // households in G04 and G01
	v1, v2         int64 // visits to t1 (by gridworker) and t2 (by gridleader)
	subjects       map[string]subject
	residentID     int64
	memberID       int64
	memberPhone    string
}

// Every role the sweep calls as; changning is the 长宁区 district account (a leader).
var sweepRoles = []string{"admin", "dispatcher", "handler_police", "handler_market", "handler_enforcement", "gridworker", "gridleader",
	"leader", "deputy", "volunteer", "resident", "changning", "lujiazui_dispatcher"}

func newSweep(t *testing.T, db *store.DB) *sweepFixture {
	t.Helper()
	ctx := context.Background()
	a := newOrdersApp(t, db)
	u, err := auth.UserByUsername(ctx, db, "changning")
	if err != nil {
		t.Fatal(err)
	}
	if a.tokens["changning"], err = auth.CreateToken(ctx, db, u.ID, "test"); err != nil {
		t.Fatal(err)
	}
	a.users["changning"] = u
	f := &sweepFixture{a: a, subjects: map[string]subject{}, residentID: a.users["resident"].ID}

	dispatch := func(o orderOut, grid, dept string) orderOut {
		t.Helper()
		fields := a.validFields(workorder.ActFile, o)
		fields["grid"] = grid
		code, filed, e := a.act("dispatcher", o, workorder.ActFile, fields)
		if code != http.StatusOK {
			t.Fatalf("file = %d %+v", code, e)
		}
		code, out, e := a.act("dispatcher", filed, workorder.ActDispatch, map[string]any{"department": dept, "co_departments": []string{}})
		if code != http.StatusOK {
			t.Fatalf("dispatch = %d %+v", code, e)
		}
		return out
	}
	f.orderA = dispatch(a.create("dispatcher", map[string]any{"content": "隐私测试：楼上噪音扰民，请回电13811110001", "address": "协和路191弄36号404室",
		"caller_name": "王小明", "caller_phone": "13811110001", "grid": xjGrid}), xjGrid, "xj-police")
	f.orderB = dispatch(a.create("dispatcher", map[string]any{"content": "隐私测试：路灯不亮，联系13911110002", "address": "天山西路799号3楼",
		"caller_name": "李四海", "caller_phone": "13911110002", "grid": "310105102-G01"}), "310105102-G01", "xj-enforcement")
	f.subjects["A"] = subject{f.orderA.Number, "13811110001", []string{"13811110001", "王小明", "404室"}}
	f.subjects["B"] = subject{f.orderB.Number, "13911110002", []string{"13911110002", "李四海", "799号3楼"}}

	// A campaign whose team is handler_enforcement, with a household in each grid and a visit to each.
	var cp struct {
		ID int64 `json:"id"`
	}
	body := fmt.Sprintf(`{"name":"隐私走访","kind":"other","start":"2025-01-01","end":"2027-12-31","team":[%d]}`, a.users["handler_enforcement"].ID)
	if code := a.call("admin", "POST", "/api/v1/campaigns", body, &cp); code != http.StatusCreated {
		t.Fatalf("create campaign = %d", code)
	}
	f.campaign = cp.ID
	target := func(name, contact, grid string) int64 {
		var tg struct {
			ID int64 `json:"id"`
		}
		in := map[string]any{"kind": "household", "name": name, "address": name, "contact": contact, "grid": grid}
		if code := a.call("admin", "POST", fmt.Sprintf("/api/v1/campaigns/%d/targets", cp.ID), in, &tg); code != http.StatusCreated {
			t.Fatalf("add target = %d", code)
		}
		return tg.ID
	}
	f.t1 = target("剑河路176弄12号301室", "王阿姨 13822220001（独居老人）", xjGrid)
	f.t2 = target("北翟路175号8号楼2单元1101室", "张伯 13722220002（行动不便）", "310105102-G01")
	visit := func(user string, tid int64, findings, needs string) int64 {
		var v struct {
			ID int64 `json:"id"`
		}
		in := map[string]any{"status": "visited", "findings": findings, "needs": needs}
		if code := a.call(user, "POST", fmt.Sprintf("/api/v1/campaigns/%d/targets/%d/visits", cp.ID, tid), in, &v); code != http.StatusCreated {
			t.Fatalf("log visit as %s = %d", user, code)
		}
		return v.ID
	}
	f.v1 = visit("gridworker", f.t1, "独居，腿脚不便，女儿电话13833330001", "需要助餐服务")
	f.v2 = visit("gridleader", f.t2, "家中漏水，电话13733330002", "申请维修基金")
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	f.subjects["T1"] = subject{id(f.t1), "301室", []string{"301室", "13822220001", "独居老人"}}
	f.subjects["T2"] = subject{id(f.t2), "1101室", []string{"1101室", "13722220002", "行动不便"}}
	// A visit's audit row names its target.
	f.subjects["V1"] = subject{id(f.t1), "腿脚不便", []string{"腿脚不便", "助餐服务", "13833330001"}}
	f.subjects["V2"] = subject{id(f.t2), "家中漏水", []string{"家中漏水", "维修基金", "13733330002"}}

	res := a.users["resident"]
	f.subjects["R"] = subject{id(res.ID), res.Phone, []string{res.Phone, res.DisplayName}}
	// A member of G04 who is no user of the sweep.
	if err := db.QueryRow(ctx, `SELECT id, phone FROM grid_members WHERE grid_code = ? AND phone <> '' AND user_id IS NULL ORDER BY id LIMIT 1`, xjGrid).
		Scan(&f.memberID, &f.memberPhone); err != nil {
		t.Fatalf("a member of %s with a phone: %v", xjGrid, err)
	}
	f.subjects["M"] = subject{id(f.memberID), f.memberPhone, []string{f.memberPhone}}
	return f
}

// auditRow is one view_personal_data row.
type auditRow struct {
	ID                      int64
	Actor, Entity, EntityID string
	Detail                  string
}

func (f *sweepFixture) auditSince(t *testing.T, after int64) []auditRow {
	t.Helper()
	rows, err := f.a.db.Query(context.Background(), `SELECT id, actor, entity, entity_id, detail FROM audit_log WHERE action = 'view_personal_data' AND id > ? ORDER BY id`, after)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var r auditRow
		if err := rows.Scan(&r.ID, &r.Actor, &r.Entity, &r.EntityID, &r.Detail); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func (f *sweepFixture) lastAudit(t *testing.T) int64 {
	t.Helper()
	var id int64
	if err := f.a.db.QueryRow(context.Background(), `SELECT COALESCE(MAX(id), 0) FROM audit_log`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// route is a request that returns personal data, and the subjects its answer carries.
type route struct {
	name     string
	path     string
	subjects []string // the subjects the answer holds, when the role may read it at all
}

func (f *sweepFixture) routes() []route {
	cp := fmt.Sprintf("/campaigns/%d", f.campaign)
	return []route{
		{"orders API list", "/api/v1/orders?limit=500&q=" + "隐私测试", []string{"A", "B"}},
		{"order A API", fmt.Sprintf("/api/v1/orders/%d", f.orderA.ID), []string{"A"}},
		{"order B API", fmt.Sprintf("/api/v1/orders/%d", f.orderB.ID), []string{"B"}},
		{"orders page", "/orders?q=" + "隐私测试", []string{"A", "B"}},
		{"order A page", fmt.Sprintf("/orders/%d", f.orderA.ID), []string{"A"}},
		{"order B page", fmt.Sprintf("/orders/%d", f.orderB.ID), []string{"B"}},
		{"targets API", "/api/v1" + cp + "/targets", []string{"T1", "T2"}},
		{"target T1 API", fmt.Sprintf("/api/v1%s/targets/%d", cp, f.t1), []string{"T1", "V1"}},
		{"target T2 API", fmt.Sprintf("/api/v1%s/targets/%d", cp, f.t2), []string{"T2", "V2"}},
		{"visits API", "/api/v1" + cp + "/visits", []string{"T1", "T2", "V1", "V2"}}, // visits name their targets
		{"campaign page", cp, []string{"T1", "T2", "V1", "V2"}},
		{"target T1 page", fmt.Sprintf("%s/targets/%d", cp, f.t1), []string{"T1", "V1"}},
		{"target T2 page", fmt.Sprintf("%s/targets/%d", cp, f.t2), []string{"T2", "V2"}},
		{"users API", "/api/v1/users", []string{"R"}},
		{"user API", fmt.Sprintf("/api/v1/users/%d", f.residentID), []string{"R"}},
		{"users page", "/admin/users", []string{"R"}},
		{"grid page", "/admin/grids/" + xjGrid, []string{"M"}},
	}
}

// whole is the hand-written rule: for each role, the subjects it sees whole ("own" ones are
// marked with a trailing *: whole, but not audited), and the route groups it may not read at all.
var sweepWhole = map[string]string{
	"admin":               "A B T1 T2 V1 V2 R M",
	"dispatcher":          "A B T1 T2 V1 V2 R M",
	"handler_police":      "A M",
	"handler_market":      "M",
	"handler_enforcement": "B T1 T2 V1 V2 M", // on the campaign's team
	"gridworker":          "A T1 V1* M",      // grid G04; V1 is the visit they logged
	"gridleader":          "A T1 V1 V2* R M", // grid G04; V2 is theirs
	"leader":              "",
	"deputy":              "",
	"volunteer":           "",
	"resident":            "",
	"changning":           "",
	"lujiazui_dispatcher": "",
}

// sweepNoAccess lists, per role, the subjects it cannot read at all (403/404 or left out of a list).
var sweepNoAccess = map[string]string{
	"volunteer":           "A B R", // no orders:read, no users:read
	"resident":            "A B T1 T2 V1 V2 R M",
	"deputy":              "R",
	"handler_police":      "R",
	"handler_market":      "R",
	"handler_enforcement": "R",
	"gridworker":          "R",
	"lujiazui_dispatcher": "A B T1 T2 V1 V2 R M",
}

func fieldsOf(s string) map[string]bool {
	m := map[string]bool{}
	for _, x := range strings.Fields(s) {
		m[x] = true
	}
	return m
}

func TestPersonalDataSweep(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newSweep(t, db)
		for _, role := range sweepRoles {
			whole, none := fieldsOf(sweepWhole[role]), fieldsOf(sweepNoAccess[role])
			for _, rt := range f.routes() {
				t.Run(role+" "+rt.name, func(t *testing.T) {
					before := f.lastAudit(t)
					code, raw, err := f.a.send(role, "GET", rt.path, nil, "")
					if err != nil {
						t.Fatal(err)
					}
					body := string(raw)
					var readable []string
					for _, s := range rt.subjects {
						if !none[s] {
							readable = append(readable, s)
						}
					}
					if len(readable) == 0 {
						if code == http.StatusOK {
							for _, s := range rt.subjects {
								f.noSecrets(t, body, s)
							}
						} else if code != http.StatusForbidden && code != http.StatusNotFound {
							t.Errorf("status %d, want 403 or 404 (or a list without the records)", code)
						}
						// The answer may hold other records of the role's own town, whole and
						// audited; none of the sweep's may be named.
						for _, r := range f.auditSince(t, before) {
							for _, s := range rt.subjects {
								if id := f.subjects[s].id; r.EntityID == id || strings.Contains(r.Detail, " "+id+" ") {
									t.Errorf("audit row names %s, which the role cannot read: %+v", s, r)
								}
							}
						}
						return
					}
					if code != http.StatusOK {
						t.Fatalf("status %d\n%.300s", code, body)
					}
					var audited []string
					for _, s := range rt.subjects {
						name := strings.TrimSuffix(s, "*")
						switch {
						case none[name]:
							f.noSecrets(t, body, name)
						case whole[name] || whole[name+"*"]:
							if !strings.Contains(body, f.subjects[name].marker) {
								t.Errorf("%s should be whole (%q) but is not", name, f.subjects[name].marker)
							}
							if whole[name] {
								audited = append(audited, f.subjects[name].id)
							}
						default:
							f.noSecrets(t, body, name)
						}
					}
					rows := f.auditSince(t, before)
					if len(audited) == 0 {
						if len(rows) != 0 {
							t.Errorf("audit rows for an answer with nothing shown whole: %+v", rows)
						}
						return
					}
					if len(rows) != 1 {
						t.Fatalf("%d audit rows, want exactly one naming %v: %+v", len(rows), audited, rows)
					}
					r := rows[0]
					if r.Actor != role {
						t.Errorf("audit row of %s, want %s", r.Actor, role)
					}
					for _, id := range audited {
						if r.EntityID != id && !strings.Contains(r.Detail, " "+id+" ") {
							t.Errorf("audit row does not name %s: %+v", id, r)
						}
					}
					for _, s := range rt.subjects {
						if id := f.subjects[s].id; !slices.Contains(audited, id) && (r.EntityID == id || strings.Contains(r.Detail, " "+id+" ")) {
							t.Errorf("audit row names %s (%s), which was not shown whole: %+v", s, id, r)
						}
					}
				})
			}
		}
	})
}

func (f *sweepFixture) noSecrets(t *testing.T, body, name string) {
	t.Helper()
	for _, s := range f.subjects[name].secrets {
		if strings.Contains(body, s) {
			t.Errorf("%s should be masked but %q shows", name, s)
		}
	}
}

// TestPersonalDataInFullLists: the list a handler of another department once read 405 phones
// from — the whole list, not a filtered one — masks every order that is not theirs, and the
// district account sees every town's orders masked.
func TestPersonalDataInFullLists(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newSweep(t, db)
		for role, wantWhole := range map[string]string{"handler_police": "A", "handler_enforcement": "B", "gridworker": "A", "leader": "", "changning": ""} {
			var list struct {
				Orders []orderOut `json:"orders"`
			}
			if code := f.a.call(role, "GET", "/api/v1/orders?limit=500", nil, &list); code != http.StatusOK {
				t.Fatalf("%s: list = %d", role, code)
			}
			seen := 0
			for _, o := range list.Orders {
				raw, _ := json.Marshal(o)
				for _, name := range []string{"A", "B"} {
					if o.Number != f.subjects[name].id {
						continue
					}
					seen++
					if strings.Contains(wantWhole, name) {
						if !strings.Contains(string(raw), f.subjects[name].marker) || o.CallerMasked {
							t.Errorf("%s: order %s masked in the list", role, name)
						}
					} else {
						f.noSecrets(t, string(raw), name)
						if !o.CallerMasked {
							t.Errorf("%s: order %s not flagged caller_masked", role, name)
						}
					}
				}
				// Whatever the order, a handler sees whole only what its department handles.
				if role == "handler_police" && !o.CallerMasked && o.CallerPhone != "" && o.Department != "xj-police" && !slices.Contains(o.CoDepartments, "xj-police") {
					t.Errorf("handler_police sees %s of %s whole", o.Number, o.Department)
				}
			}
			if seen != 2 {
				t.Errorf("%s: %d of the 2 orders listed", role, seen)
			}
		}
	})
}

// TestPersonalDataInActionResponses: an action answers with the order, audited like a read when
// it is whole, masked for a role that sees it masked; raising an order from a visit likewise.
func TestPersonalDataInActionResponses(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newSweep(t, db)
		a := f.a
		before := f.lastAudit(t)
		code, accepted, e := a.act("handler_police", f.orderA, workorder.ActAccept, nil)
		if code != http.StatusOK || accepted.CallerPhone != "13811110001" {
			t.Fatalf("accept = %d %+v; caller %q", code, e, accepted.CallerPhone)
		}
		rows := f.auditSince(t, before)
		if len(rows) != 1 || rows[0].EntityID != f.orderA.Number || rows[0].Actor != "handler_police" {
			t.Errorf("audit of the accept answer: %+v", rows)
		}
		before = f.lastAudit(t)
		code, escalated, e := a.act("leader", f.orderB, workorder.ActEscalate, map[string]any{"note": "请加快处理"})
		if code != http.StatusOK {
			t.Fatalf("escalate = %d %+v", code, e)
		}
		raw, _ := json.Marshal(escalated)
		f.noSecrets(t, string(raw), "B")
		if rows := f.auditSince(t, before); len(rows) != 0 {
			t.Errorf("a masked answer audited: %+v", rows)
		}
		// The visit's order: its caller is the target's contact. The dispatcher raises it from
		// gridleader's visit and sees it whole (audited); the volunteer may not raise orders.
		before = f.lastAudit(t)
		var vo struct {
			Order orderOut `json:"order"`
		}
		if code := a.call("dispatcher", "POST", fmt.Sprintf("/api/v1/visits/%d/order", f.v2), nil, &vo); code != http.StatusForbidden {
			// The dispatcher is not on the team nor grid staff: only visitors raise orders.
			t.Fatalf("dispatcher raising an order from a visit = %d", code)
		}
		if code := a.call("handler_enforcement", "POST", fmt.Sprintf("/api/v1/visits/%d/order", f.v2), nil, &vo); code != http.StatusCreated {
			t.Fatalf("team member raising an order from a visit = %d", code)
		}
		// The order is not handler_enforcement's department's (nobody's yet): masked, not audited.
		raw, _ = json.Marshal(vo.Order)
		if strings.Contains(string(raw), "13722220002") || !vo.Order.CallerMasked {
			t.Errorf("the visit's order is shown whole to a handler of no department of it: %s", raw)
		}
		if rows := f.auditSince(t, before); len(rows) != 0 {
			t.Errorf("a masked answer audited: %+v", rows)
		}
		var again struct {
			Order orderOut `json:"order"`
		}
		if code := a.call("gridleader", "POST", fmt.Sprintf("/api/v1/visits/%d/order", f.v2), nil, &again); code != http.StatusOK {
			t.Fatalf("the visitor asking again = %d", code)
		}
		if !strings.Contains(again.Order.CallerName, "13722220002") || again.Order.CallerMasked {
			t.Errorf("the visitor's own order (raised by them) is masked: %+v", again.Order.CallerName)
		}
		if rows := f.auditSince(t, before); len(rows) != 0 {
			t.Errorf("the visitor's own order was audited: %+v", rows)
		}
	})
}

// TestAuditSubject: the audit log finds a record's views, list views included.
func TestAuditSubject(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) { auditSubject(t, newSweep(t, db)) })
}

func auditSubject(t *testing.T, f *sweepFixture) {
	if code, _, _ := f.a.send("dispatcher", "GET", "/api/v1/orders?limit=500&q=隐私测试", nil, ""); code != http.StatusOK {
		t.Fatal(code)
	}
	var log struct {
		Entries []map[string]any `json:"entries"`
	}
	if code := f.a.call("admin", "GET", "/api/v1/audit?action=view_personal_data&subject="+f.orderB.Number, nil, &log); code != http.StatusOK {
		t.Fatal(code)
	}
	found := false
	for _, e := range log.Entries {
		if e["actor"] == "dispatcher" && strings.Contains(e["detail"].(string), "/api/v1/orders?") {
			found = true
		}
		if e["entity_id"] != f.orderB.Number && !strings.Contains(e["detail"].(string), " "+f.orderB.Number+" ") {
			t.Errorf("entry not about %s: %v", f.orderB.Number, e)
		}
	}
	if !found {
		t.Errorf("the dispatcher's list view is not found by subject: %v", log.Entries)
	}
}

// TestPhotosNeedTownOrSignature: knowing a photo's hash is not enough to open it. A signed-in
// user of the photo's town opens it; a user of another town and anyone not signed in do not;
// the tracking page and API hand out signed references, which open without signing in, and a
// forged or moved signature does not.
func TestPhotosNeedTownOrSignature(t *testing.T) {
	eachOrdersApp(t, func(t *testing.T, a *ordersApp) {
		status := func(user, path string) int {
			t.Helper()
			code, _, err := a.send(user, "GET", path, nil, "")
			if err != nil {
				t.Fatal(err)
			}
			return code
		}
		for _, p := range []string{"/uploads/" + a.photo, "/uploads/" + a.photo + "/thumb"} {
			for user, want := range map[string]int{"": 404, "lujiazui_dispatcher": 404, "handler_police": 200, "leader": 200, "resident": 200} {
				if got := status(user, p); got != want {
					t.Errorf("%s as %q = %d, want %d", p, user, got, want)
				}
			}
		}
		// The resident's order, handled with the photo as evidence.
		o := a.walk([]step{{act: workorder.ActFile}, {act: workorder.ActDispatch}, {act: workorder.ActAccept}, {act: workorder.ActReport}})
		var track struct {
			Timeline []struct {
				Photos []string `json:"photos"`
			} `json:"timeline"`
		}
		if code := a.call("", "GET", "/api/v1/track?number="+o.Number+"&code="+o.ShortCode, nil, &track); code != http.StatusOK {
			t.Fatalf("track = %d", code)
		}
		var ref string
		for _, e := range track.Timeline {
			for _, p := range e.Photos {
				ref = p
			}
		}
		if !strings.HasPrefix(ref, a.photo+".") {
			t.Fatalf("tracking shows photo %q, want a signed reference of %s", ref, a.photo)
		}
		for path, want := range map[string]int{
			"/uploads/" + ref:                                 200,
			"/uploads/" + ref + "/thumb":                      200,
			"/uploads/" + a.photo + ".AAAAAAAAAAAAAAAAAAAAAA": 404,
			"/uploads/" + strings.Repeat("0", 64) + ref[64:]:  404, // the signature of another photo
		} {
			if got := status("", path); got != want {
				t.Errorf("anonymous %s = %d, want %d", path, got, want)
			}
		}
		_, page, err := a.send("", "GET", "/track?number="+o.Number+"&code="+o.ShortCode, nil, "")
		if err != nil || !strings.Contains(string(page), "/uploads/"+ref+"/thumb") {
			t.Errorf("tracking page does not link the signed photo (%v)", err)
		}
	})
}

// TestOpen311PhotosThroughHTTP: through the mounted endpoint, a handled order's photo is not
// published until the town sets open311_public_photos; then its link opens without signing in,
// while the bare photo id still does not. A list of 10,000 service codes is a 400.
func TestOpen311PhotosThroughHTTP(t *testing.T) {
	eachOrdersApp(t, func(t *testing.T, a *ordersApp) {
		o := a.walk([]step{{act: workorder.ActFile}, {act: workorder.ActDispatch}, {act: workorder.ActAccept}, {act: workorder.ActReport}})
		mediaURL := func() string {
			t.Helper()
			code, raw, err := a.send("", "GET", "/open311/v2/requests/"+o.Number+".json?jurisdiction_id="+xjTown, nil, "")
			var got []struct {
				MediaURL string `json:"media_url"`
				Address  string `json:"address"`
			}
			if err != nil || code != http.StatusOK || json.Unmarshal(raw, &got) != nil || len(got) != 1 {
				t.Fatalf("open311 request = %d %s (%v)", code, raw, err)
			}
			if strings.Contains(got[0].Address, "36号") {
				t.Errorf("open311 publishes the address %q", got[0].Address)
			}
			return got[0].MediaURL
		}
		if u := mediaURL(); u != "" {
			t.Fatalf("photo published by default: %q", u)
		}
		if _, err := a.db.Exec(context.Background(), `INSERT INTO settings (town_code, key, value) VALUES (?, 'open311_public_photos', 'true')`, xjTown); err != nil {
			t.Fatal(err)
		}
		u := mediaURL()
		if !strings.HasPrefix(u, "/uploads/"+a.photo+".") {
			t.Fatalf("published photo %q, want a signed link to %s", u, a.photo)
		}
		for path, want := range map[string]int{u: http.StatusOK, "/uploads/" + a.photo: http.StatusNotFound} {
			if code, _, err := a.send("", "GET", path, nil, ""); err != nil || code != want {
				t.Errorf("anonymous %s = %d (%v), want %d", path, code, err, want)
			}
		}
		codes := make([]string, 10000)
		for i := range codes {
			codes[i] = fmt.Sprintf("C%d", i)
		}
		code, raw, err := a.send("", "GET", "/open311/v2/requests.json?jurisdiction_id="+xjTown+"&service_code="+strings.Join(codes, ","), nil, "")
		if err != nil || code != http.StatusBadRequest || !strings.Contains(string(raw), "service_code") {
			t.Errorf("10,000 service codes = %d %.200s (%v), want a 400 naming service_code", code, raw, err)
		}
	})
}
