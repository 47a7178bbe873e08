package demo

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/projects"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Demo names of the 新泾镇 livelihood projects.
const (
	ProjectsCongress = "新泾镇第二十届人民代表大会"
	ProjectsSession  = "新泾镇第二十届人民代表大会第五次会议 · 2025年为民办实事项目票决"
)

// demoProject is a candidate of the 2025 list: the first five are the projects the seed names
// (the town's half-year report of 11 July 2025); the other five chosen ones and the two that were
// not are invented for the demo, as plausible livelihood projects of a Shanghai town.
type demoProject struct {
	title, description, category, place, dept, by string
	budget                                        int64 // yuan
	yes                                           int   // yes votes in the demo ballot
}

var projects2025 = []demoProject{
	{"精品小区建设", "对刘家宅、淞虹等老旧小区实施综合改造：屋面及外立面修缮、雨污分流、道路和停车位改造、增设休憩设施，打造精品小区。", "housing", "刘家宅一村", "xj-housing", "dispatcher", 32_600_000, 64},
	{"社区生境花园建设", "在绿园八村等居民区建设生境花园，营造本土植物与小动物栖息空间，开展自然教育，提升社区绿化品质。", "greenery", "绿园八村", "xj-sanitation", "deputy", 1_800_000, 63},
	{"健身点设施更新", "对全镇使用年限已满、存在安全隐患的社区健身点器材进行更新，增设适老化健身器材。", "health", "天山星城", "xj-culture", "handler_committee", 950_000, 62},
	{"重度残疾人家庭无障碍设施改造", "为辖区重度残疾人家庭实施卫生间扶手、坡道、防滑地面等无障碍改造，一户一方案。", "disability", "新泾镇社区事务受理服务中心", "xj-service", "dispatcher", 600_000, 61},
	{"“江南文化”进社区", "依托新泾镇民间文化艺术展示馆，开展西郊农民画、海派撕纸、江南丝竹等非遗项目进社区展演和培训。", "culture", "新泾镇民间文化艺术展示馆", "xj-culture", "deputy", 450_000, 60},
	{"社区长者助餐点建设", "在新泾五村等居民区新建社区长者食堂和助餐点，扩大老年人助餐供餐能力，提供送餐上门服务。", "elderly", "新泾一村", "xj-service", "resident", 1_500_000, 59},
	{"既有多层住宅加装电梯", "推进具备条件的多层住宅加装电梯，做好意见征询、方案公示和施工协调。", "housing", "绿园五村", "xj-housing", "gridworker", 12_000_000, 58},
	{"电动自行车集中充电设施建设", "在居民区新建电动自行车集中停放充电场所，消除楼道充电安全隐患。", "safety", "淞虹二村", "xj-safety", "handler_committee", 1_100_000, 57},
	{"家庭医生签约服务提升", "依托新泾镇社区卫生服务中心，扩大家庭医生签约覆盖，为签约居民提供慢病管理、上门随访和健康咨询服务。", "health", "新泾镇社区卫生服务中心", "xj-health", "deputy", 800_000, 56},
	{"睦邻点服务提升", "提升全镇睦邻点活动场地和服务内容，开展邻里互助、文体活动和议事协商。", "services", "新泾镇社区党群服务中心", "xj-party", "resident", 700_000, 55},
	{"背街小巷路面改造", "对部分背街小巷破损路面进行翻修，完善排水设施。", "traffic", "新渔东路小区", "xj-construction", "gridworker", 3_000_000, 19},
	{"社区停车泊位挖潜", "通过错时停车、道路划线等方式增加居民区周边停车泊位。", "traffic", "程桥小区", "xj-construction", "resident", 700_000, 15},
}

// Invented deputies' surnames and given names: the roll's 69 other members are made from them
// (no real person's name on a demo record).
var (
	deputySurnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖潘袁")
	deputyGiven    = []string{"建平", "秀英", "志强", "丽华", "国庆", "雪梅", "伟民", "佩玲", "海明", "静怡", "文杰", "美娟", "卫东", "晓燕", "振华",
		"玉珍", "立新", "春燕", "德明", "慧敏", "永康", "凤英", "俊杰", "桂芳", "宏伟", "丽娟", "中华", "敏", "勇", "颖"}
	deputySectors = []string{"机关", "企业", "居民区", "教育", "医疗卫生", "社会组织", "个体工商户", "离退休"}
)

// Projects returns the demo loader of livelihood projects for 新泾镇: the 2025 ballot of the town
// congress (70 deputies, 田海燕 — the demo user "deputy" — among them; 66 present; twelve
// candidates for ten seats; paper ballots entered by two tellers under a scrutineer, one of them
// invalid; counted and published), the proposals behind it with their answers and appraisals,
// and the current collection for next year: residents' proposals with supports, an accepted one,
// a declined one with its reason and a merged duplicate. Idempotent: nothing is loaded when the
// congress exists already.
func Projects(now time.Time) Extra {
	return func(ctx context.Context, db *store.DB, w *world.World, log *slog.Logger) error {
		if w.Town.Code != world.XinjingCode {
			return nil
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM voting_bodies WHERE town_code = ? AND name = ?`, w.Town.Code, ProjectsCongress).Scan(&n); err != nil || n > 0 {
			return err
		}
		start := time.Now()
		l := &projectLoader{db: db, w: w, town: w.Town.Code, users: map[string]auth.User{}, places: map[string][2]float64{}}
		for _, name := range []string{"admin", "dispatcher", "deputy", "resident", "gridworker", "handler_committee", "handler_police", "leader"} {
			u, err := auth.UserByUsername(ctx, db, name)
			if err != nil {
				return fmt.Errorf("demo user %s: %w", name, err)
			}
			l.users[name] = u
		}
		for _, p := range w.Places {
			l.places[p.Name] = [2]float64{p.Lat, p.Lng}
		}
		l.svc = projects.New(db)
		l.svc.Now = func() time.Time { return l.clock }
		if err := l.ballot2025(ctx); err != nil {
			return fmt.Errorf("demo projects 2025: %w", err)
		}
		if err := l.collection(ctx, now); err != nil {
			return fmt.Errorf("demo project proposals: %w", err)
		}
		log.Info("demo projects loaded", "town", w.Town.Name, "ms", time.Since(start).Milliseconds())
		return nil
	}
}

type projectLoader struct {
	db     *store.DB
	w      *world.World
	town   string
	users  map[string]auth.User
	places map[string][2]float64
	svc    *projects.Service
	clock  time.Time
}

func (l *projectLoader) towns() []string { return []string{l.town} }

func (l *projectLoader) propose(ctx context.Context, by, title, desc, cat, place, author, phone string, cost int64) (projects.Proposal, error) {
	n := projects.NewProposal{Title: title, Description: desc, Category: cat, Place: place, EstCost: cost, AuthorName: author, AuthorPhone: phone}
	if ll, ok := l.places[place]; ok {
		// A few metres off the place's marker, so pins at one place do not hide each other.
		lat, lng := ll[0]+0.0003*float64(len(title)%5), ll[1]+0.0003*float64(len(desc)%5)
		n.Lat, n.Lng = &lat, &lng
	}
	u := projects.Anonymous
	if by != "" {
		u = l.users[by]
	}
	return l.svc.Propose(ctx, l.towns(), n, u, demoActor)
}

func (l *projectLoader) ballot2025(ctx context.Context) error {
	loc := workcal.Location()
	mgr := l.users["dispatcher"]
	l.clock = time.Date(2024, 9, 10, 10, 0, 0, 0, loc)
	list, err := l.svc.CreateList(ctx, l.towns(), projects.NewList{Year: 2025, Seats: 10, MinRatio: 120}, mgr, demoActor)
	if err != nil {
		return err
	}
	residents := []string{"周阿姨", "陆先生", "沈女士"}
	var ids []int64
	for i, p := range projects2025 {
		l.clock = time.Date(2024, 9, 12+i, 9, 30, 0, 0, loc)
		author := ""
		if p.by == "gridworker" || p.by == "resident" {
			author = residents[i%len(residents)]
		}
		pr, err := l.propose(ctx, p.by, p.title, p.description, p.category, p.place, author, "", p.budget*9/10)
		if err != nil {
			return fmt.Errorf("%s: %w", p.title, err)
		}
		l.clock = l.clock.Add(20 * 24 * time.Hour)
		if _, err := l.svc.Appraise(ctx, l.towns(), pr.ID, projects.Appraisal{Department: p.dept, Feasibility: "feasible", Cost: p.budget,
			Note: "经现场踏勘和测算，项目可行，纳入年度预算安排。"}, l.users["admin"], demoActor); err != nil {
			return fmt.Errorf("appraise %s: %w", p.title, err)
		}
		if _, err := l.svc.Answer(ctx, l.towns(), pr.ID, projects.Reply{Accept: true,
			Text: "经部门论证，已纳入2025年为民办实事候选项目，提交镇人代会票决。"}, mgr, demoActor); err != nil {
			return err
		}
		if err := l.svc.SetCandidate(ctx, l.towns(), list.ID, projects.Candidate{ProposalID: pr.ID, Department: p.dept, Budget: p.budget}, mgr, demoActor); err != nil {
			return err
		}
		ids = append(ids, pr.ID)
	}
	// The congress: 70 deputies, 田海燕 (the demo deputy) among them.
	var members []projects.NewMember
	for i := range 70 {
		m := projects.NewMember{Name: fmt.Sprintf("%c%s", deputySurnames[(i*7)%len(deputySurnames)], deputyGiven[(i*11+3)%len(deputyGiven)]),
			Sector: deputySectors[i%len(deputySectors)]}
		if i == 17 {
			m = projects.NewMember{Name: l.users["deputy"].DisplayName, Sector: "居民区", UserID: l.users["deputy"].ID}
		}
		members = append(members, m)
	}
	l.clock = time.Date(2025, 1, 8, 9, 0, 0, 0, loc)
	body, err := l.svc.CreateBody(ctx, l.towns(), "", "congress", ProjectsCongress, members, mgr, demoActor)
	if err != nil {
		return err
	}
	x, err := l.svc.CreateSession(ctx, l.towns(), projects.NewSession{ListID: list.ID, BodyID: body.ID, Name: ProjectsSession, Mode: projects.ModePaper}, mgr, demoActor)
	if err != nil {
		return err
	}
	// 66 of 70 present: four on leave.
	var present []int64
	for i, m := range body.Members {
		if i%17 != 5 {
			present = append(present, m.ID)
		}
	}
	if err := l.svc.SetPresent(ctx, l.towns(), x.ID, present, mgr, demoActor); err != nil {
		return err
	}
	if err := l.svc.SetTellers(ctx, l.towns(), x.ID, "钱文华", "孔令仪", "严志宏", mgr, demoActor); err != nil {
		return err
	}
	l.clock = time.Date(2025, 1, 9, 10, 0, 0, 0, loc)
	if err := l.svc.Open(ctx, l.towns(), x.ID, l.clock.Add(time.Hour), mgr, demoActor); err != nil {
		return err
	}
	ballots := demoBallots(ids, len(present)-1, 10)
	// One ballot came back with eleven yes: invalid.
	over := projects.Ballot{}
	for _, id := range ids[:11] {
		over[id] = projects.Yes
	}
	ballots = append(ballots, over)
	if err := l.svc.SetCounts(ctx, l.towns(), x.ID, 1, len(present), len(ballots), mgr, demoActor); err != nil {
		return err
	}
	for _, b := range ballots {
		if _, err := l.svc.EnterBallot(ctx, l.towns(), x.ID, 1, b, mgr, demoActor); err != nil {
			return err
		}
	}
	l.clock = l.clock.Add(50 * time.Minute)
	if err := l.svc.Close(ctx, l.towns(), x.ID, 1, mgr, demoActor); err != nil {
		return err
	}
	if _, err := l.svc.Count(ctx, l.towns(), x.ID, 1, mgr, demoActor); err != nil {
		return err
	}
	l.clock = l.clock.Add(2 * time.Hour)
	_, err = l.svc.Publish(ctx, l.towns(), x.ID, mgr, demoActor)
	return err
}

// demoBallots makes n valid ballots over the candidates whose yes counts are the demo's
// (projects2025[i].yes): each candidate's yes votes go to the ballots with the fewest yes so
// far, so that no ballot has more than seats; the rest of a ballot is no, with every ninth
// choice an abstention or left unmarked.
func demoBallots(ids []int64, n, seats int) []projects.Ballot {
	bs := make([]projects.Ballot, n)
	yes := make([]int, n)
	for i := range bs {
		bs[i] = projects.Ballot{}
	}
	next := 0
	for c, id := range ids {
		want := projects2025[c].yes
		for given := 0; given < want; next = (next + 1) % n {
			if yes[next] < seats && bs[next][id] == "" {
				bs[next][id] = projects.Yes
				yes[next]++
				given++
			}
		}
	}
	k := 0
	for i := range bs {
		for _, id := range ids {
			if bs[i][id] != "" {
				continue
			}
			k++
			switch {
			case k%9 == 0:
				bs[i][id] = projects.Abstain
			case k%13 == 0: // unmarked: an abstention
			default:
				bs[i][id] = projects.No
			}
		}
	}
	return bs
}

// collection loads the current collection of proposals for next year.
func (l *projectLoader) collection(ctx context.Context, now time.Time) error {
	loc := workcal.Location()
	mgr := l.users["dispatcher"]
	year := projects.ProposalYear(now)
	base := time.Date(year-1, 9, 15, 10, 0, 0, 0, loc)
	if base.After(now) {
		base = now.AddDate(0, -2, 0)
	}
	type item struct {
		by, title, desc, cat, place, author, phone string
		cost                                       int64
	}
	items := []item{
		{"resident", "天山星城小区增设休闲座椅", "小区中心绿地老人多，休息的座椅太少，希望增设带靠背的座椅和遮阳棚。", "housing", "天山星城", "", "", 60_000},
		{"", "虹康花苑增设电动自行车充电棚", "楼道里经常有人给电动车充电，很危险，希望在小区空地建集中充电棚。", "safety", "虹康花苑", "方女士", "13900001234", 250_000},
		{"gridworker", "淞虹四村加装电动车充电设施", "居民王阿姨托网格员反映：淞虹四村没有集中充电点，居民只能在楼道充电。", "safety", "淞虹四村", "王阿姨", "", 200_000},
		{"deputy", "绿园新村社区食堂", "绿园新村老年人口占比高，建议在社区内开设社区食堂，提供平价午餐和送餐服务。", "elderly", "绿园十一村", "", "", 1_500_000},
		{"handler_committee", "林泉路口袋公园", "林泉路与双流路交界处有一块闲置空地，建议改造为口袋公园，增加绿化和儿童游乐设施。", "greenery", "林泉小区", "", "", 900_000},
		{"", "新泾二村屋顶漏水维修", "我家顶楼每逢下雨就漏水，物业一直没修好。", "housing", "新泾二村", "蒋先生", "13700005678", 0},
	}
	var ps []projects.Proposal
	for i, it := range items {
		l.clock = base.Add(time.Duration(i) * 26 * time.Hour)
		p, err := l.propose(ctx, it.by, it.title, it.desc, it.cat, it.place, it.author, it.phone, it.cost)
		if err != nil {
			return fmt.Errorf("%s: %w", it.title, err)
		}
		ps = append(ps, p)
	}
	// Supports: residents and staff who live there back the ones they want.
	supporters := []string{"resident", "gridworker", "deputy", "leader", "handler_police"}
	for i, p := range ps {
		for _, u := range supporters[:min(len(supporters), 5-i%4)] {
			if _, err := l.svc.Support(ctx, l.towns(), p.ID, l.users[u], true); err != nil {
				return err
			}
		}
	}
	l.clock = base.Add(10 * 24 * time.Hour)
	// The grid worker's charging-point proposal repeats the anonymous resident's: merged.
	if _, err := l.svc.Merge(ctx, l.towns(), ps[2].ID, ps[1].ID, mgr, demoActor); err != nil {
		return err
	}
	if _, err := l.svc.Answer(ctx, l.towns(), ps[1].ID, projects.Reply{Accept: true,
		Text: "感谢您的建议。电动自行车集中充电设施关系消防安全，已纳入明年实事项目候选，镇平安办将会同居委会开展选址和意见征询。"}, mgr, demoActor); err != nil {
		return err
	}
	if _, err := l.svc.Appraise(ctx, l.towns(), ps[1].ID, projects.Appraisal{Department: "xj-safety", Feasibility: "conditional", Cost: 280_000,
		Note: "小区东侧空地可用，需征得业委会同意并完成消防验收。"}, l.users["admin"], demoActor); err != nil {
		return err
	}
	if _, err := l.svc.Answer(ctx, l.towns(), ps[5].ID, projects.Reply{Accept: false,
		Text: "屋面漏水属于物业维修和住宅专项维修资金使用范围，不属于政府实事项目。已转房管办督促物业十个工作日内上门处理，您也可拨打12345跟进。"}, mgr, demoActor); err != nil {
		return err
	}
	_, err := l.svc.Answer(ctx, l.towns(), ps[3].ID, projects.Reply{Accept: true,
		Text: "建议很好。社区食堂已列入明年候选项目，镇社区事务受理服务中心正在测算运营成本。"}, mgr, demoActor)
	return err
}
