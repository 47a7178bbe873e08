package orders

import (
	"time"

	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/privacy"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// PublicOrder is what anyone holding an order's number and short code may see.
type PublicOrder struct {
	Number     string         `json:"number"`
	State      string         `json:"state"`
	StateLabel string         `json:"state_label"`
	Category   string         `json:"category"`
	Content    string         `json:"content"`
	ReceivedAt time.Time      `json:"received_at"`
	Deadline   *time.Time     `json:"deadline"`
	ClosedAt   *time.Time     `json:"closed_at"`
	Timeline   []publicEvent  `json:"timeline"`
	Rating     string         `json:"satisfaction,omitempty"`
	Extra      map[string]any `json:"-"`
}

type publicEvent struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	Label  string    `json:"label"`
	Text   string    `json:"text,omitempty"`
	Photos []string  `json:"photos,omitempty"`
}

// PublicView keeps what a resident should see: no names of staff, no phone numbers, no internal
// notes. Numbers and the caller's name inside the texts are masked too (the number and code may be
// in other hands than the reporter's), and photos are given as signed references (privacy.PhotoLinks),
// the only way to open them without signing in.
func PublicView(o orders.Order, lang string, links *privacy.PhotoLinks) PublicOrder {
	o, _ = privacy.MaskOrder(o)
	p := PublicOrder{Number: o.Number, State: o.State, StateLabel: StateLabel(o.State, lang), Category: o.Category, Content: o.Content,
		ReceivedAt: o.ReceivedAt, Deadline: o.Deadline, ClosedAt: o.ClosedAt, Rating: o.Satisfaction}
	for _, e := range o.Events {
		pe := publicEvent{At: e.At, Action: e.Action, Label: actionLabel(e.Action, lang)}
		switch e.Action {
		case orders.ActionReceive:
			pe.Photos = links.SignAll(e.Photos) // the reporter's own photos
		case "report", "self_handle":
			pe.Text, pe.Photos = e.Result, links.SignAll(e.Photos)
		case "reject":
			pe.Text = e.Reason
		case "verify_pass":
			pe.Photos = links.SignAll(e.Photos)
		case "rate":
			pe.Text = e.Comment
		}
		p.Timeline = append(p.Timeline, pe)
	}
	return p
}

func StateLabel(s, lang string) string {
	if lang == "en" {
		return workorder.State(s).LabelEN()
	}
	return workorder.State(s).LabelZH()
}

func actionLabel(a, lang string) string {
	if a == actionFileDispatch {
		if lang == "en" {
			return "File and dispatch"
		}
		return "立案并派遣"
	}
	if a == orders.ActionReceive {
		if lang == "en" {
			return "Received"
		}
		return "受理"
	}
	if lang == "en" {
		return workorder.Action(a).LabelEN()
	}
	return workorder.Action(a).LabelZH()
}
