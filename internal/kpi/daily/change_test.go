package daily

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/workcal"
)

// AddChange, which cancels the terms a change keeps before spreading them over the dimensions,
// gives the rows of the plain difference (every term of after added, every term of before taken
// away), for random pairs of orders: groups kept or changed, stages added, finished, late, the
// order closed, rated, exempted, reopened.
func TestAddChangeIsTheDifference(t *testing.T) {
	cal := workcal.New()
	rng := rand.New(rand.NewPCG(3, 5))
	base := time.Date(2025, 11, 3, 9, 0, 0, 0, workcal.Location()).UnixMilli()
	day := int64(24 * time.Hour / time.Millisecond)
	random := func() *Order {
		o := &Order{ID: 1, Town: "T1", State: []string{"received", "filed", "dispatched", "handling", "closed", "rated", "merged"}[rng.IntN(7)],
			Received: base + rng.Int64N(3*day), Satisfaction: []string{"", "satisfied", "dissatisfied"}[rng.IntN(3)],
			Duplicate: rng.IntN(5) == 0, Exempt: rng.IntN(6) == 0}
		o.Groups = [NDims]string{"T1", []string{"", "G1", "G2"}[rng.IntN(3)], []string{"", "C1"}[rng.IntN(2)],
			[]string{"", "D1", "D2"}[rng.IntN(3)], []string{"", "K1", "K2"}[rng.IntN(3)], []string{"hotline", "app"}[rng.IntN(2)]}
		if rng.IntN(3) > 0 {
			o.Filed = o.Received + rng.Int64N(day)
			o.Deadline = o.Filed + rng.Int64N(10*day)
		}
		if rng.IntN(2) == 0 {
			o.Closed = o.Received + rng.Int64N(12*day)
		}
		at := o.Received
		for range rng.IntN(8) {
			st := Stage{Stage: []string{"filing", "dispatch", "first_contact", "handling", "verification", "callback"}[rng.IntN(6)],
				Outcome:   []string{"report", "return", "dispatch", "accept", "verify_pass", "verify_fail", "rate"}[rng.IntN(7)],
				StartedAt: at, OnTime: -1}
			at += rng.Int64N(2 * day)
			if rng.IntN(4) > 0 {
				st.FinishedAt, st.OnTime, st.PausedMs = at, rng.IntN(2), rng.Int64N(3_600_000)
			}
			o.Stages = append(o.Stages, st)
		}
		return o
	}
	for i := range 3000 {
		before, after := random(), random()
		if i%3 == 0 {
			// Mostly the same order a step later: its groups kept, a stage more.
			c := *before
			c.Stages = append(append([]Stage(nil), before.Stages...), Stage{Stage: "handling", Outcome: "report",
				StartedAt: before.Received, FinishedAt: before.Received + day, OnTime: 1})
			after = &c
		}
		if i%7 == 0 {
			before = nil
		}
		got, want := NewDelta(), NewDelta()
		got.AddChange(before, after, cal)
		want.Add(before, cal, -1)
		want.Add(after, cal, 1)
		if g, w := nonZero(got), nonZero(want); g != w {
			t.Fatalf("pair %d: AddChange gives %s, the difference %s", i, g, w)
		}
	}
}

// nonZero prints the rows of d that change something, in key order.
func nonZero(d Delta) string {
	var rows []string
	for k, v := range d.Rows {
		if *v != ([NCols]int64{}) {
			rows = append(rows, fmt.Sprint(k, *v))
		}
	}
	for k, v := range d.Hours {
		if v != 0 {
			rows = append(rows, fmt.Sprint(k, v))
		}
	}
	slices.Sort(rows)
	return strings.Join(rows, "\n")
}
