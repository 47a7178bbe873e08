package party

import (
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/campaigns"
	"github.com/civicgrid/civicgrid/internal/workcal"
)

// The rotation rule: order of joining (then of entry), starting after the current convener,
// wrapping round, skipping units that left or had not joined on the day.
func TestNextInTurn(t *testing.T) {
	units := []Unit{
		{ID: 4, Name: "D", Joined: "2021-03-01"},
		{ID: 1, Name: "A", Joined: "2019-05-01"},
		{ID: 2, Name: "B", Joined: "2019-05-01"},
		{ID: 3, Name: "C", Joined: "2020-01-01", Left: "2024-06-30"},
		{ID: 5, Name: "E", Joined: "2026-01-01"},
	}
	cases := []struct {
		name    string
		current int64
		day     string
		want    string
	}{
		{"no convener yet: the first to join", 0, "2023-01-01", "A"},
		{"same joining day: order of entry", 1, "2023-01-01", "B"},
		{"next in joining order", 2, "2023-01-01", "C"},
		{"a unit that left is skipped", 2, "2025-01-01", "D"},
		{"the day it leaves it is gone", 2, "2024-06-30", "D"},
		{"the day before it leaves it still counts", 2, "2024-06-29", "C"},
		{"wraps round to the first", 4, "2025-01-01", "A"},
		{"a unit not yet joined is skipped", 4, "2025-12-31", "A"},
		{"a unit that joined takes its place in the order", 4, "2026-01-01", "E"},
		{"after the newest, round again", 5, "2026-02-01", "A"},
		{"a convener that left hands over by its place in the order", 3, "2025-01-01", "D"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := NextInTurn(units, c.current, c.day)
			if !ok || got.Name != c.want {
				t.Errorf("NextInTurn(current %d, %s) = %q %v, want %q", c.current, c.day, got.Name, ok, c.want)
			}
		})
	}
	if _, ok := NextInTurn([]Unit{{ID: 1, Joined: "2020-01-01", Left: "2021-01-01"}}, 1, "2022-01-01"); ok {
		t.Error("no member left: want none")
	}
	if u, ok := NextInTurn([]Unit{{ID: 7, Name: "only", Joined: "2020-01-01"}}, 7, "2022-01-01"); !ok || u.ID != 7 {
		t.Errorf("the only member stays convener, got %v %v", u, ok)
	}
}

// 光荣在党50年 at the boundary: full membership on July 1 fifty years before the year's July 1
// holds the medal that year; a day later waits a year.
func TestHonoursAtTheBoundary(t *testing.T) {
	d := func(s string) time.Time {
		x, err := time.ParseInLocation(DateLayout, s, workcal.Location())
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	cases := []struct {
		joined         string
		year           int
		holds, awarded bool
		standing       int
	}{
		{"1975-07-01", 2025, true, true, 50},
		{"1975-07-02", 2025, false, false, 49},
		{"1975-07-02", 2026, true, true, 50},
		{"1974-07-02", 2025, true, true, 50},  // reached 50 on 2024-07-02: after 2024's July 1, so 2025's award
		{"1974-07-01", 2025, true, false, 51}, // reached it by 2024-07-01: awarded in 2024
		{"1960-03-01", 2021, true, true, 61},  // 2021: every holder was awarded
		{"1960-03-01", 2022, true, false, 62},
		{"1971-07-01", 2020, false, false, 49}, // before the medal existed
		{"2000-01-01", 2025, false, false, 25},
	}
	for _, c := range cases {
		j := d(c.joined)
		if got := HoldsHonour(j, c.year); got != c.holds {
			t.Errorf("HoldsHonour(%s, %d) = %v, want %v", c.joined, c.year, got, c.holds)
		}
		if got := AwardedIn(j, c.year); got != c.awarded {
			t.Errorf("AwardedIn(%s, %d) = %v, want %v", c.joined, c.year, got, c.awarded)
		}
		if got := Standing(j, c.year); got != c.standing {
			t.Errorf("Standing(%s, %d) = %d, want %d", c.joined, c.year, got, c.standing)
		}
	}
	if HonourYear(d("2026-06-30")) != 2025 || HonourYear(d("2026-07-01")) != 2026 {
		t.Error("HonourYear: the year's awards are given on July 1")
	}
}

// Coverage figures on a hand-built town of seven entities in two grids, counted by hand.
func TestCoverageOnAHandBuiltTown(t *testing.T) {
	visit := func(day, status string) campaigns.TargetVisit {
		at, _ := time.ParseInLocation(DateLayout, day, workcal.Location())
		return campaigns.TargetVisit{VisitedAt: at.Add(10 * time.Hour), Status: status}
	}
	es := []Entity{
		// G1: full since 2026-03-10 (org 02-01, liaison 03-01, activity 03-10).
		{Name: "楼宇甲", Kind: "office_building", Grid: "G1", ListedOn: "2026-01-01", OrgID: 1, OrgSince: "2026-02-01", Liaison: "联络员", LiaisonSince: "2026-03-01",
			Activities: []Activity{{HeldOn: "2026-03-10", Kind: "activity"}}},
		// G1: organisation only.
		{Name: "企业乙", Kind: "enterprise", Grid: "G1", ListedOn: "2026-01-01", OrgID: 1, OrgSince: "2026-01-15"},
		// G1: work only, through a visited campaign visit on 04-02 (a not-home visit before does not count).
		{Name: "商户丙", Kind: "merchant_group", Grid: "G1", ListedOn: "2026-02-01", Liaison: "联络员", LiaisonSince: "2026-02-01",
			Visits: []campaigns.TargetVisit{visit("2026-03-01", campaigns.StatusNotHome), visit("2026-04-02", campaigns.StatusVisited)}},
		// G1: a liaison but nothing reached it: no work coverage.
		{Name: "骑手丁", Kind: "new_employment", Grid: "G1", ListedOn: "2026-02-01", Liaison: "联络员", LiaisonSince: "2026-02-01"},
		// G2: full since 05-20 (activity before the liaison counts once the liaison is there).
		{Name: "楼宇戊", Kind: "office_building", Grid: "G2", ListedOn: "2026-01-01", OrgID: 2, OrgSince: "2026-05-01", Liaison: "联络员", LiaisonSince: "2026-05-20",
			Activities: []Activity{{HeldOn: "2026-04-01", Kind: "service"}}},
		// G2: nothing.
		{Name: "企业己", Kind: "enterprise", Grid: "G2", ListedOn: "2026-01-01"},
		// G2: listed only in June: out of scope before.
		{Name: "快递庚", Kind: "new_employment", Grid: "G2", ListedOn: "2026-06-01", OrgID: 2, OrgSince: "2026-06-01", Liaison: "联络员", LiaisonSince: "2026-06-01",
			Activities: []Activity{{HeldOn: "2026-06-03", Kind: "activity"}}},
	}
	cases := []struct {
		day  string
		want Figures
	}{
		{"2026-01-31", Figures{Entities: 4, Org: 1, Work: 0, Full: 0, OrgPct: 25, WorkPct: 0, FullPct: 0}},
		{"2026-03-31", Figures{Entities: 6, Org: 2, Work: 1, Full: 1, OrgPct: 33.3, WorkPct: 16.7, FullPct: 16.7}},
		{"2026-04-30", Figures{Entities: 6, Org: 2, Work: 2, Full: 1, OrgPct: 33.3, WorkPct: 33.3, FullPct: 16.7}},
		{"2026-05-31", Figures{Entities: 6, Org: 3, Work: 3, Full: 2, OrgPct: 50, WorkPct: 50, FullPct: 33.3}},
		{"2026-06-30", Figures{Entities: 7, Org: 4, Work: 4, Full: 3, OrgPct: 57.1, WorkPct: 57.1, FullPct: 42.9}},
	}
	for _, c := range cases {
		if got := Compute(es, c.day); got != c.want {
			t.Errorf("Compute on %s = %+v, want %+v", c.day, got, c.want)
		}
	}
	r := Build("T", "2026-06-30", es, []GridFigures{{Grid: "G1", GridName: "一"}, {Grid: "G2", GridName: "二"}}, 6)
	if g := r.ByGrid[0].Figures; g.Entities != 4 || g.Full != 1 || g.FullPct != 25 {
		t.Errorf("G1 = %+v, want 4 entities, 1 full, 25%%", g)
	}
	if g := r.ByGrid[1].Figures; g.Entities != 3 || g.Full != 2 || g.FullPct != 66.7 {
		t.Errorf("G2 = %+v, want 3 entities, 2 full, 66.7%%", g)
	}
	if len(r.Trend) != 6 || r.Trend[0].Month != "2026-01" || r.Trend[0].Day != "2026-01-31" || r.Trend[5].Full != 3 || r.Trend[2].Full != 1 {
		t.Errorf("trend = %+v", r.Trend)
	}
	var gaps []string
	for _, g := range r.Gaps {
		gaps = append(gaps, g.Name)
	}
	if want := []string{"企业乙", "商户丙", "骑手丁", "企业己"}; len(gaps) != len(want) {
		t.Errorf("gaps = %v, want %v", gaps, want)
	} else {
		for i := range want {
			if gaps[i] != want[i] {
				t.Errorf("gaps = %v, want %v", gaps, want)
				break
			}
		}
	}
	for _, k := range r.ByKind {
		if k.Kind == "office_building" && (k.Entities != 2 || k.Full != 2) {
			t.Errorf("office buildings = %+v, want 2 of 2 full", k.Figures)
		}
	}
}
