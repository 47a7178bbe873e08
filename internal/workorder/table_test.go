package workorder

import (
	"slices"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/docsync"
)

func TestWorkflowDocInSync(t *testing.T) {
	docsync.Check(t, "WORKFLOW.md", "workorder.MarkdownTable", "\n"+MarkdownTable()+"\n",
		"Transitions; run: go test ./internal/workorder -run TestWorkflowDocInSync -update")
}

func TestMarkdownTableRendersEveryAction(t *testing.T) {
	md := MarkdownTable()
	for _, tr := range Transitions {
		if !strings.Contains(md, "| `"+string(tr.Action)+"` | "+tr.LabelZH+" |") {
			t.Errorf("MarkdownTable lacks a row for %s", tr.Action)
		}
	}
	if !strings.Contains(md, "| `dispatched`, `in_progress` | `return` | 退单 |") {
		t.Error("return row does not list both source states")
	}
}

func TestTableIsWellFormed(t *testing.T) {
	fields := []string{FieldCategory, FieldGrid, FieldDeadlineClass, FieldDepartment, FieldCoDepartments, FieldReason,
		FieldResult, FieldNote, FieldPhotos, FieldSatisfaction, FieldComment, FieldDuplicateOf, FieldDeadline, FieldCallbackOutcome}
	seen := map[Action]bool{}
	for _, tr := range Transitions {
		if seen[tr.Action] {
			t.Errorf("action %s listed twice", tr.Action)
		}
		seen[tr.Action] = true
		if tr.LabelZH == "" || tr.LabelEN == "" {
			t.Errorf("action %s lacks a label", tr.Action)
		}
		if tr.To != "" && !tr.To.Valid() {
			t.Errorf("action %s goes to unknown state %s", tr.Action, tr.To)
		}
		for _, s := range tr.From {
			if !s.Valid() {
				t.Errorf("action %s from unknown state %s", tr.Action, s)
			}
		}
		for _, f := range append(slices.Clone(tr.Requires), tr.Optional...) {
			if !slices.Contains(fields, f) {
				t.Errorf("action %s names unknown field %q", tr.Action, f)
			}
		}
		for _, r := range tr.Roles {
			if !slices.Contains(allRoles, r) {
				t.Errorf("action %s names unknown role %q", tr.Action, r)
			}
		}
	}
}

func TestStates(t *testing.T) {
	open := []State{Received, Filed, Dispatched, InProgress, Handled}
	for _, s := range allStates {
		if IsOpen(s) != slices.Contains(open, s) {
			t.Errorf("IsOpen(%s) = %v", s, IsOpen(s))
		}
		if s.LabelZH() == string(s) || s.LabelEN() == string(s) {
			t.Errorf("state %s lacks labels", s)
		}
	}
	if IsOpen("bogus") || State("bogus").Valid() {
		t.Error("unknown state treated as known")
	}
	if InProgress.LabelZH() != "处置中" || ActReturn.LabelZH() != "退单" {
		t.Error("labels changed")
	}
}

func TestClassDays(t *testing.T) {
	tests := []struct {
		class     string
		overrides map[string]int
		want      int
		wantErr   bool
	}{
		{ClassConsult, nil, 1, false},
		{ClassGeneral, nil, 5, false},
		{ClassComplex, nil, 15, false},
		{ClassFirstContact, nil, 1, false},
		{ClassRehandle, nil, 3, false},
		{ClassGeneral, map[string]int{ClassGeneral: 3}, 3, false},
		{ClassComplex, map[string]int{ClassGeneral: 3}, 15, false},
		{ClassGeneral, map[string]int{ClassGeneral: 0}, 0, true},
		{"urgent", nil, 0, true},
		{"urgent", map[string]int{"urgent": 2}, 0, true},
	}
	for _, tt := range tests {
		got, err := ClassDays(tt.class, tt.overrides)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ClassDays(%q, %v) = %d, %v; want %d, err=%v", tt.class, tt.overrides, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), tt.class) {
			t.Errorf("error %q does not name the class", err)
		}
	}
	if err := ValidateOverrides(map[string]int{"urgent": 1}); err == nil {
		t.Error("ValidateOverrides accepted an unknown class")
	}
	if err := ValidateOverrides(map[string]int{ClassRehandle: -1}); err == nil {
		t.Error("ValidateOverrides accepted a negative override")
	}
	if err := ValidateOverrides(map[string]int{ClassRehandle: 2}); err != nil {
		t.Errorf("ValidateOverrides: %v", err)
	}
}

func TestSatisfactions(t *testing.T) {
	for _, s := range []string{Satisfied, BasicallySatisfied, Dissatisfied} {
		if !ValidSatisfaction(s) {
			t.Errorf("%s not valid", s)
		}
	}
	if ValidSatisfaction("") || ValidSatisfaction("happy") {
		t.Error("invalid satisfaction accepted")
	}
	if Satisfactions[2].LabelZH != "不满意" {
		t.Error("label of dissatisfied changed")
	}
}
