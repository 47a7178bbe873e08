package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// apiFetch calls the JSON API from the signed-in page, with the page's CSRF token, and decodes
// the answer into out; it returns the HTTP status.
func apiFetch(t *testing.T, ctx context.Context, method, path, body string, out any) int {
	t.Helper()
	js := fmt.Sprintf(`(async () => {
		const r = await fetch(%q, {method: %q, credentials: 'same-origin',
			headers: {'Content-Type': 'application/json', 'X-CSRF-Token': document.querySelector('meta[name=csrf-token]').content},
			body: %s});
		return JSON.stringify({status: r.status, body: await r.text()});
	})()`, path, method, jsBody(body))
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	var res struct {
		Status int
		Body   string
	}
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if out != nil && res.Body != "" {
		if err := json.Unmarshal([]byte(res.Body), out); err != nil {
			t.Fatalf("%s %s: answer is not JSON: %s", method, path, res.Body)
		}
	}
	return res.Status
}

func jsBody(body string) string {
	if body == "" {
		return "undefined"
	}
	b, _ := json.Marshal(body)
	return string(b)
}

type e2eTarget struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

// The demo campaign when the demo extra is wired into `serve --demo`, else one made here.
const demoCampaign = "2025年四百大走访"

func TestCampaignInBrowser(t *testing.T) {
	srv, desk := signedIn(t, "admin", 1280, 900)

	var list struct {
		Campaigns []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"campaigns"`
	}
	if code := apiFetch(t, desk, "GET", "/api/v1/campaigns", "", &list); code != 200 {
		t.Fatalf("GET /api/v1/campaigns = %d", code)
	}
	var id int64
	for _, c := range list.Campaigns {
		if c.Name == demoCampaign {
			id = c.ID
		}
	}
	phone := NewBrowser(t, 390, 844)
	signIn(t, phone, srv, "gridworker")
	if id == 0 {
		t.Logf("demo campaign %q absent: creating one through the API", demoCampaign)
		var c struct{ ID int64 }
		start := time.Now().AddDate(0, -1, 0).Format("2006-01-02")
		end := time.Now().AddDate(0, 2, 0).Format("2006-01-02")
		body := fmt.Sprintf(`{"name":"四百大走访（浏览器测试）","kind":"four_hundred","start":%q,"end":%q}`, start, end)
		if code := apiFetch(t, desk, "POST", "/api/v1/campaigns", body, &c); code != 201 {
			t.Fatalf("create campaign = %d", code)
		}
		id = c.ID
		for _, b := range []string{`{"from_address_book":true}`, `{"from_places_kind":"office_park","kind":"office_building"}`} {
			if code := apiFetch(t, desk, "POST", fmt.Sprintf("/api/v1/campaigns/%d/targets", id), b, nil); code != 201 {
				t.Fatalf("bulk targets %s = %d", b, code)
			}
		}
		// The grid worker visits about 60 % of them, unevenly across grids.
		var ts struct{ Targets []e2eTarget }
		apiFetch(t, phone, "GET", fmt.Sprintf("/api/v1/campaigns/%d/targets", id), "", &ts)
		for i, tg := range ts.Targets {
			status := ""
			switch r := (i*37 + 11) % 100; {
			case r < 60:
				status = "visited"
			case r < 70:
				status = "not_home"
			}
			if status == "" || i == 0 {
				continue
			}
			if code := apiFetch(t, phone, "POST", fmt.Sprintf("/api/v1/campaigns/%d/targets/%d/visits", id, tg.ID), fmt.Sprintf(`{"status":%q}`, status), nil); code != 201 {
				t.Fatalf("log visit = %d", code)
			}
		}
	}

	// The campaign page: map coloured by coverage with pins, chart, table.
	visit(t, desk, fmt.Sprintf("%s/campaigns/%d", srv.URL, id), "open the campaign")
	state, err := chromedp.Run(desk, chromedp.Poll[string](`document.body.dataset.mapReady`, chromedp.WithPollingInterval(50*time.Millisecond)))
	must(t, err, "wait for the campaign map")
	if state != "1" {
		t.Fatalf("campaign map did not draw: %q", state)
	}
	if n := evaluate[int](t, desk, `document.querySelectorAll('#map path.cp-grid-polygon').length`); n != xinjingGrids {
		t.Errorf("campaign map has %d grid polygons, want %d", n, xinjingGrids)
	}
	if n := evaluate[int](t, desk, `document.querySelectorAll('#map path.cp-pin').length`); n < 50 {
		t.Errorf("campaign map has %d target pins, want the households and buildings", n)
	}
	if n := evaluate[int](t, desk, `document.querySelectorAll('#map path.cp-pin-visited').length`); n == 0 {
		t.Errorf("no green (visited) pins on the campaign map")
	}
	if n := evaluate[int](t, desk, `document.querySelectorAll('#cp-chart svg path').length`); n < 8 {
		t.Errorf("the ECharts chart drew %d paths, want bars per grid", n)
	}
	if rows := evaluate[int](t, desk, `document.querySelectorAll('#cp-progress tbody tr').length`); rows != xinjingGrids+1 {
		t.Errorf("progress table has %d rows, want %d grids and the total", rows, xinjingGrids+1)
	}
	must(t, WaitMapIdle(desk), "campaign map idle")
	Screenshot(t, desk, "campaign")

	// Phone: log a visit to a pending target, then turn the finding into an order.
	var pending struct{ Targets []e2eTarget }
	apiFetch(t, phone, "GET", fmt.Sprintf("/api/v1/campaigns/%d/targets?status=pending", id), "", &pending)
	if len(pending.Targets) == 0 {
		t.Fatal("no pending target to visit")
	}
	tg := pending.Targets[0]
	must(t, chromedp.Do(phone,
		chromedp.Navigate(fmt.Sprintf("%s/campaigns/%d/targets/%d", srv.URL, id, tg.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#visit-form`)),
		chromedp.Click(chromedp.CSS(`#visit-form input[name=status][value=visited]`)),
		chromedp.SendKeys(chromedp.CSS(`#visit-form textarea[name=findings]`), "独居老人反映楼道灯不亮，夜间上下楼不便"),
		chromedp.SendKeys(chromedp.CSS(`#visit-form textarea[name=needs]`), "尽快修复楼道照明"),
	), "fill the visit form")
	if _, err := chromedp.RunResponse(phone, chromedp.Click(chromedp.CSS(`#visit-form button[type=submit]`))); err != nil {
		t.Fatalf("submit the visit: %v", err)
	}
	must(t, chromedp.Do(phone, chromedp.WaitVisible(chromedp.CSS(`.cp-to-order button`))), "转为工单 button")
	if flash := evaluate[string](t, phone, `(document.querySelector('.flash') || {}).innerText || ''`); !strings.Contains(flash, "走访已记录") {
		t.Errorf("after the visit the flash says %q", flash)
	}
	if _, err := chromedp.RunResponse(phone, chromedp.Click(chromedp.CSS(`.cp-to-order button`))); err != nil {
		t.Fatalf("转为工单: %v", err)
	}
	must(t, chromedp.Do(phone, chromedp.WaitVisible(chromedp.CSS(`.cp-order a`))), "order link")
	flash := evaluate[string](t, phone, `(document.querySelector('.flash') || {}).innerText || ''`)
	if !strings.Contains(flash, "已转为工单") {
		t.Errorf("after 转为工单 the flash says %q", flash)
	}
	if n := evaluate[int](t, phone, `document.querySelectorAll('.cp-to-order button').length`); n != 0 {
		t.Errorf("%d 转为工单 buttons left after the order was raised", n)
	}
	if w := evaluate[int](t, phone, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("visit page is %d px wide on a 390 px phone", w)
	}
	Screenshot(t, phone, "campaign-visit")
}
