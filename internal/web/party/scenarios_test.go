package party_test

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

// world is the demo world with its campaigns and party building.
func world(ctx context.Context, db *store.DB, _ string) error {
	now := time.Now()
	_, err := demo.Load(ctx, db, slog.New(slog.NewTextHandler(io.Discard, nil)), demo.Campaigns(now), demo.Party(now))
	return err
}

// Every route of party building and coverage: the happy path, forbidden, not found and bad input.
func TestPartyScenarios(t *testing.T) {
	webtest.Each(t, world, func(t *testing.T, a *webtest.App) {
		a.Var("council", `SELECT id FROM party_councils WHERE name = ?`, demo.XinjingCouncil)
		a.Var("ljzcouncil", `SELECT id FROM party_councils WHERE name = ?`, demo.LujiazuiCouncil)
		a.Var("branch", `SELECT id FROM party_orgs WHERE name = ?`, "绿八居民区第一党支部")
		a.Var("top", `SELECT id FROM party_orgs WHERE name = ?`, "中共上海市长宁区新泾镇委员会")
		a.Var("green8", `SELECT parent_id FROM party_orgs WHERE name = ?`, "绿八居民区第一党支部")
		a.Var("ljzsite", `SELECT id FROM party_network WHERE name = ?`, "陆家嘴街道新时代文明实践分中心")
		a.Var("meeting", `SELECT id FROM party_meetings WHERE held_on = ?`, "2025-12-19")
		a.Var("first", `SELECT id FROM party_meetings WHERE held_on = ?`, "2025-06-27")
		a.Var("task", `SELECT MIN(t.id) FROM party_tasks t JOIN party_meetings m ON m.id = t.meeting_id WHERE m.held_on = ? AND t.status = 'open'`, "2025-06-27")
		a.Var("unit", `SELECT u.id FROM party_council_units u JOIN party_councils c ON c.id = u.council_id WHERE u.name = ? AND c.town_code = '310105102'`, "地铁2号线党总支")
		a.Var("need", `SELECT id FROM party_needs WHERE text = ?`, "楼道堆物清理的志愿力量")
		a.Var("resource", `SELECT id FROM party_resources WHERE unit = ?`, "地铁2号线党总支")
		a.Var("entity", `SELECT id FROM coverage_entities WHERE name = ?`, "天山西路商务楼")
		a.Var("member", `SELECT MIN(m.id) FROM party_members m JOIN party_orgs o ON o.id = m.org_id WHERE o.name = ?`, "绿八居民区第一党支部")
		a.Var("membername", `SELECT m.name FROM party_members m WHERE m.id = (SELECT MIN(m2.id) FROM party_members m2 JOIN party_orgs o ON o.id = m2.org_id WHERE o.name = ?)`, "绿八居民区第一党支部")
		a.Var("memberphone", `SELECT m.phone FROM party_members m WHERE m.id = (SELECT MIN(m2.id) FROM party_members m2 JOIN party_orgs o ON o.id = m2.org_id WHERE o.name = ?)`, "绿八居民区第一党支部")
		a.Run(t, []webtest.Scenario{
			{Name: "tree", User: "leader", Method: "GET", URL: "/api/v1/party/orgs", Status: http.StatusOK, Contains: []string{"绿八居民区党总支", `"honoured_total":214`}},
			{Name: "tree bad year", User: "leader", Method: "GET", URL: "/api/v1/party/orgs?year=1990", Status: http.StatusBadRequest},
			{Name: "tree without party:read", User: "resident", Method: "GET", URL: "/api/v1/party/orgs", Status: http.StatusForbidden},
			{Name: "tree of 陆家嘴 is not 新泾镇's", User: "lujiazui_admin", Method: "GET", URL: "/api/v1/party/orgs", Status: http.StatusOK, NotContains: []string{"绿八"}},
			{Name: "org masked for a leader", User: "leader", Method: "GET", URL: "/api/v1/party/orgs/{branch}", Status: http.StatusOK,
				Contains: []string{`"masked":true`}, NotContains: []string{`"{memberphone}"`}},
			{Name: "org whole for an admin", User: "admin", Method: "GET", URL: "/api/v1/party/orgs/{branch}", Status: http.StatusOK,
				Contains: []string{`"masked":false`, "{memberphone}"}},
			{Name: "org of another town", User: "lujiazui_admin", Method: "GET", URL: "/api/v1/party/orgs/{branch}", Status: http.StatusNotFound},
			{Name: "org bad id", User: "admin", Method: "GET", URL: "/api/v1/party/orgs/x", Status: http.StatusBadRequest},
			{Name: "create org", User: "admin", Method: "POST", URL: "/api/v1/party/orgs",
				Body: `{"town":"310105102","parent_id":{top},"name":"测试楼宇联合党支部","kind":"branch","sector":"building"}`, Status: http.StatusCreated, Contains: []string{"测试楼宇联合党支部"}},
			{Name: "create org under a branch", User: "admin", Method: "POST", URL: "/api/v1/party/orgs",
				Body: `{"town":"310105102","parent_id":{branch},"name":"x","kind":"branch"}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"parent_id"`}},
			{Name: "create org without party:manage", User: "leader", Method: "POST", URL: "/api/v1/party/orgs",
				Body: `{"town":"310105102","name":"x","kind":"branch"}`, Status: http.StatusForbidden, Contains: []string{"party:manage"}},
			{Name: "create org unknown field", User: "admin", Method: "POST", URL: "/api/v1/party/orgs", Body: `{"colour":"red"}`, Status: http.StatusBadRequest},
			{Name: "add member", User: "admin", Method: "POST", URL: "/api/v1/party/orgs/{branch}/members", Body: `{"name":"赵新民","phone":"13900001111","joined":"1975-07-01"}`, Status: http.StatusCreated},
			{Name: "add member bad date", User: "admin", Method: "POST", URL: "/api/v1/party/orgs/{branch}/members", Body: `{"name":"赵新民","joined":"1975-13-01"}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"joined"`}},
			{Name: "add member without party:manage", User: "gridworker", Method: "POST", URL: "/api/v1/party/orgs/{branch}/members", Body: `{"name":"x","joined":"2000-01-01"}`, Status: http.StatusForbidden},
			{Name: "councils", User: "gridworker", Method: "GET", URL: "/api/v1/party/councils", Status: http.StatusOK, Contains: []string{demo.XinjingCouncil}, NotContains: []string{demo.LujiazuiCouncil}},
			{Name: "council", User: "gridworker", Method: "GET", URL: "/api/v1/party/councils/{council}", Status: http.StatusOK, Contains: []string{"地铁2号线党总支", "市农委执法总队党支部", `"next":{`, "新泾派出所党支部"}},
			{Name: "council of another town", User: "gridworker", Method: "GET", URL: "/api/v1/party/councils/{ljzcouncil}", Status: http.StatusNotFound},
			{Name: "record meeting", User: "dispatcher", Method: "POST", URL: "/api/v1/party/councils/{council}/meetings",
				Body:   `{"title":"场景会议","held_on":"2026-03-06","attending":[{unit}],"resolutions":[{"text":"场景决议","owner":"地铁2号线党总支","due_days":5}]}`,
				Status: http.StatusCreated, Contains: []string{"场景决议", `"to_review":[`}},
			{Name: "record meeting bad resolution", User: "dispatcher", Method: "POST", URL: "/api/v1/party/councils/{council}/meetings",
				Body: `{"title":"x","held_on":"2026-03-06","resolutions":[{"text":"a","owner":"","due_days":5}]}`, Status: http.StatusUnprocessableEntity, Contains: []string{`resolutions[0].owner`}},
			{Name: "record meeting without party:manage", User: "leader", Method: "POST", URL: "/api/v1/party/councils/{council}/meetings",
				Body: `{"title":"x","held_on":"2026-03-06"}`, Status: http.StatusForbidden},
			{Name: "record meeting of another town", User: "lujiazui_admin", Method: "POST", URL: "/api/v1/party/councils/{council}/meetings",
				Body: `{"title":"x","held_on":"2026-03-06"}`, Status: http.StatusNotFound},
			{Name: "handover bad day", User: "admin", Method: "POST", URL: "/api/v1/party/councils/{council}/handover", Body: `{"day":"2020-01-01"}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"day"`}},
			{Name: "handover without party:manage", User: "gridleader", Method: "POST", URL: "/api/v1/party/councils/{council}/handover", Body: `{"day":"2026-06-30"}`, Status: http.StatusForbidden},
			{Name: "meeting", User: "leader", Method: "GET", URL: "/api/v1/party/meetings/{meeting}", Status: http.StatusOK, Contains: []string{"已开展义诊4场"}},
			{Name: "meeting not there", User: "leader", Method: "GET", URL: "/api/v1/party/meetings/999999999", Status: http.StatusNotFound},
			{Name: "add resolution", User: "admin", Method: "POST", URL: "/api/v1/party/meetings/{meeting}/resolutions", Body: `{"text":"补充决议","owner":"新泾派出所党支部","due_days":10}`, Status: http.StatusCreated, Contains: []string{"补充决议"}},
			{Name: "add resolution on a Sunday", User: "admin", Method: "POST", URL: "/api/v1/party/meetings/{meeting}/resolutions", Body: `{"text":"x","owner":"y","due":"2026-01-11"}`, Status: http.StatusUnprocessableEntity, Contains: []string{"working day"}},
			{Name: "tasks", User: "leader", Method: "GET", URL: "/api/v1/party/tasks?status=open", Status: http.StatusOK, Contains: []string{"淞虹路地铁站"}},
			{Name: "tasks bad status", User: "leader", Method: "GET", URL: "/api/v1/party/tasks?status=late", Status: http.StatusBadRequest},
			{Name: "review", User: "admin", Method: "POST", URL: "/api/v1/party/tasks/{task}/reviews", Body: `{"meeting_id":{meeting},"note":"场景点评","progress":90}`, Status: http.StatusOK, Contains: []string{"场景点评"}},
			{Name: "review own resolution", User: "admin", Method: "POST", URL: "/api/v1/party/tasks/{task}/reviews", Body: `{"meeting_id":{first},"note":"x","progress":90}`, Status: http.StatusUnprocessableEntity},
			{Name: "review bad progress", User: "admin", Method: "POST", URL: "/api/v1/party/tasks/{task}/reviews", Body: `{"note":"x","progress":120}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"progress"`}},
			{Name: "review without party:manage", User: "gridworker", Method: "POST", URL: "/api/v1/party/tasks/{task}/reviews", Body: `{"note":"x","progress":1}`, Status: http.StatusForbidden},
			{Name: "agreements", User: "gridworker", Method: "GET", URL: "/api/v1/party/agreements", Status: http.StatusOK, Contains: []string{"市发改委改革处党支部", "区发改委党支部", "新泾镇机关党总支"}},
			{Name: "create agreement", User: "admin", Method: "POST", URL: "/api/v1/party/agreements",
				Body: `{"town":"310105102","title":"场景联建","signed_on":"2026-03-02","parties":["甲","乙"],"commitments":[{"text":"共建","owner":"甲","due_days":10}]}`, Status: http.StatusCreated, Contains: []string{"场景联建"}},
			{Name: "create agreement one party", User: "admin", Method: "POST", URL: "/api/v1/party/agreements",
				Body: `{"town":"310105102","title":"x","signed_on":"2026-03-02","parties":["甲"]}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"parties"`}},
			{Name: "create agreement without party:manage", User: "leader", Method: "POST", URL: "/api/v1/party/agreements", Body: `{"town":"310105102"}`, Status: http.StatusForbidden},
			{Name: "market", User: "gridworker", Method: "GET", URL: "/api/v1/party/market", Status: http.StatusOK, Contains: []string{"为独居老人上门体检", "每月第二个周三上门"}},
			{Name: "add need", User: "admin", Method: "POST", URL: "/api/v1/party/needs", Body: `{"town":"310105102","area":"福泉苑居民区","text":"助餐点志愿者"}`, Status: http.StatusCreated},
			{Name: "add need empty", User: "admin", Method: "POST", URL: "/api/v1/party/needs", Body: `{"town":"310105102","area":"","text":"x"}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"area"`}},
			{Name: "add resource", User: "admin", Method: "POST", URL: "/api/v1/party/resources", Body: `{"town":"310105102","unit":"新泾派出所党支部","text":"反诈宣讲"}`, Status: http.StatusCreated},
			{Name: "add resource without party:manage", User: "gridworker", Method: "POST", URL: "/api/v1/party/resources", Body: `{"town":"310105102","unit":"x","text":"y"}`, Status: http.StatusForbidden},
			{Name: "match", User: "admin", Method: "POST", URL: "/api/v1/party/matches", Body: `{"need_id":{need},"resource_id":{resource},"note":"周末集中清理"}`, Status: http.StatusCreated, Contains: []string{"周末集中清理"}},
			{Name: "match again", User: "admin", Method: "POST", URL: "/api/v1/party/matches", Body: `{"need_id":{need},"resource_id":{resource},"note":"again"}`, Status: http.StatusUnprocessableEntity, Contains: []string{"matched already"}},
			{Name: "match unknown need", User: "admin", Method: "POST", URL: "/api/v1/party/matches", Body: `{"need_id":999999,"resource_id":{resource},"note":"x"}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"need_id"`}},
			{Name: "network of 陆家嘴", User: "lujiazui_admin", Method: "GET", URL: "/api/v1/party/network", Status: http.StatusOK, Contains: []string{`"stations":31`, `"enterprise_points":16`, "上海建工一建集团"}},
			{Name: "network without party:read", User: "resident", Method: "GET", URL: "/api/v1/party/network", Status: http.StatusForbidden},
			{Name: "coverage", User: "leader", Method: "GET", URL: "/api/v1/coverage", Status: http.StatusOK, Contains: []string{`"full_pct"`, "西郊金融园", `"gaps"`}},
			{Name: "coverage of another town", User: "leader", Method: "GET", URL: "/api/v1/coverage?town=310115005", Status: http.StatusNotFound},
			{Name: "coverage without coverage:read", User: "volunteer", Method: "GET", URL: "/api/v1/coverage", Status: http.StatusForbidden},
			{Name: "add entity", User: "gridleader", Method: "POST", URL: "/api/v1/coverage/entities",
				Body: `{"town":"310105102","kind":"new_employment","name":"场景骑手群体","grid":"310105102-G01","liaison":"徐金宝","liaison_since":"2026-01-05"}`, Status: http.StatusCreated},
			{Name: "add entity bad kind", User: "gridleader", Method: "POST", URL: "/api/v1/coverage/entities", Body: `{"town":"310105102","kind":"shop","name":"x"}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"kind"`}},
			{Name: "add entity without coverage:write", User: "gridworker", Method: "POST", URL: "/api/v1/coverage/entities", Body: `{"town":"310105102","kind":"enterprise","name":"x"}`, Status: http.StatusForbidden},
			{Name: "add activity", User: "admin", Method: "POST", URL: "/api/v1/coverage/entities/{entity}/activities", Body: `{"held_on":"2026-03-02","kind":"service","text":"楼宇党建指导"}`, Status: http.StatusNoContent},
			{Name: "add activity bad kind", User: "admin", Method: "POST", URL: "/api/v1/coverage/entities/{entity}/activities", Body: `{"held_on":"2026-03-02","kind":"party","text":"x"}`, Status: http.StatusUnprocessableEntity},
			{Name: "add activity not there", User: "admin", Method: "POST", URL: "/api/v1/coverage/entities/999999/activities", Body: `{"held_on":"2026-03-02","kind":"service","text":"x"}`, Status: http.StatusNotFound},

			{Name: "page tree", User: "gridworker", Method: "GET", URL: "/party", Status: http.StatusOK, Contains: []string{"中共上海市长宁区新泾镇委员会", `id="pt-honoured">214<`}},
			{Name: "page tree forbidden", User: "resident", Method: "GET", URL: "/party", Status: http.StatusForbidden},
			{Name: "page org masked", User: "leader", Method: "GET", URL: "/party/orgs/{branch}", Status: http.StatusOK, NotContains: []string{"{memberphone}"}},
			{Name: "page org whole", User: "admin", Method: "GET", URL: "/party/orgs/{branch}", Status: http.StatusOK, Contains: []string{"{memberphone}"}},
			{Name: "page org not there", User: "admin", Method: "GET", URL: "/party/orgs/999999", Status: http.StatusNotFound},
			{Name: "page councils", User: "gridworker", Method: "GET", URL: "/party/councils", Status: http.StatusSeeOther, Location: "/party/councils/{council}"},
			{Name: "page council", User: "gridworker", Method: "GET", URL: "/party/councils/{council}", Status: http.StatusOK, Contains: []string{`id="pt-next">新泾派出所党支部<`}, NotContains: []string{"pt-meeting-form"}},
			{Name: "page council with the secretary's form", User: "admin", Method: "GET", URL: "/party/councils/{council}", Status: http.StatusOK, Contains: []string{"pt-meeting-form"}},
			{Name: "page record meeting", User: "admin", Method: "POST", URL: "/party/councils/{council}/meetings",
				Body: "title=页面会议&held_on=2026-03-09&attending={unit}&resolution=页面决议&owner=地铁2号线党总支&due=2026-03-20", Status: http.StatusSeeOther, Location: "/party/meetings/"},
			{Name: "page record meeting bad", User: "admin", Method: "POST", URL: "/party/councils/{council}/meetings", Body: "title=&held_on=2026-03-09", Status: http.StatusUnprocessableEntity},
			{Name: "page record meeting forbidden", User: "leader", Method: "POST", URL: "/party/councils/{council}/meetings", Body: "title=x", Status: http.StatusForbidden},
			{Name: "page handover forbidden", User: "gridworker", Method: "POST", URL: "/party/councils/{council}/handover", Body: "day=2026-06-30", Status: http.StatusForbidden},
			{Name: "page meeting", User: "gridworker", Method: "GET", URL: "/party/meetings/{meeting}", Status: http.StatusOK, Contains: []string{"pt-review-table", "已开展义诊4场"}},
			{Name: "page add resolution", User: "admin", Method: "POST", URL: "/party/meetings/{meeting}/resolutions", Body: "text=页面补充决议&owner=地铁2号线党总支&due_days=5", Status: http.StatusSeeOther},
			{Name: "page review", User: "admin", Method: "POST", URL: "/party/meetings/{meeting}/reviews", Body: "task={task}&note=页面点评&progress=95&status=open", Status: http.StatusSeeOther},
			{Name: "page review bad progress", User: "admin", Method: "POST", URL: "/party/meetings/{meeting}/reviews", Body: "task={task}&note=x&progress=abc", Status: http.StatusBadRequest},
			{Name: "page agreements", User: "leader", Method: "GET", URL: "/party/agreements", Status: http.StatusOK, Contains: []string{"三方党建联建"}},
			{Name: "page matching", User: "leader", Method: "GET", URL: "/party/matching", Status: http.StatusOK, Contains: []string{"为独居老人上门体检"}, NotContains: []string{"pt-match-form"}},
			{Name: "page match", User: "admin", Method: "POST", URL: "/party/matching", Body: "need_id={need}&resource_id={resource}&note=", Status: http.StatusUnprocessableEntity},
			{Name: "page network", User: "lujiazui_admin", Method: "GET", URL: "/party/network", Status: http.StatusOK, Contains: []string{"陆家嘴街道新时代文明实践分中心"}},
			{Name: "page coverage", User: "leader", Method: "GET", URL: "/coverage", Status: http.StatusOK, Contains: []string{`id="map"`, "淞虹路沿街商户"}},
			{Name: "page coverage forbidden", User: "volunteer", Method: "GET", URL: "/coverage", Status: http.StatusForbidden},

			// The office's forms: organisations, agreements, needs and resources, network sites, roster.
			{Name: "update org", User: "admin", Method: "PUT", URL: "/api/v1/party/orgs/{branch}",
				Body: `{"parent_id":{green8},"name":"绿八居民区第一党支部","kind":"branch","secretary":"新任书记","reported_members":40}`, Status: http.StatusOK, Contains: []string{"新任书记", `"reported_members":40`}},
			{Name: "update org under itself", User: "admin", Method: "PUT", URL: "/api/v1/party/orgs/{top}",
				Body: `{"parent_id":{green8},"name":"中共上海市长宁区新泾镇委员会","kind":"committee"}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"parent_id"`}},
			{Name: "update org without party:manage", User: "leader", Method: "PUT", URL: "/api/v1/party/orgs/{branch}", Body: `{"name":"x","kind":"branch"}`, Status: http.StatusForbidden},
			{Name: "update org of another town", User: "lujiazui_admin", Method: "PUT", URL: "/api/v1/party/orgs/{branch}", Body: `{"name":"x","kind":"branch"}`, Status: http.StatusNotFound},
			{Name: "add site", User: "admin", Method: "POST", URL: "/api/v1/party/network",
				Body: `{"town":"310105102","kind":"point","name":"场景实践点","offers":"理论宣讲","links":["/volunteers/activities/1"],"lat":31.21,"lng":121.37}`, Status: http.StatusCreated, Contains: []string{"场景实践点"}},
			{Name: "add site bad link", User: "admin", Method: "POST", URL: "/api/v1/party/network",
				Body: `{"town":"310105102","kind":"point","name":"x","links":["javascript:alert(1)"],"lat":31.21,"lng":121.37}`, Status: http.StatusUnprocessableEntity, Contains: []string{`"field":"links[0]"`}},
			{Name: "add site without party:manage", User: "gridworker", Method: "POST", URL: "/api/v1/party/network", Body: `{"town":"310105102","kind":"point","name":"x","lat":31.2,"lng":121.3}`, Status: http.StatusForbidden},
			{Name: "update site", User: "lujiazui_admin", Method: "PUT", URL: "/api/v1/party/network/{ljzsite}",
				Body: `{"kind":"centre","name":"陆家嘴街道新时代文明实践分中心","offers":"场景：周末开放","lat":31.235,"lng":121.505}`, Status: http.StatusOK, Contains: []string{"场景：周末开放"}},
			{Name: "update site of another town", User: "admin", Method: "PUT", URL: "/api/v1/party/network/{ljzsite}", Body: `{"kind":"point","name":"x","lat":31.2,"lng":121.3}`, Status: http.StatusNotFound},
			{Name: "page new org", User: "dispatcher", Method: "GET", URL: "/party/orgs/new?parent={top}", Status: http.StatusOK, Contains: []string{"pt-org-form", "中共上海市长宁区新泾镇委员会"}},
			{Name: "page new org forbidden", User: "leader", Method: "GET", URL: "/party/orgs/new", Status: http.StatusForbidden},
			{Name: "page create org", User: "dispatcher", Method: "POST", URL: "/party/orgs",
				Body: "town=310105102&parent_id={top}&name=页面新建党支部&kind=branch&sector=enterprise&secretary=周书记&reported_members=12", Status: http.StatusSeeOther, Location: "/party/orgs/"},
			{Name: "page create org refused", User: "dispatcher", Method: "POST", URL: "/party/orgs",
				Body: "town=310105102&parent_id={branch}&name=x&kind=branch", Status: http.StatusUnprocessableEntity, Contains: []string{"上级组织", `data-field="parent_id"`}},
			{Name: "page create org bad count", User: "dispatcher", Method: "POST", URL: "/party/orgs",
				Body: "town=310105102&name=x&kind=branch&reported_members=many", Status: http.StatusUnprocessableEntity, Contains: []string{"上报党员数"}},
			{Name: "page edit org", User: "admin", Method: "GET", URL: "/party/orgs/{branch}/edit", Status: http.StatusOK, Contains: []string{"pt-org-form", "绿八居民区第一党支部"}},
			{Name: "page update org", User: "admin", Method: "POST", URL: "/party/orgs/{branch}",
				Body: "parent_id={green8}&name=绿八居民区第一党支部&kind=branch&secretary=页面书记&reported_members=41", Status: http.StatusSeeOther, Location: "/party/orgs/{branch}"},
			{Name: "page org shows the reported count", User: "leader", Method: "GET", URL: "/party/orgs/{branch}", Status: http.StatusOK, Contains: []string{"页面书记", `id="pt-org-reported">41`}, NotContains: []string{"pt-org-edit"}},
			{Name: "page agreements with the form", User: "admin", Method: "GET", URL: "/party/agreements", Status: http.StatusOK, Contains: []string{"pt-agreement-form", `name="commitment_due"`}},
			{Name: "page agreements without the form", User: "leader", Method: "GET", URL: "/party/agreements", Status: http.StatusOK, NotContains: []string{"pt-agreement-form"}},
			{Name: "page sign agreement", User: "admin", Method: "POST", URL: "/party/agreements",
				Body:   "title=页面联建&signed_on=2026-03-02&term_end=2027-03-01&party=新泾镇机关党总支&party=地铁2号线党总支&party=&commitment_text=共建党员先锋岗&commitment_owner=地铁2号线党总支&commitment_due=2026-04-30&commitment_text=&commitment_owner=&commitment_due=",
				Status: http.StatusSeeOther, Location: "/party/agreements?flash="},
			{Name: "page sign agreement bad commitment", User: "admin", Method: "POST", URL: "/party/agreements",
				Body:   "title=页面联建2&signed_on=2026-03-02&party=甲&party=乙&commitment_text=第一项&commitment_owner=甲&commitment_due=&commitment_text=&commitment_owner=&commitment_due=&commitment_text=第三项&commitment_owner=&commitment_due=",
				Status: http.StatusUnprocessableEntity, Contains: []string{"第 3 行的责任单位", `data-field="commitments[2].owner"`, `value="第三项"`}},
			{Name: "page sign agreement on a Sunday (en)", User: "admin", Method: "POST", URL: "/party/agreements?lang=en",
				Body:   "title=x&signed_on=2026-03-02&party=甲&party=乙&commitment_text=a&commitment_owner=甲&commitment_due=2026-03-08",
				Status: http.StatusUnprocessableEntity, Contains: []string{"Due of row 1", "working day"}},
			{Name: "page sign agreement forbidden", User: "gridworker", Method: "POST", URL: "/party/agreements", Body: "title=x", Status: http.StatusForbidden},
			{Name: "page add need", User: "admin", Method: "POST", URL: "/party/needs", Body: "area=虹桥机场新村&text=页面需求：助浴服务", Status: http.StatusSeeOther, Location: "/party/matching?flash="},
			{Name: "page add need refused", User: "admin", Method: "POST", URL: "/party/needs", Body: "area=&text=x", Status: http.StatusUnprocessableEntity, Contains: []string{"居民区", `data-field="area"`}},
			{Name: "page add resource", User: "admin", Method: "POST", URL: "/party/resources", Body: "unit=新泾派出所党支部&text=页面资源：反诈讲座", Status: http.StatusSeeOther, Location: "/party/matching?flash="},
			{Name: "page add resource forbidden", User: "leader", Method: "POST", URL: "/party/resources", Body: "unit=x&text=y", Status: http.StatusForbidden},
			{Name: "page matching shows them", User: "leader", Method: "GET", URL: "/party/matching", Status: http.StatusOK, Contains: []string{"页面需求：助浴服务", "页面资源：反诈讲座"}, NotContains: []string{"pt-need-form"}},
			{Name: "page new site", User: "admin", Method: "GET", URL: "/party/network/new", Status: http.StatusOK, Contains: []string{"pt-site-form", "pt-pick-map"}},
			{Name: "page create site", User: "admin", Method: "POST", URL: "/party/network",
				Body: "kind=station&name=页面实践站&offers=周末开放&lat=31.2155&lng=121.3712&links=https://example.org/x", Status: http.StatusSeeOther, Location: "/party/network"},
			{Name: "page create site bad lat", User: "admin", Method: "POST", URL: "/party/network", Body: "kind=station&name=y&lat=north&lng=121.37", Status: http.StatusUnprocessableEntity, Contains: []string{"纬度", `data-field="lat"`}},
			{Name: "page edit site", User: "lujiazui_admin", Method: "GET", URL: "/party/network/{ljzsite}/edit", Status: http.StatusOK, Contains: []string{"陆家嘴街道新时代文明实践分中心"}},
			{Name: "page edit site of another town", User: "admin", Method: "GET", URL: "/party/network/{ljzsite}/edit", Status: http.StatusNotFound},
			{Name: "page update site", User: "lujiazui_admin", Method: "POST", URL: "/party/network/{ljzsite}",
				Body: "kind=centre&name=陆家嘴街道新时代文明实践分中心&offers=页面：全天开放&lat=31.235&lng=121.505", Status: http.StatusSeeOther},
			{Name: "page roster", User: "admin", Method: "GET", URL: "/party/roster", Status: http.StatusOK, Contains: []string{"pt-roster-form", "身份证号"}},
			{Name: "page roster forbidden", User: "dispatcher", Method: "GET", URL: "/party/roster", Status: http.StatusForbidden},
			{Name: "page roster without a file", User: "admin", Method: "POST", URL: "/party/roster", Body: "town=310105102", Status: http.StatusUnprocessableEntity},
			{Name: "roster export of another town", User: "admin", Method: "GET", URL: "/party/roster.xlsx?town=310115005", Status: http.StatusNotFound},
			{Name: "roster export forbidden", User: "resident", Method: "GET", URL: "/party/roster.xlsx", Status: http.StatusForbidden},
		})
		// One audit row per response that showed a roster whole; none for a masked one.
		var n int
		if err := a.DB.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal_data' AND entity = 'party_member'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("audit rows of whole rosters = %d, want 2 (the API's and the page's)", n)
		}
	})
}
