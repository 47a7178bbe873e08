package orders

import (
	"math"
	"net/http"
	"slices"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/dispatch"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// suggestView is the dispatcher's "smart dispatch" box of an order not yet filed: the likely
// categories of its text with the phrases that decided them, each one click from the form.
type suggestView struct {
	Guesses      []guessView
	ByModel      bool
	ModelVersion int
}

type guessView struct {
	Code, Name string
	Percent    int // 0 when the guess is by keywords
	Evidence   []string
}

// duplicateView is an order this one probably repeats, with the evidence and, when the
// dispatcher may merge, the form to do it in one click.
type duplicateView struct {
	ID              int64
	Number, Content string
	State           string
	Percent         int
	Metres          int // -1 when either has no point
	Days            float64
	SamePhone       bool
	Shared          []string
	Received        string
}

// suggestions fills the order page's smart-dispatch boxes for those who dispatch: the categories
// while the order has none, the duplicates while it can still be merged. A failure of either is
// logged and leaves the box out: suggestions never stop the page.
func (s *handlers) suggestions(r *http.Request, c *kit.Caller, o orders.Order, v OrderView, p *orderPage, lang string) {
	if s.Dispatch == nil || !c.User.Can(auth.PermDispatchRead) || (o.State != "received" && o.State != "filed") {
		return
	}
	if o.Category == "" {
		cats := ofTown(p.lookups.Leaves, o.TownCode, func(c orders.Category) string { return c.TownCode })
		all, err := s.Orders.Categories(r.Context(), o.TownCode)
		if err == nil {
			guesses, by, version, err := s.Dispatch.Categories(o.TownCode, "", o.Content, all, 3)
			if err != nil {
				s.Log.Warn("category suggestions", "order", o.Number, "err", err)
			} else if len(guesses) > 0 {
				sv := &suggestView{ByModel: by == "model", ModelVersion: version}
				codes := make([]string, len(guesses))
				for i, g := range guesses {
					codes[i] = g.Code
				}
				if err := dispatch.RecordSuggestion(r.Context(), s.DB, o.ID, o.TownCode, version, codes, time.Now()); err != nil {
					s.Log.Warn("record suggestion", "order", o.Number, "err", err)
				}
				for _, g := range guesses {
					gv := guessView{Code: g.Code, Name: p.lookups.CatName[g.Code], Percent: int(math.Round(g.P * 100)), Evidence: g.Evidence}
					if gv.Name == "" {
						for _, c := range cats {
							if c.Code == g.Code {
								gv.Name = c.Name
							}
						}
					}
					sv.Guesses = append(sv.Guesses, gv)
				}
				p.Suggest = sv
			}
		}
	}
	if o.DuplicateOf != 0 {
		return
	}
	dups, err := s.Dispatch.Duplicates(r.Context(), s.Orders, o)
	if err != nil {
		s.Log.Warn("duplicate check", "order", o.Number, "err", err)
		return
	}
	for _, d := range dups {
		dv := duplicateView{ID: d.Order.ID, Number: d.Order.Number, Content: d.Order.Content, State: d.Order.State,
			Percent: int(math.Round(d.Score * 100)), Metres: -1, Days: math.Abs(math.Round(d.Days*10) / 10), SamePhone: d.SamePhone,
			Shared: d.Shared, Received: d.Order.ReceivedAt.In(shanghai).Format("2006-01-02 15:04")}
		if d.Distance != nil {
			dv.Metres = int(math.Round(*d.Distance))
		}
		p.Duplicates = append(p.Duplicates, dv)
	}
	p.CanMerge = slices.Contains(v.AllowedActions, workorder.ActMerge)
}
