package workorder

import (
	"errors"
	"slices"
	"testing"
	"time"
)

const (
	leadDept  = "新泾镇城管执法中队"
	otherDept = "新泾派出所"
	grid      = "XJ-03"
	otherGrid = "XJ-07"
	raiser    = int64(42)
	orderID   = int64(1001)
)

// spec is the lifecycle table written out again by hand from the design
// brief, independently of Transitions, so the matrix test checks the table
// rather than reading it back.
var spec = map[Action]struct {
	from  []State
	roles []string
	to    State // empty: unchanged
}{
	ActFile:             {[]State{Received}, []string{"dispatcher"}, Filed},
	ActReject:           {[]State{Received}, []string{"dispatcher"}, Rejected},
	ActDispatch:         {[]State{Filed}, []string{"dispatcher"}, Dispatched},
	ActAccept:           {[]State{Dispatched}, []string{"handler"}, InProgress},
	ActReturn:           {[]State{Dispatched, InProgress}, []string{"handler"}, Filed},
	ActExtend:           {[]State{InProgress}, []string{"handler"}, ""},
	ActApproveExtension: {[]State{InProgress}, []string{"dispatcher"}, ""},
	ActRefuseExtension:  {[]State{InProgress}, []string{"dispatcher"}, ""},
	ActReport:           {[]State{InProgress}, []string{"handler"}, Handled},
	ActVerifyPass:       {[]State{Handled}, []string{"gridworker", "gridleader", "dispatcher"}, Closed},
	ActVerifyFail:       {[]State{Handled}, []string{"gridworker", "gridleader", "dispatcher"}, InProgress},
	ActRate:             {[]State{Closed}, []string{"dispatcher", "resident"}, Rated},
	ActEndCallback:      {[]State{Closed}, []string{"dispatcher"}, ""},
	ActReopen:           {[]State{Rated}, []string{"dispatcher"}, InProgress},
	ActSuspend:          {[]State{Received, Filed, Dispatched, InProgress, Handled}, []string{"dispatcher"}, ""},
	ActResume:           {[]State{Received, Filed, Dispatched, InProgress, Handled}, []string{"dispatcher"}, ""},
	ActEscalate:         {[]State{Received, Filed, Dispatched, InProgress, Handled}, []string{"leader", "system"}, ""},
	ActMerge:            {[]State{Received, Filed}, []string{"dispatcher"}, Merged},
	ActSelfHandle:       {[]State{Received}, []string{"gridworker", "gridleader"}, Closed},
	ActCoReport:         {[]State{Dispatched, InProgress}, []string{"handler"}, ""},
}

var allStates = []State{Received, Filed, Rejected, Dispatched, InProgress, Handled, Closed, Rated, Merged}

var allRoles = []string{"resident", "gridworker", "gridleader", "dispatcher", "handler", "leader", "deputy", "volunteer", "admin", "system"}

// expect returns the target state, or the sentinel error Decide must give.
func expect(o Order, role string, act Action) (State, error) {
	r := spec[act]
	if !slices.Contains(r.from, o.State) {
		return "", ErrWrongState
	}
	if o.Suspended && act != ActResume && act != ActEscalate {
		return "", ErrWrongState
	}
	switch {
	case act == ActResume && !o.Suspended,
		(act == ActApproveExtension || act == ActRefuseExtension) && !o.ExtensionPending,
		act == ActExtend && o.ExtensionPending,
		act == ActReopen && o.Satisfaction != Dissatisfied:
		return "", ErrWrongState
	}
	if !slices.Contains(r.roles, role) {
		return "", ErrForbidden
	}
	if act == ActCoReport {
		// The owning handler leads the fixture order; co-handling feedback is for the
		// co-handling departments only (TestAllowedActions tries one).
		return "", ErrForbidden
	}
	if r.to == "" {
		return o.State, nil
	}
	return r.to, nil
}

// owner returns an actor of role who owns the fixture order.
func owner(role string) Actor {
	return Actor{UserID: raiser, Role: role, Department: leadDept, Grids: []string{"XJ-01", grid}}
}

func fullInput() Input {
	dl := time.Date(2025, 10, 20, 17, 0, 0, 0, time.UTC)
	return Input{
		CallbackOutcome: CallbackUnreachable,
		Category:        "市容环境/乱堆物", Grid: grid, DeadlineClass: ClassGeneral,
		Department: leadDept, CoDepartments: []string{otherDept},
		Reason: "理由", Result: "已清理", Note: "现场核查", Photos: []string{"p/1.jpg"},
		Satisfaction: Dissatisfied, Comment: "还是很脏", DuplicateOf: 999, Deadline: &dl,
	}
}

func fixture(s State, suspended, pending bool, satisfaction string) Order {
	return Order{
		ID: orderID, State: s, Grid: grid, Department: leadDept, CoDepartments: []string{otherDept},
		Suspended: suspended, ExtensionPending: pending, Satisfaction: satisfaction, RaisedBy: raiser, Version: 7,
	}
}

func TestSpecCoversTable(t *testing.T) {
	if len(spec) != len(Transitions) {
		t.Fatalf("spec has %d actions, Transitions %d", len(spec), len(Transitions))
	}
	for _, tr := range Transitions {
		if _, ok := spec[tr.Action]; !ok {
			t.Errorf("action %s missing from the test spec", tr.Action)
		}
	}
}

// TestDecideMatrix tries every action × role × state × order condition
// (suspended, extension pending, rating) with an owning actor and complete
// input.
func TestDecideMatrix(t *testing.T) {
	in := fullInput()
	cases := 0
	for _, s := range allStates {
		for _, suspended := range []bool{false, true} {
			for _, pending := range []bool{false, true} {
				for _, sat := range []string{Dissatisfied, Satisfied} {
					o := fixture(s, suspended, pending, sat)
					for _, role := range allRoles {
						a := owner(role)
						allowed := AllowedActions(o, a)
						for act := range spec {
							cases++
							wantTo, wantErr := expect(o, role, act)
							d, err := Decide(o, a, act, in)
							if slices.Contains(allowed, act) != (wantErr == nil) {
								t.Errorf("%s by %s on %+v: AllowedActions disagrees (allowed=%v, want err %v)", act, role, o, allowed, wantErr)
							}
							if wantErr != nil {
								if !errors.Is(err, wantErr) {
									t.Errorf("%s by %s on %s (susp=%v pend=%v sat=%s): err = %v, want %v", act, role, s, suspended, pending, sat, err, wantErr)
								}
								continue
							}
							if err != nil {
								t.Errorf("%s by %s on %s (susp=%v pend=%v sat=%s): unexpected %v", act, role, s, suspended, pending, sat, err)
								continue
							}
							if d.To != wantTo || d.From != s || d.Action != act || d.Version != 7 {
								t.Errorf("%s by %s on %s: decision %+v, want To=%s", act, role, s, d, wantTo)
							}
						}
					}
				}
			}
		}
	}
	if cases != len(allStates)*8*len(allRoles)*len(spec) {
		t.Fatalf("ran %d cases", cases)
	}
}

func TestOwnership(t *testing.T) {
	in := fullInput()
	tests := []struct {
		name  string
		state State
		actor Actor
		act   Action
		raise int64 // order's RaisedBy
		want  error
	}{
		{"handler of another department cannot accept", Dispatched, Actor{Role: RoleHandler, Department: otherDept}, ActAccept, raiser, ErrForbidden},
		{"co-department handler cannot report", InProgress, Actor{Role: RoleHandler, Department: otherDept}, ActReport, raiser, ErrForbidden},
		{"handler without department cannot return", InProgress, Actor{Role: RoleHandler}, ActReturn, raiser, ErrForbidden},
		{"handler of another department cannot extend", InProgress, Actor{Role: RoleHandler, Department: "x"}, ActExtend, raiser, ErrForbidden},
		{"lead-department handler may accept", Dispatched, Actor{Role: RoleHandler, Department: leadDept}, ActAccept, raiser, nil},
		{"grid worker of another grid cannot verify", Handled, Actor{Role: RoleGridWorker, Grids: []string{otherGrid}}, ActVerifyPass, raiser, ErrForbidden},
		{"grid leader of another grid cannot fail verification", Handled, Actor{Role: RoleGridLeader, Grids: []string{otherGrid}}, ActVerifyFail, raiser, ErrForbidden},
		{"grid worker without grids cannot verify", Handled, Actor{Role: RoleGridWorker}, ActVerifyPass, raiser, ErrForbidden},
		{"grid worker of one of several grids may verify", Handled, Actor{Role: RoleGridWorker, Grids: []string{otherGrid, grid}}, ActVerifyPass, raiser, nil},
		{"resident may rate own order", Closed, Actor{UserID: raiser, Role: RoleResident}, ActRate, raiser, nil},
		{"resident cannot rate another's order", Closed, Actor{UserID: 7, Role: RoleResident}, ActRate, raiser, ErrForbidden},
		{"anonymous resident cannot rate an anonymous order", Closed, Actor{Role: RoleResident}, ActRate, 0, ErrForbidden},
		{"resident cannot reopen even own order", Rated, Actor{UserID: raiser, Role: RoleResident}, ActReopen, raiser, ErrForbidden},
		{"admin cannot dispatch", Filed, Actor{Role: RoleAdmin}, ActDispatch, raiser, ErrForbidden},
		{"system may escalate", InProgress, Actor{Role: RoleSystem}, ActEscalate, raiser, nil},
		{"grid worker may self-handle own report in own grid", Received, Actor{UserID: raiser, Role: RoleGridWorker, Grids: []string{grid}}, ActSelfHandle, raiser, nil},
		{"grid leader may self-handle own report in own grid", Received, Actor{UserID: raiser, Role: RoleGridLeader, Grids: []string{grid}}, ActSelfHandle, raiser, nil},
		{"grid worker cannot self-handle a colleague's report", Received, Actor{UserID: 7, Role: RoleGridWorker, Grids: []string{grid}}, ActSelfHandle, raiser, ErrForbidden},
		{"grid worker cannot self-handle a resident's or hotline order", Received, Actor{UserID: raiser, Role: RoleGridWorker, Grids: []string{grid}}, ActSelfHandle, 0, ErrForbidden},
		{"grid worker cannot self-handle own report in another grid", Received, Actor{UserID: raiser, Role: RoleGridWorker, Grids: []string{otherGrid}}, ActSelfHandle, raiser, ErrForbidden},
		{"grid worker without a user id cannot self-handle", Received, Actor{Role: RoleGridWorker, Grids: []string{grid}}, ActSelfHandle, 0, ErrForbidden},
		{"dispatcher cannot self-handle even an order raised by them", Received, Actor{UserID: raiser, Role: RoleDispatcher}, ActSelfHandle, raiser, ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := fixture(tt.state, false, false, Dissatisfied)
			o.RaisedBy = tt.raise
			_, err := Decide(o, tt.actor, tt.act, in)
			if tt.want == nil && err != nil {
				t.Fatalf("unexpected %v", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// blankField removes or spoils one field of an otherwise complete input.
func blankField(in Input, field string) Input {
	switch field {
	case FieldCategory:
		in.Category = ""
	case FieldGrid:
		in.Grid = "  "
	case FieldDepartment:
		in.Department = ""
		in.CoDepartments = nil
	case FieldReason:
		in.Reason = ""
	case FieldResult:
		in.Result = "\t"
	case FieldNote:
		in.Note = ""
	case FieldPhotos:
		in.Photos = nil
	case FieldSatisfaction:
		in.Satisfaction = ""
	case FieldCallbackOutcome:
		in.CallbackOutcome = ""
	case FieldDuplicateOf:
		in.DuplicateOf = 0
	case FieldDeadline:
		in.Deadline = nil
	default:
		panic("test does not know field " + field)
	}
	return in
}

// ownerState returns a state, condition and actor in which act is allowed.
func allowedSetup(act Action) (Order, Actor) {
	r := spec[act]
	o := fixture(r.from[0], act == ActResume, act == ActApproveExtension || act == ActRefuseExtension, Dissatisfied)
	if act == ActCoReport {
		return o, Actor{UserID: 12, Role: RoleHandler, Department: otherDept}
	}
	return o, owner(r.roles[0])
}

func TestMissingFields(t *testing.T) {
	want := map[Action][]string{
		ActFile:            {FieldCategory, FieldGrid},
		ActReject:          {FieldReason},
		ActDispatch:        {FieldDepartment},
		ActReturn:          {FieldReason},
		ActExtend:          {FieldDeadline, FieldReason},
		ActRefuseExtension: {FieldReason},
		ActReport:          {FieldResult, FieldPhotos},
		ActVerifyPass:      {FieldNote},
		ActVerifyFail:      {FieldReason},
		ActRate:            {FieldSatisfaction},
		ActEndCallback:     {FieldCallbackOutcome},
		ActReopen:          {FieldReason},
		ActSuspend:         {FieldReason},
		ActEscalate:        {FieldNote},
		ActMerge:           {FieldDuplicateOf},
		ActSelfHandle:      {FieldResult, FieldPhotos},
		ActCoReport:        {FieldNote},
	}
	for act := range spec {
		o, a := allowedSetup(act)
		if _, err := Decide(o, a, act, Input{}); (err != nil) != (len(want[act]) > 0) {
			t.Errorf("%s with empty input: err = %v, want required %v", act, err, want[act])
		}
		for _, f := range want[act] {
			_, err := Decide(o, a, act, blankField(fullInput(), f))
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != f {
				t.Errorf("%s without %s: err = %v, want *FieldError for %s", act, f, err, f)
				continue
			}
			if !errors.Is(err, ErrInvalidInput) {
				t.Errorf("%s without %s: not ErrInvalidInput", act, f)
			}
		}
	}
}

func TestInvalidFields(t *testing.T) {
	tests := []struct {
		name  string
		act   Action
		edit  func(*Input)
		field string
	}{
		{"unknown deadline class", ActFile, func(in *Input) { in.DeadlineClass = "urgent" }, FieldDeadlineClass},
		{"co-department equals lead", ActDispatch, func(in *Input) { in.CoDepartments = []string{leadDept} }, FieldCoDepartments},
		{"co-department twice", ActDispatch, func(in *Input) { in.CoDepartments = []string{otherDept, otherDept} }, FieldCoDepartments},
		{"empty co-department", ActDispatch, func(in *Input) { in.CoDepartments = []string{""} }, FieldCoDepartments},
		{"empty photo", ActReport, func(in *Input) { in.Photos = []string{"a.jpg", " "} }, FieldPhotos},
		{"empty photo on self-handling", ActSelfHandle, func(in *Input) { in.Photos = []string{" "} }, FieldPhotos},
		{"empty optional photo on verify", ActVerifyPass, func(in *Input) { in.Photos = []string{""} }, FieldPhotos},
		{"unknown satisfaction", ActRate, func(in *Input) { in.Satisfaction = "great" }, FieldSatisfaction},
		{"merge into itself", ActMerge, func(in *Input) { in.DuplicateOf = orderID }, FieldDuplicateOf},
		{"negative duplicate", ActMerge, func(in *Input) { in.DuplicateOf = -5 }, FieldDuplicateOf},
		{"zero deadline", ActExtend, func(in *Input) { in.Deadline = &time.Time{} }, FieldDeadline},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, a := allowedSetup(tt.act)
			in := fullInput()
			tt.edit(&in)
			_, err := Decide(o, a, tt.act, in)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("err = %v, want *FieldError for %s", err, tt.field)
			}
		})
	}
	// Optional fields really are optional.
	o, a := allowedSetup(ActFile)
	in := fullInput()
	in.DeadlineClass = ""
	if _, err := Decide(o, a, ActFile, in); err != nil {
		t.Errorf("file without deadline_class: %v", err)
	}
	o, a = allowedSetup(ActDispatch)
	in.CoDepartments = nil
	if _, err := Decide(o, a, ActDispatch, in); err != nil {
		t.Errorf("dispatch without co_departments: %v", err)
	}
}

func TestCheckOrder(t *testing.T) {
	tests := []struct {
		name  string
		state State
		actor Actor
		act   Action
		in    Input
		want  error
	}{
		{"unknown action beats everything", Closed, Actor{Role: RoleResident}, "launch", Input{}, ErrUnknownAction},
		{"wrong state beats forbidden", Closed, Actor{Role: RoleResident}, ActFile, Input{}, ErrWrongState},
		{"forbidden beats missing fields", Received, Actor{Role: RoleResident}, ActFile, Input{}, ErrForbidden},
		{"fields last", Received, Actor{Role: RoleDispatcher}, ActFile, Input{}, ErrInvalidInput},
		{"unknown state is a wrong state", "archived", Actor{Role: RoleDispatcher}, ActFile, fullInput(), ErrWrongState},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decide(fixture(tt.state, false, false, ""), tt.actor, tt.act, tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			for _, other := range []error{ErrUnknownAction, ErrWrongState, ErrForbidden, ErrInvalidInput} {
				if other != tt.want && errors.Is(err, other) {
					t.Errorf("err %v also matches %v", err, other)
				}
			}
		})
	}
}

func TestDecisionEffects(t *testing.T) {
	dl := *fullInput().Deadline
	tests := []struct {
		act  Action
		want Decision // Action, From, To, Version, Effects and Notify are checked apart
	}{
		{ActFile, Decision{NewDeadlineClass: ClassGeneral}},
		{ActReturn, Decision{}},
		{ActExtend, Decision{NewDeadline: &dl}},
		{ActApproveExtension, Decision{}},
		{ActRefuseExtension, Decision{}},
		{ActVerifyFail, Decision{}},
		{ActRate, Decision{Satisfaction: Dissatisfied}},
		{ActReopen, Decision{NewDeadlineClass: ClassRehandle}},
		{ActSuspend, Decision{}},
		{ActResume, Decision{}},
		{ActEscalate, Decision{}},
		{ActMerge, Decision{DuplicateOf: 999}},
		{ActSelfHandle, Decision{}},
		{ActAccept, Decision{}},
		{ActCoReport, Decision{}},
	}
	for _, tt := range tests {
		o, a := allowedSetup(tt.act)
		d, err := Decide(o, a, tt.act, fullInput())
		if err != nil {
			t.Errorf("%s: %v", tt.act, err)
			continue
		}
		row, _ := Lookup(tt.act)
		if !slices.Equal(d.Effects, row.Effects) || len(d.Notify) != len(row.Notify) {
			t.Errorf("%s: decision carries effects %v and %d notices, the table %v and %d", tt.act, d.Effects, len(d.Notify), row.Effects, len(row.Notify))
		}
		if d.NewDeadlineClass != tt.want.NewDeadlineClass || d.DuplicateOf != tt.want.DuplicateOf || d.Satisfaction != tt.want.Satisfaction ||
			(d.NewDeadline == nil) != (tt.want.NewDeadline == nil) || (d.NewDeadline != nil && !d.NewDeadline.Equal(*tt.want.NewDeadline)) {
			t.Errorf("%s: decision %+v, want %+v", tt.act, d, tt.want)
		}
	}
	// The decision's deadline is a copy: changing the input afterwards changes nothing.
	o, a := allowedSetup(ActExtend)
	in := fullInput()
	d, _ := Decide(o, a, ActExtend, in)
	*in.Deadline = in.Deadline.Add(time.Hour)
	if !d.NewDeadline.Equal(dl) {
		t.Error("decision shares the input's deadline")
	}
}

func TestAllowedActions(t *testing.T) {
	tests := []struct {
		name  string
		order Order
		actor Actor
		want  []Action
	}{
		{"dispatcher, new order", fixture(Received, false, false, ""), owner(RoleDispatcher),
			[]Action{ActFile, ActReject, ActSuspend, ActMerge}},
		{"lead handler, in progress", fixture(InProgress, false, false, ""), owner(RoleHandler),
			[]Action{ActReturn, ActExtend, ActReport}},
		{"lead handler, extension pending", fixture(InProgress, false, true, ""), owner(RoleHandler),
			[]Action{ActReturn, ActReport}},
		{"dispatcher, extension pending", fixture(InProgress, false, true, ""), owner(RoleDispatcher),
			[]Action{ActApproveExtension, ActRefuseExtension, ActSuspend}},
		{"dispatcher, suspended", fixture(Dispatched, true, false, ""), owner(RoleDispatcher),
			[]Action{ActResume}},
		{"co-handling handler, dispatched", fixture(Dispatched, false, false, ""), Actor{Role: RoleHandler, Department: otherDept}, []Action{ActCoReport}},
		{"co-handling handler, handled", fixture(Handled, false, false, ""), Actor{Role: RoleHandler, Department: otherDept}, nil},
		{"unrelated handler, dispatched", fixture(Dispatched, false, false, ""), Actor{Role: RoleHandler, Department: "no-such-dept"}, nil},
		{"resident, closed", fixture(Closed, false, false, ""), owner(RoleResident), []Action{ActRate}},
		{"dispatcher, rated satisfied", fixture(Rated, false, false, Satisfied), owner(RoleDispatcher), nil},
		{"volunteer", fixture(Handled, false, false, ""), owner(RoleVolunteer), nil},
		{"grid worker, own new patrol report", fixture(Received, false, false, ""), owner(RoleGridWorker), []Action{ActSelfHandle}},
		{"grid worker, a colleague's new report", fixture(Received, false, false, ""), Actor{UserID: 7, Role: RoleGridWorker, Grids: []string{grid}}, nil},
		{"grid worker, own suspended report", fixture(Received, true, false, ""), owner(RoleGridWorker), nil},
	}
	for _, tt := range tests {
		if got := AllowedActions(tt.order, tt.actor); !slices.Equal(got, tt.want) {
			t.Errorf("%s: AllowedActions = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// A callback ends once: by a rating or by end_callback's outcome, never both, and the outcome
// is one of the three the table names.
func TestCallbackEndsOnce(t *testing.T) {
	disp := Actor{UserID: 3, Role: RoleDispatcher}
	o := fixture(Closed, false, false, "")
	d, err := Decide(o, disp, ActEndCallback, Input{CallbackOutcome: CallbackDeclined})
	if err != nil {
		t.Fatal(err)
	}
	if d.To != Closed || d.CallbackOutcome != CallbackDeclined {
		t.Fatalf("end_callback: to %s, outcome %q; want closed, declined", d.To, d.CallbackOutcome)
	}
	var fe *FieldError
	if _, err := Decide(o, disp, ActEndCallback, Input{}); !errors.As(err, &fe) || fe.Field != FieldCallbackOutcome {
		t.Errorf("no outcome: err = %v, want a FieldError for callback_outcome", err)
	}
	if _, err := Decide(o, disp, ActEndCallback, Input{CallbackOutcome: "busy"}); !errors.As(err, &fe) || fe.Field != FieldCallbackOutcome {
		t.Errorf("unknown outcome: err = %v, want a FieldError for callback_outcome", err)
	}
	if _, err := Decide(o, Actor{UserID: raiser, Role: RoleResident}, ActEndCallback, Input{CallbackOutcome: CallbackDeclined}); !errors.Is(err, ErrForbidden) {
		t.Errorf("resident ends the callback: err = %v, want forbidden", err)
	}
	o.CallbackOutcome = CallbackUnreachable
	for _, act := range []Action{ActEndCallback, ActRate} {
		if _, err := Decide(o, disp, act, fullInput()); !errors.Is(err, ErrWrongState) {
			t.Errorf("%s after the callback ended: err = %v, want wrong state", act, err)
		}
	}
	if got := AllowedActions(o, disp); slices.Contains(got, ActRate) || slices.Contains(got, ActEndCallback) {
		t.Errorf("allowed after the callback ended: %v", got)
	}
	if got := AllowedActions(fixture(Closed, false, false, ""), disp); !slices.Contains(got, ActRate) || !slices.Contains(got, ActEndCallback) {
		t.Errorf("allowed while the callback runs: %v, want rate and end_callback", got)
	}
}
