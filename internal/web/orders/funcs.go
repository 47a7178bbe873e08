package orders

import (
	"fmt"
	"html/template"
	"sort"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/search"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

func init() {
	kit.RegisterFuncs(template.FuncMap{
		"stateLabel":        StateLabel,
		"actionLabel":       actionLabel,
		"satisfactionLabel": satisfactionLabel,
		"outcomeLabel":      callbackOutcomeLabel,
		"excerpt":           excerpt,
		"highlight":         highlight,
		"fmtTime":           fmtTime,
		"fmtTimePtr": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return fmtTime(*t)
		},
		"eventData":  eventData,
		"actorLabel": actorLabel,
		"classLabel": classLabel,
		"countLabel": CountLabel,
	})
}

// CountLabel writes a list's total as pages show it: digits grouped, and "10,000+" for a total the
// list stopped counting at (orders.CountBound).
func CountLabel(n int) string { return countLabelOf(n, orders.CountBound) }

// countLabelOf is CountLabel for a list that stops counting at bound (orders.CountBoundOf: a
// search's "1,000+").
func countLabelOf(n, bound int) string {
	if n > bound {
		return groupDigits(bound) + "+"
	}
	return groupDigits(n)
}

func satisfactionLabel(code, lang string) string {
	return gradeLabel(workorder.Satisfactions, code, lang)
}

// callbackOutcomeLabel is the wording of how a callback ended without a rating.
func callbackOutcomeLabel(code, lang string) string {
	return gradeLabel(workorder.CallbackOutcomes, code, lang)
}

// gradeLabel is the label in lang of code in one of workorder's coded lists (satisfaction
// grades, callback outcomes).
func gradeLabel(list []workorder.SatisfactionInfo, code, lang string) string {
	return labelOf(list, code, lang, func(s workorder.SatisfactionInfo) [3]string {
		return [3]string{s.Code, s.LabelZH, s.LabelEN}
	})
}

// labelOf is the label in lang (en, else zh) of the entry of list whose code is code, and code
// itself when list has none; entry gives an entry's code, Chinese and English label.
func labelOf[T any](list []T, code, lang string, entry func(T) [3]string) string {
	for _, x := range list {
		if e := entry(x); e[0] == code {
			if lang == "en" {
				return e[2]
			}
			return e[1]
		}
	}
	return code
}

func excerpt(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// highlight is excerpt for a search result: the n characters around the first part of query that
// text contains (so that a match late in a long text is still seen), every part marked with
// <mark>, the rest escaped. Without a query, or without a match, it is excerpt.
func highlight(text, query string, n int) template.HTML {
	q := search.Parse(query)
	var parts []string
	for _, p := range append(append([]string{}, q.Texts...), q.Scan...) {
		if p != "" {
			parts = append(parts, p)
		}
	}
	r := []rune(text)
	lower := []rune(strings.ToLower(text)) // ToLower keeps the rune count for the scripts we show
	if len(lower) != len(r) {
		lower = r
	}
	type span struct{ from, to int }
	var spans []span
	for _, p := range parts {
		pr := []rune(strings.ToLower(p))
		for i := 0; i+len(pr) <= len(lower); i++ {
			if string(lower[i:i+len(pr)]) == string(pr) {
				spans = append(spans, span{i, i + len(pr)})
				i += len(pr) - 1
			}
		}
	}
	start, end := 0, len(r)
	if len(r) > n {
		end = n
		if len(spans) > 0 {
			first := spans[0].from
			for _, sp := range spans {
				first = min(first, sp.from)
			}
			if first > n/2 {
				start = min(first-n/4, len(r)-n)
				end = start + n
			}
		}
	}
	marked := make([]bool, len(r))
	for _, sp := range spans {
		for i := sp.from; i < sp.to; i++ {
			marked[i] = true
		}
	}
	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	open := false
	for i := start; i < end; i++ {
		if marked[i] != open {
			if open {
				b.WriteString("</mark>")
			} else {
				b.WriteString("<mark>")
			}
			open = marked[i]
		}
		b.WriteString(template.HTMLEscapeString(string(r[i])))
	}
	if open {
		b.WriteString("</mark>")
	}
	if end < len(r) {
		b.WriteString("…")
	}
	return template.HTML(b.String())
}

// fmtTime shows times in Shanghai time, the zone everyone using the system works in.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(shanghai).Format("2006-01-02 15:04")
}

// eventData renders an event's extra fields in the page's language: each key by its label,
// codes by their names, flags and levels in words.
func eventData(data map[string]any, p orderPage, lang string) string {
	l := p.lookups
	T := kit.Translator(lang)
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		v := fmt.Sprint(data[k])
		switch k {
		case "category":
			v = nameOr(l.CatName, v)
		case "grid":
			v = nameOr(l.GridName, v)
		case "department", "co_department":
			v = nameOr(l.DeptName, v)
		case "co_departments":
			if list, ok := data[k].([]any); ok {
				var names []string
				for _, x := range list {
					names = append(names, nameOr(l.DeptName, fmt.Sprint(x)))
				}
				v = strings.Join(names, listSep(lang))
			}
		case "changed":
			if list, ok := data[k].([]any); ok {
				var names []string
				for _, x := range list {
					names = append(names, eventKeyLabel(fmt.Sprint(x), lang))
				}
				v = strings.Join(names, listSep(lang))
			}
		case "channel":
			v = nameOr(l.Channels, v)
		case "deadline_class":
			v = classLabel(v, lang)
		case "satisfaction":
			v = satisfactionLabel(v, lang)
		case "callback_outcome":
			v = callbackOutcomeLabel(v, lang)
		case "self_handled":
			if b, ok := data[k].(bool); ok {
				v = T("ev.no")
				if b {
					v = T("ev.yes")
				}
			}
		case "late_stages":
			if list, ok := data[k].([]any); ok {
				var names []string
				for _, x := range list {
					st := workorder.Stage(fmt.Sprint(x))
					if lang == "en" {
						names = append(names, st.LabelEN())
					} else {
						names = append(names, st.LabelZH())
					}
				}
				v = strings.Join(names, listSep(lang))
			}
		case "escalation_level":
			v = fmt.Sprintf(T("ev.level"), v)
		case "duplicate_of":
			if p.DuplicateNumber != "" && v == fmt.Sprint(p.Order.DuplicateOf) {
				v = p.DuplicateNumber
			} else {
				v = "#" + v
			}
		case "suspended_working_ms":
			if ms, ok := data[k].(float64); ok {
				v = workingTime(time.Duration(ms)*time.Millisecond, lang)
			}
		case "deadline", "extension_deadline", "deadline_at", "refused_deadline":
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				v = fmtTime(t)
			}
		}
		parts = append(parts, eventKeyLabel(k, lang)+T("ev.sep")+v)
	}
	return strings.Join(parts, " · ")
}

func listSep(lang string) string {
	if lang == "en" {
		return ", "
	}
	return "、"
}

// workingTime is a paused span in hours and minutes.
func workingTime(d time.Duration, lang string) string {
	h, m := int(d.Hours()), int(d.Minutes())%60
	if lang == "en" {
		return fmt.Sprintf("%d h %d min", h, m)
	}
	return fmt.Sprintf("%d 小时 %d 分钟", h, m)
}

func nameOr(m map[string]string, code string) string {
	if n, ok := m[code]; ok && n != "" {
		return n
	}
	return code
}

// eventKeyLabel names an event's data field (or a changed field of a channel update) in lang;
// a key without a label is shown as a generic "detail", never as its code.
func eventKeyLabel(k, lang string) string {
	T := kit.Translator(lang)
	if key := "ev." + k; kit.HasMessage(key) {
		return T(key)
	}
	return T("ev.other")
}

// actorLabel is who acted and in what role, the role once: a resident sees staff by role only.
func actorLabel(actor, role, lang string) string {
	rn := auth.RoleName(role, lang)
	if role == workorder.RoleSystem {
		rn = kit.Translator(lang)("ev.role system")
	}
	if actor == "" || actor == rn || role == "" {
		if actor == "" {
			return rn
		}
		return actor
	}
	return actor + " · " + rn
}

func classLabel(code, lang string) string {
	return labelOf(workorder.DeadlineClasses, code, lang, func(c workorder.DeadlineClass) [3]string {
		return [3]string{c.Code, c.LabelZH, c.LabelEN}
	})
}
