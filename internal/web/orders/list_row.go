package orders

import (
	"fmt"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/web/kit"
)

// listRow is one order of the orders list: the order as the caller may see it, with what the
// row shows worked out — names for codes, the countdown to its deadline in words.
type listRow struct {
	OrderView
	Countdown orders.Countdown
	Due       string // the countdown in words: "剩 2 工作日", "超期 3 工作日"
	DueTitle  string // the deadline itself and how the colour is chosen
	Town      string // the order's town, when the list shows several
	GridName  string // the grid's name, without its town's when the row shows the town
	Received  string // received time, short: "11-30 12:08" this year, "2025-11-30" before
	StateText string // the state as the list's pill says it: a long label shortened (ol.state …)
}

func (s *handlers) listRow(v OrderView, l lookups, townName map[string]string, lang string, now time.Time) listRow {
	row := listRow{OrderView: v, Countdown: s.Orders.Countdown(v.Order), Town: townName[v.TownCode], GridName: l.GridName[v.Grid]}
	if row.Town != "" {
		row.GridName = strings.TrimPrefix(row.GridName, row.Town)
	}
	row.Due = countdownText(row.Countdown, lang)
	if v.Deadline != nil {
		row.DueTitle = fmt.Sprintf(kit.Translator(lang)("ol.due title"), fmtTime(*v.Deadline))
	}
	row.Received = fmtShort(v.ReceivedAt, now)
	row.StateText = StateLabel(v.State, lang)
	if key := "ol.state " + v.State; kit.HasMessage(key) {
		row.StateText = kit.Translator(lang)(key)
	}
	return row
}

// countdownText says a countdown in words. Whole working days are counted down (1.9 days left
// is "1 working day left") and up when overdue (a day and an hour late is "2 working days
// overdue"), both erring towards urgency; under a working day it counts hours.
func countdownText(c orders.Countdown, lang string) string {
	T := kit.Translator(lang)
	day := 24 * time.Hour
	switch {
	case c.Urgency == orders.UrgencyNone:
		return ""
	case c.Urgency == orders.UrgencyPaused:
		return T("ol.paused")
	case c.Left >= day:
		n := int(c.Left / day)
		if n == 1 {
			return T("ol.left day")
		}
		return fmt.Sprintf(T("ol.left days"), n)
	case c.Left >= time.Hour:
		return fmt.Sprintf(T("ol.left hours"), int(c.Left/time.Hour))
	case c.Left > 0:
		return T("ol.left minutes")
	case -c.Left < time.Hour:
		return T("ol.over now")
	case -c.Left < day:
		return fmt.Sprintf(T("ol.over hours"), int((-c.Left+time.Hour-1)/time.Hour))
	default:
		n := int((-c.Left + day - 1) / day)
		if n == 1 {
			return T("ol.over day")
		}
		return fmt.Sprintf(T("ol.over days"), n)
	}
}

// fmtShort is a time in Shanghai time as a list shows it: month, day and clock time within the
// current year, the full date before.
func fmtShort(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(shanghai)
	if t.Year() == now.In(shanghai).Year() {
		return t.Format("01-02 15:04")
	}
	return t.Format("2006-01-02")
}
