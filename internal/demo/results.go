package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/results"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// The ten 2025 livelihood projects of 新泾镇 (为民办实事项目). On 11 July 2025 the town's 20th
// congress, 7th session (70 deputies), heard the half-year report on them; the seed names five —
// 精品小区建设, 社区生境花园建设, 健身点设施更新, 重度残疾人家庭无障碍设施改造, "江南文化"进社区 —
// "等十个实事项目". The other five, every budget, milestone and percentage here are invented for the
// demo, in the spirit of the seeds (加装电梯 and the 生境街镇 appear in the town's 2024 plans).
// The ten are the winners of the demo's 2025 ballot (projects.go): publishing that ballot
// adopted them as results (source "project:<id>"), and this loader finds them by title and adds
// their year. Loaded without the ballot (WorldWithResults), it adopts them itself ("seed:2025-<n>").

type demoMilestone struct{ title, planned, done string }

type demoEntry struct {
	day, note, status string
	progress          float64 // -1: no change
}

type demoPart struct {
	title, dept, place string
	weight             float64
	budgetWan          float64
	entries            []demoEntry
}

type demoResult struct {
	title, dept, category, place, desc string
	budgetWan                          float64
	milestones                         []demoMilestone
	entries                            []demoEntry // for projects without parts
	parts                              []demoPart
	// year-end evaluation: paper forms of residents and the deputies' ratings.
	residents, deputies results.Paper
}

// DemoResultsYear is the year of the demo's projects.
const DemoResultsYear = 2025

var demoResults = []demoResult{
	{title: "精品小区建设", dept: "xj-housing", category: "城市更新", place: "刘家宅、淞虹、北虹等小区", budgetWan: 3260,
		desc: "对4个老旧小区实施精品小区建设：雨污分流、屋面及立面整修、道路与停车设施改造、绿化与公共空间提升。",
		milestones: []demoMilestone{{"方案设计与居民意见征询", "2025-03-31", "2025-03-27"}, {"施工招标", "2025-04-30", "2025-05-16"},
			{"全面开工", "2025-06-15", "2025-06-20"}, {"竣工验收", "2025-11-30", "2025-12-05"}},
		entries: []demoEntry{{"2025-05-16", "施工招标完成，4个小区陆续开工", "in_progress", -1}},
		parts: []demoPart{
			{"刘家宅二村精品小区", "xj-housing", "刘家宅二村", 3, 1150, []demoEntry{{"2025-05-20", "雨污分流管道铺设完成40%", "in_progress", 25}, {"2025-06-28", "雨污分流完成，屋面防水施工中", "", 55}, {"2025-10-30", "立面整修完成", "", 90}, {"2025-12-05", "竣工验收通过", "done", 100}}},
			{"淞虹三村精品小区", "xj-housing", "淞虹三村", 2, 820, []demoEntry{{"2025-06-20", "施工单位进场，搭设脚手架", "in_progress", 20}, {"2025-11-20", "立面与道路改造完成", "", 95}, {"2025-12-05", "竣工验收通过", "done", 100}}},
			{"北虹小区精品小区", "xj-housing", "北虹小区", 2, 760, []demoEntry{{"2025-06-25", "完成停车位划线方案公示", "in_progress", 15}, {"2025-12-05", "竣工验收通过", "done", 100}}},
			{"林泉小区精品小区", "xj-housing", "林泉小区", 1, 530, []demoEntry{{"2025-06-26", "设计方案二次征询，居民提出增设非机动车棚", "in_progress", 10}, {"2025-12-12", "主体完工，非机动车棚收尾", "", 92}}},
		},
		residents: results.Paper{Kind: "resident", Satisfied: 118, Basic: 34, Dissatisfied: 9}},
	{title: "社区生境花园建设", dept: "xj-sanitation", category: "生态环境", place: "林泉、定威、绿八居民区", budgetWan: 180,
		desc:       "创建“生境街镇”：在3个居民区建设社区生境花园，居民参与设计与养护。",
		milestones: []demoMilestone{{"选址与居民共建方案", "2025-04-15", "2025-04-10"}, {"花园建成开放", "2025-09-30", "2025-09-26"}},
		entries:    []demoEntry{{"2025-04-10", "3处选址确定，居民共建方案通过", "in_progress", -1}},
		parts: []demoPart{
			{"林泉居民区生境花园", "310105102026", "林泉小区", 1, 60, []demoEntry{{"2025-05-18", "居民共建设计工作坊完成", "in_progress", 30}, {"2025-06-27", "土壤改良完成，开始种植本土植物", "", 50}}},
			{"定威居民区生境花园", "310105102030", "定威小区", 1, 60, []demoEntry{{"2025-06-10", "雨水花园施工", "in_progress", 45}, {"2025-09-26", "花园建成开放", "done", 100}}},
			{"绿八居民区乐颐生境花园提升", "xj-sanitation", "绿八居民区乐颐生境花园", 1, 60, []demoEntry{{"2025-03-20", "增设昆虫旅馆与科普标识", "in_progress", 60}, {"2025-06-15", "提升完成，纳入生境博物馆科普路线", "done", 100}}},
		},
		residents: results.Paper{Kind: "resident", Satisfied: 96, Basic: 21, Dissatisfied: 4}},
	{title: "健身点设施更新", dept: "xj-culture", category: "文体", place: "全镇12处健身点", budgetWan: 95,
		desc:       "更新12处社区健身点的老旧器材，增设适老化器材与夜间照明。",
		milestones: []demoMilestone{{"器材采购", "2025-04-30", "2025-04-25"}, {"12处安装完成", "2025-08-31", "2025-08-22"}},
		entries:    []demoEntry{{"2025-05-15", "首批5处健身点器材更新完成", "in_progress", 40}, {"2025-06-25", "8处完成，其余4处待地坪修复", "", 65}, {"2025-08-22", "12处全部完成", "done", 100}},
		residents:  results.Paper{Kind: "resident", Satisfied: 140, Basic: 22, Dissatisfied: 6}},
	{title: "重度残疾人家庭无障碍设施改造", dept: "xj-service", category: "民生保障", place: "全镇", budgetWan: 60,
		desc:       "为60户重度残疾人家庭实施无障碍改造：扶手、坡道、防滑、卫浴改造，一户一方案。",
		milestones: []demoMilestone{{"入户评估60户", "2025-04-30", "2025-04-28"}, {"改造完成60户", "2025-10-31", "2025-10-24"}},
		entries:    []demoEntry{{"2025-04-28", "完成60户入户评估，制定一户一方案", "in_progress", 20}, {"2025-06-30", "已完成32户改造", "", 53}, {"2025-10-24", "60户全部完成并回访", "done", 100}},
		residents:  results.Paper{Kind: "resident", Satisfied: 52, Basic: 6, Dissatisfied: 1}},
	{title: "“江南文化”进社区", dept: "xj-culture", category: "文化", place: "新泾镇民间文化艺术展示馆", budgetWan: 45,
		desc:       "西郊农民画、海派撕纸、江南丝竹等非遗项目进社区，全年开展40场活动，办好第二届“乐活家园节”。",
		milestones: []demoMilestone{{"上半年20场", "2025-06-30", "2025-06-28"}, {"“乐活家园节”", "2025-10-31", "2025-10-18"}, {"全年40场", "2025-12-15", "2025-12-10"}},
		entries:    []demoEntry{{"2025-03-30", "西郊农民画体验课走进5个居民区", "in_progress", 20}, {"2025-06-28", "上半年完成22场，参与居民1800余人次", "", 55}, {"2025-12-10", "全年完成41场", "done", 100}},
		residents:  results.Paper{Kind: "resident", Satisfied: 88, Basic: 12, Dissatisfied: 2}},
	{title: "既有多层住宅加装电梯", dept: "xj-housing", category: "城市更新", place: "全镇", budgetWan: 1200,
		desc:       "全年完成加装电梯签约40台、开工25台、竣工15台。",
		milestones: []demoMilestone{{"签约20台", "2025-06-30", "2025-06-30"}, {"开工25台", "2025-09-30", ""}, {"竣工15台", "2025-12-31", ""}},
		entries:    []demoEntry{{"2025-06-30", "签约22台，开工9台，竣工4台", "in_progress", 38}, {"2025-11-30", "签约41台，开工21台，竣工12台", "", 76}},
		residents:  results.Paper{Kind: "resident", Satisfied: 61, Basic: 25, Dissatisfied: 12}},
	{title: "社区长者助餐点建设", dept: "xj-service", category: "为老服务", place: "新泾五村", budgetWan: 150,
		desc:       "新建2个社区长者助餐点，提供堂食与送餐。",
		milestones: []demoMilestone{{"选址确定", "2025-03-31", "2025-04-18"}, {"开业运营", "2025-09-30", "2025-10-15"}},
		entries:    []demoEntry{{"2025-04-18", "两处选址确定", "in_progress", 15}, {"2025-06-29", "装修施工中", "", 45}, {"2025-10-15", "两个助餐点开业", "done", 100}},
		residents:  results.Paper{Kind: "resident", Satisfied: 70, Basic: 18, Dissatisfied: 5}},
	{title: "电动自行车集中充电设施建设", dept: "xj-safety", category: "平安建设", place: "20个小区", budgetWan: 110,
		desc:       "在20个小区新增电动自行车集中充电桩600个，治理楼道充电隐患。",
		milestones: []demoMilestone{{"点位征询", "2025-04-30", "2025-05-20"}, {"600个充电桩投用", "2025-09-30", "2025-11-28"}},
		entries:    []demoEntry{{"2025-05-20", "20个小区点位征询完成", "in_progress", 15}, {"2025-06-30", "8个小区完成安装", "", 35}, {"2025-11-28", "600个充电桩投用", "done", 100}},
		residents:  results.Paper{Kind: "resident", Satisfied: 30, Basic: 18, Dissatisfied: 52}},
	{title: "家庭医生签约服务提升", dept: "xj-health", category: "卫生健康", place: "新泾镇社区卫生服务中心", budgetWan: 80,
		desc:       "重点人群家庭医生签约率提升至85%，增设2个家庭医生工作室。",
		milestones: []demoMilestone{{"工作室启用", "2025-06-30", "2025-06-20"}, {"签约率85%", "2025-12-31", "2025-12-20"}},
		entries:    []demoEntry{{"2025-06-20", "2个家庭医生工作室启用，签约率78%", "in_progress", 50}, {"2025-12-20", "签约率86%", "done", 100}},
		residents:  results.Paper{Kind: "resident", Satisfied: 77, Basic: 15, Dissatisfied: 3}},
	{title: "睦邻点服务提升", dept: "xj-party", category: "社区治理", place: "全镇", budgetWan: 70,
		desc:       "提升30个睦邻点的活动空间与服务内容，深化“五社联动”。",
		milestones: []demoMilestone{{"首批15个完成", "2025-06-20", "2025-07-15"}, {"30个全部完成", "2025-11-30", "2025-11-25"}},
		entries:    []demoEntry{{"2025-06-30", "完成12个睦邻点提升", "in_progress", 40}, {"2025-11-25", "30个全部完成", "done", 100}},
		residents:  results.Paper{Kind: "resident", Satisfied: 66, Basic: 20, Dissatisfied: 4}},
}

// Results returns the demo loader of 新泾镇's 2025 livelihood projects: the ten adopted as
// tracked results (some with parts), milestones, a timeline through the year (the half-year
// report of 11 July 2025 reads it as of 30 June), two deputies' inspections, the year-end rating
// (paper forms, 20 Dec 2025 – 10 Jan 2026) and its evaluation on 12 January 2026, which sends the
// project rated 不满意 above the town's threshold back for 整改. Idempotent: a town with results
// of 2025 is left alone.
func Results() Extra {
	return func(ctx context.Context, db *store.DB, w *world.World, log *slog.Logger) error {
		if w.Town.Code != world.XinjingCode {
			return nil
		}
		// The year is loaded once: milestones are this loader's own (adoption adds none).
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM result_milestones m JOIN results r ON r.id = m.result_id
			WHERE r.town_code = ? AND r.year = ?`, w.Town.Code, DemoResultsYear).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		start := time.Now()
		users := map[string]auth.User{}
		for _, name := range []string{"admin", "deputy"} {
			u, err := auth.UserByUsername(ctx, db, name)
			if err != nil {
				return fmt.Errorf("demo user %s: %w", name, err)
			}
			users[name] = u
		}
		var clock time.Time
		at := func(day string) {
			t, _ := time.ParseInLocation("2006-01-02", day, workcal.Location())
			clock = t.Add(17 * time.Hour)
		}
		svc := results.New(db)
		svc.Now = func() time.Time { return clock }
		towns := []string{w.Town.Code}
		admin := users["admin"]
		places := map[string][2]float64{}
		for _, p := range w.Places {
			places[p.Name] = [2]float64{p.Lat, p.Lng}
		}
		var photos []string
		rows, err := db.Query(ctx, `SELECT id FROM uploads WHERE town_code = ? ORDER BY created_at, id LIMIT 4`, w.Town.Code)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			photos = append(photos, id)
		}
		rows.Close()

		at("2025-01-16") // the congress's ballot chose them
		var chosen []results.Chosen
		for i, p := range demoResults {
			c := results.Chosen{Town: w.Town.Code, Year: DemoResultsYear, Source: fmt.Sprintf("seed:2025-%d", i+1), Title: p.title, Description: p.desc,
				Category: p.category, Department: p.dept, BudgetFen: int64(p.budgetWan * 1e6), Place: p.place}
			if ll, ok := places[placeOf(p)]; ok {
				c.Lat, c.Lon = ll[0], ll[1]
			}
			chosen = append(chosen, c)
		}
		ids, err := adoptedByTitle(ctx, db, w.Town.Code, chosen)
		if err != nil {
			return err
		}
		if ids == nil {
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				ids, err = svc.Adopt(ctx, tx, chosen)
				return err
			}); err != nil {
				return fmt.Errorf("demo results: %w", err)
			}
		}
		record := func(id int64, e demoEntry, i int) error {
			at(e.day)
			ch := results.Change{Note: e.note, Status: e.status, Day: e.day}
			if e.progress >= 0 {
				p := e.progress
				ch.Progress = &p
			}
			if len(photos) > 0 && i%2 == 1 {
				ch.Photos = []string{photos[i%len(photos)]}
			}
			_, err := svc.Record(ctx, towns, id, ch, admin)
			return err
		}
		for i, p := range demoResults {
			id := ids[i]
			at("2025-02-10")
			var ms []results.Milestone
			for _, m := range p.milestones {
				got, err := svc.AddMilestone(ctx, towns, id, results.NewMilestone{Title: m.title, Planned: m.planned}, admin)
				if err != nil {
					return fmt.Errorf("demo milestone %s: %w", m.title, err)
				}
				ms = append(ms, got)
			}
			for j, part := range p.parts {
				at("2025-02-10")
				c := results.Chosen{Year: DemoResultsYear, Title: part.title, Department: part.dept, Place: part.place, Weight: part.weight,
					BudgetFen: int64(part.budgetWan * 1e6), ParentID: id}
				if ll, ok := places[part.place]; ok {
					c.Lat, c.Lon = ll[0], ll[1]
				}
				r, err := svc.Create(ctx, towns, c, admin)
				if err != nil {
					return fmt.Errorf("demo part %s: %w", part.title, err)
				}
				for k, e := range part.entries {
					if err := record(r.ID, e, j+k); err != nil {
						return fmt.Errorf("demo progress %s %s: %w", part.title, e.day, err)
					}
				}
			}
			for k, e := range p.entries {
				if err := record(id, e, k); err != nil {
					return fmt.Errorf("demo progress %s %s: %w", p.title, e.day, err)
				}
			}
			for k, m := range p.milestones {
				if m.done == "" {
					continue
				}
				at(m.done)
				if _, err := svc.SetMilestone(ctx, towns, ms[k].ID, results.MilestoneChange{Done: m.done}, admin); err != nil {
					return fmt.Errorf("demo milestone done %s: %w", m.title, err)
				}
			}
		}
		// Deputies inspect (视察) before the half-year session, and comment.
		deputy := users["deputy"]
		at("2025-06-24")
		if _, err := svc.Inspect(ctx, towns, ids[0], results.Inspection{Day: "2025-06-24", Deputies: "田海燕、王建国、李秀珍（镇人大代表）", Place: "刘家宅二村",
			Findings: "雨污分流施工期间部分道路临时封闭，建议提前公示施工时间并设置无障碍临时通道。"}, deputy); err != nil {
			return err
		}
		if _, err := svc.Inspect(ctx, towns, ids[7], results.Inspection{Day: "2025-06-24", Deputies: "田海燕、陈志明（镇人大代表）", Place: "淞虹二村",
			Findings: "充电桩点位离楼栋较远，老年居民使用不便，建议增加就近点位。"}, deputy); err != nil {
			return err
		}
		if _, err := svc.AddComment(ctx, towns, ids[5], "请加快已签约加装电梯项目的开工审批，年底前完成目标。", deputy); err != nil {
			return err
		}
		// The year-end evaluation: rating forms collected from 20 December to 10 January.
		at("2025-12-19")
		for i := range demoResults {
			r, err := svc.Get(ctx, towns, ids[i])
			if err != nil {
				return err
			}
			if _, err := svc.Update(ctx, towns, ids[i], results.Edit{Title: r.Title, Description: r.Description, Category: r.Category, Department: r.Department,
				BudgetFen: r.BudgetFen, Weight: r.Weight, Place: r.Place, Lat: r.Lat, Lng: r.Lng, RatingOpens: "2025-12-20", RatingCloses: "2026-01-10"}, admin); err != nil {
				return err
			}
		}
		at("2026-01-10")
		for i, p := range demoResults {
			if err := svc.AddPaperRatings(ctx, towns, ids[i], p.residents, admin); err != nil {
				return fmt.Errorf("demo ratings %s: %w", p.title, err)
			}
			dep := results.Paper{Kind: "deputy", Satisfied: 40 + i%5, Basic: 12, Dissatisfied: 2 + i%3}
			if err := svc.AddPaperRatings(ctx, towns, ids[i], dep, admin); err != nil {
				return err
			}
		}
		at("2026-01-12")
		vs, err := svc.Evaluate(ctx, towns, w.Town.Code, DemoResultsYear, "请镇平安办会同相关居委会增设就近充电点位，一季度内完成整改并向代表反馈。", admin)
		if err != nil {
			return err
		}
		sent := 0
		for _, v := range vs {
			if v.Rectify {
				sent++
			}
		}
		log.Info("demo results loaded", "town", w.Town.Name, "projects", len(ids), "sent back", sent, "ms", time.Since(start).Milliseconds())
		return nil
	}
}

// adoptedByTitle returns the ids of the results the ballot adopted, in the order of chosen, or
// nil when the town has none of them (no ballot was loaded).
func adoptedByTitle(ctx context.Context, db *store.DB, town string, chosen []results.Chosen) ([]int64, error) {
	ids := make([]int64, len(chosen))
	found := 0
	for i, c := range chosen {
		err := db.QueryRow(ctx, `SELECT id FROM results WHERE town_code = ? AND year = ? AND parent_id IS NULL AND title = ?`,
			town, c.Year, c.Title).Scan(&ids[i])
		switch {
		case err == nil:
			found++
		case !errors.Is(err, sql.ErrNoRows):
			return nil, err
		}
	}
	switch found {
	case 0:
		return nil, nil
	case len(chosen):
		return ids, nil
	}
	return nil, fmt.Errorf("demo results: the town's %d results of %d are %d of the demo's %d projects", found, chosen[0].Year, found, len(chosen))
}

// placeOf is the demo place whose position a project shows: the first part's, or its own.
func placeOf(p demoResult) string {
	for _, part := range p.parts {
		return part.place
	}
	switch p.title {
	case "“江南文化”进社区":
		return "新泾镇民间文化艺术展示馆"
	case "家庭医生签约服务提升":
		return "新泾镇社区卫生服务中心"
	case "健身点设施更新":
		return "新泾法治文化广场"
	case "社区长者助餐点建设":
		return "新泾一村"
	case "电动自行车集中充电设施建设":
		return "淞虹二村"
	case "重度残疾人家庭无障碍设施改造":
		return "新泾镇社区事务受理服务中心"
	case "睦邻点服务提升":
		return "新泾镇社区党群服务中心"
	case "既有多层住宅加装电梯":
		return "绿园五村"
	}
	return ""
}

// WorldWithResults is World with the 2025 livelihood projects, for tests (webtest's shape): the
// congress's ballot, whose publication adopts the winners as results, then their year.
func WorldWithResults(ctx context.Context, db *store.DB, _ string) error {
	_, err := Load(ctx, db, slog.New(slog.DiscardHandler), Projects(time.Now()), Results())
	return err
}
