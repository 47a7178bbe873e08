package orders

import (
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Every effect, audience and placeholder the lifecycle table names has its implementation here;
// what they do is proved by TestEffectsTrace against the trace recorded before they were data.
func TestTableIsImplemented(t *testing.T) {
	o := Order{Number: "N", Content: "c", Result: "r", Grid: "g", Department: "d", CoDepartments: []string{"x"}, EscalationLevel: 2}
	dl := time.Date(2025, 11, 3, 1, 0, 0, 0, time.UTC)
	o.Deadline, o.ExtensionDeadline = &dl, &dl
	fill := noticeText(o, Event{Reason: "why", Note: "note", Comment: "comment"})
	for _, tr := range workorder.Transitions {
		for _, e := range tr.Effects {
			if effects[e] == nil {
				t.Errorf("%s: effect %s has no implementation in orders", tr.Action, e)
			}
		}
		for _, n := range tr.Notify {
			for _, a := range n.To {
				if _, _, ok := audience(o, a); !ok {
					t.Errorf("%s: audience %s is nobody for an order with grid and departments", tr.Action, a)
				}
			}
			if got := fill.Replace(n.Text); strings.ContainsAny(got, "{}") {
				t.Errorf("%s: notice text left unfilled: %q", tr.Action, got)
			}
		}
	}
	for _, p := range workorder.Placeholders {
		if fill.Replace(p.Name) == p.Name {
			t.Errorf("placeholder %s is not filled", p.Name)
		}
	}
	if len(effects) != len(workorder.EffectLabels) {
		t.Errorf("%d effects implemented, workorder labels %d", len(effects), len(workorder.EffectLabels))
	}
	bare := Order{}
	if _, _, ok := audience(bare, workorder.ToGridStaff); ok {
		t.Error("grid staff of an order without a grid is somebody")
	}
	if _, _, ok := audience(bare, workorder.ToCoDepartments); ok {
		t.Error("co-departments of an order without any are somebody")
	}
}
