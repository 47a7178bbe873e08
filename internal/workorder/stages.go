package workorder

// Stage is one part of an order's life with its own clock and its own owner, so that lateness is
// blamed on whoever holds the order at the time: an order handled on time and then left waiting
// for verification is the grid's delay, not the department's.
type Stage string

// The stages, in lifecycle order.
const (
	StageFiling       Stage = "filing"        // 立案: from receipt to filing (or rejection, merge) — the operations centre
	StageDispatch     Stage = "dispatch"      // 派遣: from filing (or a return) to dispatch — the operations centre
	StageFirstContact Stage = "first_contact" // 首次联系: from dispatch to acceptance (签收) — the lead department
	StageHandling     Stage = "handling"      // 办理: from dispatch (rework, reopening) to the handling report — the lead department
	StageVerification Stage = "verification"  // 核查: from the handling report to the verification — the grid
	StageCallback     Stage = "callback"      // 回访: from closing to the rating — the operations centre
	// StageCoHandling is a co-handling department's part (协办): from the dispatch that names it
	// to its feedback (co_report), one row per co-handling department, so a department that was
	// asked to help and did not answer in time is blamed separately from the lead department.
	StageCoHandling Stage = "co_handling" // 协办: from dispatch to the department's feedback — each co-handling department
)

// Owner is the kind of party a stage's clock blames.
type Owner string

// The owners.
const (
	OwnerCentre     Owner = "centre"     // the town's operations centre (城运中心): its dispatchers
	OwnerDepartment Owner = "department" // the order's lead department (主办)
	OwnerGrid       Owner = "grid"       // the order's grid: its grid workers and grid leader
	// OwnerCoDepartment is one co-handling department (协办); the stage row names which.
	OwnerCoDepartment Owner = "co_department"
)

// OwnerLabels gives the wording of each owner kind (zh / en).
var OwnerLabels = map[Owner][2]string{
	OwnerCentre:       {"城运中心", "operations centre"},
	OwnerDepartment:   {"主办部门", "lead department"},
	OwnerGrid:         {"网格", "grid"},
	OwnerCoDepartment: {"协办部门", "co-handling department"},
}

// StageInfo describes one stage: who owns it and its default time limit in working days. The
// handling stage's limit is the order's deadline class (or, after a rework, the rehandle class);
// first contact's is the first_contact class; the others' are the town's stage_days setting,
// these defaults otherwise.
type StageInfo struct {
	Stage   Stage
	Owner   Owner
	Days    int // default working days; 0: a deadline class decides
	LabelZH string
	LabelEN string
}

// Stages lists the stages in lifecycle order.
var Stages = []StageInfo{
	{StageFiling, OwnerCentre, 1, "立案", "Filing"},
	{StageDispatch, OwnerCentre, 1, "派遣", "Dispatch"},
	{StageFirstContact, OwnerDepartment, 0, "首次联系（签收）", "First contact (accept)"},
	{StageHandling, OwnerDepartment, 0, "办理", "Handling"},
	{StageVerification, OwnerGrid, 3, "核查", "Verification"},
	{StageCallback, OwnerCentre, 3, "回访", "Callback"},
	{StageCoHandling, OwnerCoDepartment, 0, "协办", "Co-handling"},
}

// Info returns the description of s.
func (s Stage) Info() (StageInfo, bool) {
	for _, si := range Stages {
		if si.Stage == s {
			return si, true
		}
	}
	return StageInfo{}, false
}

// LabelZH returns the Chinese label of s, or its raw value.
func (s Stage) LabelZH() string {
	if si, ok := s.Info(); ok {
		return si.LabelZH
	}
	return string(s)
}

// LabelEN returns the English label of s, or its raw value.
func (s Stage) LabelEN() string {
	if si, ok := s.Info(); ok {
		return si.LabelEN
	}
	return string(s)
}

// StageMove is what an action does to the stage clocks (Transition.Stages, effect EffStageClocks): the running
// stages of the kinds in End finish now (on time if not past their due time), then the stages in
// Start begin now, each with its owner's clock.
//
// A return ends the department's clocks (its answer came in time or not) and gives the centre a
// fresh dispatch clock; the next department's clocks start fresh at the re-dispatch. Suspension,
// an approved extension and escalation act on the running stages through their own effects
// (stop_clock, resume_clock, grant_extension, escalate).
//
// Co-handling rows start at a dispatch, one per co-handling department, due with the lead
// department's handling (or after the town's stage_days "co_handling" working days when set);
// they end at the department's own feedback (Mine: only the acting department's row) or, not
// answered, when the lead department returns or reports the order.
type StageMove struct {
	End   []Stage
	Start []Stage
	// Mine narrows End to the rows owned by the acting handler's department.
	Mine bool
}
