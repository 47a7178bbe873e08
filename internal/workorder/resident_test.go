package workorder

import (
	"strings"
	"testing"
)

// Every action of the lifecycle either tells the resident something or is listed as silent, and
// the news speaks the resident's words in both languages.
func TestResidentNewsCoversEveryAction(t *testing.T) {
	for _, tr := range Transitions {
		n, told := ResidentNewsOf(tr.Action)
		_, silent := ResidentSilent[tr.Action]
		if told == silent {
			t.Errorf("action %s: told %v, silent %v; want exactly one", tr.Action, told, silent)
		}
		if !told {
			continue
		}
		if n.Kind == "" || n.ZH == "" || n.EN == "" {
			t.Errorf("action %s: news lacks kind or text: %+v", tr.Action, n)
		}
		for _, staff := range []string{"立案", "派遣", "工单", "签收", "退单", "督办"} {
			if strings.Contains(n.ZH, staff) {
				t.Errorf("action %s: the resident's text %q uses the staff word %q", tr.Action, n.ZH, staff)
			}
		}
		if !strings.Contains(n.ZH, "{number}") || !strings.Contains(n.EN, "{number}") {
			t.Errorf("action %s: the news does not name the order's number", tr.Action)
		}
	}
	for a := range ResidentSilent {
		if _, ok := Lookup(a); !ok {
			t.Errorf("silent action %s is not in the table", a)
		}
	}
}

func TestResidentNewsText(t *testing.T) {
	n, _ := ResidentNewsOf(ActReject)
	if got := n.Text("zh", "XJ-1", "不属于受理范围", ""); got != "您反映的问题（编号 XJ-1）未能受理：不属于受理范围。如有疑问请拨打 12345。" {
		t.Errorf("zh: %q", got)
	}
	d, _ := ResidentNewsOf(ActDispatch)
	if got := d.Text("en", "XJ-1", "", ""); got != "Your report XJ-1 is with the department in charge; expected done by —." {
		t.Errorf("en: %q", got)
	}
}
