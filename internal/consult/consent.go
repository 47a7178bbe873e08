package consult

import (
	"fmt"

	"github.com/civicgrid/civicgrid/internal/problem"
)

// Ratio is a share as a fraction (2/3); 0/0 is no threshold.
type Ratio struct {
	Num int `json:"num"`
	Den int `json:"den"`
}

func (r Ratio) String() string { return fmt.Sprintf("%d/%d", r.Num, r.Den) }

// none reports whether r sets no threshold.
func (r Ratio) none() bool { return r.Num == 0 && r.Den == 0 }

// need is the smallest count that reaches r of base: ⌈base·num/den⌉.
func (r Ratio) need(base int) int {
	if r.none() {
		return 0
	}
	return (base*r.Num + r.Den - 1) / r.Den
}

// What the agreement share is taken of.
const (
	AgreeOfParticipants = "participants" // of the households that answered (民法典 art. 278: ≥ 3/4 of those voting)
	AgreeOfHouseholds   = "households"   // of all the building's households (e.g. ≥ 2/3 of households agree)
)

// ConsentRule is a household-consent rule (加装电梯 and other changes to a building): the
// building's households are the base; a share of them must take part and a share must agree,
// counted on the questionnaire's consent question. The defaults follow the Civil Code's rule
// for rebuilding a building's common parts (民法典 第二百七十八条: two thirds take part, three
// quarters of those agree), counted by households only — the floor-area half of that rule is
// not tracked and is checked on paper. Local rules differ: every figure is configurable.
type ConsentRule struct {
	Households    int    `json:"households"`
	Participation Ratio  `json:"participation"`
	Agreement     Ratio  `json:"agreement"`
	AgreeOf       string `json:"agree_of"`
}

// DefaultConsent is the Civil Code's rule (counted by households) for a building of n households.
func DefaultConsent(n int) ConsentRule {
	return ConsentRule{Households: n, Participation: Ratio{2, 3}, Agreement: Ratio{3, 4}, AgreeOf: AgreeOfParticipants}
}

// MaxHouseholds bounds a building's households.
const MaxHouseholds = 5000

func (r *ConsentRule) check(qs []Question) error {
	if r.AgreeOf == "" {
		r.AgreeOf = AgreeOfParticipants
	}
	switch {
	case r.Households < 1 || r.Households > MaxHouseholds:
		return problem.Field("consent.households", "the building's households: 1 … %d, not %d", MaxHouseholds, r.Households)
	case r.AgreeOf != AgreeOfParticipants && r.AgreeOf != AgreeOfHouseholds:
		return problem.Field("consent.agree_of", "%q: participants or households", r.AgreeOf)
	case !r.Participation.none() && !validRatio(r.Participation):
		return problem.Field("consent.participation", "%s is not a share (0 < num ≤ den ≤ 100)", r.Participation)
	case !validRatio(r.Agreement):
		return problem.Field("consent.agreement", "%s is not a share (0 < num ≤ den ≤ 100)", r.Agreement)
	}
	for _, q := range qs {
		if q.Consent {
			return nil
		}
	}
	return problem.Field("questions", "a consent consultation needs a consent question (a required single choice with an agree option)")
}

func validRatio(r Ratio) bool { return r.Num > 0 && r.Den > 0 && r.Num <= r.Den && r.Den <= 100 }

// Outcome is a consent rule applied to the answers.
type Outcome struct {
	Rule              ConsentRule `json:"rule"`
	Answered          int         `json:"answered"`           // households that answered
	Agree             int         `json:"agree"`              // of them, agreeing
	NeedParticipation int         `json:"need_participation"` // households that must answer
	NeedAgree         int         `json:"need_agree"`         // agreeing households needed
	ParticipationMet  bool        `json:"participation_met"`
	AgreementMet      bool        `json:"agreement_met"`
	Passed            bool        `json:"passed"`
}

// Apply computes the outcome of r for answered households of which agree agreed.
func (r ConsentRule) Apply(answered, agree int) Outcome {
	o := Outcome{Rule: r, Answered: answered, Agree: agree}
	o.NeedParticipation = r.Participation.need(r.Households)
	o.ParticipationMet = answered >= o.NeedParticipation
	base := answered
	if r.AgreeOf == AgreeOfHouseholds {
		base = r.Households
	}
	o.NeedAgree = r.Agreement.need(base)
	o.AgreementMet = agree >= o.NeedAgree && agree > 0
	o.Passed = o.ParticipationMet && o.AgreementMet
	return o
}
