package projects

import (
	"reflect"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/problem"
)

func TestParseBallots(t *testing.T) {
	cands := []Candidate{{ProposalID: 7, Title: "精品小区建设"}, {ProposalID: 9, Title: "健身点设施更新"}}
	for _, c := range []struct {
		name  string
		rows  [][]string
		want  []Ballot
		error string // part of the error, "" for none
	}{
		{"the export's layout, one round kept", [][]string{
			{"轮次", "选票编号", "方式", "有效票", "7 精品小区建设", "9 健身点设施更新"},
			{"1", "AB", "paper", "true", "赞成", "反对"},
			{"2", "CD", "paper", "true", "弃权", ""},
			{"1", "EF", "paper", "true", "", "弃权"},
		}, []Ballot{{7: Yes, 9: No}, {9: Abstain}}, ""},
		{"titles as headers, other words", [][]string{
			{"健身点设施更新", "精品小区建设"},
			{"✓", "×"},
			{"yes", "Abstain"},
			{"", ""}, // a blank row is no ballot
		}, []Ballot{{9: Yes, 7: No}, {9: Yes, 7: Abstain}}, ""},
		{"a candidate without a column", [][]string{{"7 精品小区建设"}, {"赞成"}}, nil, "1 of the round's 2 candidates"},
		{"an unknown word names row and column", [][]string{{"x", "7", "9"}, {"", "赞成", "也许"}}, nil, "row 2, column C"},
		{"empty", nil, nil, "empty"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseBallots(c.rows, cands, 1)
			if c.error != "" {
				if err == nil || !strings.Contains(err.Error(), c.error) || problem.FieldOf(err) != "file" {
					t.Fatalf("error %v, want one on file with %q", err, c.error)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %v %v, want %v", got, err, c.want)
			}
		})
	}
}
