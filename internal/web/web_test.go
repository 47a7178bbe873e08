package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/web"
)

// app is a demo server under httptest with API tokens for some demo users.
type app struct {
	t      *testing.T
	db     *store.DB
	srv    *httptest.Server
	web    *web.Server
	tokens map[string]string
}

// eachApp runs body on both databases, each with an app on the demo (newApp).
func eachApp(t *testing.T, body func(t *testing.T, a *app)) {
	testdb.Each(t, func(t *testing.T, db *store.DB) { body(t, newApp(t, db)) })
}

func newApp(t *testing.T, db *store.DB) *app {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := demo.Load(ctx, db, quiet); err != nil {
		t.Fatalf("load demo: %v", err)
	}
	s, err := web.New(web.Config{DB: db, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	a := &app{t: t, db: db, srv: httptest.NewServer(s.Handler()), web: s, tokens: map[string]string{}}
	t.Cleanup(a.srv.Close)
	for _, u := range []string{"admin", "dispatcher", "leader", "resident", "gridworker", "changning", "lujiazui_admin"} {
		user, err := auth.UserByUsername(ctx, db, u)
		if err != nil {
			t.Fatalf("demo user %s: %v", u, err)
		}
		tok, err := auth.CreateToken(ctx, db, user.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		a.tokens[u] = tok
	}
	return a
}

// call sends a JSON request as user ("" = anonymous) and decodes the JSON answer into out.
// user is the demo user with that username.
func (a *app) user(username string) auth.User {
	a.t.Helper()
	u, err := auth.UserByUsername(context.Background(), a.db, username)
	if err != nil {
		a.t.Fatalf("demo user %s: %v", username, err)
	}
	return u
}

func (a *app) call(user, method, path, body string, out any) int {
	a.t.Helper()
	req, _ := http.NewRequest(method, a.srv.URL+path, strings.NewReader(body))
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+a.tokens[user])
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			a.t.Fatalf("%s %s: answer is not JSON (%v): %s", method, path, err, raw)
		}
	}
	return resp.StatusCode
}

type apiErr struct {
	Error struct {
		Status  int    `json:"status"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

type featureCollection struct {
	Features []struct {
		Properties struct {
			ID       int64            `json:"id"`
			Code     string           `json:"code"`
			Name     string           `json:"name"`
			TownCode string           `json:"town_code"`
			Members  []map[string]any `json:"members"`
		} `json:"properties"`
		Geometry struct {
			Type string `json:"type"`
		} `json:"geometry"`
	} `json:"features"`
}

func TestHealthMetricsAndOpenAPI(t *testing.T) {
	a := newApp(t, testdb.SQLite(t))
	var h map[string]any
	if code := a.call("", "GET", "/healthz", "", &h); code != 200 || h["status"] != "ok" || h["database"] != "sqlite" {
		t.Fatalf("healthz = %d %v", code, h)
	}
	resp, err := http.Get(a.srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "civicgrid_http_requests_total") || !strings.Contains(string(body), `route="GET /healthz"`) {
		t.Errorf("metrics lack the request counter for /healthz:\n%.500s", body)
	}
	var spec struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if code := a.call("", "GET", "/api/openapi.json", "", &spec); code != 200 {
		t.Fatalf("openapi.json = %d", code)
	}
	// Every API route of the recorded route table is documented, with the same method.
	var matches [][]string
	for _, r := range a.web.Routes() {
		if r.Kind == "api" && strings.HasPrefix(r.Path, "/api/v1/") {
			matches = append(matches, []string{"", r.Method, r.Path})
		}
	}
	if len(matches) < 35 {
		t.Fatalf("found only %d API routes in the route table", len(matches))
	}
	for _, m := range matches {
		ops, ok := spec.Paths[m[2]]
		if !ok {
			t.Errorf("route %s %s missing from openapi.json", m[1], m[2])
			continue
		}
		if _, ok := ops[strings.ToLower(m[1])]; !ok {
			t.Errorf("route %s %s: method missing from openapi.json", m[1], m[2])
		}
	}
}

func TestGridsAPI(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		var fc featureCollection
		if code := a.call("admin", "GET", "/api/v1/grids", "", &fc); code != 200 {
			t.Fatalf("GET grids = %d", code)
		}
		if len(fc.Features) != 8 {
			t.Fatalf("admin of 新泾镇 sees %d grids, want 8", len(fc.Features))
		}
		for _, f := range fc.Features {
			if f.Properties.TownCode != "310105102" || f.Geometry.Type != "Polygon" || f.Properties.Code == "" || f.Properties.Name == "" {
				t.Errorf("bad feature %+v", f.Properties)
			}
			if len(f.Properties.Members) < 3 {
				t.Errorf("grid %s has %d members; 多格合一 grids have several", f.Properties.Code, len(f.Properties.Members))
			}
		}
		var towns struct {
			Towns []map[string]string `json:"towns"`
		}
		a.call("admin", "GET", "/api/v1/towns", "", &towns)
		if len(towns.Towns) != 1 || towns.Towns[0]["code"] != "310105102" || towns.Towns[0]["name"] != "新泾镇" {
			t.Errorf("towns = %v", towns.Towns)
		}
		var deps struct {
			Departments []map[string]string `json:"departments"`
		}
		a.call("admin", "GET", "/api/v1/departments", "", &deps)
		found := false
		for _, d := range deps.Departments {
			if d["name"] == "新泾派出所" && d["town"] == "310105102" {
				found = true
			}
			if d["town"] != "310105102" {
				t.Errorf("department of another town leaked: %v", d)
			}
		}
		if !found {
			t.Error("新泾派出所 missing from departments")
		}
	})
}

func TestTownIsolationAndDistrictRollup(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		var fc featureCollection
		a.call("admin", "GET", "/api/v1/grids", "", &fc)
		xinjingGrid := fc.Features[0].Properties.ID

		var e apiErr
		if code := a.call("lujiazui_admin", "GET", "/api/v1/grids/"+itoa(xinjingGrid), "", &e); code != 404 {
			t.Errorf("陆家嘴 admin reading a 新泾镇 grid by id: %d, want 404", code)
		}
		if code := a.call("lujiazui_admin", "PUT", "/api/v1/grids/"+itoa(xinjingGrid), `{"name":"hijacked"}`, &e); code != 404 {
			t.Errorf("陆家嘴 admin renaming a 新泾镇 grid: %d, want 404", code)
		}
		var own featureCollection
		a.call("lujiazui_admin", "GET", "/api/v1/grids", "", &own)
		if len(own.Features) != 3 {
			t.Errorf("陆家嘴 admin sees %d grids, want 3", len(own.Features))
		}
		// 长宁区's district account sees 新泾镇 (in 长宁区) and not 陆家嘴街道 (in 浦东新区).
		var district featureCollection
		a.call("changning", "GET", "/api/v1/grids", "", &district)
		if len(district.Features) != 8 {
			t.Errorf("长宁区 account sees %d grids, want 新泾镇's 8", len(district.Features))
		}
		if code := a.call("changning", "GET", "/api/v1/grids/"+itoa(xinjingGrid), "", nil); code != 200 {
			t.Errorf("长宁区 account reading a 新泾镇 grid: %d", code)
		}
		if code := a.call("resident", "GET", "/api/v1/grids", "", &e); code != 403 {
			t.Errorf("resident listing grids: %d, want 403", code)
		}
		if code := a.call("", "GET", "/api/v1/grids", "", &e); code != 401 {
			t.Errorf("anonymous listing grids: %d, want 401", code)
		}
	})
}

const square = `{"type":"Polygon","coordinates":[[[121.50,31.30],[121.51,31.30],[121.51,31.31],[121.50,31.31],[121.50,31.30]]]}`

func TestBadGridInputChangesNothing(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		var fc featureCollection
		a.call("admin", "GET", "/api/v1/grids", "", &fc)
		g1 := fc.Features[0].Properties
		cases := []struct {
			name, body, field, msg string
			status                 int
		}{
			{"malformed JSON", `{"code":`, "", "not valid JSON", 400},
			{"unknown field", `{"code":"X","colour":"red"}`, "colour", "unknown field", 400},
			{"not a polygon", `{"code":"T-1","name":"测试","geometry":{"type":"Point","coordinates":[121.37,31.21]}}`, "geometry", "Polygon", 422},
			{"unclosed ring", `{"code":"T-1","name":"测试","geometry":{"type":"Polygon","coordinates":[[[121.5,31.3],[121.51,31.3],[121.51,31.31],[121.5,31.31]]]}}`, "geometry", "not closed", 422},
			{"self-crossing", `{"code":"T-1","name":"测试","geometry":{"type":"Polygon","coordinates":[[[121.5,31.3],[121.51,31.31],[121.51,31.3],[121.5,31.31],[121.5,31.3]]]}}`, "geometry", "crosses itself", 422},
			{"overlap", `{"code":"T-1","name":"测试","geometry":{"type":"Polygon","coordinates":[[[121.36,31.20],[121.40,31.20],[121.40,31.23],[121.36,31.23],[121.36,31.20]]]}}`, "geometry", "overlaps grid", 422},
			{"unknown town", `{"code":"T-1","name":"测试","town_code":"999999999","geometry":` + square + `}`, "town_code", "unknown town", 422},
			{"missing name", `{"code":"T-1","geometry":` + square + `}`, "name", "required", 422},
			{"code of another town", `{"code":"310115005-G01","name":"测试","geometry":` + square + `}`, "code", "already in use", 422},
		}
		for _, c := range cases {
			var e apiErr
			code := a.call("admin", "POST", "/api/v1/grids", c.body, &e)
			if code != c.status || e.Error.Field != c.field || !strings.Contains(e.Error.Message, c.msg) {
				t.Errorf("%s: got %d field=%q %q; want %d field=%q containing %q", c.name, code, e.Error.Field, e.Error.Message, c.status, c.field, c.msg)
			}
		}
		// Redrawing a grid over its neighbour is refused and the stored boundary is unchanged.
		var e apiErr
		code := a.call("admin", "PUT", "/api/v1/grids/"+itoa(g1.ID), `{"name":"改名","geometry":{"type":"Polygon","coordinates":[[[121.36,31.20],[121.40,31.20],[121.40,31.23],[121.36,31.23],[121.36,31.20]]]}}`, &e)
		if code != 422 || e.Error.Field != "geometry" {
			t.Errorf("overlapping redraw: %d %+v", code, e)
		}
		var after featureCollection
		a.call("admin", "GET", "/api/v1/grids", "", &after)
		if len(after.Features) != 8 || after.Features[0].Properties.Name != g1.Name {
			t.Errorf("after refused writes: %d grids, first named %q; want 8 and %q", len(after.Features), after.Features[0].Properties.Name, g1.Name)
		}
		// A valid new grid outside the town's area is accepted.
		var f map[string]any
		if code := a.call("admin", "POST", "/api/v1/grids", `{"code":"310105102-G99","name":"测试网格","geometry":`+square+`}`, &f); code != 201 {
			t.Fatalf("valid grid: %d %v", code, f)
		}
		if code := a.call("dispatcher", "POST", "/api/v1/grids", `{"code":"310105102-G98","name":"x","geometry":`+square+`}`, &e); code != 403 {
			t.Errorf("dispatcher creating a grid: %d, want 403", code)
		}
	})
}

func TestUsersAPIAndPersonalData(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		var e apiErr
		if code := a.call("admin", "POST", "/api/v1/users", `{"username":"dispatcher","role":"dispatcher","password":"longenough"}`, &e); code != 422 || e.Error.Field != "username" {
			t.Errorf("duplicate username: %d %+v", code, e)
		}
		if code := a.call("admin", "POST", "/api/v1/users", `{"username":"h2","role":"handler","password":"longenough"}`, &e); code != 422 || e.Error.Field != "department" {
			t.Errorf("handler without department: %d %+v", code, e)
		}
		if code := a.call("admin", "POST", "/api/v1/users", `{"username":"x1","role":"boss","password":"longenough"}`, &e); code != 422 || e.Error.Field != "role" {
			t.Errorf("unknown role: %d %+v", code, e)
		}
		var created map[string]any
		if code := a.call("admin", "POST", "/api/v1/users", `{"username":"wang_resident","display_name":"王小明","role":"resident","phone":"13812345678","password":"longenough"}`, &created); code != 201 {
			t.Fatalf("create resident: %d %v", code, created)
		}
		id := itoa(int64(created["id"].(float64)))
		var asLeader map[string]any
		a.call("leader", "GET", "/api/v1/users/"+id, "", &asLeader)
		if asLeader["phone"] != "138****5678" || asLeader["phone_masked"] != true || asLeader["display_name"] != "王**" {
			t.Errorf("leader sees %v; want phone and name masked", asLeader)
		}
		var asDispatcher map[string]any
		a.call("dispatcher", "GET", "/api/v1/users/"+id, "", &asDispatcher)
		if asDispatcher["phone"] != "13812345678" {
			t.Errorf("dispatcher sees phone %v; want it whole", asDispatcher["phone"])
		}
		var log struct {
			Entries []map[string]any `json:"entries"`
		}
		a.call("admin", "GET", "/api/v1/audit?action=view_personal_data&entity_id="+id, "", &log)
		if len(log.Entries) != 1 || log.Entries[0]["actor"] != "dispatcher" {
			t.Errorf("audit of personal-data views = %v; want exactly the dispatcher's view", log.Entries)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestCityRollup(t *testing.T) {
	a := newApp(t, testdb.SQLite(t))
	ctx := context.Background()
	u, err := auth.UserByUsername(ctx, a.db, "shanghai")
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := auth.CreateToken(ctx, a.db, u.ID, "test")
	a.tokens["shanghai"] = tok
	var towns struct {
		Towns []map[string]string `json:"towns"`
	}
	a.call("shanghai", "GET", "/api/v1/towns", "", &towns)
	if len(towns.Towns) != 2 {
		t.Fatalf("上海市 account sees %v; want 新泾镇 and 陆家嘴街道", towns.Towns)
	}
	var fc featureCollection
	a.call("shanghai", "GET", "/api/v1/grids", "", &fc)
	if len(fc.Features) != 11 {
		t.Errorf("上海市 account sees %d grids, want 8 + 3", len(fc.Features))
	}
}

func TestTrustProxy(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.5:3456"
	r.Header.Set("X-Forwarded-For", "1.2.3.4, 203.0.113.7")
	if got := web.ClientIPForTest(r, false); got != "10.0.0.5" {
		t.Errorf("without trust: %s, want the proxy's address", got)
	}
	if got := web.ClientIPForTest(r, true); got != "203.0.113.7" {
		t.Errorf("with trust: %s, want the entry our proxy appended", got)
	}
	r.Header.Set("X-Forwarded-For", "not-an-ip")
	if got := web.ClientIPForTest(r, true); got != "10.0.0.5" {
		t.Errorf("garbage header: %s, want the connection's address", got)
	}
}
