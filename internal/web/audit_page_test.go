package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// TestAuditPage: the log shows local time, actors and records by name, actions in words; it
// filters by actor, action, kind, record and dates, pages with a total, exports the filtered
// rows to a spreadsheet of plain strings, and is refused to roles without audit:read.
func TestAuditPage(t *testing.T) {
	eachApp(t, func(t *testing.T, a *app) {
		ctx := context.Background()
		disp := a.user("dispatcher")
		grids, err := places.Grids(ctx, a.db, []string{disp.TownCode})
		if err != nil || len(grids) == 0 {
			t.Fatal(err)
		}
		g := grids[0]
		at := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC) // 17:00 in Shanghai
		actor := audit.Actor{ID: disp.ID, Name: disp.Username}
		for i := range 60 {
			if err := actor.Record(ctx, a.db, audit.Entry{At: at.Add(time.Duration(i) * time.Minute), Action: audit.ActionUpdate, Entity: "grid",
				EntityID: g.Code, TownCode: g.TownCode, Detail: fmt.Sprintf("=HYPERLINK(\"x\") %d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		b := newBrowser(t, a.srv.URL)
		if code := b.login("admin", demo.Password("admin")); code != http.StatusSeeOther {
			t.Fatalf("sign-in = %d", code)
		}
		q := "/admin/audit?actor=dispatcher&action=update&entity=grid&from=2025-06-01&to=2025-06-01"
		code, body := b.get(q)
		if code != 200 {
			t.Fatalf("%s = %d", q, code)
		}
		for _, want := range []string{"2025-06-01 17:59:00", disp.DisplayName + " (dispatcher)", "修改", "网格 " + g.Name, "共 60 条", "第 1 / 2 页", `rel="next"`} {
			if !strings.Contains(body, want) {
				t.Errorf("audit page lacks %q", want)
			}
		}
		if strings.Contains(body, "2025-06-01 09:59:00") {
			t.Error("audit page shows UTC time")
		}
		if strings.Count(body, "<tr><td class=\"nowrap\">") != 50 {
			t.Errorf("first page rows = %d, want 50", strings.Count(body, "<tr><td class=\"nowrap\">"))
		}
		_, body2 := b.get(q + "&page=2")
		if strings.Count(body2, "<tr><td class=\"nowrap\">") != 10 || !strings.Contains(body2, "2025-06-01 17:00:00") || strings.Contains(body2, `rel="next"`) {
			t.Errorf("second page: want the 10 oldest and no next link")
		}
		// The day before (local) matches nothing; the English page names the action in English.
		if _, body := b.get("/admin/audit?actor=dispatcher&entity=grid&to=2025-05-31&lang=en"); !strings.Contains(body, "0 entries") {
			t.Error("to=2025-05-31 should match none of the entries of 1 June")
		}
		if _, body := b.get(q + "&lang=en"); !strings.Contains(body, "Changed") || !strings.Contains(body, "Grid "+g.Name) {
			t.Error("English audit page lacks the action or record in English")
		}
		if code, _ := b.get("/admin/audit?from=June"); code != 422 {
			t.Errorf("bad date = %d, want 422", code)
		}
		// The export holds the filter's rows, newest first, as strings (no formulas).
		resp, err := b.c.Get(a.srv.URL + strings.Replace(q, "/admin/audit?", "/admin/audit/export?lang=zh&", 1))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("export = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		x, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows(x.GetSheetName(0))
		if err != nil || len(rows) != 61 {
			t.Fatalf("export rows = %d (%v), want header + 60", len(rows), err)
		}
		if rows[1][1] != "2025-06-01 17:59:00" || rows[1][2] != disp.DisplayName+" (dispatcher)" || rows[1][3] != "修改" {
			t.Errorf("export first row = %v", rows[1])
		}
		if f, _ := x.GetCellFormula(x.GetSheetName(0), "H2"); f != "" {
			t.Errorf("detail cell is a formula: %q", f)
		}
		// The export is audited.
		if _, body := b.get("/admin/audit?action=export"); !strings.Contains(body, "导出") || !strings.Contains(body, "60 entries") {
			t.Error("the export is not on the audit log")
		}
		// API: total and paging.
		var out struct {
			Entries []audit.Entry `json:"entries"`
			Total   int           `json:"total"`
		}
		if code := a.call("admin", "GET", "/api/v1/audit?actor=dispatcher&entity=grid&from=2025-06-01&to=2025-06-01&limit=5&offset=55", "", &out); code != 200 || out.Total != 60 || len(out.Entries) != 5 {
			t.Errorf("API = %d, total %d, %d entries; want 60 and 5", code, out.Total, len(out.Entries))
		}
		// Only roles with audit:read.
		for u, want := range map[string]int{"leader": 200, "dispatcher": 403, "gridworker": 403} {
			b := newBrowser(t, a.srv.URL)
			b.login(u, demo.Password(u))
			if code, _ := b.get(q); code != want {
				t.Errorf("%s audit page = %d, want %d", u, code, want)
			}
			if code, _ := b.get("/admin/audit/export"); code != want {
				t.Errorf("%s audit export = %d, want %d", u, code, want)
			}
		}
	})
}

// TestAuditDetailInWords: the fixed phrases of details read in the page's language.
func TestAuditDetailInWords(t *testing.T) {
	a := newApp(t, testdb.SQLite(t))
	b := newBrowser(t, a.srv.URL)
	b.login("admin", demo.Password("admin"))
	if _, body := b.get("/admin/audit?entity=grid&lang=zh"); !strings.Contains(body, "添加成员") || strings.Contains(body, "member added") {
		t.Error("zh audit page: the demo's member additions are not in Chinese")
	}
	if _, body := b.get("/admin/audit?entity=grid&lang=en"); !strings.Contains(body, "member added") {
		t.Error("en audit page lacks member added")
	}
}

// TestFavicon: the layout links an icon, and both it and /favicon.ico answer 200 as SVG.
func TestFavicon(t *testing.T) {
	a := newApp(t, testdb.SQLite(t))
	b := newBrowser(t, a.srv.URL)
	if _, body := b.get("/login"); !strings.Contains(body, `rel="icon" type="image/svg+xml" href="/static/favicon.svg"`) {
		t.Error("layout does not link the icon")
	}
	for _, p := range []string{"/favicon.ico", "/static/favicon.svg"} {
		resp, err := b.c.Get(a.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "image/svg+xml") {
			t.Errorf("%s = %d %s", p, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}
