package dispatch

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Advisor gives the order page its suggestions: the likely categories of an order's text from the
// town's current model (the keyword guess when the town has none yet), and the open or recent
// orders it probably repeats. Models live in Dir/<town> as a ModelStore. Safe for concurrent use.
type Advisor struct {
	DB  *store.DB
	Dir string // the model stores' parent directory (the data directory's models/)

	mu     sync.Mutex
	models map[string]loadedModel
}

type loadedModel struct {
	m       *Model
	version int
	checked time.Time
}

// modelRecheck is how often a town's store is looked at again for a newer model (a `civicgrid
// train --town` run by another process).
const modelRecheck = time.Minute

// Store is the town's model store.
func (a *Advisor) Store(town string) *ModelStore {
	return &ModelStore{Dir: filepath.Join(a.Dir, town)}
}

// Model is the town's current model and its version; nil and 0 when it has none.
func (a *Advisor) Model(town string) (*Model, int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.models == nil {
		a.models = map[string]loadedModel{}
	}
	lm, ok := a.models[town]
	if ok && time.Since(lm.checked) < modelRecheck {
		return lm.m, lm.version, nil
	}
	st := a.Store(town)
	v, err := st.Current()
	if err != nil {
		return nil, 0, err
	}
	if v != 0 && v != lm.version {
		m, err := st.Load()
		if err != nil {
			return nil, 0, fmt.Errorf("model of town %s: %w", town, err)
		}
		lm.m, lm.version = m, v
	}
	lm.checked = time.Now()
	a.models[town] = lm
	return lm.m, lm.version, nil
}

// CategoryGuess is a likely category of a text, with its probability (0 when from keywords) and
// the phrases that decided it.
type CategoryGuess struct {
	Code     string   `json:"category"`
	P        float64  `json:"p"`
	Evidence []string `json:"evidence"`
}

// Categories guesses the category of an order's text: the model's top k with the phrases that
// weighed most, or the keyword guess. by is "model" or "keywords"; version is the model's.
func (a *Advisor) Categories(town, title, text string, cats []orders.Category, k int) (guesses []CategoryGuess, by string, version int, err error) {
	m, version, err := a.Model(town)
	if err != nil {
		return nil, "", 0, err
	}
	known := map[string]bool{}
	for _, c := range cats {
		known[c.Code] = true
	}
	if m == nil {
		for _, g := range GuessByKeywords(cats, title+"。"+text, k) {
			guesses = append(guesses, CategoryGuess{Code: g.Category, Evidence: g.Words})
		}
		return guesses, "keywords", 0, nil
	}
	for _, s := range m.Classify(title, text, k+2).Top {
		if !known[s.Label] || len(guesses) == k {
			continue // a category retired since the model was trained
		}
		g := CategoryGuess{Code: s.Label, P: s.P}
		for _, e := range m.Explain(title, text, s.Label, 3) {
			if e.Weight > 0 {
				g.Evidence = append(g.Evidence, e.Gram)
			}
		}
		guesses = append(guesses, g)
	}
	return guesses, "model", version, nil
}

// Train trains a new model for the town from its closed orders — the text, and the category
// the order was finally filed under as the label — plus each leaf's name and keywords as short
// examples (so a category with no closed order yet can still be suggested), and makes it the
// town's current one (the previous versions stay for rollback). It returns the new version and
// the number of orders learnt from.
func (a *Advisor) Train(ctx context.Context, town string, cats []orders.Category, seed uint64) (int, int, error) {
	rows, err := a.DB.Query(ctx, `SELECT content, category_code FROM orders WHERE town_code = ? AND category_code <> ''
		AND state IN ('closed', 'rated') ORDER BY id`, town)
	if err != nil {
		return 0, 0, fmt.Errorf("closed orders of town %s: %w", town, err)
	}
	defer rows.Close()
	leaf := map[string]bool{}
	parent := map[string]bool{}
	for _, c := range cats {
		if c.Parent != "" {
			parent[c.Parent] = true
		}
	}
	for _, c := range cats {
		if !parent[c.Code] {
			leaf[c.Code] = true
		}
	}
	var ex []Example
	for rows.Next() {
		var e Example
		if err := rows.Scan(&e.Text, &e.Label); err != nil {
			return 0, 0, err
		}
		if leaf[e.Label] {
			ex = append(ex, e)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	learnt := len(ex)
	codes := make([]string, 0, len(leaf))
	for code := range leaf {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	byCode := map[string]orders.Category{}
	for _, c := range cats {
		byCode[c.Code] = c
	}
	for _, code := range codes {
		c := byCode[code]
		ex = append(ex, Example{Text: c.Name, Label: code})
		for _, kw := range c.Keywords {
			ex = append(ex, Example{Text: kw, Label: code})
		}
	}
	if learnt == 0 && len(ex) == 0 {
		return 0, 0, fmt.Errorf("town %s has no closed orders and no categories to learn from", town)
	}
	m, err := Train(ex, TrainOptions{Seed: seed, Note: "town " + town + ": " + strconv.Itoa(learnt) + " closed orders and the category names"})
	if err != nil {
		return 0, 0, err
	}
	v, err := a.Store(town).Save(m)
	if err != nil {
		return 0, 0, err
	}
	a.mu.Lock()
	delete(a.models, town)
	a.mu.Unlock()
	return v, learnt, nil
}

// DuplicateCandidate is an order that a new one probably repeats, with the evidence.
type DuplicateCandidate struct {
	Order orders.Order `json:"-"`
	Match
}

// duplicateScan bounds the orders one check reads: the town's newest in the window and the open
// ones, at most this many.
const duplicateScan = 20000

// Duplicates lists the open or recent orders of o's town (received up to 30 days before it, or
// still open) that o probably repeats, best first: similar text, near in place, the same
// reporter's phone counting more — never o itself, an order merged or refused, or an order o
// is already merged into.
func (a *Advisor) Duplicates(ctx context.Context, s *orders.Store, o orders.Order) ([]DuplicateCandidate, error) {
	opt := SimilarOptions{}.withDefaults()
	since := o.ReceivedAt.Add(-opt.Window)
	rows, err := a.DB.Query(ctx, `SELECT id, content, received_at, lat, lng, caller_phone, category_code, state FROM orders
		WHERE town_code = ? AND id <> ? AND state NOT IN ('merged', 'rejected') AND received_at <= ?
		AND (received_at >= ? OR state IN ('received', 'filed', 'dispatched', 'in_progress', 'handled'))
		ORDER BY received_at DESC LIMIT ?`, o.TownCode, o.ID, o.ReceivedAt.Add(time.Hour).UnixMilli(), since.UnixMilli(), duplicateScan)
	if err != nil {
		return nil, fmt.Errorf("orders near %s: %w", o.Number, err)
	}
	defer rows.Close()
	ix := NewSimilarIndex(opt)
	for rows.Next() {
		var id, at int64
		var text, phone, cat, state string
		var lat, lng *float64
		if err := rows.Scan(&id, &text, &at, &lat, &lng, &phone, &cat, &state); err != nil {
			return nil, err
		}
		d := Order{ID: strconv.FormatInt(id, 10), Text: text, Time: time.UnixMilli(at), Phone: phone, Category: cat,
			Open: workorder.IsOpen(workorder.State(state))}
		if lat != nil && lng != nil {
			d.Lat, d.Lng, d.HasPoint = *lat, *lng, true
		}
		ix.Add(d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	q := Order{ID: strconv.FormatInt(o.ID, 10), Text: o.Content, Time: o.ReceivedAt, Phone: o.CallerPhone, Category: o.Category, Open: true}
	if o.Lat != nil && o.Lng != nil {
		q.Lat, q.Lng, q.HasPoint = *o.Lat, *o.Lng, true
	}
	var out []DuplicateCandidate
	for _, m := range ix.Check(q) {
		id, _ := strconv.ParseInt(m.ID, 10, 64)
		if id == 0 || id == o.DuplicateOf {
			continue
		}
		other, err := s.Get(ctx, []string{o.TownCode}, id, false)
		if err != nil {
			continue // gone meanwhile
		}
		out = append(out, DuplicateCandidate{Order: other, Match: m})
	}
	return out, nil
}
