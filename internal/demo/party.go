package demo

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/party"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Demo names of party building (the seeds' own where they give them).
const (
	XinjingCouncil  = "新泾镇区域化党建工作联席会议"
	LujiazuiCouncil = "陆家嘴街道区域化党建联席会理事会"
	// XinjingHonours is how many members of 新泾镇 were awarded 光荣在党50年 in the year (the seed's
	// figure): the demo stores that many dates of full membership in the year's window, so the
	// figure the pages compute from the dates is this one.
	XinjingHonours = 214
	// LujiazuiEnterprisePoints is how many of 陆家嘴's practice points are enterprises (the seed's 16).
	LujiazuiEnterprisePoints = 16
	LujiazuiStations         = 31
)

// Party returns the demo loader of party building and new-sector coverage: for 新泾镇 the tree of
// party organisations with invented members (214 of them reaching 50 years of standing in the
// year's window), the regional council with the convener's baton passed from 市农委执法总队党支部
// to 地铁2号线党总支 at the 2025 meeting and the next in turn by the rotation rule, a later meeting
// that reviews the first one's resolutions, the 三方党建联建 agreement with its commitments, needs
// and resources with matches, and the coverage of its office buildings, enterprises, street
// merchants and new-employment groups (the demo campaigns' visits count there by name); for 陆家嘴
// the council's member units and the "1+31+N" practice network. Idempotent: a town whose council
// exists is left alone. People's names and phones are invented.
func Party(now time.Time) Extra {
	return func(ctx context.Context, db *store.DB, w *world.World, log *slog.Logger) error {
		name := XinjingCouncil
		if w.Town.Code == world.LujiazuiCode {
			name = LujiazuiCouncil
		} else if w.Town.Code != world.XinjingCode {
			return nil
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM party_councils WHERE town_code = ? AND name = ?`, w.Town.Code, name).Scan(&n); err != nil || n > 0 {
			return err
		}
		admin := "admin"
		if w.Town.Code == world.LujiazuiCode {
			admin = "lujiazui_admin"
		}
		u, err := auth.UserByUsername(ctx, db, admin)
		if err != nil {
			return fmt.Errorf("demo party: %w", err)
		}
		svc := party.New(db)
		svc.Now = func() time.Time { return now }
		d := &partyLoader{svc: svc, w: w, by: u, towns: []string{w.Town.Code}, now: now, rnd: rand.New(rand.NewPCG(16, 214))}
		start := time.Now()
		if w.Town.Code == world.LujiazuiCode {
			err = d.lujiazui(ctx)
		} else {
			err = d.xinjing(ctx)
		}
		if err != nil {
			return fmt.Errorf("demo party %s: %w", w.Town.Name, err)
		}
		log.Info("demo party building loaded", "town", w.Town.Name, "ms", time.Since(start).Milliseconds())
		return nil
	}
}

type partyLoader struct {
	svc   *party.Service
	w     *world.World
	by    auth.User
	towns []string
	now   time.Time
	rnd   *rand.Rand
	orgs  map[string]int64
}

func (d *partyLoader) org(ctx context.Context, parent, name, kind, sector, secretary, unit, grid string) error {
	o, err := d.svc.CreateOrg(ctx, d.towns, party.NewOrg{TownCode: d.w.Town.Code, ParentID: d.orgs[parent], Name: name, Kind: kind, Sector: sector,
		Secretary: secretary, Unit: unit, Grid: grid}, d.by)
	if err != nil {
		return fmt.Errorf("organisation %s: %w", name, err)
	}
	d.orgs[name] = o.ID
	return nil
}

var (
	demoSurnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方邹孟熊秦邱江尹薛")
	demoGiven    = []string{"建国", "国华", "秀英", "桂英", "玉兰", "志明", "海平", "丽华", "德明", "文华", "美玲", "金宝", "惠芳", "永康", "卫东", "红梅",
		"伟", "敏", "静", "军", "勇", "杰", "娟", "涛", "明", "超", "霞", "平", "刚", "芳", "强", "磊", "洁", "琳", "晨", "颖", "浩", "婷", "晓东", "佳怡"}
)

func (d *partyLoader) person() (string, string) {
	n := string(demoSurnames[d.rnd.IntN(len(demoSurnames))]) + demoGiven[d.rnd.IntN(len(demoGiven))]
	return n, fmt.Sprintf("139%08d", d.rnd.IntN(100000000))
}

// day is a random day in [from, to].
func (d *partyLoader) day(from, to time.Time) string {
	span := int(to.Sub(from).Hours() / 24)
	if span <= 0 {
		return from.Format(party.DateLayout)
	}
	return from.AddDate(0, 0, d.rnd.IntN(span+1)).Format(party.DateLayout)
}

func (d *partyLoader) xinjing(ctx context.Context) error {
	d.orgs = map[string]int64{}
	const (
		top = "中共上海市长宁区新泾镇委员会"
		c   = party.KindCommittee
		g   = party.KindGeneralBranch
		b   = party.KindBranch
	)
	// The tree: the town committee; its organs' general branch; residents' areas; 两新 of
	// enterprises, buildings and the new-employment groups. Secretaries the seeds name are theirs;
	// the others are invented.
	tree := []struct{ parent, name, kind, sector, secretary, unit, grid string }{
		{"", top, c, "", "卞晓清", "新泾镇", ""},
		{top, "新泾镇机关党总支", g, "", "周海平", "新泾镇机关", "310105102-G07"},
		{"新泾镇机关党总支", "新泾镇机关第一党支部", b, "", "沈丽华", "新泾镇机关", "310105102-G07"},
		{"新泾镇机关党总支", "新泾镇机关第二党支部", b, "", "陆文华", "新泾镇社区事务受理服务中心", "310105102-G07"},
		{top, "绿八居民区党总支", g, "", "刘观锡", "绿八居民区", "310105102-G06"},
		{"绿八居民区党总支", "绿八居民区第一党支部", b, "", "王秀英", "绿八居民区", "310105102-G06"},
		{"绿八居民区党总支", "绿八居民区第二党支部", b, "", "张德明", "绿八居民区", "310105102-G06"},
		{top, "新渔东路居民区党总支", g, "", "陈东易", "新渔东路居民区", "310105102-G03"},
		{"新渔东路居民区党总支", "新渔东路居民区第一党支部", b, "", "黄美玲", "新渔东路居民区", "310105102-G03"},
		{top, "刘家宅居民区党支部", b, "", "吴建国", "刘家宅居民区", "310105102-G02"},
		{top, "淞虹居民区党支部", b, "", "徐金宝", "淞虹居民区", "310105102-G01"},
		{top, "淮阴居民区党支部", b, "", "孙惠芳", "淮阴居民区", "310105102-G04"},
		{top, "华松居民区党支部", b, "", "马永康", "华松居民区", "310105102-G05"},
		{top, "福泉苑居民区党支部", b, "", "朱卫东", "福泉苑居民区", "310105102-G07"},
		{top, "南洋新都居民区党支部", b, "", "胡红梅", "南洋新都居民区", "310105102-G08"},
		{top, "鑫达实业总公司党委", c, "enterprise", "郭志明", "鑫达实业总公司", "310105102-G07"},
		{"鑫达实业总公司党委", "鑫达实业总公司第一党支部", b, "enterprise", "何伟", "鑫达实业总公司", "310105102-G07"},
		{top, "西郊金融园联合党支部", b, "building", "林静", "西郊金融园", "310105102-G05"},
		{top, "临空园区物流企业联合党支部", b, "enterprise", "罗杰", "临空物流科技有限公司", "310105102-G05"},
		{top, "新泾镇快递物流行业联合党支部", b, "new_employment", "郑涛", "快递小哥暖心驿站（淞虹路）", "310105102-G01"},
	}
	for _, o := range tree {
		if err := d.org(ctx, o.parent, o.name, o.kind, o.sector, o.secretary, o.unit, o.grid); err != nil {
			return err
		}
	}
	// Members. The year's awards of 光荣在党50年 go to those in full membership between the July 1
	// of 51 and of 50 years before (party.HoldersCutoff): exactly XinjingHonours of them, mostly in
	// the residents' areas; older holders and younger members around them.
	loc := workcal.Location()
	year := party.HonourYear(d.now.In(loc))
	cut, _ := time.ParseInLocation(party.DateLayout, party.HoldersCutoff(year), loc)
	prev, _ := time.ParseInLocation(party.DateLayout, party.HoldersCutoff(year-1), loc)
	roster := map[string][3]int{ // organisation: awarded this year, older holders, younger members
		"新泾镇机关第一党支部":     {0, 0, 38},
		"新泾镇机关第二党支部":     {0, 0, 31},
		"绿八居民区第一党支部":     {34, 22, 40},
		"绿八居民区第二党支部":     {29, 18, 37},
		"新渔东路居民区第一党支部":   {31, 20, 44},
		"刘家宅居民区党支部":      {27, 19, 36},
		"淞虹居民区党支部":       {24, 15, 33},
		"淮阴居民区党支部":       {19, 12, 30},
		"华松居民区党支部":       {18, 11, 29},
		"福泉苑居民区党支部":      {16, 10, 28},
		"南洋新都居民区党支部":     {14, 9, 31},
		"鑫达实业总公司第一党支部":   {2, 1, 45},
		"西郊金融园联合党支部":     {0, 0, 26},
		"临空园区物流企业联合党支部":  {0, 0, 17},
		"新泾镇快递物流行业联合党支部": {0, 0, 12},
	}
	total := 0
	for _, org := range sortedKeys(roster) {
		r := roster[org]
		total += r[0]
		var ms []party.NewMember
		add := func(n int, from, to time.Time) {
			for i := 0; i < n; i++ {
				name, phone := d.person()
				ms = append(ms, party.NewMember{Name: name, Phone: phone, Joined: d.day(from, to)})
			}
		}
		add(r[0], prev.AddDate(0, 0, 1), cut)
		add(r[1], time.Date(1949, 10, 1, 0, 0, 0, 0, loc), prev)
		add(r[2], cut.AddDate(0, 0, 1), d.now.AddDate(-1, 0, 0))
		if _, err := d.svc.ImportMembers(ctx, d.towns, d.orgs[org], ms, d.by); err != nil {
			return fmt.Errorf("members of %s: %w", org, err)
		}
	}
	if total != XinjingHonours {
		return fmt.Errorf("the rosters award %d, want %d", total, XinjingHonours)
	}
	if err := d.xinjingCouncil(ctx, top); err != nil {
		return err
	}
	if err := d.xinjingAgreement(ctx); err != nil {
		return err
	}
	return d.xinjingCoverage(ctx)
}

func sortedKeys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	for i := 1; i < len(ks); i++ {
		for j := i; j > 0 && ks[j] < ks[j-1]; j-- {
			ks[j], ks[j-1] = ks[j-1], ks[j]
		}
	}
	return ks
}

func (d *partyLoader) xinjingCouncil(ctx context.Context, top string) error {
	id, err := d.svc.CreateCouncil(ctx, d.towns, party.NewCouncil{TownCode: d.w.Town.Code, Name: XinjingCouncil, TermStart: "2024-07-01", TermEnd: "2027-06-30",
		Secretary: "新泾镇党建办"}, d.by)
	if err != nil {
		return err
	}
	// Member units in the order they joined (dates illustrative); the convener passes in that order.
	units := []struct{ name, joined, org string }{
		{top, "2018-06-28", top},
		{"上海同仁医院党委", "2018-06-28", ""},
		{"虹桥临空经济园区党委", "2019-06-28", ""},
		{"市农委执法总队党支部", "2020-06-30", ""},
		{"地铁2号线党总支", "2020-06-30", ""},
		{"新泾派出所党支部", "2021-06-30", ""},
		{"新泾市场监管所党支部", "2021-06-30", ""},
		{"新泾镇社区卫生服务中心党支部", "2022-06-30", ""},
		{"西郊金融园联合党支部", "2023-06-30", "西郊金融园联合党支部"},
	}
	ids := map[string]int64{}
	for _, u := range units {
		x, err := d.svc.AddUnit(ctx, d.towns, id, party.NewUnit{Name: u.name, OrgID: d.orgs[u.org], Joined: u.joined, TermEnd: "2027-06-30"}, d.by)
		if err != nil {
			return err
		}
		ids[u.name] = x.ID
	}
	// The baton by the rotation rule, year by year, to the 2025 meeting where 市农委执法总队党支部
	// passed it to 地铁2号线党总支 (the seed); earlier dates are illustrative.
	for _, h := range []struct{ day, note string }{
		{"2021-06-30", "首任轮值召集人"},
		{"2022-06-30", ""},
		{"2023-06-30", ""},
		{"2024-06-28", ""},
		{"2025-06-27", "庆祝建党104周年主题活动上，市农委执法总队党支部将区域化轮值召集人“接力棒”传递给地铁2号线党总支"},
	} {
		if _, err := d.svc.HandOver(ctx, d.towns, id, h.day, 0, h.note, d.by); err != nil {
			return err
		}
	}
	var attending []int64
	for _, u := range units {
		if u.name != "新泾镇社区卫生服务中心党支部" {
			attending = append(attending, ids[u.name])
		}
	}
	m1, err := d.svc.RecordMeeting(ctx, d.towns, id, party.NewMeeting{
		Title: "筑牢红色根基 奋楫时代新程——庆祝建党104周年暨区域化党建工作联席会议", HeldOn: "2025-06-27", Place: "西郊金融园",
		Agenda:    "1. 庆祝中国共产党成立104周年，为老党员代表颁发“光荣在党50年”纪念章\n2. 长宁区凝聚力学院新泾生境分院揭牌\n3. 发布“泾彩满格”全覆盖服务增能包，为“鑫”能量全覆盖走访服务团队授旗\n4. 轮值召集人交接：市农委执法总队党支部 → 地铁2号线党总支",
		Attending: attending,
		Resolutions: []party.NewTask{
			{Text: "在淞虹路地铁站设立新就业群体暖心服务点，纳入“鑫”能量服务网络", Owner: "地铁2号线党总支", DueDays: 40},
			{Text: "各成员单位认领“泾彩满格”服务增能包项目，每单位年内至少落地一项", Owner: top, DueDays: 60},
			{Text: "推动临空园区楼宇党组织全覆盖，新建楼宇联合党支部", Owner: "虹桥临空经济园区党委", DueDays: 90},
			{Text: "为辖区老党员开展健康义诊和上门随访", Owner: "上海同仁医院党委", DueDays: 20},
		},
	}, d.by)
	if err != nil {
		return err
	}
	m2, err := d.svc.RecordMeeting(ctx, d.towns, id, party.NewMeeting{
		Title: "区域化党建工作联席会议（2025年第四季度）", HeldOn: "2025-12-19", Place: "新泾镇社区党群服务中心",
		Agenda: "1. 通报上次会议决议落实情况\n2. 2026年区域化党建项目清单\n3. 新兴领域“两个覆盖”推进情况", Attending: attending[:6],
		Resolutions: []party.NewTask{
			{Text: "“七一”前完成年度“光荣在党50年”纪念章颁发走访", Owner: top, Due: "2026-06-30"},
			{Text: "新泾派出所党支部牵头开展“平安楼宇”共建，覆盖西郊金融园入驻企业", Owner: "新泾派出所党支部", DueDays: 60},
		},
	}, d.by)
	if err != nil {
		return err
	}
	reviews := map[string]party.NewReview{
		"地铁2号线党总支":   {Note: "服务点已在淞虹路站站厅设立，配备饮水和充电设施，待挂牌", Progress: 80},
		top:          {Note: "9家成员单位已认领12个项目，落地7个", Progress: 60},
		"虹桥临空经济园区党委": {Note: "已排摸园区楼宇23幢，新建联合党支部2个，其余推进中", Progress: 40},
		"上海同仁医院党委":   {Note: "已开展义诊4场，服务老党员326人次", Progress: 100, Status: party.TaskDone},
	}
	for _, t := range m1.Resolutions {
		if r, ok := reviews[t.Owner]; ok {
			if _, err := d.svc.ReviewTask(ctx, d.towns, m2.ID, t.ID, r, d.by); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *partyLoader) xinjingAgreement(ctx context.Context) error {
	if _, err := d.svc.CreateAgreement(ctx, d.towns, party.NewAgreement{TownCode: d.w.Town.Code,
		Title: "“党建引领聚合力 携手共进促发展”三方党建联建", SignedOn: "2025-06-05", TermEnd: "2027-06-04",
		Summary: "市、区、镇三级联建共学：联组学习深入贯彻中央八项规定精神学习教育，发挥平台作用，深化市区联动，共推改革（期限示意）。",
		Parties: []string{"市发改委改革处党支部", "区发改委党支部", "新泾镇机关党总支"},
		Commitments: []party.NewTask{
			{Text: "主动对接市、区发改委，围绕招商引资、经济建设、民生保障、安全稳定承担调研和政策试点", Owner: "新泾镇机关党总支", DueDays: 120},
			{Text: "为新泾镇机关党员开展综合改革专题辅导", Owner: "市发改委改革处党支部", DueDays: 60},
			{Text: "每半年开展一次三方联组学习", Owner: "区发改委党支部", DueDays: 125},
		}}, d.by); err != nil {
		return err
	}
	needs := []party.Need{
		{Area: "绿八居民区", Text: "老年人智能手机使用培训", Grid: "310105102-G06"},
		{Area: "刘家宅居民区", Text: "为独居老人上门体检", Grid: "310105102-G02"},
		{Area: "新渔东路居民区", Text: "楼道堆物清理的志愿力量", Grid: "310105102-G03"},
		{Area: "淞虹居民区", Text: "暑期青少年托管场地", Grid: "310105102-G01"},
	}
	resources := []party.Resource{
		{Unit: "上海同仁医院党委", Text: "医生志愿者每月一次社区义诊和上门随访"},
		{Unit: "虹桥临空经济园区党委", Text: "园区企业青年党员担任数字助老讲师"},
		{Unit: "地铁2号线党总支", Text: "青年志愿者队伍（文明保畅）"},
		{Unit: "西郊金融园联合党支部", Text: "园区会议室周末向社区开放"},
	}
	var nid, rid []int64
	for _, n := range needs {
		n.TownCode = d.w.Town.Code
		x, err := d.svc.AddNeed(ctx, d.towns, n, d.by)
		if err != nil {
			return err
		}
		nid = append(nid, x.ID)
	}
	for _, r := range resources {
		r.TownCode = d.w.Town.Code
		x, err := d.svc.AddResource(ctx, d.towns, r, d.by)
		if err != nil {
			return err
		}
		rid = append(rid, x.ID)
	}
	for _, m := range []party.NewMatch{
		{NeedID: nid[1], ResourceID: rid[0], Note: "每月第二个周三上门", DueDays: 20},
		{NeedID: nid[0], ResourceID: rid[1], Note: "每周六上午在党群服务中心开课", DueDays: 30},
	} {
		if _, err := d.svc.Match(ctx, d.towns, m, d.by); err != nil {
			return err
		}
	}
	return nil
}

// placeNear is the point of a place of the town's world (by name), moved by (dLng, dLat).
func (d *partyLoader) placeNear(name string, dLng, dLat float64) (lat, lng float64) {
	for _, p := range d.w.Places {
		if p.Name == name {
			return p.Lat + dLat, p.Lng + dLng
		}
	}
	return 0, 0
}

func (d *partyLoader) xinjingCoverage(ctx context.Context) error {
	ago := func(days int) string {
		if days < 0 {
			return ""
		}
		return d.now.In(workcal.Location()).AddDate(0, 0, -days).Format(party.DateLayout)
	}
	// org: the organisation covering it ("" none) and how long ago; liaison likewise (-1 none);
	// act: how long ago an activity reached it (-1 none). The campaigns' visits to targets of the
	// same name count as services reached (party.Entity.WorkCovered).
	es := []struct {
		kind, name, near string
		dLng, dLat       float64
		grid, org        string
		orgAgo           int
		liaison          string
		liaisonAgo       int
		actAgo           int
		act              string
	}{
		{"office_building", "西郊金融园", "西郊金融园", 0, 0, "310105102-G05", "西郊金融园联合党支部", 700, "林静", 700, 40, "楼宇党建沙龙：园区企业党员共学"},
		{"office_building", "上海荟聚写字楼", "上海荟聚", 0.0004, 0.0004, "310105102-G03", "", -1, "黄美玲", 150, -1, ""},
		{"office_building", "天山西路商务楼", "天山西路", 0.0006, -0.0004, "310105102-G06", "", -1, "", -1, -1, ""},
		{"office_building", "仙霞西路商务中心", "仙霞西路", -0.0004, 0.0003, "310105102-G08", "", -1, "胡红梅", 60, 30, "“泾彩满格”服务清单进楼宇宣讲"},
		{"office_building", "临空城运中心", "临空城运中心", 0, 0, "310105102-G05", "临空园区物流企业联合党支部", 330, "罗杰", 330, 200, "楼宇党群服务站开放日"},
		{"enterprise", "鑫达实业总公司", "新泾镇社区党群服务中心", 0.0012, -0.0008, "310105102-G07", "鑫达实业总公司党委", 900, "郭志明", 900, 100, "集体企业党建联建共学"},
		{"enterprise", "新泾实业合作公司", "新泾镇民间文化艺术展示馆", 0.0006, 0.0004, "310105102-G07", "鑫达实业总公司党委", 250, "何伟", 250, 120, "“初心领航”服务进企业"},
		{"enterprise", "临空物流科技有限公司", "临空派出所", 0.0008, 0.0006, "310105102-G05", "临空园区物流企业联合党支部", 300, "罗杰", 280, 90, "新就业群体暖“新”服务"},
		{"enterprise", "新渔东路餐饮管理有限公司", "新渔东路", 0.0005, -0.0005, "310105102-G03", "", -1, "", -1, -1, ""},
		{"enterprise", "北虹物业管理有限公司", "北虹小区", 0.0004, 0.0002, "310105102-G03", "", -1, "黄美玲", 45, 20, "物业企业党建指导员上门"},
		{"merchant_group", "天山西路沿街商户（西段）", "天山西路", 0.0008, 0.0003, "310105102-G06", "", -1, "王秀英", 90, -1, ""},
		{"merchant_group", "淞虹路沿街商户", "淞虹路", -0.0006, 0.0004, "310105102-G01", "新泾镇快递物流行业联合党支部", 120, "徐金宝", 120, -1, ""},
		{"merchant_group", "仙霞西路沿街商户", "仙霞西路", 0.0005, -0.0003, "310105102-G08", "", -1, "胡红梅", 60, -1, ""},
		{"merchant_group", "新渔东路沿街商户", "新渔东路", -0.0007, -0.0002, "310105102-G03", "", -1, "", -1, -1, ""},
		{"merchant_group", "刘家宅沿街商户", "刘家宅一村", 0.0006, 0.0003, "310105102-G02", "", -1, "吴建国", 200, 150, "街区商户联盟议事会"},
		{"merchant_group", "淮阴路沿街商户", "淮阴小区", 0.0005, -0.0004, "310105102-G04", "", -1, "", -1, -1, ""},
		{"new_employment", "快递小哥暖心驿站（淞虹路）", "淞虹路", 0.0004, -0.0006, "310105102-G01", "新泾镇快递物流行业联合党支部", 400, "郑涛", 400, 10, "骑手“七一”主题党日"},
		{"new_employment", "外卖骑手爱心驿站（天山西路）", "天山西路", -0.0009, -0.0004, "310105102-G06", "新泾镇快递物流行业联合党支部", 180, "郑涛", 180, -1, ""},
		{"new_employment", "新就业群体服务站（仙霞西路）", "仙霞西路", -0.0006, 0.0005, "310105102-G08", "", -1, "胡红梅", 30, -1, ""},
		{"new_employment", "快递网点（新渔东路）", "新渔东路", 0.0006, 0.0005, "310105102-G03", "", -1, "", -1, -1, ""},
		{"new_employment", "网约车司机群体（临空园区）", "临空城运中心", -0.0008, -0.0006, "310105102-G05", "", -1, "罗杰", 240, 200, "网约车司机恳谈会"},
		{"new_employment", "平塘路快递驿站", "平塘小区", 0.0004, 0.0004, "310105102-G04", "", -1, "孙惠芳", 75, 50, "快递小哥健康体检"},
	}
	for i, e := range es {
		lat, lng := d.placeNear(e.near, e.dLng, e.dLat)
		n := party.NewEntity{TownCode: d.w.Town.Code, Kind: e.kind, Name: e.name, Grid: e.grid, ListedOn: ago(420 - 10*i),
			OrgID: d.orgs[e.org], Liaison: e.liaison}
		if lat != 0 {
			n.Lat, n.Lng = &lat, &lng
		}
		if e.org != "" {
			n.OrgSince = ago(e.orgAgo)
		}
		if e.liaison != "" {
			n.LiaisonSince = ago(e.liaisonAgo)
		}
		id, err := d.svc.AddEntity(ctx, d.towns, n, d.by)
		if err != nil {
			return fmt.Errorf("coverage %s: %w", e.name, err)
		}
		if e.actAgo >= 0 {
			if err := d.svc.AddActivity(ctx, d.towns, id, party.Activity{HeldOn: ago(e.actAgo), Kind: "activity", Text: e.act}, d.by); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *partyLoader) lujiazui(ctx context.Context) error {
	d.orgs = map[string]int64{}
	id, err := d.svc.CreateCouncil(ctx, d.towns, party.NewCouncil{TownCode: d.w.Town.Code, Name: LujiazuiCouncil, Secretary: "陆家嘴街道党建办"}, d.by)
	if err != nil {
		return err
	}
	// The member units the seed names (2020-06-30 meeting); joining dates illustrative.
	for _, u := range []string{"陆家嘴街道党工委", "上海建工一建集团党委", "同济大学附属东方医院党委", "观复博物馆"} {
		if _, err := d.svc.AddUnit(ctx, d.towns, id, party.NewUnit{Name: u, Joined: "2019-06-30"}, d.by); err != nil {
			return err
		}
	}
	if _, err := d.svc.HandOver(ctx, d.towns, id, "2020-06-30", 0, "", d.by); err != nil {
		return err
	}
	// "1+31+N": one centre, 31 stations (one per residents' area), N points of which 16 are
	// enterprises (the seed's figures; the places and what they offer are illustrative).
	lat0, lng0 := d.placeNear("陆家嘴街道城运中心", 0.0006, -0.0004)
	add := func(kind, name string, ent bool, offers string, lat, lng float64, links ...string) error {
		_, err := d.svc.AddSite(ctx, d.towns, party.Site{TownCode: d.w.Town.Code, Kind: kind, Name: name, Enterprise: ent, Offers: offers,
			Lat: lat, Lng: lng, Links: links}, d.by)
		return err
	}
	if err := add("centre", "陆家嘴街道新时代文明实践分中心", false, "九大功能：理论宣讲、教育服务、文化服务、科技科普、健身体育、志愿服务…；“社企联动”启动文明实践点", lat0, lng0, "/bookings", "/volunteers"); err != nil {
		return err
	}
	committees := d.w.Committees
	for i := 0; i < LujiazuiStations; i++ {
		name := fmt.Sprintf("陆家嘴第%d文明实践站", i+1)
		if i < len(committees) {
			name = committees[i].Name + "新时代文明实践站"
		}
		lat, lng := d.inTown(i)
		if err := add("station", name, false, "家门口服务：理论宣讲、志愿服务、邻里互助", lat, lng); err != nil {
			return err
		}
	}
	points := []struct {
		name   string
		ent    bool
		offers string
	}{
		{"上海建工一建集团", true, "“公益进工地”“社区大管家”：工地开放日、社区维修志愿服务"},
		{"同济大学附属东方医院", false, "健康讲座、义诊、应急救护培训"},
		{"观复博物馆", false, "文博讲解、青少年美育课堂"},
	}
	for i := 2; i <= LujiazuiEnterprisePoints; i++ {
		points = append(points, struct {
			name   string
			ent    bool
			offers string
		}{fmt.Sprintf("陆家嘴金融城企业文明实践点%02d", i), true, "企业志愿者、职工书屋向居民开放（示意）"})
	}
	for i, p := range points {
		lat, lng := d.inTown(i + 7)
		if p.name == "同济大学附属东方医院" {
			lat, lng = d.placeNear("东方医院", 0, 0)
		}
		if err := add("point", p.name, p.ent, p.offers, lat, lng); err != nil {
			return err
		}
	}
	return nil
}

// inTown is a point inside the town's grid i (mod the number of grids), drawn from the loader's
// seeded random source so the demo is the same on every load.
func (d *partyLoader) inTown(i int) (lat, lng float64) {
	g := d.w.Grids[i%len(d.w.Grids)]
	b := g.Polygon.Bound()
	for k := 0; k < 200; k++ {
		p := orb.Point{b.Min[0] + d.rnd.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + d.rnd.Float64()*(b.Max[1]-b.Min[1])}
		if planar.PolygonContains(g.Polygon, p) {
			return p[1], p[0]
		}
	}
	c := b.Center()
	return c[1], c[0]
}
