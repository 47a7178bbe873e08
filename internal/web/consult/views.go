package consult

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/consult"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// qView is a question as the answer form shows it, with what a refused form had filled in.
type qView struct {
	consult.Question
	N         int
	Ratings   []int
	Positions []int
	ShowIfQ   string // the condition's question key ("" none)
	ShowIfAny string // its options, space-separated
	ShowIfTxt string // the condition in words: "Q1 = 不支持"
	Checked   map[string]bool
	Text      string
	Rank      map[string]string
	Sources   []condSource // the options of earlier choice questions a condition may name (editor)
}

// questionViews are qs for the answer form; form is the refused form's values (nil: empty).
func questionViews(qs []consult.Question, form *http.Request) []qView {
	out := make([]qView, len(qs))
	for i, q := range qs {
		v := qView{Question: q, N: i + 1, Checked: map[string]bool{}, Rank: map[string]string{}}
		for n := 1; n <= q.Scale; n++ {
			v.Ratings = append(v.Ratings, n)
		}
		if q.Type == consult.TypeRanking {
			for n := 1; n <= len(q.Options); n++ {
				v.Positions = append(v.Positions, n)
			}
		}
		if q.ShowIf != nil {
			v.ShowIfQ, v.ShowIfAny = q.ShowIf.Question, strings.Join(q.ShowIf.AnyOf, " ")
			for j, src := range qs[:i] {
				if src.Key == q.ShowIf.Question {
					var texts []string
					for _, o := range src.Options {
						if slices.Contains(q.ShowIf.AnyOf, o.Key) {
							texts = append(texts, o.Text)
						}
					}
					v.ShowIfTxt = fmt.Sprintf("%d → %s", j+1, strings.Join(texts, " / "))
				}
			}
		}
		if form != nil {
			name := "a." + q.Key
			for _, x := range form.PostForm[name] {
				v.Checked[x] = true
			}
			v.Text = form.PostFormValue(name)
			for _, o := range q.Options {
				v.Rank[o.Key] = form.PostFormValue(name + "." + o.Key)
			}
			for _, row := range q.Rows {
				if col := form.PostFormValue(name + "." + row.Key); col != "" {
					v.Checked[row.Key+"|"+col] = true
				}
			}
		}
		out[i] = v
	}
	return out
}

// day is t as a Shanghai date.
func day(t time.Time) string { return t.In(workcal.Location()).Format("2006-01-02") }

// csView is a consultation with its words for a page.
type csView struct {
	consult.Consultation
	StatusName string
	BodyKind   string
	Scope      string
	OpensDay   string
	ClosesDay  string
	DecidedDay string
}

func (s *handlers) views(r *http.Request, list []consult.Consultation, lang string) ([]csView, error) {
	towns := []string{}
	for _, c := range list {
		if !slices.Contains(towns, c.TownCode) {
			towns = append(towns, c.TownCode)
		}
	}
	grids, committees, err := s.areaNames(r, towns)
	if err != nil {
		return nil, err
	}
	out := make([]csView, len(list))
	for i, c := range list {
		out[i] = view(c, lang, grids, committees)
	}
	return out, nil
}

func view(c consult.Consultation, lang string, grids, committees map[string]string) csView {
	v := csView{Consultation: c, StatusName: consult.LabelOf(consult.Statuses, c.Status, lang),
		BodyKind: consult.LabelOf(consult.BodyKinds, c.Body.Kind, lang), Scope: scopeName(c, lang, grids, committees),
		OpensDay: day(c.Opens), ClosesDay: day(c.Closes)}
	if c.DecidedAt != nil {
		v.DecidedDay = day(*c.DecidedAt)
	}
	return v
}

func (s *handlers) oneView(r *http.Request, c consult.Consultation, lang string) (csView, error) {
	vs, err := s.views(r, []consult.Consultation{c}, lang)
	if err != nil {
		return csView{}, err
	}
	return vs[0], nil
}

// pin is a consultation on a map.
type pin struct {
	ID     int64   `json:"id"`
	Title  string  `json:"title"`
	Status string  `json:"status"`
	Label  string  `json:"label"`
	Lat    float64 `json:"lat"`
	Lng    float64 `json:"lng"`
	Href   string  `json:"href"`
}

func pins(vs []csView, href string) []pin {
	out := []pin{}
	for _, v := range vs {
		if v.Lat != nil && v.Lng != nil {
			out = append(out, pin{ID: v.ID, Title: v.Title, Status: v.Status, Label: v.StatusName, Lat: *v.Lat, Lng: *v.Lng, Href: fmt.Sprintf(href, v.ID)})
		}
	}
	return out
}
