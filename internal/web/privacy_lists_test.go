package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// TestPersonalDataInFullLists: the list a handler of another department once read 405 phones
// from — the whole list, not a filtered one — masks every order that is not theirs, and the
// district account sees every town's orders masked.
func TestPersonalDataInFullLists(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newSweep(t, db)
		for role, wantWhole := range map[string]string{"handler_police": "A", "handler_enforcement": "B", "gridworker": "A", "leader": "", "changning": ""} {
			var list struct {
				Orders []orderOut `json:"orders"`
			}
			if code := f.a.call(role, "GET", "/api/v1/orders?limit=500", nil, &list); code != http.StatusOK {
				t.Fatalf("%s: list = %d", role, code)
			}
			seen := 0
			for _, o := range list.Orders {
				raw, _ := json.Marshal(o)
				for _, name := range []string{"A", "B"} {
					if o.Number != f.subjects[name].id {
						continue
					}
					seen++
					if strings.Contains(wantWhole, name) {
						if !strings.Contains(string(raw), f.subjects[name].marker) || o.CallerMasked {
							t.Errorf("%s: order %s masked in the list", role, name)
						}
					} else {
						f.noSecrets(t, string(raw), name)
						if !o.CallerMasked {
							t.Errorf("%s: order %s not flagged caller_masked", role, name)
						}
					}
				}
				// Whatever the order, a handler sees whole only what its department handles.
				if role == "handler_police" && !o.CallerMasked && o.CallerPhone != "" && o.Department != "xj-police" && !slices.Contains(o.CoDepartments, "xj-police") {
					t.Errorf("handler_police sees %s of %s whole", o.Number, o.Department)
				}
			}
			if seen != 2 {
				t.Errorf("%s: %d of the 2 orders listed", role, seen)
			}
		}
	})
}

// TestPersonalDataInActionResponses: an action answers with the order, audited like a read when
// it is whole, masked for a role that sees it masked; raising an order from a visit likewise.
func TestPersonalDataInActionResponses(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newSweep(t, db)
		a := f.a
		before := f.lastAudit(t)
		code, accepted, e := a.act("handler_police", f.orderA, workorder.ActAccept, nil)
		if code != http.StatusOK || accepted.CallerPhone != "13811110001" {
			t.Fatalf("accept = %d %+v; caller %q", code, e, accepted.CallerPhone)
		}
		rows := f.auditSince(t, before)
		if len(rows) != 1 || rows[0].EntityID != f.orderA.Number || rows[0].Actor != "handler_police" {
			t.Errorf("audit of the accept answer: %+v", rows)
		}
		before = f.lastAudit(t)
		code, escalated, e := a.act("leader", f.orderB, workorder.ActEscalate, map[string]any{"note": "请加快处理"})
		if code != http.StatusOK {
			t.Fatalf("escalate = %d %+v", code, e)
		}
		raw, _ := json.Marshal(escalated)
		f.noSecrets(t, string(raw), "B")
		if rows := f.auditSince(t, before); len(rows) != 0 {
			t.Errorf("a masked answer audited: %+v", rows)
		}
		// The visit's order: its caller is the target's contact. The dispatcher raises it from
		// gridleader's visit and sees it whole (audited); the volunteer may not raise orders.
		before = f.lastAudit(t)
		var vo struct {
			Order orderOut `json:"order"`
		}
		if code := a.call("dispatcher", "POST", fmt.Sprintf("/api/v1/visits/%d/order", f.v2), nil, &vo); code != http.StatusForbidden {
			// The dispatcher is not on the team nor grid staff: only visitors raise orders.
			t.Fatalf("dispatcher raising an order from a visit = %d", code)
		}
		if code := a.call("handler_enforcement", "POST", fmt.Sprintf("/api/v1/visits/%d/order", f.v2), nil, &vo); code != http.StatusCreated {
			t.Fatalf("team member raising an order from a visit = %d", code)
		}
		// The order is not handler_enforcement's department's (nobody's yet): masked, not audited.
		raw, _ = json.Marshal(vo.Order)
		if strings.Contains(string(raw), "13722220002") || !vo.Order.CallerMasked {
			t.Errorf("the visit's order is shown whole to a handler of no department of it: %s", raw)
		}
		if rows := f.auditSince(t, before); len(rows) != 0 {
			t.Errorf("a masked answer audited: %+v", rows)
		}
		var again struct {
			Order orderOut `json:"order"`
		}
		if code := a.call("gridleader", "POST", fmt.Sprintf("/api/v1/visits/%d/order", f.v2), nil, &again); code != http.StatusOK {
			t.Fatalf("the visitor asking again = %d", code)
		}
		if !strings.Contains(again.Order.CallerName, "13722220002") || again.Order.CallerMasked {
			t.Errorf("the visitor's own order (raised by them) is masked: %+v", again.Order.CallerName)
		}
		if rows := f.auditSince(t, before); len(rows) != 0 {
			t.Errorf("the visitor's own order was audited: %+v", rows)
		}
	})
}
