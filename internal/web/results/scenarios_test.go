package results_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/results"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Every results route on the demo's 2025 projects: the happy path, forbidden, not found and bad
// input of each.
func TestResultsScenarios(t *testing.T) {
	webtest.Each(t, demo.WorldWithResults, func(t *testing.T, a *webtest.App) {
		a.Var("jp", `SELECT id FROM results WHERE title = ?`, "精品小区建设")
		a.Var("garden", `SELECT id FROM results WHERE title = ?`, "林泉居民区生境花园")
		a.Var("fit", `SELECT id FROM results WHERE title = ?`, "健身点设施更新")
		a.Var("charging", `SELECT id FROM results WHERE title = ?`, "电动自行车集中充电设施建设")
		a.Var("ms", `SELECT MIN(m.id) FROM result_milestones m JOIN results r ON r.id = m.result_id WHERE r.title = ?`, "社区生境花园建设")
		today := time.Now().In(workcal.Location())
		open := today.AddDate(0, 0, -1).Format("2006-01-02")
		closes := today.AddDate(0, 0, 10).Format("2006-01-02")
		a.Run(t, []webtest.Scenario{
			// The year and one result.
			{Name: "year", User: "leader", Method: "GET", URL: "/api/v1/results", Status: http.StatusOK, Contains: []string{"精品小区建设", `"year":2025`, "重度残疾人家庭无障碍设施改造"}},
			{Name: "year of another town", User: "lujiazui_admin", Method: "GET", URL: "/api/v1/results?year=2025", Status: http.StatusOK, NotContains: []string{"精品小区建设"}},
			{Name: "year bad", User: "admin", Method: "GET", URL: "/api/v1/results?year=twenty", Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"year"`}},
			{Name: "year without results:read", User: "resident", Method: "GET", URL: "/api/v1/results", Status: http.StatusForbidden},
			{Name: "one", User: "deputy", Method: "GET", URL: "/api/v1/results/{jp}", Status: http.StatusOK, Contains: []string{"刘家宅二村精品小区", "施工招标", "视察"}},
			{Name: "one of another town", User: "lujiazui_admin", Method: "GET", URL: "/api/v1/results/{jp}", Status: http.StatusNotFound},
			{Name: "one bad id", User: "admin", Method: "GET", URL: "/api/v1/results/x", Status: http.StatusBadRequest},
			{Name: "one not there", User: "admin", Method: "GET", URL: "/api/v1/results/999999999", Status: http.StatusNotFound},
			{Name: "overdue", User: "dispatcher", Method: "GET", URL: "/api/v1/results/overdue?year=2025", Status: http.StatusOK, Contains: []string{`"milestones"`}},
			{Name: "statuses", User: "handler_committee", Method: "GET", URL: "/api/v1/results/statuses", Status: http.StatusOK, Contains: []string{"整改中", `"threshold":30`}},
			{Name: "statuses set without manage", User: "handler_committee", Method: "PUT", URL: "/api/v1/results/statuses", Body: `{"statuses":[]}`, Status: http.StatusForbidden},
			{Name: "statuses set dropping a required one", User: "admin", Method: "PUT", URL: "/api/v1/results/statuses",
				Body: `{"statuses":[{"code":"not_started","name":"未开工","name_en":"Not started"}]}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"statuses"`}},
			{Name: "statuses set", User: "admin", Method: "PUT", URL: "/api/v1/results/statuses",
				Body:   `{"statuses":[{"code":"not_started","name":"未开工","name_en":"Not started"},{"code":"in_progress","name":"推进中","name_en":"In progress"},{"code":"accepted","name":"已验收","name_en":"Accepted"},{"code":"done","name":"已完工","name_en":"Completed"},{"code":"rectifying","name":"整改中","name_en":"Being rectified"}]}`,
				Status: http.StatusOK, Contains: []string{"已验收"}},

			// Create, edit, delete (results:manage).
			{Name: "create without manage", User: "handler_committee", Method: "POST", URL: "/api/v1/results", Body: `{"year":2025,"title":"x"}`, Status: http.StatusForbidden, Contains: []string{"results:manage"}},
			{Name: "create bad", User: "admin", Method: "POST", URL: "/api/v1/results", Body: `{"year":2025,"title":""}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"title"`}},
			{Name: "create unknown field", User: "admin", Method: "POST", URL: "/api/v1/results", Body: `{"colour":"red"}`, Status: http.StatusBadRequest},
			{Name: "create", User: "dispatcher", Method: "POST", URL: "/api/v1/results", Body: `{"year":2025,"title":"场景项目","department":"xj-housing","budget_fen":100000000}`,
				Status: http.StatusCreated, Contains: []string{"场景项目", "新泾镇房管办"}},
			{Name: "create part of another town's", User: "lujiazui_admin", Method: "POST", URL: "/api/v1/results", Body: `{"year":2025,"title":"x","parent_id":{jp}}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"parent_id"`}},
		})
		a.Var("new", `SELECT id FROM results WHERE title = ?`, "场景项目")
		a.Run(t, []webtest.Scenario{
			{Name: "update without manage", User: "deputy", Method: "PUT", URL: "/api/v1/results/{new}", Body: `{"title":"x"}`, Status: http.StatusForbidden},
			{Name: "update bad window", User: "admin", Method: "PUT", URL: "/api/v1/results/{new}", Body: `{"title":"场景项目","rating_opens":"2025-12-01"}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"rating_closes"`}},
			{Name: "update", User: "admin", Method: "PUT", URL: "/api/v1/results/{new}", Body: `{"title":"场景项目（改）","department":"xj-housing","weight":2}`,
				Status: http.StatusOK, Contains: []string{"场景项目（改）"}},

			// Progress (results:update; a handler only their department's).
			{Name: "progress by the garden's committee", User: "handler_committee", Method: "POST", URL: "/api/v1/results/{garden}/progress",
				Body: `{"progress":70,"note":"植物种植完成"}`, Status: http.StatusOK, Contains: []string{`"progress":70`}},
			{Name: "progress of another department's", User: "handler_committee", Method: "POST", URL: "/api/v1/results/{fit}/progress",
				Body: `{"progress":70}`, Status: http.StatusForbidden},
			{Name: "progress of a parent", User: "admin", Method: "POST", URL: "/api/v1/results/{jp}/progress", Body: `{"progress":70}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"progress"`}},
			{Name: "progress out of range", User: "admin", Method: "POST", URL: "/api/v1/results/{fit}/progress", Body: `{"progress":170}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"progress"`}},
			{Name: "progress with nothing", User: "admin", Method: "POST", URL: "/api/v1/results/{fit}/progress", Body: `{}`, Status: http.StatusUnprocessableEntity},
			{Name: "progress without update", User: "deputy", Method: "POST", URL: "/api/v1/results/{fit}/progress", Body: `{"note":"x"}`, Status: http.StatusForbidden},
			{Name: "progress not there", User: "admin", Method: "POST", URL: "/api/v1/results/999999999/progress", Body: `{"note":"x"}`, Status: http.StatusNotFound},

			// Milestones.
			{Name: "milestone add", User: "handler_committee", Method: "POST", URL: "/api/v1/results/{garden}/milestones", Body: `{"title":"养护志愿者队伍成立","planned":"2025-12-31"}`,
				Status: http.StatusCreated, Contains: []string{"养护志愿者队伍成立"}},
			{Name: "milestone add bad day", User: "admin", Method: "POST", URL: "/api/v1/results/{garden}/milestones", Body: `{"title":"x","planned":"soon"}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"planned"`}},
			{Name: "milestone done by another department", User: "handler_committee", Method: "PATCH", URL: "/api/v1/results/milestones/{ms}", Body: `{"done":"2025-04-10"}`,
				Status: http.StatusForbidden},
			{Name: "milestone done", User: "dispatcher", Method: "PATCH", URL: "/api/v1/results/milestones/{ms}", Body: `{"done":"2025-04-11"}`,
				Status: http.StatusOK, Contains: []string{`"done":"2025-04-11"`}},
			{Name: "milestone not there", User: "admin", Method: "PATCH", URL: "/api/v1/results/milestones/999999999", Body: `{"done":""}`, Status: http.StatusNotFound},
			{Name: "milestone delete without manage", User: "handler_committee", Method: "DELETE", URL: "/api/v1/results/milestones/{ms}", Status: http.StatusForbidden},

			// Inspections and comments.
			{Name: "inspect", User: "deputy", Method: "POST", URL: "/api/v1/results/{charging}/inspections",
				Body: `{"day":"2025-11-30","deputies":"田海燕","place":"淞虹二村","findings":"新增点位已投用，仍有楼道充电现象"}`, Status: http.StatusCreated},
			{Name: "inspect without inspect", User: "handler_committee", Method: "POST", URL: "/api/v1/results/{charging}/inspections",
				Body: `{"day":"2025-11-30","deputies":"x","findings":"x"}`, Status: http.StatusForbidden},
			{Name: "inspect without findings", User: "deputy", Method: "POST", URL: "/api/v1/results/{charging}/inspections",
				Body: `{"day":"2025-11-30","deputies":"田海燕"}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"findings"`}},
			{Name: "comment", User: "deputy", Method: "POST", URL: "/api/v1/results/{charging}/comments", Body: `{"body":"请关注老年居民的使用便利"}`, Status: http.StatusCreated},
			{Name: "comment too long", User: "deputy", Method: "POST", URL: "/api/v1/results/{charging}/comments", Body: `{"body":"` + strings.Repeat("长", 2001) + `"}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"body"`}},
			{Name: "comment by a resident", User: "resident", Method: "POST", URL: "/api/v1/results/{charging}/comments", Body: `{"body":"x"}`, Status: http.StatusForbidden},

			// Rating: closed, then opened, once per person.
			{Name: "rate closed", User: "resident", Method: "POST", URL: "/api/v1/results/{fit}/rating", Body: `{"grade":"satisfied"}`, Status: http.StatusConflict},
			{Name: "open the window", User: "admin", Method: "PUT", URL: "/api/v1/results/{fit}",
				Body: `{"title":"健身点设施更新","department":"xj-culture","budget_fen":95000000,"rating_opens":"` + open + `","rating_closes":"` + closes + `"}`, Status: http.StatusOK},
			{Name: "rate", User: "resident", Method: "POST", URL: "/api/v1/results/{fit}/rating", Body: `{"grade":"basic"}`, Status: http.StatusCreated,
				Contains: []string{`"rated":true`}, NotContains: []string{"basic"}},
			{Name: "rate again", User: "resident", Method: "POST", URL: "/api/v1/results/{fit}/rating", Body: `{"grade":"satisfied"}`, Status: http.StatusConflict},
			{Name: "rate by a deputy", User: "deputy", Method: "POST", URL: "/api/v1/results/{fit}/rating", Body: `{"grade":"dissatisfied"}`, Status: http.StatusCreated},
			{Name: "rate bad grade", User: "volunteer", Method: "POST", URL: "/api/v1/results/{fit}/rating", Body: `{"grade":"ok"}`, Status: http.StatusForbidden},
			{Name: "rate a part", User: "resident", Method: "POST", URL: "/api/v1/results/{garden}/rating", Body: `{"grade":"ok"}`, Status: http.StatusUnprocessableEntity},
			{Name: "rate without rate", User: "handler_committee", Method: "POST", URL: "/api/v1/results/{fit}/rating", Body: `{"grade":"satisfied"}`, Status: http.StatusForbidden},

			// Evaluation.
			{Name: "evaluate without manage", User: "leader", Method: "POST", URL: "/api/v1/results/evaluate", Body: `{"year":2025}`, Status: http.StatusForbidden},
			{Name: "evaluate", User: "admin", Method: "POST", URL: "/api/v1/results/evaluate", Body: `{"year":2025}`, Status: http.StatusOK, Contains: []string{`"verdicts"`}},

			// The report, JSON and xlsx; the template.
			{Name: "report", User: "deputy", Method: "GET", URL: "/api/v1/results/report?period=2025H1", Status: http.StatusOK,
				Contains: []string{`"as_of":"2025-06-30"`, "精品小区建设", `"projects":11`}},
			{Name: "report bad period", User: "deputy", Method: "GET", URL: "/api/v1/results/report?period=2025H3", Status: http.StatusUnprocessableEntity},
			{Name: "report of another town", User: "deputy", Method: "GET", URL: "/api/v1/results/report?period=2025H1&town=310115005", Status: http.StatusNotFound},
			{Name: "report xlsx", User: "deputy", Method: "GET", URL: "/api/v1/results/report?period=2025&format=xlsx", Status: http.StatusOK, Contains: []string{"PK"}},
			{Name: "template without update", User: "deputy", Method: "GET", URL: "/api/v1/results/template?year=2025", Status: http.StatusForbidden},
			{Name: "template", User: "handler_committee", Method: "GET", URL: "/api/v1/results/template?year=2025", Status: http.StatusOK, Contains: []string{"PK"}},

			// Public JSON: no staff names, no comments.
			{Name: "public year", Method: "GET", URL: "/api/v1/public/results?town=310105102&year=2025", Status: http.StatusOK,
				Contains: []string{"精品小区建设", "status_name"}, NotContains: []string{"任美玲", "created_by"}},
			{Name: "public year unknown town", Method: "GET", URL: "/api/v1/public/results?town=999", Status: http.StatusNotFound},
			{Name: "public one", Method: "GET", URL: "/api/v1/public/results/{charging}", Status: http.StatusOK,
				Contains: []string{"退回整改", "dissatisfied_share"}, NotContains: []string{"请关注老年居民", "任美玲"}},
			{Name: "public one not there", Method: "GET", URL: "/api/v1/public/results/999999999", Status: http.StatusNotFound},

			// Pages.
			{Name: "a name with a script", User: "admin", Method: "POST", URL: "/api/v1/results",
				Body: `{"year":2025,"title":"</script><script>alert(1)</script>","Lat":31.21,"Lon":121.38}`, Status: http.StatusCreated},
			{Name: "the name stays text in the page and its JSON blocks", User: "admin", Method: "GET", URL: "/results?year=2025", Status: http.StatusOK,
				NotContains: []string{"<script>alert(1)"}},
			{Name: "and on the portal", Method: "GET", URL: "/portal/results?town=310105102&year=2025", Status: http.StatusOK, NotContains: []string{"<script>alert(1)"}},
			{Name: "page year", User: "handler_committee", Method: "GET", URL: "/results", Status: http.StatusOK, Contains: []string{"精品小区建设", "rs-mine", "rs-chart"}},
			{Name: "page year for a resident", User: "resident", Method: "GET", URL: "/results", Status: http.StatusForbidden},
			{Name: "page one", User: "deputy", Method: "GET", URL: "/results/{jp}", Status: http.StatusOK, Contains: []string{"刘家宅二村精品小区", "inspect-form"}, NotContains: []string{"progress-form"}},
			{Name: "page one with the form", User: "handler_committee", Method: "GET", URL: "/results/{garden}", Status: http.StatusOK, Contains: []string{"progress-form"}},
			{Name: "page one of another town", User: "lujiazui_admin", Method: "GET", URL: "/results/{jp}", Status: http.StatusNotFound},
			{Name: "page progress", User: "handler_committee", Method: "POST", URL: "/results/{garden}/progress", Body: "progress=80&note=" + "开放前验收", Status: http.StatusSeeOther, Location: "/results/{garden}"},
			{Name: "page progress bad", User: "handler_committee", Method: "POST", URL: "/results/{garden}/progress", Body: "progress=abc", Status: http.StatusUnprocessableEntity},
			{Name: "page progress of another's", User: "handler_committee", Method: "POST", URL: "/results/{fit}/progress", Body: "progress=80", Status: http.StatusForbidden},
			{Name: "page milestone", User: "handler_committee", Method: "POST", URL: "/results/{garden}/milestones", Body: "title=验收&planned=2025-12-20", Status: http.StatusSeeOther},
			{Name: "page milestone of another result", User: "admin", Method: "POST", URL: "/results/{fit}/milestones/{ms}", Body: "done=2025-04-10", Status: http.StatusNotFound},
			{Name: "page milestone done bad", User: "admin", Method: "POST", URL: "/results/{jp}/milestones/999999999", Body: "done=2025-04-10", Status: http.StatusNotFound},
			{Name: "page inspect", User: "deputy", Method: "POST", URL: "/results/{jp}/inspections", Body: "day=2025-10-10&deputies=田海燕&findings=立面整修质量良好", Status: http.StatusSeeOther},
			{Name: "page inspect bad", User: "deputy", Method: "POST", URL: "/results/{jp}/inspections", Body: "day=2025-10-10&deputies=&findings=x", Status: http.StatusUnprocessableEntity},
			{Name: "page comment", User: "leader", Method: "POST", URL: "/results/{jp}/comments", Body: "body=请按期完成", Status: http.StatusSeeOther},
			{Name: "page edit without manage", User: "handler_committee", Method: "POST", URL: "/results/{jp}/edit", Body: "title=x", Status: http.StatusForbidden},
			{Name: "page edit bad budget", User: "admin", Method: "POST", URL: "/results/{new}/edit", Body: "title=x&budget=lots", Status: http.StatusUnprocessableEntity},
			{Name: "page edit", User: "admin", Method: "POST", URL: "/results/{new}/edit", Body: "title=场景项目&budget=12.5&weight=1", Status: http.StatusSeeOther},
			{Name: "page create", User: "admin", Method: "POST", URL: "/results", Body: "title=页面项目&year=2025&budget=10", Status: http.StatusSeeOther},
			{Name: "page create bad", User: "admin", Method: "POST", URL: "/results", Body: "title=&year=2025", Status: http.StatusUnprocessableEntity},
			{Name: "page create without manage", User: "deputy", Method: "POST", URL: "/results", Body: "title=x&year=2025", Status: http.StatusForbidden},
			{Name: "page evaluate", User: "admin", Method: "POST", URL: "/results/evaluate", Body: "year=2025", Status: http.StatusSeeOther},
			{Name: "page bulk", User: "handler_committee", Method: "GET", URL: "/results/bulk", Status: http.StatusOK, Contains: []string{"bulk-form"}},
			{Name: "page bulk for a deputy", User: "deputy", Method: "GET", URL: "/results/bulk", Status: http.StatusForbidden},
			{Name: "page bulk template", User: "admin", Method: "GET", URL: "/results/bulk/template?year=2025", Status: http.StatusOK, Contains: []string{"PK"}},
			{Name: "page bulk upload without file", User: "admin", Method: "POST", URL: "/results/bulk", Body: "year=2025", Status: http.StatusUnprocessableEntity},
			{Name: "page bulk apply bad rows", User: "admin", Method: "POST", URL: "/results/bulk/apply", Body: "year=2025&rows=nope", Status: http.StatusUnprocessableEntity},
			{Name: "page report", User: "deputy", Method: "GET", URL: "/results/report?period=2025H1", Status: http.StatusOK, Contains: []string{"上半年推进情况报告", "2025-06-30", "print-report"}},
			{Name: "page report xlsx", User: "leader", Method: "GET", URL: "/results/report?period=2025H1&format=xlsx", Status: http.StatusOK, Contains: []string{"PK"}},
			{Name: "portal", Method: "GET", URL: "/portal/results?town=310105102&year=2025", Status: http.StatusOK, Contains: []string{"精品小区建设", "rs-chart"}},
			{Name: "portal one", Method: "GET", URL: "/portal/results/{charging}", Status: http.StatusOK, Contains: []string{"退回整改"}},
			{Name: "portal one, rating open, signed out", Method: "GET", URL: "/portal/results/{fit}", Status: http.StatusOK, Contains: []string{"/login?next=/portal/results/"}},
			{Name: "portal one, rated already", User: "resident", Method: "GET", URL: "/portal/results/{fit}", Status: http.StatusOK, Contains: []string{`id="rated"`}},
			{Name: "portal one not there", Method: "GET", URL: "/portal/results/999999999", Status: http.StatusNotFound},
			{Name: "portal rate signed out", Method: "POST", URL: "/portal/results/{fit}/rate", Body: "grade=satisfied", Status: http.StatusSeeOther, Location: "/login"},
			{Name: "portal rate again", User: "resident", Method: "POST", URL: "/portal/results/{fit}/rate", Body: "grade=satisfied", Status: http.StatusConflict},
			{Name: "portal rate bad grade", User: "resident", Method: "POST", URL: "/portal/results/{fit}/rate", Body: "grade=great", Status: http.StatusUnprocessableEntity},
			{Name: "delete with parts", User: "admin", Method: "DELETE", URL: "/api/v1/results/{jp}", Status: http.StatusConflict},
			{Name: "delete without manage", User: "handler_committee", Method: "DELETE", URL: "/api/v1/results/{new}", Status: http.StatusForbidden},
			{Name: "delete", User: "admin", Method: "DELETE", URL: "/api/v1/results/{new}", Status: http.StatusNoContent},
			{Name: "delete again", User: "admin", Method: "DELETE", URL: "/api/v1/results/{new}", Status: http.StatusNotFound},
			{Name: "milestone delete", User: "admin", Method: "DELETE", URL: "/api/v1/results/milestones/{ms}", Status: http.StatusNoContent},
		})
		importScenarios(t, a)
	})
}

// importScenarios posts real xlsx files to the import API: a bad one names every bad cell and
// writes nothing; a good one's dry run writes nothing, then it applies.
func importScenarios(t *testing.T, a *webtest.App) {
	garden := a.Vars["garden"]
	fit := a.Vars["fit"]
	file := func(rows ...[]string) []byte {
		var b bytes.Buffer
		if err := results.WriteBulk(&b, "2025", rows); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	post := func(user, url string, body []byte) (int, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("file", "progress.xlsx")
		fw.Write(body)
		mw.Close()
		req, _ := http.NewRequest("POST", a.URL+url, &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+token(t, a, user))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(raw)
	}
	progress := func() string {
		var p string
		a.DB.QueryRow(t.Context(), `SELECT CAST(progress AS TEXT) FROM results WHERE id = ?`, garden).Scan(&p)
		return p
	}
	before := progress()
	code, body := post("handler_committee", "/api/v1/results/import?year=2025", file(
		[]string{garden, "", "", "95", "", "", ""},
		[]string{fit, "", "", "50", "", "", ""},
		[]string{garden + "x", "", "", "", "", "", ""},
	))
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("bad file = %d: %s", code, body)
	}
	var bad struct {
		Problems []struct {
			Row    int
			Column string
		}
	}
	json.Unmarshal([]byte(body), &bad)
	got := fmt.Sprint(bad.Problems)
	if got != "[{3 A} {4 A}]" {
		t.Errorf("problems %s, want row 3 A (another department's) and row 4 A (no such id): %s", got, body)
	}
	if progress() != before {
		t.Errorf("a bad file wrote progress %s (was %s)", progress(), before)
	}
	code, body = post("handler_committee", "/api/v1/results/import?year=2025&dry_run=1", file([]string{garden, "", "", "95", "", "验收完成", "2025-12-01"}))
	if code != http.StatusOK || !strings.Contains(body, `"applied":false`) || !strings.Contains(body, `"to_progress":95`) || progress() != before {
		t.Errorf("dry run = %d %s, progress %s", code, body, progress())
	}
	code, body = post("handler_committee", "/api/v1/results/import?year=2025", file([]string{garden, "", "", "95", "", "验收完成", "2025-12-01"}))
	if code != http.StatusOK || !strings.HasPrefix(progress(), "95") {
		t.Errorf("apply = %d %s, progress %s", code, body, progress())
	}
}

func token(t *testing.T, a *webtest.App, user string) string {
	t.Helper()
	return a.Token(user)
}
