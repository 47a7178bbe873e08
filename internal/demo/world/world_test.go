package world

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func worlds(t *testing.T) map[string]*World {
	t.Helper()
	xj, err := Xinjing()
	if err != nil {
		t.Fatalf("Xinjing: %v", err)
	}
	ljz, err := Lujiazui()
	if err != nil {
		t.Fatalf("Lujiazui: %v", err)
	}
	return map[string]*World{"xinjing": xj, "lujiazui": ljz}
}

func TestXinjingShape(t *testing.T) {
	w := worlds(t)["xinjing"]
	if w.Town.Code != "310105102" || w.Town.Name != "新泾镇" || w.District.Code != "310105" || w.District.Name != "长宁区" || w.City.Code != "3101" {
		t.Errorf("hierarchy: %+v %+v %+v", w.City, w.District, w.Town)
	}
	if len(w.Grids) != 8 || len(w.Committees) != 33 {
		t.Fatalf("grids %d committees %d, want 8 and 33", len(w.Grids), len(w.Committees))
	}
	for i, g := range w.Grids {
		code := fmt.Sprintf("310105102-G%02d", i+1)
		if g.Code != code {
			t.Errorf("grid %d code %s, want %s", i, g.Code, code)
		}
	}
	if g, ok := w.Grid("310105102-G04"); !ok || g.Name != "新泾镇第四网格" {
		t.Errorf("第四网格 missing: %+v", g)
	}
	for _, g := range w.Grids {
		b := g.Polygon.Bound()
		if b.Min[0] < 121.355 || b.Max[0] > 121.405 || b.Min[1] < 31.198 || b.Max[1] > 31.232 {
			t.Errorf("grid %s bound %v outside the town's extent", g.Code, b)
		}
	}
	// 绿园新村 committees all in one grid
	lvyuan := map[string]bool{}
	for _, g := range w.Grids {
		for _, c := range g.Committees {
			for _, a := range w.Committees {
				if a.Code == c && strings.HasPrefix(a.Name, "绿园") {
					lvyuan[g.Code] = true
				}
			}
		}
	}
	if len(lvyuan) != 1 {
		t.Errorf("绿园 committees spread over %v", lvyuan)
	}
	if len(w.Addresses) < 60 {
		t.Errorf("address book has %d entries, want 60+", len(w.Addresses))
	}
	leaves := 0
	tops := 0
	for _, c := range w.Categories {
		if c.IsLeaf() {
			leaves++
		} else {
			tops++
		}
	}
	if leaves < 45 || tops < 10 {
		t.Errorf("category tree: %d top classes, %d leaves", tops, leaves)
	}
	if len(w.Templates.Orders) < 30 {
		t.Errorf("templates for %d categories, want ~30", len(w.Templates.Orders))
	}
	if len(w.Residents) < 35 {
		t.Errorf("%d residents", len(w.Residents))
	}
	names := map[string]bool{}
	for _, p := range w.Places {
		names[p.Name] = true
	}
	for _, n := range []string{"淞虹路地铁站", "仙霞西路", "青溪路", "西郊金融园", "上海荟聚", "上海同仁医院", "新泾镇社区党群服务中心",
		"宁聚里·新泾镇仙霞路党群服务中心", "同Xin街区口袋花园", "绿八居民区乐颐生境花园", "生境博物馆", "尚廉新泾警示教育基地",
		"新泾镇民间文化艺术展示馆", "虹桥艺空间", "绿苑小学", "绿园八村", "天山星城", "南洋新都", "怡景苑", "新泾北苑", "虹康花苑"} {
		if !names[n] {
			t.Errorf("place %s missing", n)
		}
	}
	for _, p := range w.Places {
		if p.Kind == "road" && len(p.Line) < 2 {
			t.Errorf("road %s has no polyline", p.Name)
		}
	}
}

func TestLujiazuiShape(t *testing.T) {
	w := worlds(t)["lujiazui"]
	if len(w.Grids) != 3 || w.District.Code != "310115" || w.Town.Name != "陆家嘴街道" {
		t.Fatalf("lujiazui: %d grids, %+v %+v", len(w.Grids), w.District, w.Town)
	}
	for _, g := range w.Grids {
		b := g.Polygon.Bound()
		if b.Min[0] < 121.49 || b.Max[0] > 121.52 || b.Min[1] < 31.225 || b.Max[1] > 31.245 {
			t.Errorf("grid %s bound %v outside 陆家嘴", g.Code, b)
		}
	}
	for _, code := range []string{"ljz-opscentre", "ljz-police", "ljz-market", "ljz-enforcement", "310115005049"} {
		if _, ok := w.Department(code); !ok {
			t.Errorf("department %s missing", code)
		}
	}
	users := map[string]bool{}
	for _, u := range w.Users {
		users[u.Username] = true
	}
	if !users["lujiazui_admin"] || !users["lujiazui_dispatcher"] || users["admin"] {
		t.Errorf("lujiazui users %v", users)
	}
}

// outline returns the edges used by exactly one grid (the town outline) and
// fails when an edge is used by more than two grids or twice in one direction.
func sharedEdges(t *testing.T, w *World) (outline [][2]orb.Point, shared int) {
	t.Helper()
	type edge [2]orb.Point
	uses := map[edge][]string{}
	for _, g := range w.Grids {
		r := g.Polygon[0]
		for i := 0; i+1 < len(r); i++ {
			e := edge{r[i], r[i+1]}
			if len(uses[e]) > 0 {
				t.Errorf("edge %v used twice in the same direction (%v, %s): overlap", e, uses[e], g.Code)
			}
			uses[e] = append(uses[e], g.Code)
		}
	}
	for e, gs := range uses {
		rev := edge{e[1], e[0]}
		if len(uses[rev]) > 0 {
			shared++
			continue
		}
		_ = gs
		outline = append(outline, e)
	}
	return outline, shared / 2
}

// chain joins outline edges into rings.
func chain(t *testing.T, edges [][2]orb.Point) []orb.Ring {
	next := map[orb.Point]orb.Point{}
	for _, e := range edges {
		if _, dup := next[e[0]]; dup {
			t.Errorf("outline vertex %v has two outgoing edges", e[0])
		}
		next[e[0]] = e[1]
	}
	var rings []orb.Ring
	seen := map[orb.Point]bool{}
	for _, e := range edges {
		if seen[e[0]] {
			continue
		}
		ring := orb.Ring{e[0]}
		p := e[0]
		for {
			seen[p] = true
			q, ok := next[p]
			if !ok {
				t.Fatalf("outline is open at %v", p)
			}
			ring = append(ring, q)
			if q == e[0] {
				break
			}
			p = q
		}
		rings = append(rings, ring)
	}
	return rings
}

func TestGridsTileTheTown(t *testing.T) {
	for name, w := range worlds(t) {
		t.Run(name, func(t *testing.T) {
			outlineEdges, shared := sharedEdges(t, w)
			if shared == 0 {
				t.Fatal("no grid shares an edge with a neighbour")
			}
			rings := chain(t, outlineEdges)
			if len(rings) != 1 {
				t.Fatalf("town outline has %d rings, want 1 (a gap or an island)", len(rings))
			}
			outline := orb.Polygon{rings[0]}
			if err := ValidatePolygon(outline); err != nil {
				t.Errorf("town outline invalid: %v", err)
			}
			sum := 0.0
			for _, g := range w.Grids {
				sum += planar.Area(g.Polygon)
			}
			if a := planar.Area(outline); math.Abs(a-sum) > 1e-9*a+1e-12 {
				t.Errorf("grid areas sum %g, outline area %g", sum, a)
			}
			// fine mesh: every point inside the outline is in exactly one grid,
			// every point outside in none
			b := outline.Bound().Pad(0.001)
			const steps = 300
			inside := 0
			for i := 0; i < steps; i++ {
				for j := 0; j < steps; j++ {
					pt := orb.Point{
						b.Min[0] + (float64(i)+0.5137)*(b.Max[0]-b.Min[0])/steps,
						b.Min[1] + (float64(j)+0.4713)*(b.Max[1]-b.Min[1])/steps,
					}
					n := 0
					for _, g := range w.Grids {
						if planar.PolygonContains(g.Polygon, pt) {
							n++
						}
					}
					in := planar.PolygonContains(outline, pt)
					if in {
						inside++
					}
					if in && n != 1 || !in && n != 0 {
						t.Fatalf("point %v: in outline %v, in %d grids", pt, in, n)
					}
				}
			}
			if inside < steps*steps/4 {
				t.Errorf("only %d mesh points inside the town", inside)
			}
		})
	}
}

func TestPolygonsValid(t *testing.T) {
	for name, w := range worlds(t) {
		for _, g := range w.Grids {
			if err := ValidatePolygon(g.Polygon); err != nil {
				t.Errorf("%s %s: %v", name, g.Code, err)
			}
			if len(g.Polygon[0]) < 10 {
				t.Errorf("%s %s: only %d vertices, want bends along roads", name, g.Code, len(g.Polygon[0]))
			}
		}
	}
	sq := orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}
	if err := ValidatePolygon(orb.Polygon{sq}); err != nil {
		t.Errorf("square rejected: %v", err)
	}
	cw := orb.Ring{{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}}
	bow := orb.Ring{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}
	spike := orb.Ring{{0, 0}, {2, 0}, {1, 0}, {1, 1}, {0, 0}}
	for name, p := range map[string]orb.Polygon{
		"clockwise": {cw}, "unclosed": {sq[:4]}, "short": {{{0, 0}, {1, 0}, {0, 0}}},
		"bow-tie": {bow}, "spike": {spike}, "empty": {},
	} {
		if ValidatePolygon(p) == nil {
			t.Errorf("%s polygon accepted", name)
		}
	}
}

func TestCommitteesAssignedOnce(t *testing.T) {
	for name, w := range worlds(t) {
		seen := map[string]int{}
		for _, g := range w.Grids {
			for _, c := range g.Committees {
				seen[c]++
			}
		}
		if len(seen) != len(w.Committees) {
			t.Errorf("%s: %d committees assigned, %d exist", name, len(seen), len(w.Committees))
		}
		for _, c := range w.Committees {
			if seen[c.Code] != 1 {
				t.Errorf("%s: committee %s %s assigned %d times", name, c.Code, c.Name, seen[c.Code])
			}
		}
	}
	w := worlds(t)["xinjing"]
	bad := *w
	bad.Grids = append([]Grid(nil), w.Grids...)
	bad.Grids[0].Committees = append([]string{w.Grids[1].Committees[0]}, w.Grids[0].Committees[1:]...)
	if bad.Validate() == nil {
		t.Error("Validate accepted a committee assigned twice and one unassigned")
	}
}

func TestPlacesAndAddressesInTheirGrid(t *testing.T) {
	for name, w := range worlds(t) {
		grids := map[string]Grid{}
		for _, g := range w.Grids {
			grids[g.Code] = g
		}
		for _, p := range w.Places {
			if !planar.PolygonContains(grids[p.GridCode].Polygon, p.Point()) {
				t.Errorf("%s: place %s outside %s", name, p.Name, p.GridCode)
			}
			if got := w.GridAt(p.Point()); got != p.GridCode {
				t.Errorf("%s: place %s located in %q, stated %s", name, p.Name, got, p.GridCode)
			}
		}
		for _, a := range w.Addresses {
			if got := w.GridAt(a.Point()); got != a.GridCode {
				t.Errorf("%s: address %s located in %q, stated %s", name, a.Text, got, a.GridCode)
			}
		}
	}
	w := worlds(t)["xinjing"]
	bad := *w
	bad.Addresses = append([]Address(nil), w.Addresses...)
	bad.Addresses[0].GridCode = "310105102-G08"
	if bad.Validate() == nil {
		t.Error("Validate accepted an address outside its grid")
	}
}

func TestReferences(t *testing.T) {
	for name, w := range worlds(t) {
		for _, c := range w.Categories {
			if c.IsLeaf() {
				if _, ok := w.Department(c.DepartmentCode); !ok {
					t.Errorf("%s: category %s default department %q unknown", name, c.Code, c.DepartmentCode)
				}
			}
		}
		for _, u := range w.Users {
			if _, ok := w.Department(u.DepartmentCode); u.DepartmentCode != "" && !ok {
				t.Errorf("%s: user %s department %q unknown", name, u.Username, u.DepartmentCode)
			}
			if _, ok := w.Grid(u.GridCode); u.GridCode != "" && !ok {
				t.Errorf("%s: user %s grid %q unknown", name, u.Username, u.GridCode)
			}
		}
		for _, m := range w.GridMembers {
			if _, ok := w.Department(m.DepartmentCode); !ok {
				t.Errorf("%s: member %s department %q unknown", name, m.Name, m.DepartmentCode)
			}
		}
	}
	w := worlds(t)["xinjing"]
	users := map[string]DemoUser{}
	for _, u := range w.Users {
		users[u.Username] = u
	}
	for _, n := range []string{"admin", "dispatcher", "handler_police", "handler_enforcement", "handler_market",
		"handler_committee", "gridworker", "gridleader", "leader", "deputy", "resident", "volunteer", "changning"} {
		if _, ok := users[n]; !ok {
			t.Errorf("demo user %s missing", n)
		}
	}
	if u := users["dispatcher"]; u.DepartmentCode != "xj-opscentre" {
		t.Errorf("dispatcher department %s", u.DepartmentCode)
	}
	if u := users["changning"]; u.TownCode != "" || u.DistrictCode != "310105" || u.Role != "leader" {
		t.Errorf("changning: %+v", u)
	}
	for _, n := range []string{"gridworker", "gridleader"} {
		if users[n].GridCode != "310105102-G04" {
			t.Errorf("%s grid %s", n, users[n].GridCode)
		}
		found := false
		for _, m := range w.GridMembers {
			if m.Username == n && m.GridCode == "310105102-G04" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s is not a member of 第四网格", n)
		}
	}
	committees := 0
	for _, d := range w.Departments {
		if d.Kind == "committee" {
			committees++
		}
	}
	if committees != 33 {
		t.Errorf("%d committee departments, want 33", committees)
	}
	bad := *w
	bad.Categories = append([]Category(nil), w.Categories...)
	for i := range bad.Categories {
		if bad.Categories[i].IsLeaf() {
			bad.Categories[i].DepartmentCode = "xj-nowhere"
			break
		}
	}
	if bad.Validate() == nil {
		t.Error("Validate accepted an unknown default department")
	}
}

// Real people named in the seeds, in simplified and traditional characters.
// None of them may appear in the demo data.
var seedNames = []string{
	// 新泾镇 / 长宁区 seeds
	"刘观锡", "劉觀錫", "潘敏", "卞晓清", "卞曉清", "朱亮高", "张岑", "張岑", "余双", "余雙", "王晓琳", "王曉琳",
	"黄兆铭", "黃兆銘", "徐盛", "潘国力", "潘國力", "焦文艳", "焦文艷", "蒋丽萍", "蔣麗萍", "卢明杰", "盧明傑",
	"侯学军", "侯學軍", "汤惠杰", "湯惠傑", "王敏", "陈之光", "陳之光", "江志平", "夏秀宾", "夏秀賓", "柏伟豪",
	"柏偉豪", "滕艳琴", "滕艷琴", "陈东易", "陳東易", "宋嘉禾", "陈大雨", "陳大雨", "洪流", "安静", "安靜",
	"范朱凤", "范朱鳳", "王伟", "王偉", "吴道群", "吳道群",
	// 陆家嘴 seed (traditional in the source)
	"周小平", "倪倩", "徐可畏", "邓亮", "鄧亮", "凌军芬", "凌軍芬", "李灿", "李燦", "张磊", "張磊", "王云芝", "王雲芝",
	"金煜纯", "金煜純", "黄琪", "黃琪", "孟馥", "费碧璇", "費碧璇", "唐佳", "葛俊俊", "韩庆", "韓慶",
	// quoted in the seeds
	"习近平", "習近平",
}

func TestNoRealPeople(t *testing.T) {
	files := DataFiles()
	if len(files) < 10 {
		t.Fatalf("only %d data files", len(files))
	}
	for _, f := range files {
		b, err := ReadDataFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range seedNames {
			if strings.Contains(string(b), n) {
				t.Errorf("%s contains the real name %s", f, n)
			}
		}
	}
}

func TestShanghaiAdmin(t *testing.T) {
	d, towns, err := ShanghaiAdmin()
	if err != nil {
		t.Fatal(err)
	}
	if len(d) != 16 || len(towns) != 234 {
		t.Fatalf("%d districts, %d towns", len(d), len(towns))
	}
	districts := map[string]bool{}
	for _, x := range d {
		districts[x.Code] = true
		if x.ParentCode != "3101" {
			t.Errorf("district %s parent %s", x.Code, x.ParentCode)
		}
	}
	found := false
	for _, x := range towns {
		if !districts[x.ParentCode] {
			t.Errorf("town %s parent %s unknown", x.Code, x.ParentCode)
		}
		if x.Code == "310105102" && x.Name == "新泾镇" && x.ParentCode == "310105" {
			found = true
		}
	}
	if !found {
		t.Error("新泾镇 missing")
	}
}
