package dispatch

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// A synthetic town: complaints built from estates, objects and problems, scattered over ~6 km.
var (
	genEstates  = []string{"虹桥新村", "天山五村", "仙霞新村", "新泾一村", "北新泾小区", "剑河家苑", "协和公寓", "威宁小区", "平塘小区", "淞虹苑", "哈密路", "福泉路", "金钟路", "天山路", "茅台路", "云雾山路"}
	genObjects  = []string{"路灯", "井盖", "垃圾桶", "化粪池", "电梯", "消防通道", "围墙", "人行道", "绿化带", "自行车棚", "楼道", "下水道"}
	genProblems = []string{"坏了很久", "被人占用", "发出臭味", "一直没人修", "存在安全隐患", "晚上噪音很大", "堆满了杂物", "破损严重", "漏水", "塌陷"}
	// Boilerplate: a few phrases that many complaints end with.
	genFillers = []string{"请尽快处理", "希望有关部门重视", "老人小孩经过很危险"}
)

const baseLat, baseLng = 31.2100, 121.3800

// genOrder returns an order about a random object of a random estate, placed within ~300 m of
// the estate's centre (estates lie on a 4 × 4 grid, 1.5 km apart), and its estate and object.
func genOrder(rng *rand.Rand, id int, t time.Time) (o Order, estate, object, problem int) {
	estate, object, problem = rng.IntN(len(genEstates)), rng.IntN(len(genObjects)), rng.IntN(len(genProblems))
	pr := genProblems[problem]
	text := fmt.Sprintf("%s%d号%s%s，%s", genEstates[estate], rng.IntN(200)+1, genObjects[object], pr, genFillers[rng.IntN(len(genFillers))])
	return Order{
		ID: fmt.Sprint("o", id), Text: text, Time: t,
		Lat:      baseLat + float64(estate/4)*0.0135 + (rng.Float64()-0.5)*0.005,
		Lng:      baseLng + float64(estate%4)*0.0157 + (rng.Float64()-0.5)*0.006,
		HasPoint: true,
		Phone:    fmt.Sprintf("139%08d", rng.IntN(1e8)),
		Category: genObjects[object], // as if the classifier had read it
	}, estate, object, problem
}

// genTown returns n orders spread evenly over the year before end.
func genTown(n int, end time.Time, seed uint64) []Order {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]Order, n)
	for i := range out {
		out[i], _, _, _ = genOrder(rng, i, end.Add(-time.Duration(float64(365*24*time.Hour)*float64(n-i)/float64(n))))
	}
	return out
}

var now = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// moved returns a point metres north of (lat, lng).
func moved(lat, lng, metres float64) (float64, float64) { return lat + metres/111_195, lng }

func TestSimilarFlagsParaphraseNearAndRecentOnly(t *testing.T) {
	orig := Order{ID: "old", Text: "翠竹苑小区3号楼门口的路灯坏了，晚上一片漆黑，老人走路很危险", Time: now.Add(-5 * 24 * time.Hour),
		Lat: baseLat + 0.01, Lng: baseLng + 0.01, HasPoint: true, Phone: "13912345678"}
	para := "翠竹苑3号楼门口路灯不亮了，晚上漆黑一片，请尽快修理"
	unrelated := "天山五村菜场门口有人占道经营，早上交通堵塞"
	lat200, lng := moved(orig.Lat, orig.Lng, 200)
	lat5k, _ := moved(orig.Lat, orig.Lng, 5000)

	build := func(extra ...Order) *SimilarIndex {
		x := NewSimilarIndex(SimilarOptions{})
		for _, o := range genTown(2000, now, 9) { // background: the same kind of texts, other places
			x.Add(o)
		}
		for _, o := range extra {
			x.Add(o)
		}
		return x
	}
	x := build(orig)
	q := Order{ID: "new", Text: para, Time: now, Lat: lat200, Lng: lng, HasPoint: true}
	ms := x.Check(q)
	if len(ms) == 0 || ms[0].ID != "old" {
		t.Fatalf("paraphrase 200 m away: %+v, want old first", ms)
	}
	m := ms[0]
	t.Logf("paraphrase 200 m: %+v (distance %.0f m)", m, *m.Distance)
	if m.Distance == nil || *m.Distance < 190 || *m.Distance > 210 {
		t.Errorf("distance %v, want ≈ 200 m", m.Distance)
	}
	if m.Days < 4.9 || m.Days > 5.1 {
		t.Errorf("days %.2f, want 5", m.Days)
	}
	if len(m.Shared) == 0 || !strings.Contains(strings.Join(m.Shared, "|"), "3号楼门口") {
		t.Errorf("shared phrases %q, want 3号楼门口 among them", m.Shared)
	}
	// Without points the text alone still flags it.
	if ms := x.Check(Order{ID: "new", Text: para, Time: now}); len(ms) == 0 || ms[0].ID != "old" || ms[0].Distance != nil {
		t.Errorf("paraphrase without a point: %+v", ms)
	}
	// 5 km away: not flagged.
	if ms := x.Check(Order{ID: "new", Text: para, Time: now, Lat: lat5k, Lng: lng, HasPoint: true}); hasID(ms, "old") {
		t.Errorf("paraphrase 5 km away flagged: %+v", ms)
	}
	// Unrelated text at the same place: not flagged.
	if ms := x.Check(Order{ID: "new", Text: unrelated, Time: now, Lat: orig.Lat, Lng: orig.Lng, HasPoint: true}); hasID(ms, "old") {
		t.Errorf("unrelated text flagged: %+v", ms)
	}
	// 60 days old: not flagged, unless the old order is still open.
	stale := orig
	stale.Time = now.Add(-60 * 24 * time.Hour)
	if ms := build(stale).Check(q); hasID(ms, "old") {
		t.Errorf("60-day-old order flagged: %+v", ms)
	}
	stale.Open = true
	if ms := build(stale).Check(q); !hasID(ms, "old") {
		t.Errorf("60-day-old open order not flagged: %+v", ms)
	}
	// Another category (both known) weighs against.
	withCat := orig
	withCat.Category = "路灯"
	x.Add(withCat) // replaces the order of the same ID
	qc := q
	qc.Category = "路灯"
	if ms := x.Check(qc); !hasID(ms, "old") || ms[0].Score != m.Score {
		t.Errorf("same category: %+v, want the score %.3f", ms, m.Score)
	}
	qc.Category = "绿化"
	if ms := x.Check(qc); hasID(ms, "old") {
		t.Errorf("another category flagged: %+v", ms)
	}
	// The same reporter counts more.
	q.Phone = "139-1234-5678"
	if ms2 := x.Check(q); len(ms2) == 0 || !ms2[0].SamePhone || ms2[0].Score <= m.Score {
		t.Errorf("same phone: %+v, want a higher score than %.3f", ms2, m.Score)
	}
	// Removed: gone.
	x.Remove("old")
	if ms := x.Check(q); hasID(ms, "old") {
		t.Errorf("removed order flagged: %+v", ms)
	}
}

func hasID(ms []Match, id string) bool {
	for _, m := range ms {
		if m.ID == id {
			return true
		}
	}
	return false
}

func TestSimilarBackgroundFalsePositives(t *testing.T) {
	// A year of 5,000 synthetic orders, each with its object as category: a flag is false when the
	// two orders are about another estate, or about another object and another problem; flags on
	// the same estate and object (or problem) are plausible repeats.
	rng := rand.New(rand.NewPCG(3, 1))
	x := NewSimilarIndex(SimilarOptions{})
	type about struct{ estate, object, problem int }
	truth := map[string]about{}
	n, warm, flagged, wrong := 5000, 500, 0, 0
	for i := range n {
		o, e, ob, pr := genOrder(rng, i, now.Add(-time.Duration(float64(365*24*time.Hour)*float64(n-i)/float64(n))))
		truth[o.ID] = about{e, ob, pr}
		ms := x.Check(o)
		if i < warm { // IDF needs a few hundred orders to tell boilerplate from content
			x.Add(o)
			continue
		}
		if len(ms) > 0 {
			flagged++
		}
		for _, m := range ms {
			a, b := truth[m.ID], truth[o.ID]
			if a.estate != b.estate || a.object != b.object && a.problem != b.problem {
				wrong++
				if wrong <= 3 {
					t.Logf("false: %q ~ %s %+v", o.Text, m.ID, m)
				}
			}
		}
		x.Add(o)
	}
	t.Logf("%d of %d synthetic orders flagged, %d flags about another estate or object", flagged, n-warm, wrong)
	if wrong > (n-warm)/100 {
		t.Errorf("%d flags about another estate or object among %d orders", wrong, n)
	}
}

func TestDistance(t *testing.T) {
	lat, lng := moved(31.2, 121.4, 1000)
	if d := Distance(31.2, 121.4, lat, lng); d < 999 || d > 1001 {
		t.Errorf("1 km north: %.1f m", d)
	}
}
