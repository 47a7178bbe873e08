package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/civicgrid/civicgrid/internal/idnumber"
	"github.com/civicgrid/civicgrid/internal/sheet/sheettest"
)

// The council's secretary (an administrator, party:manage) records a meeting with attendance and
// a resolution on the council page, adds a second resolution and reviews an open task from the
// earlier meetings on the meeting page; then the tree and the English council page.
func TestPartyCouncilMeetingInBrowser(t *testing.T) {
	srv, desk := signedIn(t, "admin", 1280, 900)
	var cs struct {
		Councils []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"councils"`
	}
	if code := apiFetch(t, desk, "GET", "/api/v1/party/councils", "", &cs); code != 200 || len(cs.Councils) == 0 {
		t.Fatalf("GET /api/v1/party/councils = %d, %d councils (the demo's 新泾镇 council)", code, len(cs.Councils))
	}
	council := cs.Councils[0].ID
	visit(t, desk, fmt.Sprintf("%s/party/councils/%d", srv.URL, council), "open the council")
	must(t, chromedp.Do(desk, chromedp.WaitVisible(chromedp.CSS(`#pt-meeting-form`))), "the secretary's form")
	if next := evaluate[string](t, desk, `document.getElementById('pt-next').innerText`); next != "新泾派出所党支部" {
		t.Errorf("next in turn = %q, want 新泾派出所党支部", next)
	}
	if h := evaluate[string](t, desk, `document.getElementById('pt-history').innerText`); !strings.Contains(h, "市农委执法总队党支部") || !strings.Contains(h, "地铁2号线党总支") {
		t.Errorf("convener history lacks the seed's handover: %q", h)
	}
	Screenshot(t, desk, "party-council")

	today := time.Now().Format("2006-01-02")
	must(t, chromedp.Do(desk,
		chromedp.SendKeys(chromedp.CSS(`#pt-meeting-form input[name=title]`), "区域化党建工作联席会议（浏览器测试）"),
		chromedp.SetValue(chromedp.CSS(`#pt-meeting-form input[name=held_on]`), today),
		chromedp.SendKeys(chromedp.CSS(`#pt-meeting-form input[name=place]`), "新泾镇社区党群服务中心"),
		chromedp.SendKeys(chromedp.CSS(`#pt-meeting-form textarea[name=agenda]`), "1. 通报决议落实情况\n2. 新兴领域两个覆盖攻坚"),
		chromedp.Click(chromedp.CSS(`#pt-meeting-form input[name=attending]:nth-of-type(1)`)),
		chromedp.SendKeys(chromedp.CSS(`#pt-meeting-form input[name=resolution]`), "地铁2号线党总支牵头开展“文明保畅”志愿服务"),
		chromedp.SetValue(chromedp.CSS(`#pt-meeting-form select[name=owner]`), "地铁2号线党总支"),
	), "fill the meeting form")
	evaluate[bool](t, desk, `(document.querySelectorAll('#pt-meeting-form input[name=attending]').forEach(function (c, i) { if (i < 5) c.checked = true; }), true)`)
	if _, err := chromedp.RunResponse(desk, chromedp.Click(chromedp.CSS(`#pt-meeting-form button.primary`))); err != nil {
		t.Fatalf("submit the meeting: %v", err)
	}
	must(t, chromedp.Do(desk, chromedp.WaitVisible(chromedp.CSS(`#pt-resolution-form`))), "the meeting's page")
	if flash := evaluate[string](t, desk, `(document.querySelector('.flash') || {}).innerText || ''`); !strings.Contains(flash, "会议已记录") {
		t.Errorf("after recording, the flash says %q", flash)
	}
	if n := evaluate[int](t, desk, `document.querySelectorAll('#pt-attending li:not(.muted)').length`); n != 5 {
		t.Errorf("%d units attending, want 5", n)
	}
	// A second resolution, due in 10 working days.
	must(t, chromedp.Do(desk,
		chromedp.SendKeys(chromedp.CSS(`#pt-resolution-form input[name=text]`), "各成员单位认领一项“两个覆盖”楼宇"),
		chromedp.SetValue(chromedp.CSS(`#pt-resolution-form input[name=due_days]`), "10"),
	), "fill the resolution")
	if _, err := chromedp.RunResponse(desk, chromedp.Click(chromedp.CSS(`#pt-resolution-form button`))); err != nil {
		t.Fatalf("add the resolution: %v", err)
	}
	must(t, chromedp.Do(desk, chromedp.WaitVisible(chromedp.CSS(`#pt-resolution-table`))), "resolutions")
	if n := evaluate[int](t, desk, `document.querySelectorAll('#pt-resolution-table tbody tr').length`); n != 2 {
		t.Errorf("%d resolutions, want 2", n)
	}
	// The open tasks from earlier meetings and the agreement wait for review; review the first.
	rows := evaluate[int](t, desk, `document.querySelectorAll('#pt-review-table tbody tr[data-task]').length`)
	if rows < 3 {
		t.Fatalf("%d tasks to review, want the open resolutions and commitments from before", rows)
	}
	must(t, chromedp.Do(desk,
		chromedp.SendKeys(chromedp.CSS(`#pt-review-table tbody tr[data-task] .pt-review-form input[name=note]`), "已完成挂牌，服务点投入使用"),
		chromedp.SetValue(chromedp.CSS(`#pt-review-table tbody tr[data-task] .pt-review-form input[name=progress]`), "100"),
		chromedp.SetValue(chromedp.CSS(`#pt-review-table tbody tr[data-task] .pt-review-form select[name=status]`), "done"),
	), "fill the review")
	if _, err := chromedp.RunResponse(desk, chromedp.Click(chromedp.CSS(`#pt-review-table tbody tr[data-task] .pt-review-form button`))); err != nil {
		t.Fatalf("save the review: %v", err)
	}
	must(t, chromedp.Do(desk, chromedp.WaitVisible(chromedp.CSS(`.pt-reviewed`))), "the review shown")
	if txt := evaluate[string](t, desk, `document.querySelector('.pt-reviewed').innerText`); !strings.Contains(txt, "已完成挂牌") {
		t.Errorf("review shows %q", txt)
	}
	Screenshot(t, desk, "party-meeting")

	visit(t, desk, srv.URL+"/party", "open the tree")
	if n := evaluate[string](t, desk, `document.getElementById('pt-honoured').innerText`); n != "214" {
		t.Errorf("光荣在党50年 on the tree = %s, want 214", n)
	}
	Screenshot(t, desk, "party-tree")
	visit(t, desk, fmt.Sprintf("%s/party/councils/%d?lang=en", srv.URL, council), "the council in English")
	if h := evaluate[string](t, desk, `document.querySelector('h2').innerText`); h != "Member units" {
		t.Errorf("English council page heading = %q", h)
	}
	Screenshot(t, desk, "party-council-en")
	visit(t, desk, srv.URL+"/party?lang=zh", "back to Chinese")
}

// The coverage map and its trend: grids coloured, entities as pins, on a desktop in Chinese and
// English and on a 390 px phone; and 陆家嘴's practice network.
func TestCoverageMapInBrowser(t *testing.T) {
	srv, desk := signedIn(t, "leader", 1280, 900)
	noConsoleErrors(t, desk, "")
	for _, lang := range []string{"zh", "en"} {
		visit(t, desk, srv.URL+"/coverage?lang="+lang, "open the coverage "+lang)
		state, err := chromedp.Run(desk, chromedp.Poll[string](`document.body.dataset.mapReady`, chromedp.WithPollingInterval(50*time.Millisecond)))
		must(t, err, "wait for the coverage map")
		if state != "1" {
			t.Fatalf("coverage map did not draw: %q", state)
		}
		if n := evaluate[int](t, desk, `document.querySelectorAll('#map path.pt-grid-polygon').length`); n != xinjingGrids {
			t.Errorf("coverage map has %d grids, want %d", n, xinjingGrids)
		}
		if n := evaluate[int](t, desk, `document.querySelectorAll('#map path.pt-pin').length`); n < 15 {
			t.Errorf("coverage map has %d entity pins", n)
		}
		if n := evaluate[int](t, desk, `document.querySelectorAll('#pt-trend svg path').length`); n < 3 {
			t.Errorf("trend chart drew %d paths", n)
		}
		if n := evaluate[int](t, desk, `document.querySelectorAll('#pt-gap-table tbody tr').length`); n == 0 {
			t.Error("no gaps listed")
		}
		must(t, WaitMapIdle(desk), "coverage map idle")
		Screenshot(t, desk, "coverage-"+lang)
	}
	visit(t, desk, srv.URL+"/coverage?lang=zh", "back to Chinese")

	phone := NewBrowser(t, 390, 844)
	signIn(t, phone, srv, "leader")
	visit(t, phone, srv.URL+"/coverage", "coverage on a phone")
	_, err := chromedp.Run(phone, chromedp.Poll[string](`document.body.dataset.mapReady`, chromedp.WithPollingInterval(50*time.Millisecond)))
	must(t, err, "phone map")
	if w := evaluate[int](t, phone, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("coverage page is %d px wide on a 390 px phone", w)
	}
	must(t, WaitMapIdle(phone), "phone map idle")
	Screenshot(t, phone, "coverage-phone")
	// The leader's home shows the coverage figure and the open tasks.
	visit(t, phone, srv.URL+"/", "home")
	if txt := evaluate[string](t, phone, `(document.getElementById('pt-home') || {}).innerText || ''`); !strings.Contains(txt, "%") {
		t.Errorf("leader's home lacks the coverage panel: %q", txt)
	}
	Screenshot(t, phone, "party-home-phone")

	ljz := NewBrowser(t, 1280, 900)
	signIn(t, ljz, srv, "lujiazui_admin")
	visit(t, ljz, srv.URL+"/party/network", "the network")
	_, err = chromedp.Run(ljz, chromedp.Poll[string](`document.body.dataset.mapReady`, chromedp.WithPollingInterval(50*time.Millisecond)))
	must(t, err, "network map")
	if n := evaluate[int](t, ljz, `document.querySelectorAll('#map path.pt-site').length`); n < 1+31+16 {
		t.Errorf("network map has %d sites, want 1 + 31 + N (N ≥ 16)", n)
	}
	must(t, WaitMapIdle(ljz), "network map idle")
	Screenshot(t, ljz, "party-network")
}

// The town's party-building office (an administrator) on the page forms: signs a co-building
// agreement with commitments (a commitment without its owner is refused first, the row marked),
// records a need and a resource and matches them into a project, imports a roster with one bad
// row (the row and column shown, nothing imported) and then the corrected file — the honours
// follow the imported dates. Then the forms on a 390 px phone.
func TestPartyOfficeFormsInBrowser(t *testing.T) {
	srv, desk := signedIn(t, "admin", 1280, 900)
	// The refused forms answer 422 on purpose; the browser logs that status.
	noConsoleErrors(t, desk, "status of 422")

	// 1. The agreement.
	visit(t, desk, srv.URL+"/party/agreements", "the agreements")
	must(t, chromedp.Do(desk, chromedp.Click(chromedp.CSS(`#pt-sign summary`)), chromedp.WaitVisible(chromedp.CSS(`#pt-agreement-form`))), "open the signing form")
	must(t, chromedp.Do(desk,
		chromedp.SendKeys(chromedp.CSS(`#pt-agreement-form input[name=title]`), "新泾镇—地铁2号线党建联建协议（浏览器测试）"),
		chromedp.SetValue(chromedp.CSS(`#pt-agreement-form input[name=term_end]`), time.Now().AddDate(2, 0, 0).Format("2006-01-02")),
		chromedp.SendKeys(chromedp.CSS(`#pt-agreement-form textarea[name=summary]`), "共建文明保畅岗，共办党员志愿服务"),
		chromedp.SendKeys(chromedp.CSS(`#pt-parties .pt-row:nth-of-type(1) input`), "新泾镇机关党总支"),
		chromedp.SendKeys(chromedp.CSS(`#pt-parties .pt-row:nth-of-type(2) input`), "地铁2号线党总支"),
		chromedp.SendKeys(chromedp.CSS(`#pt-commitments .pt-row:nth-of-type(1) input[name=commitment_text]`), "在淞虹路站设立党员志愿服务岗"),
		chromedp.SendKeys(chromedp.CSS(`#pt-commitments .pt-row:nth-of-type(1) input[name=commitment_owner]`), "地铁2号线党总支"),
		chromedp.Click(chromedp.CSS(`#pt-commitments .pt-add-row`)),
	), "fill the agreement")
	if n := evaluate[int](t, desk, `document.querySelectorAll('#pt-commitments .pt-row').length`); n != 4 {
		t.Errorf("after adding a row: %d commitment rows, want 4", n)
	}
	// The fourth row (added by the page): text, no owner yet.
	must(t, chromedp.Do(desk, chromedp.SendKeys(chromedp.CSS(`#pt-commitments .pt-row:nth-of-type(4) input[name=commitment_text]`), "每季度联合开展一次“两个覆盖”走访")), "the fourth commitment")
	if _, err := chromedp.RunResponse(desk, chromedp.Click(chromedp.CSS(`#pt-agreement-form button.primary`))); err != nil {
		t.Fatalf("submit the agreement: %v", err)
	}
	waitFor(t, desk, `.error[data-field]`, "the refusal")
	if msg := evaluate[string](t, desk, `document.querySelector('.error').innerText`); !strings.Contains(msg, "第 4 行的责任单位") {
		t.Errorf("refusal says %q, want the 4th row's owner", msg)
	}
	if bad := evaluate[string](t, desk, `(document.querySelector('[aria-invalid=true]') || {}).name || ''`); bad != "commitment_owner" {
		t.Errorf("the marked field is %q", bad)
	}
	Screenshot(t, desk, "party-agreement-refused")
	must(t, chromedp.Do(desk, chromedp.SendKeys(chromedp.CSS(`#pt-commitments .pt-row:nth-of-type(4) input[name=commitment_owner]`), "新泾镇机关党总支")), "the owner")
	if _, err := chromedp.RunResponse(desk, chromedp.Click(chromedp.CSS(`#pt-agreement-form button.primary`))); err != nil {
		t.Fatalf("submit the agreement again: %v", err)
	}
	waitFor(t, desk, `.pt-agreement`, "the agreements")
	if flash := evaluate[string](t, desk, `(document.querySelector('.flash') || {}).innerText || ''`); !strings.Contains(flash, "联建协议已登记") {
		t.Errorf("after signing, the flash says %q", flash)
	}
	signed := evaluate[string](t, desk, `document.querySelector('.pt-agreement').innerText`)
	if !strings.Contains(signed, "浏览器测试") || !strings.Contains(signed, "在淞虹路站设立党员志愿服务岗") || !strings.Contains(signed, "每季度联合开展") {
		t.Errorf("the new agreement shows %q", signed)
	}
	if n := evaluate[int](t, desk, `document.querySelectorAll('.pt-agreement:first-of-type tbody tr').length`); n != 2 {
		t.Errorf("%d commitments tracked, want 2", n)
	}
	Screenshot(t, desk, "party-agreement-signed")

	// 2. A need, a resource, and their match.
	visit(t, desk, srv.URL+"/party/matching", "the matching")
	must(t, chromedp.Do(desk, chromedp.Click(chromedp.CSS(`#pt-need summary`)),
		chromedp.SendKeys(chromedp.CSS(`#pt-need-form input[name=area]`), "新泾八村居民区"),
		chromedp.SendKeys(chromedp.CSS(`#pt-need-form textarea[name=text]`), "独居老人助浴服务（浏览器测试）")), "fill the need")
	if _, err := chromedp.RunResponse(desk, chromedp.Click(chromedp.CSS(`#pt-need-form button.primary`))); err != nil {
		t.Fatalf("record the need: %v", err)
	}
	must(t, chromedp.Do(desk, chromedp.Click(chromedp.CSS(`#pt-resource summary`)),
		chromedp.SendKeys(chromedp.CSS(`#pt-resource-form input[name=unit]`), "同仁医院党委"),
		chromedp.SendKeys(chromedp.CSS(`#pt-resource-form textarea[name=text]`), "护理志愿者每月上门（浏览器测试）")), "fill the resource")
	if _, err := chromedp.RunResponse(desk, chromedp.Click(chromedp.CSS(`#pt-resource-form button.primary`))); err != nil {
		t.Fatalf("record the resource: %v", err)
	}
	waitFor(t, desk, `#pt-match-form`, "the match form")
	evaluate[bool](t, desk, `(function () {
		function pick(sel, text) { var s = document.querySelector(sel); for (var i = 0; i < s.options.length; i++) if (s.options[i].text.indexOf(text) >= 0) s.selectedIndex = i; return s.value; }
		return !!(pick('#pt-match-form select[name=need_id]', '助浴服务（浏览器测试）') && pick('#pt-match-form select[name=resource_id]', '护理志愿者每月上门'));
	})()`)
	must(t, chromedp.Do(desk, chromedp.SendKeys(chromedp.CSS(`#pt-match-form input[name=note]`), "同仁医院护理志愿者为新泾八村独居老人助浴")), "the project")
	Screenshot(t, desk, "party-matching")
	if _, err := chromedp.RunResponse(desk, chromedp.Click(chromedp.CSS(`#pt-match-form button.primary`))); err != nil {
		t.Fatalf("match: %v", err)
	}
	waitFor(t, desk, `#pt-matches`, "the projects")
	if txt := evaluate[string](t, desk, `document.querySelector('table.stack:last-of-type').innerText`); !strings.Contains(txt, "同仁医院护理志愿者为新泾八村独居老人助浴") {
		t.Errorf("the matched project is not listed: %q", txt)
	}
	if txt := evaluate[string](t, desk, `document.getElementById('pt-needs').innerText`); !strings.Contains(txt, "助浴服务（浏览器测试）") {
		t.Errorf("the need is not listed: %q", txt)
	}

	// 3. The roster: one bad row, then the corrected file.
	dir := t.TempDir()
	head := []string{"姓名", "性别", "出生日期", "转正日期", "所在党组织", "联系电话", "身份证号"}
	cutoff := fmt.Sprintf("%d-07-01", time.Now().AddDate(0, -6, 0).Year()-50) // awarded in the current honour year
	first := []string{"周建华", "男", "1950-03-15", cutoff, "绿八居民区党总支", "13812345678", idnumber.Make("310105", "19500315", 11, true)}
	bad := []string{"吴秀兰", "女", "1956-09-20", "1985-06-01", "新渔东路居民区党总支", "", "31010519560920002X"}
	good := append([]string(nil), bad...)
	good[6] = idnumber.Make("310105", "19560920", 12, false)
	badFile, goodFile := filepath.Join(dir, "roster-bad.xlsx"), filepath.Join(dir, "roster.xlsx")
	sheettest.WriteXLSX(t, badFile, [][]string{head, first, bad})
	sheettest.WriteXLSX(t, goodFile, [][]string{head, first, good})

	visit(t, desk, srv.URL+"/party/roster", "the roster page")
	before := evaluate[string](t, desk, `document.getElementById('pt-roster-honoured').innerText`)
	members := evaluate[string](t, desk, `document.getElementById('pt-roster-count').innerText`)
	must(t, chromedp.Do(desk, chromedp.SetUploadFiles(chromedp.CSS(`#pt-roster-form input[type=file]`), []string{badFile}),
		chromedp.Click(chromedp.CSS(`#pt-roster-form button.primary`))), "upload the bad roster")
	waitFor(t, desk, `#pt-roster-problems`, "the problems")
	problems := evaluate[string](t, desk, `document.querySelector('#pt-roster-problems tbody').innerText`)
	if !strings.Contains(problems, "3") || !strings.Contains(problems, "G · 身份证号") || !strings.Contains(problems, "校验位") {
		t.Errorf("problems: %q", problems)
	}
	if n := evaluate[int](t, desk, `document.querySelectorAll('#pt-roster-problems tbody tr').length`); n != 1 {
		t.Errorf("%d problems listed, want 1", n)
	}
	if now := evaluate[string](t, desk, `document.getElementById('pt-roster-count').innerText`); now != members {
		t.Errorf("a refused file changed the count: %s → %s", members, now)
	}
	Screenshot(t, desk, "party-roster-refused")
	must(t, chromedp.Do(desk, chromedp.SetUploadFiles(chromedp.CSS(`#pt-roster-form input[type=file]`), []string{goodFile}),
		chromedp.Click(chromedp.CSS(`#pt-roster-form button.primary`))), "upload the roster")
	waitFor(t, desk, `.flash`, "the import")
	if flash := evaluate[string](t, desk, `document.querySelector('.flash').innerText`); !strings.Contains(flash, "新增 2 人") {
		t.Errorf("after the import, the flash says %q", flash)
	}
	after := evaluate[string](t, desk, `document.getElementById('pt-roster-honoured').innerText`)
	var b, a int
	fmt.Sscan(before, &b)
	fmt.Sscan(after, &a)
	if a != b+1 {
		t.Errorf("光荣在党50年 %s → %s, want one more (周建华, full member since %s)", before, after, cutoff)
	}
	Screenshot(t, desk, "party-roster-imported")

	// 4. The forms on a phone: nothing wider than the screen.
	phone := NewBrowser(t, 390, 844)
	signIn(t, phone, srv, "admin")
	for _, p := range []struct{ path, open, shot string }{
		{"/party/agreements", "#pt-sign summary", "party-agreement-phone"},
		{"/party/matching", "#pt-need summary", "party-matching-phone"},
		{"/party/roster", "", "party-roster-phone"},
		{"/party/orgs/new", "", "party-org-form-phone"},
		{"/party/network/new", "", "party-site-form-phone"},
	} {
		visit(t, phone, srv.URL+p.path, p.path+" on a phone")
		if p.open != "" {
			must(t, chromedp.Do(phone, chromedp.Click(chromedp.CSS(p.open))), "open "+p.open)
		}
		if w := evaluate[int](t, phone, `document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("%s is %d px wide on a 390 px phone", p.path, w)
		}
		Screenshot(t, phone, p.shot)
	}
	visit(t, desk, srv.URL+"/party/orgs/new", "the organisation form")
	Screenshot(t, desk, "party-org-form")
	visit(t, desk, srv.URL+"/party/network/new", "the site form")
	Screenshot(t, desk, "party-site-form")
}
