package demo

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/services"
	"github.com/civicgrid/civicgrid/internal/store"
)

// The seed (2024 新泾镇 全覆盖 event) names the five aspects of the "泾彩满格" 全覆盖服务增能包 and
// its size — 五大方面 28 类 76 项 — but not the categories and items: those below are written to
// be plausible and are marked illustrative, as is the 健康之翼 list, whose seed (the 2023 初心讲堂
// at 同仁医院) says only that it serves every age from infants to the elderly.
type demoCategory struct {
	name  string
	dept  string // provider department
	unit  string
	days  int
	way   string
	who   string
	docs  []string
	items []string
}

type demoAspect struct {
	name, intro string
	cats        []demoCategory
}

const (
	whoNewSector = "新兴领域党组织、党员及楼宇企业、街区商户、新就业群体"
	whoBuilding  = "镇域内楼宇企业及其员工"
	whoMerchant  = "镇域内街区商户、个体工商户"
	whoNewJob    = "快递员、外卖骑手、网约车司机等新就业群体"
	whoXinda     = "鑫达实业总公司下属集体企业及其租户"
	whoAlliance  = "“最虹桥”党建联建平台成员单位及辖区企业、居民"
)

var jingcai = []demoAspect{
	{name: "“初心领航”服务", intro: "党建引领，为新兴领域党组织和党员提供组建、教育、阵地和激励服务。", cats: []demoCategory{
		{name: "党组织组建指导", dept: "xj-party", days: 10, way: services.DeliverDoor, who: whoNewSector, docs: []string{"单位基本情况表", "党员名册"},
			items: []string{"新兴领域党组织组建指导", "党员组织关系转接", "流动党员报到登记"}},
		{name: "党员教育培训", dept: "xj-party", days: 10, way: services.DeliverDoor, who: whoNewSector, docs: []string{"培训需求表"},
			items: []string{"初心讲堂专题党课送课上门", "入党积极分子培训", "党员线上学习平台开通"}},
		{name: "党建阵地共享", dept: "xj-party", unit: "宁聚里·新泾镇仙霞路党群服务中心", days: 3, way: services.DeliverWindow, who: whoNewSector, docs: []string{"活动方案"},
			items: []string{"党群服务中心场地预约", "楼宇党建驿站共享"}},
		{name: "书记领航", dept: "xj-party", days: 15, way: services.DeliverWindow, who: "新兴领域党组织书记", docs: []string{},
			items: []string{"两新组织书记工作坊", "党建指导员结对"}},
		{name: "主题活动支持", dept: "xj-party", days: 5, way: services.DeliverPhone, who: whoNewSector, docs: []string{"活动方案"},
			items: []string{"主题党日活动策划支持", "红色寻访路线安排", "志愿服务项目对接"}},
		{name: "先锋激励", dept: "xj-party", days: 15, way: services.DeliverWindow, who: "新兴领域党员", docs: []string{"申报表", "事迹材料"},
			items: []string{"党员先锋岗评选申报", "优秀党建案例宣传推介", "困难党员关爱帮扶"}},
	}},
	{name: "楼宇服务", intro: "面向楼宇企业的开办、政策、人才、法律和安全服务。", cats: []demoCategory{
		{name: "企业开办", dept: "xj-service", days: 3, way: services.DeliverWindow, who: whoBuilding, docs: []string{"法定代表人身份证", "公司章程", "租赁合同"},
			items: []string{"企业开办“一窗通”指导", "企业迁入手续代办指导", "税务登记咨询对接"}},
		{name: "政策兑现", dept: "xj-office", days: 10, way: services.DeliverOnline, who: whoBuilding, docs: []string{"营业执照", "申报表"},
			items: []string{"扶持政策精准推送", "稳岗补贴申领指导", "楼宇企业租金补贴申报"}},
		{name: "人才服务", dept: "xj-service", days: 10, way: services.DeliverWindow, who: whoBuilding, docs: []string{"劳动合同", "学历证明"},
			items: []string{"人才公寓申请指导", "落户政策咨询", "专场招聘会对接"}},
		{name: "法律服务", dept: "xj-justice", days: 5, way: services.DeliverDoor, who: whoBuilding, docs: []string{"相关合同或材料"},
			items: []string{"企业法律体检", "劳动争议调解", "合同审查咨询"}},
		{name: "安全服务", dept: "xj-safety", days: 5, way: services.DeliverDoor, who: whoBuilding, docs: []string{},
			items: []string{"楼宇消防安全检查指导", "安全生产培训"}},
		{name: "楼宇白领关爱", dept: "xj-culture", days: 10, way: services.DeliverDoor, who: "楼宇企业员工", docs: []string{},
			items: []string{"白领午间课堂", "心理健康咨询"}},
	}},
	{name: "街区服务", intro: "面向街区商户和新就业群体的证照、市容、经营、食品安全和纠纷调处服务。", cats: []demoCategory{
		{name: "证照办理", dept: "xj-market", days: 5, way: services.DeliverWindow, who: whoMerchant, docs: []string{"经营者身份证", "经营场所证明", "营业执照（已办理的）"},
			items: []string{"营业执照办理指导", "食品经营许可办理指导", "个体工商户年报指导", "户外招牌设置指导"}},
		{name: "市容环境", dept: "xj-sanitation", days: 3, way: services.DeliverDoor, who: whoMerchant, docs: []string{"营业执照"},
			items: []string{"门责制签约", "垃圾分类上门指导", "商户垃圾清运预约"}},
		{name: "经营帮扶", dept: "xj-market", days: 5, way: services.DeliverPhone, who: whoMerchant, docs: []string{"营业执照"},
			items: []string{"小微商户融资对接", "消费促进活动报名", "特色小店评选申报"}},
		{name: "食品安全", dept: "xj-market", days: 3, way: services.DeliverDoor, who: "街区餐饮、食品经营商户", docs: []string{"食品经营许可证"},
			items: []string{"食品安全快检", "从业人员健康证办理指引", "明厨亮灶改造指导"}},
		{name: "新就业群体关爱", dept: "xj-party", unit: "新泾镇暖新驿站", days: 3, way: services.DeliverWindow, who: whoNewJob, docs: []string{"从业证明（平台账号截图）"},
			items: []string{"暖“新”驿站歇脚充电", "新就业群体职业伤害保障咨询"}},
		{name: "纠纷调处", dept: "xj-justice", days: 5, way: services.DeliverDoor, who: whoMerchant, docs: []string{},
			items: []string{"消费纠纷调解", "商户邻里矛盾调解"}},
	}},
	{name: "集体企业服务", intro: "面向镇集体企业及其租户的资产、财务、改革、员工和合规服务。", cats: []demoCategory{
		{name: "资产管理", dept: "xj-xinda", days: 10, way: services.DeliverWindow, who: whoXinda, docs: []string{"营业执照", "租赁意向书"},
			items: []string{"集体资产租赁招商对接", "物业租赁合同备案", "租户入驻手续办理"}},
		{name: "财务服务", dept: "xj-xinda", days: 10, way: services.DeliverWindow, who: whoXinda, docs: []string{"财务报表"},
			items: []string{"代理记账咨询", "审计配合指导", "“三资”管理平台填报"}},
		{name: "改革发展", dept: "xj-xinda", days: 15, way: services.DeliverWindow, who: whoXinda, docs: []string{},
			items: []string{"股权改革政策解读", "集体经济项目申报"}},
		{name: "员工服务", dept: "xj-xinda", days: 10, way: services.DeliverWindow, who: "集体企业员工及退休人员", docs: []string{"身份证"},
			items: []string{"职业技能培训报名", "退休人员社会化管理"}},
		{name: "合规经营", dept: "xj-safety", days: 10, way: services.DeliverDoor, who: whoXinda, docs: []string{},
			items: []string{"合规风险排查", "安全生产标准化辅导", "用工合规指导"}},
	}},
	{name: "“最虹桥”党建联建平台服务", intro: "区域化党建联建：项目、资源、需求、志愿和交流。", cats: []demoCategory{
		{name: "联建项目", dept: "xj-party", days: 15, way: services.DeliverWindow, who: whoAlliance, docs: []string{"项目申报书"},
			items: []string{"联建项目清单认领", "区域化党建项目申报", "轮值召集人交接"}},
		{name: "资源对接", dept: "xj-party", days: 5, way: services.DeliverOnline, who: whoAlliance, docs: []string{},
			items: []string{"资源需求发布", "共建单位资源对接", "场地资源共享"}},
		{name: "需求响应", dept: "xj-office", days: 5, way: services.DeliverOnline, who: whoAlliance, docs: []string{},
			items: []string{"群众需求收集转办", "企业需求直通车"}},
		{name: "志愿联动", dept: "xj-party", unit: "新泾镇向“新”力志愿服务联盟", days: 5, way: services.DeliverOnline, who: whoAlliance, docs: []string{"身份证"},
			items: []string{"向“新”力志愿服务联盟报名", "五大网格志愿服务项目对接", "志愿者保险代办"}},
		{name: "交流展示", dept: "xj-party", days: 10, way: services.DeliverWindow, who: whoAlliance, docs: []string{},
			items: []string{"联建成果展示", "共话网格微论坛参与", "党建联建年度交流会"}},
	}},
}

const (
	hospital = "上海市同仁医院"
	centre   = "新泾社区卫生服务中心"
)

var health = []demoAspect{
	{name: "婴幼儿（0–3岁）", cats: []demoCategory{
		{name: "预防接种与体检", dept: "xj-health", unit: centre, days: 5, way: services.DeliverWindow, who: "镇域内 0–3 岁婴幼儿及家长", docs: []string{"预防接种证", "出生医学证明"},
			items: []string{"儿童预防接种预约", "0–3岁儿童健康体检"}},
		{name: "科学育儿", dept: "xj-health", unit: centre, days: 5, way: services.DeliverDoor, who: "新生儿家庭", docs: []string{"母子健康手册"},
			items: []string{"新生儿家庭访视", "婴幼儿喂养指导"}},
	}},
	{name: "儿童青少年", cats: []demoCategory{
		{name: "成长健康", dept: "xj-health", unit: hospital, days: 10, way: services.DeliverWindow, who: "镇域内中小学生及家长", docs: []string{"学生证"},
			items: []string{"视力与脊柱健康筛查", "青少年心理健康咨询"}},
	}},
	{name: "育龄与孕产期", cats: []demoCategory{
		{name: "孕产保健", dept: "xj-health", unit: hospital, days: 5, way: services.DeliverWindow, who: "镇域内孕产妇", docs: []string{"身份证", "母子健康手册"},
			items: []string{"孕产妇建册", "产后访视"}},
	}},
	{name: "中青年（职业人群）", cats: []demoCategory{
		{name: "职业健康", dept: "xj-health", unit: hospital, days: 10, way: services.DeliverDoor, who: "楼宇企业员工、新就业群体", docs: []string{},
			items: []string{"健康讲座进楼宇", "慢病风险筛查", "新就业群体健康体检"}},
	}},
	{name: "老年人", cats: []demoCategory{
		{name: "医养结合", dept: "xj-health", unit: centre, days: 5, way: services.DeliverDoor, who: "镇域内 65 岁以上老年人", docs: []string{"身份证", "医保卡"},
			items: []string{"家庭医生签约", "老年人年度体检", "居家护理上门服务"}},
		{name: "健康活力", dept: "xj-health", unit: centre + "（同Xin街区口袋花园长者运动之家）", days: 3, way: services.DeliverWindow, who: "镇域内老年人", docs: []string{},
			items: []string{"长者运动健康指导", "同仁医院专家社区义诊预约"}},
	}},
}

// Services returns the demo loader of the service catalogue of 新泾镇: the 5/28/76 "泾彩满格"
// pack and the 健康之翼 list (illustrative categories and items under the seed's aspects), and
// about twenty requests in every state — a merchant's, a building enterprise's, grid workers'
// 代办 for elderly residents — made and moved through the service with its clock set back, so
// that their deadlines, overdue marks and timelines are the real ones. Idempotent: a town with
// catalogue items is left alone.
func Services(now time.Time) Extra {
	return func(ctx context.Context, db *store.DB, w *world.World, log *slog.Logger) error {
		if w.Town.Code != world.XinjingCode {
			return nil
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM service_items WHERE town_code = ?`, w.Town.Code).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		clock := now
		svc := &services.Service{DB: db, Now: func() time.Time { return clock }}
		towns := []string{w.Town.Code}
		names := map[string]string{}
		rows, err := db.Query(ctx, `SELECT code, name FROM departments WHERE town_code = ?`, w.Town.Code)
		if err != nil {
			return err
		}
		for rows.Next() {
			var code, name string
			if err := rows.Scan(&code, &name); err != nil {
				rows.Close()
				return err
			}
			names[code] = name
		}
		if err := rows.Close(); err != nil {
			return err
		}
		var edits []services.ItemEdit
		for _, cat := range []struct {
			code    string
			prefix  string
			aspects []demoAspect
		}{{services.CatalogueJingcai, "JC", jingcai}, {services.CatalogueHealth, "JK", health}} {
			for ai, a := range cat.aspects {
				k := 0
				for _, c := range a.cats {
					for _, item := range c.items {
						k++
						edits = append(edits, services.ItemEdit{Catalogue: cat.code, Aspect: a.name, Category: c.name,
							Code: fmt.Sprintf("%s%d-%02d", cat.prefix, ai+1, k), Name: item, NameEN: serviceEnglish[item], Eligibility: c.who, Department: c.dept, Unit: c.unit,
							Days: c.days, Documents: c.docs, Delivery: c.way, Illustrative: true,
							Summary: "示意内容：" + c.name + "类服务，由" + deptLabel(c, names) + "提供。"})
					}
				}
			}
		}
		if _, err := svc.Import(ctx, towns, w.Town.Code, edits, demoActor); err != nil {
			return fmt.Errorf("demo services: %w", err)
		}
		// The seed names the aspects: only the categories and items below them are illustrative.
		if _, err := db.Exec(ctx, `UPDATE service_aspects SET illustrative = 0 WHERE town_code = ? AND catalogue = ?`, w.Town.Code, services.CatalogueJingcai); err != nil {
			return err
		}
		for _, a := range jingcai {
			if _, err := db.Exec(ctx, `UPDATE service_aspects SET intro = ? WHERE town_code = ? AND name = ?`, a.intro, w.Town.Code, a.name); err != nil {
				return err
			}
		}
		// The import names aspects and categories in Chinese only: their English names follow.
		for _, a := range append(append([]demoAspect{}, jingcai...), health...) {
			if _, err := db.Exec(ctx, `UPDATE service_aspects SET name_en = ? WHERE town_code = ? AND name = ?`, serviceEnglish[a.name], w.Town.Code, a.name); err != nil {
				return err
			}
			for _, c := range a.cats {
				if _, err := db.Exec(ctx, `UPDATE service_categories SET name_en = ? WHERE name = ?
					AND aspect_id IN (SELECT id FROM service_aspects WHERE town_code = ? AND name = ?)`, serviceEnglish[c.name], c.name, w.Town.Code, a.name); err != nil {
					return err
				}
			}
		}
		made, err := demoRequests(ctx, db, svc, towns, now, func(t time.Time) { clock = t })
		if err != nil {
			return fmt.Errorf("demo service requests: %w", err)
		}
		log.Info("demo service catalogue loaded", "town", w.Town.Name, "items", len(edits), "requests", made)
		return nil
	}
}

func deptLabel(c demoCategory, names map[string]string) string {
	if c.unit != "" {
		return c.unit
	}
	return names[c.dept]
}

// demoRequest is one demo request: who, which item, when, and the actions after it.
type demoRequest struct {
	user, item, org, contact, phone, address, note string
	behalf                                         bool
	daysAgo                                        int
	steps                                          []demoStep
}

type demoStep struct {
	user  string
	act   services.Action
	hours int // after the request
	in    services.Input
}

func demoRequests(ctx context.Context, db *store.DB, svc *services.Service, towns []string, now time.Time, setClock func(time.Time)) (int, error) {
	code := map[string]int64{}
	rows, err := db.Query(ctx, `SELECT name, id FROM service_items WHERE town_code = ?`, towns[0])
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var name string
		var id int64
		if err := rows.Scan(&name, &id); err != nil {
			rows.Close()
			return 0, err
		}
		code[name] = id
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	users := map[string]auth.User{}
	user := func(name string) (auth.User, error) {
		if u, ok := users[name]; ok {
			return u, nil
		}
		u, err := auth.UserByUsername(ctx, db, name)
		users[name] = u
		return u, err
	}
	accept := func(u string, h int) demoStep { return demoStep{user: u, act: services.ActAccept, hours: h} }
	deliver := func(u string, h int, result string) demoStep {
		return demoStep{user: u, act: services.ActDeliver, hours: h, in: services.Input{Result: result}}
	}
	confirm := func(u string, h int) demoStep { return demoStep{user: u, act: services.ActConfirm, hours: h} }
	rate := func(u string, h int, s, c string) demoStep {
		return demoStep{user: u, act: services.ActRate, hours: h, in: services.Input{Satisfaction: s, Comment: c}}
	}
	const (
		res  = "resident"
		gw   = "gridworker"
		gl   = "gridleader"
		mkt  = "handler_market"
		disp = "dispatcher"
	)
	list := []demoRequest{
		{user: res, item: "营业执照办理指导", org: "泾味面馆（仙霞西路店）", contact: "顾德明", phone: "13916620731", daysAgo: 12,
			note:  "新开面馆，想了解个体户执照怎么办。",
			steps: []demoStep{accept(mkt, 3), deliver(mkt, 30, "已上门指导并在一网通办提交，执照已核发。"), confirm(res, 40), rate(res, 41, "satisfied", "上门讲得很清楚，谢谢！")}},
		{user: res, item: "食品经营许可办理指导", org: "泾味面馆（仙霞西路店）", contact: "顾德明", phone: "13916620731", daysAgo: 9,
			steps: []demoStep{accept(mkt, 2), deliver(mkt, 50, "已指导完成食品经营许可申请材料，现场核查已通过。"), confirm(res, 60)}},
		{user: res, item: "食品安全快检", org: "泾味面馆（仙霞西路店）", contact: "顾德明", phone: "13916620731", daysAgo: 4,
			steps: []demoStep{accept(mkt, 1), deliver(mkt, 20, "快检 6 个批次，全部合格。")}},
		{user: res, item: "个体工商户年报指导", org: "新泾鲜花坊", contact: "顾德明", phone: "13916620731", daysAgo: 1},
		{user: res, item: "小微商户融资对接", org: "新泾鲜花坊", contact: "顾德明", phone: "13916620731", daysAgo: 15},
		{user: res, item: "户外招牌设置指导", org: "新泾鲜花坊", contact: "顾德明", phone: "13916620731", daysAgo: 11,
			steps: []demoStep{accept(mkt, 5)}},
		{user: res, item: "消费促进活动报名", org: "泾味面馆（仙霞西路店）", contact: "顾德明", phone: "13916620731", daysAgo: 6,
			steps: []demoStep{{user: mkt, act: services.ActRefuse, hours: 4, in: services.Input{Reason: "本期活动报名已截止，已登记下期优先通知。"}}}},
		{user: res, item: "特色小店评选申报", org: "新泾鲜花坊", contact: "顾德明", phone: "13916620731", daysAgo: 8,
			steps: []demoStep{{user: res, act: services.ActCancel, hours: 2, in: services.Input{Reason: "今年暂不申报。"}}}},
		{user: res, item: "企业开办“一窗通”指导", org: "泾彩数字科技有限公司", contact: "顾德明", phone: "13916620731", daysAgo: 7,
			steps: []demoStep{accept(disp, 2), deliver(disp, 26, "已预约社区事务受理服务中心窗口，当日办结。"), confirm(res, 30), rate(res, 31, "basically_satisfied", "")}},
		{user: res, item: "企业法律体检", org: "泾彩数字科技有限公司", contact: "顾德明", phone: "13916620731", daysAgo: 5,
			steps: []demoStep{accept(disp, 6)}},
		{user: res, item: "稳岗补贴申领指导", org: "泾彩数字科技有限公司", contact: "顾德明", phone: "13916620731", daysAgo: 3},
		{user: res, item: "新就业群体职业伤害保障咨询", contact: "顾德明", phone: "13916620731", daysAgo: 2,
			steps: []demoStep{accept(disp, 1), deliver(disp, 5, "已电话解答职业伤害保障的参保方式和理赔流程。"),
				{user: res, act: services.ActReturn, hours: 8, in: services.Input{Reason: "还想了解平台未缴费时怎么办。"}}}},
		{user: gw, item: "居家护理上门服务", contact: "王阿婆", phone: "13801762245", address: "天山星城12号楼302室", behalf: true, daysAgo: 10,
			note:  "独居老人，行动不便，子女在外地。",
			steps: []demoStep{accept(disp, 4), deliver(disp, 40, "社区卫生服务中心护士已上门，制定每周两次护理计划。"), confirm(gw, 48), rate(gw, 49, "satisfied", "老人很满意。")}},
		{user: gw, item: "家庭医生签约", contact: "李老伯", phone: "13761903318", address: "绿园八村3幢501室", behalf: true, daysAgo: 6,
			steps: []demoStep{accept(disp, 3)}},
		{user: gw, item: "老年人年度体检", contact: "张阿姨", phone: "13524410862", address: "刘家宅一村14号楼201室", behalf: true, daysAgo: 14},
		{user: gl, item: "同仁医院专家社区义诊预约", contact: "陈老伯", phone: "13917305526", address: "天山星城8号楼101室", behalf: true, daysAgo: 2,
			steps: []demoStep{accept(disp, 2)}},
		{user: gw, item: "新就业群体健康体检", contact: "赵师傅", phone: "15800213367", address: "淞虹路地铁站旁暖新驿站", behalf: true, daysAgo: 1},
		{user: res, item: "儿童预防接种预约", contact: "顾德明", phone: "13916620731", daysAgo: 4,
			steps: []demoStep{accept(disp, 2), deliver(disp, 10, "已预约下周二上午接种。"), confirm(res, 12)}},
		{user: res, item: "门责制签约", org: "泾味面馆（仙霞西路店）", contact: "顾德明", phone: "13916620731", daysAgo: 13},
		{user: gw, item: "垃圾分类上门指导", contact: "周阿姨", phone: "13621887042", address: "绿园八村5幢102室", behalf: true, daysAgo: 3,
			steps: []demoStep{accept(disp, 5), deliver(disp, 30, "已上门指导，发放分类桶和宣传册。")}},
	}
	made := 0
	for i, d := range list {
		id, ok := code[d.item]
		if !ok {
			return made, fmt.Errorf("no item %q", d.item)
		}
		u, err := user(d.user)
		if err != nil {
			return made, err
		}
		at := now.AddDate(0, 0, -d.daysAgo).Add(time.Duration(i%5) * 37 * time.Minute)
		setClock(at)
		by := audit.Actor{ID: u.ID, Name: u.Username}
		q, err := svc.Create(ctx, towns, u, services.NewRequest{ItemID: id, Organisation: d.org, ContactName: d.contact, ContactPhone: d.phone,
			Address: d.address, Note: d.note, OnBehalf: d.behalf}, by)
		if err != nil {
			return made, fmt.Errorf("request %q: %w", d.item, err)
		}
		made++
		for _, st := range d.steps {
			t := at.Add(time.Duration(st.hours) * time.Hour)
			if t.After(now) {
				t = now
			}
			setClock(t)
			actor, err := user(st.user)
			if err != nil {
				return made, err
			}
			if _, err := svc.Act(ctx, towns, actor, q.ID, st.act, st.in, audit.Actor{ID: actor.ID, Name: actor.Username}); err != nil {
				return made, fmt.Errorf("request %q, %s: %w", d.item, st.act, err)
			}
		}
	}
	setClock(now)
	return made, nil
}

// WorldWithServices is World with the service catalogue and its demo requests, for tests.
func WorldWithServices(ctx context.Context, db *store.DB, _ string) error {
	_, err := Load(ctx, db, slog.New(slog.DiscardHandler), Services(time.Now()))
	return err
}
