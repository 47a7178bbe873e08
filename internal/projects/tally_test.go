package projects

import (
	"reflect"
	"slices"
	"testing"

	"github.com/civicgrid/civicgrid/internal/problem"
)

// ballots returns n copies of b.
func copies(n int, b Ballot) []Ballot {
	out := make([]Ballot, n)
	for i := range out {
		out[i] = b
	}
	return out
}

func join(parts ...[]Ballot) []Ballot { return slices.Concat(parts...) }

func yesTo(ids ...int64) Ballot {
	b := Ballot{}
	for _, id := range ids {
		b[id] = Yes
	}
	return b
}

func TestThresholdQuorumAndCompetitive(t *testing.T) {
	for _, c := range []struct{ base, want int }{
		{70, 36}, // more than half of 70 is 36 (35 is exactly half)
		{69, 35}, // half of 69 is 34.5, so 35
		{1, 1},
		{2, 2},
	} {
		if got := Threshold(c.base); got != c.want {
			t.Errorf("Threshold(%d) = %d, want %d", c.base, got, c.want)
		}
	}
	for _, c := range []struct {
		expected, present, pct int
		want                   bool
	}{
		{70, 36, 50, true},  // 36/70 = 51.4 % > 50 %
		{70, 35, 50, false}, // exactly half is not more than half
		{70, 47, 66, true},  // 47*100 = 4700 > 66*70 = 4620
		{70, 46, 66, false}, // 4600 < 4620
		{0, 0, 50, false},   // an empty roll never has a quorum
	} {
		if got := Quorate(c.expected, c.present, c.pct); got != c.want {
			t.Errorf("Quorate(%d, %d, %d) = %v, want %v", c.expected, c.present, c.pct, got, c.want)
		}
	}
	for _, c := range []struct {
		candidates, seats, ratio int
		ok                       bool
	}{
		{12, 10, 120, true},  // 12 ≥ 10 × 1.2
		{11, 10, 120, false}, // 11 < 12: the 差额 rule is not met
		{10, 10, 120, false}, // equal numbers are never competitive
		{20, 10, 200, true},  // 20 for 10
		{4, 3, 120, true},    // 3 × 1.2 = 3.6, rounded up to 4
		{3, 3, 101, false},   // at least one more than the seats whatever the ratio
		{4, 3, 101, true},
	} {
		err := CheckCompetitive(c.candidates, c.seats, c.ratio)
		if (err == nil) != c.ok {
			t.Errorf("CheckCompetitive(%d, %d, %d) = %v, want ok %v", c.candidates, c.seats, c.ratio, err, c.ok)
		}
		if err != nil && problem.FieldOf(err) != "candidates" {
			t.Errorf("CheckCompetitive error %v names field %q, want candidates", err, problem.FieldOf(err))
		}
	}
}

// TestCount is the ballot rules, hand-computed. Candidates are 1…n; seats and base vary.
func TestCount(t *testing.T) {
	type want struct {
		valid, invalid int
		yes            map[int64]int
		chosen, tied   []int64
		seatsLeft      int
		outcome        map[int64]string
	}
	cases := []struct {
		name       string
		candidates []int64
		seats      int
		base       int
		ballots    []Ballot
		want       want
	}{
		{
			// 70 members, threshold 36, 3 seats. 35 ballots yes to 1, 2, 3; one yes to 1, 2; four
			// yes to 1. Candidate 1: 35+1+4 = 40; 2: 35+1 = 36 (exactly the threshold: 36 > 35
			// passes); 3: 35 (exactly half: fails); 4: 0. Two pass for three seats: both chosen.
			name: "passing threshold is more than half of all members", candidates: []int64{1, 2, 3, 4}, seats: 3, base: 70,
			ballots: join(copies(35, yesTo(1, 2, 3)), copies(1, yesTo(1, 2)), copies(4, yesTo(1))),
			want: want{valid: 40, yes: map[int64]int{1: 40, 2: 36, 3: 35, 4: 0}, chosen: []int64{1, 2},
				outcome: map[int64]string{1: OutcomeChosen, 2: OutcomeChosen, 3: OutcomeFailed, 4: OutcomeFailed}},
		},
		{
			// Base "present" of 50: threshold 26. 30 ballots yes to 1, 20 yes to 2: 1 passes, 2
			// (20 < 26) fails; one seat left empty.
			name: "base present, fewer pass than seats", candidates: []int64{1, 2}, seats: 2, base: 50,
			ballots: join(copies(30, yesTo(1)), copies(20, yesTo(2))),
			want: want{valid: 50, yes: map[int64]int{1: 30, 2: 20}, chosen: []int64{1},
				outcome: map[int64]string{1: OutcomeChosen, 2: OutcomeFailed}},
		},
		{
			// 12 members (threshold 7), 2 seats, 3 candidates all passing. 5 ballots yes to 1, 2;
			// 4 yes to 1, 3; 3 yes to 2, 3. Candidate 1: 5+4 = 9; 2: 5+3 = 8; 3: 4+3 = 7. More pass
			// than seats: the two highest win, 3 passed but is cut.
			name: "more passing than seats: highest counts win", candidates: []int64{1, 2, 3}, seats: 2, base: 12,
			ballots: join(copies(5, yesTo(1, 2)), copies(4, yesTo(1, 3)), copies(3, yesTo(2, 3))),
			want: want{valid: 12, yes: map[int64]int{1: 9, 2: 8, 3: 7}, chosen: []int64{1, 2},
				outcome: map[int64]string{1: OutcomeChosen, 2: OutcomeChosen, 3: OutcomeCut}},
		},
		{
			// 12 members (threshold 7), 2 seats: 1 has 8, 2 and 3 have 7 each — all pass; the cut
			// falls between 2 and 3 at equal counts: 1 is chosen, 2 and 3 go to a re-vote for 1 seat.
			name: "tie at the last seat goes to a re-vote", candidates: []int64{1, 2, 3}, seats: 2, base: 12,
			ballots: join(copies(4, yesTo(1, 2)), copies(4, yesTo(1, 3)), copies(3, yesTo(2, 3))),
			// 1: 4+4 = 8; 2: 4+3 = 7; 3: 4+3 = 7.
			want: want{valid: 11, yes: map[int64]int{1: 8, 2: 7, 3: 7}, chosen: []int64{1}, tied: []int64{2, 3}, seatsLeft: 1,
				outcome: map[int64]string{1: OutcomeChosen, 2: OutcomeTie, 3: OutcomeTie}},
		},
		{
			// The re-vote round: candidates 2 and 3 for 1 seat, base 10, threshold 6: 2 gets 6, 3 gets
			// 4 (6 + 4 ballots, each with one yes). 2 is chosen.
			name: "re-vote round decides", candidates: []int64{2, 3}, seats: 1, base: 10,
			ballots: join(copies(6, yesTo(2)), copies(4, yesTo(3))),
			want: want{valid: 10, yes: map[int64]int{2: 6, 3: 4}, chosen: []int64{2},
				outcome: map[int64]string{2: OutcomeChosen, 3: OutcomeFailed}},
		},
		{
			// A tie inside the seats does not matter: 3 seats, three pass (1 has 9, 2 and 3 have 8
			// each): all chosen although 2 and 3 tie.
			name: "tie inside the seats needs no re-vote", candidates: []int64{1, 2, 3, 4}, seats: 3, base: 10,
			ballots: join(copies(8, yesTo(1, 2, 3)), copies(1, yesTo(1, 4))),
			// 1: 9; 2: 8; 3: 8; 4: 1 (fails).
			want: want{valid: 9, yes: map[int64]int{1: 9, 2: 8, 3: 8, 4: 1}, chosen: []int64{1, 2, 3},
				outcome: map[int64]string{1: OutcomeChosen, 2: OutcomeChosen, 3: OutcomeChosen, 4: OutcomeFailed}},
		},
		{
			// An invalid ballot: 2 seats, one ballot says yes to all three — invalid, counted for
			// nobody. 7 valid ballots yes to 1 and 2 (threshold of 10 is 6: both pass with 7).
			name: "a ballot with more yes than seats is invalid", candidates: []int64{1, 2, 3}, seats: 2, base: 10,
			ballots: join(copies(7, yesTo(1, 2)), copies(1, yesTo(1, 2, 3))),
			want: want{valid: 7, invalid: 1, yes: map[int64]int{1: 7, 2: 7, 3: 0}, chosen: []int64{1, 2},
				outcome: map[int64]string{1: OutcomeChosen, 2: OutcomeChosen, 3: OutcomeFailed}},
		},
		{
			// Unmarked candidates count as abstentions; no and abstain never count toward passing.
			name: "no, abstain and unmarked", candidates: []int64{1, 2}, seats: 1, base: 4,
			ballots: []Ballot{{1: Yes, 2: No}, {1: Yes, 2: Abstain}, {1: Yes}, {1: No, 2: Yes}},
			// 1: yes 3, no 1; 2: yes 1, no 1, abstain 2 (one explicit, one unmarked). Threshold of 4 is 3.
			want: want{valid: 4, yes: map[int64]int{1: 3, 2: 1}, chosen: []int64{1},
				outcome: map[int64]string{1: OutcomeChosen, 2: OutcomeFailed}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Count(c.candidates, c.seats, c.base, c.ballots)
			if got.Valid != c.want.valid || got.Invalid != c.want.invalid {
				t.Errorf("valid/invalid = %d/%d, want %d/%d", got.Valid, got.Invalid, c.want.valid, c.want.invalid)
			}
			if got.Valid+got.Invalid != len(c.ballots) {
				t.Errorf("valid+invalid = %d, ballots %d", got.Valid+got.Invalid, len(c.ballots))
			}
			for _, r := range got.Rows {
				if r.Yes != c.want.yes[r.ProposalID] {
					t.Errorf("candidate %d: %d yes, want %d", r.ProposalID, r.Yes, c.want.yes[r.ProposalID])
				}
				if r.Outcome != c.want.outcome[r.ProposalID] {
					t.Errorf("candidate %d: outcome %s, want %s", r.ProposalID, r.Outcome, c.want.outcome[r.ProposalID])
				}
				if r.Yes+r.No+r.Abstain != got.Valid {
					t.Errorf("candidate %d: %d+%d+%d choices on %d valid ballots", r.ProposalID, r.Yes, r.No, r.Abstain, got.Valid)
				}
			}
			if !reflect.DeepEqual(got.Chosen, c.want.chosen) || !reflect.DeepEqual(got.Tied, c.want.tied) || got.SeatsLeft != c.want.seatsLeft {
				t.Errorf("chosen %v tied %v seats left %d, want %v %v %d", got.Chosen, got.Tied, got.SeatsLeft, c.want.chosen, c.want.tied, c.want.seatsLeft)
			}
			for i := 1; i < len(got.Rows); i++ {
				if got.Rows[i].Yes > got.Rows[i-1].Yes {
					t.Errorf("rows not by yes votes: %+v", got.Rows)
				}
			}
		})
	}
}

func TestCheckBallot(t *testing.T) {
	cands := []int64{1, 2, 3}
	for _, c := range []struct {
		name string
		b    Ballot
		ok   bool
	}{
		{"ok", Ballot{1: Yes, 2: No, 3: Abstain}, true},
		{"partial ok", Ballot{1: Yes}, true},
		{"over-seat yes is accepted here (invalid at count)", Ballot{1: Yes, 2: Yes, 3: Yes}, true},
		{"not a candidate", Ballot{9: Yes}, false},
		{"unknown choice", Ballot{1: "maybe"}, false},
	} {
		err := CheckBallot(cands, c.b)
		if (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
