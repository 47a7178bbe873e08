package dispatch

import (
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Have we seen this before? A SimilarIndex holds a town's open and recent orders; Check finds the
// ones a new order probably repeats. Text similarity is the cosine of IDF-weighted character
// bigram sets (a bigram most orders share, 小区 or 反映, weighs little; 井盖 weighs much); place
// scales it down with distance (pairs farther apart than MaxDistance are never flagged), and so does
// a different category when both orders have one; the same reporter's phone adds to it. Candidates come from an inverted index of bigrams, so a check reads
// the orders sharing the new one's rarer bigrams, not all of them.

// Order is what duplicate detection reads of an order.
type Order struct {
	ID       string
	Text     string // title and description
	Time     time.Time
	Lat, Lng float64
	HasPoint bool
	Phone    string // the reporter's phone, any format; compared by its digits
	Category string // the order's category (chosen, or the classifier's first guess); "" = unknown
	Open     bool   // an open order is a candidate however old
}

// SimilarOptions tune a SimilarIndex; the zero value gives the defaults.
type SimilarOptions struct {
	Window      time.Duration // orders within this time of the new one are candidates; default 30 days
	MaxDistance float64       // metres; orders with points farther apart are never flagged; default 1,000
	Near        float64       // metres; nearer than this, place does not lower the score; default 150
	Threshold   float64       // least score flagged; default 0.4
	MaxMatches  int           // default 5
}

func (o SimilarOptions) withDefaults() SimilarOptions {
	if o.Window <= 0 {
		o.Window = 30 * 24 * time.Hour
	}
	if o.MaxDistance <= 0 {
		o.MaxDistance = 1000
	}
	if o.Near <= 0 {
		o.Near = 150
	}
	if o.Threshold <= 0 {
		o.Threshold = 0.4
	}
	if o.MaxMatches <= 0 {
		o.MaxMatches = 5
	}
	return o
}

// Scoring weights.
const (
	farPlaceFactor   = 0.6  // the place factor at MaxDistance (1 at Near, linear between)
	noPlaceFactor    = 0.85 // when either order has no point
	samePhoneBonus   = 0.15 // added (capped at 1) when the reporter's phone is the same
	otherCategory    = 0.6  // the score's factor when both orders have a category and they differ
	maxCandidates    = 64   // orders scored exactly per check, the best by shared bigrams
	minSharedShare   = 0.15 // a candidate shares at least this share of the new order's bigram weight
	maxSimilarRunes  = 1000 // the first 1,000 characters of a text are compared
	minSharedPhrase  = 2    // shortest shared phrase shown, in characters
	maxSharedPhrases = 3
)

// Match is an indexed order a new one probably repeats, with the evidence.
type Match struct {
	ID        string   `json:"id,omitempty"`
	Score     float64  `json:"score"`
	Text      float64  `json:"text_similarity"`      // 0–1
	Distance  *float64 `json:"distance_m,omitempty"` // metres, when both have points
	Days      float64  `json:"days"`                 // the new order's time minus this one's
	SamePhone bool     `json:"same_phone,omitempty"`
	Shared    []string `json:"shared,omitempty"` // the longest phrases both texts contain
}

type simDoc struct {
	Order
	runes []rune   // folded text, cuts as 0
	grams []uint32 // distinct bigrams, ascending
	phone string   // digits
	gone  bool
}

// SimilarIndex is an index of orders for duplicate checks. Safe for concurrent use.
type SimilarIndex struct {
	opt  SimilarOptions
	mu   sync.Mutex
	docs []*simDoc
	// Per doc, side by side for the candidate scan: its time (Unix seconds) and state.
	unix  []int64
	state []uint8
	post  map[uint32][]int32
	byID  map[string]int32
	live  int
	acc   []float64 // per doc: the shared bigram weight of the current check
}

// NewSimilarIndex returns an empty index.
func NewSimilarIndex(opt SimilarOptions) *SimilarIndex {
	return &SimilarIndex{opt: opt.withDefaults(), post: map[uint32][]int32{}, byID: map[string]int32{}}
}

// Len is the number of orders in the index.
func (x *SimilarIndex) Len() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.live
}

func newSimDoc(o Order) *simDoc {
	d := &simDoc{Order: o}
	for _, r := range o.Text {
		if len(d.runes) == maxSimilarRunes {
			break
		}
		d.runes = append(d.runes, foldRune(r))
	}
	for i, r := range d.runes {
		if r == 0 {
			continue
		}
		d.grams = append(d.grams, gramHash(0, r, 0, 0, 1))
		if i > 0 && d.runes[i-1] != 0 {
			d.grams = append(d.grams, gramHash(0, d.runes[i-1], r, 0, 2))
		}
	}
	slices.Sort(d.grams)
	d.grams = slices.Compact(d.grams)
	for _, r := range o.Phone {
		if r >= '0' && r <= '9' {
			d.phone += string(r)
		}
	}
	if len(d.phone) < 7 { // not a phone number
		d.phone = ""
	}
	return d
}

// Add indexes an order; an order with the ID of one already in replaces it.
func (x *SimilarIndex) Add(o Order) {
	d := newSimDoc(o)
	x.mu.Lock()
	defer x.mu.Unlock()
	if i, ok := x.byID[o.ID]; ok {
		x.drop(i)
	}
	i := int32(len(x.docs))
	x.docs = append(x.docs, d)
	x.unix = append(x.unix, o.Time.Unix())
	st := uint8(0)
	if o.Open {
		st = stateOpen
	}
	x.state = append(x.state, st)
	x.byID[o.ID] = i
	x.live++
	for _, g := range d.grams {
		x.post[g] = append(x.post[g], i)
	}
}

// Remove takes an order out of the index (merged, or closed and old).
func (x *SimilarIndex) Remove(id string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if i, ok := x.byID[id]; ok {
		x.drop(i)
		delete(x.byID, id)
	}
}

// drop takes doc i out of the postings, so document frequencies stay exact.
func (x *SimilarIndex) drop(i int32) {
	d := x.docs[i]
	for _, g := range d.grams {
		p := x.post[g]
		if k := slices.Index(p, i); k >= 0 {
			p = slices.Delete(p, k, k+1)
		}
		if len(p) == 0 {
			delete(x.post, g)
		} else {
			x.post[g] = p
		}
	}
	d.gone = true
	x.state[i] = stateGone
	d.runes, d.grams = nil, nil
	x.live--
}

// idf is a bigram's weight given its document frequency.
func (x *SimilarIndex) idf(df int) float64 {
	return math.Log(1 + float64(x.live+1)/float64(df+1))
}

// Doc states.
const (
	stateOpen = 1
	stateGone = 2
)

// Check returns the indexed orders the given one probably repeats, best first (at most
// MaxMatches, each scoring at least Threshold). The order itself is not added.
func (x *SimilarIndex) Check(o Order) []Match {
	q := newSimDoc(o)
	if len(q.grams) == 0 {
		return nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.acc) < len(x.docs) {
		x.acc = make([]float64, len(x.docs)+len(x.docs)/4+16)
	}
	// Bigrams in more than a tenth of the orders find no candidates on their own: they are
	// scored below, but reading their long postings would cost more than they tell.
	maxDF := max(64, x.live/10)
	lo, hi := q.Time.Add(-x.opt.Window).Unix(), q.Time.Add(x.opt.Window).Unix()
	self, hasSelf := x.byID[q.ID]
	if !hasSelf {
		self = -1
	}
	var touched []int32
	var qnorm float64
	var common []uint32
	for _, g := range q.grams {
		p := x.post[g]
		w := x.idf(len(p))
		qnorm += w * w
		if len(p) > maxDF {
			common = append(common, g)
			continue
		}
		for _, i := range p {
			// In the window, or open; not gone, not the order itself.
			if st := x.state[i]; st == stateGone || st != stateOpen && (x.unix[i] < lo || x.unix[i] > hi) || i == self {
				continue
			}
			if x.acc[i] == 0 {
				touched = append(touched, i)
			}
			x.acc[i] += w * w
		}
	}
	defer func() {
		for _, i := range touched {
			x.acc[i] = 0
		}
	}()
	sort.Slice(touched, func(a, b int) bool {
		if x.acc[touched[a]] != x.acc[touched[b]] {
			return x.acc[touched[a]] > x.acc[touched[b]]
		}
		return touched[a] < touched[b]
	})
	var out []Match
	for _, i := range touched[:min(maxCandidates, len(touched))] {
		if x.acc[i] < minSharedShare*qnorm {
			break
		}
		d := x.docs[i]
		m, ok := x.score(q, d, qnorm, x.acc[i], common)
		if ok {
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Score > out[b].Score })
	out = out[:min(len(out), x.opt.MaxMatches)]
	for k := range out {
		out[k].Shared = sharedPhrases(q.runes, x.docs[x.byID[out[k].ID]].runes)
	}
	return out
}

// score scores the pair (q, d) whose rarer shared bigrams weigh dot.
func (x *SimilarIndex) score(q, d *simDoc, qnorm, dot float64, common []uint32) (Match, bool) {
	var dnorm float64
	for _, g := range d.grams {
		w := x.idf(len(x.post[g]))
		dnorm += w * w
	}
	for _, g := range common {
		if _, found := slices.BinarySearch(d.grams, g); found {
			w := x.idf(len(x.post[g]))
			dot += w * w
		}
	}
	m := Match{ID: d.ID, Text: dot / math.Sqrt(qnorm*dnorm), Days: math.Round(q.Time.Sub(d.Time).Hours()/24*100) / 100}
	place := noPlaceFactor
	if q.HasPoint && d.HasPoint {
		dist := Distance(q.Lat, q.Lng, d.Lat, d.Lng)
		if dist > x.opt.MaxDistance {
			return m, false
		}
		rounded := math.Round(dist*10) / 10
		m.Distance = &rounded
		place = 1
		if dist > x.opt.Near {
			place = 1 - (1-farPlaceFactor)*(dist-x.opt.Near)/(x.opt.MaxDistance-x.opt.Near)
		}
	}
	m.Score = m.Text * place
	if q.Category != "" && d.Category != "" && q.Category != d.Category {
		m.Score *= otherCategory
	}
	if q.phone != "" && q.phone == d.phone {
		m.SamePhone = true
		m.Score = min(1, m.Score+samePhoneBonus)
	}
	m.Score = math.Round(m.Score*1000) / 1000
	m.Text = math.Round(m.Text*1000) / 1000
	return m, m.Score >= x.opt.Threshold
}

// Distance is the great-circle distance in metres between two WGS-84 points (haversine).
func Distance(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6371008.8
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lng2-lng1)*math.Pi/180
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Sqrt(min(1, a)))
}

// sharedPhrases returns the longest substrings of a (at least minSharedPhrase characters, not
// spanning punctuation) that b contains, longest first, without repeats or phrases inside others.
func sharedPhrases(a, b []rune) []string {
	bs := string(b)
	var found []string
	for i := 0; i < len(a); {
		if a[i] == 0 {
			i++
			continue
		}
		j := i
		for j < len(a) && a[j] != 0 && strings.Contains(bs, string(a[i:j+1])) {
			j++
		}
		if j-i >= minSharedPhrase {
			found = append(found, string(a[i:j]))
			i = j
		} else {
			i++
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return runeLen(found[i]) > runeLen(found[j]) })
	var out []string
	for _, f := range found {
		if !slices.ContainsFunc(out, func(o string) bool { return strings.Contains(o, f) }) {
			out = append(out, f)
		}
		if len(out) == maxSharedPhrases {
			break
		}
	}
	return out
}
