package orders

import (
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// stageRow is one stage clock of the order page's 办理时限 table, in words.
type stageRow struct {
	Stage    string // code, for tests and styles
	Label    string
	Owner    string // who owns it, in words: 城运中心, the department's or the grid's name
	Due      string
	Finished string
	Status   string // orders.StageOnTime, …
	Text     string // on time / late / the countdown of a running stage
	Urgency  orders.Urgency
}

func (s *handlers) stageRows(stages []orders.OrderStage, l lookups, lang string) []stageRow {
	T := kit.Translator(lang)
	out := make([]stageRow, 0, len(stages))
	for _, st := range stages {
		stage := workorder.Stage(st.Stage)
		row := stageRow{Stage: st.Stage, Label: stage.LabelZH(), Due: fmtTime(st.DueAt), Status: st.Status}
		if lang == "en" {
			row.Label = stage.LabelEN()
		}
		switch workorder.Owner(st.OwnerKind) {
		case workorder.OwnerCentre:
			row.Owner = T("stage.owner centre")
		case workorder.OwnerDepartment, workorder.OwnerCoDepartment:
			row.Owner = nameOr(l.DeptName, st.Owner)
		case workorder.OwnerGrid:
			row.Owner = nameOr(l.GridName, st.Owner)
		}
		if st.FinishedAt != nil {
			row.Finished = fmtTime(*st.FinishedAt)
		}
		switch st.Status {
		case orders.StageOnTime:
			row.Text, row.Urgency = T("stage.on time"), orders.UrgencyOK
		case orders.StageLate:
			row.Text, row.Urgency = T("stage.late"), orders.UrgencyLate
		default:
			cd := s.Orders.StageCountdown(st)
			row.Text, row.Urgency = countdownText(cd, lang), cd.Urgency
		}
		out = append(out, row)
	}
	return out
}
