// Package dispatch is dispatch intelligence (智能派单): for a new demand it says where it belongs
// (a written address → grid through the town's address book; points go through internal/geo),
// what it is about (category, from its Chinese text), who handles it (the town's dispatch rules,
// with 属地兜底) and whether it repeats one already in ("have we seen this before?") — and why,
// each time. It knows no HTTP; the web layer and the command line call it.
//
// # Classifier
//
// A [Model] is an ensemble of linear models over hashed character 1–3-grams of an order's text
// (title and body in separate feature blocks), trained by [Train] from labelled examples — the
// town's closed orders, whose label is the dispatcher's final choice, or a labelled CSV file — plus,
// when a taxonomy is given, its level-2/3 names as extra examples and as whole-phrase features. [Model.Classify] gives the top
// labels with softmax probabilities; [Model.Explain] names the n-grams that weighed most for a
// label. Models are saved as versioned JSON files; a [ModelStore] keeps the previous ones for
// rollback.
//
// # Duplicates
//
// A [SimilarIndex] holds the open and recent orders of a town and finds, for a new order, those it
// probably repeats: similar text (IDF-weighted character uni- and bigrams), near in place, within a time
// window, the same reporter counting more — with the evidence (distance, shared phrases).
package dispatch

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// Scored is one label with its probability.
type Scored struct {
	Label string
	P     float64
}

// MarshalJSON writes a Scored as the pair [label, p] (p rounded to 4 decimals), the form of the
// command line's "top" lists.
func (s Scored) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, "[%q,%s]", s.Label, formatP(s.P)), nil
}

func formatP(p float64) string {
	return fmt.Sprintf("%.4g", math.Round(p*1e4)/1e4)
}

// Evidence is one n-gram of a text and how much it pushed the score of a label (positive: towards
// it, relative to the average label).
type Evidence struct {
	Gram   string  `json:"gram"`
	Weight float64 `json:"weight"`
}

// member is one linear model of the ensemble: logit_k = bias_k + base_k·Σx + Σ_j x_j·W[j·K+k].
type member struct {
	Kind   string    // "softmax" (logistic regression, or any linear scores put through a softmax), "cnb" (complement naive Bayes, weights normalised or not) or "nb" (multinomial, version-1 files)
	Weight float64   // share of the ensemble's probability
	Temp   float64   // logits are divided by Temp before the softmax
	Bias   []float32 // per label
	Base   []float32 // per label, times the sum of the features (naive Bayes' unseen-gram weight); nil = 0
	W      []float32 // dense: slot j, label k at j*K+k
}

// Model is a trained text classifier. Safe for concurrent use once built or loaded.
type Model struct {
	Labels     []string
	Bits       int // hash slots = 2^Bits
	MaxN       int // n-grams of 1..MaxN characters
	TitleBlock bool
	TitleScale float32   // the title block's features are multiplied by this (0 = 1)
	Sharpen    float64   // the ensemble's probabilities are raised to this power and renormalised; 0 = 1
	idf        []float32 // per slot, nil = no weighting
	members    []*member
	Info       ModelInfo
	phrases    *phraseSet // the taxonomy's names, each a feature when found whole in a text; nil = none

	// packed holds every member's weights of a slot together, so a feature costs one memory
	// read: slot j, member i, label k at j·M·K + i·K + k.
	packed []float32
}

// pack moves the members' weight tables into the packed one.
func (m *Model) pack() {
	K, M := len(m.Labels), len(m.members)
	D := 1 << m.Bits
	m.packed = make([]float32, D*M*K)
	for i, mb := range m.members {
		for j := range D {
			copy(m.packed[j*M*K+i*K:j*M*K+i*K+K], mb.W[j*K:j*K+K])
		}
		mb.W = nil
	}
}

// row is member i's weights of slot j.
func (m *Model) row(j uint32, i int) []float32 {
	K, M := len(m.Labels), len(m.members)
	o := int(j)*M*K + i*K
	return m.packed[o : o+K]
}

// Prediction is a model's answer for one text: the best label and the top labels, best first.
type Prediction struct {
	Label string   `json:"label"`
	Top   []Scored `json:"top"`
}

func (m *Model) mask() uint32 { return uint32(1)<<m.Bits - 1 }

// features returns the sparse vector of a text (title may be empty) in a pooled scratch;
// the caller puts it back.
func (m *Model) features(title, body string) *scratch {
	s := scratchPool.Get().(*scratch)
	s.out = s.out[:0]
	s.hits = s.hits[:0]
	if title != "" && m.TitleBlock {
		s.appendBlock(title, blockTitle, m.mask(), m.MaxN, m.idf)
		if sc := m.TitleScale; sc != 0 && sc != 1 {
			for i := range s.out {
				s.out[i].val *= sc
			}
		}
		if m.phrases != nil {
			s.hits = m.phrases.find(s.runes, s.hits)
		}
	} else if title != "" {
		body = title + "。" + body
	}
	s.appendBlock(body, blockBody, m.mask(), m.MaxN, m.idf)
	if m.phrases != nil {
		s.hits = m.phrases.find(s.runes, s.hits)
		for _, i := range s.hits {
			s.out = append(s.out, feature{m.phrases.slot(int(i), m.mask()), m.phrases.val})
		}
	}
	return s
}

// probs fills p (len K) with the ensemble's probabilities for the features f.
func (m *Model) probs(f []feature, p []float64) {
	K, M := len(m.Labels), len(m.members)
	MK := M * K
	clear(p)
	var sumX float64
	for _, x := range f {
		sumX += float64(x.val)
	}
	var buf [64]float32
	var logits []float32
	if MK > len(buf) {
		logits = make([]float32, MK)
	} else {
		logits = buf[:MK]
	}
	for i, mb := range m.members {
		for k := range K {
			logits[i*K+k] = mb.Bias[k]
			if mb.Base != nil {
				logits[i*K+k] += mb.Base[k] * float32(sumX)
			}
		}
	}
	for _, x := range f {
		o := int(x.idx) * MK
		row := m.packed[o : o+MK]
		for j, w := range row {
			logits[j] += x.val * w
		}
	}
	var lbuf [64]float64
	l := lbuf[:0]
	if K > len(lbuf) {
		l = make([]float64, K)
	} else {
		l = lbuf[:K]
	}
	for i, mb := range m.members {
		for k := range K {
			l[k] = float64(logits[i*K+k])
		}
		softmax(l, mb.Temp)
		for k := range K {
			p[k] += mb.Weight * l[k]
		}
	}
	if m.Sharpen > 0 && m.Sharpen != 1 {
		var sum float64
		for k := range K {
			p[k] = math.Pow(p[k], m.Sharpen)
			sum += p[k]
		}
		for k := range K {
			p[k] /= sum
		}
	}
}

// softmax turns logits (divided by temp) into probabilities, in place.
func softmax(l []float64, temp float64) {
	if temp <= 0 {
		temp = 1
	}
	mx := math.Inf(-1)
	for _, v := range l {
		mx = max(mx, v)
	}
	var sum float64
	for i, v := range l {
		l[i] = math.Exp((v - mx) / temp)
		sum += l[i]
	}
	for i := range l {
		l[i] /= sum
	}
}

// Classify returns the k most probable labels of a text (title may be empty), best first.
func (m *Model) Classify(title, body string, k int) Prediction {
	K := len(m.Labels)
	p := make([]float64, K)
	s := m.features(title, body)
	m.probs(s.out, p)
	scratchPool.Put(s)
	order := make([]int, K)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return p[order[a]] > p[order[b]] })
	k = min(max(k, 1), K)
	pr := Prediction{Label: m.Labels[order[0]], Top: make([]Scored, k)}
	for i := range k {
		pr.Top[i] = Scored{m.Labels[order[i]], p[order[i]]}
	}
	return pr
}

// Explain returns up to n phrases of the text that weighed most towards label, strongest first.
// An n-gram's weight is its feature value times its ensemble-weighted model weights for the label
// minus their mean over all labels (what makes this label win rather than what every label
// shares); the strong n-grams are merged where they overlap into phrases (路灯 + 灯坏 + 坏了 →
// 路灯坏了) weighing the sum of their n-grams. A phrase found twice counts once. Unknown labels
// give nil.
func (m *Model) Explain(title, body, label string, n int) []Evidence {
	k := slices.Index(m.Labels, label)
	if k < 0 || n <= 0 {
		return nil
	}
	K := len(m.Labels)
	val := map[uint32]float64{} // a block's feature values by slot
	// The blocks share the slot space, so the values are looked up per block.
	type blockText struct {
		block uint32
		text  string
	}
	var blocks []blockText
	if title != "" && m.TitleBlock {
		blocks = append(blocks, blockText{blockTitle, title})
	} else if title != "" {
		body = title + "。" + body
	}
	blocks = append(blocks, blockText{blockBody, body})
	best := map[string]float64{}
	for _, b := range blocks {
		sc := scratchPool.Get().(*scratch)
		sc.out = sc.out[:0]
		sc.appendBlock(b.text, b.block, m.mask(), m.MaxN, m.idf)
		clear(val)
		for _, x := range sc.out {
			val[x.idx] = float64(x.val)
		}
		scratchPool.Put(sc)
		gs, rs := grams(b.text, b.block, m.mask(), m.MaxN)
		contrib := make([]float64, len(gs))
		var top float64
		for i, g := range gs {
			for mi, mb := range m.members {
				row := m.row(g.idx, mi)
				var mean float64
				for kk, w := range row {
					mean += float64(w) + mb.base(kk)
				}
				mean /= float64(K)
				contrib[i] += mb.Weight / mb.temp() * val[g.idx] * (float64(row[k]) + mb.base(k) - mean)
			}
			top = max(top, contrib[i])
		}
		// Phrases: the n-grams that pushed at least explainShare of the strongest one, merged where
		// they overlap; a phrase weighs the sum of its n-grams.
		type span struct {
			start, end int
			w          float64
		}
		var spans []span
		for i, g := range gs { // gs is ordered by end, then by start descending
			if top <= 0 || contrib[i] < explainShare*top {
				continue
			}
			if n := len(spans); n > 0 && g.start < spans[n-1].end {
				spans[n-1].start = min(spans[n-1].start, g.start)
				spans[n-1].end = max(spans[n-1].end, g.end)
				spans[n-1].w += contrib[i]
				for n = len(spans); n > 1 && spans[n-2].end > spans[n-1].start; n-- {
					spans[n-2].start = min(spans[n-2].start, spans[n-1].start)
					spans[n-2].end = max(spans[n-2].end, spans[n-1].end)
					spans[n-2].w += spans[n-1].w
					spans = spans[:n-1]
				}
				continue
			}
			spans = append(spans, span{g.start, g.end, contrib[i]})
		}
		for _, sp := range spans {
			t := string(rs[sp.start:sp.end])
			best[t] = max(best[t], sp.w)
		}
	}
	// A taxonomy name found whole weighs as its own feature does (an n-gram's rule, alone).
	if m.phrases != nil {
		t := title
		if !m.TitleBlock {
			t = "" // already at the front of body
		}
		sc := m.features(t, body)
		for _, i := range sc.hits {
			j := m.phrases.slot(int(i), m.mask())
			var c float64
			for mi, mb := range m.members {
				row := m.row(j, mi)
				var mean float64
				for kk, w := range row {
					mean += float64(w) + mb.base(kk)
				}
				mean /= float64(K)
				c += mb.Weight / mb.temp() * float64(m.phrases.val) * (float64(row[k]) + mb.base(k) - mean)
			}
			if ph := m.phrases.list[i]; c > 0 {
				best[ph] = max(best[ph], c)
			}
		}
		scratchPool.Put(sc)
	}
	out := make([]Evidence, 0, len(best))
	for g, w := range best {
		out = append(out, Evidence{g, math.Round(w*1000) / 1000})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Weight != out[j].Weight {
			return out[i].Weight > out[j].Weight
		}
		return out[i].Gram < out[j].Gram
	})
	// A phrase inside a stronger one (幼儿园 after 上幼儿园, from the title) says nothing new.
	var kept []Evidence
	for _, e := range out {
		if !slices.ContainsFunc(kept, func(k Evidence) bool { return strings.Contains(k.Gram, e.Gram) }) {
			kept = append(kept, e)
		}
		if len(kept) == n {
			break
		}
	}
	return kept
}

// explainShare is the least share of the strongest n-gram's weight an n-gram needs to be part of
// an explanation.
const explainShare = 0.25

func (mb *member) base(k int) float64 {
	if mb.Base == nil {
		return 0
	}
	return float64(mb.Base[k])
}

func (mb *member) temp() float64 {
	if mb.Temp <= 0 {
		return 1
	}
	return mb.Temp
}
