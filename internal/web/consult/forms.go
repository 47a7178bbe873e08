package consult

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/civicgrid/civicgrid/internal/consult"
	"github.com/civicgrid/civicgrid/internal/label"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// formAnswers reads a questionnaire's answers from a posted form: a.<key> for single, multiple
// (repeated), text and rating; a.<key>.<option> = position for a ranking; a.<key>.<row> =
// column for a matrix — the same names the page's script reads.
func formAnswers(r *http.Request, qs []consult.Question) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	put := func(k string, v any) {
		b, _ := json.Marshal(v)
		out[k] = b
	}
	for _, q := range qs {
		name := "a." + q.Key
		switch q.Type {
		case consult.TypeSingle, consult.TypeText:
			if v := strings.TrimSpace(r.PostFormValue(name)); v != "" {
				put(q.Key, v)
			}
		case consult.TypeMultiple:
			if vs := r.PostForm[name]; len(vs) > 0 {
				put(q.Key, vs)
			}
		case consult.TypeRating:
			if v := r.PostFormValue(name); v != "" {
				n, err := strconv.Atoi(v)
				if err != nil {
					n = -1
				}
				put(q.Key, n)
			}
		case consult.TypeRanking:
			type pos struct {
				key string
				at  int
			}
			var ps []pos
			for _, o := range q.Options {
				if n, err := strconv.Atoi(r.PostFormValue(name + "." + o.Key)); err == nil {
					ps = append(ps, pos{o.Key, n})
				}
			}
			if len(ps) == 0 {
				continue
			}
			sort.SliceStable(ps, func(i, j int) bool { return ps[i].at < ps[j].at })
			order := []string{}
			seen := map[int]bool{}
			for _, p := range ps {
				if seen[p.at] {
					order = append(order, p.key) // a repeated position: the service refuses the ranking
					order = append(order, p.key)
					break
				}
				seen[p.at] = true
				order = append(order, p.key)
			}
			put(q.Key, order)
		case consult.TypeMatrix:
			m := map[string]string{}
			for _, row := range q.Rows {
				if v := r.PostFormValue(name + "." + row.Key); v != "" {
					m[row.Key] = v
				}
			}
			if len(m) > 0 {
				put(q.Key, m)
			}
		}
	}
	return out
}

// answerMessage tells an refused answer in the page's language, naming the question.
func answerMessage(T func(string) string, err error) (string, string, bool) {
	var ae *consult.AnswerError
	if !errors.As(err, &ae) {
		return "", "", false
	}
	msg := T("cs.err." + ae.Problem)
	switch ae.Problem {
	case consult.ProblemCount, consult.ProblemRating:
		msg = fmt.Sprintf(msg, ae.Min, ae.Max)
	case consult.ProblemLength:
		msg = fmt.Sprintf(msg, ae.Max)
	}
	if ae.Index < 0 {
		return fmt.Sprintf(T("cs.err.unknown question"), ae.Key, msg), "", true
	}
	return fmt.Sprintf(T("cs.err.question"), ae.Index+1, ae.Title, msg), "q-" + ae.Key, true
}

// pageError is err told on a form page: an answer's problem by its question, the service's
// known conflicts in the page's words, anything else as kit tells it.
func pageError(r *http.Request, lang string, err error) (msg, field string) {
	T := kit.Translator(lang)
	if m, f, ok := answerMessage(T, err); ok {
		return m, f
	}
	switch {
	case errors.Is(err, consult.ErrAnswered):
		return T("cs.err.answered"), ""
	case errors.Is(err, consult.ErrHouseholdAnswered):
		return T("cs.err.household answered"), "building"
	case errors.Is(err, consult.ErrNotAccepting):
		return T("cs.err.not accepting"), ""
	case errors.Is(err, problem.ErrUnauthenticated):
		return T("cs.err.sign in"), ""
	}
	_, msg, field = kit.ErrorText(r, lang, err)
	return msg, field
}

// isFormError reports whether err is bad input to show on the form again (422), or a known
// conflict of answering (409), rather than a page error.
func isFormError(err error) (int, bool) {
	var fe *problem.FieldError
	switch {
	case errors.As(err, &fe):
		return http.StatusUnprocessableEntity, true
	case errors.Is(err, consult.ErrAnswered), errors.Is(err, consult.ErrHouseholdAnswered), errors.Is(err, consult.ErrNotAccepting):
		return http.StatusConflict, true
	case errors.Is(err, problem.ErrInvalid):
		return http.StatusUnprocessableEntity, true
	}
	return 0, false
}

// labels maps codes to names in lang.
func labels(ls []consult.Label, lang string) map[string]string { return label.Names(ls, lang) }

// scopeName is who may answer, in words: 全镇居民, a grid's or a committee's name, a building.
func scopeName(cs consult.Consultation, lang string, grids map[string]string, committees map[string]string) string {
	base := consult.LabelOf(consult.Scopes, cs.ScopeKind, lang)
	switch cs.ScopeKind {
	case consult.ScopeGrid:
		if n := grids[cs.ScopeCode]; n != "" {
			return base + " · " + n
		}
	case consult.ScopeCommittee:
		if n := committees[cs.ScopeCode]; n != "" {
			return base + " · " + n
		}
	case consult.ScopeBuilding:
		return base + " · " + cs.ScopeCode
	}
	return base
}

// areaNames are the grid and committee names of towns by code.
func (s *handlers) areaNames(r *http.Request, towns []string) (grids, committees map[string]string, err error) {
	grids, committees = map[string]string{}, map[string]string{}
	gs, err := places.Grids(r.Context(), s.DB, towns)
	if err != nil {
		return nil, nil, err
	}
	for _, g := range gs {
		grids[g.Code] = g.Name
	}
	cs, err := places.Committees(r.Context(), s.DB, towns)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range cs {
		committees[c.Code] = c.Name
	}
	return grids, committees, nil
}
