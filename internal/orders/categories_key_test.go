package orders_test

import (
	"testing"

	"github.com/civicgrid/civicgrid/internal/orders"
)

// CategoriesByKey reads exactly the (town, code) pairs asked for — the same code of another town
// is not read — and keeps the retired ones apart, whose names closed orders still show.
func TestCategoriesByKey(t *testing.T) {
	each(t, at("2025-06-02 10:00"), func(t *testing.T, e env) {
		for _, c := range []struct{ town, code, name string }{
			{e.f.Town, "K1", "甲镇类"}, {e.f.OtherTown, "K1", "乙镇类"}, {e.f.Town, "K2", "甲镇另类"},
		} {
			if _, err := e.db.Exec(ctx, `INSERT INTO categories (town_code, code, name) VALUES (?, ?, ?)`, c.town, c.code, c.name); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.db.Exec(ctx, `INSERT INTO categories (town_code, code, name, retired) VALUES (?, 'K0', '旧类', 1)`, e.f.Town); err != nil {
			t.Fatal(err)
		}
		inUse, retired, err := e.s.CategoriesByKey(ctx, []orders.CategoryKey{{Town: e.f.Town, Code: "K1"}, {Town: e.f.Town, Code: "K0"}, {Town: e.f.Town, Code: "nope"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(inUse) != 1 || inUse[0].Name != "甲镇类" || inUse[0].TownCode != e.f.Town {
			t.Errorf("in use = %+v, want 新泾镇's K1 alone", inUse)
		}
		if len(retired) != 1 || retired[0].Name != "旧类" {
			t.Errorf("retired = %+v, want K0", retired)
		}
		if inUse, retired, err := e.s.CategoriesByKey(ctx, nil); err != nil || len(inUse)+len(retired) != 0 {
			t.Errorf("no keys: %v %v %v", inUse, retired, err)
		}
	})
}
