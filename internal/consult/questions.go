package consult

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/civicgrid/civicgrid/internal/label"
	"github.com/civicgrid/civicgrid/internal/problem"
)

// Question types.
const (
	TypeSingle   = "single"   // one option
	TypeMultiple = "multiple" // between Min and Max options
	TypeText     = "text"     // free text up to MaxLen characters
	TypeRating   = "rating"   // 1 … Scale (5 or 10)
	TypeRanking  = "ranking"  // the options in an order (all of them)
	TypeMatrix   = "matrix"   // one column per row
)

// Types lists the question types.
var Types = []Label{
	{Code: TypeSingle, ZH: "单选", EN: "Single choice"},
	{Code: TypeMultiple, ZH: "多选", EN: "Multiple choice"},
	{Code: TypeText, ZH: "文字", EN: "Text"},
	{Code: TypeRating, ZH: "评分", EN: "Rating"},
	{Code: TypeRanking, ZH: "排序", EN: "Ranking"},
	{Code: TypeMatrix, ZH: "矩阵", EN: "Matrix"},
}

// Bounds of a questionnaire: it is edited in a form and answered on a phone.
const (
	MaxQuestions   = 40
	MaxOptions     = 20  // options of a question, columns of a matrix
	MaxRows        = 15  // rows of a matrix
	MaxRankOptions = 10  // options of a ranking question
	MaxTitle       = 200 // a question's text
	MaxHelp        = 500
	MaxOptionText  = 100
	MaxTextAnswer  = 2000 // the longest a text question may allow
	DefaultTextLen = 500
)

// Option is a choice of a question, a row or a column of a matrix; Key is stable across edits.
type Option struct {
	Key  string `json:"key"`
	Text string `json:"text"`
}

// Condition shows a question only when the answer to an earlier single or multiple question
// includes one of AnyOf.
type Condition struct {
	Question string   `json:"question"`
	AnyOf    []string `json:"any_of"`
}

// Question is one question of a questionnaire.
type Question struct {
	Key      string     `json:"key"`
	Type     string     `json:"type"`
	Title    string     `json:"title"`
	Help     string     `json:"help,omitempty"`
	Required bool       `json:"required"`
	Options  []Option   `json:"options,omitempty"`   // single, multiple, ranking; the columns of a matrix
	Rows     []Option   `json:"rows,omitempty"`      // matrix
	Min      int        `json:"min,omitempty"`       // multiple: fewest options (0: none when not required)
	Max      int        `json:"max,omitempty"`       // multiple: most options (0: all)
	MaxLen   int        `json:"max_len,omitempty"`   // text
	Scale    int        `json:"scale,omitempty"`     // rating: 5 or 10
	ShowIf   *Condition `json:"show_if,omitempty"`   // nil: always shown
	Consent  bool       `json:"consent,omitempty"`   // the question a consent rule counts
	AgreeKey string     `json:"agree_key,omitempty"` // with Consent: the option meaning "agree"
}

// Name is how errors name the question: its number and its text.
func (q Question) name(i int) string {
	t := q.Title
	if utf8.RuneCountInString(t) > 30 {
		t = string([]rune(t)[:30]) + "…"
	}
	return fmt.Sprintf("Q%d %s", i+1, t)
}

// field is the field name of question i's error.
func field(i int, q Question) string { return "questions[" + fmt.Sprint(i+1) + "] (" + q.Key + ")" }

// CheckQuestionnaire normalises qs in place — trims texts, fills missing keys and defaults —
// and checks the bounds, types and conditions; errors name the question by number.
func CheckQuestionnaire(qs []Question) error {
	if len(qs) > MaxQuestions {
		return problem.Field("questions", "has %d questions; a questionnaire has at most %d", len(qs), MaxQuestions)
	}
	keys := map[string]int{}
	for i := range qs {
		q := &qs[i]
		q.Key, q.Type, q.Title, q.Help = strings.TrimSpace(q.Key), strings.TrimSpace(q.Type), strings.TrimSpace(q.Title), strings.TrimSpace(q.Help)
		if q.Key == "" {
			q.Key = freeKey("q", keys, i+1)
		}
		f := field(i, *q)
		if !validKey(q.Key) {
			return problem.Field(f, "key %q: letters, digits, _ and -, at most 20", q.Key)
		}
		if _, dup := keys[q.Key]; dup {
			return problem.Field(f, "key %q is used by another question", q.Key)
		}
		keys[q.Key] = i
		switch {
		case !label.Valid(Types, q.Type):
			return problem.Field(f, "unknown type %q; one of %s", q.Type, label.Codes(Types))
		case q.Title == "":
			return problem.Field(f, "the question's text is required")
		case utf8.RuneCountInString(q.Title) > MaxTitle:
			return problem.Field(f, "the question's text is longer than %d characters", MaxTitle)
		case utf8.RuneCountInString(q.Help) > MaxHelp:
			return problem.Field(f, "the help text is longer than %d characters", MaxHelp)
		}
		if err := checkOptions(f, "option", &q.Options, "o"); err != nil {
			return err
		}
		if err := checkOptions(f, "row", &q.Rows, "r"); err != nil {
			return err
		}
		switch q.Type {
		case TypeSingle, TypeMultiple, TypeRanking, TypeMatrix:
			if len(q.Options) < 2 {
				return problem.Field(f, "needs at least 2 options (has %d)", len(q.Options))
			}
		default:
			q.Options = nil
		}
		if q.Type != TypeMatrix {
			q.Rows = nil
		}
		if q.Type != TypeMultiple {
			q.Min, q.Max = 0, 0
		}
		if q.Type != TypeText {
			q.MaxLen = 0
		}
		if q.Type != TypeRating {
			q.Scale = 0
		}
		switch q.Type {
		case TypeMultiple:
			if q.Max == 0 {
				q.Max = len(q.Options)
			}
			if q.Min < 0 || q.Max < 1 || q.Max > len(q.Options) || q.Min > q.Max {
				return problem.Field(f, "choose between min %d and max %d of %d options: need 0 ≤ min ≤ max ≤ %d", q.Min, q.Max, len(q.Options), len(q.Options))
			}
		case TypeText:
			if q.MaxLen == 0 {
				q.MaxLen = DefaultTextLen
			}
			if q.MaxLen < 1 || q.MaxLen > MaxTextAnswer {
				return problem.Field(f, "a text answer's limit is 1 … %d characters, not %d", MaxTextAnswer, q.MaxLen)
			}
		case TypeRating:
			if q.Scale == 0 {
				q.Scale = 5
			}
			if q.Scale != 5 && q.Scale != 10 {
				return problem.Field(f, "a rating scale is 5 or 10, not %d", q.Scale)
			}
		case TypeRanking:
			if len(q.Options) > MaxRankOptions {
				return problem.Field(f, "a ranking has at most %d options (has %d)", MaxRankOptions, len(q.Options))
			}
		case TypeMatrix:
			if len(q.Rows) < 1 {
				return problem.Field(f, "a matrix needs at least 1 row")
			}
		}
		if q.ShowIf != nil {
			c := q.ShowIf
			c.Question = strings.TrimSpace(c.Question)
			j, ok := keys[c.Question]
			if !ok || j >= i {
				return problem.Field(f, "its condition refers to %q, which is not an earlier question", c.Question)
			}
			src := qs[j]
			if src.Type != TypeSingle && src.Type != TypeMultiple {
				return problem.Field(f, "its condition refers to %s, which is not a single or multiple choice", src.name(j))
			}
			if len(c.AnyOf) == 0 || len(c.AnyOf) > len(src.Options) {
				return problem.Field(f, "its condition names no option of %s", src.name(j))
			}
			for _, k := range c.AnyOf {
				if !hasOption(src.Options, k) {
					return problem.Field(f, "its condition names %q, which is not an option of %s", k, src.name(j))
				}
			}
		}
		if q.Consent {
			if q.Type != TypeSingle || q.ShowIf != nil || !q.Required {
				return problem.Field(f, "the consent question must be a required single choice shown to everyone")
			}
			if !hasOption(q.Options, q.AgreeKey) {
				return problem.Field(f, "the consent question's agree option %q is not one of its options", q.AgreeKey)
			}
		} else {
			q.AgreeKey = ""
		}
	}
	n := 0
	for _, q := range qs {
		if q.Consent {
			n++
		}
	}
	if n > 1 {
		return problem.Field("questions", "%d questions are marked as the consent question; at most one", n)
	}
	return nil
}

func checkOptions(f, what string, os *[]Option, prefix string) error {
	limit := MaxOptions
	if what == "row" {
		limit = MaxRows
	}
	if len(*os) > limit {
		return problem.Field(f, "has %d %ss; at most %d", len(*os), what, limit)
	}
	keys := map[string]int{}
	for i := range *os {
		o := &(*os)[i]
		o.Key, o.Text = strings.TrimSpace(o.Key), strings.TrimSpace(o.Text)
		if o.Key == "" {
			o.Key = freeKey(prefix, keys, i+1)
		}
		switch {
		case !validKey(o.Key):
			return problem.Field(f, "%s %d: key %q: letters, digits, _ and -, at most 20", what, i+1, o.Key)
		case o.Text == "":
			return problem.Field(f, "%s %d has no text", what, i+1)
		case utf8.RuneCountInString(o.Text) > MaxOptionText:
			return problem.Field(f, "%s %d is longer than %d characters", what, i+1, MaxOptionText)
		}
		if _, dup := keys[o.Key]; dup {
			return problem.Field(f, "%s %d: key %q is used twice", what, i+1, o.Key)
		}
		keys[o.Key] = i
	}
	return nil
}

// freeKey is prefix+n, or the next number not yet in keys.
func freeKey(prefix string, keys map[string]int, n int) string {
	for {
		k := fmt.Sprintf("%s%d", prefix, n)
		if _, used := keys[k]; !used {
			return k
		}
		n++
	}
}

func validKey(k string) bool {
	if k == "" || len(k) > 20 {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func hasOption(os []Option, key string) bool {
	return slices.ContainsFunc(os, func(o Option) bool { return o.Key == key })
}

func optionText(os []Option, key string) string {
	for _, o := range os {
		if o.Key == key {
			return o.Text
		}
	}
	return key
}

// Shown reports, for each question, whether it is shown given the answers: a question with a
// condition is shown when its source is shown and answered with one of the condition's options.
// The client evaluates the same rule to show and hide questions; the server enforces it.
func Shown(qs []Question, a Answers) map[string]bool {
	shown := make(map[string]bool, len(qs))
	for _, q := range qs {
		if q.ShowIf == nil {
			shown[q.Key] = true
			continue
		}
		c := q.ShowIf
		if !shown[c.Question] {
			continue
		}
		v := a[c.Question]
		for _, k := range c.AnyOf {
			if v.Choice == k || slices.Contains(v.Choices, k) {
				shown[q.Key] = true
				break
			}
		}
	}
	return shown
}
