package workorder

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/lifecycle"
	"github.com/civicgrid/civicgrid/internal/problem"
)

// Errors returned by Decide, to be told apart with errors.Is. Each is also one of problem's, which
// gives its HTTP status: ErrUnknownAction problem.ErrBadRequest (400), ErrWrongState
// problem.ErrConflict (409), ErrForbidden problem.ErrForbidden (403), ErrInvalidInput (every
// *FieldError) problem.ErrInvalid (422).
var (
	ErrUnknownAction = problem.New(problem.ErrBadRequest, "action", "unknown action")
	ErrWrongState    = problem.New(problem.ErrConflict, "", "action not possible in the order's current state")
	ErrForbidden     = problem.New(problem.ErrForbidden, "", "not allowed for this actor")
	ErrInvalidInput  = problem.ErrInvalid
)

// FieldError names an input field that is missing or wrong: problem's, so that there is one
// field error in the code base. It matches ErrInvalidInput under errors.Is.
type FieldError = problem.FieldError

// Order is the part of a work order a decision depends on.
type Order struct {
	ID               int64 // to refuse merging an order into itself
	State            State
	Grid             string // grid code
	Department       string // lead department (主办)
	CoDepartments    []string
	Suspended        bool
	ExtensionPending bool
	Satisfaction     string
	CallbackOutcome  string // how the callback ended without a rating; "" while it runs or once rated
	RaisedBy         int64  // user id of who raised it (a resident, or a grid worker on patrol); 0 if anonymous or external
	Version          int
}

// Actor is who asks for the action.
type Actor struct {
	UserID     int64
	Role       string
	Department string   // for handlers
	Grids      []string // for grid workers and grid leaders
}

// Input is what the actor submits with the action. Fields an action does
// not use are ignored.
type Input struct {
	Category      string
	Grid          string
	DeadlineClass string
	Department    string
	CoDepartments []string
	Reason        string
	Result        string
	Note          string
	Photos        []string
	Satisfaction  string
	Comment       string
	DuplicateOf   int64
	// CallbackOutcome is one of CallbackOutcomes (end_callback).
	CallbackOutcome string
	Deadline        *time.Time
}

// Decision is what the store must do to apply an allowed action: the table row's effects and
// notices, and what those effects take from the input.
type Decision struct {
	Action  Action
	From    State
	To      State // resulting state; equals From when the action keeps the state
	Version int   // the Order.Version decided on: update only if it is unchanged

	Effects []Effect // the row's effects, to apply in this order
	Notify  []Notice // the row's notices, to send once applied

	// NewDeadlineClass is the class of start_clock (the dispatcher's choice; empty: the
	// channel's or category's class) and of restart_clock (rehandle).
	NewDeadlineClass string
	NewDeadline      *time.Time // for request_extension
	DuplicateOf      int64      // for mark_duplicate
	Satisfaction     string     // for set_satisfaction
	CallbackOutcome  string     // for set_callback_outcome
}

// Decide checks whether actor a may take action act on order o with input
// in, and says what follows. Checks run in a fixed order, and the first
// failure is returned:
//
//  1. the action exists (ErrUnknownAction);
//  2. the order's state and condition allow it (ErrWrongState): suspended,
//     extension pending, rated dissatisfied;
//  3. the actor's role and ownership allow it (ErrForbidden);
//  4. the input carries the required fields (*FieldError, ErrInvalidInput).
//
// State comes before permission so that everyone sees the same 409 for a
// stale screen, and permission before input so that an actor without the
// right learns nothing from field validation.
func Decide(o Order, a Actor, act Action, in Input) (Decision, error) {
	t, err := engine.Decide(o, a, act, in)
	if err != nil {
		return Decision{}, err
	}
	return decision(t, o, in), nil
}

// AllowedActions lists, in table order, the actions a may take on o now,
// input aside: the ones for which Decide would not fail on state or
// permission.
func AllowedActions(o Order, a Actor) []Action {
	return engine.Allowed(o, a)
}

// engine runs Transitions through the lifecycle engine (internal/lifecycle), which owns the
// order of the checks; this package supplies what is particular to work orders: suspension and
// the guards, ownership by department, grid and reporter, and the input fields.
var engine = lifecycle.Engine[Transition, State, Action, Order, Actor, Input]{
	Noun:          "an order",
	Rows:          Transitions,
	Spec:          func(t Transition) lifecycle.Spec[State, Action] { return t.spec() },
	State:         func(o Order) State { return o.State },
	Role:          func(a Actor) string { return a.Role },
	Condition:     checkCondition,
	Owns:          checkOwnership,
	Field:         checkField,
	ErrUnknown:    ErrUnknownAction,
	ErrWrongState: ErrWrongState,
	ErrForbidden:  ErrForbidden,
}

func (t Transition) spec() lifecycle.Spec[State, Action] {
	return lifecycle.Spec[State, Action]{From: t.From, Action: t.Action, To: t.To, Roles: t.Roles, Requires: t.Requires, Optional: t.Optional}
}

func checkField(f string, required bool, o Order, in Input) error {
	if required {
		return requireField(f, o, in)
	}
	return checkOptional(f, o, in)
}

// checkCondition is what a work order needs beyond its state: not suspended (unless the row
// allows it), and the row's guard.
func checkCondition(t Transition, o Order) error {
	if o.Suspended && !t.WhileSuspended {
		return fmt.Errorf("%w: cannot %s a suspended order; resume it first", ErrWrongState, t.Action)
	}
	var fail string
	switch t.Guard {
	case GuardSuspended:
		if !o.Suspended {
			fail = "it is not suspended"
		}
	case GuardExtensionPending:
		if !o.ExtensionPending {
			fail = "no extension is pending"
		}
	case GuardNoExtensionPending:
		if o.ExtensionPending {
			fail = "an extension is already pending"
		}
	case GuardDissatisfied:
		if o.Satisfaction != Dissatisfied {
			fail = "only a dissatisfied rating can be reopened"
		}
	case GuardCallbackPending:
		if o.CallbackOutcome != "" {
			fail = "its callback already has an outcome"
		}
	}
	if fail != "" {
		return fmt.Errorf("%w: cannot %s an order in state %s: %s", ErrWrongState, t.Action, o.State, fail)
	}
	return nil
}

// checkOwnership is the ownership rule that comes with a role (see Transition), and the row's
// narrowing of it.
func checkOwnership(t Transition, o Order, a Actor) error {
	switch a.Role {
	case RoleHandler:
		if t.CoHandler {
			if a.Department == "" || !slices.Contains(o.CoDepartments, a.Department) {
				return fmt.Errorf("%w: only a handler of a co-handling department may %s this order", ErrForbidden, t.Action)
			}
			break
		}
		if a.Department == "" || a.Department != o.Department {
			return fmt.Errorf("%w: only a handler of the lead department %q may %s this order", ErrForbidden, o.Department, t.Action)
		}
	case RoleGridWorker, RoleGridLeader:
		if !slices.Contains(a.Grids, o.Grid) || o.Grid == "" {
			return fmt.Errorf("%w: only a %s of grid %q may %s this order", ErrForbidden, a.Role, o.Grid, t.Action)
		}
	case RoleResident:
		if a.UserID == 0 || a.UserID != o.RaisedBy {
			return fmt.Errorf("%w: a resident may %s only an order they raised", ErrForbidden, t.Action)
		}
	}
	if t.OwnRaised && (a.UserID == 0 || a.UserID != o.RaisedBy) {
		return fmt.Errorf("%w: only the one who reported this order may %s it", ErrForbidden, t.Action)
	}
	return nil
}

func checkInput(t Transition, o Order, in Input) error {
	for _, f := range t.Requires {
		if err := requireField(f, o, in); err != nil {
			return err
		}
	}
	for _, f := range t.Optional {
		if err := checkOptional(f, o, in); err != nil {
			return err
		}
	}
	return nil
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

func requireField(f string, o Order, in Input) error {
	missing := &FieldError{Field: f, Reason: "required"}
	switch f {
	case FieldCategory:
		if blank(in.Category) {
			return missing
		}
	case FieldGrid:
		if blank(in.Grid) {
			return missing
		}
	case FieldDepartment:
		if blank(in.Department) {
			return missing
		}
	case FieldReason:
		if blank(in.Reason) {
			return missing
		}
	case FieldResult:
		if blank(in.Result) {
			return missing
		}
	case FieldNote:
		if blank(in.Note) {
			return missing
		}
	case FieldPhotos:
		if len(in.Photos) == 0 {
			return &FieldError{Field: f, Reason: "at least one photo is required"}
		}
		return checkOptional(f, o, in)
	case FieldSatisfaction:
		if in.Satisfaction == "" {
			return missing
		}
		return checkOptional(f, o, in)
	case FieldCallbackOutcome:
		if in.CallbackOutcome == "" {
			return missing
		}
		return checkOptional(f, o, in)
	case FieldDuplicateOf:
		if in.DuplicateOf == 0 {
			return missing
		}
		if in.DuplicateOf < 0 {
			return &FieldError{Field: f, Reason: "must be an order id"}
		}
		if in.DuplicateOf == o.ID {
			return &FieldError{Field: f, Reason: "an order cannot be a duplicate of itself"}
		}
	case FieldDeadline:
		if in.Deadline == nil || in.Deadline.IsZero() {
			return missing
		}
	default:
		return checkOptional(f, o, in)
	}
	return nil
}

// checkOptional validates a field if it is present.
func checkOptional(f string, o Order, in Input) error {
	switch f {
	case FieldDeadlineClass:
		if in.DeadlineClass != "" && !ValidClass(in.DeadlineClass) {
			return &FieldError{Field: f, Reason: fmt.Sprintf("unknown class %q", in.DeadlineClass)}
		}
	case FieldCoDepartments:
		seen := make(map[string]bool, len(in.CoDepartments))
		for _, d := range in.CoDepartments {
			switch {
			case blank(d):
				return &FieldError{Field: f, Reason: "contains an empty department"}
			case d == in.Department:
				return &FieldError{Field: f, Reason: fmt.Sprintf("%q is already the lead department", d)}
			case seen[d]:
				return &FieldError{Field: f, Reason: fmt.Sprintf("%q listed twice", d)}
			}
			seen[d] = true
		}
	case FieldPhotos:
		for i, p := range in.Photos {
			if blank(p) {
				return &FieldError{Field: f, Reason: fmt.Sprintf("photo %d is empty", i+1)}
			}
		}
	case FieldSatisfaction:
		if in.Satisfaction != "" && !ValidSatisfaction(in.Satisfaction) {
			return &FieldError{Field: f, Reason: fmt.Sprintf("%q is not one of satisfied, basically_satisfied, dissatisfied", in.Satisfaction)}
		}
	case FieldCallbackOutcome:
		if in.CallbackOutcome != "" && !ValidCallbackOutcome(in.CallbackOutcome) {
			return &FieldError{Field: f, Reason: fmt.Sprintf("%q is not one of unreachable, declined, no_contact", in.CallbackOutcome)}
		}
	}
	return nil
}

func decision(t Transition, o Order, in Input) Decision {
	d := Decision{Action: t.Action, From: o.State, To: t.To, Version: o.Version, Effects: t.Effects, Notify: t.Notify}
	if d.To == "" {
		d.To = o.State
	}
	for _, e := range t.Effects {
		switch e {
		case EffStartClock:
			d.NewDeadlineClass = in.DeadlineClass
		case EffRestartClock:
			d.NewDeadlineClass = ClassRehandle
		case EffRequestExtension:
			dl := *in.Deadline
			d.NewDeadline = &dl
		case EffMarkDuplicate:
			d.DuplicateOf = in.DuplicateOf
		case EffSetSatisfaction:
			d.Satisfaction = in.Satisfaction
		case EffSetCallbackOutcome:
			d.CallbackOutcome = in.CallbackOutcome
		}
	}
	return d
}
