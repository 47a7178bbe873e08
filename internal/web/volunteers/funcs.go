package volunteers

import (
	"html/template"
	"time"

	"github.com/civicgrid/civicgrid/internal/volunteers"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

func init() {
	kit.RegisterFuncs(template.FuncMap{
		// volTime shows a time in Shanghai, to the minute; volHM its clock time only.
		"volTime": func(t time.Time) string { return t.In(workcal.Location()).Format("2006-01-02 15:04") },
		"volHM":   func(t time.Time) string { return t.In(workcal.Location()).Format("15:04") },
		"volDay":  func(t time.Time) string { return t.In(workcal.Location()).Format("01-02") },
		// volInput is a time as a datetime-local input's value.
		"volInput": func(t time.Time) string { return t.In(workcal.Location()).Format("2006-01-02T15:04") },
		// volHours shows minutes as hours with one decimal.
		"volHours": func(m any) string {
			switch v := m.(type) {
			case int:
				return volunteers.FormatHours(int64(v))
			case int64:
				return volunteers.FormatHours(v)
			case *int:
				if v == nil {
					return "—"
				}
				return volunteers.FormatHours(int64(*v))
			}
			return ""
		},
		"volIDType": func(code, lang string) string { return volunteers.LabelOf(volunteers.IDTypes, code, lang) },
		"volStatus": func(code, lang string) string { return volunteers.LabelOf(volunteers.Statuses, code, lang) },
		"volRecord": func(code, lang string) string { return volunteers.LabelOf(volunteers.RecordKinds, code, lang) },
		"volTeam":   func(code, lang string) string { return volunteers.LabelOf(volunteers.TeamKinds, code, lang) },
		"volLeft":   func(places, taken int) int { return max(places-taken, 0) },
	})
}
