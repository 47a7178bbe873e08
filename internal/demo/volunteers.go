package demo

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/volunteers"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// The demo's volunteer alliance of 新泾镇 (the seeds' names) and its five grid projects.
const (
	VolunteerAlliance = `向“新”力志愿服务联盟`
	// VolunteerToday is the title of the activity under way when the demo loads (the browser tests
	// sign up for it and check in).
	VolunteerToday = "泾彩悦读 · 社区共读日"
)

// VolunteerProjects are the five grid volunteer projects of 新泾镇's "一格一最" brand.
var VolunteerProjects = []struct{ Name, Description string }{
	{"泾彩悦读", "社区图书角、亲子共读和长者读报，让阅读走进每个网格。"},
	{"健康守护", "测血压、用药咨询、健康讲座，陪伴独居老人就医。"},
	{"乐颐空间", "为老服务：助餐送餐、智能手机教学、生日会。"},
	{"尚廉新泾", "廉洁文化宣传、居务公开监督、法律咨询。"},
	{"文明保畅", "路口文明引导、共享单车整理、地铁站早高峰疏导。"},
}

var volunteerSurnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
var volunteerGiven = []string{"建华", "秀英", "志强", "丽娟", "文斌", "海燕", "晓东", "佳怡", "子涵", "国平", "美玲", "伟民", "雅琴", "俊杰", "静怡", "德明", "桂芳", "晨阳", "思远", "玉兰",
	"振宇", "嘉欣", "宏伟", "淑珍", "亦凡", "春梅", "立新", "梦琪", "家豪", "慧敏"}
var demoSkills = []string{"医护", "法律咨询", "摄影", "外语", "书法", "手机教学", "心理疏导", "烹饪", "文艺演出", "交通引导", "阅读推广", ""}
var demoAvail = []string{"周末上午", "周末全天", "工作日晚上", "周三下午", "随时"}

// Volunteers returns the demo loader of 新泾镇's volunteer service: the alliance with teams and
// member units, the five grid projects, about sixty invented volunteers (the demo user
// "volunteer", 周根宝, among them; a few registrations still pending), a season of activities —
// twelve weeks past with sign-ups through the capacity engine, check-ins and check-outs by the
// rotating code, a walk-in, missing check-outs confirmed by the lead, adjustments with reasons —
// one under way now and more to come with waiting lists, trainings and awards, and certificates.
// Idempotent: a town whose alliance exists is left alone.
func Volunteers(now time.Time) Extra {
	return func(ctx context.Context, db *store.DB, w *world.World, log *slog.Logger) error {
		if w.Town.Code != world.XinjingCode {
			return nil
		}
		towns := []string{w.Town.Code}
		clock := now
		s := &volunteers.Service{DB: db, Now: func() time.Time { return clock }}
		if _, err := s.GetAlliance(ctx, towns, w.Town.Code); err == nil {
			return nil
		}
		start := time.Now()
		actor := audit.Actor{Name: "demo"}
		r := rand.New(rand.NewSource(20260315))
		loc := workcal.Location()
		if err := s.SetAlliance(ctx, towns, volunteers.Alliance{TownCode: w.Town.Code, Name: VolunteerAlliance, Issuer: "新泾镇" + VolunteerAlliance,
			PersonInCharge: "林晓岚", Contact: "021-6238 0000"}, actor); err != nil {
			return fmt.Errorf("demo alliance: %w", err)
		}
		var teams []volunteers.Team
		for _, t := range []volunteers.Team{
			{Kind: volunteers.TeamService, Name: "“一格一最”网格志愿服务队", Leader: "陈雅琴"},
			{Kind: volunteers.TeamService, Name: "银龄志愿服务队", Leader: "顾德明"},
			{Kind: volunteers.TeamService, Name: "青年突击志愿服务队", Leader: "邵晨阳"},
			{Kind: volunteers.TeamUnit, Name: "市农委执法总队党支部"},
			{Kind: volunteers.TeamUnit, Name: "地铁2号线党总支"},
		} {
			t.TownCode = w.Town.Code
			t, err := s.AddTeam(ctx, towns, t, actor)
			if err != nil {
				return fmt.Errorf("demo team %s: %w", t.Name, err)
			}
			teams = append(teams, t)
		}
		var projects []volunteers.Project
		for i, p := range VolunteerProjects {
			grid := ""
			if len(w.Grids) > 0 {
				grid = w.Grids[i%len(w.Grids)].Code
			}
			pr, err := s.AddProject(ctx, towns, volunteers.Project{TownCode: w.Town.Code, GridCode: grid, TeamID: teams[i%3].ID, Name: p.Name, Description: p.Description}, actor)
			if err != nil {
				return fmt.Errorf("demo project %s: %w", p.Name, err)
			}
			projects = append(projects, pr)
		}
		users := map[string]auth.User{}
		for _, n := range []string{"volunteer", "gridworker", "gridleader", "admin"} {
			u, err := auth.UserByUsername(ctx, db, n)
			if err != nil {
				return fmt.Errorf("demo user %s: %w", n, err)
			}
			users[n] = u
		}
		// Volunteers: registered over the last year, approved a day later; the last five wait.
		var vols []volunteers.Volunteer
		const total = 62
		for i := 0; i < total; i++ {
			name := string(volunteerSurnames[r.Intn(len(volunteerSurnames))]) + volunteerGiven[r.Intn(len(volunteerGiven))]
			var userID int64
			if i == 0 {
				name, userID = users["volunteer"].DisplayName, users["volunteer"].ID
			}
			birth := time.Date(1950+r.Intn(55), time.Month(1+r.Intn(12)), 1+r.Intn(28), 0, 0, 0, 0, loc)
			first := fmt.Sprintf("310105%s%03d", birth.Format("20060102"), 100+i)
			grid := ""
			if len(w.Grids) > 0 {
				grid = w.Grids[r.Intn(len(w.Grids))].Code
			}
			clock = now.AddDate(0, 0, -200+i*2)
			v, err := s.Register(ctx, towns, volunteers.Application{TownCode: w.Town.Code, Name: name, IDType: volunteers.IDResident,
				IDNumber: first + string(volunteers.ResidentIDCheck(first)), Phone: fmt.Sprintf("139%08d", 16000000+i*7919%9999999),
				Skills: demoSkills[r.Intn(len(demoSkills))], Availability: demoAvail[r.Intn(len(demoAvail))], GridCode: grid, TeamID: teams[r.Intn(3)].ID}, userID, actor)
			if err != nil {
				return fmt.Errorf("demo volunteer %s: %w", name, err)
			}
			if i < total-5 {
				clock = clock.Add(26 * time.Hour)
				if v, err = s.Decide(ctx, towns, v.ID, true, "", actor); err != nil {
					return err
				}
				vols = append(vols, v)
			}
		}
		genbao := vols[0]
		// Places of the activities: the demo's named places.
		type spot struct {
			name     string
			lat, lng float64
		}
		var spots []spot
		for _, p := range w.Places {
			if p.Lat != 0 && len(spots) < 12 {
				spots = append(spots, spot{p.Name, p.Lat, p.Lng})
			}
		}
		if len(spots) == 0 {
			spots = append(spots, spot{"新泾镇社区文化活动中心", 31.2090, 121.3620})
		}
		titles := map[string][]string{
			"泾彩悦读": {"社区图书角整理", "亲子共读会", "长者读报"},
			"健康守护": {"义诊测血压", "健康讲座引导", "陪诊服务"},
			"乐颐空间": {"助餐送餐", "智能手机教学", "老人生日会"},
			"尚廉新泾": {"廉洁文化宣传", "居务公开监督日", "法律咨询服务"},
			"文明保畅": {"路口文明引导", "共享单车整理", "地铁站早高峰疏导"},
		}
		leads := []int64{users["gridworker"].ID, users["gridleader"].ID, genbao.UserID}
		day0 := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 0, 0, 0, 0, loc)
		n, attended := 0, 0
		create := func(title string, p volunteers.Project, sp spot, startAt time.Time, hours int, lead int64, roles []volunteers.NewRole) (volunteers.Activity, error) {
			clock = startAt.AddDate(0, 0, -10)
			lat, lng := sp.lat, sp.lng
			return s.CreateActivity(ctx, towns, volunteers.NewActivity{ProjectID: p.ID, Title: title, Place: sp.name, Lat: &lat, Lng: &lng, Start: startAt,
				End: startAt.Add(time.Duration(hours) * time.Hour), LeadID: lead, Roles: roles,
				Requirements: "请提前10分钟到达，佩戴志愿者马甲。", Description: p.Description}, actor)
		}
		// Twelve weeks past: two or three activities a week.
		for week := -12; week < 0; week++ {
			for k := 0; k < 2+r.Intn(2); k++ {
				p := projects[(n+k)%len(projects)]
				ts := titles[p.Name]
				startAt := day0.AddDate(0, 0, week*7+1+k*2).Add(time.Duration(8+r.Intn(8)) * time.Hour)
				places := 4 + r.Intn(6)
				a, err := create(ts[r.Intn(len(ts))], p, spots[r.Intn(len(spots))], startAt, 2+r.Intn(2), leads[r.Intn(2)],
					[]volunteers.NewRole{{Name: "服务岗", Places: places}, {Name: "引导岗", Places: 2}})
				if err != nil {
					return fmt.Errorf("demo activity: %w", err)
				}
				n++
				// Sign-ups a few days before: more than the places, so some wait.
				clock = startAt.AddDate(0, 0, -3)
				picked := r.Perm(len(vols))[:places+3]
				if r.Intn(3) == 0 && week > -10 {
					picked = append(picked, 0) // 周根宝 often comes
				}
				seen := map[int]bool{}
				for j, vi := range picked {
					if seen[vi] {
						continue
					}
					seen[vi] = true
					role := a.Roles[0].ID
					if j%5 == 4 {
						role = a.Roles[1].ID
					}
					if _, err := s.SignUpFor(ctx, towns, role, vols[vi], actor); err != nil {
						return fmt.Errorf("demo sign-up: %w", err)
					}
				}
				roster, err := s.Roster(ctx, towns, a.ID)
				if err != nil {
					return err
				}
				for j, e := range roster {
					if e.State != "confirmed" || r.Intn(10) == 0 { // one in ten does not come
						continue
					}
					var v volunteers.Volunteer
					for _, x := range vols {
						if x.ID == e.VolunteerID {
							v = x
						}
					}
					clock = startAt.Add(time.Duration(-10+r.Intn(25)) * time.Minute)
					code, _, err := s.CheckInCode(ctx, a.ID, clock)
					if err != nil {
						return err
					}
					if _, err := s.CheckInOut(ctx, towns, a.ID, v, volunteers.Proof{Code: code}, actor); err != nil {
						return fmt.Errorf("demo check-in: %w", err)
					}
					attended++
					if j == 1 && r.Intn(2) == 0 {
						continue // a missing check-out
					}
					clock = a.End.Add(time.Duration(-30+r.Intn(45)) * time.Minute)
					code, _, _ = s.CheckInCode(ctx, a.ID, clock)
					if _, err := s.CheckInOut(ctx, towns, a.ID, v, volunteers.Proof{Code: code}, actor); err != nil {
						return fmt.Errorf("demo check-out: %w", err)
					}
				}
				// The lead confirms missing check-outs (all but the last weeks'), records a walk-in
				// now and then and adjusts one attendance with its reason.
				clock = a.End.Add(20 * time.Hour)
				att, err := s.Attendances(ctx, towns, a.ID)
				if err != nil {
					return err
				}
				for i, x := range att {
					if x.CheckOut == nil && week < -1 {
						if _, err := s.CheckOutFor(ctx, towns, x.ID, a.End.Add(-15*time.Minute), "志愿者忘记签退，带队人现场确认离开时间", actor); err != nil {
							return fmt.Errorf("demo confirm check-out: %w", err)
						}
					} else if i == 0 && r.Intn(4) == 0 && x.CheckOut != nil {
						if _, err := s.Adjust(ctx, towns, x.ID, x.Credited()+30, "活动结束后协助清点物资30分钟", actor); err != nil {
							return fmt.Errorf("demo adjust: %w", err)
						}
					}
				}
			}
		}
		// Today's activity under way, with free places; and the weeks to come, one of them full.
		for i, up := range []struct {
			title     string
			p         int
			startAt   time.Time
			hours     int
			places    int
			signUps   int
			leadIndex int
		}{
			{VolunteerToday, 0, now.Add(-time.Hour).Truncate(time.Minute), 4, 8, 3, 0},
			{"义诊测血压", 1, day0.AddDate(0, 0, 2).Add(9 * time.Hour), 3, 6, 4, 1},
			{"地铁站早高峰疏导", 4, day0.AddDate(0, 0, 4).Add(7 * time.Hour), 2, 4, 7, 0},
			{"智能手机教学", 2, day0.AddDate(0, 0, 6).Add(14 * time.Hour), 2, 5, 2, 2},
			{"廉洁文化宣传", 3, day0.AddDate(0, 0, 9).Add(10 * time.Hour), 2, 6, 3, 1},
			{"亲子共读会", 0, day0.AddDate(0, 0, 13).Add(15 * time.Hour), 2, 8, 1, 0},
		} {
			a, err := create(up.title, projects[up.p], spots[i%len(spots)], up.startAt, up.hours, leads[up.leadIndex],
				[]volunteers.NewRole{{Name: "服务岗", Places: up.places}, {Name: "引导岗", Places: 2}})
			if err != nil {
				return fmt.Errorf("demo activity %s: %w", up.title, err)
			}
			clock = now.Add(-2 * time.Hour)
			for k := 0; k < up.signUps; k++ {
				if _, err := s.SignUpFor(ctx, towns, a.Roles[0].ID, vols[5+i*7+k], actor); err != nil {
					return fmt.Errorf("demo sign-up %s: %w", up.title, err)
				}
			}
			if i == 1 || i == 3 {
				if _, err := s.SignUpFor(ctx, towns, a.Roles[0].ID, genbao, actor); err != nil {
					return err
				}
			}
		}
		// Records and certificates.
		clock = now
		for i, v := range vols[:20] {
			rec := volunteers.Record{VolunteerID: v.ID, Kind: volunteers.RecordTraining, Title: "志愿者岗前培训", Detail: "志愿服务礼仪、急救常识", Day: day(now.AddDate(0, -4, i))}
			if i%4 == 0 {
				rec = volunteers.Record{VolunteerID: v.ID, Kind: volunteers.RecordAward, Title: "新泾镇优秀志愿者", Detail: "“一格一最”年度表彰", Day: day(now.AddDate(0, -1, 0))}
			}
			if _, err := s.AddRecord(ctx, towns, rec, actor); err != nil {
				return err
			}
		}
		if _, err := s.AddRecord(ctx, towns, volunteers.Record{VolunteerID: genbao.ID, Kind: volunteers.RecordEvaluation, Title: "服务评价：优秀", Detail: "服务热情，准时守信", Day: day(now.AddDate(0, 0, -7))}, actor); err != nil {
			return err
		}
		issued := 0
		for _, v := range vols[:25] {
			if total, err := s.TotalMinutes(ctx, v.ID); err != nil || total == 0 {
				continue
			}
			if _, err := s.Issue(ctx, towns, volunteers.IssueRequest{VolunteerID: v.ID, From: day(day0.AddDate(0, 0, -90)), To: day(now)}, actor); err != nil {
				return fmt.Errorf("demo certificate: %w", err)
			}
			issued++
		}
		log.Info("demo volunteers loaded", "town", w.Town.Name, "volunteers", total, "activities", n+6, "attendances", attended, "certificates", issued,
			"ms", time.Since(start).Milliseconds())
		return nil
	}
}

func day(t time.Time) string { return t.In(workcal.Location()).Format("2006-01-02") }
