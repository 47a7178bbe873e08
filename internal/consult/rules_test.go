package consult

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/problem"
)

func opts(texts ...string) []Option {
	var out []Option
	for _, t := range texts {
		out = append(out, Option{Text: t})
	}
	return out
}

// questionnaire is a small questionnaire of every type; q3 is shown only when q1 is o1 or o2.
func questionnaire(t *testing.T) []Question {
	t.Helper()
	qs := []Question{
		{Key: "q1", Type: TypeSingle, Title: "您是否支持改造街角空间？", Required: true, Options: opts("支持", "基本支持", "不支持")},
		{Key: "q2", Type: TypeMultiple, Title: "希望有哪些功能？", Options: opts("长者运动", "芳香蜜源", "药食同源", "香草天地"), Min: 1, Max: 2},
		{Key: "q3", Type: TypeText, Title: "不支持的原因", Required: true, MaxLen: 10, ShowIf: &Condition{Question: "q1", AnyOf: []string{"o3"}}},
		{Key: "q4", Type: TypeRating, Title: "现状满意度", Scale: 5},
		{Key: "q5", Type: TypeRanking, Title: "建设优先顺序", Options: opts("绿化", "座椅", "照明")},
		{Key: "q6", Type: TypeMatrix, Title: "各时段使用意愿", Required: true, Rows: opts("上午", "傍晚"), Options: opts("会", "不会")},
	}
	if err := CheckQuestionnaire(qs); err != nil {
		t.Fatal(err)
	}
	return qs
}

func TestCheckQuestionnaire(t *testing.T) {
	qs := questionnaire(t)
	if qs[0].Options[2].Key != "o3" || qs[5].Rows[1].Key != "r2" || qs[3].Scale != 5 {
		t.Errorf("keys and defaults not filled: %+v", qs)
	}
	many := make([]Question, MaxQuestions+1)
	for i := range many {
		many[i] = Question{Type: TypeText, Title: "x"}
	}
	tooManyOpts := Question{Type: TypeSingle, Title: "x", Options: make([]Option, MaxOptions+1)}
	for i := range tooManyOpts.Options {
		tooManyOpts.Options[i].Text = "o"
	}
	for _, tc := range []struct {
		name  string
		qs    []Question
		field string
		want  string
	}{
		{"too many questions", many, "questions", "at most 40"},
		{"unknown type", []Question{{Type: "essay", Title: "x"}}, "questions[1] (q1)", "unknown type"},
		{"no text", []Question{{Type: TypeText}}, "questions[1] (q1)", "text is required"},
		{"one option", []Question{{Type: TypeSingle, Title: "x", Options: opts("a")}}, "questions[1] (q1)", "at least 2 options"},
		{"too many options", []Question{tooManyOpts}, "questions[1] (q1)", "at most 20"},
		{"min over max", []Question{{Type: TypeMultiple, Title: "x", Options: opts("a", "b", "c"), Min: 3, Max: 2}}, "questions[1] (q1)", "min 3 and max 2"},
		{"max over options", []Question{{Type: TypeMultiple, Title: "x", Options: opts("a", "b"), Max: 3}}, "questions[1] (q1)", "max 3"},
		{"scale 7", []Question{{Type: TypeRating, Title: "x", Scale: 7}}, "questions[1] (q1)", "5 or 10"},
		{"text limit", []Question{{Type: TypeText, Title: "x", MaxLen: MaxTextAnswer + 1}}, "questions[1] (q1)", "limit"},
		{"matrix without rows", []Question{{Type: TypeMatrix, Title: "x", Options: opts("a", "b")}}, "questions[1] (q1)", "at least 1 row"},
		{"ranking too long", []Question{{Type: TypeRanking, Title: "x", Options: opts("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11")}}, "questions[1] (q1)", "at most 10"},
		{"condition forwards", []Question{{Type: TypeText, Title: "x", ShowIf: &Condition{Question: "q2", AnyOf: []string{"o1"}}},
			{Type: TypeSingle, Title: "y", Options: opts("a", "b")}}, "questions[1] (q1)", "not an earlier question"},
		{"condition on text", []Question{{Type: TypeText, Title: "x"}, {Type: TypeText, Title: "y", ShowIf: &Condition{Question: "q1", AnyOf: []string{"o1"}}}},
			"questions[2] (q2)", "not a single or multiple"},
		{"condition unknown option", []Question{{Type: TypeSingle, Title: "x", Options: opts("a", "b")},
			{Type: TypeText, Title: "y", ShowIf: &Condition{Question: "q1", AnyOf: []string{"o9"}}}}, "questions[2] (q2)", `"o9"`},
		{"duplicate key", []Question{{Key: "a", Type: TypeText, Title: "x"}, {Key: "a", Type: TypeText, Title: "y"}}, "questions[2] (a)", "used by another"},
		{"bad key", []Question{{Key: "a b", Type: TypeText, Title: "x"}}, "questions[1] (a b)", "letters, digits"},
		{"consent not single", []Question{{Type: TypeMultiple, Title: "x", Options: opts("a", "b"), Consent: true, Required: true}}, "questions[1] (q1)", "consent question"},
		{"consent agree key", []Question{{Type: TypeSingle, Title: "x", Options: opts("a", "b"), Consent: true, Required: true, AgreeKey: "o7"}}, "questions[1] (q1)", "agree option"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckQuestionnaire(tc.qs)
			if problem.FieldOf(err) != tc.field || err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v (field %q), want field %q and %q", err, problem.FieldOf(err), tc.field, tc.want)
			}
		})
	}
}

func raw(t *testing.T, s string) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// Every type's answers, the condition (enforced on the server) and required-only-when-shown.
func TestParseAnswers(t *testing.T) {
	qs := questionnaire(t)
	base := `"q6": {"r1": "o1", "r2": "o2"}`
	for _, tc := range []struct {
		name, in string
		problem  string // "" ok
		key      string
		check    func(Answers) bool
	}{
		{"minimal", `{"q1": "o1", ` + base + `}`, "", "", func(a Answers) bool { return a["q1"].Choice == "o1" && len(a) == 2 }},
		{"required missing", `{` + base + `}`, ProblemRequired, "q1", nil},
		{"single unknown option", `{"q1": "o9", ` + base + `}`, ProblemOption, "q1", nil},
		{"single as array", `{"q1": ["o1"], ` + base + `}`, ProblemShape, "q1", nil},
		{"multiple too many", `{"q1": "o1", "q2": ["o1", "o2", "o3"], ` + base + `}`, ProblemCount, "q2", nil},
		{"multiple twice", `{"q1": "o1", "q2": ["o1", "o1"], ` + base + `}`, ProblemOption, "q2", nil},
		{"multiple sorted", `{"q1": "o1", "q2": ["o4", "o1"], ` + base + `}`, "", "", func(a Answers) bool { return strings.Join(a["q2"].Choices, ",") == "o1,o4" }},
		{"multiple empty is unanswered", `{"q1": "o1", "q2": [], ` + base + `}`, "", "", func(a Answers) bool { _, ok := a["q2"]; return !ok }},
		{"hidden question's answer dropped", `{"q1": "o1", "q3": "太吵", ` + base + `}`, "", "", func(a Answers) bool { _, ok := a["q3"]; return !ok }},
		{"shown question required", `{"q1": "o3", ` + base + `}`, ProblemRequired, "q3", nil},
		{"shown question answered", `{"q1": "o3", "q3": "担心噪音", ` + base + `}`, "", "", func(a Answers) bool { return a["q3"].Text == "担心噪音" }},
		{"text too long", `{"q1": "o3", "q3": "一二三四五六七八九十一", ` + base + `}`, ProblemLength, "q3", nil},
		{"rating out of scale", `{"q1": "o1", "q4": 6, ` + base + `}`, ProblemRating, "q4", nil},
		{"rating zero", `{"q1": "o1", "q4": 0, ` + base + `}`, "", "", func(a Answers) bool { _, ok := a["q4"]; return !ok }},
		{"rating fraction", `{"q1": "o1", "q4": 2.5, ` + base + `}`, ProblemShape, "q4", nil},
		{"ranking partial", `{"q1": "o1", "q5": ["o2", "o1"], ` + base + `}`, ProblemRanking, "q5", nil},
		{"ranking repeated", `{"q1": "o1", "q5": ["o2", "o2", "o1"], ` + base + `}`, ProblemRanking, "q5", nil},
		{"ranking kept in order", `{"q1": "o1", "q5": ["o3", "o1", "o2"], ` + base + `}`, "", "", func(a Answers) bool { return strings.Join(a["q5"].Choices, ",") == "o3,o1,o2" }},
		{"matrix row missing", `{"q1": "o1", "q6": {"r1": "o1"}}`, ProblemMatrix, "q6", nil},
		{"matrix unknown column", `{"q1": "o1", "q6": {"r1": "o1", "r2": "o5"}}`, ProblemMatrix, "q6", nil},
		{"unknown question", `{"q1": "o1", "q99": "x", ` + base + `}`, ProblemUnknown, "q99", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseAnswers(qs, raw(t, tc.in))
			if tc.problem == "" {
				if err != nil || !tc.check(a) {
					t.Errorf("got %+v, %v", a, err)
				}
				return
			}
			var ae *AnswerError
			if !errors.As(err, &ae) || ae.Problem != tc.problem || ae.Key != tc.key {
				t.Fatalf("got %v (%+v), want %s on %s", err, ae, tc.problem, tc.key)
			}
			if problem.FieldOf(err) != "answers."+tc.key || !errors.Is(err, problem.ErrInvalid) {
				t.Errorf("field %q, invalid %v", problem.FieldOf(err), errors.Is(err, problem.ErrInvalid))
			}
		})
	}
}

// A condition on a hidden question hides its dependants too.
func TestShownChain(t *testing.T) {
	qs := []Question{
		{Key: "a", Type: TypeSingle, Title: "a", Options: opts("x", "y")},
		{Key: "b", Type: TypeSingle, Title: "b", Options: opts("x", "y"), ShowIf: &Condition{Question: "a", AnyOf: []string{"o1"}}},
		{Key: "c", Type: TypeText, Title: "c", ShowIf: &Condition{Question: "b", AnyOf: []string{"o1"}}},
	}
	if err := CheckQuestionnaire(qs); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		a    Answers
		want string
	}{
		{Answers{}, "a"},
		{Answers{"a": {Choice: "o1"}}, "ab"},
		{Answers{"a": {Choice: "o1"}, "b": {Choice: "o1"}}, "abc"},
		{Answers{"a": {Choice: "o2"}, "b": {Choice: "o1"}}, "a"}, // b is hidden, so its answer does not show c
	} {
		sh := Shown(qs, tc.a)
		got := ""
		for _, q := range qs {
			if sh[q.Key] {
				got += q.Key
			}
		}
		if got != tc.want {
			t.Errorf("%v: shown %q, want %q", tc.a, got, tc.want)
		}
	}
}

// The consent rule, hand-computed: a building of 24 households.
func TestConsentApply(t *testing.T) {
	civil := DefaultConsent(24) // 2/3 take part (16), 3/4 of them agree
	twoThirds := ConsentRule{Households: 24, Agreement: Ratio{2, 3}, AgreeOf: AgreeOfHouseholds}
	for _, tc := range []struct {
		name            string
		rule            ConsentRule
		answered, agree int
		needP, needA    int
		passed          bool
	}{
		{"civil: 16 answer, 12 agree", civil, 16, 12, 16, 12, true},
		{"civil: 16 answer, 11 agree", civil, 16, 11, 16, 12, false},
		{"civil: 15 answer, all agree", civil, 15, 15, 16, 12, false},
		{"civil: 24 answer, 18 agree", civil, 24, 18, 16, 18, true},
		{"civil: 24 answer, 17 agree", civil, 24, 17, 16, 18, false},
		{"2/3 of households: 16 agree", twoThirds, 20, 16, 0, 16, true},
		{"2/3 of households: 15 agree", twoThirds, 24, 15, 0, 16, false},
		{"nobody answered", twoThirds, 0, 0, 0, 16, false},
	} {
		o := tc.rule.Apply(tc.answered, tc.agree)
		if o.NeedParticipation != tc.needP || o.NeedAgree != tc.needA || o.Passed != tc.passed {
			t.Errorf("%s: %+v, want need %d/%d passed %v", tc.name, o, tc.needP, tc.needA, tc.passed)
		}
	}
	if err := (&ConsentRule{Households: 0}).check(nil); problem.FieldOf(err) != "consent.households" {
		t.Errorf("0 households: %v", err)
	}
	if err := (&ConsentRule{Households: 10, Agreement: Ratio{4, 3}}).check(nil); problem.FieldOf(err) != "consent.agreement" {
		t.Errorf("4/3: %v", err)
	}
	if err := (&ConsentRule{Households: 10, Agreement: Ratio{2, 3}}).check(nil); problem.FieldOf(err) != "questions" {
		t.Errorf("no consent question: %v", err)
	}
}

func TestHouseholdKey(t *testing.T) {
	a := HouseholdKey(7, "天山西路144弄12号", "502室")
	if b := HouseholdKey(7, " 天山西路１４４弄12号 ", "５０２"); a != b {
		t.Errorf("same household, two keys: %s %s", a, b)
	}
	if HouseholdKey(8, "天山西路144弄12号", "502室") == a || HouseholdKey(7, "天山西路144弄12号", "501室") == a {
		t.Error("different households or consultations share a key")
	}
	if strings.Contains(a, "502") {
		t.Error("the key holds the room")
	}
}
