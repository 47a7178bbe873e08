package web_test

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// walker is who takes each action when the tests walk an order along.
var walker = map[workorder.Action]string{
	workorder.ActAccept: leadHandler, workorder.ActReturn: leadHandler, workorder.ActExtend: leadHandler, workorder.ActReport: leadHandler,
	workorder.ActVerifyPass: "gridworker", workorder.ActVerifyFail: "gridworker", workorder.ActRate: "resident", workorder.ActEscalate: "leader",
}

// step is one action of a walk; over replaces some of the action's valid fields.
type step struct {
	act  workorder.Action
	over map[string]any
}

// walk creates an order as the resident and drives it through steps, each as the role that takes it.
func (a *ordersApp) walk(steps []step) orderOut {
	a.tb.Helper()
	return a.walkFrom("resident", steps)
}

// walkFrom is walk with the order raised by user; a grid worker's patrol report lies in their grid.
func (a *ordersApp) walkFrom(user string, steps []step) orderOut {
	a.tb.Helper()
	fields := map[string]any{"content": "楼道里堆了很多纸箱，影响通行", "address": "协和路191弄36号"}
	if g := a.users[user].GridCode; g != "" {
		fields["grid"] = g
	}
	o := a.create(user, fields)
	for _, st := range steps {
		user := walker[st.act]
		if user == "" {
			user = "dispatcher"
		}
		f := a.validFields(st.act, o)
		for k, v := range st.over {
			f[k] = v
		}
		code, next, e := a.act(user, o, st.act, f)
		if code != http.StatusOK {
			a.tb.Fatalf("walk: %s by %s on %s order = %d %s", st.act, user, o.State, code, e.Error.Message)
		}
		o = next
	}
	return o
}

// situation is a condition an order can be in, and the walk that brings a new order there.
type situation struct {
	name  string
	by    string // who raises the order; "" is the resident
	steps []step
}

func situations() []situation {
	s := func(acts ...workorder.Action) []step {
		out := make([]step, len(acts))
		for i, x := range acts {
			out[i] = step{act: x}
		}
		return out
	}
	toInProgress := s(workorder.ActFile, workorder.ActDispatch, workorder.ActAccept)
	toClosed := append(append([]step{}, toInProgress...), s(workorder.ActReport, workorder.ActVerifyPass)...)
	open := []situation{
		{"received", "", nil},
		{"filed", "", s(workorder.ActFile)},
		{"dispatched", "", s(workorder.ActFile, workorder.ActDispatch)},
		{"in_progress", "", toInProgress},
		{"handled", "", append(append([]step{}, toInProgress...), step{act: workorder.ActReport})},
	}
	out := append([]situation{}, open...)
	out = append(out,
		situation{"received grid-worker patrol report", "gridworker", nil},
		situation{"filed grid-worker patrol report", "gridworker", s(workorder.ActFile)},
		situation{"in_progress, extension pending", "", append(append([]step{}, toInProgress...), step{act: workorder.ActExtend})},
		situation{"closed", "", toClosed},
		situation{"rated satisfied", "", append(append([]step{}, toClosed...), step{act: workorder.ActRate})},
		situation{"rated dissatisfied", "", append(append([]step{}, toClosed...),
			step{act: workorder.ActRate, over: map[string]any{"satisfaction": workorder.Dissatisfied}})},
		situation{"rejected", "", s(workorder.ActReject)},
		situation{"merged", "", s(workorder.ActMerge)},
	)
	for _, o := range open {
		out = append(out, situation{o.name + ", suspended", "", append(append([]step{}, o.steps...), step{act: workorder.ActSuspend})})
	}
	return out
}

// actorOf is the lifecycle actor the server makes of a user.
func actorOf(u auth.User) workorder.Actor {
	a := workorder.Actor{UserID: u.ID, Role: u.Role, Department: u.DepartmentCode}
	if u.GridCode != "" {
		a.Grids = []string{u.GridCode}
	}
	return a
}

// expect is the status the API must answer when user takes action on o with input in: the route
// needs orders:act, a resident sees only the orders they raised, and workorder.Decide rules on
// the rest.
func (a *ordersApp) expect(user string, o orderOut, action workorder.Action, in workorder.Input) int {
	a.tb.Helper()
	u := a.users[user]
	if !auth.Can(u.Role, auth.PermOrdersAct) {
		return http.StatusForbidden
	}
	if u.Role == workorder.RoleResident && o.RaisedBy != u.ID {
		return http.StatusNotFound
	}
	_, err := workorder.Decide(o.wo(), actorOf(u), action, in)
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, workorder.ErrWrongState):
		return http.StatusConflict
	case errors.Is(err, workorder.ErrForbidden):
		return http.StatusForbidden
	}
	a.tb.Fatalf("the test's input for %s is not valid: %v", action, err)
	return 0
}

// sameOrder reports how after differs from before in what no refused action may change.
func sameOrder(before, after orderOut) string {
	var diffs []string
	if before.Version != after.Version {
		diffs = append(diffs, fmt.Sprintf("version %d → %d", before.Version, after.Version))
	}
	if before.State != after.State {
		diffs = append(diffs, fmt.Sprintf("state %s → %s", before.State, after.State))
	}
	if len(before.Events) != len(after.Events) {
		diffs = append(diffs, fmt.Sprintf("%d → %d events", len(before.Events), len(after.Events)))
	}
	if before.Suspended != after.Suspended || before.ExtensionPending != after.ExtensionPending ||
		before.Department != after.Department || before.Satisfaction != after.Satisfaction || before.EscalationLevel != after.EscalationLevel {
		diffs = append(diffs, "flags or department changed")
	}
	return strings.Join(diffs, ", ")
}

// TestOrderActionsByRoleThroughHTTP tries every action of the transition table as every role on
// orders in every situation it can start from — and, for the roles the table names, in every
// other situation too — and checks the API against workorder.Decide: allowed actions answer 200
// with the new state and exactly one new event by that actor; refused ones answer 403 (role,
// ownership, or a role without orders:act at the route) or 409 (state) and change nothing. A
// resident acting on an order someone else raised gets 404: the order does not exist for them.
func TestOrderActionsByRoleThroughHTTP(t *testing.T) {
	roles := []string{"resident", "gridworker", "gridleader", "dispatcher", "handler_police", "handler_market",
		"handler_enforcement", "leader", "deputy", "volunteer", "admin"}
	eachOrdersApp(t, func(t *testing.T, a *ordersApp) {
		tally := map[int]int{}
		allowedBy := map[workorder.Action][]string{}
		for _, sit := range situations() {
			var shared *orderOut // the order refused attempts in this situation run against
			sharedOrder := func() orderOut {
				if shared == nil {
					o := a.walkFrom(cmp.Or(sit.by, "resident"), sit.steps)
					shared = &o
				}
				return *shared
			}
			for _, tr := range workorder.Transitions {
				// The situation is a start of the row unless Decide refuses it on state, which it
				// checks before anything about the actor or the input.
				_, err := workorder.Decide(sharedOrder().wo(), workorder.Actor{}, tr.Action, workorder.Input{})
				start := !errors.Is(err, workorder.ErrWrongState)
				for _, user := range roles {
					if !start && !slices.Contains(tr.Roles, a.users[user].Role) {
						continue // outside its starts, a row is tried only by the roles it names (they must get 409)
					}
					o := sharedOrder()
					fields := a.validFields(tr.Action, o)
					want := a.expect(user, o, tr.Action, inputOf(fields))
					if want == http.StatusOK {
						o = a.walkFrom(cmp.Or(sit.by, "resident"), sit.steps) // a fresh order for every change
						fields = a.validFields(tr.Action, o)
					}
					code, got, e := a.act(user, o, tr.Action, fields)
					tally[code]++
					name := fmt.Sprintf("%s by %s on a %s order", tr.Action, user, sit.name)
					if code != want {
						t.Errorf("%s = %d (%s), want %d", name, code, e.Error.Message, want)
					}
					if want == http.StatusOK {
						allowedBy[tr.Action] = append(allowedBy[tr.Action], user)
						checkAllowed(t, a, name, user, tr, o, got)
						continue
					}
					if e.Error.Status != code || e.Error.Message == "" {
						t.Errorf("%s: error body %+v does not explain the %d", name, e.Error, code)
					}
					after := a.get(o.ID)
					if d := sameOrder(o, after); d != "" {
						t.Errorf("%s was refused with %d but changed the order: %s", name, code, d)
					}
					if d := sameOrder(o, after); d != "" || code == http.StatusOK {
						shared = nil // start the situation afresh
					}
				}
			}
		}
		for _, tr := range workorder.Transitions {
			if len(allowedBy[tr.Action]) == 0 && !slices.Equal(tr.Roles, []string{workorder.RoleSystem}) {
				t.Errorf("%s was never allowed: the walk does not reach its starts or no demo user may take it", tr.Action)
			}
		}
		t.Logf("answers by status: %v", tally)
	})
}

// checkAllowed checks an allowed action's answer and what was stored.
func checkAllowed(t *testing.T, a *ordersApp, name, user string, tr workorder.Transition, before, got orderOut) {
	t.Helper()
	u := a.users[user]
	wantState := string(tr.To)
	if wantState == "" {
		wantState = before.State
	}
	if got.State != wantState || got.Version != before.Version+1 {
		t.Errorf("%s: state %s version %d, want %s version %d", name, got.State, got.Version, wantState, before.Version+1)
	}
	if len(got.Events) != len(before.Events)+1 || got.count(tr.Action) != before.count(tr.Action)+1 {
		t.Errorf("%s: %d events (%d of them %s), want exactly one new one", name, len(got.Events), got.count(tr.Action), tr.Action)
	} else {
		ev := got.Events[len(got.Events)-1]
		wantActor := u.DisplayName
		if wantActor == "" {
			wantActor = u.Username
		}
		if ev.Action != string(tr.Action) || ev.ActorID != u.ID || ev.Actor != wantActor || ev.Role != u.Role ||
			ev.From != before.State || ev.To != wantState {
			t.Errorf("%s: last event %+v; want %s by %s (%d, %s) from %s to %s", name, ev, tr.Action, wantActor, u.ID, u.Role,
				before.State, wantState)
		}
	}
	stored := a.get(before.ID)
	if stored.State != got.State || stored.Version != got.Version || len(stored.Events) != len(got.Events) {
		t.Errorf("%s: stored order (%s, v%d, %d events) differs from the answer (%s, v%d, %d events)", name,
			stored.State, stored.Version, len(stored.Events), got.State, got.Version, len(got.Events))
	}
}
