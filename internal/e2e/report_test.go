package e2e

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// scenePNG writes a small photo to a temporary file for the file inputs.
func scenePNG(t *testing.T, name string, shade uint8) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for x := 0; x < 320; x++ {
		for y := 0; y < 240; y++ {
			img.Set(x, y, color.RGBA{shade, uint8(x * 255 / 320), uint8(y * 255 / 240), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// tapMap clicks the middle of the picker map, once its outlines are drawn, and waits for the
// position to land in the hidden fields.
func tapMap(t *testing.T, ctx context.Context) {
	t.Helper()
	must(t, chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`#pick-map`)),
		chromedp.ScrollIntoView(chromedp.CSS(`#pick-map`)),
	), "picker map")
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('pick-map').dataset.ready === '1'`, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("picker map outlines: %v", err)
	}
	must(t, waitPickerIdle(ctx), "picker map idle")
	type pt struct{ X, Y float64 }
	p := evaluate[pt](t, ctx, `(() => { const r = document.getElementById('pick-map').getBoundingClientRect(); return {X: r.left + r.width/2, Y: r.top + r.height/2}; })()`)
	must(t, chromedp.Do(ctx, chromedp.MouseClickXY(p.X, p.Y)), "tap the map")
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('lat').value !== ''`, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("the tap set no position: %v", err)
	}
}

// waitFor polls for an element: after a form post navigates, a query started on the old page
// would wait for ever.
func waitFor(t *testing.T, ctx context.Context, css, what string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		// Evaluate fails while the page navigates; that only means "not yet".
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("document.readyState === 'complete' && !!document.querySelector('"+css+"')")); err == nil && ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + ': ' + document.body.innerText.slice(0, 400)`))
	t.Fatalf("%s: %s did not appear within 20 s\n%s", what, css, msg)
}

// top scrolls to the top, so that a full-page screenshot does not catch the sticky header
// half-way down the page.
func top(t *testing.T, ctx context.Context) {
	t.Helper()
	evaluate[bool](t, ctx, `window.scrollTo(0, 0), true`)
}

func waitPickerIdle(ctx context.Context) error {
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](strings.Replace(mapIdleJS, `getElementById('map')`, `getElementById('pick-map')`, 1), chromedp.EvalAwaitPromise))
	return err
}

func networkOffline(offline bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		conds := []*network.Conditions{}
		if offline {
			conds = append(conds, &network.Conditions{URLPattern: "", Offline: true, Latency: 0, DownloadThroughput: -1, UploadThroughput: -1})
		}
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, t, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: conds}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1})
		return err
	})
}

func TestPatrolReportInBrowser(t *testing.T) {
	srv := StartServer(t)
	ctx := NewBrowser(t, 390, 844)
	photo := scenePNG(t, "scene.png", 30)

	signIn(t, ctx, srv, "gridworker")
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/patrol"),
		chromedp.WaitVisible(chromedp.CSS(`#patrol-form`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#photos`), []string{photo}),
		chromedp.WaitVisible(chromedp.CSS(`#previews img`)),
	), "open /patrol and attach a photo")
	tapMap(t, ctx)
	category := evaluate[string](t, ctx, `document.querySelector('#category option:nth-child(2)').value`)
	if category == "" {
		t.Fatal("the category select offers no category")
	}
	must(t, chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#category`), category),
		chromedp.SendKeys(chromedp.CSS(`#content`), "新泾一村12号门口共享单车乱停放约10辆"),
	), "fill the form")
	if w := evaluate[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("/patrol is %d px wide on a 390 px phone", w)
	}
	top(t, ctx)
	Screenshot(t, ctx, "patrol-form")
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#patrol-submit`))), "submit")
	waitFor(t, ctx, `#patrol-done #order-number`, "the confirmation")
	number, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#order-number`)))
	must(t, err, "read the number")
	if !strings.HasPrefix(strings.TrimSpace(number), "310105102-") {
		t.Errorf("order number %q", number)
	}
	Screenshot(t, ctx, "patrol")
}

func TestPatrolOfflineOutbox(t *testing.T) {
	srv := StartServer(t)
	ctx := NewBrowser(t, 390, 844)
	photo := scenePNG(t, "offline.png", 200)

	signIn(t, ctx, srv, "gridworker")
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/patrol"),
		chromedp.WaitVisible(chromedp.CSS(`#patrol-form`)),
	), "open /patrol")
	tapMap(t, ctx)
	must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#self_handle`)),
		chromedp.WaitVisible(chromedp.CSS(`#result`)),
		chromedp.SendKeys(chromedp.CSS(`#content`), "人行道井盖松动"),
		chromedp.SendKeys(chromedp.CSS(`#result`), "已现场复位并加固"),
		chromedp.SetUploadFiles(chromedp.CSS(`#photos`), []string{photo}),
		networkOffline(true),
	), "fill the form and go offline")
	if online := evaluate[bool](t, ctx, `navigator.onLine`); online {
		t.Error("navigator.onLine is still true after going offline")
	}
	must(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#patrol-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#outbox`)),
	), "submit offline")
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#outbox-status`)))
	must(t, err, "outbox status")
	if !strings.Contains(status, "已保存，联网后自动提交") || !strings.Contains(status, "1 条待提交") {
		t.Errorf("outbox status = %q", status)
	}
	if v := evaluate[string](t, ctx, `document.getElementById('content').value`); v != "" {
		t.Errorf("the form was not cleared for the next report: content %q", v)
	}
	top(t, ctx)
	Screenshot(t, ctx, "patrol-offline")

	// Back online: the `online` event sends the outbox; the server self-handles the order.
	must(t, chromedp.Do(ctx, networkOffline(false)), "back online")
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('outbox').dataset.pending === '0'`,
		chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		t.Fatalf("the outbox was not sent after going online: %v", err)
	}
	sent, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#outbox-list`)))
	must(t, err, "sent list")
	if !strings.Contains(sent, "已提交并自行处置结案") {
		t.Errorf("sent list = %q", sent)
	}
	status, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#outbox-status`)))
	if !strings.Contains(status, "0 条待提交") {
		t.Errorf("outbox status after sending = %q", status)
	}
	top(t, ctx)
	Screenshot(t, ctx, "patrol-offline-sent")
}

// TestPatrolOpensWithoutServer: a grid worker opened the patrol page once; later, with no way to
// reach the server (it is stopped here, which no browser emulation can get around), the page still
// opens from the service worker's copy and a report waits in the outbox. Signing out forgets it.
func TestPatrolOpensWithoutServer(t *testing.T) {
	srv, ctx := signedIn(t, "gridworker", 390, 844)
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/patrol"),
		chromedp.WaitVisible(chromedp.CSS(`#patrol-form`)),
	), "open /patrol")
	// The worker installs, then takes control on the next visit.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`navigator.serviceWorker.ready.then(() => caches.has('civicgrid-patrol-v1'))`,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("no service worker with a patrol cache: %v", err)
	}
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/patrol"),
		chromedp.WaitVisible(chromedp.CSS(`#patrol-form`)),
	), "open /patrol again")
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!navigator.serviceWorker.controller`,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the service worker does not control the page: %v", err)
	}

	// Kept for signing out later: the server is gone in between.
	must(t, srv.stop(), "stop the server")
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/patrol"),
		chromedp.WaitVisible(chromedp.CSS(`#patrol-form`)),
	), "open /patrol with the server unreachable")
	if user := evaluate[string](t, ctx, `document.getElementById('patrol-form').dataset.user || ''`); user == "" {
		t.Error("the kept page does not name its user (the outbox is per user)")
	}
	photo := scenePNG(t, "no-signal.png", 120)
	must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#content`), "地下车库积水"),
		chromedp.SetUploadFiles(chromedp.CSS(`#photos`), []string{photo}),
		chromedp.Click(chromedp.CSS(`#patrol-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#outbox`)),
	), "report with the server unreachable")
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('outbox').dataset.pending === '1'`,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the report did not wait in the outbox: %v", err)
	}
	top(t, ctx)
	Screenshot(t, ctx, "patrol-no-server")

	// Signing out (here: the request the sign-out form makes) drops the kept page.
	evaluate[bool](t, ctx, `(() => { fetch('/logout', {method: 'POST'}).catch(() => {}); return true })()`)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`caches.has('civicgrid-patrol-v1').then(h => !h)`,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Errorf("signing out left the patrol page in the cache: %v", err)
	}
}

func TestResidentReportInBrowser(t *testing.T) {
	srv := StartServer(t)
	ctx := NewBrowser(t, 390, 844)
	photo := scenePNG(t, "lamp.png", 90)

	must(t, chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/report"),
		chromedp.WaitVisible(chromedp.CSS(`#report-form`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#photos`), []string{photo}),
		chromedp.WaitVisible(chromedp.CSS(`#previews img`)),
	), "open /report anonymously and attach a photo")
	tapMap(t, ctx)
	must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#content`), "小区门口路灯不亮已经三天，晚上出行不安全"),
		chromedp.SendKeys(chromedp.CSS(`input[name="caller_phone"]`), "13800000000"),
	), "fill the form")
	if w := evaluate[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("/report is %d px wide on a 390 px phone", w)
	}
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#report-submit`))), "submit")
	waitFor(t, ctx, `#report-done #order-code`, "number and code after submitting")
	number, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#order-number`)))
	must(t, err, "number")
	code, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#order-code`)))
	must(t, err, "code")
	if strings.TrimSpace(number) == "" || len(strings.TrimSpace(code)) != 6 {
		t.Errorf("number %q, code %q", number, code)
	}
	Screenshot(t, ctx, "report")

	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#track-link`))), "follow it on /track")
	waitFor(t, ctx, `#res-steps li`, "the history on /track")
	timeline, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	must(t, err, "timeline")
	if !strings.Contains(timeline, strings.TrimSpace(number)) || !strings.Contains(timeline, "受理") {
		t.Errorf("tracking page:\n%s", timeline)
	}
	Screenshot(t, ctx, "report-tracking")
}
