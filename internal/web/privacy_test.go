package web_test

import (
	"context"
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
