package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The dispatch rules page as the administrator edits it and a dispatcher uses it: the try box
// names the likely category with its deciding words, the lead department of the rule for that
// grid and why; the administrator adds a night rule through the form and sees it in the table.
func TestDispatchRulesInBrowser(t *testing.T) {
	srv, ctx := signedIn(t, "dispatcher", 1440, 900)
	visit(t, ctx, srv.URL+"/admin/dispatch", "open the rules")
	waitFor(t, ctx, `#dispatch-rules`, "the rules table")
	if n := evaluate[int](t, ctx, `document.querySelectorAll('#dispatch-form').length`); n != 0 {
		t.Errorf("a dispatcher sees the rule editor")
	}
	west := evaluate[string](t, ctx, `[...document.querySelectorAll('#dispatch-try select[name=grid] option')].pop().value`)
	must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#dispatch-try textarea[name=text]`), "居民反映小区车棚近期多次发生电瓶被盗，希望加装监控"),
		chromedp.SetValue(chromedp.CSS(`#dispatch-try select[name=grid]`), west),
		chromedp.Click(chromedp.CSS(`#dispatch-try button.primary`)),
	), "try a demand")
	waitFor(t, ctx, `#dispatch-result`, "the suggestion")
	lead := evaluate[string](t, ctx, `document.querySelector('#dispatch-lead').textContent`)
	why := evaluate[string](t, ctx, `document.querySelector('#dispatch-why').textContent`)
	words := evaluate[string](t, ctx, `document.querySelector('#dispatch-result .guesses').textContent`)
	if !strings.Contains(lead, "临空派出所") || !strings.Contains(why, "按规则") || !strings.Contains(words, "治安隐患") || !strings.Contains(words, "电瓶被盗") {
		t.Errorf("suggestion: lead %q, why %q, guesses %q", lead, why, words)
	}
	Screenshot(t, ctx, "dispatch-try")

	admin := NewBrowser(t, 1440, 900)
	signIn(t, admin, srv, "admin")
	visit(t, admin, srv.URL+"/admin/dispatch", "open the rules")
	before := evaluate[int](t, admin, `document.querySelectorAll('#dispatch-rules tbody tr').length`)
	must(t, chromedp.Do(admin,
		chromedp.SetValue(chromedp.CSS(`#dispatch-form select[name=category]`), "1102"),
		chromedp.SetValue(chromedp.CSS(`#dispatch-form input[name=from]`), "21:00"),
		chromedp.SetValue(chromedp.CSS(`#dispatch-form input[name=to]`), "07:00"),
		chromedp.SetValue(chromedp.CSS(`#dispatch-form select[name=lead]`), "xj-enforcement"),
		chromedp.Click(chromedp.CSS(`#dispatch-form input[name=co][value="xj-police"]`)),
		chromedp.SendKeys(chromedp.CSS(`#dispatch-form input[name=note]`), "夜间油烟由执法队牵头"),
	), "fill the rule form")
	Screenshot(t, admin, "dispatch-form")
	must(t, chromedp.Do(admin, chromedp.Click(chromedp.CSS(`#dispatch-form button.primary`))), "save the rule")
	waitFor(t, admin, fmt.Sprintf(`#dispatch-rules tbody tr:nth-child(%d)`, before+1), "the new rule in the table")
	after := evaluate[int](t, admin, `document.querySelectorAll('#dispatch-rules tbody tr').length`)
	row := evaluate[string](t, admin, `[...document.querySelectorAll('#dispatch-rules tbody tr')].pop().textContent`)
	if after != before+1 || !strings.Contains(row, "21:00–07:00") || !strings.Contains(row, "新泾综合行政执法队") || !strings.Contains(row, "新泾派出所") {
		t.Errorf("after saving: %d rows (was %d), last %q", after, before, row)
	}
	Screenshot(t, admin, "dispatch-rules")
}
