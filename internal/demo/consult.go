package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/consult"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Demo consultations of 新泾镇.
const (
	ConsultGarden   = "同Xin街区口袋花园建设意见征询"
	ConsultFitness  = "社区健身点设施更新意见征询"
	ConsultElevator = "天山西路144弄12号加装电梯意见征询"
	// GardenAnswers is how many answers the garden's consultation has (a sixth of them on paper
	// by the grid worker).
	GardenAnswers = 168
)

// Demo bodies of 新泾镇 (the seeds: 街区治理委员会, the "协商于民" workstation of CPPCC members, and
// the 新泾 residents' committee of 新泾一村 and 新泾二村).
const (
	BodyStreetCommittee = "新泾镇街区治理委员会"
	BodyWorkstation     = "新泾镇“协商于民”政协委员工作站"
	BodyResidents       = "新泾居委会"
)

// Consultations returns the demo loader of consultations for 新泾镇: the 同Xin 街区口袋花园
// consultation of spring 2023 by the street-governance committee (the seed: the garden was
// built "在经过街区治理委员会开展调研和意见征询的基础上"), closed with its answers, summary and
// decision; an open consultation on the fitness points that the demo resident can answer; and a
// 加装电梯 household-consent consultation of one building, decided. The answers are generated
// deterministically. Idempotent: a consultation of that title in the town is left alone.
func Consultations(now time.Time) Extra {
	return func(ctx context.Context, db *store.DB, w *world.World, log *slog.Logger) error {
		if w.Town.Code != world.XinjingCode {
			return nil
		}
		start := time.Now()
		l := &consultLoader{db: db, town: w.Town.Code, now: now}
		if err := l.prepare(ctx); err != nil {
			return err
		}
		n := 0
		for _, step := range []struct {
			title string
			fn    func(context.Context) (int, error)
		}{{ConsultGarden, l.garden}, {ConsultFitness, l.fitness}, {ConsultElevator, l.elevator}} {
			var exists int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM consultations WHERE town_code = ? AND title = ?`, l.town, step.title).Scan(&exists); err != nil {
				return err
			}
			if exists > 0 {
				continue
			}
			k, err := step.fn(ctx)
			if err != nil {
				return fmt.Errorf("demo consultation %s: %w", step.title, err)
			}
			n += k
		}
		if n > 0 {
			log.Info("demo consultations loaded", "town", w.Town.Name, "answers", n, "ms", time.Since(start).Milliseconds())
		}
		return nil
	}
}

type consultLoader struct {
	db                             *store.DB
	town                           string
	now                            time.Time
	clock                          time.Time
	svc                            *consult.Service
	admin, dispatcher, gridworker  auth.User
	street, workstation, residents consult.Body
}

func (l *consultLoader) prepare(ctx context.Context) error {
	l.svc = consult.New(l.db)
	l.svc.Now = func() time.Time { return l.clock }
	l.clock = l.now
	for _, x := range []struct {
		name string
		u    *auth.User
	}{{"admin", &l.admin}, {"dispatcher", &l.dispatcher}, {"gridworker", &l.gridworker}} {
		u, err := auth.UserByUsername(ctx, l.db, x.name)
		if err != nil {
			return fmt.Errorf("demo consultations: user %s: %w", x.name, err)
		}
		*x.u = u
	}
	towns := []string{l.town}
	var err error
	if l.street, err = l.svc.AddBody(ctx, towns, consult.Body{Name: BodyStreetCommittee, Kind: consult.BodyStreetCommittee}, l.admin); err != nil {
		return err
	}
	if l.workstation, err = l.svc.AddBody(ctx, towns, consult.Body{Name: BodyWorkstation, Kind: consult.BodyWorkstation}, l.admin); err != nil {
		return err
	}
	l.residents, err = l.svc.AddBody(ctx, towns, consult.Body{Name: BodyResidents, Kind: consult.BodyResidents}, l.admin)
	return err
}

func opts(texts ...string) []consult.Option {
	out := make([]consult.Option, len(texts))
	for i, t := range texts {
		out[i] = consult.Option{Key: fmt.Sprintf("o%d", i+1), Text: t}
	}
	return out
}

func shanghaiDay(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, workcal.Location())
}

// gardenQuestions is the questionnaire of the pocket garden: every question type, and a
// conditional question (the reason, shown to those who do not support the plan).
func gardenQuestions() []consult.Question {
	return []consult.Question{
		{Key: "support", Type: consult.TypeSingle, Required: true, Title: "您对盘活青溪路街角约1000平方米空间、建设街区口袋花园的态度是？",
			Options: opts("支持", "基本支持", "不支持")},
		{Key: "concern", Type: consult.TypeText, Required: true, MaxLen: 300, Title: "请说明您不支持的原因或顾虑",
			ShowIf: &consult.Condition{Question: "support", AnyOf: []string{"o3"}}},
		{Key: "modules", Type: consult.TypeMultiple, Required: true, Min: 1, Max: 3, Title: "您最希望口袋花园包含哪些板块？（最多选3项）",
			Options: opts("长者运动之家", "芳香蜜源", "药食同源", "香草天地", "儿童游戏区", "休憩座椅区")},
		{Key: "priority", Type: consult.TypeRanking, Title: "请为以下改造重点排序（1为最优先）",
			Options: opts("绿化景观", "休憩座椅", "夜间照明", "无障碍通行")},
		{Key: "now", Type: consult.TypeRating, Scale: 5, Title: "您对青溪路街角现状的满意度（1分最低，5分最高）"},
		{Key: "use", Type: consult.TypeMatrix, Title: "您可能在哪些时段使用口袋花园？",
			Rows: opts("工作日上午", "工作日傍晚", "周末"), Options: opts("经常", "偶尔", "不会")},
		{Key: "age", Type: consult.TypeSingle, Title: "您的年龄段", Options: opts("18岁以下", "18–59岁", "60岁及以上")},
		{Key: "other", Type: consult.TypeText, MaxLen: 300, Title: "其他意见和建议"},
	}
}

var (
	gardenConcerns = []string{"担心晚上有人聚集，噪音影响休息", "担心夏天蚊虫多", "街角现在用来停非机动车，改造后车停哪里", "希望先解决小区里的停车问题",
		"担心建好后没人管理", "怕施工期间影响出行"}
	gardenIdeas = []string{"希望多种一些香草植物，孩子可以认识", "座椅要有靠背和扶手，方便老人", "建议设置开放时间，晚上九点后关闭", "希望增加夜间照明但不要太亮",
		"可以请社区医生定期来做健康讲座", "建议设置宠物不入内的提示", "希望能有遮阳的地方", "垃圾桶要分类并及时清理", "希望居民可以认领花圃一起养护",
		"无障碍坡道要做好，推轮椅方便", "建议和同Xin共享客厅的活动结合起来", "希望能保留几棵老树"}
	gardenBuildings = []string{"青溪路146弄", "天山西路144弄", "仙霞西路185弄", "天山西路256弄", "青溪路76号", "青溪路248号", "青溪路210号", "仙霞西路177号"}
)

// pick returns an index by weights.
func pick(r *rand.Rand, weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// gardenAnswer is the i-th generated answer to the garden's questionnaire.
func gardenAnswer(r *rand.Rand) map[string]any {
	a := map[string]any{}
	support := pick(r, 62, 27, 11)
	a["support"] = fmt.Sprintf("o%d", support+1)
	if support == 2 {
		a["concern"] = gardenConcerns[r.IntN(len(gardenConcerns))]
	}
	// The seed's four modules are the ones residents asked for most.
	weights := []int{30, 24, 20, 17, 10, 12}
	n := 1 + pick(r, 20, 35, 45)
	var mods []string
	for len(mods) < n {
		k := fmt.Sprintf("o%d", pick(r, weights...)+1)
		if !strings.Contains(strings.Join(mods, ","), k) {
			mods = append(mods, k)
		}
	}
	a["modules"] = mods
	if r.IntN(10) < 8 {
		order := []string{"o1", "o2", "o3", "o4"}
		// Greenery and seats first more often than lighting and access.
		for i := range order {
			j := i + r.IntN(len(order)-i)
			if r.IntN(3) == 0 {
				order[i], order[j] = order[j], order[i]
			}
		}
		a["priority"] = order
	}
	if r.IntN(10) < 9 {
		a["now"] = 1 + pick(r, 25, 35, 25, 10, 5)
	}
	if r.IntN(10) < 7 {
		use := map[string]string{}
		use["o1"] = fmt.Sprintf("o%d", pick(r, 30, 40, 30)+1)
		use["o2"] = fmt.Sprintf("o%d", pick(r, 45, 40, 15)+1)
		use["o3"] = fmt.Sprintf("o%d", pick(r, 50, 35, 15)+1)
		a["use"] = use
	}
	if r.IntN(10) < 8 {
		a["age"] = fmt.Sprintf("o%d", pick(r, 5, 45, 50)+1)
	}
	if r.IntN(10) < 3 {
		a["other"] = gardenIdeas[r.IntN(len(gardenIdeas))]
	}
	return a
}

func rawAnswers(a map[string]any) (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	for k, v := range a {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		out[k] = b
	}
	return out, nil
}

// open creates d and opens it at the clock.
func (l *consultLoader) open(ctx context.Context, d consult.Draft) (consult.Consultation, error) {
	towns := []string{l.town}
	c, err := l.svc.Create(ctx, towns, d, l.dispatcher)
	if err != nil {
		return c, err
	}
	return l.svc.Act(ctx, towns, c.ID, "open", consult.Decision{}, l.dispatcher)
}

func (l *consultLoader) garden(ctx context.Context) (int, error) {
	lat, lng := 31.208795, 121.394412 // 同Xin街区口袋花园, the corner of 青溪路
	l.clock = shanghaiDay(2023, 2, 27, 9, 0)
	c, err := l.open(ctx, consult.Draft{BodyID: l.street.ID, Title: ConsultGarden, Topic: "青溪路街角空间改造（美好社区先锋行动）",
		Description: "为夯实街区治理基础、打造有序共享空间，街区治理委员会会同“协商于民”政协委员工作站，就盘活青溪路街角约1000平方米空间、" +
			"建设街区口袋花园征求周边居民意见。请您说说态度、最希望的板块和使用时段；纸质问卷由网格员上门收集后录入。",
		PlaceName: "青溪路街角（宁聚里·新泾镇仙霞路党群服务中心旁）", Lat: &lat, Lng: &lng, Grid: "310105102-G08",
		ScopeKind: consult.ScopeGrid, ScopeCode: "310105102-G08", Anonymous: true,
		Opens: "2023-03-01", Closes: "2023-03-31", Questions: gardenQuestions()})
	if err != nil {
		return 0, err
	}
	r := rand.New(rand.NewPCG(2023, 326))
	for i := range GardenAnswers {
		l.clock = shanghaiDay(2023, 3, 1+i*30/GardenAnswers, 8+r.IntN(12), r.IntN(60))
		raw, err := rawAnswers(gardenAnswer(r))
		if err != nil {
			return 0, err
		}
		building := gardenBuildings[r.IntN(len(gardenBuildings))]
		if strings.HasSuffix(building, "弄") {
			building += fmt.Sprintf("%d号", 1+r.IntN(30))
		}
		sub := consult.Submission{ClientID: fmt.Sprintf("demo-garden-%04d", i), Answers: raw, Building: building,
			Room: fmt.Sprintf("%d%02d", 1+r.IntN(6), 1+r.IntN(4))}
		var by *auth.User
		if i%6 == 5 {
			// A paper form the grid worker collected on the round and entered on the phone.
			sub.Paper, by = true, &l.gridworker
			if r.IntN(2) == 0 {
				sub.Respondent, sub.Phone = paperNames[r.IntN(len(paperNames))], fmt.Sprintf("100210%05d", 60000+i)
			}
		}
		if _, err := l.svc.Submit(ctx, c.ID, sub, by); err != nil {
			return 0, fmt.Errorf("answer %d: %w", i, err)
		}
	}
	l.clock = shanghaiDay(2023, 4, 12, 15, 0)
	res, err := l.svc.Tally(ctx, c)
	if err != nil {
		return 0, err
	}
	dec := consult.Decision{Summary: gardenSummary(res), Decision: "街区治理委员会决定：盘活青溪路街角约1000平方米空间，建设集长者运动之家、芳香蜜源、药食同源、香草天地等板块于一体的“同Xin街区口袋花园”；" +
		"设置休憩座椅和无障碍通道，夜间采用低照度照明，开放时间6:00–21:00；由宁聚里·新泾镇仙霞路党群服务中心牵头日常管理，招募居民认领花圃共同养护。"}
	towns := []string{l.town}
	if _, err := l.svc.Act(ctx, towns, c.ID, "decide", dec, l.dispatcher); err != nil {
		return 0, err
	}
	for _, link := range []consult.Link{
		{Kind: consult.LinkProject, Ref: "同Xin街区口袋花园（美好社区先锋行动）", Note: "2023年建成"},
		{Kind: consult.LinkResult, Ref: "社区生境花园建设", Note: "2025年为民办实事项目"},
	} {
		if _, err := l.svc.AddLink(ctx, towns, c.ID, link, l.dispatcher); err != nil {
			return 0, err
		}
	}
	return GardenAnswers, nil
}

var paperNames = []string{"王阿姨", "李老伯", "张师傅", "陈阿姨", "刘老师", "周老伯"}

// gardenSummary tells the garden's tally in a sentence: what the figures are, not what they
// were hoped to be.
func gardenSummary(res consult.Results) string {
	q := res.Questions
	support := q[0].Counts
	yes := support[0].Count + support[1].Count
	paper := 0
	for _, ch := range res.Channels {
		if ch.Key == consult.ChannelPaper {
			paper = ch.Count
		}
	}
	mods := append([]consult.Count(nil), q[2].Counts...)
	for i := range mods {
		for j := i + 1; j < len(mods); j++ {
			if mods[j].Count > mods[i].Count {
				mods[i], mods[j] = mods[j], mods[i]
			}
		}
	}
	return fmt.Sprintf("共收到有效问卷%d份（其中网格员录入纸质问卷%d份）。支持或基本支持的%d人，占%.1f%%；不支持的%d人，主要顾虑是夜间噪音、蚊虫和非机动车停放。"+
		"居民最希望的板块依次为%s、%s、%s、%s；对街角现状的满意度平均%.2f分（5分制）。",
		res.Total, paper, yes, float64(yes)*100/float64(q[0].Answered), support[2].Count,
		mods[0].Text, mods[1].Text, mods[2].Text, mods[3].Text, q[4].Mean)
}

// fitness is open now: the demo resident has not answered it yet.
func (l *consultLoader) fitness(ctx context.Context) (int, error) {
	l.clock = l.now.AddDate(0, 0, -8)
	today := l.now.In(workcal.Location())
	lat, lng := 31.2105, 121.3745
	c, err := l.open(ctx, consult.Draft{BodyID: l.workstation.ID, Title: ConsultFitness, Topic: "为民办实事项目：健身点设施更新",
		Description: "“协商于民”政协委员工作站就全镇健身点设施更新征求居民意见：哪些器材需要更换、希望增加什么、什么时候锻炼。结果将提交镇人大为民办实事项目票决参考。",
		PlaceName:   "全镇健身点", Lat: &lat, Lng: &lng, ScopeKind: consult.ScopeTown, Anonymous: true,
		Opens: today.AddDate(0, 0, -7).Format("2006-01-02"), Closes: today.AddDate(0, 0, 21).Format("2006-01-02"),
		Questions: []consult.Question{
			{Key: "use", Type: consult.TypeSingle, Required: true, Title: "您平时是否使用小区或街区的健身点？", Options: opts("经常使用", "偶尔使用", "从不使用")},
			{Key: "why_not", Type: consult.TypeMultiple, Required: true, Min: 1, Max: 3, Title: "您不使用健身点的原因是？",
				ShowIf: &consult.Condition{Question: "use", AnyOf: []string{"o3"}}, Options: opts("器材老旧损坏", "离家太远", "没有适合我的器材", "没有时间")},
			{Key: "replace", Type: consult.TypeMultiple, Min: 1, Max: 3, Title: "哪些器材最需要更新？（最多3项）",
				Options: opts("漫步机", "太空漫步机", "扭腰器", "单双杠", "乒乓球台", "儿童滑梯")},
			{Key: "order", Type: consult.TypeRanking, Title: "请为以下改进排序", Options: opts("更换器材", "铺设塑胶地面", "增加照明", "增设座椅")},
			{Key: "rate", Type: consult.TypeRating, Scale: 10, Title: "您对目前健身点的总体评价（1–10分）"},
			{Key: "idea", Type: consult.TypeText, MaxLen: 300, Title: "其他建议"},
		}})
	if err != nil {
		return 0, err
	}
	r := rand.New(rand.NewPCG(2025, 7))
	n := 24
	for i := range n {
		l.clock = l.now.Add(-time.Duration(n-i) * 6 * time.Hour)
		a := map[string]any{"use": fmt.Sprintf("o%d", pick(r, 40, 40, 20)+1)}
		if a["use"] == "o3" {
			a["why_not"] = []string{fmt.Sprintf("o%d", pick(r, 40, 20, 30, 10)+1)}
		} else {
			a["replace"] = []string{fmt.Sprintf("o%d", pick(r, 30, 20, 20, 10, 15, 5)+1)}
			a["rate"] = 3 + r.IntN(6)
			order := []string{"o1", "o2", "o3", "o4"}
			r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			a["order"] = order
		}
		raw, err := rawAnswers(a)
		if err != nil {
			return 0, err
		}
		sub := consult.Submission{ClientID: fmt.Sprintf("demo-fitness-%04d", i), Answers: raw}
		var by *auth.User
		if i%3 == 0 {
			sub.Paper, by = true, &l.gridworker
		}
		if _, err := l.svc.Submit(ctx, c.ID, sub, by); err != nil {
			return 0, fmt.Errorf("answer %d: %w", i, err)
		}
	}
	l.clock = l.now
	return n, nil
}

// elevator is a household-consent consultation of one building of 24 households, by the Civil
// Code's rule counted by households; 17 households answered, 14 agreed: the threshold is met.
func (l *consultLoader) elevator(ctx context.Context) (int, error) {
	l.clock = l.now.AddDate(0, -2, 0)
	start := l.clock.In(workcal.Location())
	rule := consult.DefaultConsent(24)
	lat, lng := 31.215906, 121.394862
	c, err := l.open(ctx, consult.Draft{BodyID: l.residents.ID, Title: ConsultElevator, Topic: "既有多层住宅加装电梯",
		Description: "新泾二村天山西路144弄12号（6层，24户）业主提出加装电梯申请。居委会按户征询本楼业主意见：参与表决户数达到全楼三分之二、且参与户中四分之三以上同意，方可进入方案设计和审批。",
		PlaceName:   "新泾二村天山西路144弄12号", Lat: &lat, Lng: &lng, Grid: "310105102-G08",
		ScopeKind: consult.ScopeBuilding, ScopeCode: "天山西路144弄12号", PerHousehold: true, Consent: &rule,
		Opens: start.Format("2006-01-02"), Closes: start.AddDate(0, 0, 20).Format("2006-01-02"),
		Questions: []consult.Question{
			{Key: "consent", Type: consult.TypeSingle, Required: true, Consent: true, AgreeKey: "agree", Title: "您是否同意本楼加装电梯？",
				Options: []consult.Option{{Key: "agree", Text: "同意"}, {Key: "disagree", Text: "不同意"}, {Key: "abstain", Text: "弃权"}}},
			{Key: "worry", Type: consult.TypeMultiple, Min: 1, Max: 4, Title: "您的主要顾虑是？",
				ShowIf:  &consult.Condition{Question: "consent", AnyOf: []string{"disagree", "abstain"}},
				Options: opts("低层采光和噪音", "费用分摊", "施工影响", "后期维护")},
			{Key: "pay", Type: consult.TypeSingle, Title: "费用分摊方式倾向", Options: opts("按楼层递增分摊", "平均分摊", "由高层住户承担")},
		}})
	if err != nil {
		return 0, err
	}
	choices := []string{"agree", "agree", "disagree", "agree", "agree", "agree", "abstain", "agree", "agree", "agree", "agree", "disagree", "agree", "agree", "agree", "agree", "agree"}
	for i, ch := range choices {
		l.clock = l.now.AddDate(0, -2, 1+i)
		a := map[string]any{"consent": ch}
		if ch != "agree" {
			a["worry"] = []string{"o1", "o2"}[:1+i%2]
		}
		if i%3 != 2 {
			a["pay"] = "o1"
		}
		raw, err := rawAnswers(a)
		if err != nil {
			return 0, err
		}
		floor, room := 1+i/4, 1+i%4
		sub := consult.Submission{ClientID: fmt.Sprintf("demo-lift-%04d", i), Paper: true, Building: "天山西路144弄12号", Room: fmt.Sprintf("%d0%d", floor, room), Answers: raw}
		if _, err := l.svc.Submit(ctx, c.ID, sub, &l.gridworker); err != nil {
			return 0, fmt.Errorf("household %d: %w", i, err)
		}
	}
	l.clock = l.now.AddDate(0, -2, 21)
	towns := []string{l.town}
	res, err := l.svc.Tally(ctx, c)
	if err != nil || res.Consent == nil {
		return 0, fmt.Errorf("consent tally: %v", err)
	}
	o := res.Consent
	verdict := "未达到"
	if o.Passed {
		verdict = "达到"
	}
	dec := consult.Decision{
		Summary: fmt.Sprintf("全楼%d户，参与表决%d户（需≥%d户），同意%d户（需≥%d户），%s民法典第二百七十八条规定的表决门槛（按户计）。不同意和弃权的住户主要顾虑低层采光、噪音和费用分摊。",
			o.Rule.Households, o.Answered, o.NeedParticipation, o.Agree, o.NeedAgree, verdict),
		Decision: "同意门槛已达到：由业主代表委托设计单位编制加装电梯方案，方案公示后报区住房保障和房屋管理局审批；居委会牵头与低层住户协商补偿与费用分摊。"}
	if _, err := l.svc.Act(ctx, towns, c.ID, "decide", dec, l.dispatcher); err != nil {
		return 0, err
	}
	if _, err := l.svc.AddLink(ctx, towns, c.ID, consult.Link{Kind: consult.LinkProposal, Ref: "加装电梯：新泾二村天山西路144弄12号"}, l.dispatcher); err != nil {
		return 0, err
	}
	l.clock = l.now
	return len(choices), nil
}
