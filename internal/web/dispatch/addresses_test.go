package dispatch_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// The address book's page: the book by grid; an administrator's upload with a bad row is refused
// whole with the row and column named in the page's language; a good one is imported and counted;
// a dispatcher reads the page but has no import form; a grid worker may not open it.
func TestAddressBookPage(t *testing.T) {
	webtest.Each(t, demo.World, func(t *testing.T, a *webtest.App) {
		ctx := context.Background()
		var grid string
		if err := a.DB.QueryRow(ctx, `SELECT code FROM grids WHERE town_code = ? ORDER BY code LIMIT 1`, world.XinjingCode).Scan(&grid); err != nil {
			t.Fatal(err)
		}
		post := uploader(t, a, "admin")
		upload := func(data, lang string) (int, string) {
			code, body, _ := post("/admin/addresses?lang="+lang, "book.csv", []byte(data), nil)
			return code, body
		}
		_, before := a.Get("admin", "/admin/addresses")
		bad := "道路,门牌/弄,小区,楼栋,地标,网格编号\n剑河路,999弄,,,," + grid + "\n剑河路,998弄,,,,NOSUCH\n"
		if code, page := upload(bad, "zh"); code != http.StatusUnprocessableEntity || !strings.Contains(page, "第 3 行 网格编号") || !strings.Contains(page, "文件未导入") {
			t.Errorf("bad file: %d\n%.2000s", code, page)
		}
		if code, page := upload(bad, "en"); code != http.StatusUnprocessableEntity || !strings.Contains(page, "row 3, Grid") {
			t.Errorf("bad file in English: %d\n%.2000s", code, page)
		}
		if _, after := a.Get("admin", "/admin/addresses"); strings.Contains(after, "剑河路999弄") {
			t.Error("a refused file left an address behind")
		}
		good := "道路,门牌/弄,小区,楼栋,地标,网格编号\n剑河路,999弄,,,," + grid + "\n,,,,新泾测试地标," + grid + "\n"
		if code, _ := upload(good, "zh"); code != http.StatusSeeOther {
			t.Fatalf("good file: %d", code)
		}
		_, after := a.Get("admin", "/admin/addresses")
		if !strings.Contains(after, "新泾测试地标") || after == before {
			t.Errorf("after the import the page does not show the new landmark")
		}
		a.Run(t, []webtest.Scenario{
			{Name: "dispatcher reads, no import form", User: "dispatcher", Method: "GET", URL: "/admin/addresses", Status: http.StatusOK,
				Contains: []string{"地址库", "addr-grids"}, NotContains: []string{`id="addr-import"`}},
			{Name: "grid worker may not", User: "gridworker", Method: "GET", URL: "/admin/addresses", Status: http.StatusForbidden},
			{Name: "dispatcher may not import", User: "dispatcher", Method: "POST", URL: "/admin/addresses", Body: "x=1", Status: http.StatusForbidden},
		})
	})
}
