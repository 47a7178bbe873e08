package dispatch_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// The category tree routes on the demo's default tree (version 1, which every demo order was
// filed under): the page and the API for readers, publishing and deleting for the administrator.
func TestCategoryScenarios(t *testing.T) {
	webtest.Each(t, demo.WorldWithOrders, func(t *testing.T, a *webtest.App) {
		a.Var("filed", `SELECT id FROM orders WHERE town_code = '310105102' AND category_version = 1 AND category_code <> '' ORDER BY id LIMIT 1`)
		a.Run(t, []webtest.Scenario{
			{Name: "an order shows the version it was filed under", User: "dispatcher", Method: "GET", URL: "/orders/{filed}", Status: http.StatusOK, Contains: []string{"（分类体系第 1 版）"}},
			{Name: "and says it in the API", User: "dispatcher", Method: "GET", URL: "/api/v1/orders/{filed}", Status: http.StatusOK, Contains: []string{`"category_version":1`}},
			{Name: "page", User: "admin", Method: "GET", URL: "/admin/categories", Status: http.StatusOK,
				Contains: []string{"分类体系", "部件", "事件", "上水井盖", "井盖缺失", "1 个工作日", "示意", `id="cat-upload"`, "现行"}, NotContains: []string{"data-confirm"}},
			{Name: "page in English", User: "leader", Method: "GET", URL: "/admin/categories?lang=en", Status: http.StatusOK,
				Contains: []string{"Category tree", "Component", "Event", "Water-supply manhole cover", "File when"}, NotContains: []string{`id="cat-upload"`}},
			{Name: "page for a dispatcher reads only", User: "dispatcher", Method: "GET", URL: "/admin/categories", Status: http.StatusOK, NotContains: []string{`id="cat-upload"`}},
			{Name: "page without dispatch:read", User: "handler_police", Method: "GET", URL: "/admin/categories", Status: http.StatusForbidden},
			{Name: "page anonymous", Method: "GET", URL: "/admin/categories", Status: http.StatusSeeOther},
			{Name: "download", User: "leader", Method: "GET", URL: "/admin/categories/tree.xlsx", Status: http.StatusOK, Contains: []string{"PK"}},
			{Name: "tree", User: "dispatcher", Method: "GET", URL: "/api/v1/dispatch/categories", Status: http.StatusOK,
				Contains: []string{`"version":1`, `"code":"B0101"`, `"kind":"component"`, `"condition":true`, `"close":`}},
			{Name: "tree of an unknown version", User: "dispatcher", Method: "GET", URL: "/api/v1/dispatch/categories?version=9", Status: http.StatusNotFound},
			{Name: "tree bad version", User: "dispatcher", Method: "GET", URL: "/api/v1/dispatch/categories?version=x", Status: http.StatusUnprocessableEntity, Contains: []string{"version"}},
			{Name: "tree of another town", User: "dispatcher", Method: "GET", URL: "/api/v1/dispatch/categories?town=310115005", Status: http.StatusUnprocessableEntity, Contains: []string{"town"}},
			{Name: "tree without dispatch:read", User: "gridworker", Method: "GET", URL: "/api/v1/dispatch/categories", Status: http.StatusForbidden},
			{Name: "versions", User: "leader", Method: "GET", URL: "/api/v1/dispatch/categories/versions", Status: http.StatusOK,
				Contains: []string{`"version":1`, `"current":true`, `"valid_from":"2025-01-01"`}, NotContains: []string{`"orders":0`}},
			{Name: "publish a bad tree", User: "admin", Method: "POST", URL: "/api/v1/dispatch/categories/versions",
				Body:   `{"nodes": [{"code": "01", "name": "市容环境", "kind": "event"}, {"code": "0101", "parent": "09", "name": "暴露垃圾"}]}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{"row 2, column parent: parent 09 is not in the tree", `"zh":"上级编码 09 不在表中"`, `"row":2`}},
			{Name: "publish a tree dropping codes open orders use", User: "admin", Method: "POST", URL: "/api/v1/dispatch/categories/versions",
				Body:   `{"nodes": [{"code": "01", "name": "市容环境"}, {"code": "0101", "parent": "01", "name": "暴露垃圾"}]}`,
				Status: http.StatusUnprocessableEntity, Contains: []string{"open orders still use"}},
			{Name: "publish unknown field", User: "admin", Method: "POST", URL: "/api/v1/dispatch/categories/versions", Body: `{"nodes": [], "colour": 1}`, Status: http.StatusBadRequest},
			{Name: "publish without dispatch:write", User: "dispatcher", Method: "POST", URL: "/api/v1/dispatch/categories/versions", Body: `{"nodes": []}`, Status: http.StatusForbidden},
			{Name: "delete a version in use", User: "admin", Method: "DELETE", URL: "/api/v1/dispatch/categories/versions/1", Status: http.StatusConflict, Contains: []string{"a version in use"}},
			{Name: "delete an unknown version", User: "admin", Method: "DELETE", URL: "/api/v1/dispatch/categories/versions/99", Status: http.StatusNotFound},
			{Name: "delete without dispatch:write", User: "leader", Method: "DELETE", URL: "/api/v1/dispatch/categories/versions/1", Status: http.StatusForbidden},
			{Name: "page delete a version in use", User: "admin", Method: "POST", URL: "/admin/categories/versions/1/delete", Status: http.StatusConflict, Contains: []string{"版本 1 有工单在使用，不能删除"}},
			{Name: "page upload without a file", User: "admin", Method: "POST", URL: "/admin/categories", Body: "valid_from=2099-01-01", Status: http.StatusBadRequest, Contains: []string{"请选择要上传的 xlsx 或 CSV 文件"}},
		})

		// The tree in force, published again for a later date, waits; nobody used it, so it may go.
		raw := a.GetOK(t, "dispatcher", "/api/v1/dispatch/categories")
		var tree struct {
			Nodes []json.RawMessage `json:"nodes"`
		}
		if err := json.Unmarshal([]byte(raw), &tree); err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(map[string]any{"valid_from": "2099-01-01", "note": "明年", "nodes": tree.Nodes})
		a.Run(t, []webtest.Scenario{
			{Name: "publish for a later date", User: "admin", Method: "POST", URL: "/api/v1/dispatch/categories/versions", Body: string(body),
				Status: http.StatusCreated, Contains: []string{`"version":2`, `"current":false`, `"valid_from":"2099-01-01"`}},
			{Name: "it waits", User: "admin", Method: "GET", URL: "/admin/categories", Status: http.StatusOK, Contains: []string{"待生效", "明年", "data-confirm"}},
			{Name: "delete the unused version", User: "admin", Method: "DELETE", URL: "/api/v1/dispatch/categories/versions/2", Status: http.StatusNoContent},
		})
	})
}

// Uploading a file: a bad CSV is refused whole with its rows named in the page's language; the
// downloaded xlsx, uploaded again for a later date, is published and listed as pending.
func TestCategoryUpload(t *testing.T) {
	webtest.Each(t, demo.WorldWithOrders, func(t *testing.T, a *webtest.App) {
		post := uploader(t, a, "admin")
		upload := func(name string, data []byte, validFrom, lang string) (int, string, string) {
			return post("/admin/categories?lang="+lang, name, data, map[string]string{"valid_from": validFrom})
		}
		bad := []byte("编码,上级编码,名称,类型\n01,,市容环境,事件\n0101,09,暴露垃圾,\n0102,01,积存垃圾,立案条件\n")
		code, page, _ := upload("bad.csv", bad, "", "zh")
		if code != http.StatusUnprocessableEntity || !strings.Contains(page, "第 3 行 「上级编码」：上级编码 09 不在表中") ||
			!strings.Contains(page, "第 4 行 「上级编码」：立案条件必须在小类之下") {
			t.Errorf("bad csv: %d\n%s", code, page)
		}
		code, page, _ = upload("bad.csv", bad, "", "en")
		if code != http.StatusUnprocessableEntity || !strings.Contains(page, "row 3, column parent: parent 09 is not in the tree") {
			t.Errorf("bad csv in English: %d", code)
		}
		xlsx := a.GetOK(t, "admin", "/admin/categories/tree.xlsx")
		code, _, loc := upload("tree.xlsx", []byte(xlsx), "2099-01-01", "zh")
		if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/categories?town=") {
			t.Fatalf("upload: %d %q", code, loc)
		}
		if code, page := a.Get("admin", loc); code != http.StatusOK || !strings.Contains(page, "已发布版本 2") || !strings.Contains(page, "待生效") {
			t.Errorf("after the upload: %d", code)
		}
	})
}
