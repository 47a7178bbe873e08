package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The demo's open consultation, its garden consultation (decided) and the decision staff publish here.
const (
	demoFitness  = "社区健身点设施更新意见征询"
	demoGarden   = "同Xin街区口袋花园建设意见征询"
	testDecision = "更新全镇12处健身点器材，优先铺设塑胶地面"
)

type e2eConsultation struct {
	ID      int64  `json:"id"`
	Title   string `json:"title"`
	Status  string `json:"status"`
	Answers int    `json:"answers"`
}

func consultationByTitle(t *testing.T, ctx context.Context, title string) e2eConsultation {
	t.Helper()
	var list struct {
		Consultations []e2eConsultation `json:"consultations"`
	}
	if code := apiFetch(t, ctx, "GET", "/api/v1/public/consultations", "", &list); code != 200 {
		t.Fatalf("GET /api/v1/public/consultations = %d", code)
	}
	for _, c := range list.Consultations {
		if c.Title == title {
			return c
		}
	}
	t.Fatalf("no consultation %q among %+v", title, list.Consultations)
	return e2eConsultation{}
}

func answersOf(t *testing.T, ctx context.Context, id int64) int {
	t.Helper()
	var c e2eConsultation
	if code := apiFetch(t, ctx, "GET", fmt.Sprintf("/api/v1/consultations/%d", id), "", &c); code != 200 {
		t.Fatalf("GET consultation %d = %d", id, code)
	}
	return c.Answers
}

func poll(t *testing.T, ctx context.Context, expr, step string) {
	t.Helper()
	// A navigation ends a poll: poll again on the new page until the deadline.
	deadline := time.Now().Add(25 * time.Second)
	for {
		pctx, cancel := context.WithDeadline(ctx, deadline)
		_, err := chromedp.Run(pctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(100*time.Millisecond)))
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) || !strings.Contains(err.Error(), "navigated") {
			t.Fatalf("%s: waiting for %s: %v", step, expr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestConsultationInBrowser: a resident answers the open consultation on a phone (a conditional
// question appears when its condition holds); a grid worker enters a paper answer while the
// phone is offline, and it is sent once the phone is back online; the dispatcher closes the
// consultation and publishes the decision; the public page shows the results and the decision,
// in Chinese and English.
func TestConsultationInBrowser(t *testing.T) {
	srv := StartServer(t)

	// The resident, on a phone: the home shows the open consultation.
	phone := NewBrowser(t, 390, 844)
	signIn(t, phone, srv, "resident")
	visit(t, phone, srv.URL+"/", "the resident's home")
	if home := evaluate[string](t, phone, `(document.getElementById('cs-home') || {}).innerText || ''`); !strings.Contains(home, demoFitness) {
		t.Fatalf("the resident's home does not list %s: %q", demoFitness, home)
	}
	Screenshot(t, phone, "consult-resident-home-phone")
	c := consultationByTitle(t, phone, demoFitness)
	visit(t, phone, fmt.Sprintf("%s/portal/consultations/%d", srv.URL, c.ID), "open the consultation")
	must(t, chromedp.Do(phone, chromedp.WaitVisible(chromedp.CSS(`#cs-form`))), "the answer form")
	if !evaluate[bool](t, phone, `document.getElementById('q-why_not').hidden`) {
		t.Fatal("the conditional question shows before its condition holds")
	}
	must(t, chromedp.Do(phone, chromedp.Click(chromedp.CSS(`#q-use input[value="o3"]`))), "choose 从不使用")
	if evaluate[bool](t, phone, `document.getElementById('q-why_not').hidden`) {
		t.Fatal("the conditional question stays hidden after 从不使用")
	}
	must(t, chromedp.Do(phone,
		chromedp.Click(chromedp.CSS(`#q-why_not input[value="o1"]`)),
		chromedp.Click(chromedp.CSS(`#q-rate .cs-rating input[value="7"] + span`)),
		chromedp.SendKeys(chromedp.CSS(`#q-idea textarea`), "希望健身点旁边增加饮水机"),
	), "answer")
	top(t, phone)
	Screenshot(t, phone, "consult-answer-phone")
	must(t, chromedp.Do(phone, chromedp.Click(chromedp.CSS(`#cs-submit`))), "submit")
	poll(t, phone, `!!document.getElementById('cs-answered')`, "the answer is taken")
	Screenshot(t, phone, "consult-answered-phone")

	// The grid worker's paper answer, entered while the phone is offline.
	gw := NewBrowser(t, 390, 844)
	signIn(t, gw, srv, "gridworker")
	before := answersOf(t, gw, c.ID)
	visit(t, gw, fmt.Sprintf("%s/consultations/%d/enter", srv.URL, c.ID), "the paper entry")
	must(t, chromedp.Do(gw, chromedp.WaitVisible(chromedp.CSS(`#cs-form`))), "the paper form")
	must(t, chromedp.Do(gw, networkOffline(true)), "go offline")
	must(t, chromedp.Do(gw,
		chromedp.Click(chromedp.CSS(`#q-use input[value="o1"]`)),
		chromedp.Click(chromedp.CSS(`#q-replace input[value="o4"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="respondent"]`), "王阿姨"),
		chromedp.Click(chromedp.CSS(`#cs-submit`)),
	), "enter the paper answer offline")
	poll(t, gw, `document.getElementById('cs-queue-n').textContent === '1'`, "the answer waits in the queue")
	top(t, gw)
	Screenshot(t, gw, "consult-paper-offline-phone")
	must(t, chromedp.Do(gw, networkOffline(false)), "back online")
	poll(t, gw, `document.getElementById('cs-queue-n').textContent === '0'`, "the queue is sent")
	if n := answersOf(t, gw, c.ID); n != before+1 {
		t.Fatalf("answers after the queue was sent: %d, want %d", n, before+1)
	}
	Screenshot(t, gw, "consult-paper-synced-phone")

	// The paper-entry page opens without a connection once the shell's service worker keeps it.
	enter := fmt.Sprintf("%s/consultations/%d/enter", srv.URL, c.ID)
	poll(t, gw, `navigator.serviceWorker.ready.then(() => true)`, "the service worker")
	visit(t, gw, enter, "the paper entry, now through the worker")
	poll(t, gw, fmt.Sprintf(`caches.match('/consultations/%d/enter').then(r => !!r)`, c.ID), "the page kept")
	must(t, chromedp.Do(gw, networkOffline(true)), "offline again")
	visit(t, gw, enter, "the paper entry without a connection")
	must(t, chromedp.Do(gw, chromedp.WaitVisible(chromedp.CSS(`#cs-form`))), "the kept paper form")
	must(t, chromedp.Do(gw,
		chromedp.Click(chromedp.CSS(`#q-use input[value="o2"]`)),
		chromedp.Click(chromedp.CSS(`#cs-submit`)),
	), "a second paper answer without a connection")
	poll(t, gw, `document.getElementById('cs-queue-n').textContent === '1'`, "the second answer waits")
	must(t, chromedp.Do(gw, networkOffline(false)), "online again")
	poll(t, gw, `document.getElementById('cs-queue-n').textContent === '0'`, "the second answer is sent")
	if n := answersOf(t, gw, c.ID); n != before+2 {
		t.Fatalf("answers after the second paper form: %d, want %d", n, before+2)
	}

	// The dispatcher closes the consultation and publishes the decision.
	desk := NewBrowser(t, 1280, 900)
	signIn(t, desk, srv, "dispatcher")
	visit(t, desk, srv.URL+"/consultations", "the staff list")
	poll(t, desk, `document.body.dataset.mapReady === '1'`, "the list's map")
	Screenshot(t, desk, "consult-list-desktop")
	visit(t, desk, fmt.Sprintf("%s/consultations/%d", srv.URL, c.ID), "the consultation")
	Screenshot(t, desk, "consult-one-desktop")
	must(t, chromedp.Do(desk, chromedp.Click(chromedp.CSS(`button[value="close"]`))), "close it")
	must(t, chromedp.Do(desk, chromedp.WaitVisible(chromedp.CSS(`.flash`))), "closed")
	visit(t, desk, fmt.Sprintf("%s/consultations/%d/results", srv.URL, c.ID), "the results")
	must(t, chromedp.Do(desk,
		chromedp.WaitVisible(chromedp.CSS(`#cs-decide-form`)),
		chromedp.SendKeys(chromedp.CSS(`#cs-decide-form textarea[name="summary"]`), "居民最希望更换漫步机和铺设塑胶地面。"),
		chromedp.SendKeys(chromedp.CSS(`#cs-decide-form textarea[name="decision"]`), testDecision),
		chromedp.Click(chromedp.CSS(`#cs-decide-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#cs-decision`)),
	), "publish the decision")
	poll(t, desk, `Number(document.body.dataset.chartsReady) >= 4`, "the charts")
	if st := evaluate[string](t, desk, `document.getElementById('cs-status').innerText`); st != "已公布决定" {
		t.Errorf("status after deciding: %q", st)
	}
	Screenshot(t, desk, "consult-results-desktop")

	// The lift's household consent: the threshold met, shown with the results.
	lift := consultationByTitle(t, desk, "天山西路144弄12号加装电梯意见征询")
	visit(t, desk, fmt.Sprintf("%s/consultations/%d/results", srv.URL, lift.ID), "the lift's results")
	if cls := evaluate[string](t, desk, `document.getElementById('cs-consent').className`); !strings.Contains(cls, "cs-pass") {
		t.Errorf("the lift's consent: %q", cls)
	}
	Screenshot(t, desk, "consult-lift-results-desktop")

	// The public: results and decision, in Chinese and in English.
	anon := NewBrowser(t, 390, 844)
	visit(t, anon, fmt.Sprintf("%s/portal/consultations/%d", srv.URL, c.ID), "the public page")
	poll(t, anon, `Number(document.body.dataset.chartsReady) >= 4`, "the public charts")
	if dec := evaluate[string](t, anon, `document.getElementById('cs-decision').innerText`); !strings.Contains(dec, testDecision) {
		t.Errorf("the public page's decision: %q", dec)
	}
	if evaluate[bool](t, anon, `!!document.getElementById('cs-form')`) {
		t.Error("a decided consultation still shows its form")
	}
	Screenshot(t, anon, "consult-public-decided-phone")
	visit(t, anon, fmt.Sprintf("%s/portal/consultations/%d?lang=en", srv.URL, c.ID), "the public page in English")
	poll(t, anon, `Number(document.body.dataset.chartsReady) >= 4`, "the English charts")
	if h := evaluate[string](t, anon, `document.getElementById('cs-decision').innerText`); !strings.Contains(h, "Decision taken") {
		t.Errorf("the English page: %q", h)
	}
	Screenshot(t, anon, "consult-public-decided-phone-en")

	// The seed's garden: decided in 2023, on the portal's list and its own page.
	g := consultationByTitle(t, anon, demoGarden)
	visit(t, anon, srv.URL+"/portal/consultations?lang=zh", "the portal list")
	poll(t, anon, `document.body.dataset.mapReady === '1'`, "the portal map")
	Screenshot(t, anon, "consult-portal-phone")
	gd := NewBrowser(t, 1280, 900)
	visit(t, gd, fmt.Sprintf("%s/portal/consultations/%d", srv.URL, g.ID), "the garden")
	poll(t, gd, `Number(document.body.dataset.chartsReady) >= 5`, "the garden's charts")
	if dec := evaluate[string](t, gd, `document.getElementById('cs-decision').innerText`); !strings.Contains(dec, "同Xin街区口袋花园") {
		t.Errorf("the garden's decision: %q", dec)
	}
	Screenshot(t, gd, "consult-garden-desktop")
}

// TestConsultationEditorInBrowser: the dispatcher creates a consultation with the plain forms,
// adds a question and a follow-up shown only to those who answer 不支持, opens it, and the public
// page shows the follow-up only after 不支持 is chosen.
func TestConsultationEditorInBrowser(t *testing.T) {
	srv, desk := signedIn(t, "dispatcher", 1280, 900)
	visit(t, desk, srv.URL+"/consultations", "the staff list")
	must(t, chromedp.Do(desk,
		chromedp.SendKeys(chromedp.CSS(`#cs-new input[name="title"]`), "快递柜设置意见征询"),
		chromedp.SendKeys(chromedp.CSS(`#cs-new input[name="topic"]`), "小区快递柜"),
		chromedp.Click(chromedp.CSS(`#cs-new button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`#cs-add-q`)),
	), "create a consultation")
	must(t, chromedp.Do(desk,
		chromedp.SendKeys(chromedp.CSS(`#cs-add-q input[name="title"]`), "您是否支持在小区内增设快递柜？"),
		chromedp.SendKeys(chromedp.CSS(`#cs-add-q textarea[name="options"]`), "支持\n不支持"),
		chromedp.Click(chromedp.CSS(`#cs-add-q input[name="required"]`)),
		chromedp.Click(chromedp.CSS(`#cs-add-q button`)),
		chromedp.WaitVisible(chromedp.CSS(`#q-q1`)),
	), "add the first question")
	must(t, chromedp.Do(desk,
		chromedp.SetValue(chromedp.CSS(`#cs-add-q select[name="type"]`), "text"),
		chromedp.SendKeys(chromedp.CSS(`#cs-add-q input[name="title"]`), "不支持的原因"),
		chromedp.Click(chromedp.CSS(`#cs-add-q button`)),
		chromedp.WaitVisible(chromedp.CSS(`#q-q2`)),
	), "add the follow-up")
	must(t, chromedp.Do(desk,
		chromedp.Click(chromedp.CSS(`#q-q2 details summary`)),
		chromedp.Click(chromedp.CSS(`#q-q2 details input[name="required"]`)),
		chromedp.Click(chromedp.CSS(`#q-q2 input[name="show_if"][value="q1:o2"]`)),
		chromedp.Click(chromedp.CSS(`#q-q2 details button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`#q-q2 .cs-cond`)),
	), "make the follow-up required, shown only after 不支持")
	Screenshot(t, desk, "consult-editor-desktop")
	// Clicked as a form is sent (submit waits for the page it answers with): the flash of the
	// previous step is still on the page the click leaves, and a slow machine read the draft's
	// status from it.
	submit(t, desk, `button[value="open"]`, "open it")
	waitFor(t, desk, `.flash`, "the opened consultation")
	if st := evaluate[string](t, desk, `document.getElementById('cs-status').innerText`); st != "征询中" {
		t.Fatalf("status after opening: %q", st)
	}
	path := evaluate[string](t, desk, `location.pathname`)
	phone := NewBrowser(t, 390, 844)
	signIn(t, phone, srv, "resident")
	visit(t, phone, srv.URL+strings.Replace(path, "/consultations/", "/portal/consultations/", 1), "the public page")
	must(t, chromedp.Do(phone, chromedp.WaitVisible(chromedp.CSS(`#cs-form`))), "the form")
	if !evaluate[bool](t, phone, `document.getElementById('q-q2').hidden`) {
		t.Error("the follow-up shows before 不支持")
	}
	must(t, chromedp.Do(phone, chromedp.Click(chromedp.CSS(`#q-q1 input[value="o2"]`))), "choose 不支持")
	if evaluate[bool](t, phone, `document.getElementById('q-q2').hidden`) {
		t.Error("the follow-up stays hidden after 不支持")
	}
	// Sent without the reason: the server refuses, naming the question, on the page's own form.
	must(t, chromedp.Do(phone, chromedp.Click(chromedp.CSS(`#cs-submit`))), "send without the reason")
	poll(t, phone, `!!document.querySelector('.error[role=alert]')`, "the refusal")
	if msg := evaluate[string](t, phone, `document.querySelector('.error[role=alert]').innerText`); !strings.Contains(msg, "第 2 题「不支持的原因」：此题必答") {
		t.Errorf("the refusal: %q", msg)
	}
	top(t, phone)
	Screenshot(t, phone, "consult-refused-phone")
}
