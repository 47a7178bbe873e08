package projects

import (
	"fmt"
	"slices"

	"github.com/civicgrid/civicgrid/internal/problem"
)

// Choices on a ballot, per candidate.
const (
	Yes     = "yes"     // 赞成
	No      = "no"      // 反对
	Abstain = "abstain" // 弃权
)

// Outcomes of a candidate in a counted round.
const (
	OutcomeChosen = "chosen" // passed and within the seats: 当选
	OutcomeTie    = "tie"    // passed, tied at the last seat: goes to a re-vote of the tied ones
	OutcomeCut    = "cut"    // passed, but more passed than seats and its count is below the cut
	OutcomeFailed = "failed" // did not reach the passing threshold
)

// Ballot is one ballot's choices: candidate (proposal id) → Yes, No or Abstain. A candidate the
// voter left unmarked counts as an abstention (未划记号的视为弃权).
type Ballot map[int64]string

// Yeses is the number of yes choices on b.
func (b Ballot) Yeses() int {
	n := 0
	for _, c := range b {
		if c == Yes {
			n++
		}
	}
	return n
}

// CheckBallot refuses a ballot that names a candidate outside the round or an unknown choice;
// those are entry mistakes, not invalid ballots. A ballot with more yes than seats is accepted
// here and counted as invalid (Count).
func CheckBallot(candidates []int64, b Ballot) error {
	if len(b) > len(candidates) {
		return problem.Field("marks", "names %d candidates; the round has %d", len(b), len(candidates))
	}
	for id, c := range b {
		if !slices.Contains(candidates, id) {
			return problem.Field("marks", "project %d is not a candidate of this round", id)
		}
		if c != Yes && c != No && c != Abstain {
			return problem.Field("marks", "choice %q for project %d: one of yes, no, abstain", c, id)
		}
	}
	return nil
}

// Row is one candidate's count.
type Row struct {
	ProposalID int64  `json:"project_id"`
	Yes        int    `json:"yes"`
	No         int    `json:"no"`
	Abstain    int    `json:"abstain"`
	Passed     bool   `json:"passed"`
	Outcome    string `json:"outcome"`
}

// Tally is the count of one round.
type Tally struct {
	Seats     int     `json:"seats"`
	Base      int     `json:"base"`      // the members the threshold is a majority of
	Threshold int     `json:"threshold"` // yes votes needed: more than half of Base
	Ballots   int     `json:"ballots"`
	Valid     int     `json:"valid"`
	Invalid   int     `json:"invalid"`
	Rows      []Row   `json:"rows"` // by yes votes, most first; equal counts in candidate order
	Chosen    []int64 `json:"chosen"`
	Tied      []int64 `json:"tied,omitempty"`
	// SeatsLeft is the number of seats the tied candidates compete for in the re-vote.
	SeatsLeft int `json:"seats_left,omitempty"`
}

// Threshold is the smallest yes count that is more than half of base: 36 of 70, 35 of 69.
func Threshold(base int) int { return base/2 + 1 }

// Quorate reports whether present members are more than pct per cent of expected (pct 50:
// more than half, 过半数).
func Quorate(expected, present, pct int) bool {
	return expected > 0 && present*100 > pct*expected
}

// CheckCompetitive is the 差额 rule: more candidates than seats, and at least ratio hundredths
// of the seats (ratio 120: 12 candidates for 10 seats).
func CheckCompetitive(candidates, seats, ratio int) error {
	need := (seats*ratio + 99) / 100
	if need <= seats {
		need = seats + 1
	}
	if candidates < need {
		return problem.Field("candidates", "差额 rule not met: %d candidates for %d seats; the list needs at least %d (ratio %s, more candidates than seats)",
			candidates, seats, need, ratioText(ratio))
	}
	return nil
}

func ratioText(r int) string { return fmt.Sprintf("%d.%02d", r/100, r%100) }

// Count counts a round: candidates in list order, the seats of the round, the base of the
// majority (all members, or those present, by the session's rule) and the ballots. A ballot with
// more yes than seats is invalid and counts for nobody. A candidate passes with more yes votes
// than half of base; if more pass than seats, the highest counts win; candidates tied at the last
// seat go to a re-vote for the seats left.
func Count(candidates []int64, seats, base int, ballots []Ballot) Tally {
	t := Tally{Seats: seats, Base: base, Threshold: Threshold(base), Ballots: len(ballots)}
	idx := map[int64]int{}
	for i, id := range candidates {
		idx[id] = i
		t.Rows = append(t.Rows, Row{ProposalID: id})
	}
	for _, b := range ballots {
		if b.Yeses() > seats {
			t.Invalid++
			continue
		}
		t.Valid++
		for _, id := range candidates {
			switch b[id] {
			case Yes:
				t.Rows[idx[id]].Yes++
			case No:
				t.Rows[idx[id]].No++
			default:
				t.Rows[idx[id]].Abstain++
			}
		}
	}
	slices.SortStableFunc(t.Rows, func(a, b Row) int { return b.Yes - a.Yes })
	var passing []int
	for i := range t.Rows {
		r := &t.Rows[i]
		r.Passed = r.Yes >= t.Threshold
		r.Outcome = OutcomeFailed
		if r.Passed {
			passing = append(passing, i)
		}
	}
	if len(passing) <= seats {
		for _, i := range passing {
			t.Rows[i].Outcome = OutcomeChosen
			t.Chosen = append(t.Chosen, t.Rows[i].ProposalID)
		}
		return t
	}
	cut := t.Rows[passing[seats-1]].Yes
	tiedAtCut := t.Rows[passing[seats]].Yes == cut
	for _, i := range passing {
		r := &t.Rows[i]
		switch {
		case r.Yes > cut || (r.Yes == cut && !tiedAtCut):
			r.Outcome = OutcomeChosen
			t.Chosen = append(t.Chosen, r.ProposalID)
		case r.Yes == cut:
			r.Outcome = OutcomeTie
			t.Tied = append(t.Tied, r.ProposalID)
		default:
			r.Outcome = OutcomeCut
		}
	}
	if len(t.Tied) > 0 {
		t.SeatsLeft = seats - len(t.Chosen)
	}
	return t
}
