package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A callback the centre could not complete (回访结束（未评价）): the dispatcher opens a closed,
// unrated order, records that the caller declined to rate, and the order shows the outcome,
// keeps its state, and offers neither a rating nor a second outcome; through the API an
// unknown outcome is refused naming the field. Desktop and phone.
func TestEndCallbackInBrowser(t *testing.T) {
	for _, size := range []struct {
		name          string
		width, height int
	}{{"desktop", 1440, 900}, {"phone", 390, 844}} {
		t.Run(size.name, func(t *testing.T) {
			srv, ctx := signedIn(t, "dispatcher", size.width, size.height)
			visit(t, ctx, srv.URL+"/orders", "open the order list")
			var list struct {
				Orders []struct {
					ID      int64  `json:"id"`
					Number  string `json:"number"`
					Version int    `json:"version"`
				} `json:"orders"`
			}
			if code := apiFetch(t, ctx, "GET", "/api/v1/orders?state=closed&limit=2", "", &list); code != 200 || len(list.Orders) < 2 {
				t.Fatalf("GET closed orders = %d, %d orders; the demo needs two closed, unrated orders", code, len(list.Orders))
			}
			o, other := list.Orders[0], list.Orders[1]

			// Through the API: an outcome that is not one of the three is refused, by field.
			var refusal struct {
				Error struct {
					Field string `json:"field"`
				} `json:"error"`
			}
			body := fmt.Sprintf(`{"action": "end_callback", "version": %d, "callback_outcome": "busy"}`, other.Version)
			if code := apiFetch(t, ctx, "POST", fmt.Sprintf("/api/v1/orders/%d/actions", other.ID), body, &refusal); code != 422 || refusal.Error.Field != "callback_outcome" {
				t.Errorf("end_callback with outcome busy = %d, field %q; want 422 naming callback_outcome", code, refusal.Error.Field)
			}

			visit(t, ctx, fmt.Sprintf("%s/orders/%d", srv.URL, o.ID), "open the closed order")
			waitFor(t, ctx, `#actions .action-tab[data-target="act-end_callback"]`, "the end-callback tab")
			must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#actions .action-tab[data-target="act-end_callback"]`))), "choose 回访结束")
			labels := evaluate[[]string](t, ctx, `[...document.querySelectorAll('#act-end_callback select[name="callback_outcome"] option')].map(o => o.textContent)`)
			if strings.Join(labels, "|") != "未接通|拒绝评价|无法回访（匿名或无联系方式）" {
				t.Errorf("the outcomes offered are %v", labels)
			}
			setSelect(t, ctx, `#act-end_callback select[name="callback_outcome"]`, "declined")
			must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#act-end_callback textarea[name="note"]`), "来电人表示已解决，不愿评价")), "write the note")
			Screenshot(t, ctx, "callback-end-form-"+size.name)
			submit(t, ctx, `#act-end_callback button[type="submit"]`, "record the callback's outcome")
			waitFor(t, ctx, `#timeline .ev-end_callback`, "the end-callback event")

			details := evaluate[string](t, ctx, `document.querySelector('main').innerText`)
			if !strings.Contains(details, "回访结果") || !strings.Contains(details, "拒绝评价") || !strings.Contains(details, "来电人表示已解决，不愿评价") {
				t.Errorf("the order page after end_callback lacks the outcome or the note:\n%.600s", details)
			}
			tabs := evaluate[[]string](t, ctx, `[...document.querySelectorAll('#actions .action-tab')].map(b => b.dataset.target)`)
			for _, tab := range tabs {
				if tab == "act-rate" || tab == "act-end_callback" {
					t.Errorf("after the callback ended the page still offers %s (tabs %v)", tab, tabs)
				}
			}
			var got struct {
				State           string `json:"state"`
				Satisfaction    string `json:"satisfaction"`
				CallbackOutcome string `json:"callback_outcome"`
			}
			if code := apiFetch(t, ctx, "GET", fmt.Sprintf("/api/v1/orders/%d", o.ID), "", &got); code != 200 || got.State != "closed" || got.Satisfaction != "" || got.CallbackOutcome != "declined" {
				t.Errorf("the order after end_callback: %d %+v; want closed, unrated, declined", code, got)
			}
			top(t, ctx)
			Screenshot(t, ctx, "callback-ended-"+size.name)
		})
	}
}
