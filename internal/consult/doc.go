package consult

import (
	"fmt"
	"strings"
)

// Markdown renders the lifecycle (Transitions), the question types with their bounds and the
// scopes as tables for docs/CONSULTATIONS.md, which a test keeps equal to this.
func Markdown() string {
	var b strings.Builder
	b.WriteString("| action | from | to |\n| --- | --- | --- |\n")
	for _, t := range Transitions {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", t.Action, strings.Join(t.From, ", "), t.To)
	}
	b.WriteString("\n| type | 中文 | an answer is | bounds |\n| --- | --- | --- | --- |\n")
	bounds := map[string]string{
		TypeSingle:   fmt.Sprintf("2 … %d options", MaxOptions),
		TypeMultiple: fmt.Sprintf("2 … %d options; min ≤ chosen ≤ max", MaxOptions),
		TypeText:     fmt.Sprintf("1 … %d characters (default %d)", MaxTextAnswer, DefaultTextLen),
		TypeRating:   "1 … 5 or 1 … 10",
		TypeRanking:  fmt.Sprintf("2 … %d options, each placed once", MaxRankOptions),
		TypeMatrix:   fmt.Sprintf("1 … %d rows × 2 … %d columns", MaxRows, MaxOptions),
	}
	shape := map[string]string{
		TypeSingle: "an option key", TypeMultiple: "option keys", TypeText: "a string", TypeRating: "a number",
		TypeRanking: "all option keys, first to last", TypeMatrix: "row key → column key",
	}
	for _, t := range Types {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", t.Code, t.ZH, shape[t.Code], bounds[t.Code])
	}
	b.WriteString("\n| scope | 中文 | scope code | who may answer |\n| --- | --- | --- | --- |\n")
	who := map[string]string{
		ScopeTown:      "residents of the town",
		ScopeGrid:      "residents of the grid: the household's building resolves to it in the address book (or the resident's own grid)",
		ScopeCommittee: "residents of the committee area: the household's building resolves to it in the address book",
		ScopeBuilding:  "the households of the building (one answer each)",
	}
	code := map[string]string{ScopeTown: "—", ScopeGrid: "grid code", ScopeCommittee: "committee code", ScopeBuilding: "the building's address"}
	for _, s := range Scopes {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", s.Code, s.ZH, code[s.Code], who[s.Code])
	}
	return b.String()
}
