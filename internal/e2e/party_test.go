package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
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
	var mu sync.Mutex
	var logs []chromedp.ConsoleMessage
	recordConsole(desk, &mu, &logs)
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range logs {
			if m.IsException() || m.Type == "error" {
				t.Errorf("console %s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line)
			}
		}
	}()
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
