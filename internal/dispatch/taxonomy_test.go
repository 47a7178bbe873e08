package dispatch

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/orders/orderstest"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// validTree is a small tree in the standard's shape: a 部件 class with a sub-class and its two
// conditions, an 事件 class with one sub-class.
func validTree() Tree {
	return Tree{Nodes: []Node{
		{Code: "B01", Name: "公用设施", Kind: KindComponent},
		{Code: "B0101", Parent: "B01", Name: "窨井盖", Department: "xj-sanitation", Aliases: []string{"市政设施/井盖"}},
		{Code: "B010101", Parent: "B0101", Name: "井盖缺失", Condition: true, DeadlineDays: 1, Close: "已补盖或设置警示"},
		{Code: "B010102", Parent: "B0101", Name: "井盖破损、松动", Condition: true, DeadlineClass: "general", Close: "已更换或加固"},
		{Code: "01", Name: "市容环境", Kind: KindEvent},
		{Code: "0101", Parent: "01", Name: "暴露垃圾", DeadlineClass: "general", Department: "xj-sanitation"},
	}}
}

func treeErrors(t *testing.T, err error) []TreeError {
	t.Helper()
	var te *TreeErrors
	if !errors.As(err, &te) {
		t.Fatalf("want *TreeErrors, got %v", err)
	}
	return te.List
}

// Validation names the row and the column of each problem, in Chinese and English.
func TestTreeValidate(t *testing.T) {
	refs := Refs{Departments: map[string]bool{"xj-sanitation": true}}
	good := validTree()
	if err := good.Validate(refs); err != nil {
		t.Fatalf("valid tree refused: %v", err)
	}
	if good.Nodes[2].Level != LevelCondition || good.Nodes[1].Level != LevelSub || good.Nodes[0].Kind != KindComponent {
		t.Errorf("levels: %+v", good.Nodes[:3])
	}
	cases := []struct {
		name   string
		change func(*Tree)
		row    int
		col    string
		zh, en string
	}{
		{"duplicate code", func(t *Tree) {
			t.Nodes[5].Code = "0101"
			t.Nodes = append(t.Nodes, Node{Code: "0101", Parent: "01", Name: "又一个"})
		},
			7, "code", "编码 0101 重复（第 6 行已有）", "code 0101 appears twice (first on row 6)"},
		{"unknown parent", func(t *Tree) { t.Nodes[5].Parent = "09" }, 6, "parent", "上级编码 09 不在表中", "parent 09 is not in the tree"},
		{"cycle", func(t *Tree) { t.Nodes[4].Parent = "0101" }, 5, "parent", "上级编码形成循环", "the parents form a cycle"},
		{"own parent", func(t *Tree) { t.Nodes[4].Parent = "01" }, 5, "parent", "上级编码不能是自己", "cannot be its own parent"},
		{"condition under a top class", func(t *Tree) { t.Nodes[2].Parent = "B01" }, 3, "parent", "立案条件必须在小类之下，B01 是大类", "a filing condition must be under a sub-class"},
		{"condition as a top class", func(t *Tree) { t.Nodes[2].Parent = ""; t.Nodes[3].Parent = "B0101" }, 3, "kind", "立案条件必须在小类之下", "not a top class"},
		{"too deep", func(t *Tree) {
			t.Nodes = append(t.Nodes, Node{Code: "B01010101", Parent: "B010101", Name: "第四层"})
		}, 7, "parent", "层级过深：第 4 层", "too deep: level 4"},
		{"unknown deadline class", func(t *Tree) { t.Nodes[5].DeadlineClass = "urgent" }, 6, "deadline", "未知的时限类别 \"urgent\"", "unknown deadline class \"urgent\""},
		{"unknown department", func(t *Tree) { t.Nodes[5].Department = "xj-nobody" }, 6, "department", "本街镇没有部门 \"xj-nobody\"", "unknown department \"xj-nobody\""},
		{"name too long", func(t *Tree) { t.Nodes[5].Name = strings.Repeat("长", 61) }, 6, "name", "名称有 61 个字，最多 60 个", "61 characters; at most 60"},
		{"class and days", func(t *Tree) { t.Nodes[3].DeadlineDays = 3 }, 4, "days", "只能填一个", "not both"},
		{"bad code", func(t *Tree) { t.Nodes[5].Code = "01 01" }, 6, "code", "只能由字母、数字", "letters, digits"},
		{"alias twice", func(t *Tree) { t.Nodes[5].Aliases = []string{"市政设施/井盖"} }, 6, "aliases", "已对应到 B0101", "already maps to B0101"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := validTree()
			c.change(&tr)
			list := treeErrors(t, tr.Validate(refs))
			for _, e := range list {
				if e.Row == c.row && e.Column == c.col && strings.Contains(e.ZH, c.zh) && strings.Contains(e.EN, c.en) {
					return
				}
			}
			t.Errorf("want row %d %s %q / %q; got %+v", c.row, c.col, c.zh, c.en, list)
		})
	}
	// An unknown parent is one problem, not also a level.
	orphan := validTree()
	orphan.Nodes[5].Parent = "09"
	if list := treeErrors(t, orphan.Validate(refs)); len(list) != 1 {
		t.Errorf("an orphan: %+v", list)
	}
	big := Tree{Nodes: make([]Node, MaxNodes+1)}
	if list := treeErrors(t, big.Validate(refs)); !strings.Contains(list[0].EN, "at most 5000") {
		t.Errorf("size: %+v", list)
	}
	// The texts people read.
	e := TreeError{Row: 4, Column: "parent", ZH: "上级编码 09 不在表中", EN: "parent 09 is not in the tree"}
	if got := e.Text("zh"); got != "第 4 行 「上级编码」：上级编码 09 不在表中" {
		t.Errorf("zh: %s", got)
	}
	if got := e.Text("en"); got != "row 4, column parent: parent 09 is not in the tree" {
		t.Errorf("en: %s", got)
	}
}

// A CSV with problems is refused whole, each problem named by its row as the spreadsheet shows it.
func TestReadTreeCSVErrors(t *testing.T) {
	csv := "编码,上级编码,名称,类型,时限类别,时限天数,牵头部门,热线类别\n" +
		"B01,,公用设施,部件,,,,\n" +
		"B0101,B01,窨井盖,,,,xj-sanitation,井盖\n" +
		"B010101,B0101,井盖缺失,立案条件,,1个工作日,,\n" +
		"B010102,B01,井盖破损,立案条件,一般诉求/投诉,,,\n" + // a condition under a top class
		"B0102,B09,路灯,,,,,\n" + // unknown parent
		"B0103,B01,消防栓,大件,,,,\n" // unknown kind
	_, err := ReadTreeFile("tree.csv", []byte(csv))
	list := treeErrors(t, err)
	if len(list) != 1 || list[0].Row != 7 || list[0].Column != "kind" {
		t.Fatalf("cell errors first: %+v", list)
	}
	tr, err := ReadTreeFile("tree.csv", []byte(strings.Replace(csv, "大件", "", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if n := tr.Nodes[2]; !n.Condition || n.DeadlineDays != 1 || tr.Nodes[3].DeadlineClass != "general" || tr.Nodes[1].Aliases[0] != "井盖" {
		t.Errorf("read: %+v", tr.Nodes)
	}
	list = treeErrors(t, tr.Validate(Refs{}))
	text := (&TreeErrors{List: list}).Text("zh")
	for _, want := range []string{"第 5 行 「上级编码」：立案条件必须在小类之下", "第 6 行 「上级编码」：上级编码 B09 不在表中"} {
		if !strings.Contains(text, want) {
			t.Errorf("want %q in\n%s", want, text)
		}
	}
	if en := (&TreeErrors{List: list}).Text("en"); !strings.Contains(en, "row 6, column parent: parent B09 is not in the tree") {
		t.Errorf("en:\n%s", en)
	}
	// GB18030, as Excel saves a CSV on a Chinese Windows, reads the same.
	gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(strings.Replace(csv, "大件", "", 1)))
	if err != nil {
		t.Fatal(err)
	}
	tr2, err := ReadTreeFile("tree.csv", gb)
	if err != nil || tr2.Nodes[1].Name != "窨井盖" {
		t.Errorf("gb18030: %v %+v", err, tr2.Nodes)
	}
	// Unknown column, missing code column.
	if _, err := ReadTreeFile("x.csv", []byte("编码,名称,颜色\n01,a,红\n")); err == nil || !strings.Contains(err.Error(), `unknown column "颜色"`) {
		t.Errorf("unknown column: %v", err)
	}
	if _, err := ReadTreeFile("x.csv", []byte("名称\na\n")); err == nil || !strings.Contains(err.Error(), "missing the code column") {
		t.Errorf("no code: %v", err)
	}
}

// The xlsx export reads back as the same tree, and a name starting with = stays text.
func TestTreeXLSXRoundTrip(t *testing.T) {
	tr := validTree()
	tr.Nodes[5].Name = "=HYPERLINK(\"x\")"
	if err := tr.Validate(Refs{}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteTreeXLSX(&buf, tr); err != nil {
		t.Fatal(err)
	}
	back, err := ReadTreeFile("tree.xlsx", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := back.Validate(Refs{}); err != nil {
		t.Fatal(err)
	}
	got := map[string]Node{}
	for _, n := range back.Nodes {
		got[n.Code] = n
	}
	if n := got["B010101"]; !n.Condition || n.DeadlineDays != 1 || n.Close != "已补盖或设置警示" {
		t.Errorf("condition: %+v", n)
	}
	if n := got["0101"]; n.Name != "=HYPERLINK(\"x\")" || n.DeadlineClass != "general" {
		t.Errorf("formula-looking name: %+v", n)
	}
	if n := got["B01"]; n.Kind != KindComponent {
		t.Errorf("kind: %+v", n)
	}
	if bytes.Contains(buf.Bytes(), []byte("<f>")) {
		t.Error("the workbook holds a formula")
	}
}

// The real 3-level taxonomy (517 rows, 15 top classes) reads by path as a tree: 大类 → 小类 →
// third level as conditions.
func TestReadRealTaxonomy(t *testing.T) {
	const path = "../../../shared/data/complaints/taidi2020c_taxonomy_l1_l2_l3.csv"
	data, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the taxonomy file is required in CI: %v", err)
		}
		t.Skipf("no taxonomy file: %v", err)
	}
	tr, err := ReadTreeFile("taxonomy.csv", data)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Validate(Refs{}); err != nil {
		t.Fatal(err)
	}
	levels := map[int]int{}
	for _, n := range tr.Nodes {
		levels[n.Level]++
	}
	if levels[1] != 15 || levels[2] != 118 || levels[3] != 517 {
		t.Errorf("levels %v; want 15 / 118 / 517", levels)
	}
	if n := tr.Nodes[0]; n.Code != "01" || n.Name != "城乡建设" || tr.Nodes[1].Code != "0101" || tr.Nodes[2].Code != "010101" {
		t.Errorf("codes: %+v %+v %+v", tr.Nodes[0], tr.Nodes[1], tr.Nodes[2])
	}
	// A duplicated path is a row error.
	bad := string(data) + "城乡建设,安全生产,事故处理\n"
	_, err = ReadTreeFile("taxonomy.csv", []byte(bad))
	if list := treeErrors(t, err); list[0].Row != 519 || list[0].Column != "condition" {
		t.Errorf("duplicate path: %+v", list)
	}
}

// Versions: a tree published for today takes effect at once; one for a later date waits; an
// order keeps the version it was filed under; a version dropping a code an open order uses is
// refused naming the order; a dropped code closed orders use is retired; a version in use cannot
// be deleted.
func TestCategoryVersions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := orderstest.Seed(t, db)
		by := audit.Actor{Name: "管理员甲"}
		st := orders.New(db)
		day1 := time.Date(2026, 11, 30, 9, 0, 0, 0, Shanghai)

		// Before any version, an order records 0.
		o0, err := st.Create(ctx, orders.NewOrder{TownCode: f.Town, Channel: "hotline", Content: "垃圾", Category: f.Category, ActorName: "x", ActorRole: "dispatcher"})
		if err != nil {
			t.Fatal(err)
		}
		tree := validTree()
		tree.Nodes = append(tree.Nodes, Node{Code: "09", Name: "咨询建议"}, Node{Code: "0901", Parent: "09", Name: "政策咨询", DeadlineClass: "consult"})
		v1, err := Publish(ctx, db, f.Town, tree, "", "第一版", by, day1)
		if err != nil {
			t.Fatal(err)
		}
		if v1.Version != 1 || !v1.Current || v1.ValidFrom != "2026-11-30" {
			t.Fatalf("v1: %+v", v1)
		}
		cats, err := st.Categories(ctx, f.Town)
		if err != nil {
			t.Fatal(err)
		}
		byCode := map[string]orders.Category{}
		for _, c := range cats {
			byCode[c.Code] = c
		}
		// A sub-class without its own limit takes its first condition that names a class.
		if c := byCode["B0101"]; c.DeadlineClass != "general" || len(c.Aliases) != 1 || byCode["B01"].Kind != KindComponent {
			t.Errorf("materialised: %+v %+v", c, byCode["B01"])
		}
		if _, ok := byCode["B010101"]; ok {
			t.Error("a condition became a category")
		}
		o1, err := st.Create(ctx, orders.NewOrder{TownCode: f.Town, Channel: "hotline", Content: "井盖没了", Category: "B0101", ActorName: "x", ActorRole: "dispatcher"})
		if err != nil {
			t.Fatal(err)
		}

		// Version 2 for a later date drops 0101, which open orders use: refused, naming them.
		v2tree := validTree()
		v2tree.Nodes = v2tree.Nodes[:5]
		_, err = Publish(ctx, db, f.Town, v2tree, "2026-12-07", "", by, day1)
		if !errors.Is(err, problem.ErrInvalid) || !strings.Contains(err.Error(), "drops categories 1 open orders still use") || !strings.Contains(err.Error(), o0.Number+" (0101)") {
			t.Fatalf("dropping a used code: %v", err)
		}
		// Once the order is closed the code may go: retired, not deleted.
		if _, err := db.Exec(ctx, `UPDATE orders SET state = 'closed' WHERE id = ?`, o0.ID); err != nil {
			t.Fatal(err)
		}
		// A date before the latest version's is refused.
		if _, err := Publish(ctx, db, f.Town, v2tree, "2026-11-01", "", by, day1); err == nil || !strings.Contains(err.Error(), "before the latest version") {
			t.Errorf("date order: %v", err)
		}
		v2, err := Publish(ctx, db, f.Town, v2tree, "2026-12-07", "第二版", by, day1)
		if err != nil {
			t.Fatal(err)
		}
		if v2.Version != 2 || v2.Current {
			t.Fatalf("v2 waits for its date: %+v", v2)
		}
		if cur, _ := orders.CurrentCategoryVersion(ctx, db, f.Town); cur != 1 {
			t.Errorf("current %d before the date", cur)
		}
		if n, err := Activate(ctx, db, f.Town, day1.AddDate(0, 0, 3)); err != nil || n != 0 {
			t.Errorf("early activation: %d %v", n, err)
		}
		if n, err := Activate(ctx, db, f.Town, day1.AddDate(0, 0, 7)); err != nil || n != 2 {
			t.Fatalf("activation on the date: %d %v", n, err)
		}
		var retired, gone int
		if err := db.QueryRow(ctx, `SELECT (SELECT retired FROM categories WHERE town_code = ? AND code = '0101'),
			(SELECT COUNT(*) FROM categories WHERE town_code = ? AND code IN ('09', '0901'))`, f.Town, f.Town).Scan(&retired, &gone); err != nil {
			t.Fatal(err)
		}
		if retired != 1 || gone != 0 {
			t.Errorf("0101 retired %d; 09/0901 left %d", retired, gone)
		}
		if _, err := st.Create(ctx, orders.NewOrder{TownCode: f.Town, Channel: "hotline", Content: "垃圾", Category: "0101", ActorName: "x", ActorRole: "dispatcher"}); err == nil {
			t.Error("a retired category was taken by a new order")
		}
		o2, err := st.Create(ctx, orders.NewOrder{TownCode: f.Town, Channel: "hotline", Content: "井盖又没了", Category: "B0101", ActorName: "x", ActorRole: "dispatcher"})
		if err != nil {
			t.Fatal(err)
		}
		if o1.CategoryVersion != 1 || o2.CategoryVersion != 2 {
			t.Errorf("created with versions %d, %d", o1.CategoryVersion, o2.CategoryVersion)
		}
		if got, err := st.Get(ctx, f.Towns(), o1.ID, false); err != nil || got.CategoryVersion != 1 {
			t.Errorf("read back: %d %v", got.CategoryVersion, err)
		}
		want := map[int64]int{o0.ID: 0, o1.ID: 1, o2.ID: 2}
		for id, v := range want {
			var got int
			if err := db.QueryRow(ctx, `SELECT category_version FROM orders WHERE id = ?`, id).Scan(&got); err != nil || got != v {
				t.Errorf("order %d: version %d (%v), want %d", id, got, err, v)
			}
		}
		vs, err := Versions(ctx, db, f.Town)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 2 || !vs[0].Current || vs[0].Orders != 1 || vs[1].Orders != 1 || vs[1].Current || vs[1].Note != "第一版" {
			t.Errorf("versions: %+v", vs)
		}
		// Version 1 is in use; version 2 is in force and in use; a version 3 nobody used may go.
		if err := DeleteVersion(ctx, db, f.Town, 1, by); !errors.Is(err, ErrVersionInUse) || !errors.Is(err, problem.ErrConflict) || !strings.Contains(err.Error(), "a version in use") {
			t.Errorf("delete v1: %v", err)
		}
		if _, err := Publish(ctx, db, f.Town, v2tree, "2027-01-01", "", by, day1.AddDate(0, 0, 7)); err != nil {
			t.Fatal(err)
		}
		if err := DeleteVersion(ctx, db, f.Town, 3, by); err != nil {
			t.Errorf("delete v3: %v", err)
		}
		if err := DeleteVersion(ctx, db, f.Town, 3, by); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("delete v3 twice: %v", err)
		}
		got, v, err := CurrentTree(ctx, db, f.Town)
		if err != nil || v != 2 || len(got.Nodes) != 5 {
			t.Errorf("current tree: v%d %d nodes %v", v, len(got.Nodes), err)
		}
		// An invalid tree is refused whole: nothing stored.
		bad := validTree()
		bad.Nodes[5].Parent = "nope"
		if _, err := Publish(ctx, db, f.Town, bad, "", "", by, day1.AddDate(0, 0, 8)); err == nil {
			t.Error("invalid tree published")
		}
		if vs, _ := Versions(ctx, db, f.Town); len(vs) != 2 {
			t.Errorf("after a refused tree: %d versions", len(vs))
		}
	})
}

// A version's order count stops at VersionCountBound: a version in force past it reads
// "VersionCountBound, more" (pages show 10000+), one under it its exact count, and neither
// can be deleted.
func TestCategoryVersionsCountUpToTheBound(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := orderstest.Seed(t, db)
		by := audit.Actor{Name: "管理员甲"}
		day1 := time.Date(2026, 11, 30, 9, 0, 0, 0, Shanghai)
		if _, err := Publish(ctx, db, f.Town, validTree(), "", "第一版", by, day1); err != nil {
			t.Fatal(err)
		}
		if _, err := Publish(ctx, db, f.Town, validTree(), "", "第二版", by, day1.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		// Version 2 in force: VersionCountBound+5 orders filed under it, 7 under version 1.
		if _, err := db.Exec(ctx, `WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO orders (town_code, number, short_code, state, channel, content, address, received_at, updated_at, category_version)
			SELECT ?, 'V-' || i, 'V' || i, 'closed', 'hotline', '楼道堆物', '新泾一村', i, i, CASE WHEN i <= 7 THEN 1 ELSE 2 END FROM n`,
			VersionCountBound+12, f.Town); err != nil {
			t.Fatal(err)
		}
		vs, err := Versions(ctx, db, f.Town)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 2 || vs[0].Version != 2 || vs[0].Orders != VersionCountBound || !vs[0].OrdersMore ||
			vs[1].Orders != 7 || vs[1].OrdersMore {
			t.Errorf("versions: %+v", vs)
		}
		if err := DeleteVersion(ctx, db, f.Town, 1, by); !errors.Is(err, ErrVersionInUse) {
			t.Errorf("delete v1: %v", err)
		}
	})
}
