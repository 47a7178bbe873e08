package world

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

var testNow = time.Date(2025, 7, 15, 17, 30, 0, 0, Shanghai)

func TestGenerateOrdersDeterministic(t *testing.T) {
	w := worlds(t)["xinjing"]
	a := GenerateOrders(w, 400, 42, testNow)
	b := GenerateOrders(w, 400, 42, testNow)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed gave different orders")
	}
	c := GenerateOrders(w, 400, 43, testNow)
	if reflect.DeepEqual(a, c) {
		t.Fatal("different seeds gave the same orders")
	}
	if len(a) != 400 {
		t.Fatalf("%d orders", len(a))
	}
}

func TestGenerateOrdersRealistic(t *testing.T) {
	for name, w := range worlds(t) {
		t.Run(name, func(t *testing.T) { checkOrders(t, w, GenerateOrders(w, 400, 7, testNow)) })
	}
}

func checkOrders(t *testing.T, w *World, orders []DemoOrder) {
	states := map[string]int{}
	channels := map[string]int{}
	hotlineIDs := map[string]bool{}
	var weekday, weekend, peak, night int
	var oldFinal, oldTotal, recentOpen, open int
	satisfied, rated := 0, 0
	for i, o := range orders {
		states[o.TargetState]++
		channels[o.Channel]++
		if i > 0 && o.ReceivedAt.Before(orders[i-1].ReceivedAt) {
			t.Fatal("orders not sorted by ReceivedAt")
		}
		age := testNow.Sub(o.ReceivedAt)
		if age < 0 || age > 90*24*time.Hour {
			t.Errorf("order %d received %v, outside the last 90 days", i, o.ReceivedAt)
		}
		switch o.ReceivedAt.Weekday() {
		case time.Saturday, time.Sunday:
			weekend++
		default:
			weekday++
		}
		h := o.ReceivedAt.Hour()
		if h >= 9 && h < 11 || h >= 14 && h < 16 {
			peak++
		}
		if h < 6 || h >= 22 {
			night++
		}
		if strings.ContainsAny(o.Content, "{}") || o.Content == "" {
			t.Errorf("order %d content %q", i, o.Content)
		}
		c, ok := w.Category(o.CategoryCode)
		if !ok || !c.IsLeaf() {
			t.Errorf("order %d category %q", i, o.CategoryCode)
		}
		if o.DepartmentCode != c.DepartmentCode {
			t.Errorf("order %d department %s, category default %s", i, o.DepartmentCode, c.DepartmentCode)
		}
		g, ok := w.Grid(o.GridCode)
		if !ok || !planar.PolygonContains(g.Polygon, orb.Point{o.Lng, o.Lat}) {
			t.Errorf("order %d at %v,%v not inside grid %s", i, o.Lng, o.Lat, o.GridCode)
		}
		if o.AddressRef != "" {
			found := false
			for _, a := range w.Addresses {
				if a.Text == o.AddressRef {
					found = true
					if d := planar.Distance(a.Point(), orb.Point{o.Lng, o.Lat}); d > 0.0005 {
						t.Errorf("order %d is %g° from its address", i, d)
					}
					if !strings.HasPrefix(o.Address, a.Text) || a.GridCode != o.GridCode {
						t.Errorf("order %d address %s / %s mismatch", i, o.Address, a.Text)
					}
				}
			}
			if !found {
				t.Errorf("order %d address %q not in the address book", i, o.AddressRef)
			}
		}
		if o.Channel == "hotline" {
			if len(o.HotlineID) != 14 || !strings.HasPrefix(o.HotlineID, o.ReceivedAt.Format("20060102")) || hotlineIDs[o.HotlineID] {
				t.Errorf("order %d hotline id %q", i, o.HotlineID)
			}
			hotlineIDs[o.HotlineID] = true
			if o.CallerName == "" || o.CallerPhone == "" {
				t.Errorf("hotline order %d without caller", i)
			}
		} else if o.HotlineID != "" {
			t.Errorf("%s order %d has a hotline id", o.Channel, i)
		}
		switch o.TargetState {
		case "rated":
			rated++
			if o.Satisfaction == "satisfied" {
				satisfied++
			}
			if o.Satisfaction == "" || o.RatingComment == "" {
				t.Errorf("rated order %d without satisfaction", i)
			}
			fallthrough
		case "closed":
			if o.VerifyNote == "" {
				t.Errorf("order %d %s without verification", i, o.TargetState)
			}
			fallthrough
		case "handled":
			if o.ResultText == "" {
				t.Errorf("order %d %s without result", i, o.TargetState)
			}
			// the result answers this very demand: it is one of its leaf's results
			if !slices.Contains(w.Templates.Results[o.CategoryCode], o.ResultText) {
				t.Errorf("order %d (%s) closed with %q, not one of its category's results", i, o.CategoryCode, o.ResultText)
			}
		case "rejected":
			if o.RejectReason == "" {
				t.Errorf("rejected order %d without reason", i)
			}
		case "merged":
			if o.MergedInto < 0 || o.MergedInto >= i || orders[o.MergedInto].TargetState == "merged" {
				t.Errorf("merged order %d into %d", i, o.MergedInto)
			} else if orders[o.MergedInto].GridCode != o.GridCode || orders[o.MergedInto].CategoryCode != o.CategoryCode {
				t.Errorf("merged order %d differs from its original", i)
			}
		}
		if urgentCategories[o.CategoryCode] && openStates[o.TargetState] && testNow.Sub(o.ReceivedAt) > 48*time.Hour {
			t.Errorf("order %d: an emergency (%s) still %s after %v", i, o.CategoryCode, o.TargetState, testNow.Sub(o.ReceivedAt).Round(time.Hour))
		}
		if o.TargetState != "merged" && o.MergedInto != -1 {
			t.Errorf("order %d MergedInto %d", i, o.MergedInto)
		}
		if o.TargetState != "rated" && o.Satisfaction != "" {
			t.Errorf("order %d %s has satisfaction", i, o.TargetState)
		}
		final := o.TargetState == "closed" || o.TargetState == "rated"
		if age > 15*24*time.Hour {
			oldTotal++
			if final {
				oldFinal++
			}
		}
		switch o.TargetState {
		case "received", "filed", "dispatched", "in_progress", "handled":
			open++
			if age < 7*24*time.Hour {
				recentOpen++
			}
		}
	}
	for _, s := range States {
		if states[s] == 0 {
			t.Errorf("state %s never appears: %v", s, states)
		}
	}
	for _, c := range Channels {
		if channels[c] == 0 {
			t.Errorf("channel %s never appears: %v", c, channels)
		}
	}
	// ~90 days hold ~64 weekdays and ~26 weekend days: per day, weekdays are busier
	if float64(weekday)/64 < 1.5*float64(weekend)/26 {
		t.Errorf("weekday %d vs weekend %d: no weekly rhythm", weekday, weekend)
	}
	if peak < len(orders)/3 || night > len(orders)/20 {
		t.Errorf("peak hours %d, night %d of %d: no daily rhythm", peak, night, len(orders))
	}
	if oldFinal < oldTotal*8/10 {
		t.Errorf("only %d of %d older orders closed or rated", oldFinal, oldTotal)
	}
	if recentOpen < open*8/10 {
		t.Errorf("only %d of %d open orders are recent", recentOpen, open)
	}
	if satisfied < rated*7/10 {
		t.Errorf("%d of %d rated orders satisfied", satisfied, rated)
	}
	if states["merged"] > len(orders)/10 || states["rejected"] > len(orders)/10 {
		t.Errorf("too many merged/rejected: %v", states)
	}
}

func TestGenerateOrdersSmallAndEmpty(t *testing.T) {
	w := worlds(t)["xinjing"]
	if got := GenerateOrders(w, 0, 1, testNow); len(got) != 0 {
		t.Errorf("n=0 gave %d orders", len(got))
	}
	got := GenerateOrders(w, 5, 1, testNow)
	if len(got) != 5 {
		t.Errorf("n=5 gave %d orders", len(got))
	}
}

// An emergency is never left open for days: over a large sample (where the plain state weights
// would leave a few gas smells "in progress" for weeks) none is.
func TestEmergenciesAreNotLeftOpen(t *testing.T) {
	for name, w := range worlds(t) {
		for i, o := range GenerateOrders(w, 4000, 11, testNow) {
			if urgentCategories[o.CategoryCode] && openStates[o.TargetState] && testNow.Sub(o.ReceivedAt) > 48*time.Hour {
				t.Errorf("%s order %d: an emergency (%s) still %s after %v", name, i, o.CategoryCode, o.TargetState, testNow.Sub(o.ReceivedAt).Round(time.Hour))
			}
		}
	}
}

// Every grid worker starts with something to verify: each grid has a handled order.
func TestEveryGridHasWorkToVerify(t *testing.T) {
	for name, w := range worlds(t) {
		waiting := map[string]bool{}
		for _, o := range GenerateOrders(w, 400, 7, testNow) {
			if o.TargetState == "handled" {
				waiting[o.GridCode] = true
			}
		}
		for _, g := range w.Grids {
			if !waiting[g.Code] {
				t.Errorf("%s: grid %s has no handled order to verify", name, g.Code)
			}
		}
	}
}

// Every demo handler starts with something in hand, whatever day the demo is generated on: the
// department of each handler whose department is given orders (a residents' committee is not, by
// category) has an order dispatched or in progress on each of 120 days.
func TestEveryHandlerHasWorkInHand(t *testing.T) {
	for name, w := range worlds(t) {
		for day := range 120 {
			now := testNow.AddDate(0, 0, day)
			inHand, given := map[string]bool{}, map[string]bool{}
			for _, o := range GenerateOrders(w, 420, 20250701, now) {
				given[o.DepartmentCode] = true
				if o.TargetState == "dispatched" || o.TargetState == "in_progress" {
					inHand[o.DepartmentCode] = true
				}
			}
			for _, u := range w.Users {
				if u.Role == "handler" && given[u.DepartmentCode] && !inHand[u.DepartmentCode] {
					t.Errorf("%s on %s: %s (%s) has nothing in hand", name, now.Format("2006-01-02"), u.Username, u.DepartmentCode)
				}
			}
		}
	}
}
