package consult

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/civicgrid/civicgrid/internal/consult"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// The questionnaire of a draft: add, edit and reorder questions and their options.

// editQuestions applies fn to the questionnaire of a draft and saves it.
func (s *handlers) editQuestions(r *http.Request, c *kit.Caller, id int64, fn func(qs []consult.Question) ([]consult.Question, error)) error {
	svc := s.service()
	old, err := svc.Get(r.Context(), c.Towns, id)
	if err != nil {
		return err
	}
	if old.Stored != consult.StatusDraft {
		return problem.Conflict("consultation %d is %s: its questionnaire changes only as a draft", id, old.Status)
	}
	d := consult.DraftOf(old)
	if d.Questions, err = fn(d.Questions); err != nil {
		return err
	}
	_, err = svc.Update(r.Context(), c.Towns, id, d, c.User)
	return err
}

func (s *handlers) questionAdd(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	T := kit.Translator(kit.Language(w, r))
	return s.change(w, r, c, "cs.saved", func(id int64) error {
		return s.editQuestions(r, c, id, func(qs []consult.Question) ([]consult.Question, error) {
			q := consult.Question{Type: r.PostFormValue("type"), Title: r.PostFormValue("title"), Required: r.PostFormValue("required") != ""}
			switch q.Type {
			case consult.TypeSingle, consult.TypeMultiple, consult.TypeRanking, consult.TypeMatrix:
				q.Options = lines(r.PostFormValue("options"), nil)
				if len(q.Options) == 0 {
					q.Options = []consult.Option{{Text: T("cs.option") + " 1"}, {Text: T("cs.option") + " 2"}}
				}
			}
			if q.Type == consult.TypeMatrix {
				q.Rows = []consult.Option{{Text: T("cs.row") + " 1"}}
			}
			return append(qs, q), nil
		})
	})
}

// lines are the non-empty lines of a textarea as options, keeping the key of an option whose
// text is unchanged.
func lines(text string, old []consult.Option) []consult.Option {
	var out []consult.Option
	used := map[string]bool{}
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		o := consult.Option{Text: l}
		for _, x := range old {
			if x.Text == l && !used[x.Key] {
				o.Key = x.Key
				used[x.Key] = true
				break
			}
		}
		out = append(out, o)
	}
	// New options get keys not used by the old ones.
	n := len(old) + 1
	for i := range out {
		if out[i].Key != "" {
			continue
		}
		for {
			k := fmt.Sprintf("o%d", n)
			n++
			if !slices.ContainsFunc(out, func(o consult.Option) bool { return o.Key == k }) && !slices.ContainsFunc(old, func(o consult.Option) bool { return o.Key == k }) {
				out[i].Key = k
				break
			}
		}
	}
	return out
}

func (s *handlers) questionSubmit(w http.ResponseWriter, r *http.Request, c *kit.Caller) error {
	key := r.PathValue("key")
	return s.change(w, r, c, "cs.saved", func(id int64) error {
		return s.editQuestions(r, c, id, func(qs []consult.Question) ([]consult.Question, error) {
			i := slices.IndexFunc(qs, func(q consult.Question) bool { return q.Key == key })
			if i < 0 {
				return nil, problem.NotFound("question %.20q", key)
			}
			switch r.PostFormValue("op") {
			case "up":
				if i > 0 {
					qs[i-1], qs[i] = qs[i], qs[i-1]
				}
			case "down":
				if i < len(qs)-1 {
					qs[i+1], qs[i] = qs[i], qs[i+1]
				}
			case "remove":
				qs = slices.Delete(qs, i, i+1)
				// Conditions on the removed question go with it.
				for j := range qs {
					if qs[j].ShowIf != nil && qs[j].ShowIf.Question == key {
						qs[j].ShowIf = nil
					}
				}
			default:
				q, err := questionForm(r, qs[i])
				if err != nil {
					return nil, err
				}
				qs[i] = q
			}
			return qs, nil
		})
	})
}

// questionForm is question q as its edit form posted it.
func questionForm(r *http.Request, q consult.Question) (consult.Question, error) {
	q.Title, q.Help, q.Required = r.PostFormValue("title"), r.PostFormValue("help"), r.PostFormValue("required") != ""
	if t := r.PostFormValue("type"); t != "" {
		q.Type = t
	}
	q.Options = lines(r.PostFormValue("options"), q.Options)
	q.Rows = lines(r.PostFormValue("rows"), q.Rows)
	num := func(name string) (int, error) {
		v := strings.TrimSpace(r.PostFormValue(name))
		if v == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, problem.Field(name, "is not a number")
		}
		return n, nil
	}
	var err error
	if q.Min, err = num("min"); err != nil {
		return q, err
	}
	if q.Max, err = num("max"); err != nil {
		return q, err
	}
	if q.MaxLen, err = num("max_len"); err != nil {
		return q, err
	}
	if q.Scale, err = num("scale"); err != nil {
		return q, err
	}
	q.ShowIf = nil
	for _, v := range r.PostForm["show_if"] {
		src, opt, ok := strings.Cut(v, ":")
		if !ok {
			continue
		}
		if q.ShowIf == nil {
			q.ShowIf = &consult.Condition{Question: src}
		}
		if q.ShowIf.Question != src {
			return q, problem.Field("show_if", "a condition names options of one question")
		}
		q.ShowIf.AnyOf = append(q.ShowIf.AnyOf, opt)
	}
	return q, nil
}
