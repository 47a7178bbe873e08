package consult

import (
	"context"
	"fmt"
	"strconv"

	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Rows is where an export writes its rows (a sheet.Writer).
type Rows interface{ Row(cells ...string) error }

// exportHead are the fixed columns of an export, in zh and en.
var exportHead = []Label{
	{Code: "id", ZH: "答卷号", EN: "Answer"}, {Code: "at", ZH: "提交时间", EN: "Submitted"}, {Code: "channel", ZH: "渠道", EN: "Channel"},
	{Code: "household", ZH: "楼栋", EN: "Building"}, {Code: "respondent", ZH: "填写人", EN: "Respondent"}, {Code: "phone", ZH: "电话", EN: "Phone"},
}

// ExportWidths are the columns' widths of an export of c, in characters.
func ExportWidths(c Consultation) []float64 {
	w := []float64{8, 18, 8, 20, 10, 14}
	for range c.Questions {
		w = append(w, 24)
	}
	return w
}

// Export writes the answers of c to out in lang: a header, then one row per answer with one
// column per question (Format). The name and phone written on a paper answer, and the numbers
// and addresses people type into text answers, are shown whole only where whole says so, masked
// otherwise (privacy.MaskText); shown names each answer with such data shown whole. It returns
// the number of answers written.
func (s *Service) Export(ctx context.Context, c Consultation, out Rows, lang string, whole func(StoredAnswer) bool, shown func(StoredAnswer)) (int, error) {
	head := make([]string, 0, len(exportHead)+len(c.Questions))
	for _, l := range exportHead {
		head = append(head, l.Name(lang))
	}
	for i, q := range c.Questions {
		head = append(head, fmt.Sprintf("%d. %s", i+1, q.Title))
	}
	if err := out.Row(head...); err != nil {
		return 0, err
	}
	loc := workcal.Location()
	n := 0
	err := s.Each(ctx, c, func(a StoredAnswer) error {
		name, phone := a.Respondent, a.Phone
		personal := name != "" || phone != ""
		for _, q := range c.Questions {
			personal = personal || (q.Type == TypeText && a.Answers[q.Key].Text != "")
		}
		show := !personal || whole(a)
		if personal && show {
			shown(a)
		}
		if !show {
			name, phone = privacy.MaskName(name), privacy.MaskPhone(phone)
		}
		row := []string{strconv.FormatInt(a.ID, 10), a.CreatedAt.In(loc).Format("2006-01-02 15:04"), LabelOf(Channels, a.Channel, lang), a.Household, name, phone}
		for _, q := range c.Questions {
			cell := Format(q, a.Answers[q.Key])
			if q.Type == TypeText && !show {
				cell = privacy.MaskText(cell, a.Respondent)
			}
			row = append(row, cell)
		}
		n++
		return out.Row(row...)
	})
	return n, err
}
