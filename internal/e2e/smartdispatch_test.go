package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Smart dispatch (issue #12, "what it must show"): the dispatcher opens a new call that has no
// category, sees the likely categories with the words that decided them (from the town's model,
// trained at demo start from its closed orders), takes the first in one click — which presets the
// lead department by the town's rules — sees that the call repeats one taken an hour earlier
// (near, similar words) and merges it in one click.
func TestSmartDispatchInBrowser(t *testing.T) {
	srv, ctx := signedIn(t, "dispatcher", 1440, 900)
	var first, second struct {
		ID     int64
		Number string
	}
	for _, o := range []struct {
		out            any
		text, lat, lng string
	}{
		{&first, "居民反映仙霞西路88弄3号楼车棚内近期多次发生电动车电瓶被盗，希望加强巡逻并增设监控", "31.214210", "121.367020"},
		{&second, "仙霞西路88弄3号楼车棚电瓶又被盗了，车棚监控坏了没人修，希望派出所加强巡逻", "31.214400", "121.367300"},
	} {
		body := `{"content": "` + o.text + `", "address": "仙霞西路88弄3号", "lat": ` + o.lat + `, "lng": ` + o.lng + `}`
		if code := apiFetch(t, ctx, "POST", "/api/v1/orders", body, o.out); code != 201 {
			t.Fatalf("create a call = %d", code)
		}
	}
	page := fmt.Sprintf("/orders/%d", second.ID)
	must(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+page)), "open "+page)
	waitFor(t, ctx, `#suggest li`, "the suggested categories")
	guesses := evaluate[[]string](t, ctx, `[...document.querySelectorAll('#suggest li')].map(li => li.dataset.category + ' ' + li.textContent)`)
	byModel := evaluate[string](t, ctx, `document.querySelector('#suggest h3 small').textContent`)
	if len(guesses) == 0 || !strings.HasPrefix(guesses[0], "1402 ") || !strings.Contains(guesses[0], "%") || !strings.Contains(byModel, "模型") {
		t.Errorf("the suggestions are %q (%s), want 1402 治安隐患 first with its probability, from the model", guesses, byModel)
	}
	if ev := evaluate[int](t, ctx, `document.querySelectorAll('#suggest li:first-child mark').length`); ev == 0 {
		t.Error("the first suggestion names no deciding words")
	}
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#suggest li:first-child .suggest-use`))), "use the first suggestion")
	if v := evaluate[string](t, ctx, `document.querySelector('#act-file_dispatch select[name="category"]').value`); v != "1402" {
		t.Errorf("after 采用 the category picker holds %q, want 1402", v)
	}
	lead := evaluate[string](t, ctx, `document.querySelector('#act-file_dispatch select[name="department"]').value`)
	note := evaluate[string](t, ctx, `document.querySelector('#act-file_dispatch .lead-note').textContent`)
	if !strings.HasPrefix(lead, "xj-police") || !strings.Contains(note, "规则") {
		t.Errorf("after 采用 the lead department is %q (%q), want a police station by a dispatch rule", lead, note)
	}
	dups := evaluate[[]string](t, ctx, `[...document.querySelectorAll('#duplicates li')].map(li => li.innerText)`)
	if len(dups) == 0 || !strings.Contains(dups[0], first.Number) || !strings.Contains(dups[0], "相距") || !strings.Contains(dups[0], "相同说法") {
		t.Fatalf("the possible duplicates are %q, want %s first with distance and shared phrases", dups, first.Number)
	}
	top(t, ctx)
	Screenshot(t, ctx, "smart-dispatch")
	evaluate[bool](t, ctx, `(() => { window.confirm = () => true; return true; })()`)
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#duplicates li:first-child .merge-form button`))), "merge")
	waitFor(t, ctx, `#order-state[data-state="merged"]`, "the merged order")
	if tl := evaluate[string](t, ctx, `document.getElementById('timeline').innerText`); !strings.Contains(tl, first.Number) {
		t.Errorf("the merged order's timeline does not name %s:\n%s", first.Number, tl)
	}
	Screenshot(t, ctx, "smart-dispatch-merged")

	// The suggestion is counted on the rules page's accuracy figures (not filed: merged).
	visit(t, ctx, srv.URL+"/admin/dispatch", "open the dispatch rules")
	acc := evaluate[string](t, ctx, `document.getElementById('dispatch-accuracy').innerText`)
	if !strings.Contains(acc, "智能建议准确率") || !strings.Contains(acc, "模型 v1") || !strings.Contains(acc, "已为 1 单给出建议") {
		t.Errorf("the accuracy box says %q", acc)
	}
}
