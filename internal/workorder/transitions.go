package workorder

// Action is something an actor does to an order.
type Action string

// The actions of the lifecycle.
const (
	ActFile             Action = "file"              // 立案
	ActReject           Action = "reject"            // 不予立案
	ActDispatch         Action = "dispatch"          // 派遣
	ActAccept           Action = "accept"            // 签收
	ActReturn           Action = "return"            // 退单
	ActExtend           Action = "extend"            // 延期申请
	ActApproveExtension Action = "approve_extension" // 同意延期
	ActRefuseExtension  Action = "refuse_extension"  // 不同意延期
	ActReport           Action = "report"            // 处置反馈
	ActVerifyPass       Action = "verify_pass"       // 核查通过
	ActVerifyFail       Action = "verify_fail"       // 返工
	ActRate             Action = "rate"              // 回访评价
	ActReopen           Action = "reopen"            // 重办
	ActSuspend          Action = "suspend"           // 挂起
	ActResume           Action = "resume"            // 恢复
	ActEscalate         Action = "escalate"          // 督办
	ActMerge            Action = "merge"             // 合并
	ActSelfHandle       Action = "self_handle"       // 自行处置
	ActCoReport         Action = "co_report"         // 协办反馈
	ActEndCallback      Action = "end_callback"      // 回访结束（未评价）
)

// Input field names as the API spells them; Transition.Requires and
// FieldError.Field use these.
const (
	FieldCategory      = "category"
	FieldGrid          = "grid"
	FieldDeadlineClass = "deadline_class"
	FieldDepartment    = "department"
	FieldCoDepartments = "co_departments"
	FieldReason        = "reason"
	FieldResult        = "result"
	FieldNote          = "note"
	FieldPhotos        = "photos"
	FieldSatisfaction  = "satisfaction"
	FieldComment       = "comment"
	FieldDuplicateOf   = "duplicate_of"
	FieldDeadline      = "deadline"
	// FieldCallbackOutcome is how a callback ended without a rating (CallbackOutcomes).
	FieldCallbackOutcome = "callback_outcome"
)

// Guard is a condition on the order, beyond its state, that an action needs.
// A failed guard is reported as ErrWrongState: the order is not in a
// condition to take the action, whoever asks.
type Guard string

// Guards used by the table.
const (
	GuardNone               Guard = ""
	GuardSuspended          Guard = "suspended"
	GuardExtensionPending   Guard = "extension_pending"
	GuardNoExtensionPending Guard = "no_extension_pending"
	GuardDissatisfied       Guard = "dissatisfied"
	// GuardCallbackPending: the callback has no outcome yet (with state closed: not rated, and
	// not ended by end_callback).
	GuardCallbackPending Guard = "callback_pending"
)

// GuardLabels gives the docs' wording of each guard (zh / en).
var GuardLabels = map[Guard][2]string{
	GuardSuspended:          {"已挂起", "suspended"},
	GuardExtensionPending:   {"有待审批的延期申请", "an extension is pending"},
	GuardNoExtensionPending: {"无待审批的延期申请", "no extension pending"},
	GuardDissatisfied:       {"评价为不满意", "rated dissatisfied"},
	GuardCallbackPending:    {"回访尚无结果", "the callback has no outcome yet"},
}

// Transition is one row of the lifecycle table.
//
// Ownership is implied by role, the same for every row: a handler acts
// only on orders whose lead department (主办) is the handler's department;
// a gridworker or gridleader only on orders in one of the actor's grids; a
// resident only on orders the resident raised. Dispatcher, leader and
// system act town-wide.
type Transition struct {
	From     []State
	Action   Action
	To       State // empty: the state does not change
	Roles    []string
	Requires []string // input fields that must be present
	Optional []string // input fields that are read when present
	Guard    Guard
	// WhileSuspended allows the action on a suspended order. A suspended
	// order is frozen (its clock is stopped), so only resuming and
	// supervising make sense.
	WhileSuspended bool
	// OwnRaised narrows ownership further: besides the role's own rule,
	// the actor must be the user who raised the order (Order.RaisedBy).
	// A failure is ErrForbidden, like any ownership failure.
	OwnRaised bool
	// CoHandler changes a handler's ownership rule: the actor's department must be one of the
	// order's co-handling departments (协办), not the lead department.
	CoHandler bool
	LabelZH   string
	LabelEN   string

	// Effects are the changes besides the state, applied in this order; none for an action that
	// only moves the state.
	Effects []Effect
	// Stages are the stage clocks the action ends and starts (effect EffStageClocks).
	Stages StageMove
	// Notify lists the notifications the action sends once applied.
	Notify []Notice
	// Show is how the order page offers the action.
	Show Show
}

var openStates = []State{Received, Filed, Dispatched, InProgress, Handled}

// Transitions is the lifecycle, one row per action.
var Transitions = []Transition{
	{
		From: []State{Received}, Action: ActFile, To: Filed,
		Roles:    []string{RoleDispatcher},
		Requires: []string{FieldCategory, FieldGrid}, Optional: []string{FieldDeadlineClass},
		LabelZH: "立案", LabelEN: "File",
		Effects: []Effect{EffSetPlace, EffStartClock, EffStampFiled, EffStageClocks},
		Stages:  StageMove{End: []Stage{StageFiling}, Start: []Stage{StageDispatch}},
		Show:    Show{Style: StylePrimary, Weight: 10},
	},
	{
		From: []State{Received}, Action: ActReject, To: Rejected,
		Roles:    []string{RoleDispatcher},
		Requires: []string{FieldReason},
		LabelZH:  "不予立案", LabelEN: "Reject",
		Effects: []Effect{EffStageClocks},
		Stages:  StageMove{End: []Stage{StageFiling}},
		Show:    Show{Style: StyleDanger, Weight: 180},
	},
	{
		From: []State{Filed}, Action: ActDispatch, To: Dispatched,
		Roles:    []string{RoleDispatcher},
		Requires: []string{FieldDepartment}, Optional: []string{FieldCoDepartments},
		LabelZH: "派遣", LabelEN: "Dispatch",
		Effects: []Effect{EffSetDepartments, EffStageClocks},
		Stages:  StageMove{End: []Stage{StageDispatch}, Start: []Stage{StageFirstContact, StageHandling, StageCoHandling}},
		Notify: []Notice{{Kind: NoticeAssigned, To: []Audience{ToLeadDepartment, ToCoDepartments},
			Text: "派遣：{order} 已派至贵部门 — {content}"}},
		Show: Show{Style: StylePrimary, Weight: 20},
	},
	{
		From: []State{Dispatched}, Action: ActAccept, To: InProgress,
		Roles:   []string{RoleHandler},
		LabelZH: "签收", LabelEN: "Accept",
		Effects: []Effect{EffStageClocks},
		Stages:  StageMove{End: []Stage{StageFirstContact}},
		Show:    Show{Style: StylePrimary, Weight: 30},
	},
	{
		From: []State{Dispatched, InProgress}, Action: ActReturn, To: Filed,
		Roles:    []string{RoleHandler},
		Requires: []string{FieldReason},
		LabelZH:  "退单", LabelEN: "Return as misrouted",
		Effects: []Effect{EffClearDepartments, EffCountReturn, EffStageClocks},
		Stages:  StageMove{End: []Stage{StageFirstContact, StageHandling, StageCoHandling}, Start: []Stage{StageDispatch}},
		Notify: []Notice{{Kind: NoticeReturned, To: []Audience{ToDispatchers},
			Text: "退单：{order} 被退回，请重新派遣（{reason}）"}},
		Show: Show{Style: StyleDanger, Weight: 150},
	},
	{
		From: []State{InProgress}, Action: ActExtend,
		Roles:    []string{RoleHandler},
		Requires: []string{FieldDeadline, FieldReason},
		Guard:    GuardNoExtensionPending,
		LabelZH:  "延期申请", LabelEN: "Request extension",
		Effects: []Effect{EffRequestExtension},
		Notify: []Notice{{Kind: NoticeExtension, To: []Audience{ToDispatchers},
			Text: "延期申请：{order} 申请延期至 {requested_deadline}（{reason}）"}},
		Show: Show{Style: StyleNormal, Weight: 120},
	},
	{
		From: []State{InProgress}, Action: ActApproveExtension,
		Roles:   []string{RoleDispatcher},
		Guard:   GuardExtensionPending,
		LabelZH: "同意延期", LabelEN: "Approve extension",
		Effects: []Effect{EffGrantExtension},
		Notify: []Notice{{Kind: NoticeExtension, To: []Audience{ToLeadDepartment},
			Text: "延期已同意：{order} 新期限 {deadline}"}},
		Show: Show{Style: StylePrimary, Weight: 60},
	},
	{
		From: []State{InProgress}, Action: ActRefuseExtension,
		Roles:    []string{RoleDispatcher},
		Requires: []string{FieldReason},
		Guard:    GuardExtensionPending,
		LabelZH:  "不同意延期", LabelEN: "Refuse extension",
		Effects: []Effect{EffDropExtension},
		Notify: []Notice{{Kind: NoticeExtension, To: []Audience{ToLeadDepartment},
			Text: "延期未同意：{order} 请按原期限 {deadline} 办结（{reason}）"}},
		Show: Show{Style: StyleDanger, Weight: 160},
	},
	{
		From: []State{InProgress}, Action: ActReport, To: Handled,
		Roles:    []string{RoleHandler},
		Requires: []string{FieldResult, FieldPhotos},
		LabelZH:  "处置反馈", LabelEN: "Report handled",
		Effects: []Effect{EffSetResult, EffStageClocks},
		Stages:  StageMove{End: []Stage{StageFirstContact, StageHandling, StageCoHandling}, Start: []Stage{StageVerification}},
		Notify: []Notice{{Kind: NoticeHandled, To: []Audience{ToGridStaff},
			Text: "待核查：{order} 已处置 — {result}"}},
		Show: Show{Style: StylePrimary, Weight: 40},
	},
	{
		From: []State{Handled}, Action: ActVerifyPass, To: Closed,
		Roles:    []string{RoleGridWorker, RoleGridLeader, RoleDispatcher},
		Requires: []string{FieldNote}, Optional: []string{FieldPhotos},
		LabelZH: "核查通过", LabelEN: "Verify: pass",
		Effects: []Effect{EffStampClosed, EffStageClocks},
		Stages:  StageMove{End: []Stage{StageVerification}, Start: []Stage{StageCallback}},
		Show:    Show{Style: StylePrimary, Weight: 50},
	},
	{
		From: []State{Handled}, Action: ActVerifyFail, To: InProgress,
		Roles:    []string{RoleGridWorker, RoleGridLeader, RoleDispatcher},
		Requires: []string{FieldReason},
		LabelZH:  "返工", LabelEN: "Verify: fail (rework)",
		Effects: []Effect{EffCountRework, EffStageClocks},
		Stages:  StageMove{End: []Stage{StageVerification}, Start: []Stage{StageHandling}},
		Notify: []Notice{{Kind: NoticeRework, To: []Audience{ToLeadDepartment},
			Text: "返工：{order} 核查未通过（{reason}）"}},
		Show: Show{Style: StyleDanger, Weight: 170},
	},
	{
		// Only while the callback runs: once the centre recorded that it ended without a rating
		// (end_callback) the order is archived unrated, as its callback stage — and the period
		// whose 满意率 it would count in — is over.
		From: []State{Closed}, Action: ActRate, To: Rated,
		Guard:    GuardCallbackPending,
		Roles:    []string{RoleDispatcher, RoleResident},
		Requires: []string{FieldSatisfaction}, Optional: []string{FieldComment},
		LabelZH: "回访评价", LabelEN: "Rate",
		Effects: []Effect{EffSetSatisfaction, EffStageClocks},
		Stages:  StageMove{End: []Stage{StageCallback}},
		Notify: []Notice{{Kind: NoticeRated, To: []Audience{ToDispatchers}, When: WhenRatedDissatisfied,
			Text: "不满意：{order} 回访评价为不满意，可重办 — {comment}"}},
		Show: Show{Style: StylePrimary, Weight: 70},
	},
	{
		// 回访结束（未评价）: the centre could not get a rating — nobody answered after the
		// attempts the town requires, the caller declined to rate, or left no way to call back.
		// The callback stage ends (on time or late by its own due time) and the order stays
		// closed and unrated: it is out of 满意率's denominator, and out of the centre's late
		// list for good. No rating is taken after it (rate has the same guard).
		From: []State{Closed}, Action: ActEndCallback,
		Roles:    []string{RoleDispatcher},
		Requires: []string{FieldCallbackOutcome}, Optional: []string{FieldNote},
		Guard:   GuardCallbackPending,
		LabelZH: "回访结束（未评价）", LabelEN: "End callback (no rating)",
		Effects: []Effect{EffSetCallbackOutcome, EffStageClocks},
		Stages:  StageMove{End: []Stage{StageCallback}},
		Show:    Show{Style: StyleNormal, Weight: 75},
	},
	{
		From: []State{Rated}, Action: ActReopen, To: InProgress,
		Roles:    []string{RoleDispatcher},
		Requires: []string{FieldReason},
		Guard:    GuardDissatisfied,
		LabelZH:  "重办", LabelEN: "Reopen",
		Effects: []Effect{EffRestartClock, EffCountReopen, EffClearRating, EffStageClocks},
		Stages:  StageMove{End: []Stage{StageCallback}, Start: []Stage{StageHandling}},
		Notify: []Notice{{Kind: NoticeRework, To: []Audience{ToLeadDepartment},
			Text: "重办：{order} 评价不满意，请于 {deadline} 前重新办理（{reason}）"}},
		Show: Show{Style: StylePrimary, Weight: 80},
	},
	{
		From: openStates, Action: ActSuspend,
		Roles:    []string{RoleDispatcher},
		Requires: []string{FieldReason},
		LabelZH:  "挂起", LabelEN: "Suspend",
		Effects: []Effect{EffStopClock},
		Show:    Show{Style: StyleNormal, Weight: 130},
	},
	{
		From: openStates, Action: ActResume,
		Roles:    []string{RoleDispatcher},
		Optional: []string{FieldReason},
		Guard:    GuardSuspended, WhileSuspended: true,
		LabelZH: "恢复", LabelEN: "Resume",
		Effects: []Effect{EffResumeClock},
		Show:    Show{Style: StylePrimary, Weight: 90},
	},
	{
		From: openStates, Action: ActEscalate,
		Roles:          []string{RoleLeader, RoleSystem},
		Requires:       []string{FieldNote},
		WhileSuspended: true,
		LabelZH:        "督办", LabelEN: "Escalate",
		Effects: []Effect{EffEscalate},
		Notify: []Notice{{Kind: NoticeEscalated, To: []Audience{ToStageOwner, ToLeaders},
			Text: "督办：{order} 第 {level} 次督办 — {note}"}},
		Show: Show{Style: StylePrimary, Weight: 100},
	},
	{
		From: []State{Received, Filed}, Action: ActMerge, To: Merged,
		Roles:    []string{RoleDispatcher},
		Requires: []string{FieldDuplicateOf},
		LabelZH:  "合并", LabelEN: "Merge as duplicate",
		Effects: []Effect{EffMarkDuplicate, EffStageClocks},
		Stages:  StageMove{End: []Stage{StageFiling, StageDispatch}},
		Show:    Show{Style: StyleDanger, Weight: 140},
	},
	{
		// 自行处置: a grid worker who finds a small problem on patrol and fixes it on the spot
		// reports it and closes it at once, with the result and photos as evidence. Only the
		// worker's own report in the worker's own grid; the store also requires the patrol
		// channel.
		From: []State{Received}, Action: ActSelfHandle, To: Closed,
		Roles:     []string{RoleGridWorker, RoleGridLeader},
		Requires:  []string{FieldResult, FieldPhotos},
		OwnRaised: true,
		LabelZH:   "自行处置", LabelEN: "Handle on the spot",
		Effects: []Effect{EffMarkSelfHandled, EffSetResult, EffStampClosed, EffStageClocks},
		Stages:  StageMove{End: []Stage{StageFiling}},
		Show:    Show{Style: StylePrimary, Weight: 110},
	},
	{
		// 协办反馈: a co-handling department tells the lead department what it did or found; it
		// ends that department's co-handling clock and leaves the order's state alone. A second
		// feedback is a further note (its clock has already stopped).
		From: []State{Dispatched, InProgress}, Action: ActCoReport,
		Roles:     []string{RoleHandler},
		Requires:  []string{FieldNote},
		CoHandler: true,
		LabelZH:   "协办反馈", LabelEN: "Co-handling feedback",
		Effects: []Effect{EffStageClocks},
		Stages:  StageMove{End: []Stage{StageCoHandling}, Mine: true},
		Notify: []Notice{{Kind: NoticeCoReported, To: []Audience{ToLeadDepartment},
			Text: "协办反馈：{order}（{note}）"}},
		Show: Show{Style: StylePrimary, Weight: 45},
	},
}

// Lookup returns the table row of act.
func Lookup(act Action) (Transition, bool) {
	for _, t := range Transitions {
		if t.Action == act {
			return t, true
		}
	}
	return Transition{}, false
}

// LabelZH returns the Chinese label of act, or its raw value if unknown.
func (act Action) LabelZH() string {
	if t, ok := Lookup(act); ok {
		return t.LabelZH
	}
	return string(act)
}

// LabelEN returns the English label of act, or its raw value if unknown.
func (act Action) LabelEN() string {
	if t, ok := Lookup(act); ok {
		return t.LabelEN
	}
	return string(act)
}
