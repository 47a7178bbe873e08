package web_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo"
)

var (
	hanRe = regexp.MustCompile(`\p{Han}`)
	// The template-provided texts of a page: headings, labels, column heads, terms, buttons, the
	// title, the error line, the timeline's action names and the keys of its event data.
	langLabelRe  = regexp.MustCompile(`<(?:th|label|button|h1|h2|h3|dt|title|legend)[^>]*>([^<]*)<`)
	langErrorRe  = regexp.MustCompile(`<div class="error"[^>]*>([^<]*)<`)
	langEvHeadRe = regexp.MustCompile(`<div class="ev-head"><b>([^<]*)</b>`)
	langEvDataRe = regexp.MustCompile(`<div class="muted small">([^<]*)</div>`)
	langActorRe  = regexp.MustCompile(`<div class="ev-head">.*?· ([^<]*)</span>`)
	// A message key shown as itself (cp.kind, err.404, ev.grid …) or a raw data code (escalation_level: 1).
	langKeyRe  = regexp.MustCompile(`>[^<]*\b(?:cp|in|ev|err|so|acct)\.[a-z][a-z_ .]*<`)
	langCodeRe = regexp.MustCompile(`\b[a-z]+_[a-z_]+: `)
	// A code shown where a name belongs: an option that reads as its value, a raw field label.
	langOptionCodeRe = regexp.MustCompile(`<option value="([a-z_]+)"[^>]*>([a-z_]+)</option>`)
	langRawLabelRe   = regexp.MustCompile(`<label>(?:lat|lng|[a-z]+_[a-z_]+)<`)
	// A department or grid code shown as a value (a muted hint, <small>, may carry one).
	langPlaceCodeRe = regexp.MustCompile(`<(?:td|dd|span|b|a|li|option[^>]*)>\s*(?:(?:xj|lj)-[a-z-]+|\d{9}-G\d+)\s*<`)
	// A role shown by its code.
	langRoleCodeRe = regexp.MustCompile(`· (?:system|dispatcher|handler|gridworker|resident)\b`)
)

// langUserContent are the names the test gives its records: user content, in any language.
var langUserContent = []string{"走访（语言）", "快递小哥驿站"}

// checkLang checks a page in one language: no message key shown as itself, no raw event data
// codes, in English no Chinese in the template's texts, in Chinese the error line in Chinese.
func checkLang(t *testing.T, name, lang, body string) {
	t.Helper()
	if m := langKeyRe.FindString(body); m != "" {
		t.Errorf("%s (%s): a message key shown as itself: %q", name, lang, m)
	}
	for _, m := range langEvDataRe.FindAllStringSubmatch(body, -1) {
		if c := langCodeRe.FindString(m[1]); c != "" {
			t.Errorf("%s (%s): raw event data %q in %q", name, lang, c, m[1])
		}
		for _, part := range strings.Split(m[1], " · ") {
			key, _, _ := strings.Cut(strings.ReplaceAll(part, "：", ": "), ": ")
			if lang == "en" && hanRe.MatchString(key) {
				t.Errorf("%s (en): Chinese event data label %q", name, key)
			}
		}
	}
	for _, m := range langActorRe.FindAllStringSubmatch(body, -1) {
		if who, role, ok := strings.Cut(m[1], " · "); ok && who == role || strings.Contains(m[1], " (") {
			t.Errorf("%s (%s): actor with a repeated or bracketed role: %q", name, lang, m[1])
		}
	}
	for _, m := range langOptionCodeRe.FindAllStringSubmatch(body, -1) {
		if m[1] == m[2] {
			t.Errorf("%s (%s): an option shows its code: %q", name, lang, m[0])
		}
	}
	if m := langPlaceCodeRe.FindString(body); m != "" {
		t.Errorf("%s (%s): a code where a name belongs: %q", name, lang, m)
	}
	if m := langRoleCodeRe.FindString(body); m != "" {
		t.Errorf("%s (%s): a role by its code: %q", name, lang, m)
	}
	if m := langRawLabelRe.FindString(body); m != "" {
		t.Errorf("%s (%s): a field labelled by its code: %q", name, lang, m)
	}
	for _, m := range langErrorRe.FindAllStringSubmatch(body, -1) {
		if lang == "zh" && (!hanRe.MatchString(m[1]) || regexp.MustCompile(`(?i)not found|forbidden|may not|invalid`).MatchString(m[1])) {
			t.Errorf("%s (zh): error not in Chinese: %q", name, m[1])
		}
	}
	if lang != "en" {
		return
	}
	var texts []string
	for _, re := range []*regexp.Regexp{langLabelRe, langErrorRe, langEvHeadRe} {
		for _, m := range re.FindAllStringSubmatch(body, -1) {
			texts = append(texts, m[1])
		}
	}
	if len(texts) < 3 {
		t.Errorf("%s (en): only %d texts found", name, len(texts))
	}
	for _, s := range texts {
		for _, u := range langUserContent {
			s = strings.ReplaceAll(s, u, "")
		}
		if hanRe.MatchString(s) {
			t.Errorf("%s (en): Chinese in a template text: %q", name, s)
		}
	}
}

// TestPagesInOneLanguage: the order page with a rich timeline, the error pages (403, 404, 422),
// the tracking page and the campaign pages are each in one language, errors included.
func TestPagesInOneLanguage(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		if _, err := demo.Load(t.Context(), a.db, slog.New(slog.NewTextHandler(io.Discard, nil)), demo.Orders(t.TempDir(), time.Now())); err != nil {
			t.Fatal(err)
		}
		// The order whose timeline has the most kinds of event data, escalation first.
		var id int64
		var number, short string
		if err := a.db.QueryRow(t.Context(), `SELECT o.id, o.number, o.short_code FROM orders o JOIN order_events e ON e.order_id = o.id
			WHERE e.data <> '' GROUP BY o.id, o.number, o.short_code
			ORDER BY MAX(CASE WHEN e.data LIKE '%escalation_level%' THEN 1 ELSE 0 END) DESC, COUNT(*) DESC, o.id LIMIT 1`).Scan(&id, &number, &short); err != nil {
			t.Fatal(err)
		}
		var c campaignJSON
		if got := a.call("dispatcher", "POST", "/api/v1/campaigns", `{"name":"走访（语言）","kind":"four_hundred","start":"2025-01-01","end":"2026-12-31"}`, &c); got != 201 {
			t.Fatalf("campaign: %d", got)
		}
		var station struct {
			ID int64 `json:"id"`
		}
		if got := a.call("admin", "POST", fmt.Sprintf("/api/v1/campaigns/%d/targets", c.ID), `{"kind":"rider_station","name":"快递小哥驿站","lat":31.209083,"lng":121.362282}`, &station); got != 201 {
			t.Fatalf("target: %d", got)
		}
		staff := newBrowser(t, a.srv.URL)
		staff.login("dispatcher", demo.Password("dispatcher"))
		admin := newBrowser(t, a.srv.URL)
		admin.login("admin", demo.Password("admin"))
		resident := newBrowser(t, a.srv.URL)
		resident.login("resident", demo.Password("resident"))
		anon := newBrowser(t, a.srv.URL)
		for _, lang := range []string{"zh", "en"} {
			pages := []struct {
				name string
				b    *browser
				path string
				code int
			}{
				{"order", staff, fmt.Sprintf("/orders/%d", id), 200},
				{"404", staff, "/orders/99999999", 404},
				{"403", resident, "/admin/users", 403},
				{"track", anon, "/track?number=" + url.QueryEscape(number) + "&code=" + url.QueryEscape(short), 200},
				{"campaigns", admin, "/campaigns", 200},
				{"campaign", admin, fmt.Sprintf("/campaigns/%d", c.ID), 200},
				{"target", admin, fmt.Sprintf("/campaigns/%d/targets/%d", c.ID, station.ID), 200},
			}
			for _, p := range pages {
				sep := "?"
				if strings.Contains(p.path, "?") {
					sep = "&"
				}
				code, body := p.b.get(p.path + sep + "lang=" + lang)
				if code != p.code {
					t.Fatalf("%s %s = %d, want %d", lang, p.path, code, p.code)
				}
				checkLang(t, p.name, lang, body)
				if p.name == "order" && !langEvDataRe.MatchString(body) {
					t.Errorf("order %d (%s): no event data shown", id, lang)
				}
				if p.name == "track" && strings.Contains(body, "<title>track") {
					t.Errorf("track (%s): titled by its key", lang)
				}
			}
			// A 422: a new order with a latitude that is not a number.
			tok := staff.csrf("/orders/new?lang=" + lang)
			code, body := staff.post("/orders?lang="+lang, url.Values{"csrf": {tok}, "content": {"测试"}, "lat": {"north"}, "lng": {"121.3"}})
			if code != 422 || !langErrorRe.MatchString(body) {
				t.Fatalf("%s new order with a bad latitude = %d", lang, code)
			}
			checkLang(t, "422", lang, body)
			// 404 says what was not found in the page's language.
			if _, body := staff.get("/orders/99999999?lang=" + lang); lang == "zh" && !strings.Contains(body, "找不到") || lang == "en" && !strings.Contains(body, "not found") {
				t.Errorf("%s 404 page: %s", lang, langErrorRe.FindString(body))
			}
		}
	})
}
