package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/results"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// The half-year report to 新泾镇's congress of 11 July 2025, generated from the demo's tracked
// data as of 30 June: the ten projects, their progress (parents the weighted mean of their parts,
// computed by hand below), milestones done, late and overdue; and the year-end evaluation.
func TestDemoHalfYearReport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := demo.WorldWithResults(ctx, db, ""); err != nil {
			t.Fatal(err)
		}
		// Loading again adds nothing.
		if err := demo.WorldWithResults(ctx, db, ""); err != nil {
			t.Fatal(err)
		}
		// The ballot's publication adopted the ten (projects.OnChosen): nothing retyped.
		var adopted int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM results WHERE town_code = '310105102' AND year = 2025
			AND parent_id IS NULL AND source LIKE 'project:%'`).Scan(&adopted); err != nil || adopted != 10 {
			t.Errorf("%d results adopted from the ballot (%v), want 10", adopted, err)
		}
		svc := results.New(db)
		svc.Now = func() time.Time { return time.Date(2025, 7, 11, 9, 0, 0, 0, workcal.Location()) }
		rep, err := svc.Report(ctx, []string{"310105102"}, "310105102", results.Period{Year: 2025, Half: true})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]float64{
			// (3·55 + 2·20 + 2·15 + 1·10) / 8 = 245/8 = 30.625
			"精品小区建设": 30.6,
			// (50 + 45 + 100) / 3 = 65
			"社区生境花园建设": 65, "健身点设施更新": 65, "重度残疾人家庭无障碍设施改造": 53, "“江南文化”进社区": 55,
			"既有多层住宅加装电梯": 38, "社区长者助餐点建设": 45, "电动自行车集中充电设施建设": 35, "家庭医生签约服务提升": 50, "睦邻点服务提升": 40,
		}
		projects := 0
		for _, r := range rep.Rows {
			if r.ParentID != 0 {
				continue
			}
			projects++
			p, ok := want[r.Title]
			if !ok {
				t.Errorf("unexpected project %s", r.Title)
				continue
			}
			if r.Progress != p {
				t.Errorf("%s: %.1f%% as of 30 June, want %.1f%%", r.Title, r.Progress, p)
			}
			if r.Status != results.StatusInProgress {
				t.Errorf("%s: status %s on 30 June, want in_progress", r.Title, r.Status)
			}
			if r.Latest == nil || r.Latest.Day > "2025-06-30" {
				t.Errorf("%s: latest entry %+v", r.Title, r.Latest)
			}
		}
		if projects != 10 || rep.Totals.Projects != 10 || rep.AsOf != "2025-06-30" {
			t.Errorf("%d projects, totals %+v, as of %s", projects, rep.Totals, rep.AsOf)
		}
		// Mean of the ten: (30.625 + 65 + 65 + 53 + 55 + 38 + 45 + 35 + 50 + 40) / 10 = 47.6625
		if rep.Totals.Progress != 47.7 {
			t.Errorf("mean progress %.1f, want 47.7", rep.Totals.Progress)
		}
		// Milestones by 30 June: 11 of 24 done; 4 done late (施工招标, 全面开工 — due Monday 16
		// June —, two more); 睦邻点's first (20 June) overdue.
		if tt := rep.Totals; tt.Done != 11 || tt.Total != 24 || tt.Late != 4 || tt.Overdue != 1 {
			t.Errorf("milestones %d/%d, late %d, overdue %d; want 11/24, 4, 1", tt.Done, tt.Total, tt.Late, tt.Overdue)
		}
		if rep.Totals.BudgetFen != 5_250_000_000 { // 5,250 万元
			t.Errorf("budget %d fen", rep.Totals.BudgetFen)
		}
		// The year-end evaluation sent the charging points back (55 of 157 dissatisfied, 35 % > 30 %).
		list, err := svc.Year(ctx, []string{"310105102"}, 2025)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range list {
			if (r.Status == results.StatusRectifying) != (r.Title == "电动自行车集中充电设施建设") {
				t.Errorf("%s: status %s", r.Title, r.Status)
			}
		}
	})
}
