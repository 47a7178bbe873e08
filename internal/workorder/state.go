// Package workorder is the work-order lifecycle (工单闭环) as data: the
// states, the actions that move an order between them, who may take each
// action, what it must carry, and what it then changes, whom it notifies and
// how the order page shows it. The transition table [Transitions] is the
// single source that [Decide], [AllowedActions], docs/WORKFLOW.md
// ([MarkdownTable]) and the tests all read.
//
// The package is pure: no SQL, no HTTP, no clock. The store loads an
// [Order], calls [Decide] and applies the returned [Decision] (state, the
// row's effects and notices) in one transaction guarded by Order.Version.
package workorder

import "slices"

// State is where an order is in its lifecycle.
type State string

// The states of a work order.
const (
	Received   State = "received"    // 受理
	Filed      State = "filed"       // 立案
	Rejected   State = "rejected"    // 不予立案
	Dispatched State = "dispatched"  // 已派遣
	InProgress State = "in_progress" // 处置中
	Handled    State = "handled"     // 已处置，待核查
	Closed     State = "closed"      // 已结案
	Rated      State = "rated"       // 已回访评价
	Merged     State = "merged"      // 已合并（重复件）
)

// StateInfo describes one state for docs and UIs.
type StateInfo struct {
	State   State
	LabelZH string
	LabelEN string
	Open    bool // the order still needs work; its deadline clock can run
}

// States lists every state in lifecycle order.
var States = []StateInfo{
	{Received, "受理", "Received", true},
	{Filed, "立案", "Filed", true},
	{Rejected, "不予立案", "Rejected", false},
	{Dispatched, "已派遣", "Dispatched", true},
	{InProgress, "处置中", "In progress", true},
	{Handled, "已处置待核查", "Handled, awaiting verification", true},
	{Closed, "已结案", "Closed", false},
	{Rated, "已评价", "Rated", false},
	{Merged, "已合并", "Merged as duplicate", false},
}

func stateInfo(s State) (StateInfo, bool) {
	for _, si := range States {
		if si.State == s {
			return si, true
		}
	}
	return StateInfo{}, false
}

// Valid reports whether s is one of the defined states.
func (s State) Valid() bool {
	_, ok := stateInfo(s)
	return ok
}

// LabelZH returns the Chinese label, or the raw value for an unknown state.
func (s State) LabelZH() string {
	if si, ok := stateInfo(s); ok {
		return si.LabelZH
	}
	return string(s)
}

// LabelEN returns the English label, or the raw value for an unknown state.
func (s State) LabelEN() string {
	if si, ok := stateInfo(s); ok {
		return si.LabelEN
	}
	return string(s)
}

// IsOpen reports whether an order in state s still needs work (received,
// filed, dispatched, in_progress, handled): these are the states that can
// be suspended, escalated and become overdue.
func IsOpen(s State) bool {
	si, ok := stateInfo(s)
	return ok && si.Open
}

// Roles. They are plain strings so the auth package can own the role list;
// these are the ones the lifecycle refers to.
const (
	RoleResident   = "resident"
	RoleGridWorker = "gridworker"
	RoleGridLeader = "gridleader"
	RoleDispatcher = "dispatcher"
	RoleHandler    = "handler"
	RoleLeader     = "leader"
	RoleDeputy     = "deputy"
	RoleVolunteer  = "volunteer"
	RoleAdmin      = "admin"
	// RoleSystem is the actor of automatic actions, such as escalating an
	// overdue order.
	RoleSystem = "system"
)

// Satisfaction grades of the callback (回访评价).
const (
	Satisfied          = "satisfied"           // 满意
	BasicallySatisfied = "basically_satisfied" // 基本满意
	Dissatisfied       = "dissatisfied"        // 不满意
)

// SatisfactionInfo labels one satisfaction grade.
type SatisfactionInfo struct {
	Code    string
	LabelZH string
	LabelEN string
}

// Satisfactions lists the grades, best first.
var Satisfactions = []SatisfactionInfo{
	{Satisfied, "满意", "Satisfied"},
	{BasicallySatisfied, "基本满意", "Basically satisfied"},
	{Dissatisfied, "不满意", "Dissatisfied"},
}

// Callback outcomes without a rating (回访结果, action end_callback).
const (
	CallbackUnreachable = "unreachable" // 未接通: no answer after the attempts the town requires
	CallbackDeclined    = "declined"    // 拒绝评价: reached, would not rate
	CallbackNoContact   = "no_contact"  // 无法回访: anonymous, or no number to call back
)

// CallbackOutcomes lists the outcomes of a callback that ended without a rating.
var CallbackOutcomes = []SatisfactionInfo{
	{CallbackUnreachable, "未接通", "Unreachable"},
	{CallbackDeclined, "拒绝评价", "Declined to rate"},
	{CallbackNoContact, "无法回访（匿名或无联系方式）", "No way to call back"},
}

// ValidCallbackOutcome reports whether s is one of CallbackOutcomes.
func ValidCallbackOutcome(s string) bool { return hasCode(CallbackOutcomes, s) }

// ValidSatisfaction reports whether s is one of the three grades.
func ValidSatisfaction(s string) bool { return hasCode(Satisfactions, s) }

// hasCode reports whether one of list's entries has code s.
func hasCode(list []SatisfactionInfo, s string) bool {
	return slices.ContainsFunc(list, func(si SatisfactionInfo) bool { return si.Code == s })
}
