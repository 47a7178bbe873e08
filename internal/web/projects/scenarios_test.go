package projects_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// withProjects is the demo world with the project demo (the 2025 ballot, the current collection).
func withProjects(ctx context.Context, db *store.DB, _ string) error {
	_, err := demo.Load(ctx, db, slog.New(slog.DiscardHandler), demo.Projects(time.Now()))
	return err
}

// The project routes: the happy path, forbidden, not found and bad input of each.
func TestProjectScenarios(t *testing.T) {
	webtest.Each(t, withProjects, func(t *testing.T, a *webtest.App) {
		a.Var("session", `SELECT id FROM project_sessions WHERE name = ?`, demo.ProjectsSession)
		a.Var("list", `SELECT list_id FROM project_sessions WHERE name = ?`, demo.ProjectsSession)
		a.Var("body", `SELECT body_id FROM project_sessions WHERE name = ?`, demo.ProjectsSession)
		a.Var("open", `SELECT id FROM project_proposals WHERE title = ?`, "天山星城小区增设休闲座椅")
		a.Var("kept", `SELECT id FROM project_proposals WHERE title = ?`, "虹康花苑增设电动自行车充电棚")
		a.Var("declined", `SELECT id FROM project_proposals WHERE title = ?`, "新泾二村屋顶漏水维修")
		a.Var("chosen", `SELECT id FROM project_proposals WHERE title = ?`, "精品小区建设")
		a.Run(t, []webtest.Scenario{
			{Name: "proposals", User: "dispatcher", Method: "GET", URL: "/api/v1/projects/proposals?year=2025", Status: http.StatusOK, Contains: []string{"精品小区建设"}},
			{Name: "proposals without projects:read", User: "resident", Method: "GET", URL: "/api/v1/projects/proposals", Status: http.StatusForbidden},
			{Name: "proposals bad year", User: "dispatcher", Method: "GET", URL: "/api/v1/projects/proposals?year=x", Status: http.StatusUnprocessableEntity},
			{Name: "anonymous phone whole for the dispatcher", User: "dispatcher", Method: "GET", URL: "/api/v1/projects/proposals/{kept}", Status: http.StatusOK, Contains: []string{"13900001234"}},
			{Name: "anonymous phone masked for a leader", User: "leader", Method: "GET", URL: "/api/v1/projects/proposals/{kept}", Status: http.StatusOK, NotContains: []string{"13900001234", "方女士"}},
			{Name: "proposal of another town", User: "lujiazui_admin", Method: "GET", URL: "/api/v1/projects/proposals/{kept}", Status: http.StatusNotFound},
			{Name: "propose", User: "resident", Method: "POST", URL: "/api/v1/projects/proposals",
				Body: `{"title": "场景建议", "description": "小区门口需要一个公交候车亭，老人等车没有地方坐。", "category": "traffic"}`, Status: http.StatusCreated, Contains: []string{"场景建议"}},
			{Name: "propose bad category", User: "resident", Method: "POST", URL: "/api/v1/projects/proposals",
				Body: `{"title": "x", "description": "一二三四五六七八九十", "category": "moon"}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"category"`}},
			{Name: "propose as volunteer", User: "volunteer", Method: "POST", URL: "/api/v1/projects/proposals", Body: `{}`, Status: http.StatusForbidden},
			{Name: "support", User: "resident", Method: "POST", URL: "/api/v1/projects/proposals/{open}/support", Body: `{"on": true}`, Status: http.StatusOK},
			{Name: "support not there", User: "resident", Method: "POST", URL: "/api/v1/projects/proposals/999999/support", Body: `{}`, Status: http.StatusNotFound},
			{Name: "answer without a reason", User: "dispatcher", Method: "POST", URL: "/api/v1/projects/proposals/{open}/answer", Body: `{"accept": false}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"text"`}},
			{Name: "answer as resident", User: "resident", Method: "POST", URL: "/api/v1/projects/proposals/{open}/answer", Body: `{"accept": true}`, Status: http.StatusForbidden},
			{Name: "answer", User: "dispatcher", Method: "POST", URL: "/api/v1/projects/proposals/{open}/answer", Body: `{"accept": true, "text": "纳入候选"}`,
				Status: http.StatusOK, Contains: []string{`"status":"accepted"`}},
			{Name: "merge into itself", User: "dispatcher", Method: "POST", URL: "/api/v1/projects/proposals/{open}/merge", Body: `{"into": {open}}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"into"`}},
			{Name: "appraise as gridworker", User: "gridworker", Method: "POST", URL: "/api/v1/projects/proposals/{open}/appraisal", Body: `{"feasibility": "feasible"}`, Status: http.StatusForbidden},
			{Name: "appraise", User: "handler_police", Method: "POST", URL: "/api/v1/projects/proposals/{open}/appraisal", Body: `{"feasibility": "feasible", "cost": 70000}`,
				Status: http.StatusOK, Contains: []string{"xj-police"}},
			{Name: "lists", User: "deputy", Method: "GET", URL: "/api/v1/projects/lists", Status: http.StatusOK, Contains: []string{`"seats":10`}},
			{Name: "list exists for the year", User: "dispatcher", Method: "POST", URL: "/api/v1/projects/lists", Body: `{"year": 2025, "seats": 10}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"year"`}},
			{Name: "candidate on a voted list", User: "dispatcher", Method: "POST", URL: "/api/v1/projects/lists/{list}/candidates", Body: `{"project_id": {open}}`,
				Status: http.StatusConflict},
			{Name: "bodies", User: "leader", Method: "GET", URL: "/api/v1/projects/bodies", Status: http.StatusOK, Contains: []string{demo.ProjectsCongress}},
			{Name: "session", User: "deputy", Method: "GET", URL: "/api/v1/projects/sessions/{session}", Status: http.StatusOK, Contains: []string{`"expected":70`, `"present":66`}},
			{Name: "session not there", User: "deputy", Method: "GET", URL: "/api/v1/projects/sessions/999999", Status: http.StatusNotFound},
			{Name: "count a counted round", User: "dispatcher", Method: "POST", URL: "/api/v1/projects/sessions/{session}/rounds/1/count", Status: http.StatusConflict},
			{Name: "returned over issued", User: "dispatcher", Method: "POST", URL: "/api/v1/projects/sessions/{session}/rounds/1/counts", Body: `{"issued": 60, "returned": 61}`,
				Status: http.StatusConflict},
			{Name: "vote in a paper session", User: "deputy", Method: "POST", URL: "/api/v1/projects/sessions/{session}/rounds/1/vote", Body: `{"marks": {}}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"mode"`}},
			{Name: "vote without projects:vote", User: "dispatcher", Method: "POST", URL: "/api/v1/projects/sessions/{session}/rounds/1/vote", Body: `{"marks": {}}`, Status: http.StatusForbidden},
			{Name: "bad round", User: "deputy", Method: "GET", URL: "/api/v1/projects/sessions/{session}/rounds/x/ballots", Status: http.StatusUnprocessableEntity},
			{Name: "recount", User: "deputy", Method: "GET", URL: "/api/v1/projects/sessions/{session}/recount", Status: http.StatusOK, Contains: []string{`"match":true`}},
			{Name: "publish again", User: "dispatcher", Method: "POST", URL: "/api/v1/projects/sessions/{session}/publish", Status: http.StatusConflict},
			{Name: "public results", Method: "GET", URL: "/api/v1/public/projects", Status: http.StatusOK, Contains: []string{"社区生境花园建设", `"year":2025`}},
			{Name: "public year", Method: "GET", URL: "/api/v1/public/projects/2025", Status: http.StatusOK, Contains: []string{`"chosen"`, "健身点设施更新"}},
			{Name: "public year without a ballot", Method: "GET", URL: "/api/v1/public/projects/2019", Status: http.StatusNotFound},
			{Name: "public proposals mask authors", Method: "GET", URL: "/api/v1/public/projects/proposals?year=2027", Status: http.StatusOK,
				Contains: []string{"虹康花苑"}, NotContains: []string{"13900001234", "方女士", "13700005678"}},
			{Name: "page list", User: "dispatcher", Method: "GET", URL: "/projects", Status: http.StatusOK, Contains: []string{"pj-map"}},
			{Name: "page list as resident", User: "resident", Method: "GET", URL: "/projects", Status: http.StatusForbidden},
			{Name: "page proposal", User: "dispatcher", Method: "GET", URL: "/projects/proposals/{declined}", Status: http.StatusOK, Contains: []string{"屋面漏水"}},
			{Name: "page candidates", User: "leader", Method: "GET", URL: "/projects/candidates", Status: http.StatusOK, Contains: []string{"✓"}},
			{Name: "page session", User: "deputy", Method: "GET", URL: "/projects/sessions/{session}", Status: http.StatusOK, Contains: []string{"pj-chart", "钱文华"}},
			{Name: "page session action unknown", User: "dispatcher", Method: "POST", URL: "/projects/sessions/{session}/explode", Body: "x=1", Status: http.StatusNotFound},
			{Name: "page my proposals", User: "resident", Method: "GET", URL: "/my/proposals", Status: http.StatusOK, Contains: []string{"天山星城小区增设休闲座椅"}},
			{Name: "page vote as dispatcher", User: "dispatcher", Method: "GET", URL: "/projects/vote/{session}", Status: http.StatusForbidden},
			{Name: "page vote", User: "deputy", Method: "GET", URL: "/projects/vote/{session}", Status: http.StatusOK},
			{Name: "portal", Method: "GET", URL: "/portal/projects", Status: http.StatusOK, Contains: []string{"2025", "精品小区建设"}},
			{Name: "portal year", Method: "GET", URL: "/portal/projects/2025", Status: http.StatusOK, Contains: []string{"pj-chart-data", "重度残疾人家庭无障碍设施改造"}},
			{Name: "portal proposal", Method: "GET", URL: "/portal/projects/proposals/{declined}", Status: http.StatusOK, Contains: []string{"不属于政府实事项目"},
				NotContains: []string{"13700005678", "蒋先生"}},
			{Name: "portal propose form", Method: "GET", URL: "/portal/projects/propose", Status: http.StatusOK, Contains: []string{"pj-propose-form"}},
		})
	})
}

// TestNoOutputJoinsABallotToADeputy: every output that carries ballots or counts — the ballots
// API, the recount, the anonymous ballot export, the session API, the public JSON and pages —
// names no member of the roll and carries no member or user id next to a ballot.
func TestNoOutputJoinsABallotToADeputy(t *testing.T) {
	webtest.Each(t, withProjects, func(t *testing.T, a *webtest.App) {
		a.Var("session", `SELECT id FROM project_sessions WHERE name = ?`, demo.ProjectsSession)
		var names []string
		var ids []string
		rows, err := a.DB.Query(context.Background(), `SELECT m.id, m.name, COALESCE(m.user_id, 0) FROM voting_members m
			JOIN voting_bodies b ON b.id = m.body_id WHERE b.name = ?`, demo.ProjectsCongress)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, user int64
			var name string
			rows.Scan(&id, &name, &user)
			names = append(names, name)
			ids = append(ids, fmt.Sprintf(`"member_id":%d`, id), fmt.Sprintf(`"user_id":%d`, id))
			if user != 0 {
				ids = append(ids, fmt.Sprintf(`"user_id":%d`, user))
			}
		}
		rows.Close()
		if len(names) != 70 {
			t.Fatalf("%d members", len(names))
		}
		check := func(what, body string) {
			t.Helper()
			if len(body) < 100 {
				t.Fatalf("%s: empty answer %q", what, body)
			}
			for _, n := range names {
				if strings.Contains(body, n) {
					t.Errorf("%s names the deputy %s", what, n)
				}
			}
			for _, id := range ids {
				if strings.Contains(body, id) {
					t.Errorf("%s holds %s", what, id)
				}
			}
			for _, key := range []string{`"member_id"`, `"user_id"`, `"voter`} {
				if strings.Contains(body, key) {
					t.Errorf("%s carries %s", what, key)
				}
			}
		}
		for _, c := range []struct{ user, path string }{
			{"deputy", "/api/v1/projects/sessions/{session}/rounds/1/ballots"},
			{"dispatcher", "/api/v1/projects/sessions/{session}/recount"},
			{"dispatcher", "/api/v1/projects/sessions/{session}"},
			{"", "/api/v1/public/projects"},
			{"", "/api/v1/public/projects/2025"},
			{"", "/portal/projects"},
			{"", "/portal/projects/2025"},
		} {
			code, body := a.Get(c.user, strings.ReplaceAll(c.path, "{session}", a.Vars["session"]))
			if code != http.StatusOK {
				t.Fatalf("%s = %d", c.path, code)
			}
			check(c.path, body)
		}
		// The anonymous ballot export: every string of the workbook.
		code, raw := a.Get("dispatcher", "/projects/sessions/"+a.Vars["session"]+"/ballots.xlsx")
		if code != http.StatusOK {
			t.Fatalf("export = %d", code)
		}
		zr, err := zip.NewReader(bytes.NewReader([]byte(raw)), int64(len(raw)))
		if err != nil {
			t.Fatal(err)
		}
		var all strings.Builder
		for _, f := range zr.File {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			all.Write(b)
		}
		if !strings.Contains(all.String(), "精品小区建设") {
			t.Fatal("the export holds no candidate: not read")
		}
		check("ballots.xlsx", all.String())
	})
}
