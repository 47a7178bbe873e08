package privacy

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/orders"
)

// The plain masks, as the templates' mask function shows a phone (moved here from auth).
func TestMaskPhoneAndName(t *testing.T) {
	cases := map[string]string{"13812345678": "138****5678", "021-62345678": "021****5678", "": "", "12": "****"}
	for in, want := range cases {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
	if got := MaskName("王小明"); got != "王**" {
		t.Errorf("MaskName = %q", got)
	}
}

func TestMasks(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"phone", "13812345678", "138****5678"},
		{"short phone", "12345", "1****45"},
		{"name", "王小明", "王**"},
		{"one-character name", "王", "*"},
		{"contact", "王阿姨 13812345678（独居老人）", "王** 138****5678（…）"},
		{"contact without space", "张伯13722220002(行动不便)", "张*137****0002(…)"},
		{"contact as name", "李经理 021-62345678", "李** 021****5678"},
	} {
		var got string
		switch c.name {
		case "phone", "short phone":
			got = MaskPhone(c.in)
		case "contact", "contact without space":
			got = MaskContact(c.in)
		default:
			got = MaskName(c.in)
		}
		if got != c.want {
			t.Errorf("%s: %q → %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

func TestMaskText(t *testing.T) {
	for in, want := range map[string]string{
		"王小明来电：楼道堆物，联系电话 139-1234-5678":      "王**来电：楼道堆物，联系电话 139****5678",
		"回电13811110001或+86 138 1234 5678":    "回电138****0001或+86****5678",
		"座机021-62345678，邮箱 lisi@example.com": "座机021****5678，邮箱 ***@example.com",
		"身份证31010519800101123X":              "身份证310****123X",
		"身份证310105198001011234":              "身份证310****1234",
		"电话幺三八一二三四五六七八":                      "电话幺三八****五六七八",
		"电话一三八 一二三四 五六七八":                    "电话一三八****五六七八",
		"电话１３８１２３４５６７８":                      "电话１３８****５６７８",
		"参见工单 310105102-20251001-000123":     "参见工单 310105102-20251001-000123",
		"2025-10-01 14:30 来电，1035弄3号":        "2025-10-01 14:30 来电，1035弄3号",
		"陆家嘴街道两个覆盖，一二三期":                     "陆家嘴街道两个覆盖，一二三期",
		"": "",
	} {
		if got := MaskText(in, "王小明"); got != want {
			t.Errorf("MaskText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCoarseAddress: real-looking addresses as typed into hotline forms and parcel slips (the
// shared test cases of an address parser: names, phones and postcodes around the address) lose
// everything below the road number or the estate, and every name and number typed with them.
func TestCoarseAddress(t *testing.T) {
	for in, want := range map[string]string{
		// Shanghai, as the hotline writes them.
		"协和路191弄36号404室":                     "协和路191弄",
		"仙霞西路 88弄 3号 601室":                   "仙霞西路 88弄",
		"淞虹路1035弄15号1203室":                   "淞虹路1035弄",
		"北翟路175号":                            "北翟路175号",
		"哈密路1955号B1层":                        "哈密路1955号",
		"福泉北路518号6座3楼":                       "福泉北路518号",
		"新泾六村10号楼3单元502室":                    "新泾六村",
		"新泾六村3-502":                          "新泾六村",
		"淞虹路地铁站2号口":                          "淞虹路地铁站2号口",
		"长宁区新泾镇":                             "长宁区新泾镇",
		"天山西路799号3楼":                         "天山西路799号",
		"剑河路１７６弄１２号３０１室":                     "剑河路176弄",
		"虹桥机场T2航站楼":                          "虹桥机场T2航站楼",
		"王秀英":                                "",
		"":                                   "",
		"No. 88 Xianxia West Road, Room 601": "No. 88 Xianxia West Road",
		// Messy cases of ../shared/data/addresses.
		"福建省福州市福清市石竹街道义明综合楼3F，15000000000，asseek":                          "福建省福州市福清市石竹街道义明综合楼",
		"李xx 13512222322 广西壮族自治区 桂林市 恭城瑶族自治县 恭城镇拱辰东路xx-xx号":                "广西壮族自治区 桂林市 恭城瑶族自治县 恭城镇拱辰东路xx-xx号",
		"四川成都高新区天府大道中段530号东方希望天祥广场a座4302号北京万商天勤(成都)律师事务所":                  "四川成都高新区天府大道中段530号",
		"房pp,18263333333,山东省 德州市 乐陵市 市中街道怡然居小区,253600":                     "山东省 德州市 乐陵市 市中街道怡然居小区",
		"深圳市龙华新区民治街道办民乐新村。陆xg15822222222":                                  "深圳市龙华新区民治街道办民乐新村",
		"张l,15222222222,内蒙古自治区 呼和浩特市 和林格尔县 盛乐经济工业园区内蒙古师范大学盛乐校区十三号楼,011500": "内蒙古自治区 呼和浩特市 和林格尔县 盛乐经济工业园区内蒙古师范大学盛乐校区",
		"上海市徐汇区 复兴中路1237号 5楼WeWork 200010 柚子":                              "上海市徐汇区 复兴中路1237号",
		"龙湖区黄山路潮华雅居10栋000房 肖小姐":                                            "龙湖区黄山路潮华雅居",
		"西安市雁塔区丈八东路晶城秀府7号楼2单元     李飞":                                      "西安市雁塔区丈八东路晶城秀府",
		"新疆伊宁市上海城徐汇苑23号楼5单元401室":                                           "新疆伊宁市上海城徐汇苑",
		"北京市密云区花园小区1楼三单元30115801691123 唐娜明收":                               "北京市密云区花园小区",
		"18112341234 上海奉贤区南桥镇程普路123号上海可通营业部 朱某某":                           "上海奉贤区南桥镇程普路123号",
		"海南省三亚市天涯区收货人吴艾培手机号码17689751439所在地区海南省三亚市吉阳区国营南新农场详细地址三亚富春山居":      "海南省三亚市天涯区 海南省三亚市吉阳区国营南新农场",
		"湖北神农架太阳村10组": "湖北神农架太阳村10组",
	} {
		if got := CoarseAddress(in); got != want {
			t.Errorf("CoarseAddress(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCoarseAddressSharedCases: whatever the shared messy addresses hold, the coarse form keeps no
// phone number, no name the case names, no room, unit or floor.
func TestCoarseAddressSharedCases(t *testing.T) {
	f, err := os.Open("../../../shared/data/addresses/address_parse_testcases.jsonl")
	if err != nil {
		t.Skipf("shared address cases not here: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		var c struct {
			Address  string
			Expected struct {
				Name   string
				Mobile string
			}
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		n++
		got := CoarseAddress(c.Address)
		if numberLike.MatchString(foldDigits(got)) {
			t.Errorf("%q → %q keeps a long number", c.Address, got)
		}
		if c.Expected.Name != "" && len([]rune(c.Expected.Name)) > 1 && strings.Contains(got, c.Expected.Name) {
			t.Errorf("%q → %q keeps the name %q", c.Address, got, c.Expected.Name)
		}
		for _, detail := range []string{"室", "单元", "号楼", "栋", "层"} {
			if strings.Contains(got, detail) {
				t.Errorf("%q → %q keeps %s", c.Address, got, detail)
			}
		}
	}
	if n < 40 {
		t.Errorf("read %d cases", n)
	}
}

// TestRulesMatchPermissions: a role listed as seeing personal data whole holds personal_data:read,
// and no role holding it for orders is missing from the orders rule.
func TestRulesMatchPermissions(t *testing.T) {
	for c, roles := range Rules {
		for role := range roles {
			if !auth.Can(role, auth.PermPersonalData) {
				t.Errorf("%s: %s sees personal data whole but lacks %s", c, role, auth.PermPersonalData)
			}
		}
	}
	for _, ri := range auth.Roles {
		if auth.Can(ri.Code, auth.PermPersonalData) && len(Rules[Orders][ri.Code]) == 0 {
			t.Errorf("%s holds %s but sees no order whole", ri.Code, auth.PermPersonalData)
		}
	}
	if md := Markdown(); !strings.Contains(md, "| handler | department | team |") {
		t.Errorf("rule table:\n%s", md)
	}
}

func TestWhole(t *testing.T) {
	town := "310105102"
	order := Facts{Town: town, Departments: []string{"xj-police", "xj-market"}, Grid: "G04"}
	for _, c := range []struct {
		name string
		v    Viewer
		f    Facts
		want bool
	}{
		{"dispatcher", Viewer{Role: auth.RoleDispatcher, Towns: []string{town}}, order, true},
		{"dispatcher of another town", Viewer{Role: auth.RoleDispatcher, Towns: []string{"310115005"}}, order, false},
		{"lead department", Viewer{Role: auth.RoleHandler, Department: "xj-police", Towns: []string{town}}, order, true},
		{"co-department", Viewer{Role: auth.RoleHandler, Department: "xj-market", Towns: []string{town}}, order, true},
		{"other department", Viewer{Role: auth.RoleHandler, Department: "xj-enforcement", Towns: []string{town}}, order, false},
		{"handler without department", Viewer{Role: auth.RoleHandler, Towns: []string{town}}, Facts{Town: town, Departments: []string{""}}, false},
		{"grid worker in the grid", Viewer{Role: auth.RoleGridWorker, Grid: "G04", Towns: []string{town}}, order, true},
		{"grid worker elsewhere", Viewer{Role: auth.RoleGridWorker, Grid: "G01", Towns: []string{town}}, order, false},
		{"grid worker without grid", Viewer{Role: auth.RoleGridWorker, Towns: []string{town}}, Facts{Town: town}, false},
		{"leader", Viewer{Role: auth.RoleLeader, Towns: []string{town}}, order, false},
		{"resident's own", Viewer{UserID: 7, Role: auth.RoleResident, Towns: []string{town}}, Facts{Town: town, Own: true}, true},
		{"resident", Viewer{UserID: 7, Role: auth.RoleResident, Towns: []string{town}}, order, false},
	} {
		if got := c.v.Whole(Orders, c.f); got != c.want {
			t.Errorf("%s: Whole = %v, want %v", c.name, got, c.want)
		}
	}
	team := Facts{Town: town, Grid: "G01", Team: []int64{42}}
	if !(Viewer{UserID: 42, Role: auth.RoleHandler, Towns: []string{town}}).Whole(Targets, team) {
		t.Error("a handler on the team sees its targets masked")
	}
	if (Viewer{UserID: 42, Role: auth.RoleLeader, Towns: []string{town}}).Whole(Targets, team) {
		t.Error("a leader on the team sees its targets whole")
	}
}

// TestMaskOrderCoversEveryText: every text field of an order and its history is masked, and an
// order without personal data is reported as such (no audit for it).
func TestMaskOrderCoversEveryText(t *testing.T) {
	o := orders.Order{CallerName: "王小明", CallerPhone: "13811110001", Address: "协和路191弄36号404室", Content: "王小明反映 13811110001",
		Result: "已电话联系王小明", Events: []orders.Event{{Reason: "13811110001", Note: "王小明", Result: "13811110001", Comment: "王小明"}}}
	m, personal := MaskOrder(o)
	raw, _ := json.Marshal(m)
	for _, s := range []string{"13811110001", "王小明", "404室"} {
		if strings.Contains(string(raw), s) {
			t.Errorf("masked order keeps %q: %s", s, raw)
		}
	}
	if !personal {
		t.Error("order with personal data reported as without")
	}
	if _, personal := MaskOrder(orders.Order{Content: "路灯不亮", Address: "北翟路175号"}); personal {
		t.Error("order without personal data reported as with")
	}
}

// An export's log counts every record but keeps only the first MaxListed ids.
func TestExportLogStaysSmall(t *testing.T) {
	l := NewExportLog(Orders, "GET /orders/export")
	for i := range 5000 {
		l.Add(fmt.Sprintf("N%05d", i), "310105102")
	}
	if l.Len() != 5000 || len(l.ids) != MaxListed || l.seen != nil {
		t.Errorf("len %d, %d ids kept, seen %v", l.Len(), len(l.ids), l.seen != nil)
	}
}
