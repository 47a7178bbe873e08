package consult

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/problem"
)

// Value is the answer to one question: Choice (single), Choices (multiple, and a ranking's
// options from first to last), Text, Rating, or Matrix (row key → column key).
type Value struct {
	Choice  string            `json:"choice,omitempty"`
	Choices []string          `json:"choices,omitempty"`
	Text    string            `json:"text,omitempty"`
	Rating  int               `json:"rating,omitempty"`
	Matrix  map[string]string `json:"matrix,omitempty"`
}

func (v Value) empty() bool {
	return v.Choice == "" && len(v.Choices) == 0 && v.Text == "" && v.Rating == 0 && len(v.Matrix) == 0
}

// Answers are a respondent's answers by question key.
type Answers map[string]Value

// Problems with an answer, for the pages to tell in the respondent's language.
const (
	ProblemRequired = "required" // a shown required question has no answer
	ProblemOption   = "option"   // not one of the question's options
	ProblemCount    = "count"    // too few or too many options (multiple)
	ProblemLength   = "length"   // text too long
	ProblemRating   = "rating"   // outside 1 … scale
	ProblemRanking  = "ranking"  // not every option exactly once
	ProblemMatrix   = "matrix"   // a row unanswered or a column unknown
	ProblemShape    = "shape"    // the wrong kind of value for the question's type
	ProblemUnknown  = "unknown"  // no such question
)

// AnswerError is an answer refused: which question (number, key, text) and why. It is a
// *problem.FieldError for the field "answers.<key>", so the API answers 422 naming it.
type AnswerError struct {
	Index   int // 0-based; -1 for an unknown question
	Key     string
	Title   string
	Problem string
	Min     int // count: the bounds; length and rating: the limit
	Max     int
	field   *problem.FieldError
}

func (e *AnswerError) Error() string { return e.field.Error() }

// Unwrap makes the error a *problem.FieldError.
func (e *AnswerError) Unwrap() error { return e.field }

func answerError(i int, q Question, prob string, min, max int, reason string, args ...any) *AnswerError {
	e := &AnswerError{Index: i, Key: q.Key, Title: q.Title, Problem: prob, Min: min, Max: max}
	name := q.Key
	if i >= 0 {
		name = q.name(i)
	}
	e.field = &problem.FieldError{Field: "answers." + q.Key, Reason: name + ": " + fmt.Sprintf(reason, args...)}
	return e
}

// MaxAnswerBytes bounds the raw answers of one respondent.
const MaxAnswerBytes = 64 << 10

// ParseAnswers decodes raw answers — per question a string (single, text), an array of option
// keys (multiple; ranking, first to last), a number (rating) or an object row → column
// (matrix) — and checks them against qs: answers to questions hidden by their condition are
// dropped, a shown required question must be answered, every value must fit its question. The
// first problem is returned as an *AnswerError naming the question.
func ParseAnswers(qs []Question, raw map[string]json.RawMessage) (Answers, error) {
	byKey := map[string]int{}
	for i, q := range qs {
		byKey[q.Key] = i
	}
	// Unknown keys are refused in a stable order (the smallest first).
	var unknown []string
	for k := range raw {
		if _, ok := byKey[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		k := unknown[0]
		if len(k) > 20 {
			k = k[:20]
		}
		return nil, answerError(-1, Question{Key: k}, ProblemUnknown, 0, 0, "no such question")
	}
	out := Answers{}
	for i, q := range qs {
		// Questions come in order and conditions point backwards: what is shown so far decides.
		if !Shown(qs[:i+1], out)[q.Key] {
			continue
		}
		v, err := decodeValue(i, q, raw[q.Key])
		if err != nil {
			return nil, err
		}
		if v.empty() {
			if q.Required {
				return nil, answerError(i, q, ProblemRequired, 0, 0, "is required")
			}
			continue
		}
		if err := checkValue(i, q, &v); err != nil {
			return nil, err
		}
		out[q.Key] = v
	}
	return out, nil
}

// Check is ParseAnswers for answers already decoded (a form): the same rules.
func Check(qs []Question, a Answers) (Answers, error) {
	raw := map[string]json.RawMessage{}
	for k, v := range a {
		b, err := json.Marshal(v.natural())
		if err != nil {
			return nil, err
		}
		raw[k] = b
	}
	return ParseAnswers(qs, raw)
}

// natural is v in the shape ParseAnswers reads.
func (v Value) natural() any {
	switch {
	case v.Matrix != nil:
		return v.Matrix
	case v.Choices != nil:
		return v.Choices
	case v.Rating != 0:
		return v.Rating
	case v.Choice != "":
		return v.Choice
	default:
		return v.Text
	}
}

func decodeValue(i int, q Question, raw json.RawMessage) (Value, error) {
	var v Value
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return v, nil
	}
	var err error
	switch q.Type {
	case TypeSingle:
		err = json.Unmarshal(raw, &v.Choice)
		v.Choice = strings.TrimSpace(v.Choice)
	case TypeText:
		err = json.Unmarshal(raw, &v.Text)
		v.Text = strings.TrimSpace(v.Text)
	case TypeMultiple, TypeRanking:
		err = json.Unmarshal(raw, &v.Choices)
		if len(v.Choices) == 0 {
			v.Choices = nil
		}
	case TypeRating:
		var n json.Number
		if err = json.Unmarshal(raw, &n); err == nil {
			var x int64
			if x, err = n.Int64(); err == nil {
				if x < -1000 || x > 1000 {
					x = -1
				}
				v.Rating = int(x)
			}
		}
	case TypeMatrix:
		err = json.Unmarshal(raw, &v.Matrix)
		for r, c := range v.Matrix {
			if c == "" {
				delete(v.Matrix, r)
			}
		}
		if len(v.Matrix) == 0 {
			v.Matrix = nil
		}
	}
	if err != nil {
		return v, answerError(i, q, ProblemShape, 0, 0, "not an answer to a %s question", q.Type)
	}
	return v, nil
}

func checkValue(i int, q Question, v *Value) error {
	switch q.Type {
	case TypeSingle:
		if !hasOption(q.Options, v.Choice) {
			return answerError(i, q, ProblemOption, 0, 0, "%q is not one of its options", trunc(v.Choice))
		}
	case TypeMultiple:
		seen := map[string]bool{}
		for _, k := range v.Choices {
			if !hasOption(q.Options, k) {
				return answerError(i, q, ProblemOption, 0, 0, "%q is not one of its options", trunc(k))
			}
			if seen[k] {
				return answerError(i, q, ProblemOption, 0, 0, "%q is chosen twice", k)
			}
			seen[k] = true
		}
		if len(v.Choices) < q.Min || len(v.Choices) > q.Max {
			return answerError(i, q, ProblemCount, q.Min, q.Max, "choose %d to %d options, not %d", q.Min, q.Max, len(v.Choices))
		}
		// Stored in the questionnaire's order, whatever order they came in.
		slices.SortFunc(v.Choices, func(a, b string) int { return optionIndex(q.Options, a) - optionIndex(q.Options, b) })
	case TypeText:
		if n := utf8.RuneCountInString(v.Text); n > q.MaxLen {
			return answerError(i, q, ProblemLength, 0, q.MaxLen, "is %d characters long; at most %d", n, q.MaxLen)
		}
	case TypeRating:
		if v.Rating < 1 || v.Rating > q.Scale {
			return answerError(i, q, ProblemRating, 1, q.Scale, "rate from 1 to %d", q.Scale)
		}
	case TypeRanking:
		if len(v.Choices) != len(q.Options) {
			return answerError(i, q, ProblemRanking, 0, len(q.Options), "put all %d options in an order (got %d)", len(q.Options), len(v.Choices))
		}
		seen := map[string]bool{}
		for _, k := range v.Choices {
			if !hasOption(q.Options, k) || seen[k] {
				return answerError(i, q, ProblemRanking, 0, len(q.Options), "put each of the %d options in the order once", len(q.Options))
			}
			seen[k] = true
		}
	case TypeMatrix:
		for r, c := range v.Matrix {
			if !hasOption(q.Rows, r) {
				return answerError(i, q, ProblemMatrix, 0, 0, "%q is not one of its rows", trunc(r))
			}
			if !hasOption(q.Options, c) {
				return answerError(i, q, ProblemMatrix, 0, 0, "%q is not one of its columns", trunc(c))
			}
		}
		if q.Required && len(v.Matrix) < len(q.Rows) {
			for _, r := range q.Rows {
				if _, ok := v.Matrix[r.Key]; !ok {
					return answerError(i, q, ProblemMatrix, 0, 0, "row %q is not answered", r.Text)
				}
			}
		}
	}
	return nil
}

func optionIndex(os []Option, key string) int {
	return slices.IndexFunc(os, func(o Option) bool { return o.Key == key })
}

func trunc(s string) string {
	if utf8.RuneCountInString(s) > 20 {
		return string([]rune(s)[:20]) + "…"
	}
	return s
}
