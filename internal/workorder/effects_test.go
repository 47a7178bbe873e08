package workorder

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/problem"
)

// effectSpec is what each action does besides its state, written out again by hand from the
// behaviour the store had before the effects became data (orders.apply and notifyFor switching
// on the action, the order page's danger list), independently of Transitions.
var effectSpec = map[Action]struct {
	effects []Effect
	notice  string // "kind → audience + audience [when]", or "" for none
	style   Style
}{
	ActFile:             {[]Effect{EffSetPlace, EffStartClock, EffStampFiled, EffStageClocks}, "", StylePrimary},
	ActReject:           {[]Effect{EffStageClocks}, "", StyleDanger},
	ActDispatch:         {[]Effect{EffSetDepartments, EffStageClocks}, "assigned → lead_department + co_departments", StylePrimary},
	ActAccept:           {[]Effect{EffStageClocks}, "", StylePrimary},
	ActReturn:           {[]Effect{EffClearDepartments, EffCountReturn, EffStageClocks}, "returned → dispatchers", StyleDanger},
	ActExtend:           {[]Effect{EffRequestExtension}, "extension → dispatchers", StyleNormal},
	ActApproveExtension: {[]Effect{EffGrantExtension}, "extension → lead_department", StylePrimary},
	ActRefuseExtension:  {[]Effect{EffDropExtension}, "extension → lead_department", StyleDanger},
	ActReport:           {[]Effect{EffSetResult, EffStageClocks}, "handled → grid_staff", StylePrimary},
	ActVerifyPass:       {[]Effect{EffStampClosed, EffStageClocks}, "", StylePrimary},
	ActVerifyFail:       {[]Effect{EffCountRework, EffStageClocks}, "rework → lead_department", StyleDanger},
	ActRate:             {[]Effect{EffSetSatisfaction, EffStageClocks}, "rated → dispatchers [rated_dissatisfied]", StylePrimary},
	ActReopen:           {[]Effect{EffRestartClock, EffCountReopen, EffClearRating, EffStageClocks}, "rework → lead_department", StylePrimary},
	ActSuspend:          {[]Effect{EffStopClock}, "", StyleNormal},
	ActResume:           {[]Effect{EffResumeClock}, "", StylePrimary},
	ActEscalate:         {[]Effect{EffEscalate}, "escalated → stage_owner + leaders", StylePrimary},
	ActMerge:            {[]Effect{EffMarkDuplicate, EffStageClocks}, "", StyleDanger},
	ActSelfHandle:       {[]Effect{EffMarkSelfHandled, EffSetResult, EffStampClosed, EffStageClocks}, "", StylePrimary},
	ActCoReport:         {[]Effect{EffStageClocks}, "co_reported → lead_department", StylePrimary},
	ActEndCallback:      {[]Effect{EffSetCallbackOutcome, EffStageClocks}, "", StyleNormal},
}

// buttonOrder is the intended order of the order page's buttons (issue #11): what each role does
// most first (file, dispatch, accept, report handled, verify pass, …), then the secondary
// actions (ask for an extension, suspend), then the destructive ones (merge, return, refuse,
// rework, reject), so a handler who accepted reads 处置反馈, 延期申请, 退单 and a dispatcher reads
// 立案 … 不予立案.
var buttonOrder = []Action{ActFile, ActDispatch, ActAccept, ActReport, ActCoReport, ActVerifyPass, ActApproveExtension, ActRate,
	ActEndCallback, ActReopen, ActResume, ActEscalate, ActSelfHandle, ActExtend, ActSuspend, ActMerge, ActReturn, ActRefuseExtension,
	ActVerifyFail, ActReject}

func noticeSpec(ns []Notice) string {
	var out []string
	for _, n := range ns {
		to := make([]string, len(n.To))
		for i, a := range n.To {
			to[i] = string(a)
		}
		s := string(n.Kind) + " → " + strings.Join(to, " + ")
		if n.When != Always {
			s += " [" + string(n.When) + "]"
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}

func TestEffectsMatchSpec(t *testing.T) {
	if len(effectSpec) != len(Transitions) || len(buttonOrder) != len(Transitions) {
		t.Fatalf("effect spec has %d actions, button order %d, Transitions %d", len(effectSpec), len(buttonOrder), len(Transitions))
	}
	for _, tr := range Transitions {
		want, ok := effectSpec[tr.Action]
		if !ok {
			t.Errorf("action %s missing from the effect spec", tr.Action)
			continue
		}
		if !slices.Equal(tr.Effects, want.effects) {
			t.Errorf("%s: effects %v, spec %v", tr.Action, tr.Effects, want.effects)
		}
		if got := noticeSpec(tr.Notify); got != want.notice {
			t.Errorf("%s: notices %q, spec %q", tr.Action, got, want.notice)
		}
		if tr.Show.Style != want.style {
			t.Errorf("%s: style %s, spec %s", tr.Action, tr.Show.Style, want.style)
		}
	}
	// Every subset of actions comes out in the page's order, whatever order it went in.
	rev := slices.Clone(buttonOrder)
	slices.Reverse(rev)
	if got := InButtonOrder(rev); !slices.Equal(got, buttonOrder) {
		t.Errorf("InButtonOrder = %v, want %v", got, buttonOrder)
	}
	some := []Action{ActMerge, ActSuspend, ActReject, ActFile}
	if got := InButtonOrder(some); !slices.Equal(got, []Action{ActFile, ActSuspend, ActMerge, ActReject}) {
		t.Errorf("InButtonOrder(%v) = %v", some, got)
	}
	if some[0] != ActMerge {
		t.Error("InButtonOrder changed its argument")
	}
}

// TestEffectsDeclared makes sure every row says what it does and how it is shown, in words the
// docs and the store know.
func TestEffectsDeclared(t *testing.T) {
	weights := map[int]Action{}
	placeholder := regexp.MustCompile(`\{[a-z_]+\}`)
	for _, tr := range Transitions {
		if tr.To == "" && len(tr.Effects) == 0 && len(tr.Notify) == 0 {
			t.Errorf("%s keeps the state and declares no effect: it would do nothing", tr.Action)
		}
		if tr.Show.Style != StylePrimary && tr.Show.Style != StyleNormal && tr.Show.Style != StyleDanger {
			t.Errorf("%s: style %q not declared", tr.Action, tr.Show.Style)
		}
		if tr.Show.Weight <= 0 {
			t.Errorf("%s: no button weight", tr.Action)
		} else if other, dup := weights[tr.Show.Weight]; dup {
			t.Errorf("%s and %s share weight %d", tr.Action, other, tr.Show.Weight)
		}
		weights[tr.Show.Weight] = tr.Action
		seen := map[Effect]bool{}
		for _, e := range tr.Effects {
			if _, ok := EffectLabels[e]; !ok {
				t.Errorf("%s: effect %q has no label", tr.Action, e)
			}
			if seen[e] {
				t.Errorf("%s: effect %s listed twice", tr.Action, e)
			}
			seen[e] = true
		}
		for _, n := range tr.Notify {
			if n.Kind == "" || len(n.To) == 0 || n.Text == "" {
				t.Errorf("%s: incomplete notice %+v", tr.Action, n)
			}
			for _, a := range n.To {
				if _, ok := AudienceLabels[a]; !ok {
					t.Errorf("%s: audience %q has no label", tr.Action, a)
				}
			}
			if n.When != Always && n.When != WhenRatedDissatisfied {
				t.Errorf("%s: unknown condition %q", tr.Action, n.When)
			}
			for _, p := range placeholder.FindAllString(n.Text, -1) {
				if !slices.ContainsFunc(Placeholders, func(ph struct{ Name, Doc string }) bool { return ph.Name == p }) {
					t.Errorf("%s: notice uses unknown placeholder %s", tr.Action, p)
				}
			}
			if !strings.Contains(n.Text, PhOrder) {
				t.Errorf("%s: notice %q does not name the order", tr.Action, n.Text)
			}
		}
	}
	// The inputs the effects read are inputs the row takes.
	for _, tr := range Transitions {
		uses := append(slices.Clone(tr.Requires), tr.Optional...)
		for e, f := range map[Effect]string{EffSetPlace: FieldCategory, EffSetDepartments: FieldDepartment,
			EffRequestExtension: FieldDeadline, EffSetResult: FieldResult, EffSetSatisfaction: FieldSatisfaction, EffMarkDuplicate: FieldDuplicateOf} {
			if tr.Has(e) && !slices.Contains(uses, f) {
				t.Errorf("%s: effect %s reads %s, which the row does not take", tr.Action, e, f)
			}
		}
	}
}

func TestConditionHolds(t *testing.T) {
	if !Always.Holds(Order{}) || WhenRatedDissatisfied.Holds(Order{Satisfaction: Satisfied}) ||
		!WhenRatedDissatisfied.Holds(Order{Satisfaction: Dissatisfied}) {
		t.Error("conditions misjudge")
	}
}

// The package's errors speak problem's vocabulary too, with their own text unchanged.
func TestErrorsWrapProblem(t *testing.T) {
	o := fixture(Closed, false, false, "")
	_, err := Decide(o, owner(RoleDispatcher), ActFile, fullInput())
	if !errors.Is(err, ErrWrongState) || !errors.Is(err, problem.ErrConflict) || errors.Is(err, problem.ErrForbidden) {
		t.Errorf("wrong state: %v", err)
	}
	if !strings.HasPrefix(err.Error(), "action not possible in the order's current state: cannot file") {
		t.Errorf("wrong-state text changed: %q", err)
	}
	_, err = Decide(fixture(Received, false, false, ""), owner(RoleResident), ActFile, fullInput())
	if !errors.Is(err, ErrForbidden) || !errors.Is(err, problem.ErrForbidden) || errors.Is(err, problem.ErrConflict) {
		t.Errorf("forbidden: %v", err)
	}
	if !strings.HasPrefix(err.Error(), "not allowed for this actor: role") {
		t.Errorf("forbidden text changed: %q", err)
	}
}

// TestButtonOrderByRole spells out, per role and step, the buttons the order page offers: the
// primary action first and the destructive ones last (issue #11).
func TestButtonOrderByRole(t *testing.T) {
	tests := []struct {
		name  string
		order Order
		actor Actor
		want  []Action
	}{
		{"handler, accepted", fixture(InProgress, false, false, ""), owner(RoleHandler), []Action{ActReport, ActExtend, ActReturn}},
		{"handler, dispatched", fixture(Dispatched, false, false, ""), owner(RoleHandler), []Action{ActAccept, ActReturn}},
		{"dispatcher, new order", fixture(Received, false, false, ""), owner(RoleDispatcher), []Action{ActFile, ActSuspend, ActMerge, ActReject}},
		{"dispatcher, filed", fixture(Filed, false, false, ""), owner(RoleDispatcher), []Action{ActDispatch, ActSuspend, ActMerge}},
		{"dispatcher, extension pending", fixture(InProgress, false, true, ""), owner(RoleDispatcher), []Action{ActApproveExtension, ActSuspend, ActRefuseExtension}},
		{"grid worker, verifying", fixture(Handled, false, false, ""), owner(RoleGridWorker), []Action{ActVerifyPass, ActVerifyFail}},
	}
	for _, tt := range tests {
		got := InButtonOrder(AllowedActions(tt.order, tt.actor))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: buttons %v, want %v", tt.name, got, tt.want)
		}
		if tr, _ := Lookup(got[0]); tr.Show.Style == StyleDanger {
			t.Errorf("%s: the first button %s is a danger one", tt.name, got[0])
		}
	}
}

// TestStageClocksDeclared: a row moves stage clocks exactly when it takes effect stage_clocks, and
// names only known stages; every stage is started and ended by some action (filing starts at
// receipt).
func TestStageClocksDeclared(t *testing.T) {
	started, ended := map[Stage]bool{StageFiling: true}, map[Stage]bool{}
	for _, tr := range Transitions {
		moves := len(tr.Stages.End)+len(tr.Stages.Start) > 0
		if moves != tr.Has(EffStageClocks) {
			t.Errorf("%s: stage moves %+v but effect stage_clocks %v", tr.Action, tr.Stages, tr.Has(EffStageClocks))
		}
		for _, s := range append(slices.Clone(tr.Stages.End), tr.Stages.Start...) {
			if _, ok := s.Info(); !ok {
				t.Errorf("%s: unknown stage %q", tr.Action, s)
			}
		}
		for _, s := range tr.Stages.Start {
			started[s] = true
		}
		for _, s := range tr.Stages.End {
			ended[s] = true
		}
	}
	for _, si := range Stages {
		if !started[si.Stage] || !ended[si.Stage] {
			t.Errorf("stage %s: started %v, ended %v", si.Stage, started[si.Stage], ended[si.Stage])
		}
		if _, ok := OwnerLabels[si.Owner]; !ok {
			t.Errorf("stage %s: owner %q has no label", si.Stage, si.Owner)
		}
	}
}
