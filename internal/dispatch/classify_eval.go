package dispatch

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
)

// Ranker ranks labels for a text, best first.
type Ranker func(e Example) []string

// Scores are the held-out figures of one system.
type Scores struct {
	Top1    float64 `json:"top1"`
	Top3    float64 `json:"top3"`
	MacroF1 float64 `json:"macro_f1"`
}

// EvalOptions tune [Evaluate].
type EvalOptions struct {
	Folds    int      // stratified folds; default 5
	Seeds    []uint64 // one cross-validation per seed (fold assignment and SGD order); default {1}
	Taxonomy []TaxonomyRow
	Epochs   int
	Bits     int
	// Departments maps each label to the department that handles it; when set, every system is
	// scored on departments too: its ranked labels become ranked departments (first appearance).
	Departments map[string]string

	hyper *hyper // tests: the ensemble's settings
}

// System names, in the order Evaluate reports them.
var EvalSystems = []string{
	"most frequent label",
	"keyword rules",
	"linear (one block)",
	"linear + title block + taxonomy",
	"previous ensemble (2026-12-06)",
	"ensemble of 12-07 (norm. CNB)",
	"ensemble (+ taxonomy phrases)",
}

// EvalRun is the result of one seed: Scores per system, in EvalSystems' order.
type EvalRun struct {
	Seed   uint64
	Scores []Scores
	// Departments are the scores of the departments the ranked labels map to (EvalOptions.Departments).
	Departments []Scores
	Tested      int
	// The ensemble's calibration: the mean probability of its first label (to compare with its
	// top-1), and the expected calibration error over 10 bins of that probability.
	Confidence, ECE float64
}

// calibration compares the probabilities of the first labels with how often they were right.
func calibration(examples []Example, ranked [][]string, conf []float64) (mean, ece float64) {
	var n [10]float64
	var sumP, sumOK [10]float64
	total := 0.0
	for i, e := range examples {
		if ranked[i] == nil {
			continue
		}
		b := min(int(conf[i]*10), 9)
		n[b]++
		sumP[b] += conf[i]
		if ranked[i][0] == e.Label {
			sumOK[b]++
		}
		mean += conf[i]
		total++
	}
	if total == 0 {
		return 0, 0
	}
	for b := range n {
		if n[b] > 0 {
			ece += n[b] / total * math.Abs(sumP[b]/n[b]-sumOK[b]/n[b])
		}
	}
	return mean / total, ece
}

// Evaluate cross-validates the classifier against two baselines on the same folds: each example
// is predicted once, by systems trained on the other folds, and the held-out predictions of a
// seed are pooled into its scores. The taxonomy is used only where a system says so.
func Evaluate(examples []Example, opt EvalOptions) ([]EvalRun, error) {
	if opt.Folds == 0 {
		opt.Folds = 5
	}
	if opt.Folds < 2 || opt.Folds > 50 {
		return nil, fmt.Errorf("folds %d: between 2 and 50", opt.Folds)
	}
	if len(opt.Seeds) == 0 {
		opt.Seeds = []uint64{1}
	}
	if len(examples) < 2*opt.Folds {
		return nil, fmt.Errorf("%d examples are too few for %d folds", len(examples), opt.Folds)
	}
	var deptExamples []Example
	if opt.Departments != nil {
		for _, e := range examples {
			d, ok := opt.Departments[e.Label]
			if !ok {
				return nil, fmt.Errorf("label %q has no department", e.Label)
			}
			deptExamples = append(deptExamples, Example{Label: d})
		}
	}
	var runs []EvalRun
	for _, seed := range opt.Seeds {
		fold := stratifiedFolds(examples, opt.Folds, seed)
		ranked := make([][][]string, len(EvalSystems)) // system → example → ranking
		conf := make([]float64, len(examples))         // the ensemble's probability of its first label
		for s := range ranked {
			ranked[s] = make([][]string, len(examples))
		}
		for f := range opt.Folds {
			var train []Example
			var test []int
			for i, e := range examples {
				if fold[i] == f {
					test = append(test, i)
				} else {
					train = append(train, e)
				}
			}
			base := TrainOptions{Seed: seed, Epochs: opt.Epochs, Bits: opt.Bits, hyper: opt.hyper}
			plain, tax, prev, noPhr, ens := base, base, base, base, base
			plain.Single, plain.NoTitle = true, true
			tax.Single, tax.Taxonomy = true, opt.Taxonomy
			prev.Taxonomy, prev.hyper = opt.Taxonomy, &previousHyper
			noPhr.Taxonomy, noPhr.hyper = opt.Taxonomy, &noPhrasesHyper
			ens.Taxonomy = opt.Taxonomy
			rankers := []Ranker{MostFrequent(train).Rank, NewKeywordRules(train, opt.Taxonomy).Rank}
			for s, o := range []TrainOptions{plain, tax, prev, noPhr, ens} {
				m, err := Train(train, o)
				if err != nil {
					return nil, fmt.Errorf("seed %d fold %d: %w", seed, f, err)
				}
				rankers = append(rankers, m.Rank)
				if s == 4 { // the ensemble: its confidence
					for _, i := range test {
						conf[i] = m.Classify(examples[i].Title, examples[i].Text, 1).Top[0].P
					}
				}
			}
			for s, r := range rankers {
				for _, i := range test {
					ranked[s][i] = r(examples[i])
				}
			}
		}
		run := EvalRun{Seed: seed, Tested: len(examples)}
		for s := range EvalSystems {
			run.Scores = append(run.Scores, score(examples, ranked[s]))
			if opt.Departments != nil {
				run.Departments = append(run.Departments, score(deptExamples, departmentRanks(ranked[s], opt.Departments)))
			}
		}
		run.Confidence, run.ECE = calibration(examples, ranked[len(EvalSystems)-1], conf)
		runs = append(runs, run)
	}
	return runs, nil
}

// departmentRanks turns each ranking of labels into a ranking of their departments, in order of
// first appearance (two labels of one department count once, at the better place).
func departmentRanks(ranked [][]string, dept map[string]string) [][]string {
	out := make([][]string, len(ranked))
	for i, r := range ranked {
		if r == nil {
			continue
		}
		out[i] = []string{}
		for _, l := range r {
			if d, ok := dept[l]; ok && !slices.Contains(out[i], d) {
				out[i] = append(out[i], d)
			}
		}
	}
	return out
}

// ReadDepartments reads a CSV with a header naming the columns label and department: which
// department handles each label.
func ReadDepartments(r io.Reader) (map[string]string, error) {
	cr, header, err := readHeader(r)
	if err != nil {
		return nil, err
	}
	li, di := slices.Index(header, "label"), slices.Index(header, "department")
	if li < 0 || di < 0 {
		return nil, fmt.Errorf("the columns label and department are needed; header: %s", strings.Join(header, ", "))
	}
	out := map[string]string{}
	err = eachRow(cr, func(line int, cell func(int) string) error {
		l, d := cell(li), cell(di)
		if l == "" || d == "" {
			return fmt.Errorf("row %d: empty label or department", line)
		}
		if _, dup := out[l]; dup {
			return fmt.Errorf("row %d: label %q given twice", line, l)
		}
		if len(out) == MaxLabels {
			return fmt.Errorf("more than %d labels", MaxLabels)
		}
		out[l] = d
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Rank ranks all the model's labels for an example.
func (m *Model) Rank(e Example) []string {
	p := m.Classify(e.Title, e.Text, len(m.Labels))
	out := make([]string, len(p.Top))
	for i, s := range p.Top {
		out[i] = s.Label
	}
	return out
}

// stratifiedFolds assigns each example a fold so that every label is spread evenly over the folds.
func stratifiedFolds(examples []Example, k int, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, 0xf01d))
	byLabel := map[string][]int{}
	var labels []string
	for i, e := range examples {
		if _, ok := byLabel[e.Label]; !ok {
			labels = append(labels, e.Label)
		}
		byLabel[e.Label] = append(byLabel[e.Label], i)
	}
	sort.Strings(labels)
	fold := make([]int, len(examples))
	next := 0
	for _, l := range labels {
		idx := byLabel[l]
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		for _, i := range idx {
			fold[i] = next % k
			next++
		}
	}
	return fold
}

// score computes top-1, top-3 and macro-F1 (of the top-1 label, over the true labels).
func score(examples []Example, ranked [][]string) Scores {
	var s Scores
	tp, fp, fn := map[string]float64{}, map[string]float64{}, map[string]float64{}
	labels := map[string]bool{}
	n := 0
	for i, e := range examples {
		r := ranked[i]
		if r == nil {
			continue
		}
		n++
		labels[e.Label] = true
		if len(r) > 0 && r[0] == e.Label {
			s.Top1++
			tp[e.Label]++
		} else {
			fn[e.Label]++
			if len(r) > 0 {
				fp[r[0]]++
			}
		}
		if slices.Contains(r[:min(3, len(r))], e.Label) {
			s.Top3++
		}
	}
	if n == 0 {
		return s
	}
	s.Top1 /= float64(n)
	s.Top3 /= float64(n)
	for l := range labels {
		if p, r := tp[l]+fp[l], tp[l]+fn[l]; p > 0 && r > 0 && tp[l] > 0 {
			prec, rec := tp[l]/p, tp[l]/r
			s.MacroF1 += 2 * prec * rec / (prec + rec)
		}
	}
	s.MacroF1 /= float64(len(labels))
	return s
}

// MeanSD summarises one figure over runs.
func MeanSD(runs []EvalRun, system int, pick func(Scores) float64) (mean, sd float64) {
	if len(runs) == 0 {
		return 0, 0
	}
	for _, r := range runs {
		mean += pick(r.Scores[system])
	}
	mean /= float64(len(runs))
	for _, r := range runs {
		d := pick(r.Scores[system]) - mean
		sd += d * d
	}
	if len(runs) > 1 {
		sd = math.Sqrt(sd / float64(len(runs)-1))
	}
	return mean, sd
}

// Frequency is the most-frequent-label baseline: labels ranked by how often they occur.
type Frequency []string

// MostFrequent counts the labels of the examples.
func MostFrequent(examples []Example) Frequency {
	count := map[string]int{}
	for _, e := range examples {
		count[e.Label]++
	}
	var out Frequency
	for l := range count {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool {
		if count[out[i]] != count[out[j]] {
			return count[out[i]] > count[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}

// Rank ignores the text.
func (f Frequency) Rank(Example) []string { return f }

// KeywordRules is the keyword baseline — what a town writes into its category tree's keywords:
// a label wins by the total length of its keywords found in the text; ties and texts with no
// keyword go to the more frequent label.
type KeywordRules struct {
	Keywords map[string][]string
	freq     Frequency
}

// NewKeywordRules derives keywords from labelled examples and a taxonomy: each label's
// level-2/3 names, and the 2–4-character strings most specific to it in the examples (found in
// at least 3 of its texts, and in that label's texts at least 60 % of the time), 25 per label.
func NewKeywordRules(examples []Example, taxonomy []TaxonomyRow) *KeywordRules {
	kr := &KeywordRules{Keywords: map[string][]string{}, freq: MostFrequent(examples)}
	known := map[string]bool{}
	for _, l := range kr.freq {
		known[l] = true
	}
	add := func(label, k string) {
		if runeLen(k) >= 2 && k != "其他" && !slices.Contains(kr.Keywords[label], k) {
			kr.Keywords[label] = append(kr.Keywords[label], k)
		}
	}
	for _, t := range taxonomy {
		if known[t.Level1] {
			add(t.Level1, t.Level2)
			add(t.Level1, t.Level3)
		}
	}
	df := map[string]map[string]int{} // gram → label → texts
	for _, e := range examples {
		seen := map[string]bool{}
		rs := []rune(foldText(e.Title + "。" + e.Text))
		for i := range rs {
			for n := 2; n <= 4 && i+n <= len(rs); n++ {
				g := rs[i : i+n]
				if !slices.ContainsFunc(g, func(r rune) bool { return !wordRune(r) }) {
					seen[string(g)] = true
				}
			}
		}
		for g := range seen {
			if df[g] == nil {
				df[g] = map[string]int{}
			}
			df[g][e.Label]++
		}
	}
	type cand struct {
		g    string
		n    int
		prec float64
	}
	byLabel := map[string][]cand{}
	for g, m := range df {
		total := 0
		for _, c := range m {
			total += c
		}
		for l, c := range m {
			if p := float64(c) / float64(total); c >= 3 && p >= 0.6 {
				byLabel[l] = append(byLabel[l], cand{g, c, p})
			}
		}
	}
	for l, cs := range byLabel {
		sort.Slice(cs, func(i, j int) bool {
			a, b := cs[i].prec*float64(cs[i].n), cs[j].prec*float64(cs[j].n)
			if a != b {
				return a > b
			}
			return cs[i].g < cs[j].g
		})
		for _, c := range cs[:min(25, len(cs))] {
			add(l, c.g)
		}
	}
	return kr
}

// Rank orders the labels by keyword score, then frequency.
func (kr *KeywordRules) Rank(e Example) []string {
	text := foldText(e.Title + "。" + e.Text)
	score := map[string]int{}
	for l, ks := range kr.Keywords {
		for _, k := range ks {
			if strings.Contains(text, k) {
				score[l] += runeLen(k)
			}
		}
	}
	out := slices.Clone([]string(kr.freq))
	sort.SliceStable(out, func(i, j int) bool { return score[out[i]] > score[out[j]] })
	return out
}
