package workorder

import (
	"slices"
	"sort"
)

// Effect is one change an action makes to the order besides moving its state. The table names
// each action's effects in the order they are applied; the store implements every effect once
// (orders.apply), so what an action does is read here, not switched on there.
type Effect string

// The effects. Each says which columns or records change.
const (
	EffSetPlace         Effect = "set_place"         // category and grid, known in the town
	EffStartClock       Effect = "start_clock"       // deadline class and deadline, counted from receipt
	EffStampFiled       Effect = "stamp_filed"       // filed time
	EffSetDepartments   Effect = "set_departments"   // lead and co-departments, known in the town
	EffClearDepartments Effect = "clear_departments" // lead and co-departments cleared (the event keeps the lead)
	EffCountReturn      Effect = "count_return"      // returned count +1 (dispatch accuracy)
	EffRequestExtension Effect = "request_extension" // the requested deadline is pending
	EffGrantExtension   Effect = "grant_extension"   // the pending deadline becomes the deadline
	EffDropExtension    Effect = "drop_extension"    // the pending deadline is dropped
	EffSetResult        Effect = "set_result"        // the handling result
	EffStampClosed      Effect = "stamp_closed"      // closed time
	EffCountRework      Effect = "count_rework"      // rework count +1
	EffSetSatisfaction  Effect = "set_satisfaction"  // the rating
	// EffSetCallbackOutcome records how a callback ended without a rating.
	EffSetCallbackOutcome Effect = "set_callback_outcome"
	EffRestartClock       Effect = "restart_clock"     // a fresh rehandle deadline from now; the order's class stays
	EffCountReopen        Effect = "count_reopen"      // reopen count +1
	EffClearRating        Effect = "clear_rating"      // rating, callback outcome and closed time cleared (the event keeps the rating)
	EffStopClock          Effect = "stop_clock"        // a suspension starts: the deadline clock stops
	EffResumeClock        Effect = "resume_clock"      // the suspension ends: the deadline moves by the working time it lasted
	EffEscalate           Effect = "escalate"          // escalation level +1, escalated time
	EffMarkDuplicate      Effect = "mark_duplicate"    // duplicate of another order of the town, itself not merged
	EffMarkSelfHandled    Effect = "mark_self_handled" // only a patrol report; the event says it was handled on the spot
	EffStageClocks        Effect = "stage_clocks"      // the stage clocks the row's Stages names end and start (order_stages)
)

// EffectLabels gives the docs' wording of each effect (zh / en); a test makes sure every effect
// has one.
var EffectLabels = map[Effect][2]string{
	EffSetPlace:           {"设定分类和网格", "sets category and grid"},
	EffStartClock:         {"起算办理时限（自受理时起）", "starts the deadline clock (from receipt)"},
	EffStampFiled:         {"记录立案时间", "sets the filed time"},
	EffSetDepartments:     {"设定主办、协办部门", "sets lead and co-departments"},
	EffClearDepartments:   {"清除主办、协办部门", "clears lead and co-departments"},
	EffCountReturn:        {"退单次数 +1", "returned count +1"},
	EffRequestExtension:   {"记录待审批的延期", "records the requested deadline as pending"},
	EffGrantExtension:     {"延期生效（办理环节期限随之顺延）", "the pending deadline becomes the deadline (and the handling stage's due time)"},
	EffDropExtension:      {"撤销待审批的延期", "drops the pending deadline"},
	EffSetResult:          {"记录处置结果", "records the result"},
	EffStampClosed:        {"记录结案时间", "sets the closed time"},
	EffCountRework:        {"返工次数 +1", "rework count +1"},
	EffSetSatisfaction:    {"记录满意度", "records the satisfaction"},
	EffSetCallbackOutcome: {"记录回访结果（未评价的原因）", "records the callback's outcome (why there is no rating)"},
	EffRestartClock:       {"按重办时限重新起算", "restarts the clock with the rehandle class, from now"},
	EffCountReopen:        {"重办次数 +1", "reopen count +1"},
	EffClearRating:        {"清除评价、回访结果和结案时间", "clears the rating, the callback outcome and the closed time"},
	EffStopClock:          {"停止计时（含进行中的环节）", "stops the clock (and the running stages')"},
	EffResumeClock:        {"恢复计时，期限顺延挂起的工作时间（含进行中的环节）", "restarts the clock; the deadline (and the running stages' due times) move by the working time suspended"},
	EffEscalate:           {"督办级别 +1，记录督办时间，标记超期环节", "escalation level +1, sets the escalated time, marks the late stages"},
	EffMarkDuplicate:      {"标记为重复件", "marks it a duplicate of another order"},
	EffMarkSelfHandled:    {"标记自行处置（仅限巡查上报）", "marks it handled on the spot (patrol reports only)"},
	EffStageClocks:        {"结束、开始环节计时（见环节表）", "ends and starts stage clocks (see the stage table)"},
}

// Audience is a group of people a notice goes to. The actor is never among them: nobody needs
// telling what they just did.
type Audience string

// The audiences.
const (
	ToLeadDepartment Audience = "lead_department" // everyone in the order's lead department (主办)
	ToCoDepartments  Audience = "co_departments"  // everyone in its co-departments (协办)
	ToLeadHandlers   Audience = "lead_handlers"   // the handlers of the lead department
	ToLeaders        Audience = "leaders"         // every leader of the town
	ToDispatchers    Audience = "dispatchers"     // every dispatcher of the town
	ToGridStaff      Audience = "grid_staff"      // the grid workers and grid leaders of the order's grid, if it has one
	ToStageOwner     Audience = "stage_owner"     // the owner of the late stage (else of the running one): lead handlers, grid staff or dispatchers
)

// AudienceLabels gives the docs' wording of each audience (zh / en).
var AudienceLabels = map[Audience][2]string{
	ToLeadDepartment: {"主办部门", "lead department"},
	ToCoDepartments:  {"协办部门", "co-departments"},
	ToLeadHandlers:   {"主办部门处置人员", "lead department's handlers"},
	ToLeaders:        {"领导", "leaders"},
	ToDispatchers:    {"派单员", "dispatchers"},
	ToGridStaff:      {"本网格网格员、网格长", "the grid's workers and leaders"},
	ToStageOwner:     {"超期环节的责任方", "the owner of the late stage"},
}

// NoticeKind is the kind of a notification, as stored and as the API spells it.
type NoticeKind string

// The notification kinds.
const (
	NoticeAssigned  NoticeKind = "assigned"  // 派遣给本部门
	NoticeReturned  NoticeKind = "returned"  // 退单
	NoticeEscalated NoticeKind = "escalated" // 督办
	NoticeRework    NoticeKind = "rework"    // 返工 / 重办
	NoticeRated     NoticeKind = "rated"     // 不满意评价
	NoticeExtension NoticeKind = "extension" // 延期申请及审批
	NoticeHandled   NoticeKind = "handled"   // 已处置，待核查
	// NoticeCallbackLate is sent by the escalator, not by an action: a closed order's callback
	// (回访) is past its due time. Closing ends the order's transitions, so the centre is told
	// instead of the order being escalated.
	NoticeCallbackLate NoticeKind = "callback_late" // 回访超期
	NoticeCoReported   NoticeKind = "co_reported"   // 协办反馈
)

// Condition narrows when a notice is sent.
type Condition string

// The conditions.
const (
	Always                Condition = ""
	WhenRatedDissatisfied Condition = "rated_dissatisfied" // the order's rating is dissatisfied
)

// Holds reports whether c holds for the order as the action left it.
func (c Condition) Holds(o Order) bool {
	switch c {
	case WhenRatedDissatisfied:
		return o.Satisfaction == Dissatisfied
	}
	return true
}

// Placeholders a notice's Text may use; the store fills them from the order as the action left
// it and from the event.
const (
	PhOrder             = "{order}"
	PhContent           = "{content}"
	PhResult            = "{result}"
	PhReason            = "{reason}"
	PhNote              = "{note}"
	PhComment           = "{comment}"
	PhDeadline          = "{deadline}"
	PhRequestedDeadline = "{requested_deadline}"
	PhLevel             = "{level}"
)

// Placeholders lists every placeholder with its meaning, for the store's filler, the docs and
// the tests.
var Placeholders = []struct{ Name, Doc string }{
	{PhOrder, "工单 and the order's number"},
	{PhContent, "the first 40 characters of the complaint"},
	{PhResult, "the first 40 characters of the result"},
	{PhReason, "the action's reason"},
	{PhNote, "the action's note"},
	{PhComment, "the action's comment"},
	{PhDeadline, "the deadline (Shanghai time)"},
	{PhRequestedDeadline, "the requested deadline of a pending extension"},
	{PhLevel, "the escalation level"},
}

// Notice is one notification an action sends: of Kind, to the union of To (one message per
// person), when When holds, with Text filled in.
type Notice struct {
	Kind NoticeKind
	To   []Audience
	When Condition
	Text string // Chinese, with Placeholders
}

// Style is how the order page shows an action's button.
type Style string

// The styles.
const (
	StylePrimary Style = "primary" // what the role does most at this step: offered first, selected
	StyleNormal  Style = "normal"
	StyleDanger  Style = "danger" // destructive or a refusal: red tab and button, offered last, confirmed, never preselected
)

// Show is how the order page offers an action.
type Show struct {
	Style Style
	// Weight sorts the buttons, ascending: primary actions first, destructive ones last, so
	// whatever subset a role gets at a step reads "what you came to do, … , what undoes it".
	Weight int
}

// InButtonOrder returns acts sorted by the weight of their buttons; ties and unknown actions
// keep their order.
func InButtonOrder(acts []Action) []Action {
	out := slices.Clone(acts)
	sort.SliceStable(out, func(i, j int) bool { return weight(out[i]) < weight(out[j]) })
	return out
}

func weight(a Action) int {
	if t, ok := Lookup(a); ok {
		return t.Show.Weight
	}
	return 0
}

// Has reports whether the transition takes effect e.
func (t Transition) Has(e Effect) bool { return slices.Contains(t.Effects, e) }
