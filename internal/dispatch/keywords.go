package dispatch

import (
	"sort"
	"strings"

	"golang.org/x/text/width"

	"github.com/civicgrid/civicgrid/internal/orders"
)

// Guess is a category suggested for a text, with the words that decided it.
type Guess struct {
	Category string   `json:"category"`
	Score    float64  `json:"score"`
	Words    []string `json:"words"`
}

// GuessByKeywords ranks a town's leaf categories by the keywords (and the category's own name)
// found in text: each found word counts its length in characters, since a longer word says
// more ("电瓶被盗" over "电瓶"). It returns at most k guesses with a positive score, best
// first, ties by code. It is the keyword-rules baseline the learnt classifier is measured
// against, and the fallback when a town has no model yet.
func GuessByKeywords(cats []orders.Category, text string, k int) []Guess {
	text = width.Fold.String(text)
	parents := map[string]bool{}
	for _, c := range cats {
		if c.Parent != "" {
			parents[c.Parent] = true
		}
	}
	var out []Guess
	for _, c := range cats {
		if parents[c.Code] || c.Parent == "" && len(cats) > 1 {
			continue // top classes are not filed under
		}
		g := Guess{Category: c.Code, Words: []string{}}
		for _, w := range append([]string{c.Name}, c.Keywords...) {
			w = width.Fold.String(strings.TrimSpace(w))
			if w == "" || !strings.Contains(text, w) || contains(g.Words, w) {
				continue
			}
			g.Score += float64(len([]rune(w)))
			g.Words = append(g.Words, w)
		}
		if g.Score > 0 {
			out = append(out, g)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Category < out[j].Category
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
