package privacy

import (
	"strings"
	"testing"
)

// TestMaskTextPhones sweeps the ways a phone number is written in a hotline record: digits of any
// width, Chinese numerals as read out (幺 for 1, 两, 〇/○/零), the financial numerals, mixed
// forms, and separators. Each is masked so that its middle digits are gone; text that only
// resembles a number is kept.
func TestMaskTextPhones(t *testing.T) {
	masked := []struct {
		in, gone string // gone: a part of the number that must not survive
	}{
		{"电话13812345678", "1234"},
		{"电话 138 1234 5678", "1234"},
		{"电话138-1234-5678", "1234"},
		{"电话 138 - 1234 - 5678", "1234"},
		{"电话138.1234.5678", "1234"},
		{"电话+86 138 1234 5678", "1234"},
		{"电话１３８１２３４５６７８", "１２３４"},
		{"电话１３８－１２３４－５６７８", "１２３４"},
		{"电话一三八一二三四五六七八", "一二三四"},
		{"电话幺三八幺二三四五六七八", "幺二三四"},
		{"电话一三八 一二三四 五六七八", "一二三四"},
		{"电话一三八　一二三四　五六七八", "一二三四"}, // ideographic spaces
		{"电话一三八-一二三四-五六七八", "一二三四"},
		{"电话壹叁捌壹贰叁肆伍陆柒捌", "壹贰叁肆"},
		{"电话138一二三四5678", "一二三四"},
		{"电话一三九零零零两两五五五", "零零零两"},
		{"座机六二三四〇五六七", "三四〇五"},
		{"座机六二三四○五六七", "三四○五"},
		{"座机 021-6234 5678", "6234"},
		{"电话①③⑧①②③④⑤⑥⑦⑧", "①②③④"},
	}
	for _, c := range masked {
		got := MaskText(c.in)
		if strings.Contains(got, c.gone) || !strings.Contains(got, "****") {
			t.Errorf("MaskText(%q) = %q: the number is still there", c.in, got)
		}
	}
	kept := []string{
		"新泾一村1035弄12号门口",
		"三三两两的人在排队",
		"陆家嘴环路一二三号",
		"2025年10月1日起三天",
		"参见工单 310105102-20251001-000123",
		"六层楼，共二十户",
		"第一二三四五六期", // six numerals: below seven digits
	}
	for _, s := range kept {
		if got := MaskText(s); got != s {
			t.Errorf("MaskText(%q) = %q, want it unchanged", s, got)
		}
	}
}
