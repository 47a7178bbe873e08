package intake

import (
	"context"
	"time"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/web/kit"
	weborders "github.com/civicgrid/civicgrid/internal/web/orders"
	"github.com/civicgrid/civicgrid/internal/workcal"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// A resident's view of an order speaks the resident's words: a state as the resident reads it
// ("res.state.*"), what happens next ("res.next.*"), and a history of only the steps the resident
// is told of ("res.act.*"), without staff names, departments or internal notes.

// residentActs are the actions a resident's history shows: the news of workorder's table, the
// report itself and the resident's own rating.
var residentActs = func() map[string]bool {
	m := map[string]bool{orders.ActionReceive: true, string(workorder.ActRate): true}
	for _, n := range workorder.ResidentNewsTable {
		m[string(n.Action)] = true
	}
	return m
}()

// residentStep is one step of a report's history as the resident reads it.
type residentStep struct {
	At     time.Time
	Action string
	Label  string
	Text   string
	Photos []string // signed photo references
	New    bool     // since the resident last opened the report
}

// residentReport is a report as its resident sees it, on the card of "my reports" and on its page.
type residentReport struct {
	ID                int64
	Number, ShortCode string
	Category          string
	Content, Address  string
	State             string // the state's code, for the badge's colour
	Words, Next       string // the state in words, and what happens next
	Tone              string // wait, work, check, done, stop: the badge's colour
	Received          time.Time
	Expect            *time.Time // the deadline, while the report is open
	Thumb             string     // the first photo the resident sent, signed
	Result            string     // the latest handling result
	ResultPhotos      []string
	Rating            string // the satisfaction in words, once rated
	Comment           string
	CanRate           bool
	Version           int
	Steps             []residentStep // oldest first
	News              []residentStep // the steps since the resident last looked, newest first
}

// stateKey is the message suffix of an order's state for a resident: a paused order is paused,
// whatever its state.
func stateKey(o orders.Order) string {
	if o.Suspended && workorder.IsOpen(workorder.State(o.State)) {
		return "paused"
	}
	return o.State
}

func tone(key string) string {
	switch key {
	case "received", "filed":
		return "wait"
	case "dispatched", "in_progress":
		return "work"
	case "handled":
		return "check"
	case "closed", "rated":
		return "done"
	}
	return "stop"
}

// residentView is o as the resident who raised it sees it; seen is the version the resident had
// seen (0: never opened; -1: mark nothing new, as on the public tracking page), categories the names of the town's categories in lang.
func residentView(o orders.Order, lang string, links *privacy.PhotoLinks, seen int, categories map[string]string) residentReport {
	T := kit.Translator(lang)
	pub := weborders.PublicView(o, lang, links) // texts masked as on the public page, photos signed
	key := stateKey(o)
	v := residentReport{ID: o.ID, Number: o.Number, ShortCode: o.ShortCode, Category: categories[o.Category], Content: pub.Content,
		Address: o.Address, State: o.State, Words: T("res.state." + key), Next: T("res.next." + key), Tone: tone(key),
		Received: o.ReceivedAt, Version: o.Version, CanRate: o.State == string(workorder.Closed)}
	if v.Category == "" {
		v.Category = T("res.uncategorised")
	}
	if workorder.IsOpen(workorder.State(o.State)) && !o.Suspended {
		v.Expect = o.Deadline
	}
	for i, e := range pub.Timeline {
		if !residentActs[e.Action] {
			continue
		}
		step := residentStep{At: e.At, Action: e.Action, Label: T("res.act." + e.Action), Text: e.Text, Photos: e.Photos}
		if i < len(o.Events) {
			ev := o.Events[i]
			step.New = seen > 0 && ev.Seq > seen || seen == 0 && ev.Seq > 1 // the report itself is not news
			switch e.Action {
			case string(workorder.ActApproveExtension):
				if t, err := time.Parse(time.RFC3339Nano, dataString(ev, "deadline_at")); err == nil {
					step.Text = t.In(workcal.Location()).Format("2006-01-02")
				}
			case string(workorder.ActRate):
				v.Rating, v.Comment = satisfactionWords(dataString(ev, "satisfaction"), lang), e.Text
				step.Text = joinNonEmpty(v.Rating, e.Text)
			case string(workorder.ActReport):
				v.Result, v.ResultPhotos = e.Text, e.Photos
			}
		}
		if e.Action == orders.ActionReceive && len(e.Photos) > 0 && v.Thumb == "" {
			v.Thumb = e.Photos[0]
		}
		v.Steps = append(v.Steps, step)
	}
	for i := len(v.Steps) - 1; i >= 0; i-- {
		if v.Steps[i].New && v.Steps[i].Action != string(workorder.ActRate) && v.Steps[i].Action != orders.ActionReceive {
			v.News = append(v.News, v.Steps[i])
		}
	}
	if v.Thumb == "" && len(v.ResultPhotos) > 0 {
		v.Thumb = v.ResultPhotos[0] // no photo from the resident: the result's
	}
	if o.State == string(workorder.Rated) && v.Rating == "" {
		v.Rating = satisfactionWords(o.Satisfaction, lang)
	}
	return v
}

func satisfactionWords(code, lang string) string {
	for _, s := range workorder.Satisfactions {
		if s.Code == code {
			if lang == "en" {
				return s.LabelEN
			}
			return s.LabelZH
		}
	}
	return ""
}

// dataString is the text an event's data holds under key, "" when none.
func dataString(e orders.Event, key string) string {
	v, _ := e.Data[key].(string)
	return v
}

func joinNonEmpty(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " · " + b
}

// categoryNames are the names, in lang, of the categories of towns.
func (s *handlers) categoryNames(ctx context.Context, towns []string, lang string) (map[string]string, error) {
	out := map[string]string{}
	for _, t := range towns {
		cs, err := s.Orders.Categories(ctx, t)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			name := c.Name
			if lang == "en" && c.NameEN != "" {
				name = c.NameEN
			}
			out[c.Code] = name
		}
	}
	return out, nil
}
