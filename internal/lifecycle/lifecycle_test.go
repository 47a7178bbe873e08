package lifecycle

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

type row struct {
	Spec[string, string]
	guard bool
}

type subject struct {
	state   string
	blocked bool
	owner   int
}

type actor struct {
	id   int
	role string
}

var (
	errUnknown = errors.New("unknown")
	errState   = errors.New("state")
	errForbid  = errors.New("forbidden")
	errInput   = errors.New("input")
)

// A two-row table run by the engine: the order of the checks, and Allowed.
func TestEngine(t *testing.T) {
	e := Engine[row, string, string, subject, actor, map[string]string]{
		Noun: "a thing",
		Rows: []row{
			{Spec: Spec[string, string]{From: []string{"new"}, Action: "take", To: "taken", Roles: []string{"clerk"}, Requires: []string{"why"}}, guard: true},
			{Spec: Spec[string, string]{From: []string{"new", "taken"}, Action: "drop", To: "dropped", Roles: []string{"owner"}}},
		},
		Spec:  func(r row) Spec[string, string] { return r.Spec },
		State: func(s subject) string { return s.state },
		Role:  func(a actor) string { return a.role },
		Condition: func(r row, s subject) error {
			if r.guard && s.blocked {
				return errState
			}
			return nil
		},
		Owns: func(r row, s subject, a actor) error {
			if a.role == "owner" && a.id != s.owner {
				return errForbid
			}
			return nil
		},
		Field: func(f string, required bool, s subject, in map[string]string) error {
			if required && in[f] == "" {
				return errInput
			}
			return nil
		},
		ErrUnknown: errUnknown, ErrWrongState: errState, ErrForbidden: errForbid,
	}
	clerk, owner, stranger := actor{1, "clerk"}, actor{2, "owner"}, actor{3, "owner"}
	fresh := subject{state: "new", owner: 2}
	for _, tt := range []struct {
		s    subject
		a    actor
		act  string
		in   map[string]string
		want error
	}{
		{fresh, clerk, "take", map[string]string{"why": "x"}, nil},
		{fresh, clerk, "fly", nil, errUnknown},
		{subject{state: "dropped"}, stranger, "take", nil, errState}, // state before role
		{subject{state: "new", blocked: true}, clerk, "take", nil, errState},
		{fresh, owner, "take", nil, errForbid},
		{fresh, stranger, "drop", nil, errForbid},
		{fresh, clerk, "take", nil, errInput}, // input last
	} {
		r, err := e.Decide(tt.s, tt.a, tt.act, tt.in)
		if !errors.Is(err, tt.want) || tt.want == nil && (err != nil || r.Action != tt.act) {
			t.Errorf("%s by %s in %s: %v; want %v", tt.act, tt.a.role, tt.s.state, err, tt.want)
		}
	}
	if _, err := e.Decide(subject{state: "dropped"}, clerk, "take", nil); !strings.Contains(err.Error(), "cannot take a thing in state dropped") {
		t.Errorf("message: %v", err)
	}
	if got := e.Allowed(fresh, owner); !slices.Equal(got, []string{"drop"}) {
		t.Errorf("allowed: %v", got)
	}
	md := Markdown(e, []StateDoc{{State: "new", LabelZH: "新", LabelEN: "New", Open: true}}, func(r row) RowDoc { return RowDoc{LabelZH: "办", LabelEN: "Do", Who: []string{"x"}} })
	if !strings.Contains(md, "| `new`, `taken` | `drop` | 办 | Do | `dropped` | x | — | — | — | — | — |") {
		t.Errorf("markdown:\n%s", md)
	}
}
