package demo

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/campaigns"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/places"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
	"github.com/civicgrid/civicgrid/internal/workorder"
)

// Demo campaign names of 新泾镇.
const (
	CampaignFourHundred = "2025年四百大走访"
	CampaignNewSectors  = "“鑫”能量全覆盖走访 — 新兴领域"
)

// Campaigns returns the demo loader of visit campaigns for 新泾镇: "2025年四百大走访" over every
// household of the address book and the office buildings and enterprises among the places, about
// 60 % visited, a few findings turned into orders that went through the whole lifecycle; and the
// current "“鑫”能量全覆盖走访 — 新兴领域" over office buildings, street merchants and delivery-rider
// stations, whose two newest findings wait in the dispatcher's queue. Idempotent: a campaign of
// that name already in the town is left alone. Visitors are the demo users (invented people).
func Campaigns(now time.Time) Extra {
	return func(ctx context.Context, db *store.DB, w *world.World, log *slog.Logger) error {
		if w.Town.Code != world.XinjingCode {
			return nil
		}
		start := time.Now()
		d := &campaignLoader{db: db, w: w, now: now, town: w.Town.Code, users: map[string]auth.User{}}
		if err := d.prepare(ctx); err != nil {
			return err
		}
		n1, err := d.fourHundred(ctx)
		if err != nil {
			return fmt.Errorf("demo campaign %s: %w", CampaignFourHundred, err)
		}
		n2, err := d.newSectors(ctx)
		if err != nil {
			return fmt.Errorf("demo campaign %s: %w", CampaignNewSectors, err)
		}
		if n1+n2 > 0 {
			log.Info("demo campaigns loaded", "town", w.Town.Name, "visits", n1+n2, "ms", time.Since(start).Milliseconds())
		}
		return nil
	}
}

type campaignLoader struct {
	db     *store.DB
	w      *world.World
	now    time.Time
	town   string
	users  map[string]auth.User
	clock  time.Time
	svc    *campaigns.Service
	ost    *orders.Store
	loc    *places.Locator
	hasCat bool
}

func (d *campaignLoader) prepare(ctx context.Context) error {
	for _, name := range []string{"gridworker", "gridleader", "dispatcher", "admin"} {
		u, err := auth.UserByUsername(ctx, d.db, name)
		if err != nil {
			return fmt.Errorf("demo user %s: %w", name, err)
		}
		d.users[name] = u
	}
	d.ost = orders.New(d.db)
	d.ost.Now = func() time.Time { return d.clock }
	d.svc = campaigns.New(d.db, d.ost)
	d.svc.Now = func() time.Time { return d.clock }
	grids, err := places.Grids(ctx, d.db, []string{d.town})
	if err != nil {
		return err
	}
	d.loc = places.NewLocator(grids)
	var n int
	if err := d.db.QueryRow(ctx, `SELECT COUNT(*) FROM categories WHERE town_code = ?`, d.town).Scan(&n); err != nil {
		return err
	}
	d.hasCat = n > 0
	return nil
}

func (d *campaignLoader) exists(ctx context.Context, name string) (bool, error) {
	var n int
	err := d.db.QueryRow(ctx, `SELECT COUNT(*) FROM campaigns WHERE town_code = ? AND name = ?`, d.town, name).Scan(&n)
	return n > 0, err
}

// finding is a demo visit's finding and need, with the category of the order it may become.
type finding struct{ findings, needs, category string }

var householdFindings = []finding{
	{"楼道内堆放旧家具和纸板，影响通行", "请物业尽快清理楼道堆物", "1003"},
	{"老人独居，行动不便，子女不在身边", "希望社区提供助餐和定期探访", "1601"},
	{"小区门口路灯不亮已有一周，夜间出行不安全", "尽快修复路灯", "1201"},
	{"居民询问加装电梯的申请流程和补贴政策", "希望居委会组织召开加装电梯意见征询会", "1002"},
	{"楼下有电动自行车在楼道内充电", "加强宣传并增设集中充电桩", "1403"},
	{"小区内机动车乱停放，消防通道被占", "规范停车秩序", "0504"},
	{"物业对报修响应慢，屋顶渗水未处理", "督促物业及时维修", "1006"},
	{"居民对社区文体活动安排表示满意", "", ""},
	{"希望增加社区卫生服务站的上门服务", "家庭医生签约咨询", "1602"},
}

var enterpriseFindings = []finding{
	{"企业反映园区周边午间停车位紧张", "协调周边道路限时停车", "0504"},
	{"企业咨询人才公寓和落户政策", "希望对接人才服务专员", "1701"},
}

func (d *campaignLoader) catOrEmpty(code string) string {
	if !d.hasCat {
		return ""
	}
	return code
}

func (d *campaignLoader) fourHundred(ctx context.Context) (int, error) {
	if ok, err := d.exists(ctx, CampaignFourHundred); ok || err != nil {
		return 0, err
	}
	loc := workcal.Location()
	begin := time.Date(2025, 3, 1, 9, 0, 0, 0, loc)
	d.clock = begin
	team := []int64{d.users["gridworker"].ID, d.users["gridleader"].ID}
	c, err := d.svc.Create(ctx, []string{d.town}, campaigns.NewCampaign{TownCode: d.town, Name: CampaignFourHundred, Kind: campaigns.KindFourHundred,
		Description: "“四百”大走访：走访百家门、了解百家情、解决百家难、温暖百家心。网格员和网格长逐户走访辖区居民，并走访楼宇企业，收集急难愁盼问题，能办的当场办，办不了的转为工单。",
		Start:       "2025-03-01", End: "2025-12-31", Team: team}, d.users["admin"])
	if err != nil {
		return 0, err
	}
	towns := []string{d.town}
	if _, err := d.svc.AddTargets(ctx, towns, c.ID, campaigns.Bulk{FromAddressBook: true}, d.users["admin"]); err != nil {
		return 0, err
	}
	if _, err := d.svc.AddTargets(ctx, towns, c.ID, campaigns.Bulk{FromPlacesKind: "office_park", Kind: campaigns.TargetOffice}, d.users["admin"]); err != nil {
		return 0, err
	}
	if _, err := d.svc.AddTargets(ctx, towns, c.ID, campaigns.Bulk{FromPlacesKind: "mall", Kind: campaigns.TargetEnterprise}, d.users["admin"]); err != nil {
		return 0, err
	}
	targets, err := d.svc.Targets(ctx, towns, c.ID, campaigns.TargetFilter{})
	if err != nil {
		return 0, err
	}
	visitors := []auth.User{d.users["gridworker"], d.users["gridleader"]}
	span := time.Date(2025, 12, 20, 0, 0, 0, 0, loc).Sub(begin)
	visits, raised := 0, 0
	for i, t := range targets {
		// A fixed scramble of the index spreads the ~60 % visited over every grid.
		r := (i*37 + 11) % 100
		status := campaigns.StatusVisited
		switch {
		case r >= 80:
			continue // not tried yet
		case r >= 68:
			status = campaigns.StatusNotHome
		case r >= 60:
			status = campaigns.StatusRefused
		}
		at := begin.Add(time.Duration(int64(span) / int64(len(targets)) * int64(i))).Add(time.Duration(r%8) * time.Hour)
		n := campaigns.NewVisit{Status: status, VisitedAt: &at}
		if status == campaigns.StatusNotHome && r%3 == 0 {
			// Nobody at home the first time; the second call finds the household in.
			d.clock = at
			if _, err := d.svc.LogVisit(ctx, towns, c.ID, t.ID, n, visitors[i%2]); err != nil {
				return visits, err
			}
			visits++
			at = at.Add(72 * time.Hour)
			n = campaigns.NewVisit{Status: campaigns.StatusVisited, VisitedAt: &at}
		}
		var f finding
		withFinding := n.Status == campaigns.StatusVisited && r%4 == 0
		if withFinding {
			fs := householdFindings
			if t.Kind != campaigns.TargetHousehold {
				fs = enterpriseFindings
			}
			f = fs[(i/4)%len(fs)]
			n.Findings, n.Needs, n.Category = f.findings, f.needs, d.catOrEmpty(f.category)
		} else if n.Status == campaigns.StatusVisited {
			n.Findings = "情况正常，已宣传12345热线和社区服务清单"
		}
		d.clock = at
		v, err := d.svc.LogVisit(ctx, towns, c.ID, t.ID, n, visitors[i%2])
		if err != nil {
			return visits, err
		}
		visits++
		if withFinding && f.category != "" && raised < 6 {
			d.clock = at.Add(30 * time.Minute)
			o, _, err := d.svc.OrderFromVisit(ctx, towns, v.ID, visitors[i%2])
			if err != nil {
				return visits, err
			}
			raised++
			if err := d.closeOrder(ctx, o, f.category); err != nil {
				return visits, fmt.Errorf("order %s: %w", o.Number, err)
			}
		}
	}
	return visits, nil
}

// closeOrder takes a year-old order from a finding through filing, dispatch and handling to its
// close, so the demo has no stale order waiting since 2025.
func (d *campaignLoader) closeOrder(ctx context.Context, o orders.Order, category string) error {
	cat, ok := d.w.Category(category)
	if !ok || !d.hasCat || o.Grid == "" {
		return nil
	}
	disp := orders.ActorInfo{Name: d.users["dispatcher"].DisplayName}
	disp.UserID, disp.Role, disp.Department = d.users["dispatcher"].ID, auth.RoleDispatcher, d.users["dispatcher"].DepartmentCode
	handler := orders.ActorInfo{Name: "处置部门经办人"}
	handler.Role, handler.Department = auth.RoleHandler, cat.DepartmentCode
	towns := []string{d.town}
	// Reporting needs a photo: reuse one the orders demo stored, or stop at "in progress".
	var photo string
	_ = d.db.QueryRow(ctx, `SELECT id FROM uploads WHERE town_code = ? ORDER BY created_at, id LIMIT 1`, d.town).Scan(&photo)
	var err error
	for _, s := range []struct {
		a     orders.ActorInfo
		act   workorder.Action
		in    workorder.Input
		after time.Duration
	}{
		{disp, workorder.ActFile, workorder.Input{Category: category, Grid: o.Grid}, 2 * time.Hour},
		{disp, workorder.ActDispatch, workorder.Input{Department: cat.DepartmentCode}, time.Hour},
		{handler, workorder.ActAccept, workorder.Input{}, 3 * time.Hour},
		{handler, workorder.ActReport, workorder.Input{Result: "已上门处置，走访对象反映的问题已解决。", Photos: []string{photo}}, 40 * time.Hour},
		{disp, workorder.ActVerifyPass, workorder.Input{Note: "网格员回访核查，问题已解决"}, 20 * time.Hour},
	} {
		if s.act == workorder.ActReport && photo == "" {
			return nil
		}
		d.clock = d.clock.Add(s.after)
		if o, err = d.ost.Act(ctx, towns, o.ID, s.a, s.act, o.Version, s.in); err != nil {
			return fmt.Errorf("%s: %w", s.act, err)
		}
	}
	return nil
}

// inGrid returns p moved by (dLng, dLat) when that stays in the same grid, else p itself.
func (d *campaignLoader) inGrid(p orb.Point, dLng, dLat float64) (orb.Point, string) {
	g, ok := d.loc.Locate(p[0], p[1])
	if !ok {
		return p, ""
	}
	q := orb.Point{p[0] + dLng, p[1] + dLat}
	if planar.PolygonContains(g.Polygon, q) {
		return q, g.Code
	}
	return p, g.Code
}

func (d *campaignLoader) placePoint(name string) (orb.Point, bool) {
	for _, p := range d.w.Places {
		if p.Name == name {
			return p.Point(), true
		}
	}
	return orb.Point{}, false
}

func (d *campaignLoader) newSectors(ctx context.Context) (int, error) {
	if ok, err := d.exists(ctx, CampaignNewSectors); ok || err != nil {
		return 0, err
	}
	loc := workcal.Location()
	today := d.now.In(loc)
	begin := time.Date(today.Year(), today.Month(), today.Day(), 9, 0, 0, 0, loc).AddDate(0, 0, -40)
	d.clock = begin
	team := []int64{d.users["gridworker"].ID, d.users["gridleader"].ID, d.users["dispatcher"].ID}
	c, err := d.svc.Create(ctx, []string{d.town}, campaigns.NewCampaign{TownCode: d.town, Name: CampaignNewSectors, Kind: campaigns.KindTwoCoverage,
		Description: "“鑫”能量全覆盖走访服务团队走访楼宇企业、街区商户和新就业群体（快递小哥、外卖骑手），推进新兴领域党的组织覆盖和工作覆盖，送上“泾彩满格”服务清单。",
		Start:       begin.Format(time.DateOnly), End: begin.AddDate(0, 0, 90).Format(time.DateOnly), Team: team}, d.users["admin"])
	if err != nil {
		return 0, err
	}
	towns := []string{d.town}
	if _, err := d.svc.AddTargets(ctx, towns, c.ID, campaigns.Bulk{FromPlacesKind: "office_park", Kind: campaigns.TargetOffice}, d.users["admin"]); err != nil {
		return 0, err
	}
	// Invented merchants and stations beside real roads of the town, moved a little off the
	// road's point but kept inside its grid.
	invented := []struct {
		kind, name, near, address string
		dLng, dLat                float64
	}{
		{campaigns.TargetMerchant, "天山西路沿街商户（西段）", "天山西路", "天山西路沿街", 0.0008, 0.0003},
		{campaigns.TargetMerchant, "淞虹路沿街商户", "淞虹路", "淞虹路沿街", -0.0006, 0.0004},
		{campaigns.TargetMerchant, "仙霞西路沿街商户", "仙霞西路", "仙霞西路沿街", 0.0005, -0.0003},
		{campaigns.TargetMerchant, "新渔东路沿街商户", "新渔东路", "新渔东路沿街", -0.0007, -0.0002},
		{campaigns.TargetRiderStation, "快递小哥暖心驿站（淞虹路）", "淞虹路", "淞虹路沿街", 0.0004, -0.0006},
		{campaigns.TargetRiderStation, "外卖骑手爱心驿站（天山西路）", "天山西路", "天山西路沿街", -0.0009, -0.0004},
		{campaigns.TargetRiderStation, "新就业群体服务站（仙霞西路）", "仙霞西路", "仙霞西路沿街", -0.0006, 0.0005},
		{campaigns.TargetRiderStation, "快递网点（新渔东路）", "新渔东路", "新渔东路沿街", 0.0006, 0.0005},
		{campaigns.TargetOffice, "上海荟聚写字楼", "上海荟聚", "新渔东路", 0.0004, 0.0004},
	}
	var ids []int64
	for _, x := range invented {
		p, ok := d.placePoint(x.near)
		if !ok {
			continue
		}
		q, grid := d.inGrid(p, x.dLng, x.dLat)
		lat, lng := q[1], q[0]
		t, err := d.svc.AddTarget(ctx, towns, c.ID, campaigns.NewTarget{Kind: x.kind, Name: x.name, Address: x.address, Lat: &lat, Lng: &lng, Grid: grid}, d.users["admin"])
		if err != nil {
			return 0, err
		}
		ids = append(ids, t.ID)
	}
	targets, err := d.svc.Targets(ctx, towns, c.ID, campaigns.TargetFilter{})
	if err != nil {
		return 0, err
	}
	byID := map[int64]campaigns.Target{}
	for _, t := range targets {
		byID[t.ID] = t
	}
	plan := []struct {
		target  int // index in ids (-1: the bulk-added office building)
		status  string
		f       finding
		daysAgo int
		order   bool
		visitor string
	}{
		{0, campaigns.StatusVisited, finding{"商户反映店招被风吹松动，存在坠落隐患", "请城管协助检查加固店招", "0203"}, 30, false, "gridworker"},
		{1, campaigns.StatusVisited, finding{"商户已加入街区商户联盟，了解“泾彩满格”服务清单", "", ""}, 25, false, "gridleader"},
		{4, campaigns.StatusVisited, finding{"驿站缺少电动车充电柜，骑手夜间在路边飞线充电", "增设电动自行车集中充电柜", "1403"}, 12, true, "gridworker"},
		{5, campaigns.StatusNotHome, finding{}, 9, false, "gridleader"},
		{6, campaigns.StatusVisited, finding{"骑手希望驿站提供饮水、热饭和休息座椅", "完善驿站服务设施，纳入“鑫”能量服务点", "1702"}, 2, true, "dispatcher"},
		{2, campaigns.StatusRefused, finding{}, 6, false, "gridworker"},
	}
	visits := 0
	for _, p := range plan {
		if p.target >= len(ids) {
			continue
		}
		t := byID[ids[p.target]]
		at := d.now.Add(-time.Duration(p.daysAgo) * 24 * time.Hour).Add(-2 * time.Hour)
		if at.Before(begin) {
			at = begin.Add(time.Hour)
		}
		d.clock = at
		v, err := d.svc.LogVisit(ctx, towns, c.ID, t.ID, campaigns.NewVisit{Status: p.status, VisitedAt: &at, Findings: p.f.findings, Needs: p.f.needs,
			Category: d.catOrEmpty(p.f.category)}, d.users[p.visitor])
		if err != nil {
			return visits, err
		}
		visits++
		if p.order {
			d.clock = at.Add(20 * time.Minute)
			if _, _, err := d.svc.OrderFromVisit(ctx, towns, v.ID, d.users[p.visitor]); err != nil {
				return visits, err
			}
		}
	}
	// The financial park itself: visited by the team leader.
	for _, t := range targets {
		if t.PlaceID != 0 {
			at := d.now.Add(-20 * 24 * time.Hour)
			d.clock = at
			if _, err := d.svc.LogVisit(ctx, towns, c.ID, t.ID, campaigns.NewVisit{Status: campaigns.StatusVisited, VisitedAt: &at,
				Findings: "园区党群服务站运行良好，入驻企业已建立联合党支部", Needs: ""}, d.users["gridleader"]); err != nil {
				return visits, err
			}
			visits++
		}
	}
	return visits, nil
}
