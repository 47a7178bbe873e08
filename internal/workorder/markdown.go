package workorder

import (
	"fmt"
	"slices"
	"strings"

	"github.com/civicgrid/civicgrid/internal/lifecycle"
)

// roleDocs spells out the ownership rule that comes with a role.
var roleDocs = map[string]string{
	RoleHandler:    "handler of the lead department 主办部门处置人员",
	RoleGridWorker: "gridworker of the order's grid 本网格网格员",
	RoleGridLeader: "gridleader of the order's grid 本网格网格长",
	RoleResident:   "resident who raised it 诉求人",
	RoleDispatcher: "dispatcher 受理员/派单员",
	RoleLeader:     "leader 领导",
	RoleSystem:     "system 系统自动",
}

// MarkdownTable renders the lifecycle tables (states, transitions,
// deadline classes) that docs/WORKFLOW.md embeds; a test keeps the file
// equal to this output.
func MarkdownTable() string {
	var b strings.Builder

	b.WriteString("### States 状态\n\n")
	b.WriteString("| state | 中文 | English | open |\n| --- | --- | --- | --- |\n")
	for _, s := range States {
		open := "no"
		if s.Open {
			open = "yes"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", s.State, s.LabelZH, s.LabelEN, open)
	}

	b.WriteString("\n### Transitions 流转\n\n")
	b.WriteString("| from | action | 中文 | English | to | who | requires | optional | condition |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, t := range Transitions {
		from := make([]string, len(t.From))
		for i, s := range t.From {
			from[i] = "`" + string(s) + "`"
		}
		to := "(unchanged)"
		if t.To != "" {
			to = "`" + string(t.To) + "`"
		}
		who := make([]string, len(t.Roles))
		for i, r := range t.Roles {
			who[i] = roleDocs[r]
			if r == RoleHandler && t.CoHandler {
				who[i] = "handler of a co-handling department 协办部门处置人员"
			}
			if who[i] == "" {
				who[i] = r
			}
		}
		var cond []string
		if !t.WhileSuspended && slices.ContainsFunc(t.From, IsOpen) {
			cond = append(cond, "not suspended 未挂起")
		}
		if l, ok := GuardLabels[t.Guard]; ok {
			cond = append(cond, l[1]+" "+l[0])
		}
		if t.OwnRaised {
			cond = append(cond, "raised by the actor 本人上报")
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s | %s | %s | %s | %s |\n",
			strings.Join(from, ", "), t.Action, t.LabelZH, t.LabelEN, to,
			strings.Join(who, "; "), lifecycle.CodeList(t.Requires), lifecycle.CodeList(t.Optional), lifecycle.OrDash(strings.Join(cond, "; ")))
	}

	b.WriteString("\n### Effects 效果\n\n")
	b.WriteString("What each action changes besides the state (in the order applied), whom it notifies " +
		"(never the actor) and how the order page shows its button (buttons sorted by weight).\n\n")
	b.WriteString("| action | 中文 | changes | notifies | notice | shown |\n| --- | --- | --- | --- | --- | --- |\n")
	for _, t := range Transitions {
		changes := make([]string, len(t.Effects))
		for i, e := range t.Effects {
			l := EffectLabels[e]
			changes[i] = fmt.Sprintf("`%s` %s %s", e, l[1], l[0])
		}
		var notifies, texts []string
		for _, n := range t.Notify {
			to := make([]string, len(n.To))
			for i, a := range n.To {
				l := AudienceLabels[a]
				to[i] = l[1] + " " + l[0]
			}
			line := fmt.Sprintf("`%s` → %s", n.Kind, strings.Join(to, " + "))
			if n.When != Always {
				line += fmt.Sprintf(" (only when `%s`)", n.When)
			}
			notifies = append(notifies, line)
			texts = append(texts, n.Text)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s, %d |\n", t.Action, t.LabelZH,
			lifecycle.OrDash(strings.Join(changes, "; ")), lifecycle.OrDash(strings.Join(notifies, "; ")), lifecycle.OrDash(strings.Join(texts, "; ")),
			t.Show.Style, t.Show.Weight)
	}
	b.WriteString("\nIn the notice texts:")
	for i, p := range Placeholders {
		sep := ";"
		if i == len(Placeholders)-1 {
			sep = "."
		}
		fmt.Fprintf(&b, " `%s` %s%s", p.Name, p.Doc, sep)
	}
	b.WriteString("\n")

	b.WriteString("\n### Deadline classes 办理时限\n\n")
	b.WriteString("| class | 中文 | English | working days |\n| --- | --- | --- | --- |\n")
	for _, c := range DeadlineClasses {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %d |\n", c.Code, c.LabelZH, c.LabelEN, c.Days)
	}

	b.WriteString("\n### Stage clocks 环节时限\n\n")
	b.WriteString("Each stage has its own owner and due time (table `order_stages`); lateness and escalation go " +
		"to the owner of the late stage. Working days; `stage_days` and `deadline_days` settings override the defaults.\n\n")
	b.WriteString("| stage | 中文 | English | owner | limit (working days) | started by | ended by |\n| --- | --- | --- | --- | --- | --- | --- |\n")
	for _, si := range Stages {
		var starts, ends []string
		for _, t := range Transitions {
			if slices.Contains(t.Stages.Start, si.Stage) {
				starts = append(starts, "`"+string(t.Action)+"`")
			}
			if slices.Contains(t.Stages.End, si.Stage) {
				ends = append(ends, "`"+string(t.Action)+"`")
			}
		}
		if si.Stage == StageFiling {
			starts = append([]string{"receipt 受理"}, starts...)
		}
		limit := fmt.Sprint(si.Days)
		switch si.Stage {
		case StageFirstContact:
			limit = "class `first_contact` (1)"
		case StageHandling:
			limit = "the order's deadline; from a re-dispatch its class afresh; after `verify_fail` class `rehandle` (3)"
		case StageCoHandling:
			limit = "the lead department's handling due time, or `stage_days` `co_handling`; one row per co-handling department, ended by its own `co_report`"
		}
		ol := OwnerLabels[si.Owner]
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s %s | %s | %s | %s |\n", si.Stage, si.LabelZH, si.LabelEN, ol[1], ol[0], limit,
			lifecycle.OrDash(strings.Join(starts, ", ")), lifecycle.OrDash(strings.Join(ends, ", ")))
	}

	b.WriteString("\n### Satisfaction 满意度\n\n")
	b.WriteString("| code | 中文 | English |\n| --- | --- | --- |\n")
	for _, s := range Satisfactions {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", s.Code, s.LabelZH, s.LabelEN)
	}
	return b.String()
}
