package e2e

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/dispatch"
)

// The administrator opens the category tree (部件 and 事件 sections, conditions with their
// limits), uploads a CSV with a mistake and reads the row it names, then uploads the tree with a
// new 部件 sub-class and sees version 2 in force with the new node.
func TestCategoryTreeInBrowser(t *testing.T) {
	dir := t.TempDir()
	w, err := world.Xinjing()
	if err != nil {
		t.Fatal(err)
	}
	tree := demo.CategoryTree(w)
	tree.Nodes = append(tree.Nodes,
		dispatch.Node{Code: "B0107", Parent: "B01", Name: "电动自行车充电桩", NameEN: "E-bike charging post", Department: "xj-safety"},
		dispatch.Node{Code: "B010701", Parent: "B0107", Name: "充电桩损坏或漏电", Condition: true, DeadlineDays: 1, Close: "已断电维修，检测合格"})
	if err := tree.Validate(dispatch.Refs{}); err != nil {
		t.Fatal(err)
	}
	write := func(name string, rows [][]string) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		cw := csv.NewWriter(f)
		_ = cw.WriteAll(rows)
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("tree.csv", dispatch.TreeRows(tree))
	bad := write("bad.csv", [][]string{dispatch.TreeHeader, {"01", "", "市容环境", "", "事件"}, {"0101", "09", "暴露垃圾"}})

	srv, ctx := signedIn(t, "admin", 1440, 1000)
	visit(t, ctx, srv.URL+"/admin/categories", "open the tree")
	waitFor(t, ctx, `#cat-tree .cat-kind-component`, "the 部件 section")
	if text := evaluate[string](t, ctx, `document.querySelector('#cat-tree').textContent`); !strings.Contains(text, "上水井盖") || !strings.Contains(text, "井盖缺失") || !strings.Contains(text, "不是任何城市发布的标准") {
		t.Errorf("tree: %.300q", text)
	}
	Screenshot(t, ctx, "categories-tree")

	must(t, chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`#cat-upload input[type=file]`), []string{bad}),
		chromedp.Click(chromedp.CSS(`#cat-upload button.primary`))), "upload the bad file")
	waitFor(t, ctx, `#cat-errors`, "the row errors")
	if text := evaluate[string](t, ctx, `document.querySelector('#cat-errors').textContent`); !strings.Contains(text, "第 3 行 「上级编码」：上级编码 09 不在表中") {
		t.Errorf("errors: %q", text)
	}
	if n := evaluate[int](t, ctx, `document.querySelectorAll('#cat-errors li').length`); n != 1 {
		t.Errorf("%d errors listed, want 1", n)
	}
	Screenshot(t, ctx, "categories-errors")

	must(t, chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`#cat-upload input[type=file]`), []string{good}),
		chromedp.SendKeys(chromedp.CSS(`#cat-upload input[name=note]`), "新增充电桩部件"),
		chromedp.Click(chromedp.CSS(`#cat-upload button.primary`))), "upload the tree")
	waitFor(t, ctx, `#cat-versions tbody tr:nth-child(2)`, "the new version")
	current := evaluate[string](t, ctx, `document.querySelector('#cat-versions tr.cat-current').textContent`)
	tree2 := evaluate[string](t, ctx, `document.querySelector('#cat-tree').textContent`) // closed <details> hold their text too
	if !strings.Contains(current, "2") || !strings.Contains(current, "新增充电桩部件") || !strings.Contains(tree2, "电动自行车充电桩") || !strings.Contains(tree2, "充电桩损坏或漏电") {
		t.Errorf("after publishing: current %q", current)
	}
	Screenshot(t, ctx, "categories-published")
}
