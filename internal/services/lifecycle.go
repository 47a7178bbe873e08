package services

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/lifecycle"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// State is where a service request is.
type State string

// The states of a service request.
const (
	Received  State = "received"  // 已受理
	Accepted  State = "accepted"  // 已接单
	Delivered State = "delivered" // 已办结，待确认
	Confirmed State = "confirmed" // 已确认
	Rated     State = "rated"     // 已评价
	Refused   State = "refused"   // 不予受理
	Cancelled State = "cancelled" // 已撤回
)

// States lists every state in lifecycle order; Open ones still need the provider's work and run
// against the promised deadline.
var States = []lifecycle.StateDoc{
	{State: string(Received), LabelZH: "已受理", LabelEN: "Received", Open: true},
	{State: string(Accepted), LabelZH: "已接单", LabelEN: "Accepted", Open: true},
	{State: string(Delivered), LabelZH: "已办结待确认", LabelEN: "Delivered, to confirm"},
	{State: string(Confirmed), LabelZH: "已确认", LabelEN: "Confirmed"},
	{State: string(Rated), LabelZH: "已评价", LabelEN: "Rated"},
	{State: string(Refused), LabelZH: "不予受理", LabelEN: "Refused"},
	{State: string(Cancelled), LabelZH: "已撤回", LabelEN: "Cancelled"},
}

// Label is the state's name in lang.
func (s State) Label(lang string) string {
	for _, d := range States {
		if d.State == string(s) {
			if lang == "en" {
				return d.LabelEN
			}
			return d.LabelZH
		}
	}
	return string(s)
}

// IsOpen reports whether a request in s still waits for the provider.
func IsOpen(s State) bool { return s == Received || s == Accepted }

// Action is something an actor does to a request.
type Action string

// The actions.
const (
	ActAccept  Action = "accept"  // 接单
	ActRefuse  Action = "refuse"  // 不予受理
	ActDeliver Action = "deliver" // 办结
	ActConfirm Action = "confirm" // 确认办结
	ActReturn  Action = "return"  // 未办好，退回
	ActRate    Action = "rate"    // 评价
	ActCancel  Action = "cancel"  // 撤回
)

// Input field names as the API spells them.
const (
	FieldNote         = "note"
	FieldResult       = "result"
	FieldReason       = "reason"
	FieldSatisfaction = "satisfaction"
	FieldComment      = "comment"
)

// Effect is a change an action makes besides the state.
type Effect string

// The effects.
const (
	EffStampAccepted  Effect = "stamp_accepted"  // accepted time
	EffSetResult      Effect = "set_result"      // the provider's result
	EffStampDelivered Effect = "stamp_delivered" // delivered time
	EffSetReason      Effect = "set_reason"      // the reason of a refusal, return or cancellation
	EffCountReturn    Effect = "count_return"    // returned count +1
	EffStampClosed    Effect = "stamp_closed"    // closed time (confirmed, refused, cancelled)
	EffSetRating      Effect = "set_rating"      // satisfaction and comment
)

// EffectLabels gives the docs' wording of each effect (zh / en).
var EffectLabels = map[Effect][2]string{
	EffStampAccepted:  {"记录接单时间", "sets the accepted time"},
	EffSetResult:      {"记录办理结果", "records the result"},
	EffStampDelivered: {"记录办结时间", "sets the delivered time"},
	EffSetReason:      {"记录理由", "records the reason"},
	EffCountReturn:    {"退回次数 +1", "returned count +1"},
	EffStampClosed:    {"记录结束时间", "sets the closed time"},
	EffSetRating:      {"记录满意度和评价", "records the satisfaction and comment"},
}

// Audience is whom a notice goes to (never the actor).
type Audience string

// The audiences.
const (
	ToRequester   Audience = "requester"   // who made the request (the resident, or the grid worker for 代办)
	ToProvider    Audience = "provider"    // everyone in the item's provider department
	ToDispatchers Audience = "dispatchers" // every dispatcher of the town
)

// AudienceLabels gives the docs' wording of each audience.
var AudienceLabels = map[Audience][2]string{
	ToRequester:   {"申请人（代办时为网格员）", "the requester (the grid worker for 代办)"},
	ToProvider:    {"服务提供部门", "the provider department"},
	ToDispatchers: {"派单员", "dispatchers"},
}

// Notice is one notification an action sends, Text with {number}, {item}, {reason}, {result}.
type Notice struct {
	Kind string
	To   Audience
	// OnlyDissatisfied sends it only when the rating is dissatisfied.
	OnlyDissatisfied bool
	Text             string
}

// Transition is one row of the service-request table. Ownership comes with the role, as in the
// work-order table: a handler acts only on requests of an item whose provider is the handler's
// department; a resident, grid worker or grid leader only on requests they made; a dispatcher or
// admin on every request of their towns (the store checks the town).
type Transition struct {
	From     []State
	Action   Action
	To       State
	Roles    []string
	Requires []string
	Optional []string
	LabelZH  string
	LabelEN  string
	Effects  []Effect
	Notify   []Notice
	Style    lifecycle.Style
	Weight   int
}

var (
	requesters = []string{workorder.RoleResident, workorder.RoleGridWorker, workorder.RoleGridLeader}
	providers  = []string{workorder.RoleHandler, workorder.RoleDispatcher, workorder.RoleAdmin}
)

// Transitions is the service-request lifecycle, one row per action.
var Transitions = []Transition{
	{From: []State{Received}, Action: ActAccept, To: Accepted, Roles: providers, Optional: []string{FieldNote},
		LabelZH: "接单", LabelEN: "Accept", Effects: []Effect{EffStampAccepted},
		Notify: []Notice{{Kind: "service_accepted", To: ToRequester, Text: "服务申请 {number}（{item}）已接单，正在办理"}},
		Style:  lifecycle.StylePrimary, Weight: 10},
	{From: []State{Received}, Action: ActRefuse, To: Refused, Roles: providers, Requires: []string{FieldReason},
		LabelZH: "不予受理", LabelEN: "Refuse", Effects: []Effect{EffSetReason, EffStampClosed},
		Notify: []Notice{{Kind: "service_refused", To: ToRequester, Text: "服务申请 {number}（{item}）不予受理：{reason}"}},
		Style:  lifecycle.StyleDanger, Weight: 90},
	{From: []State{Accepted}, Action: ActDeliver, To: Delivered, Roles: providers, Requires: []string{FieldResult},
		LabelZH: "办结", LabelEN: "Deliver", Effects: []Effect{EffSetResult, EffStampDelivered},
		Notify: []Notice{{Kind: "service_delivered", To: ToRequester, Text: "服务申请 {number}（{item}）已办结，请确认并评价：{result}"}},
		Style:  lifecycle.StylePrimary, Weight: 20},
	{From: []State{Delivered}, Action: ActConfirm, To: Confirmed, Roles: requesters, Optional: []string{FieldNote},
		LabelZH: "确认办结", LabelEN: "Confirm done", Effects: []Effect{EffStampClosed},
		Style: lifecycle.StylePrimary, Weight: 30},
	{From: []State{Delivered}, Action: ActReturn, To: Accepted, Roles: requesters, Requires: []string{FieldReason},
		LabelZH: "未办好，退回", LabelEN: "Not done, send back", Effects: []Effect{EffSetReason, EffCountReturn},
		Notify: []Notice{{Kind: "service_returned", To: ToProvider, Text: "服务申请 {number}（{item}）被申请人退回：{reason}"}},
		Style:  lifecycle.StyleDanger, Weight: 80},
	{From: []State{Confirmed}, Action: ActRate, To: Rated, Roles: requesters, Requires: []string{FieldSatisfaction}, Optional: []string{FieldComment},
		LabelZH: "评价", LabelEN: "Rate", Effects: []Effect{EffSetRating},
		Notify: []Notice{{Kind: "service_rated", To: ToDispatchers, OnlyDissatisfied: true, Text: "不满意：服务申请 {number}（{item}）评价为不满意"}},
		Style:  lifecycle.StylePrimary, Weight: 40},
	{From: []State{Received, Accepted}, Action: ActCancel, To: Cancelled, Roles: requesters, Requires: []string{FieldReason},
		LabelZH: "撤回申请", LabelEN: "Cancel", Effects: []Effect{EffSetReason, EffStampClosed},
		Notify: []Notice{{Kind: "service_cancelled", To: ToProvider, Text: "服务申请 {number}（{item}）已被申请人撤回：{reason}"}},
		Style:  lifecycle.StyleDanger, Weight: 100},
}

// Errors of Decide, with problem's kinds (HTTP 400, 409, 403; field errors 422).
var (
	ErrUnknownAction = problem.New(problem.ErrBadRequest, "action", "unknown action")
	ErrWrongState    = problem.New(problem.ErrConflict, "", "action not possible in the request's current state")
	ErrForbidden     = problem.New(problem.ErrForbidden, "", "not allowed for this actor")
)

// Subject is the part of a request a decision depends on.
type Subject struct {
	State       State
	Department  string // the item's provider department
	RequestedBy int64
}

// Actor is who asks for the action.
type Actor struct {
	UserID     int64
	Role       string
	Department string
}

// Input is what the actor submits with an action.
type Input struct {
	Note         string
	Result       string
	Reason       string
	Satisfaction string
	Comment      string
}

// Limits of an action's texts.
const MaxActionText = 1000

// engine runs Transitions through the same lifecycle engine as the work orders.
var engine = lifecycle.Engine[Transition, State, Action, Subject, Actor, Input]{
	Noun: "a request",
	Rows: Transitions,
	Spec: func(t Transition) lifecycle.Spec[State, Action] {
		return lifecycle.Spec[State, Action]{From: t.From, Action: t.Action, To: t.To, Roles: t.Roles, Requires: t.Requires, Optional: t.Optional}
	},
	State:         func(s Subject) State { return s.State },
	Role:          func(a Actor) string { return a.Role },
	Owns:          owns,
	Field:         checkField,
	ErrUnknown:    ErrUnknownAction,
	ErrWrongState: ErrWrongState,
	ErrForbidden:  ErrForbidden,
}

func owns(t Transition, s Subject, a Actor) error {
	switch a.Role {
	case workorder.RoleHandler:
		if a.Department == "" || a.Department != s.Department {
			return fmt.Errorf("%w: only a handler of the provider department may %s this request", ErrForbidden, t.Action)
		}
	case workorder.RoleResident, workorder.RoleGridWorker, workorder.RoleGridLeader:
		if a.UserID == 0 || a.UserID != s.RequestedBy {
			return fmt.Errorf("%w: only who made this request may %s it", ErrForbidden, t.Action)
		}
	}
	return nil
}

func checkField(f string, required bool, _ Subject, in Input) error {
	var v string
	switch f {
	case FieldNote:
		v = in.Note
	case FieldResult:
		v = in.Result
	case FieldReason:
		v = in.Reason
	case FieldComment:
		v = in.Comment
	case FieldSatisfaction:
		if required && in.Satisfaction == "" {
			return problem.Field(f, "is required")
		}
		if in.Satisfaction != "" && !workorder.ValidSatisfaction(in.Satisfaction) {
			return problem.Field(f, "%q is not one of satisfied, basically_satisfied, dissatisfied", in.Satisfaction)
		}
		return nil
	}
	if required && strings.TrimSpace(v) == "" {
		return problem.Field(f, "is required")
	}
	if len([]rune(v)) > MaxActionText {
		return problem.Field(f, "is longer than %d characters", MaxActionText)
	}
	return nil
}

// Decide checks whether a may take act on s with in, and returns the row that applies.
func Decide(s Subject, a Actor, act Action, in Input) (Transition, error) {
	return engine.Decide(s, a, act, in)
}

// AllowedActions lists the actions a may take on s now, in button order.
func AllowedActions(s Subject, a Actor) []Action {
	acts := engine.Allowed(s, a)
	slices.SortStableFunc(acts, func(x, y Action) int { return weight(x) - weight(y) })
	return acts
}

// Lookup returns the row of act.
func Lookup(act Action) (Transition, bool) { return engine.Lookup(act) }

func weight(a Action) int {
	t, _ := Lookup(a)
	return t.Weight
}

// Label is the action's name in lang.
func (a Action) Label(lang string) string {
	if t, ok := Lookup(a); ok {
		if lang == "en" {
			return t.LabelEN
		}
		return t.LabelZH
	}
	return string(a)
}

var roleDocs = map[string]string{
	workorder.RoleHandler:    "handler of the provider department 服务提供部门工作人员",
	workorder.RoleDispatcher: "dispatcher 受理员/派单员",
	workorder.RoleAdmin:      "admin 管理员",
	workorder.RoleResident:   "resident who made it 申请人",
	workorder.RoleGridWorker: "gridworker who made it (代办) 代办网格员",
	workorder.RoleGridLeader: "gridleader who made it (代办) 代办网格长",
}

// MarkdownTable renders the service-request lifecycle that docs/SERVICES.md embeds; a test keeps
// the file equal to this output.
func MarkdownTable() string {
	md := lifecycle.Markdown(engine, States, func(t Transition) lifecycle.RowDoc {
		d := lifecycle.RowDoc{LabelZH: t.LabelZH, LabelEN: t.LabelEN}
		for _, r := range t.Roles {
			d.Who = append(d.Who, roleDocs[r])
		}
		var ch, no []string
		for _, e := range t.Effects {
			l := EffectLabels[e]
			ch = append(ch, fmt.Sprintf("`%s` %s %s", e, l[1], l[0]))
		}
		for _, n := range t.Notify {
			l := AudienceLabels[n.To]
			line := fmt.Sprintf("`%s` → %s %s", n.Kind, l[1], l[0])
			if n.OnlyDissatisfied {
				line += " (only when dissatisfied)"
			}
			no = append(no, line+": "+n.Text)
		}
		d.Changes, d.Notifies = strings.Join(ch, "; "), strings.Join(no, "; ")
		return d
	})
	var b strings.Builder
	b.WriteString(md)
	b.WriteString("\n### Deadlines 时限\n\n")
	b.WriteString("A request's deadline is its item's promised working days (承诺时限) counted on the working-day " +
		"calendar (internal/workcal, the official holidays and make-up days) from receipt. It runs while the request " +
		"is open (`received`, `accepted`); an open request past it is overdue (超期) in the queues. " +
		"A request sent back by the requester (`return`) keeps its deadline.\n")
	return b.String()
}

// Due is the deadline of a request received at t for an item promising days working days.
func Due(t time.Time, days int) time.Time {
	return calendar.AddWorkingDays(t.In(loc), days)
}
