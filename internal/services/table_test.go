package services

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/docsync"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

func TestServicesDocInSync(t *testing.T) {
	docsync.Check(t, "SERVICES.md", "services.MarkdownTable", "\n"+MarkdownTable()+"\n",
		"Transitions; run: go test ./internal/services -run TestServicesDocInSync -update")
}

func TestTableIsWellFormed(t *testing.T) {
	fields := []string{FieldNote, FieldResult, FieldReason, FieldSatisfaction, FieldComment}
	states := map[string]bool{}
	for _, s := range States {
		states[s.State] = true
	}
	seen := map[Action]bool{}
	for _, tr := range Transitions {
		if seen[tr.Action] || tr.LabelZH == "" || tr.LabelEN == "" || !states[string(tr.To)] {
			t.Errorf("row %s: repeated, unlabelled or to unknown state %q", tr.Action, tr.To)
		}
		seen[tr.Action] = true
		for _, s := range tr.From {
			if !states[string(s)] {
				t.Errorf("row %s from unknown state %s", tr.Action, s)
			}
		}
		for _, f := range append(slices.Clone(tr.Requires), tr.Optional...) {
			if !slices.Contains(fields, f) {
				t.Errorf("row %s names unknown field %q", tr.Action, f)
			}
		}
		for _, e := range tr.Effects {
			if _, ok := EffectLabels[e]; !ok {
				t.Errorf("effect %s has no label", e)
			}
		}
		for _, r := range tr.Roles {
			if roleDocs[r] == "" {
				t.Errorf("role %s has no docs", r)
			}
		}
	}
	if md := MarkdownTable(); !strings.Contains(md, "| `received`, `accepted` | `cancel` | 撤回申请 |") {
		t.Error("cancel row does not list both source states")
	}
}

// The service table through the engine: the same order of checks and kinds of errors as the
// work orders'.
func TestDecide(t *testing.T) {
	req := Subject{State: Received, Department: "xj-market", RequestedBy: 7}
	handler := Actor{UserID: 3, Role: workorder.RoleHandler, Department: "xj-market"}
	other := Actor{UserID: 4, Role: workorder.RoleHandler, Department: "xj-police"}
	resident := Actor{UserID: 7, Role: workorder.RoleResident}
	stranger := Actor{UserID: 8, Role: workorder.RoleResident}
	tests := []struct {
		name string
		s    Subject
		a    Actor
		act  Action
		in   Input
		want error
	}{
		{"handler accepts", req, handler, ActAccept, Input{}, nil},
		{"unknown action", req, handler, "bless", Input{}, ErrUnknownAction},
		{"another department", req, other, ActAccept, Input{}, ErrForbidden},
		{"requester may not accept", req, resident, ActAccept, Input{}, ErrForbidden},
		{"deliver before accepting", req, handler, ActDeliver, Input{Result: "x"}, ErrWrongState},
		{"deliver without result", Subject{State: Accepted, Department: "xj-market"}, handler, ActDeliver, Input{}, problem.ErrInvalid},
		{"stranger confirms", Subject{State: Delivered, RequestedBy: 7}, stranger, ActConfirm, Input{}, ErrForbidden},
		{"requester confirms", Subject{State: Delivered, RequestedBy: 7}, resident, ActConfirm, Input{}, nil},
		{"bad rating", Subject{State: Confirmed, RequestedBy: 7}, resident, ActRate, Input{Satisfaction: "great"}, problem.ErrInvalid},
		{"rating", Subject{State: Confirmed, RequestedBy: 7}, resident, ActRate, Input{Satisfaction: workorder.Satisfied}, nil},
		{"cancel needs a reason", req, resident, ActCancel, Input{Reason: " "}, problem.ErrInvalid},
		{"reason too long", req, resident, ActCancel, Input{Reason: strings.Repeat("长", MaxActionText+1)}, problem.ErrInvalid},
	}
	for _, tt := range tests {
		_, err := Decide(tt.s, tt.a, tt.act, tt.in)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: %v; want %v", tt.name, err, tt.want)
		}
	}
	if got := AllowedActions(req, handler); !slices.Equal(got, []Action{ActAccept, ActRefuse}) {
		t.Errorf("handler on a received request: %v", got)
	}
	if got := AllowedActions(Subject{State: Delivered, RequestedBy: 7}, resident); !slices.Equal(got, []Action{ActConfirm, ActReturn}) {
		t.Errorf("requester on a delivered request: %v", got)
	}
}

func TestParseSheetErrors(t *testing.T) {
	header := []string{"清单", "方面", "类别", "编码", "服务项目", "服务对象", "提供部门编码", "承诺时限（工作日）", "所需材料", "服务方式", "示意"}
	good := []string{"泾彩满格", "街区服务", "证照办理", "T-1", "营业执照办理指导", "商户", "xj-market", "5", "身份证、租赁合同", "窗口办理", "是"}
	edits, err := ParseSheet([][]string{header, good})
	if err != nil || len(edits) != 1 || edits[0].Days != 5 || len(edits[0].Documents) != 2 || edits[0].Delivery != DeliverWindow || !edits[0].Illustrative {
		t.Fatalf("good sheet: %+v %v", edits, err)
	}
	bad := [][]string{header, good,
		{"泾彩满格", "街区服务", "证照办理", "T-2", "", "商户", "xj-market", "十", "", "飞鸽传书", "也许"},
		{"泾彩满格", "街区服务", "证照办理", "T-1", "重复", "商户", "xj-market", "3", "", "上门服务", ""},
	}
	_, err = ParseSheet(bad)
	var ie *ImportError
	if !errors.As(err, &ie) || !errors.Is(err, problem.ErrInvalid) {
		t.Fatalf("bad sheet: %v", err)
	}
	var zh, en []string
	for _, e := range ie.Errors {
		zh, en = append(zh, e.Text("zh")), append(en, e.Text("en"))
	}
	for _, want := range []string{"第 3 行 E 列：服务项目不能为空", "第 3 行 H 列：“十”不是 1 到 60 之间的工作日数", "第 3 行 J 列：“飞鸽传书”不是服务方式",
		"第 3 行 K 列：应为“是”或“否”", "第 4 行 D 列：编码 T-1 与第 2 行重复"} {
		if !slices.ContainsFunc(zh, func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("no Chinese error %q in %q", want, zh)
		}
	}
	for _, want := range []string{"row 3, column E: item is required", `row 3, column H: "十" is not a number of working days`, "row 4, column D: code T-1 repeats row 2"} {
		if !slices.ContainsFunc(en, func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("no English error %q in %q", want, en)
		}
	}
	_, err = ParseSheet([][]string{{"方面", "服务项目"}})
	if !errors.As(err, &ie) || !strings.Contains(ie.Errors[0].Text("en"), "no column headed category") {
		t.Errorf("missing headers: %v", err)
	}
}
