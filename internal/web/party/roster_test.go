package party_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/civicgrid/civicgrid/internal/idnumber"
	"github.com/civicgrid/civicgrid/internal/sheet/sheettest"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// idNumber is a valid ID number of 长宁区 (310105) for the roster rows.
func idNumber(birth string, seq int, male bool) string {
	return idnumber.Make("310105", birth, seq, male)
}

func upload(t *testing.T, a *webtest.App, user, query string, file []byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("town", "310105102")
	fw, _ := mw.CreateFormFile("file", "roster.xlsx")
	_, _ = fw.Write(file)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", a.URL+"/party/roster"+query, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+a.Token(user))
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

func download(t *testing.T, a *webtest.App, user string) [][]string {
	t.Helper()
	req, _ := http.NewRequest("GET", a.URL+"/party/roster.xlsx", nil)
	req.Header.Set("Authorization", "Bearer "+a.Token(user))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export as %s = %d", user, resp.StatusCode)
	}
	f, err := excelize.OpenReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	// No cell is a formula.
	for i := range rows {
		for j := range rows[i] {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if fm, _ := f.GetCellFormula(sheet, cell); fm != "" {
				t.Errorf("cell %s is a formula: %s", cell, fm)
			}
		}
	}
	return rows
}

// The roster page: a file with a bad row is refused naming the row and column in the page's
// language, nothing stored; the good file imports; the export is whole for the administrator
// (audited, one row) and masked for a leader (not audited); a name that looks like a formula
// stays text.
func TestRosterImportExport(t *testing.T) {
	webtest.Each(t, world, func(t *testing.T, a *webtest.App) {
		ctx := context.Background()
		head := []string{"姓名", "性别", "出生日期", "转正日期", "所在党组织", "联系电话", "身份证号"}
		wang := []string{"=HYPERLINK(\"http://x\")", "男", "1950-06-30", "1975-07-01", "绿八居民区党总支", "13912345678", idNumber("19500630", 7, true)}
		bad := []string{"李秀英", "女", "1952-03-02", "1980-05-01", "绿八居民区党总支", "", "310105195203020000"}
		status, page := upload(t, a, "admin", "", sheettest.XLSX(t, [][]string{head, wang, bad}))
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, "pt-roster-problems") || !strings.Contains(page, "<td>3</td><td>G · 身份证号</td>") || !strings.Contains(page, "校验位") {
			t.Fatalf("bad file: %d\n%s", status, page)
		}
		status, page = upload(t, a, "admin", "?lang=en", sheettest.XLSX(t, [][]string{head, wang, bad}))
		if status != http.StatusUnprocessableEntity || !strings.Contains(page, "<td>3</td><td>G · ID number</td>") || !strings.Contains(page, "check character") {
			t.Fatalf("bad file in English: %d\n%s", status, page)
		}
		var n int
		if err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM party_members WHERE id_number IS NOT NULL`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("a refused file stored %d members (%v)", n, err)
		}
		bad[6] = idNumber("19520302", 8, false)
		if status, page = upload(t, a, "admin", "", sheettest.XLSX(t, [][]string{head, wang, bad})); status != http.StatusSeeOther {
			t.Fatalf("good file: %d\n%s", status, page)
		}
		if status, _ = upload(t, a, "dispatcher", "", sheettest.XLSX(t, [][]string{head, wang, bad})); status != http.StatusForbidden {
			t.Errorf("a dispatcher imported a roster: %d", status)
		}
		audits := func() int {
			var n int
			if err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal_data' AND entity = 'party_member'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := audits()
		whole := download(t, a, "admin")
		if audits() != before+1 {
			t.Errorf("a whole export wrote %d audit rows, want 1", audits()-before)
		}
		found := false
		for _, r := range whole {
			if len(r) >= 7 && r[6] == idNumber("19500630", 7, true) {
				found = r[0] == wang[0] && r[5] == "13912345678" && r[2] == "1950-06-30"
			}
		}
		if !found || whole[0][0] != "姓名" {
			t.Errorf("whole export lacks the imported member as text: %v", whole[:2])
		}
		masked := download(t, a, "leader")
		if audits() != before+1 {
			t.Errorf("a masked export was audited")
		}
		for _, r := range masked[1:] {
			if len(r) >= 7 && (strings.Contains(r[5], "13912345678") || r[6] == idNumber("19500630", 7, true) || r[2] == "1950-06-30") {
				t.Fatalf("masked export shows %v", r)
			}
		}
		if len(masked) != len(whole) {
			t.Errorf("masked %d rows, whole %d", len(masked), len(whole))
		}
	})
}
