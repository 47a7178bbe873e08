// Package lifecycle is the engine that runs a lifecycle table: rows of {from states, action, to
// state, roles, required and optional input fields} plus whatever a capability adds to its rows
// (guards, ownership rules, effects, notices, button styles). The engine owns the order of the
// checks and their errors; the capability supplies, as functions, only what differs between
// tables: the subject's state, the condition a row's guard sets, who owns the subject, and how an
// input field is checked.
//
// The work-order lifecycle (internal/workorder) and the service-request lifecycle
// (internal/services) are two tables run by this engine. It is pure: no SQL, no HTTP, no clock.
package lifecycle

import (
	"fmt"
	"slices"
	"strings"
)

// Spec is the engine's view of one row of a table: what every lifecycle row has.
type Spec[S ~string, A ~string] struct {
	From     []S
	Action   A
	To       S // empty: the state does not change
	Roles    []string
	Requires []string // input fields that must be present
	Optional []string // input fields that are read when present
}

// AllowsState reports whether the row may start from s.
func (p Spec[S, A]) AllowsState(s S) bool { return slices.Contains(p.From, s) }

// AllowsRole reports whether the row names role.
func (p Spec[S, A]) AllowsRole(role string) bool { return slices.Contains(p.Roles, role) }

// Engine runs the rows of one table for subjects of type Subj (an order, a request), actors of
// type Actor and inputs of type In. R is the capability's row type; Spec reads the engine's part
// of it.
type Engine[R any, S ~string, A ~string, Subj any, Actor any, In any] struct {
	// Noun names a subject in errors, with its article: "an order", "a request".
	Noun string
	Rows []R
	Spec func(R) Spec[S, A]
	// State is the subject's current state.
	State func(Subj) S
	// Role is the actor's role.
	Role func(Actor) string
	// Condition checks what, beyond its state, the subject must satisfy for the row (guards such
	// as "suspended" or "rated dissatisfied"); nil: nothing. Its error is returned as is and
	// should wrap ErrWrongState.
	Condition func(R, Subj) error
	// Owns checks the actor's ownership of the subject once the role is allowed (a handler of the
	// lead department, the requester); nil: the role suffices. Its error should wrap ErrForbidden.
	Owns func(R, Subj, Actor) error
	// Field checks one input field: present and valid when required, valid when present
	// otherwise. Its error is wrapped with the action's name.
	Field func(field string, required bool, s Subj, in In) error

	// The errors the engine wraps: an unknown action, a state or condition that does not allow
	// the action, a role that may not take it.
	ErrUnknown, ErrWrongState, ErrForbidden error
}

// Lookup returns the row of act.
func (e Engine[R, S, A, Subj, Actor, In]) Lookup(act A) (R, bool) {
	for _, r := range e.Rows {
		if e.Spec(r).Action == act {
			return r, true
		}
	}
	var zero R
	return zero, false
}

// Decide checks whether actor a may take action act on subject s with input in, and returns the
// row that then applies. Checks run in a fixed order and the first failure is returned:
//
//  1. the action exists (ErrUnknown);
//  2. the subject's state and condition allow it (ErrWrongState);
//  3. the actor's role and ownership allow it (ErrForbidden);
//  4. the input carries the required fields, valid (Field's error).
//
// State comes before permission so that everyone sees the same conflict for a stale screen, and
// permission before input so that an actor without the right learns nothing from validation.
func (e Engine[R, S, A, Subj, Actor, In]) Decide(s Subj, a Actor, act A, in In) (R, error) {
	var zero R
	r, ok := e.Lookup(act)
	if !ok {
		return zero, fmt.Errorf("%w %q", e.ErrUnknown, act)
	}
	if err := e.CheckState(r, s); err != nil {
		return zero, err
	}
	if err := e.CheckActor(r, s, a); err != nil {
		return zero, err
	}
	if err := e.CheckInput(r, s, in); err != nil {
		return zero, fmt.Errorf("%s: %w", act, err)
	}
	return r, nil
}

// Allowed lists, in table order, the actions a may take on s now, input aside: those for which
// Decide would not fail on state or permission.
func (e Engine[R, S, A, Subj, Actor, In]) Allowed(s Subj, a Actor) []A {
	var out []A
	for _, r := range e.Rows {
		if e.CheckState(r, s) == nil && e.CheckActor(r, s, a) == nil {
			out = append(out, e.Spec(r).Action)
		}
	}
	return out
}

// CheckState checks the row's source states, then its condition.
func (e Engine[R, S, A, Subj, Actor, In]) CheckState(r R, s Subj) error {
	p := e.Spec(r)
	if st := e.State(s); !p.AllowsState(st) {
		return fmt.Errorf("%w: cannot %s %s in state %s", e.ErrWrongState, p.Action, e.Noun, st)
	}
	if e.Condition != nil {
		return e.Condition(r, s)
	}
	return nil
}

// CheckActor checks the row's roles, then ownership.
func (e Engine[R, S, A, Subj, Actor, In]) CheckActor(r R, s Subj, a Actor) error {
	p := e.Spec(r)
	if role := e.Role(a); !p.AllowsRole(role) {
		return fmt.Errorf("%w: role %q may not %s", e.ErrForbidden, role, p.Action)
	}
	if e.Owns != nil {
		return e.Owns(r, s, a)
	}
	return nil
}

// CheckInput checks the required fields, then the optional ones, in the row's order.
func (e Engine[R, S, A, Subj, Actor, In]) CheckInput(r R, s Subj, in In) error {
	p := e.Spec(r)
	for _, f := range p.Requires {
		if err := e.Field(f, true, s, in); err != nil {
			return err
		}
	}
	for _, f := range p.Optional {
		if err := e.Field(f, false, s, in); err != nil {
			return err
		}
	}
	return nil
}

// StateDoc describes one state for the generated docs.
type StateDoc struct {
	State            string
	LabelZH, LabelEN string
	Open             bool
}

// RowDoc is what the generated transition table shows of a row besides its Spec.
type RowDoc struct {
	LabelZH, LabelEN string
	Who              []string // the roles as the docs spell them, ownership included
	Condition        string   // "" : none
	Changes          string   // effects, "" : none
	Notifies         string   // "" : none
}

// Markdown renders a table's states and transitions as docs embed them (a test keeps the docs
// equal to this output). doc says how each row reads.
func Markdown[R any, S ~string, A ~string, Subj any, Actor any, In any](e Engine[R, S, A, Subj, Actor, In], states []StateDoc, doc func(R) RowDoc) string {
	var b strings.Builder
	b.WriteString("### States 状态\n\n")
	b.WriteString("| state | 中文 | English | open |\n| --- | --- | --- | --- |\n")
	for _, s := range states {
		open := "no"
		if s.Open {
			open = "yes"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", s.State, s.LabelZH, s.LabelEN, open)
	}
	b.WriteString("\n### Transitions 流转\n\n")
	b.WriteString("| from | action | 中文 | English | to | who | requires | optional | condition | changes | notifies |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, r := range e.Rows {
		p, d := e.Spec(r), doc(r)
		from := make([]string, len(p.From))
		for i, s := range p.From {
			from[i] = "`" + string(s) + "`"
		}
		to := "(unchanged)"
		if p.To != "" {
			to = "`" + string(p.To) + "`"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			strings.Join(from, ", "), p.Action, d.LabelZH, d.LabelEN, to, strings.Join(d.Who, "; "),
			CodeList(p.Requires), CodeList(p.Optional), OrDash(d.Condition), OrDash(d.Changes), OrDash(d.Notifies))
	}
	return b.String()
}

// CodeList renders field names as code, "—" for none.
func CodeList(fields []string) string {
	if len(fields) == 0 {
		return "—"
	}
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = "`" + f + "`"
	}
	return strings.Join(out, ", ")
}

// OrDash is s, or "—" when it is empty.
func OrDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// Style is how a page shows an action's button.
type Style string

// The styles.
const (
	StylePrimary Style = "primary" // what the role does most at this step: offered first
	StyleNormal  Style = "normal"
	StyleDanger  Style = "danger" // a refusal or an undoing: offered last, confirmed
)
