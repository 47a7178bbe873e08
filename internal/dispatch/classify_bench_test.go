package dispatch

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/cputime"
)

// genTexts returns n synthetic complaints of about 60–120 characters in 7 labels, each label
// with its own words among shared filler.
func genTexts(n int, seed uint64) []Example {
	rng := rand.New(rand.NewPCG(seed, 2))
	words := [][]string{
		{"路灯", "井盖", "道路破损", "人行道", "下水道"},
		{"噪音", "油烟", "废气", "污水排放", "垃圾焚烧"},
		{"学校", "幼儿园", "学费", "老师", "招生"},
		{"社保", "工资拖欠", "退休金", "劳动合同", "养老保险"},
		{"医院", "医保", "疫苗", "看病", "卫生院"},
		{"公交", "停车", "出租车", "红绿灯", "交通拥堵"},
		{"商铺", "价格", "景区", "消费者", "市场"},
	}
	filler := []string{"小区", "居民", "反映", "最近", "一直", "没有人管", "请有关部门", "尽快处理", "严重影响", "我们的生活", "已经很久了", "希望领导重视", "附近", "晚上"}
	out := make([]Example, n)
	for i := range out {
		k := rng.IntN(len(words))
		var b strings.Builder
		for b.Len() < 180+rng.IntN(180) { // bytes: 3 per character
			if rng.IntN(3) == 0 {
				b.WriteString(words[k][rng.IntN(len(words[k]))])
			} else {
				b.WriteString(filler[rng.IntN(len(filler))])
			}
		}
		out[i] = Example{Title: words[k][rng.IntN(len(words[k]))] + "问题", Text: b.String(), Label: fmt.Sprint("类", k)}
	}
	return out
}

// cpuMetric reports the process's CPU time per operation since start (cputime.Report) and returns it.
func cpuMetric(b *testing.B, start time.Duration) float64 {
	cputime.Report(b, start, b.N)
	return float64(cputime.Now()-start) / float64(b.N)
}

func benchClassify(b *testing.B, m *Model, texts []Example) {
	var start time.Duration
	i := 0
	for b.Loop() {
		if i == 0 {
			start = cputime.Now()
		}
		e := texts[i%len(texts)]
		m.Classify(e.Title, e.Text, 3)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "texts/s")
	b.ReportMetric(1e9/cpuMetric(b, start), "texts/cpu-s")
}

// BenchmarkClassify: one goroutine classifying synthetic texts of 60–120 characters with a title,
// top 3, with the ensemble model trained on 2,000 of them.
func BenchmarkClassify(b *testing.B) {
	m, err := Train(genTexts(2000, 1), TrainOptions{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	benchClassify(b, m, genTexts(1000, 2))
}

// BenchmarkClassifyTaidi: the public sample's real texts (title + detail, 20–2,000 characters),
// with the model trained on them and the taxonomy; "previous" is the model of 2026-12-06, and
// "nophrases" the model of 2026-12-07 afternoon (the same without the taxonomy phrases),
// measured in the same run.
func BenchmarkClassifyTaidi(b *testing.B) {
	ex, tax := taidi(b)
	for _, c := range []struct {
		name string
		bits int
		h    *hyper
	}{{"bits=16", 16, nil}, {"nophrases-bits=16", 16, &noPhrasesHyper}, {"bits=18", 18, nil}, {"previous/bits=16", 16, &previousHyper}} {
		b.Run(c.name, func(b *testing.B) {
			m, err := Train(ex, TrainOptions{Seed: 1, Taxonomy: tax, Bits: c.bits, hyper: c.h})
			if err != nil {
				b.Fatal(err)
			}
			benchClassify(b, m, ex)
		})
	}
}

// BenchmarkExplain: the explanation of the first label, asked only for the order on screen.
func BenchmarkExplain(b *testing.B) {
	m, _ := Train(genTexts(2000, 1), TrainOptions{Seed: 1})
	texts := genTexts(100, 2)
	var start time.Duration
	i := 0
	for b.Loop() {
		if i == 0 {
			start = cputime.Now()
		}
		e := texts[i%len(texts)]
		m.Explain(e.Title, e.Text, e.Label, 5)
		i++
	}
	cpuMetric(b, start)
}

func benchSimilar(b *testing.B, town []Order, window time.Duration) {
	x := NewSimilarIndex(SimilarOptions{Window: window})
	for _, o := range town {
		x.Add(o)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	qs := make([]Order, 256)
	for i := range qs {
		qs[i], _, _, _ = genOrder(rng, 1_000_000+i, now)
	}
	flagged := 0
	var start time.Duration
	i := 0
	for b.Loop() {
		if i == 0 {
			start = cputime.Now()
		}
		if len(x.Check(qs[i%len(qs)])) > 0 {
			flagged++
		}
		i++
	}
	b.ReportMetric(float64(flagged)/float64(b.N), "flagged/op")
	cpuMetric(b, start)
}

// BenchmarkSimilarCheck30k: a new order checked against a year of a town's orders (30,000,
// evenly spread), 30-day window.
func BenchmarkSimilarCheck30k(b *testing.B) {
	benchSimilar(b, genTown(30_000, now, 1), 30*24*time.Hour)
}

// BenchmarkSimilarCheck30kAllInWindow: the worst case, all 30,000 orders within the window.
func BenchmarkSimilarCheck30kAllInWindow(b *testing.B) {
	benchSimilar(b, genTown(30_000, now, 1), 400*24*time.Hour)
}
