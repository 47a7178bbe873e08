package party_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/party"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

var (
	ctx   = context.Background()
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
	xj    = []string{world.XinjingCode}
	// now is a fixed day of the demo: 2026-03-16, a Monday; the honour year is 2025.
	now = time.Date(2026, 3, 16, 10, 0, 0, 0, workcal.Location())
)

func each(t *testing.T, body func(t *testing.T, db *store.DB, s *party.Service, admin, worker auth.User)) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := demo.Load(ctx, db, quiet, demo.Campaigns(now), demo.Party(now)); err != nil {
			t.Fatal(err)
		}
		admin, err := auth.UserByUsername(ctx, db, "admin")
		if err != nil {
			t.Fatal(err)
		}
		worker, err := auth.UserByUsername(ctx, db, "gridworker")
		if err != nil {
			t.Fatal(err)
		}
		s := party.New(db)
		s.Now = func() time.Time { return now }
		body(t, db, s, admin, worker)
	})
}

// The demo's 新泾镇: 214 awarded in the year by the stored dates, the convener's history from the
// seed and the next in turn by the rule, the network's 1+31+N in 陆家嘴.
func TestDemoFigures(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, s *party.Service, admin, _ auth.User) {
		year := party.HonourYear(now)
		roots, err := s.Tree(ctx, xj, year)
		if err != nil || len(roots) != 1 {
			t.Fatalf("tree: %v, %d roots", err, len(roots))
		}
		if got := roots[0].HonouredTotal; got != 214 {
			t.Errorf("光荣在党50年 awarded in %d = %d, want 214", year, got)
		}
		_, awarded, err := s.TownHonours(ctx, world.XinjingCode, year)
		if err != nil || awarded != 214 {
			t.Errorf("TownHonours = %d, %v; want 214", awarded, err)
		}
		// The next year's count is another set of dates: not 214 by a stored number.
		if next, _ := s.Tree(ctx, xj, year+1); next[0].HonouredTotal == 214 {
			t.Errorf("the year after also counts 214: the figure does not come from the dates")
		}
		cs, err := s.Councils(ctx, xj)
		if err != nil || len(cs) != 1 {
			t.Fatalf("councils: %v %d", err, len(cs))
		}
		c, err := s.Council(ctx, xj, cs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		n := len(c.Conveners)
		if n < 2 || c.Conveners[n-2].Unit != "市农委执法总队党支部" || c.Conveners[n-1].Unit != "地铁2号线党总支" || c.Conveners[n-2].To != "2025-06-27" {
			t.Errorf("convener history = %+v", c.Conveners)
		}
		if c.Next == nil || c.Next.Name != "新泾派出所党支部" {
			t.Errorf("next in turn = %+v, want 新泾派出所党支部", c.Next)
		}
		ljz := []string{world.LujiazuiCode}
		_, nc, err := s.Network(ctx, ljz)
		if err != nil || nc.Centres != 1 || nc.Stations != 31 || nc.Enterprises != 16 || nc.Points < 16 {
			t.Errorf("network = %+v, %v; want 1 + 31 + N with 16 enterprises", nc, err)
		}
		r, err := s.Coverage(ctx, xj, world.XinjingCode)
		if err != nil {
			t.Fatal(err)
		}
		if r.Total.Entities != 22 || len(r.Gaps) == 0 || r.Total.Full == 0 || r.Total.Full == r.Total.Entities {
			t.Errorf("coverage = %+v with %d gaps", r.Total, len(r.Gaps))
		}
		// The campaigns' visits count: the merchants on 淞虹路 are covered only through them.
		for _, e := range r.Entities {
			if e.Name == "淞虹路沿街商户" && (len(e.Visits) == 0 || !e.WorkCovered(r.Day)) {
				t.Errorf("淞虹路沿街商户: visits %d, work covered %v", len(e.Visits), e.WorkCovered(r.Day))
			}
		}
		if _, err := s.Coverage(ctx, xj, world.LujiazuiCode); err == nil {
			t.Error("coverage of a town not the caller's: want not found")
		}
	})
}

// A resolution becomes a task due on a working day; the next meeting lists it open and reviews
// it; a meeting cannot review its own resolution; the review sets progress and status.
func TestResolutionTaskReview(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, s *party.Service, admin, worker auth.User) {
		cs, _ := s.Councils(ctx, xj)
		c, err := s.Council(ctx, xj, cs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		// 2026-04-03 is a Friday; 4 working days on, past the Qingming holiday (04-04…04-06), is 2026-04-10.
		m, err := s.RecordMeeting(ctx, xj, c.ID, party.NewMeeting{Title: "测试会议", HeldOn: "2026-04-03", Attending: []int64{c.Units[0].ID, c.Units[1].ID},
			Resolutions: []party.NewTask{{Text: "建立议事清单", Owner: c.Units[1].Name, DueDays: 4}}}, admin)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Resolutions) != 1 || m.Resolutions[0].Status != party.TaskOpen {
			t.Fatalf("resolutions = %+v", m.Resolutions)
		}
		task := m.Resolutions[0]
		want := workcal.Default().AddWorkingDays(time.Date(2026, 4, 3, 18, 0, 0, 0, workcal.Location()), 4).Format(party.DateLayout)
		if task.Due != want || task.Due <= "2026-04-07" {
			t.Errorf("due = %s, want %s (after the holiday)", task.Due, want)
		}
		if len(m.Attending) != 2 || len(m.Absent) == 0 {
			t.Errorf("attending %d absent %d", len(m.Attending), len(m.Absent))
		}
		if _, err := s.ReviewTask(ctx, xj, m.ID, task.ID, party.NewReview{Note: "x", Progress: 10}, admin); problem.FieldOf(err) != "task" {
			t.Errorf("a meeting reviewing its own resolution: %v, want a field error on task", err)
		}
		if _, err := s.ReviewTask(ctx, xj, m.ID, task.ID, party.NewReview{Note: "x", Progress: 10}, worker); err == nil {
			t.Error("a grid worker reviewed a task; want forbidden")
		}
		next, err := s.RecordMeeting(ctx, xj, c.ID, party.NewMeeting{Title: "下次会议", HeldOn: "2026-05-08"}, admin)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, x := range next.ToReview {
			if x.ID == task.ID {
				found = true
			}
		}
		if !found {
			t.Fatalf("the next meeting does not list the open task %d for review", task.ID)
		}
		if _, err := s.ReviewTask(ctx, xj, next.ID, task.ID, party.NewReview{Note: "过半", Progress: 60}, admin); err != nil {
			t.Fatal(err)
		}
		got, err := s.ReviewTask(ctx, xj, next.ID, task.ID, party.NewReview{Note: "已完成", Progress: 100}, admin)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != party.TaskDone || got.Progress != 100 || len(got.Reviews) != 1 || got.Reviews[0].Note != "已完成" {
			t.Errorf("after review: %+v (a second review at a meeting replaces the first)", got)
		}
		again, _ := s.Meeting(ctx, xj, next.ID)
		if r := again.Reviewed(again.ToReview[indexOf(again.ToReview, task.ID)]); r == nil || r.Progress != 100 {
			t.Errorf("the meeting's review = %+v", r)
		}
		// A done task no longer waits for a meeting after.
		later, _ := s.RecordMeeting(ctx, xj, c.ID, party.NewMeeting{Title: "再下次", HeldOn: "2026-06-05"}, admin)
		if indexOf(later.ToReview, task.ID) >= 0 {
			t.Error("a done task is listed for review again")
		}
		// Nothing half-written: a bad resolution refuses the whole meeting.
		_, err = s.RecordMeeting(ctx, xj, c.ID, party.NewMeeting{Title: "坏会议", HeldOn: "2026-06-10",
			Resolutions: []party.NewTask{{Text: "a", Owner: "b", DueDays: 3}, {Text: "c", Owner: "", DueDays: 3}}}, admin)
		if problem.FieldOf(err) != "resolutions[1].owner" {
			t.Errorf("bad resolution: %v", err)
		}
		var n int
		db.QueryRow(ctx, `SELECT COUNT(*) FROM party_meetings WHERE title = '坏会议'`).Scan(&n)
		if n != 0 {
			t.Error("a refused meeting was stored")
		}
		if _, err := s.RecordMeeting(ctx, xj, c.ID, party.NewMeeting{Title: "周末", HeldOn: "2026-06-10",
			Resolutions: []party.NewTask{{Text: "a", Owner: "b", Due: "2026-06-13"}}}, admin); problem.FieldOf(err) != "resolutions[0].due" {
			t.Errorf("due on a Saturday: %v", err)
		}
	})
}

func indexOf(ts []party.Task, id int64) int {
	for i, t := range ts {
		if t.ID == id {
			return i
		}
	}
	return -1
}

// Handing over by the rule, then a unit leaving: the next turn skips it.
func TestHandOverFollowsTheRule(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, s *party.Service, admin, worker auth.User) {
		cs, _ := s.Councils(ctx, xj)
		c, _ := s.Council(ctx, xj, cs[0].ID)
		turn, err := s.HandOver(ctx, xj, c.ID, "2026-06-30", 0, "", admin)
		if err != nil || turn.Unit != "新泾派出所党支部" {
			t.Fatalf("handover = %+v, %v", turn, err)
		}
		var market int64
		for _, u := range c.Units {
			if u.Name == "新泾市场监管所党支部" {
				market = u.ID
			}
		}
		if err := s.LeaveUnit(ctx, xj, c.ID, market, "2027-01-01", admin); err != nil {
			t.Fatal(err)
		}
		turn, err = s.HandOver(ctx, xj, c.ID, "2027-06-30", 0, "", admin)
		if err != nil || turn.Unit != "新泾镇社区卫生服务中心党支部" {
			t.Errorf("after a unit left: %+v, %v; want 新泾镇社区卫生服务中心党支部", turn, err)
		}
		if _, err := s.HandOver(ctx, xj, c.ID, "2027-01-01", 0, "", admin); problem.FieldOf(err) != "day" {
			t.Errorf("a handover before the current turn: %v", err)
		}
		if _, err := s.HandOver(ctx, xj, c.ID, "2028-01-01", 0, "", worker); err == nil {
			t.Error("a grid worker handed over; want forbidden")
		}
		c2, _ := s.Council(ctx, xj, c.ID)
		if got := c2.Conveners[len(c2.Conveners)-2]; got.To != "2027-06-30" {
			t.Errorf("the previous turn ends %q, want 2027-06-30", got.To)
		}
	})
}

// Roster: counted honours by member, the audit row of an import names no one.
func TestRosterAndAudit(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB, s *party.Service, admin, _ auth.User) {
		year := party.HonourYear(now)
		roots, _ := s.Tree(ctx, xj, year)
		var branch *party.Org
		for _, o := range party.Flatten(roots) {
			if o.Name == "绿八居民区第一党支部" {
				branch = o
			}
		}
		if branch == nil {
			t.Fatal("no 绿八居民区第一党支部")
		}
		_, ms, err := s.Roster(ctx, xj, branch.ID, year)
		if err != nil {
			t.Fatal(err)
		}
		awarded := 0
		for _, m := range ms {
			if m.Awarded {
				awarded++
			}
		}
		if len(ms) != branch.Members || awarded != branch.Honoured || awarded == 0 {
			t.Errorf("roster %d members %d awarded; org says %d, %d", len(ms), awarded, branch.Members, branch.Honoured)
		}
		var detail string
		db.QueryRow(ctx, `SELECT detail FROM audit_log WHERE entity = 'party_member' ORDER BY id LIMIT 1`).Scan(&detail)
		if strings.Contains(detail, ms[0].Name) || !strings.Contains(detail, "members of organisation") {
			t.Errorf("audit detail %q", detail)
		}
		if _, _, err := s.Roster(ctx, []string{world.LujiazuiCode}, branch.ID, year); err == nil {
			t.Error("another town's roster: want not found")
		}
		if _, err := s.AddMember(ctx, xj, branch.ID, party.NewMember{Name: "赵新", Joined: "2030-01-01"}, admin); problem.FieldOf(err) != "joined" {
			t.Errorf("joined in the future: %v", err)
		}
	})
}
