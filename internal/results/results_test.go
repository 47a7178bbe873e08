package results_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/results"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// Weighted progress, computed by hand: Σ wᵢ·pᵢ / Σ wᵢ.
func TestWeightedProgress(t *testing.T) {
	for _, tc := range []struct {
		name  string
		parts []results.Part
		want  float64
	}{
		{"none", nil, 0},
		{"one", []results.Part{{Progress: 40, Weight: 1}}, 40},
		{"equal weights", []results.Part{{Progress: 20, Weight: 1}, {Progress: 60, Weight: 1}}, 40},
		// 3·100 + 1·0 = 300; / 4 = 75
		{"three to one", []results.Part{{Progress: 100, Weight: 3}, {Progress: 0, Weight: 1}}, 75},
		// 2·50 + 3·80 + 5·10 = 100 + 240 + 50 = 390; / 10 = 39
		{"budget weights", []results.Part{{Progress: 50, Weight: 2}, {Progress: 80, Weight: 3}, {Progress: 10, Weight: 5}}, 39},
		// 0.5·30 + 1.5·90 = 15 + 135 = 150; / 2 = 75
		{"fractional weights", []results.Part{{Progress: 30, Weight: 0.5}, {Progress: 90, Weight: 1.5}}, 75},
	} {
		if got := results.WeightedProgress(tc.parts); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A milestone planned on a holiday is due the next working day (2025's National Day holiday
// runs 1–8 October; 11 October, a Saturday, is a make-up working day).
func TestDueDay(t *testing.T) {
	cal := workcal.Default()
	for planned, want := range map[string]string{
		"2025-06-30": "2025-06-30", // a Monday
		"2025-06-28": "2025-06-30", // Saturday → Monday
		"2025-10-01": "2025-10-09", // National Day
		"2025-10-11": "2025-10-11", // make-up working Saturday
	} {
		if got := results.DueDay(cal, planned); got != want {
			t.Errorf("DueDay(%s) = %s, want %s", planned, got, want)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	for in, want := range map[string]string{"2025H1": "2025-06-30", "2025h1": "2025-06-30", "2025": "2025-12-31", "2025Y": "2025-12-31"} {
		p, err := results.ParsePeriod(in)
		if err != nil || p.End() != want {
			t.Errorf("ParsePeriod(%q) = %v, %v; want end %s", in, p, err, want)
		}
	}
	for _, bad := range []string{"", "H1", "25H1", "2025H2x"} {
		if _, err := results.ParsePeriod(bad); err == nil {
			t.Errorf("ParsePeriod(%q) accepted", bad)
		}
	}
}

const town = "310105102"

type fixture struct {
	db                                          *store.DB
	svc                                         *results.Service
	admin, handler, other, deputy, resident, r2 auth.User
	day                                         time.Time
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO regions (code, name, level) VALUES ('310105', '长宁区', 'district')`,
		`INSERT INTO regions (code, name, level, parent_code, tenant) VALUES ('310105102', '新泾镇', 'town', '310105', 1)`,
		`INSERT INTO regions (code, name, level, parent_code, tenant) VALUES ('310105103', '其他镇', 'town', '310105', 1)`,
		`INSERT INTO departments (code, town_code, name, kind, created_at) VALUES ('xj-housing', '310105102', '新泾镇房管办', 'housing', 0)`,
		`INSERT INTO departments (code, town_code, name, kind, created_at) VALUES ('xj-sanitation', '310105102', '新泾镇市容绿化所', 'sanitation', 0)`,
	} {
		if _, err := db.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{db: db, day: time.Date(2025, 7, 1, 10, 0, 0, 0, workcal.Location())}
	mk := func(name, role, dept string) auth.User {
		u, err := auth.CreateUser(ctx, db, auth.NewUser{Username: name, DisplayName: name, Role: role, TownCode: town, DepartmentCode: dept, Password: "password-" + name}, "test")
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	f.admin = mk("admin", auth.RoleAdmin, "")
	f.handler = mk("housing", auth.RoleHandler, "xj-housing")
	f.other = mk("green", auth.RoleHandler, "xj-sanitation")
	f.deputy = mk("deputy", auth.RoleDeputy, "")
	f.resident = mk("resident", auth.RoleResident, "")
	f.r2 = mk("resident2", auth.RoleResident, "")
	f.svc = results.New(db)
	f.svc.Now = func() time.Time { return f.day }
	return f
}

func (f *fixture) adopt(t *testing.T, cs ...results.Chosen) []int64 {
	t.Helper()
	var ids []int64
	err := f.db.InTx(context.Background(), func(tx *store.Tx) error {
		var err error
		ids, err = f.svc.Adopt(context.Background(), tx, cs)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func (f *fixture) record(t *testing.T, id int64, p float64, by auth.User) {
	t.Helper()
	if _, err := f.svc.Record(context.Background(), []string{town}, id, results.Change{Progress: &p}, by); err != nil {
		t.Fatalf("progress %v of %d: %v", p, id, err)
	}
}

func (f *fixture) progress(t *testing.T, id int64) float64 {
	t.Helper()
	r, err := f.svc.Get(context.Background(), []string{town}, id)
	if err != nil {
		t.Fatal(err)
	}
	return r.Progress
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Adopting the same chosen project twice keeps one result; the audit and the first timeline
// entry come with it.
func TestAdoptIsIdempotent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		c := results.Chosen{Town: town, Year: 2025, Source: "project:7", Title: "精品小区建设", Department: "xj-housing", BudgetFen: 1_250_000_00}
		a := f.adopt(t, c)
		b := f.adopt(t, c, results.Chosen{Town: town, Year: 2025, Source: "project:8", Title: "健身点设施更新"})
		if a[0] != b[0] || b[1] == a[0] {
			t.Fatalf("ids %v then %v: want the same result for project:7", a, b)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM results WHERE source = 'project:7'`); n != 1 {
			t.Errorf("%d results of project:7", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'adopt' AND entity = 'result'`); n != 2 {
			t.Errorf("%d adopt audit rows, want 2", n)
		}
		r, _ := f.svc.Get(context.Background(), []string{town}, a[0])
		if r.Status != results.StatusNotStarted || r.BudgetFen != 1_250_000_00 || r.DeptName != "新泾镇房管办" {
			t.Errorf("adopted %+v", r)
		}
		// A bad one in the batch: nothing of the batch is adopted (the caller's transaction fails).
		err := db.InTx(context.Background(), func(tx *store.Tx) error {
			_, err := results.Adopt(context.Background(), tx, []results.Chosen{{Town: town, Year: 2025, Source: "project:9", Title: "ok"},
				{Town: town, Year: 2025, Source: "project:10", Title: "x", Department: "nope"}})
			return err
		})
		if problem.FieldOf(err) != "department" {
			t.Errorf("bad department: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM results WHERE source = 'project:9'`); n != 0 {
			t.Errorf("project:9 adopted although its batch failed")
		}
		// Another town's result is not found.
		if _, err := f.svc.Get(context.Background(), []string{"310105103"}, a[0]); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("other town: %v", err)
		}
	})
}

// A parent's progress is the weighted mean of its parts', all the way up; a handler updates only
// their department's results, and a parent's progress cannot be set.
func TestTreeProgress(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		root := f.adopt(t, results.Chosen{Town: town, Year: 2025, Source: "seed:1", Title: "精品小区建设", Department: "xj-housing"})[0]
		towns := []string{town}
		mk := func(title string, parent int64, w float64) int64 {
			r, err := f.svc.Create(ctx, towns, results.Chosen{Year: 2025, Title: title, ParentID: parent, Weight: w}, f.admin)
			if err != nil {
				t.Fatal(err)
			}
			return r.ID
		}
		a := mk("刘家宅一村", root, 3)
		b := mk("北虹小区", root, 1)
		c := mk("绿园五村", root, 2)
		b1 := mk("北虹 雨污分流", b, 1)
		b2 := mk("北虹 立面整修", b, 3)
		f.record(t, a, 60, f.handler)  // handler of the root's department may update its parts
		f.record(t, b1, 100, f.admin)  // b = (1·100 + 3·20)/4 = 40
		f.record(t, b2, 20, f.handler) //
		f.record(t, c, 30, f.handler)
		// root = (3·60 + 1·40 + 2·30) / 6 = (180 + 40 + 60) / 6 = 46.666… → 46.7
		if got := f.progress(t, b); got != 40 {
			t.Errorf("北虹 %v, want 40", got)
		}
		if got := f.progress(t, root); got != 46.7 {
			t.Errorf("root %v, want 46.7", got)
		}
		// Changing a weight recomputes: c weight 2 → 6: (180 + 40 + 180)/10 = 40
		rc, _ := f.svc.Get(ctx, towns, c)
		if _, err := f.svc.Update(ctx, towns, c, results.Edit{Title: rc.Title, Weight: 6}, f.admin); err != nil {
			t.Fatal(err)
		}
		if got := f.progress(t, root); got != 40 {
			t.Errorf("root after weight %v, want 40", got)
		}
		p := 90.0
		if _, err := f.svc.Record(ctx, towns, root, results.Change{Progress: &p}, f.admin); problem.FieldOf(err) != "progress" {
			t.Errorf("setting a parent's progress: %v", err)
		}
		if _, err := f.svc.Record(ctx, towns, a, results.Change{Progress: &p}, f.other); !errors.Is(err, problem.ErrForbidden) {
			t.Errorf("another department's handler: %v", err)
		}
		bad := 101.0
		if _, err := f.svc.Record(ctx, towns, a, results.Change{Progress: &bad}, f.admin); problem.FieldOf(err) != "progress" {
			t.Errorf("101%%: %v", err)
		}
		if _, err := f.svc.Record(ctx, towns, a, results.Change{Note: "x", Day: "2025-07-02"}, f.admin); problem.FieldOf(err) != "day" {
			t.Errorf("a day in the future: %v", err)
		}
		// Every change is audited and on the timeline.
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'result' AND action = 'update'`); n != 5 {
			t.Errorf("%d update audit rows, want 5", n)
		}
		tl, err := f.svc.Timeline(ctx, towns, b2)
		if err != nil || len(tl) != 2 || tl[0].Progress == nil || *tl[0].Progress != 20 {
			t.Errorf("timeline of b2: %+v %v", tl, err)
		}
		// Too deep: a part of a part of a part.
		if _, err := f.svc.Create(ctx, towns, results.Chosen{Year: 2025, Title: "x", ParentID: b1}, f.admin); problem.FieldOf(err) != "parent_id" {
			t.Errorf("depth 4: %v", err)
		}
	})
}

// Overdue milestones: not done after their due day; done after it is late; the handler's home
// lists their department's.
func TestOverdueMilestones(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		towns := []string{town}
		ids := f.adopt(t, results.Chosen{Town: town, Year: 2025, Source: "seed:1", Title: "精品小区建设", Department: "xj-housing"},
			results.Chosen{Town: town, Year: 2025, Source: "seed:2", Title: "社区生境花园建设", Department: "xj-sanitation"})
		add := func(id int64, title, planned string) results.Milestone {
			m, err := f.svc.AddMilestone(ctx, towns, id, results.NewMilestone{Title: title, Planned: planned}, f.admin)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		m1 := add(ids[0], "方案设计", "2025-03-31")
		m2 := add(ids[0], "施工招标", "2025-05-31") // Dragon Boat Festival, 31 May – 2 June: due Tuesday 3 June
		add(ids[0], "竣工验收", "2025-11-30")
		add(ids[1], "选址", "2025-04-30")
		if _, err := f.svc.SetMilestone(ctx, towns, m1.ID, results.MilestoneChange{Done: "2025-03-28"}, f.handler); err != nil {
			t.Fatal(err)
		}
		m2d, err := f.svc.SetMilestone(ctx, towns, m2.ID, results.MilestoneChange{Done: "2025-06-10"}, f.handler)
		if err != nil || !m2d.Late || m2d.Due != "2025-06-03" {
			t.Errorf("done after due: %+v %v", m2d, err)
		}
		if _, err := f.svc.SetMilestone(ctx, towns, m1.ID, results.MilestoneChange{Done: "2025-03-28"}, f.other); !errors.Is(err, problem.ErrForbidden) {
			t.Errorf("another department: %v", err)
		}
		if _, err := f.svc.SetMilestone(ctx, towns, m1.ID, results.MilestoneChange{Done: "2025-03-28", Planned: "2025-01-01"}, f.handler); !errors.Is(err, problem.ErrForbidden) {
			t.Errorf("a handler moving a milestone: %v", err)
		}
		r, _ := f.svc.Get(ctx, towns, ids[0])
		if r.Total != 3 || r.Done != 2 || r.Overdue != 0 || r.Late != 1 {
			t.Errorf("figures of %s: %+v", r.Title, r)
		}
		all, err := f.svc.OverdueIn(ctx, towns, 2025, "")
		if err != nil || len(all) != 1 || all[0].Title != "选址" {
			t.Errorf("overdue: %+v %v", all, err)
		}
		mine, _ := f.svc.OverdueIn(ctx, towns, 2025, "xj-housing")
		if len(mine) != 0 {
			t.Errorf("housing's overdue: %+v", mine)
		}
		// A day later in the year, 竣工验收 (planned Sunday 30 Nov, due Monday 1 Dec) is overdue.
		f.day = time.Date(2025, 12, 2, 9, 0, 0, 0, workcal.Location())
		mine, _ = f.svc.OverdueIn(ctx, towns, 2025, "xj-housing")
		if len(mine) != 1 || mine[0].Title != "竣工验收" || mine[0].Due != "2025-12-01" {
			t.Errorf("housing's overdue in December: %+v", mine)
		}
	})
}

// bulkFile builds an upload like the filled-in template with rows of cells.
func bulkFile(t *testing.T, rows ...[]string) *bytes.Buffer {
	t.Helper()
	var b bytes.Buffer
	if err := results.WriteBulk(&b, "Sheet1", rows); err != nil {
		t.Fatal(err)
	}
	return &b
}

// The bulk update: the template round-trips, a file with any bad row writes nothing and names
// every bad cell by row and column in both languages, a good file applies every row.
func TestBulkAllOrNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		towns := []string{town}
		ids := f.adopt(t, results.Chosen{Town: town, Year: 2025, Source: "seed:1", Title: "精品小区建设", Department: "xj-housing"},
			results.Chosen{Town: town, Year: 2025, Source: "seed:2", Title: "社区生境花园建设", Department: "xj-sanitation"})
		child, err := f.svc.Create(ctx, towns, results.Chosen{Year: 2025, Title: "刘家宅一村", ParentID: ids[0]}, f.admin)
		if err != nil {
			t.Fatal(err)
		}
		// The template: a header and one row per result, readable back.
		var tpl bytes.Buffer
		if err := f.svc.WriteTemplate(ctx, &tpl, towns, 2025, f.admin, "zh"); err != nil {
			t.Fatal(err)
		}
		rows, err := results.ReadBulk(&tpl)
		if err != nil || len(rows) != 3 {
			t.Fatalf("template read back: %d rows, %v", len(rows), err)
		}
		if plan, err := f.svc.Plan(ctx, towns, 2025, rows, f.admin); err != nil || len(plan) != 0 {
			t.Errorf("the untouched template changes %v, %v", plan, err)
		}
		id := func(i int64) string { return fmt.Sprint(i) }
		bad := bulkFile(t,
			[]string{id(child.ID), "", "", "55", "推进中", "完成外立面", "2025-06-20"},
			[]string{id(ids[1]), "", "", "abc", "", "", ""},
			[]string{"999999", "", "", "10", "", "", ""},
			[]string{id(ids[1]), "", "", "", "半途而废", "", "2025/13/01"},
			[]string{id(ids[0]), "", "", "80", "", "", ""},
		)
		rows, err = results.ReadBulk(bad)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Apply(ctx, towns, 2025, rows, f.admin)
		var be results.BulkErrors
		if !errors.As(err, &be) || !errors.Is(err, problem.ErrInvalid) {
			t.Fatalf("bad file: %v", err)
		}
		want := map[string]bool{"3 D": true, "4 A": true, "5 A": true, "5 E": false, "5 G": false, "6 D": true}
		got := map[string]bool{}
		for _, e := range be {
			got[fmt.Sprintf("%d %s", e.Row, e.Column)] = true
			if e.ZH == "" || e.EN == "" || !strings.Contains(e.Message("zh"), fmt.Sprintf("第 %d 行 %s 列", e.Row, e.Column)) ||
				!strings.Contains(e.Message("en"), fmt.Sprintf("row %d, column %s", e.Row, e.Column)) {
				t.Errorf("message %+v", e)
			}
		}
		// Row 5 is a duplicate id (ids[1] again on row 3): named on its id, its other cells unread.
		delete(want, "5 E")
		delete(want, "5 G")
		for k := range want {
			if !got[k] {
				t.Errorf("no error at row/column %s; got %v", k, got)
			}
		}
		if len(got) != len(want) {
			t.Errorf("errors at %v, want %v", got, want)
		}
		if p := f.progress(t, child.ID); p != 0 {
			t.Errorf("a bad file wrote progress %v of its good row", p)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM result_timeline WHERE kind = 'update'`); n != 0 {
			t.Errorf("%d timeline entries after a bad file", n)
		}
		// A handler may not update another department's result through a file.
		rows, _ = results.ReadBulk(bulkFile(t, []string{id(ids[1]), "", "", "10", "", "", ""}))
		if _, err := f.svc.Apply(ctx, towns, 2025, rows, f.handler); !errors.As(err, &be) || be[0].Column != "A" {
			t.Errorf("handler, other department: %v", err)
		}
		// A good file applies every row, with its day and note.
		rows, _ = results.ReadBulk(bulkFile(t,
			[]string{id(child.ID), "", "", "55%", "推进中", "完成外立面", "2025/6/20"},
			[]string{id(ids[1]), "", "", "30", "In progress", "", ""},
		))
		plan, err := f.svc.Plan(ctx, towns, 2025, rows, f.admin)
		if err != nil || len(plan) != 2 || plan[0].ToProgress != 55 || plan[0].Day != "2025-06-20" || plan[1].ToStatus != results.StatusInProgress {
			t.Fatalf("plan %+v %v", plan, err)
		}
		if p := f.progress(t, child.ID); p != 0 {
			t.Errorf("the preview wrote progress %v", p)
		}
		if _, err := f.svc.Apply(ctx, towns, 2025, rows, f.admin); err != nil {
			t.Fatal(err)
		}
		if f.progress(t, child.ID) != 55 || f.progress(t, ids[0]) != 55 || f.progress(t, ids[1]) != 30 {
			t.Errorf("after apply: %v %v %v", f.progress(t, child.ID), f.progress(t, ids[0]), f.progress(t, ids[1]))
		}
		// Not an xlsx, and a wrong header.
		if _, err := results.ReadBulk(strings.NewReader("id,progress\n1,2\n")); !errors.As(err, &be) {
			t.Errorf("csv: %v", err)
		}
	})
}

func (f *fixture) openRating(t *testing.T, id int64, opens, closes string) {
	t.Helper()
	r, err := f.svc.Get(context.Background(), []string{town}, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Update(context.Background(), []string{town}, id, results.Edit{Title: r.Title, Department: r.Department, BudgetFen: r.BudgetFen,
		Weight: r.Weight, RatingOpens: opens, RatingCloses: closes}, f.admin); err != nil {
		t.Fatal(err)
	}
}

// One rating per person per result, inside the window; a concurrent double rating counts once;
// no stored row or output joins the rater to the grade.
func TestRatingOncePerPerson(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		towns := []string{town}
		id := f.adopt(t, results.Chosen{Town: town, Year: 2025, Source: "seed:1", Title: "健身点设施更新"})[0]
		if err := f.svc.Rate(ctx, towns, id, results.GradeSatisfied, f.resident); !errors.Is(err, problem.ErrConflict) {
			t.Errorf("before the window: %v", err)
		}
		f.openRating(t, id, "2025-06-25", "2025-07-10")
		if err := f.svc.Rate(ctx, towns, id, "great", f.resident); problem.FieldOf(err) != "grade" {
			t.Errorf("bad grade: %v", err)
		}
		if err := f.svc.Rate(ctx, towns, id, results.GradeSatisfied, f.handler); !errors.Is(err, problem.ErrForbidden) {
			t.Errorf("a handler rating: %v", err)
		}
		if err := f.svc.Rate(ctx, []string{"310105103"}, id, results.GradeSatisfied, f.resident); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("another town's resident: %v", err)
		}
		// The same deputy twice at once: one counts, the other is told they rated already.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = f.svc.Rate(ctx, towns, id, results.GradeDissatisfied, f.deputy)
			}()
		}
		wg.Wait()
		ok, dup := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, results.ErrRatedAlready):
				dup++
			default:
				t.Errorf("concurrent rating: %v", err)
			}
		}
		if ok != 1 || dup != 1 {
			t.Errorf("concurrent double rating: %d counted, %d refused", ok, dup)
		}
		if err := f.svc.Rate(ctx, towns, id, results.GradeBasic, f.resident); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Rate(ctx, towns, id, results.GradeSatisfied, f.resident); !errors.Is(err, results.ErrRatedAlready) {
			t.Errorf("second rating: %v", err)
		}
		if rated, _ := f.svc.Rated(ctx, id, f.resident); !rated {
			t.Error("Rated says the resident has not rated")
		}
		if rated, _ := f.svc.Rated(ctx, id, f.r2); rated {
			t.Error("Rated says resident2 has rated")
		}
		tl, _ := f.svc.Tallies(ctx, []int64{id})
		if got := tl[id]; got.Total != 2 || got.Dissatisfied != 1 || got.Basic != 1 || got.Deputies != 1 || got.Residents != 1 || got.Share != 50 {
			t.Errorf("tally %+v", got)
		}
		// Anonymity: the ratings table has no column holding a user id or name, and no audit row
		// names a grade.
		rows, err := db.Query(ctx, `SELECT result_id, rater, rater_kind, grade FROM result_ratings`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var rid int64
			var rater, kind, grade string
			if err := rows.Scan(&rid, &rater, &kind, &grade); err != nil {
				t.Fatal(err)
			}
			for _, u := range []auth.User{f.resident, f.deputy} {
				if rater == fmt.Sprint(u.ID) || strings.Contains(rater, u.Username) || len(rater) != 64 {
					t.Errorf("rater %q names user %d", rater, u.ID)
				}
			}
		}
		rows.Close()
		for _, g := range []string{"satisfied", "basic", "dissatisfied", "满意"} {
			if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE detail LIKE ?`, "%"+g+"%"); n != 0 {
				t.Errorf("%d audit rows mention %s", n, g)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'rate'`); n != 2 {
			t.Errorf("%d rate audit rows, want 2", n)
		}
		// The window closes.
		f.day = time.Date(2025, 7, 11, 9, 0, 0, 0, workcal.Location())
		if err := f.svc.Rate(ctx, towns, id, results.GradeSatisfied, f.r2); !errors.Is(err, problem.ErrConflict) {
			t.Errorf("after the window: %v", err)
		}
	})
}

// Judge, by hand: threshold 30 %, at least 10 ratings.
func TestJudge(t *testing.T) {
	rules := results.Rules{Threshold: 30, MinRatings: 10}
	for _, tc := range []struct {
		dis, total      int
		judged, rectify bool
	}{
		{3, 9, false, false},  // too few
		{3, 10, true, false},  // 30 % is not above 30 %
		{4, 10, true, true},   // 40 %
		{31, 100, true, true}, // 31 %
		{0, 50, true, false},
	} {
		j, r := results.Judge(rules, results.Tally{Dissatisfied: tc.dis, Total: tc.total})
		if j != tc.judged || r != tc.rectify {
			t.Errorf("%d/%d: judged %v rectify %v, want %v %v", tc.dis, tc.total, j, r, tc.judged, tc.rectify)
		}
	}
}

// The evaluation sends a project with too many 不满意 back for 整改 with a reason on its timeline;
// the threshold is the town's setting.
func TestEvaluationSendsBack(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		towns := []string{town}
		ids := f.adopt(t, results.Chosen{Town: town, Year: 2025, Source: "seed:1", Title: "健身点设施更新"},
			results.Chosen{Town: town, Year: 2025, Source: "seed:2", Title: "“江南文化”进社区"})
		if _, err := db.Exec(ctx, `INSERT INTO settings (town_code, key, value) VALUES (?, ?, '25'), (?, ?, '4')`,
			town, results.SettingThreshold, town, results.SettingMinRatings); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			f.openRating(t, id, "2025-06-25", "2025-07-10")
		}
		// Project 1: 2 of 5 dissatisfied (40 % > 25 %); project 2: 1 of 5 (20 %).
		var raters []auth.User
		for i := range 5 {
			u, err := auth.CreateUser(ctx, db, auth.NewUser{Username: fmt.Sprintf("r%d", i), DisplayName: "r", Role: auth.RoleResident, TownCode: town, Password: "password-x"}, "test")
			if err != nil {
				t.Fatal(err)
			}
			raters = append(raters, u)
		}
		for i, u := range raters {
			g1, g2 := results.GradeSatisfied, results.GradeBasic
			if i < 2 {
				g1 = results.GradeDissatisfied
			}
			if i == 4 {
				g2 = results.GradeDissatisfied
			}
			if err := f.svc.Rate(ctx, towns, ids[0], g1, u); err != nil {
				t.Fatal(err)
			}
			if err := f.svc.Rate(ctx, towns, ids[1], g2, u); err != nil {
				t.Fatal(err)
			}
		}
		// Before the window closes nothing is judged.
		if vs, err := f.svc.Evaluate(ctx, towns, town, 2025, "", f.admin); err != nil || len(vs) != 0 {
			t.Errorf("evaluation inside the window: %+v %v", vs, err)
		}
		if _, err := f.svc.Evaluate(ctx, towns, town, 2025, "", f.handler); !errors.Is(err, problem.ErrForbidden) {
			t.Errorf("a handler evaluating: %v", err)
		}
		f.day = time.Date(2025, 7, 11, 9, 0, 0, 0, workcal.Location())
		vs, err := f.svc.Evaluate(ctx, towns, town, 2025, "请镇文体中心会同居委会落实整改。", f.admin)
		if err != nil || len(vs) != 2 {
			t.Fatalf("evaluation: %+v %v", vs, err)
		}
		if !vs[0].Rectify || vs[1].Rectify || !vs[1].Judged {
			t.Errorf("verdicts %+v", vs)
		}
		r, _ := f.svc.Get(ctx, towns, ids[0])
		if r.Status != results.StatusRectifying {
			t.Errorf("status %s", r.Status)
		}
		tl, _ := f.svc.Timeline(ctx, towns, ids[0])
		if len(tl) == 0 || tl[0].Kind != results.KindRectify || !strings.Contains(tl[0].Body, "2/5") || !strings.Contains(tl[0].Body, "落实整改") {
			t.Errorf("timeline %+v", tl)
		}
		// Again: already 整改中, nothing new.
		vs, _ = f.svc.Evaluate(ctx, towns, town, 2025, "", f.admin)
		if vs[0].Rectify {
			t.Error("sent back twice")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'rectify'`); n != 1 {
			t.Errorf("%d rectify audit rows", n)
		}
	})
}

// The report as of a day: progress and status from the timeline by then, parents from their
// parts, milestones done and overdue by then.
func TestReportAsOf(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		towns := []string{town}
		f.day = time.Date(2025, 3, 1, 9, 0, 0, 0, workcal.Location())
		root := f.adopt(t, results.Chosen{Town: town, Year: 2025, Source: "seed:1", Title: "精品小区建设", Department: "xj-housing", BudgetFen: 300_000_000})[0]
		a, _ := f.svc.Create(ctx, towns, results.Chosen{Year: 2025, Title: "A", ParentID: root, Weight: 1}, f.admin)
		b, _ := f.svc.Create(ctx, towns, results.Chosen{Year: 2025, Title: "B", ParentID: root, Weight: 3}, f.admin)
		m, _ := f.svc.AddMilestone(ctx, towns, root, results.NewMilestone{Title: "开工", Planned: "2025-05-30"}, f.admin)
		f.svc.AddMilestone(ctx, towns, root, results.NewMilestone{Title: "完工", Planned: "2025-06-27"}, f.admin)
		f.day = time.Date(2025, 9, 1, 9, 0, 0, 0, workcal.Location())
		rec := func(id int64, p float64, day, st string) {
			if _, err := f.svc.Record(ctx, towns, id, results.Change{Progress: &p, Day: day, Status: st, Note: "进展 " + day}, f.admin); err != nil {
				t.Fatal(err)
			}
		}
		rec(a.ID, 40, "2025-05-10", "in_progress")
		rec(b.ID, 20, "2025-06-15", "in_progress")
		rec(a.ID, 100, "2025-08-01", "done") // after the half year
		f.svc.SetMilestone(ctx, towns, m.ID, results.MilestoneChange{Done: "2025-05-28"}, f.admin)
		rep, err := f.svc.Report(ctx, towns, town, results.Period{Year: 2025, Half: true})
		if err != nil {
			t.Fatal(err)
		}
		if rep.AsOf != "2025-06-30" || len(rep.Rows) != 3 || rep.Totals.Projects != 1 || rep.Totals.BudgetFen != 300_000_000 {
			t.Fatalf("report %+v", rep)
		}
		// Root as of 30 June: (1·40 + 3·20)/4 = 25; now: (1·100 + 3·20)/4 = 40.
		if rep.Rows[0].Progress != 25 || rep.Rows[1].Progress != 40 || rep.Rows[1].Status != "in_progress" {
			t.Errorf("rows %+v", rep.Rows)
		}
		if f.progress(t, root) != 40 {
			t.Errorf("current root %v", f.progress(t, root))
		}
		// 完工 planned 27 June (a Friday) and not done: overdue on 30 June.
		if r := rep.Rows[0]; r.Done != 1 || r.Total != 2 || r.Overdue != 1 || r.Latest == nil {
			t.Errorf("root row %+v", r)
		}
		var x bytes.Buffer
		if err := rep.WriteXLSX(&x, "zh"); err != nil {
			t.Fatal(err)
		}
		book, err := excelize.OpenReader(&x)
		if err != nil {
			t.Fatal(err)
		}
		cells, _ := book.GetRows(book.GetSheetList()[0])
		if len(cells) != 6 || cells[2][1] != "精品小区建设" || cells[2][3] != "300.00" || cells[2][4] != "25.0%" {
			t.Errorf("xlsx rows %q", cells)
		}
	})
}
