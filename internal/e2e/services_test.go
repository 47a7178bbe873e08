package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestServicesInBrowser: on a phone (390 px) a resident who runs a noodle shop browses the
// 泾彩满格 catalogue (5 aspects, 28 categories, 76 items), opens 营业执照办理指导 and requests it
// for the shop; on a desktop the 市场监管所 handler finds it in the department's queue, accepts
// and delivers it; back on the phone the merchant follows it (state, deadline, timeline),
// confirms and rates it. A grid worker requests 居家护理上门服务 for an elderly resident (代办)
// from the health list. Screenshots of each step, phone and desktop, Chinese and English.
func TestServicesInBrowser(t *testing.T) {
	srv, desk := signedIn(t, "handler_market", 1280, 900)
	phone := NewBrowser(t, 390, 844)
	noScriptErrors(t, desk, phone)
	signIn(t, phone, srv, "resident")

	// Phone: the catalogue.
	visit(t, phone, srv.URL+"/portal/services?lang=zh", "open the catalogue")
	waitFor(t, phone, "#sv-aspects .sv-aspect", "aspect cards")
	if got := evaluate[string](t, phone, `document.getElementById('sv-counts').innerText`); !strings.Contains(got, "5") || !strings.Contains(got, "28") || !strings.Contains(got, "76") {
		t.Errorf("catalogue counts %q, want 5 / 28 / 76", got)
	}
	if n := evaluate[int](t, phone, `document.querySelectorAll('#sv-aspects .sv-aspect').length`); n != 5 {
		t.Errorf("%d aspect cards, want 5", n)
	}
	noOverflow(t, phone, "the catalogue on a phone")
	top(t, phone)
	Screenshot(t, phone, "services-phone-catalogue")
	// The sticky header would catch a click on a link scrolled to the top.
	evaluate[bool](t, phone, `document.querySelector('a[data-code="JC3-01"]').scrollIntoView({block: 'center'}), true`)
	centre(t, phone, `a[data-code="JC3-01"]`)
	if _, err := chromedp.RunResponse(phone, chromedp.Click(chromedp.CSS(`a[data-code="JC3-01"]`))); err != nil {
		t.Fatalf("open the item: %v", err)
	}
	waitFor(t, phone, "#sv-form", "the request form")
	if got := evaluate[string](t, phone, `document.getElementById('sv-facts').innerText`); !strings.Contains(got, "新泾市场监管所") || !strings.Contains(got, "5") {
		t.Errorf("item facts %q lack the provider or the promised days", got)
	}
	noOverflow(t, phone, "the item on a phone")
	top(t, phone)
	Screenshot(t, phone, "services-phone-item")
	evaluate[bool](t, phone, `document.querySelector('input[name=contact_phone]').value = '', true`)
	must(t, chromedp.Do(phone,
		chromedp.SendKeys(chromedp.CSS(`input[name=organisation]`), "泾味面馆（仙霞西路店）"),
		chromedp.SendKeys(chromedp.CSS(`input[name=contact_phone]`), "13916620731"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=note]`), "新开面馆，想请工作人员指导办理个体户营业执照。"),
	), "fill the request")
	top(t, phone)
	Screenshot(t, phone, "services-phone-form")
	centre(t, phone, `#sv-submit`)
	if _, err := chromedp.RunResponse(phone, chromedp.Click(chromedp.CSS(`#sv-submit`))); err != nil {
		t.Fatalf("submit the request: %v", err)
	}
	waitFor(t, phone, `#sv-state[data-state=received]`, "the request received")
	number := evaluate[string](t, phone, `document.getElementById('sv-number').innerText`)
	requestURL := evaluate[string](t, phone, `location.pathname`)
	if !strings.HasPrefix(number, "FW") {
		t.Fatalf("request number %q", number)
	}
	top(t, phone)
	noOverflow(t, phone, "the request on a phone")
	top(t, phone)
	Screenshot(t, phone, "services-phone-received")

	// Desktop: the department's queue; accept and deliver.
	visit(t, desk, srv.URL+"/services/requests?state=open&lang=zh", "the queue")
	waitFor(t, desk, fmt.Sprintf(`a.sv-row[data-number="%s"]`, number), "the request in the queue")
	if n := evaluate[int](t, desk, `document.querySelectorAll('a.sv-row.sv-overdue').length`); n == 0 {
		t.Errorf("the queue marks no overdue request (the demo has some)")
	}
	top(t, desk)
	Screenshot(t, desk, "services-desk-queue")
	visit(t, desk, srv.URL+requestURL, "the request on the desktop")
	waitFor(t, desk, `#sv-act-accept`, "the accept form")
	if got := evaluate[string](t, desk, `document.getElementById('sv-contact').innerText`); !strings.Contains(got, "13916620731") {
		t.Errorf("the provider sees the contact %q, want the phone whole", got)
	}
	top(t, desk)
	Screenshot(t, desk, "services-desk-received")
	centre(t, desk, `#sv-act-accept button`)
	if _, err := chromedp.RunResponse(desk, chromedp.Click(chromedp.CSS(`#sv-act-accept button`))); err != nil {
		t.Fatalf("accept: %v", err)
	}
	waitFor(t, desk, `#sv-state[data-state=accepted]`, "accepted")
	must(t, chromedp.Do(desk, chromedp.SendKeys(chromedp.CSS(`#sv-act-deliver textarea[name=result]`), "已上门指导，材料齐全，已在一网通办提交，营业执照预计3日内核发。")), "write the result")
	top(t, desk)
	Screenshot(t, desk, "services-desk-deliver")
	centre(t, desk, `#sv-act-deliver button`)
	if _, err := chromedp.RunResponse(desk, chromedp.Click(chromedp.CSS(`#sv-act-deliver button`))); err != nil {
		t.Fatalf("deliver: %v", err)
	}
	waitFor(t, desk, `#sv-state[data-state=delivered]`, "delivered")
	top(t, desk)
	Screenshot(t, desk, "services-desk-delivered")

	// Phone: the merchant follows it, confirms and rates.
	visit(t, phone, srv.URL+requestURL, "follow the request")
	waitFor(t, phone, `#sv-state[data-state=delivered]`, "the delivered request")
	if got := evaluate[string](t, phone, `document.getElementById('sv-result').innerText`); !strings.Contains(got, "已上门指导") {
		t.Errorf("result %q", got)
	}
	noOverflow(t, phone, "the delivered request on a phone")
	top(t, phone)
	Screenshot(t, phone, "services-phone-delivered")
	centre(t, phone, `#sv-act-confirm button`)
	if _, err := chromedp.RunResponse(phone, chromedp.Click(chromedp.CSS(`#sv-act-confirm button`))); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	waitFor(t, phone, `#sv-state[data-state=confirmed]`, "confirmed")
	must(t, chromedp.Do(phone,
		chromedp.Click(chromedp.CSS(`#sv-act-rate input[value=satisfied]`)),
		chromedp.SendKeys(chromedp.CSS(`#sv-act-rate textarea[name=comment]`), "上门讲得很清楚，谢谢！"),
	), "rate")
	top(t, phone)
	Screenshot(t, phone, "services-phone-rate")
	centre(t, phone, `#sv-act-rate button`)
	if _, err := chromedp.RunResponse(phone, chromedp.Click(chromedp.CSS(`#sv-act-rate button`))); err != nil {
		t.Fatalf("rate: %v", err)
	}
	waitFor(t, phone, `#sv-state[data-state=rated]`, "rated")
	if n := evaluate[int](t, phone, `document.querySelectorAll('#sv-timeline li').length`); n != 5 {
		t.Errorf("timeline of %d steps, want 5 (requested, accepted, delivered, confirmed, rated)", n)
	}
	top(t, phone)
	noOverflow(t, phone, "the rated request on a phone")
	top(t, phone)
	Screenshot(t, phone, "services-phone-rated")
	visit(t, phone, srv.URL+requestURL+"?lang=en", "the request in English")
	waitFor(t, phone, `#sv-state[data-state=rated]`, "the rated request in English")
	if got := evaluate[string](t, phone, `document.getElementById('sv-state').innerText`); got != "Rated" {
		t.Errorf("English state %q", got)
	}
	top(t, phone)
	Screenshot(t, phone, "services-phone-rated-en")
	visit(t, phone, srv.URL+"/services/requests", "my requests")
	waitFor(t, phone, fmt.Sprintf(`a.sv-row[data-number="%s"]`, number), "my requests")
	noOverflow(t, phone, "my requests on a phone")
	top(t, phone)
	Screenshot(t, phone, "services-phone-mine-en")

	// A grid worker's 代办 for an elderly resident, from the health list, on a phone.
	worker := NewBrowser(t, 390, 844)
	signIn(t, worker, srv, "gridworker")
	visit(t, worker, srv.URL+"/portal/services?catalogue=health&lang=zh", "the health list")
	waitFor(t, worker, `a[data-code="JK5-03"]`, "居家护理上门服务")
	noOverflow(t, worker, "the health list on a phone")
	top(t, worker)
	Screenshot(t, worker, "services-phone-health")
	evaluate[bool](t, worker, `document.querySelector('a[data-code="JK5-03"]').scrollIntoView({block: 'center'}), true`)
	centre(t, worker, `a[data-code="JK5-03"]`)
	if _, err := chromedp.RunResponse(worker, chromedp.Click(chromedp.CSS(`a[data-code="JK5-03"]`))); err != nil {
		t.Fatalf("open the health item: %v", err)
	}
	waitFor(t, worker, `#sv-form input[name=on_behalf]`, "the 代办 form")
	must(t, chromedp.Do(worker,
		chromedp.SendKeys(chromedp.CSS(`input[name=contact_name]`), "王阿婆"),
		chromedp.SendKeys(chromedp.CSS(`input[name=contact_phone]`), "13801762245"),
		chromedp.SendKeys(chromedp.CSS(`input[name=address]`), "天山星城12号楼302室"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=note]`), "独居老人，腿脚不便。"),
	), "fill the 代办 form")
	top(t, worker)
	Screenshot(t, worker, "services-phone-behalf-form")
	centre(t, worker, `#sv-submit`)
	if _, err := chromedp.RunResponse(worker, chromedp.Click(chromedp.CSS(`#sv-submit`))); err != nil {
		t.Fatalf("submit the 代办: %v", err)
	}
	waitFor(t, worker, `#sv-state[data-state=received]`, "the 代办 received")
	if got := evaluate[string](t, worker, `document.getElementById('sv-contact').innerText`); !strings.Contains(got, "王阿婆") || !strings.Contains(got, "代办") {
		t.Errorf("the 代办 contact %q", got)
	}
	top(t, worker)
	noOverflow(t, worker, "the 代办 request on a phone")
	top(t, worker)
	Screenshot(t, worker, "services-phone-behalf")

	// Desktop: the operations centre's queue (overdue marked) and the catalogue editor.
	centreDesk := NewBrowser(t, 1280, 900)
	signIn(t, centreDesk, srv, "dispatcher")
	visit(t, centreDesk, srv.URL+"/services/requests?overdue=1&lang=zh", "the overdue queue")
	waitFor(t, centreDesk, "a.sv-row.sv-overdue", "overdue requests")
	top(t, centreDesk)
	Screenshot(t, centreDesk, "services-desk-overdue")
	visit(t, centreDesk, srv.URL+"/services/admin", "the catalogue editor")
	waitFor(t, centreDesk, "table.sv-table", "the catalogue table")
	if got := evaluate[string](t, centreDesk, `document.querySelector('main h2, h2').innerText`); got == "" {
		t.Errorf("the editor has no heading")
	}
	top(t, centreDesk)
	Screenshot(t, centreDesk, "services-desk-admin")
	visit(t, centreDesk, srv.URL+"/services/admin/items/JC3-01", "edit an item")
	waitFor(t, centreDesk, "#sv-save", "the item editor")
	top(t, centreDesk)
	Screenshot(t, centreDesk, "services-desk-edit")
}

// centre scrolls css into the middle of the screen, clear of the sticky header, before a click.
func centre(t *testing.T, ctx context.Context, css string) {
	t.Helper()
	evaluate[bool](t, ctx, `document.querySelector('`+css+`').scrollIntoView({block: 'center'}), true`)
}
