package workorder

import "strings"

// ResidentKind is what a resident is told about their order, as the resident notifier
// (orders.ResidentNotifier) and the resident's pages name it.
type ResidentKind string

// The kinds of news a resident gets. Staff steps that change nothing the resident can see (a
// request for more time, a refused one, supervision) tell nothing.
const (
	NewsAccepted   ResidentKind = "accepted"    // 已受理
	NewsRejected   ResidentKind = "rejected"    // 未受理
	NewsAssigned   ResidentKind = "assigned"    // 已转交负责部门
	NewsInProgress ResidentKind = "in_progress" // 负责部门开始处理
	NewsReassigned ResidentKind = "reassigned"  // 重新安排负责部门
	NewsExtended   ResidentKind = "extended"    // 处理期限延长
	NewsHandled    ResidentKind = "handled"     // 已处理，待核实
	NewsClosed     ResidentKind = "closed"      // 已办结，请评价
	NewsRework     ResidentKind = "rework"      // 核实未通过，重新处理
	NewsReopened   ResidentKind = "reopened"    // 重新办理
	NewsPaused     ResidentKind = "paused"      // 暂缓处理
	NewsResumed    ResidentKind = "resumed"     // 恢复处理
	NewsMerged     ResidentKind = "merged"      // 与相同问题合并处理
)

// ResidentNews is what one action tells the person who reported the order, in the resident's
// words (no 立案, 派遣 or department codes), Chinese and English. The texts may hold
// {number} (the order's number), {reason} and {deadline}.
type ResidentNews struct {
	Action Action
	Kind   ResidentKind
	ZH, EN string
}

// ResidentNewsTable lists, per action of Transitions, the news it gives the resident; an action
// not listed (extend, refuse_extension, escalate, rate, self_handle) tells the resident nothing.
// A test keeps every action of the table either here or in ResidentSilent.
var ResidentNewsTable = []ResidentNews{
	{ActFile, NewsAccepted, "您反映的问题（编号 {number}）已受理，我们正在安排负责的部门。",
		"Your report {number} has been accepted; we are finding the department in charge."},
	{ActReject, NewsRejected, "您反映的问题（编号 {number}）未能受理：{reason}。如有疑问请拨打 12345。",
		"Your report {number} could not be taken up: {reason}. Call 12345 with any question."},
	{ActDispatch, NewsAssigned, "您反映的问题（编号 {number}）已转交负责部门，预计 {deadline} 前处理完毕。",
		"Your report {number} is with the department in charge; expected done by {deadline}."},
	{ActAccept, NewsInProgress, "负责部门已开始处理您反映的问题（编号 {number}）。",
		"The department in charge has started work on your report {number}."},
	{ActReturn, NewsReassigned, "您反映的问题（编号 {number}）正在重新安排负责部门，请耐心等待。",
		"Your report {number} is being passed to another department; thank you for waiting."},
	{ActApproveExtension, NewsExtended, "您反映的问题（编号 {number}）处理时间延长至 {deadline}。",
		"Your report {number} needs more time: now expected by {deadline}."},
	{ActReport, NewsHandled, "您反映的问题（编号 {number}）已处理，社区工作人员将到现场核实。",
		"Your report {number} has been dealt with; community staff will check it on site."},
	{ActVerifyPass, NewsClosed, "您反映的问题（编号 {number}）已办结，欢迎对处理结果进行评价。",
		"Your report {number} is resolved. Please tell us how satisfied you are."},
	{ActVerifyFail, NewsRework, "您反映的问题（编号 {number}）核实未达到要求，已要求重新处理。",
		"The work on your report {number} did not pass the check; it is being done again."},
	{ActReopen, NewsReopened, "根据您的评价，您反映的问题（编号 {number}）将重新办理，预计 {deadline} 前完成。",
		"After your rating, your report {number} is being handled again; expected by {deadline}."},
	{ActSuspend, NewsPaused, "您反映的问题（编号 {number}）暂缓处理，恢复后会再通知您。",
		"Work on your report {number} is paused; we will tell you when it resumes."},
	{ActResume, NewsResumed, "您反映的问题（编号 {number}）已恢复处理。",
		"Work on your report {number} has resumed."},
	{ActMerge, NewsMerged, "您反映的问题（编号 {number}）与他人反映的同一问题合并处理。",
		"Your report {number} is handled together with another report of the same problem."},
}

// ResidentSilent are the actions that tell the resident nothing, and why (for the docs and the
// test that every action is decided one way or the other).
var ResidentSilent = map[Action]string{
	ActExtend:          "a request inside the staff; the resident hears if it is granted",
	ActRefuseExtension: "the deadline the resident was told stays",
	ActEscalate:        "internal supervision",
	ActRate:            "the resident's own act",
	ActSelfHandle:      "patrol reports only, raised by grid staff",
	ActCoReport:        "between departments; the resident hears of the handling report",
	ActEndCallback:     "the centre's record of a callback that got no rating; the resident may still rate",
}

// ResidentNewsOf returns the news action gives the resident, if any.
func ResidentNewsOf(a Action) (ResidentNews, bool) {
	for _, n := range ResidentNewsTable {
		if n.Action == a {
			return n, true
		}
	}
	return ResidentNews{}, false
}

// Text is the news in lang ("en", else Chinese) with its placeholders filled; a missing value
// reads "—".
func (n ResidentNews) Text(lang, number, reason, deadline string) string {
	t := n.ZH
	if lang == "en" {
		t = n.EN
	}
	dash := func(s string) string {
		if strings.TrimSpace(s) == "" {
			return "—"
		}
		return s
	}
	return strings.NewReplacer("{number}", number, "{reason}", dash(reason), "{deadline}", dash(deadline)).Replace(t)
}
