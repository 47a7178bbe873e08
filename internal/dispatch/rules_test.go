package dispatch

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/audit"
	"github.com/civicgrid/civicgrid/internal/orders"
	"github.com/civicgrid/civicgrid/internal/problem"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

var testCats = []orders.Category{
	{Code: "11", Name: "噪声油烟"},
	{Code: "1101", Parent: "11", Name: "噪声扰民", DeadlineClass: "general", Department: "committee"},
	{Code: "1102", Parent: "11", Name: "油烟扰民", DeadlineClass: "general", Department: "market"},
	{Code: "14", Name: "治安"},
	{Code: "1402", Parent: "14", Name: "治安隐患", DeadlineClass: "general"},
	{Code: "17", Name: "咨询"},
	{Code: "1701", Parent: "17", Name: "政策咨询", DeadlineClass: "consult"},
}

func at(hour, minute int) time.Time { return time.Date(2026, 11, 30, hour, minute, 0, 0, Shanghai) }

// The engine: a leaf rule beats its top class, a grid rule beats a town-wide one, a time window
// beats all day (and wraps past midnight), a category's own department comes before the fallback,
// the fallback (属地兜底) takes what nothing else does, and a disabled rule is ignored.
func TestEngineSuggest(t *testing.T) {
	rules := []Rule{
		{ID: 1, Category: "14", Lead: "police-xj", Enabled: true},
		{ID: 2, Category: "14", Grid: "G5", Lead: "police-lk", Enabled: true},
		{ID: 3, Category: "1101", FromMinute: 22 * 60, ToMinute: 6 * 60, Lead: "police-xj", Co: []string{"committee"}, Enabled: true},
		{ID: 4, Category: "", Lead: "town-office", Enabled: true},
		{ID: 5, Category: "", Grid: "G5", Lead: "committee-g5", Enabled: true},
		{ID: 6, Category: "1701", Lead: "nobody", Enabled: false},
		{ID: 7, Category: "1402", DeadlineClass: "complex", Lead: "police-xj", Co: []string{"property"}, Enabled: true},
	}
	e := NewEngine(rules, testCats)
	cases := []struct {
		name, category, grid string
		t                    time.Time
		lead, by, deadline   string
		rule                 int64
		matched              []string
	}{
		{"leaf rule beats its top class", "1402", "G1", at(10, 0), "police-xj", ByRule, "complex", 7, []string{"category"}},
		{"top class rule, town-wide", "14", "G1", at(10, 0), "police-xj", ByRule, "", 1, []string{"category"}},
		{"grid rule beats town-wide", "14", "G5", at(10, 0), "police-lk", ByRule, "", 2, []string{"category", "grid"}},
		{"night noise goes to the police", "1101", "G1", at(23, 30), "police-xj", ByRule, "general", 3, []string{"category", "time"}},
		{"after midnight too (the window wraps)", "1101", "G1", at(5, 59), "police-xj", ByRule, "general", 3, []string{"category", "time"}},
		{"daytime noise: the category's department", "1101", "G1", at(6, 0), "committee", ByCategory, "general", 0, []string{"category"}},
		{"no rule, no department: town-wide fallback", "1701", "G1", at(10, 0), "town-office", ByFallback, "consult", 4, []string{}},
		{"no rule, no department: the grid's fallback", "1701", "G5", at(10, 0), "committee-g5", ByFallback, "consult", 5, []string{"grid"}},
		{"no category at all: fallback", "", "G1", at(10, 0), "town-office", ByFallback, "", 4, []string{}},
	}
	for _, c := range cases {
		s := e.Suggest(c.category, c.grid, c.t)
		var rule int64
		if s.Rule != nil {
			rule = s.Rule.ID
		}
		if s.Lead != c.lead || s.By != c.by || s.DeadlineClass != c.deadline || rule != c.rule || !slices.Equal(s.Matched, c.matched) {
			t.Errorf("%s: got lead %q by %s deadline %q rule %d matched %v; want %q %s %q %d %v", c.name,
				s.Lead, s.By, s.DeadlineClass, rule, s.Matched, c.lead, c.by, c.deadline, c.rule, c.matched)
		}
	}
	if s := e.Suggest("1101", "G1", at(23, 0)); !slices.Equal(s.Co, []string{"committee"}) {
		t.Errorf("co-handlers of the night rule: %v", s.Co)
	}
	if s := NewEngine(nil, testCats).Suggest("1701", "G1", at(10, 0)); s.By != ByNothing || s.Lead != "" {
		t.Errorf("no rules at all: %+v, want nothing", s)
	}
}

// The store: a rule is saved, read back, updated and deleted only within its town; a rule naming
// a category, grid or department the town lacks is refused by field; co-handlers are bounded;
// every change is in the audit log.
func TestRulesStore(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, q := range []string{
			`INSERT INTO regions (code, name, level, tenant) VALUES ('T1', '新泾镇', 'town', 1)`,
			`INSERT INTO regions (code, name, level, tenant) VALUES ('T2', '陆家嘴街道', 'town', 1)`,
			`INSERT INTO grids (code, town_code, name, geometry, min_lng, min_lat, max_lng, max_lat, created_at, updated_at)
				VALUES ('T1-G1', 'T1', '第一网格', '{}', 0, 0, 1, 1, 0, 0)`,
			`INSERT INTO departments (code, town_code, name, kind, created_at) VALUES ('t1-police', 'T1', '派出所', 'police', 0)`,
			`INSERT INTO departments (code, town_code, name, kind, created_at) VALUES ('t1-office', 'T1', '党政办', 'office', 0)`,
			`INSERT INTO departments (code, town_code, name, kind, created_at) VALUES ('t2-police', 'T2', '派出所', 'police', 0)`,
			`INSERT INTO categories (town_code, code, parent_code, name) VALUES ('T1', '14', '', '治安')`,
		} {
			if _, err := db.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		by := audit.Actor{Name: "admin-test"}
		id, err := SaveRule(ctx, db, Rule{TownCode: "T1", Category: "14", Grid: "T1-G1", FromMinute: 22 * 60, ToMinute: 360,
			Lead: "t1-police", Co: []string{"t1-office", " t1-office "}, Note: "夜间由派出所牵头", Enabled: true}, by)
		if err != nil || id == 0 {
			t.Fatalf("save: %d, %v", id, err)
		}
		got, err := RuleByID(ctx, db, []string{"T1"}, id)
		if err != nil || got.Lead != "t1-police" || !slices.Equal(got.Co, []string{"t1-office"}) || got.FromMinute != 1320 || !got.Enabled || got.UpdatedBy != "admin-test" {
			t.Fatalf("read back: %+v, %v", got, err)
		}
		if _, err := RuleByID(ctx, db, []string{"T2"}, id); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("another town's rule: %v, want not found", err)
		}
		got.Enabled = false
		if _, err := SaveRule(ctx, db, got, by); err != nil {
			t.Fatalf("update: %v", err)
		}
		if got2, _ := RuleByID(ctx, db, []string{"T1"}, id); got2.Enabled {
			t.Error("update did not disable the rule")
		}
		if _, err := SaveRule(ctx, db, Rule{ID: id, TownCode: "T2", Lead: "t2-police"}, by); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("update through another town: %v, want not found", err)
		}
		many := make([]string, MaxCoHandlers+1)
		for i := range many {
			many[i] = string(rune('a' + i))
		}
		for _, c := range []struct {
			r     Rule
			field string
		}{
			{Rule{TownCode: "T1", Category: "99", Lead: "t1-police"}, "category"},
			{Rule{TownCode: "T1", Grid: "T2-G1", Lead: "t1-police"}, "grid"},
			{Rule{TownCode: "T1", Lead: "t2-police"}, "lead"},
			{Rule{TownCode: "T1", Lead: "t1-police", Co: []string{"t2-police"}}, "co"},
			{Rule{TownCode: "T1", Lead: "t1-police", Co: []string{"t1-police"}}, "co"},
			{Rule{TownCode: "T1", Lead: "t1-police", Co: many}, "co"},
			{Rule{TownCode: "T1", Lead: ""}, "lead"},
			{Rule{TownCode: "T1", Lead: "t1-police", FromMinute: 1440}, "from"},
			{Rule{TownCode: "T1", Lead: "t1-police", DeadlineClass: "someday"}, "deadline_class"},
		} {
			var fe *problem.FieldError
			if _, err := SaveRule(ctx, db, c.r, by); !errors.As(err, &fe) || fe.Field != c.field {
				t.Errorf("%+v: %v, want a field error on %s", c.r, err, c.field)
			}
		}
		if err := DeleteRule(ctx, db, []string{"T2"}, id, by); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("delete through another town: %v", err)
		}
		if err := DeleteRule(ctx, db, []string{"T1"}, id, by); err != nil {
			t.Fatal(err)
		}
		if rs, _ := Rules(ctx, db, []string{"T1", "T2"}); len(rs) != 0 {
			t.Errorf("after delete: %v", rs)
		}
		es, err := audit.List(ctx, db, audit.Filter{All: true, Entity: "dispatch_rule"})
		if err != nil || len(es) != 3 {
			t.Fatalf("audit: %d entries (%v), want create, update, delete", len(es), err)
		}
	})
}

// Keywords: the longer word decides, the category's name counts, top classes are never guessed,
// full-width text is folded, and nothing is guessed from a text without a known word.
func TestGuessByKeywords(t *testing.T) {
	cats := []orders.Category{
		{Code: "14", Name: "治安"},
		{Code: "1402", Parent: "14", Name: "治安隐患", Keywords: []string{"电瓶被盗", "被盗", "监控"}},
		{Code: "1403", Parent: "14", Name: "电动自行车违规充电", Keywords: []string{"飞线充电", "电瓶"}},
		{Code: "12", Name: "市政设施"},
		{Code: "1202", Parent: "12", Name: "窨井盖缺损", Keywords: []string{"井盖"}},
	}
	g := GuessByKeywords(cats, "小区近期多次发生电动车电瓶被盗，希望增设监控", 3)
	if len(g) != 2 || g[0].Category != "1402" || !slices.Equal(g[0].Words, []string{"电瓶被盗", "被盗", "监控"}) || g[1].Category != "1403" {
		t.Fatalf("battery theft: %+v", g)
	}
	if g := GuessByKeywords(cats, "人行道上ＡＢ井盖缺失", 3); len(g) != 1 || g[0].Category != "1202" {
		t.Errorf("manhole: %+v", g)
	}
	if g := GuessByKeywords(cats, "治安", 3); len(g) != 0 {
		t.Errorf("a top class's name alone: %+v, want nothing", g)
	}
	if g := GuessByKeywords(cats, "今天天气很好", 3); len(g) != 0 {
		t.Errorf("no known word: %+v", g)
	}
}
