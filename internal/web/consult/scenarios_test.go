package consult_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// world is the demo world with its consultations.
func world(ctx context.Context, db *store.DB, _ string) error {
	_, err := demo.Load(ctx, db, slog.New(slog.NewTextHandler(io.Discard, nil)), demo.Consultations(time.Now()))
	return err
}

const questionnaire = `"questions": [
	{"key": "q1", "type": "single", "title": "支持吗？", "required": true, "options": [{"key": "y", "text": "支持"}, {"key": "n", "text": "不支持"}]},
	{"key": "q2", "type": "text", "title": "为什么不支持？", "required": true, "show_if": {"question": "q1", "any_of": ["n"]}}]`

// The consultation routes: the happy path, forbidden, not found and bad input of each.
func TestConsultScenarios(t *testing.T) {
	webtest.Each(t, world, func(t *testing.T, a *webtest.App) {
		a.Var("garden", `SELECT id FROM consultations WHERE title = ?`, demo.ConsultGarden)
		a.Var("fitness", `SELECT id FROM consultations WHERE title = ?`, demo.ConsultFitness)
		a.Var("lift", `SELECT id FROM consultations WHERE title = ?`, demo.ConsultElevator)
		a.Var("body", `SELECT id FROM consult_bodies WHERE name = ?`, demo.BodyStreetCommittee)
		a.Var("link", `SELECT l.id FROM consult_links l JOIN consultations c ON c.id = l.consultation_id WHERE c.title = ? ORDER BY l.id LIMIT 1`, demo.ConsultGarden)
		a.Run(t, []webtest.Scenario{
			{Name: "create", User: "dispatcher", Method: "POST", URL: "/api/v1/consultations",
				Body:   `{"body_id": {body}, "title": "场景征询", "opens": "2026-01-01", "closes": "2099-12-31", ` + questionnaire + `}`,
				Status: http.StatusCreated, Contains: []string{"场景征询", `"status":"draft"`}},
			{Name: "create without consult:manage", User: "gridworker", Method: "POST", URL: "/api/v1/consultations",
				Body: `{"body_id": {body}, "title": "x", "opens": "2026-01-01", "closes": "2026-12-31"}`, Status: http.StatusForbidden, Contains: []string{"consult:manage"}},
			{Name: "create bad question", User: "admin", Method: "POST", URL: "/api/v1/consultations",
				Body:   `{"body_id": {body}, "title": "y", "opens": "2026-01-01", "closes": "2026-12-31", "questions": [{"type": "essay", "title": "x"}]}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"questions[1] (q1)"`}},
			{Name: "create unknown field", User: "admin", Method: "POST", URL: "/api/v1/consultations", Body: `{"colour": "red"}`, Status: http.StatusBadRequest},
			{Name: "create another town's body", User: "lujiazui_admin", Method: "POST", URL: "/api/v1/consultations",
				Body: `{"body_id": {body}, "title": "z", "opens": "2026-01-01", "closes": "2026-12-31"}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"body_id"`}},
		})
		a.Var("draft", `SELECT id FROM consultations WHERE title = ?`, "场景征询")
		a.Run(t, []webtest.Scenario{
			{Name: "list", User: "gridworker", Method: "GET", URL: "/api/v1/consultations", Status: http.StatusOK, Contains: []string{demo.ConsultGarden, "场景征询"}},
			{Name: "list of another town", User: "lujiazui_admin", Method: "GET", URL: "/api/v1/consultations", Status: http.StatusOK, NotContains: []string{demo.ConsultGarden}},
			{Name: "list without consult:read", User: "resident", Method: "GET", URL: "/api/v1/consultations", Status: http.StatusForbidden},
			{Name: "one", User: "deputy", Method: "GET", URL: "/api/v1/consultations/{garden}", Status: http.StatusOK, Contains: []string{"长者运动之家"}},
			{Name: "one of another town", User: "lujiazui_admin", Method: "GET", URL: "/api/v1/consultations/{garden}", Status: http.StatusNotFound},
			{Name: "one bad id", User: "admin", Method: "GET", URL: "/api/v1/consultations/x", Status: http.StatusBadRequest},
			{Name: "update", User: "dispatcher", Method: "PUT", URL: "/api/v1/consultations/{draft}",
				Body: `{"body_id": {body}, "title": "场景征询（改）", "opens": "2026-01-01", "closes": "2099-12-31", ` + questionnaire + `}`, Status: http.StatusOK, Contains: []string{"场景征询（改）"}},
			{Name: "update without consult:manage", User: "gridleader", Method: "PUT", URL: "/api/v1/consultations/{draft}", Body: `{"title": "x"}`, Status: http.StatusForbidden},
			{Name: "update decided", User: "admin", Method: "PUT", URL: "/api/v1/consultations/{garden}",
				Body: `{"body_id": {body}, "title": "x", "opens": "2023-03-01", "closes": "2023-03-31"}`, Status: http.StatusConflict},
			{Name: "answer a draft", User: "resident", Method: "POST", URL: "/api/v1/consultations/{draft}/answers",
				Body: `{"client_id": "scenario-0001", "answers": {"q1": "y"}}`, Status: http.StatusNotFound},
			{Name: "act unknown", User: "admin", Method: "POST", URL: "/api/v1/consultations/{draft}/actions/explode", Status: http.StatusUnprocessableEntity},
			{Name: "act without consult:manage", User: "gridworker", Method: "POST", URL: "/api/v1/consultations/{draft}/actions/open", Status: http.StatusForbidden},
			{Name: "open", User: "dispatcher", Method: "POST", URL: "/api/v1/consultations/{draft}/actions/open", Status: http.StatusOK, Contains: []string{`"status":"open"`}},
			{Name: "open twice", User: "dispatcher", Method: "POST", URL: "/api/v1/consultations/{draft}/actions/open", Status: http.StatusConflict},
			{Name: "delete open", User: "dispatcher", Method: "DELETE", URL: "/api/v1/consultations/{draft}", Status: http.StatusConflict},
			{Name: "answer", User: "resident", Method: "POST", URL: "/api/v1/consultations/{draft}/answers",
				Body: `{"client_id": "scenario-0001", "answers": {"q1": "y"}}`, Status: http.StatusCreated, Contains: []string{`"duplicate":false`}},
			{Name: "answer resent", User: "resident", Method: "POST", URL: "/api/v1/consultations/{draft}/answers",
				Body: `{"client_id": "scenario-0001", "answers": {"q1": "y"}}`, Status: http.StatusOK, Contains: []string{`"duplicate":true`}},
			{Name: "answer twice", User: "resident", Method: "POST", URL: "/api/v1/consultations/{draft}/answers",
				Body: `{"client_id": "scenario-0002", "answers": {"q1": "y"}}`, Status: http.StatusConflict},
			{Name: "answer conditional required", User: "gridworker", Method: "POST", URL: "/api/v1/consultations/{draft}/answers",
				Body: `{"client_id": "scenario-0003", "paper": true, "answers": {"q1": "n"}}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"answers.q2"`}},
			{Name: "paper answer", User: "gridworker", Method: "POST", URL: "/api/v1/consultations/{draft}/answers",
				Body: `{"client_id": "scenario-0004", "paper": true, "respondent": "王阿姨", "answers": {"q1": "n", "q2": "太吵，请打13912345678"}}`, Status: http.StatusCreated},
			{Name: "answer as staff online", User: "leader", Method: "POST", URL: "/api/v1/consultations/{draft}/answers",
				Body: `{"client_id": "scenario-0005", "answers": {"q1": "y"}}`, Status: http.StatusForbidden},
			// An anonymous browser post carries the double-submit CSRF token (the page's script sends
			// it); without one the post is refused before anything is read.
			{Name: "answer anonymously without a CSRF token", Method: "POST", URL: "/api/v1/public/consultations/{fitness}/answers",
				Body: `{"client_id": "scenario-0006", "answers": {"use": "o1"}}`, Status: http.StatusForbidden, Contains: []string{"CSRF"}},
			{Name: "answer on the public route", User: "resident", Method: "POST", URL: "/api/v1/public/consultations/{fitness}/answers",
				Body: `{"client_id": "scenario-0007", "answers": {"use": "o1"}}`, Status: http.StatusCreated},
			{Name: "answer unknown question", User: "resident", Method: "POST", URL: "/api/v1/public/consultations/{draft}/answers",
				Body: `{"client_id": "scenario-0008", "answers": {"q1": "y", "zzz": 1}}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"answers.zzz"`}},
			{Name: "answer a decided one", User: "resident", Method: "POST", URL: "/api/v1/public/consultations/{garden}/answers",
				Body: `{"client_id": "scenario-0009", "answers": {"support": "o1"}}`, Status: http.StatusConflict},
			{Name: "answer missing", User: "resident", Method: "POST", URL: "/api/v1/public/consultations/999999/answers",
				Body: `{"client_id": "scenario-0010", "answers": {}}`, Status: http.StatusNotFound},
			{Name: "results", User: "gridleader", Method: "GET", URL: "/api/v1/consultations/{draft}/results", Status: http.StatusOK, Contains: []string{`"total":2`}},
			{Name: "results of the lift", User: "leader", Method: "GET", URL: "/api/v1/consultations/{lift}/results", Status: http.StatusOK, Contains: []string{`"passed":true`}},
			{Name: "results without consult:read", User: "volunteer", Method: "GET", URL: "/api/v1/consultations/{garden}/results", Status: http.StatusForbidden},
			{Name: "texts", User: "dispatcher", Method: "GET", URL: "/api/v1/consultations/{garden}/texts/other?page=2", Status: http.StatusOK, Contains: []string{`"page":2`}},
			{Name: "texts mask numbers", User: "deputy", Method: "GET", URL: "/api/v1/consultations/{draft}/texts/q2", Status: http.StatusOK,
				Contains: []string{"太吵", `"total":1`}, NotContains: []string{"13912345678"}},
			{Name: "texts of a choice question", User: "dispatcher", Method: "GET", URL: "/api/v1/consultations/{garden}/texts/support", Status: http.StatusNotFound},
			{Name: "texts bad page", User: "dispatcher", Method: "GET", URL: "/api/v1/consultations/{garden}/texts/other?page=x", Status: http.StatusBadRequest},
			{Name: "decide while open", User: "dispatcher", Method: "POST", URL: "/api/v1/consultations/{draft}/actions/decide",
				Body: `{"summary": "s", "decision": "d"}`, Status: http.StatusConflict},
			{Name: "close", User: "dispatcher", Method: "POST", URL: "/api/v1/consultations/{draft}/actions/close", Status: http.StatusOK, Contains: []string{`"status":"closed"`}},
			{Name: "decide without decision", User: "dispatcher", Method: "POST", URL: "/api/v1/consultations/{draft}/actions/decide",
				Body: `{"summary": "s"}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"decision"`}},
			{Name: "decide", User: "leader", Method: "POST", URL: "/api/v1/consultations/{draft}/actions/decide",
				Body: `{"summary": "两份意见", "decision": "场景决定"}`, Status: http.StatusOK, Contains: []string{"场景决定"}},
			{Name: "link", User: "dispatcher", Method: "POST", URL: "/api/v1/consultations/{draft}/links",
				Body: `{"kind": "project", "ref": "2025-健身点设施更新"}`, Status: http.StatusCreated},
			{Name: "linked to the project", User: "deputy", Method: "GET", URL: "/api/v1/consultations?link_kind=project&link_ref=2025-健身点设施更新", Status: http.StatusOK,
				Contains: []string{"场景征询"}, NotContains: []string{demo.ConsultGarden}},
			{Name: "link twice", User: "dispatcher", Method: "POST", URL: "/api/v1/consultations/{draft}/links",
				Body: `{"kind": "project", "ref": "2025-健身点设施更新"}`, Status: http.StatusUnprocessableEntity},
			{Name: "link bad kind", User: "dispatcher", Method: "POST", URL: "/api/v1/consultations/{draft}/links",
				Body: `{"kind": "wish", "ref": "x"}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"kind"`}},
			{Name: "link without consult:manage", User: "gridworker", Method: "POST", URL: "/api/v1/consultations/{draft}/links", Body: `{"kind": "other", "ref": "x"}`, Status: http.StatusForbidden},
			{Name: "unlink missing", User: "dispatcher", Method: "DELETE", URL: "/api/v1/consultations/{draft}/links/999999", Status: http.StatusNotFound},
			{Name: "unlink", User: "dispatcher", Method: "DELETE", URL: "/api/v1/consultations/{garden}/links/{link}", Status: http.StatusNoContent},
			{Name: "export", User: "dispatcher", Method: "GET", URL: "/api/v1/consultations/{draft}/export?format=csv", Status: http.StatusOK, Contains: []string{"王阿姨", "太吵，请打13912345678"}},
			{Name: "export masked", User: "leader", Method: "GET", URL: "/api/v1/consultations/{draft}/export?format=csv", Status: http.StatusOK, Contains: []string{"王*", "太吵"}, NotContains: []string{"王阿姨", "13912345678"}},
			{Name: "export bad format", User: "dispatcher", Method: "GET", URL: "/api/v1/consultations/{draft}/export?format=pdf", Status: http.StatusBadRequest},
			{Name: "export without consult:manage", User: "gridworker", Method: "GET", URL: "/api/v1/consultations/{draft}/export", Status: http.StatusForbidden},
			{Name: "bodies", User: "gridworker", Method: "GET", URL: "/api/v1/consult-bodies", Status: http.StatusOK, Contains: []string{demo.BodyWorkstation}},
			{Name: "add body", User: "admin", Method: "POST", URL: "/api/v1/consult-bodies", Body: `{"name": "新泾镇居民议事会", "kind": "other"}`, Status: http.StatusCreated},
			{Name: "add body bad kind", User: "admin", Method: "POST", URL: "/api/v1/consult-bodies", Body: `{"name": "x", "kind": "club"}`, Status: http.StatusUnprocessableEntity},
			{Name: "add body without consult:manage", User: "gridworker", Method: "POST", URL: "/api/v1/consult-bodies", Body: `{"name": "x", "kind": "other"}`, Status: http.StatusForbidden},
			{Name: "public list", Method: "GET", URL: "/api/v1/public/consultations", Status: http.StatusOK, Contains: []string{demo.ConsultGarden}, NotContains: []string{`"status":"draft"`}},
			{Name: "public one decided", Method: "GET", URL: "/api/v1/public/consultations/{garden}", Status: http.StatusOK, Contains: []string{"长者运动之家", `"results"`}},
			{Name: "public one open: no results", Method: "GET", URL: "/api/v1/public/consultations/{fitness}", Status: http.StatusOK, NotContains: []string{`"results"`}},
			{Name: "public one missing", Method: "GET", URL: "/api/v1/public/consultations/999999", Status: http.StatusNotFound},
			{Name: "public one bad id", Method: "GET", URL: "/api/v1/public/consultations/x", Status: http.StatusBadRequest},
			{Name: "delete without consult:manage", User: "gridworker", Method: "DELETE", URL: "/api/v1/consultations/{garden}", Status: http.StatusForbidden},
		})

		// Pages.
		a.Run(t, []webtest.Scenario{
			{Name: "page list", User: "gridworker", Method: "GET", URL: "/consultations", Status: http.StatusOK, Contains: []string{demo.ConsultGarden}},
			{Name: "page list manager", User: "dispatcher", Method: "GET", URL: "/consultations?status=decided", Status: http.StatusOK, Contains: []string{"cs-new", demo.ConsultGarden}},
			{Name: "page list without consult:read", User: "resident", Method: "GET", URL: "/consultations", Status: http.StatusForbidden},
			{Name: "page create", User: "dispatcher", Method: "POST", URL: "/consultations",
				Body: "title=页面征询&body_id={body}&scope=town&opens=2026-01-01&closes=2099-12-31", Status: http.StatusSeeOther, Location: "/consultations/"},
			{Name: "page create bad", User: "dispatcher", Method: "POST", URL: "/consultations",
				Body: "title=&body_id={body}&scope=town&opens=2026-01-01&closes=2099-12-31", Status: http.StatusUnprocessableEntity, Contains: []string{"标题"}},
			{Name: "page create without consult:manage", User: "gridworker", Method: "POST", URL: "/consultations", Body: "title=x", Status: http.StatusForbidden},
			{Name: "page add body", User: "dispatcher", Method: "POST", URL: "/consultations/bodies", Body: "name=仙霞新村居委会&kind=residents_committee", Status: http.StatusSeeOther},
			{Name: "page add body bad", User: "dispatcher", Method: "POST", URL: "/consultations/bodies", Body: "name=&kind=other", Status: http.StatusUnprocessableEntity},
		})
		a.Var("page", `SELECT id FROM consultations WHERE title = ?`, "页面征询")
		a.Run(t, []webtest.Scenario{
			{Name: "page one", User: "gridworker", Method: "GET", URL: "/consultations/{garden}", Status: http.StatusOK, Contains: []string{"长者运动之家"}},
			{Name: "page one editor", User: "dispatcher", Method: "GET", URL: "/consultations/{page}", Status: http.StatusOK, Contains: []string{"cs-add-q"}},
			{Name: "page one missing", User: "gridworker", Method: "GET", URL: "/consultations/999999", Status: http.StatusNotFound},
			{Name: "page one of another town", User: "lujiazui_admin", Method: "GET", URL: "/consultations/{garden}", Status: http.StatusNotFound},
			{Name: "page add question", User: "dispatcher", Method: "POST", URL: "/consultations/{page}/questions",
				Body: "type=single&title=您支持吗&required=1&options=支持%0A不支持", Status: http.StatusSeeOther},
			{Name: "page add question bad", User: "dispatcher", Method: "POST", URL: "/consultations/{page}/questions", Body: "type=essay&title=x", Status: http.StatusUnprocessableEntity},
			{Name: "page add follow-up", User: "dispatcher", Method: "POST", URL: "/consultations/{page}/questions", Body: "type=text&title=为什么", Status: http.StatusSeeOther},
			{Name: "page condition", User: "dispatcher", Method: "POST", URL: "/consultations/{page}/questions/q2",
				Body: "title=为什么不支持&type=text&required=1&show_if=q1:o2", Status: http.StatusSeeOther},
			{Name: "page condition forwards", User: "dispatcher", Method: "POST", URL: "/consultations/{page}/questions/q1",
				Body: "title=您支持吗&type=single&options=支持%0A不支持&show_if=q2:o1", Status: http.StatusUnprocessableEntity},
			{Name: "page move", User: "dispatcher", Method: "POST", URL: "/consultations/{page}/questions/q2", Body: "op=up", Status: http.StatusUnprocessableEntity},
			{Name: "page question missing", User: "dispatcher", Method: "POST", URL: "/consultations/{page}/questions/nope", Body: "op=remove", Status: http.StatusNotFound},
			{Name: "page edit questions of a decided one", User: "dispatcher", Method: "POST", URL: "/consultations/{garden}/questions", Body: "type=text&title=x", Status: http.StatusConflict},
			{Name: "page edit", User: "dispatcher", Method: "POST", URL: "/consultations/{page}/edit",
				Body: "title=页面征询&body_id={body}&scope=grid&scope_grid=310105102-G05&opens=2026-01-01&closes=2099-12-31&per_household=1", Status: http.StatusSeeOther},
			{Name: "page edit bad", User: "dispatcher", Method: "POST", URL: "/consultations/{page}/edit",
				Body: "title=页面征询&body_id={body}&scope=grid&opens=2026-01-01&closes=2099-12-31", Status: http.StatusUnprocessableEntity},
			{Name: "page open", User: "dispatcher", Method: "POST", URL: "/consultations/{page}/actions/open", Status: http.StatusSeeOther},
			{Name: "page open again", User: "dispatcher", Method: "POST", URL: "/consultations/{page}/actions/open", Status: http.StatusConflict},
			{Name: "page open without consult:manage", User: "gridworker", Method: "POST", URL: "/consultations/{page}/actions/open", Status: http.StatusForbidden},
			{Name: "page enter", User: "gridworker", Method: "GET", URL: "/consultations/{page}/enter", Status: http.StatusOK, Contains: []string{`name="paper"`, "cs-form"}},
			{Name: "page enter without consult:enter", User: "leader", Method: "GET", URL: "/consultations/{page}/enter", Status: http.StatusForbidden},
			{Name: "portal list", Method: "GET", URL: "/portal/consultations", Status: http.StatusOK, Contains: []string{demo.ConsultGarden, "页面征询"}},
			{Name: "portal one anonymous", Method: "GET", URL: "/portal/consultations/{page}", Status: http.StatusOK, Contains: []string{"/login?next="}, NotContains: []string{`id="cs-form"`}},
			{Name: "portal one resident", User: "resident", Method: "GET", URL: "/portal/consultations/{page}", Status: http.StatusOK, Contains: []string{`id="cs-form"`, `name="building"`}},
			{Name: "portal one decided", Method: "GET", URL: "/portal/consultations/{garden}", Status: http.StatusOK, Contains: []string{"cs-decision", "长者运动之家"}},
			{Name: "portal one draft", Method: "GET", URL: "/portal/consultations/{draft}", Status: http.StatusOK},
			{Name: "portal one missing", Method: "GET", URL: "/portal/consultations/999999", Status: http.StatusNotFound},
			{Name: "portal answer outside the grid", User: "resident", Method: "POST", URL: "/portal/consultations/{page}",
				Body: "client_id=page-answer-01&a.q1=o1&building=青溪路146弄3号&room=201", Status: http.StatusUnprocessableEntity, Contains: []string{"楼栋地址"}},
			{Name: "portal answer conditional", User: "resident", Method: "POST", URL: "/portal/consultations/{page}",
				Body: "client_id=page-answer-01&a.q1=o2&building=协和路191弄36号&room=404", Status: http.StatusUnprocessableEntity, Contains: []string{"第 2 题「为什么不支持」：此题必答"}},
			{Name: "portal answer", User: "resident", Method: "POST", URL: "/portal/consultations/{page}",
				Body: "client_id=page-answer-01&a.q1=o2&a.q2=太远&building=协和路191弄36号&room=404", Status: http.StatusSeeOther, Location: "/portal/consultations/{page}?done=1"},
			{Name: "portal answer again", User: "resident", Method: "POST", URL: "/portal/consultations/{page}",
				Body: "client_id=page-answer-02&a.q1=o1&building=协和路191弄36号&room=405", Status: http.StatusConflict, Contains: []string{"已经填写过"}},
			{Name: "portal paper same household", User: "gridworker", Method: "POST", URL: "/portal/consultations/{page}",
				Body: "client_id=page-paper-001&paper=1&a.q1=o1&building=协和路191弄36号&room=404室", Status: http.StatusConflict, Contains: []string{"这一户已经填写过"}},
			{Name: "portal answer anonymous refused", Method: "POST", URL: "/portal/consultations/{page}", Body: "client_id=page-anon-001&a.q1=o1", Status: http.StatusForbidden},
			{Name: "page results", User: "leader", Method: "GET", URL: "/consultations/{garden}/results?q=other&page=2", Status: http.StatusOK, Contains: []string{"chart-support", "第 2 / 3 页"}},
			{Name: "page results missing", User: "leader", Method: "GET", URL: "/consultations/999999/results", Status: http.StatusNotFound},
			{Name: "page results without consult:read", User: "volunteer", Method: "GET", URL: "/consultations/{garden}/results", Status: http.StatusForbidden},
			{Name: "page close", User: "dispatcher", Method: "POST", URL: "/consultations/{page}/actions/close", Status: http.StatusSeeOther},
			{Name: "page decide bad", User: "dispatcher", Method: "POST", URL: "/consultations/{page}/actions/decide", Body: "summary=x&decision=", Status: http.StatusUnprocessableEntity, Contains: []string{"决定"}},
			{Name: "page decide", User: "dispatcher", Method: "POST", URL: "/consultations/{page}/actions/decide", Body: "summary=一户&decision=页面决定", Status: http.StatusSeeOther, Location: "/consultations/{page}/results"},
			{Name: "page link", User: "dispatcher", Method: "POST", URL: "/consultations/{page}/links", Body: "kind=result&ref=健身点", Status: http.StatusSeeOther},
			{Name: "page link bad", User: "dispatcher", Method: "POST", URL: "/consultations/{page}/links", Body: "kind=order&ref=NOPE-1", Status: http.StatusUnprocessableEntity},
			{Name: "page unlink missing", User: "dispatcher", Method: "POST", URL: "/consultations/{page}/links/999999/delete", Status: http.StatusNotFound},
			{Name: "page export", User: "admin", Method: "GET", URL: "/consultations/{garden}/export", Status: http.StatusOK},
			{Name: "page export without consult:manage", User: "handler_committee", Method: "GET", URL: "/consultations/{garden}/export", Status: http.StatusForbidden},
			{Name: "page delete decided", User: "dispatcher", Method: "POST", URL: "/consultations/{page}/actions/delete", Status: http.StatusConflict},
			{Name: "resident home", User: "resident", Method: "GET", URL: "/", Status: http.StatusOK, Contains: []string{"cs-home", demo.ConsultFitness}},
		})
	})
}
