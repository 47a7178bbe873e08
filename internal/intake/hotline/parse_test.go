package hotline

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	t.Parallel()
	sh := func(y, mo, d, h, mi, s int) time.Time { return time.Date(y, time.Month(mo), d, h, mi, s, 0, shanghai) }
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2025-09-30 10:03", sh(2025, 9, 30, 10, 3, 0), true},
		{"2025/9/30 10:03:00", sh(2025, 9, 30, 10, 3, 0), true},
		{"2025年9月30日 10时03分", sh(2025, 9, 30, 10, 3, 0), true},
		{"2025年9月30日10时03分15秒", sh(2025, 9, 30, 10, 3, 15), true},
		{"2025年9月30日 10:03", sh(2025, 9, 30, 10, 3, 0), true},
		{"2025年9月30日", sh(2025, 9, 30, 0, 0, 0), true},
		{"2025-09-30T10:03:00+08:00", sh(2025, 9, 30, 10, 3, 0), true},
		{"2025-09-30T02:03:00Z", sh(2025, 9, 30, 10, 3, 0), true},
		{"2025-09-30 10:03:00.250", sh(2025, 9, 30, 10, 3, 0).Add(250 * time.Millisecond), true},
		{"2025-09-30", sh(2025, 9, 30, 0, 0, 0), true},
		{"2025.9.30", sh(2025, 9, 30, 0, 0, 0), true},
		{"20250930", sh(2025, 9, 30, 0, 0, 0), true},
		{"20250930100300", sh(2025, 9, 30, 10, 3, 0), true},
		{"２０２５－０９－３０　１０：０３", sh(2025, 9, 30, 10, 3, 0), true},
		{"  2025-09-30 10:03  ", sh(2025, 9, 30, 10, 3, 0), true},
		{"45930", sh(2025, 9, 30, 0, 0, 0), true},
		{"45930.5", sh(2025, 9, 30, 12, 0, 0), true},
		{"45930.418749999997", sh(2025, 9, 30, 10, 3, 0), true},
		{"2025-13-01", time.Time{}, false},
		{"2025-02-30", time.Time{}, false},
		{"2025-09-30 24:00", time.Time{}, false},
		{"2025-09-30 10:60", time.Time{}, false},
		{"2025-09/30", time.Time{}, false},
		{"2025-09-30 10:03 tomorrow", time.Time{}, false},
		{"昨天下午", time.Time{}, false},
		{"", time.Time{}, false},
		{"-1", time.Time{}, false},
		{"0", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseTime(%q) err = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if tt.ok && !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"13800138000", "13800138000", true},
		{"138 0013 8000", "13800138000", true},
		{"138-0013-8000", "13800138000", true},
		{"+86 138 0013 8000", "13800138000", true},
		{"+8613800138000", "13800138000", true},
		{"008613800138000", "13800138000", true},
		{"8613800138000", "13800138000", true},
		{"１３８００１３８０００", "13800138000", true},
		{"＋８６　１３８００１３８０００", "13800138000", true},
		{"021-62345678", "021-62345678", true},
		{"02162345678", "021-62345678", true},
		{"(021)6234 5678", "021-62345678", true},
		{"62345678", "62345678", true},
		{"6234567", "6234567", true},
		{"021-62345678-801", "021-62345678-801", true},
		{"021-62345678转801", "021-62345678-801", true},
		{"62345678#801", "62345678-801", true},
		{"+86 21 6234 5678", "021-62345678", true},
		{"0571-87654321", "0571-87654321", true},
		{"", "", true},
		{"12345", "", false},
		{"1380013800", "", false},
		{"138001380001", "", false},
		{"12800138000", "", false},
		{"021-0234567", "", false},
		{"13800138000/13900139000", "", false},
		{"13800138000转1", "", false},
		{"电话不详", "", false},
		{"+1 415 555 0100", "", false},
		{"021-62345678转abc", "", false},
	}
	for _, tt := range tests {
		got, err := NormalizePhone(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("NormalizePhone(%q) err = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if got != tt.want {
			t.Errorf("NormalizePhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseLimitDaysAndKind(t *testing.T) {
	t.Parallel()
	days := []struct {
		in   string
		want int
		ok   bool
	}{
		{"5", 5, true}, {"５", 5, true}, {"5个工作日", 5, true}, {"15 工作日", 15, true}, {"3天", 3, true}, {"5.0", 5, true},
		{"0", 0, false}, {"-3", 0, false}, {"五天", 0, false}, {"5.5", 0, false}, {"999", 0, false},
	}
	for _, tt := range days {
		got, ok := parseLimitDays(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("parseLimitDays(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	kindsWant := map[string]string{"咨询": "consult", "求助": "help", "投诉": "complaint", "建议": "suggestion", "表扬": "praise", "投诉类": "complaint", "Complaint": "complaint"}
	for in, want := range kindsWant {
		if got, ok := parseKind(in); !ok || got != want {
			t.Errorf("parseKind(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := parseKind("闲聊"); ok {
		t.Error("parseKind accepted an unknown kind")
	}
}

func TestMatchHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want field
		ok   bool
	}{
		{"工单编号", fHotlineID, true},
		{" 工单 号 ", fHotlineID, true},
		{"*热线工单号：", fHotlineID, true},
		{"【来电时间】", fReceivedAt, true},
		{"受理时间（必填）", fReceivedAt, true},
		{"LNG", fLng, true},
		{"Ｌａｔｉｔｕｄｅ", fLat, true},
		{"时限(工作日)", fLimitDays, true},
		{"办理时限（工作日）", fLimitDays, true},
		{"手机号码", fPhone, true},
		{"所属街镇", fTown, true},
		{"备注", 0, false},
		{"处理部门", 0, false},
	}
	for _, tt := range tests {
		m, ok := matchHeader(tt.in)
		if ok != tt.ok || (ok && m.f != tt.want) {
			t.Errorf("matchHeader(%q) = %v, %v; want %v, %v", tt.in, m.f, ok, tt.want, tt.ok)
		}
	}
}
