package dispatch

import (
	"fmt"
	"time"

	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// The "try it" box of the rules page: a text, category, grid and time run through the town's
// rules as the intake would, with the reasons shown.

type tryForm struct {
	Text, Category, Grid, Time string
}

// tryResult is the answer of the "try it" box.
type tryResult struct {
	Guesses  []guessRow
	Category string
	Lead     string
	Co       []string
	Deadline string
	Why      string
	Matched  []string
}

type guessRow struct {
	Name  string
	Words []string
}

// maxTryText bounds the text the "try it" box reads.
const maxTryText = 2000

func (s *handlers) try(f tryForm, n names, cats []orders.Category, rules []dispatch.Rule, lang string) *tryResult {
	T := kit.Translator(lang)
	res := &tryResult{Category: f.Category}
	for _, g := range dispatch.GuessByKeywords(cats, f.Text, 3) {
		res.Guesses = append(res.Guesses, guessRow{Name: n.category(g.Category, lang), Words: g.Words})
		if res.Category == "" {
			res.Category = g.Category
		}
	}
	at := time.Now()
	if m, err := dispatch.ParseClock("time", f.Time); err == nil && f.Time != "" {
		y, mo, dd := at.In(dispatch.Shanghai).Date()
		at = time.Date(y, mo, dd, m/60, m%60, 0, 0, dispatch.Shanghai)
	}
	sg := dispatch.NewEngine(rules, cats).Suggest(res.Category, f.Grid, at)
	res.Lead = n.department(sg.Lead, lang)
	for _, co := range sg.Co {
		res.Co = append(res.Co, n.department(co, lang))
	}
	for _, o := range workorder.DeadlineClasses {
		if o.Code == sg.DeadlineClass {
			res.Deadline = o.LabelZH
			if lang == "en" {
				res.Deadline = o.LabelEN
			}
		}
	}
	res.Why = why(sg, T)
	for _, m := range sg.Matched {
		res.Matched = append(res.Matched, T("dispatch.m."+m))
	}
	if res.Category != "" {
		res.Category = n.category(res.Category, lang)
	}
	return res
}

// why says in words how a suggestion was reached.
func why(sg dispatch.Suggestion, T func(string) string) string {
	switch sg.By {
	case dispatch.ByRule:
		return fmt.Sprintf(T("dispatch.by.rule"), sg.Rule.ID)
	case dispatch.ByFallback:
		return fmt.Sprintf(T("dispatch.by.fallback"), sg.Rule.ID)
	case dispatch.ByCategory:
		return T("dispatch.by.category")
	}
	return T("dispatch.by.none")
}
