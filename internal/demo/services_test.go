package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/demo"
	"github.com/civicgrid/civicgrid/internal/demo/world"
	"github.com/civicgrid/civicgrid/internal/services"
	"github.com/civicgrid/civicgrid/internal/store"
	"github.com/civicgrid/civicgrid/internal/store/testdb"
)

// TestDemoServices: the catalogue demo loads (twice, idempotently) on both databases with the
// seed's 5 aspects, 28 categories and 76 items of the 泾彩满格 pack, the 健康之翼 list by life
// stage with 同仁医院 and the community health centre, and about twenty requests in every state,
// some overdue, some 代办.
func TestDemoServices(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now()
		for range 2 {
			if _, err := demo.Load(ctx, db, quiet, demo.Services(now)); err != nil {
				t.Fatal(err)
			}
		}
		s := &services.Service{DB: db}
		tree, err := s.Catalogue(ctx, world.XinjingCode, services.CatalogueJingcai, false)
		if err != nil {
			t.Fatal(err)
		}
		if n := services.Count(tree); n != (services.Counts{Aspects: 5, Categories: 28, Items: 76}) {
			t.Fatalf("泾彩满格: %+v; want 5/28/76", n)
		}
		wantAspects := []string{"“初心领航”服务", "楼宇服务", "街区服务", "集体企业服务", "“最虹桥”党建联建平台服务"}
		for i, a := range tree {
			if a.Name != wantAspects[i] || a.Illustrative {
				t.Errorf("aspect %d: %q illustrative=%v; want the seed's %q", i, a.Name, a.Illustrative, wantAspects[i])
			}
			for _, c := range a.Categories {
				if !c.Illustrative {
					t.Errorf("category %s not marked illustrative", c.Name)
				}
			}
		}
		h, err := s.Catalogue(ctx, world.XinjingCode, services.CatalogueHealth, false)
		if err != nil || len(h) != 5 || h[0].Name != "婴幼儿（0–3岁）" || h[4].Name != "老年人" {
			t.Fatalf("健康之翼 by life stage: %d aspects %v", len(h), err)
		}
		units := map[string]bool{}
		for _, a := range h {
			for _, c := range a.Categories {
				for _, it := range c.Items {
					units[it.Unit] = true
				}
			}
		}
		if !units["上海市同仁医院"] || !units["新泾社区卫生服务中心"] {
			t.Errorf("health providers: %v", units)
		}
		admin, err := auth.UserByUsername(ctx, db, "admin")
		if err != nil {
			t.Fatal(err)
		}
		list, err := s.List(ctx, []string{world.XinjingCode}, admin, services.Filter{})
		if err != nil || len(list) != 20 {
			t.Fatalf("demo requests: %d %v", len(list), err)
		}
		states, overdue, behalf := map[services.State]int{}, 0, 0
		for _, q := range list {
			states[q.State]++
			if q.Overdue {
				overdue++
			}
			if q.OnBehalf {
				behalf++
			}
		}
		for _, st := range []services.State{services.Received, services.Accepted, services.Delivered, services.Confirmed, services.Rated, services.Refused, services.Cancelled} {
			if states[st] == 0 {
				t.Errorf("no demo request %s: %v", st, states)
			}
		}
		if overdue == 0 || behalf < 5 {
			t.Errorf("overdue %d, 代办 %d", overdue, behalf)
		}
	})
}

// TestDemoServicesEnglish: every aspect, category and active item of the demo catalogue (both
// lists) has an English name, so that English pages show no Chinese names.
func TestDemoServicesEnglish(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, db, quiet, demo.Services(time.Now())); err != nil {
			t.Fatal(err)
		}
		for _, q := range []struct{ what, sql string }{
			{"aspects", `SELECT name FROM service_aspects WHERE town_code = ? AND name_en = ''`},
			{"categories", `SELECT c.name FROM service_categories c JOIN service_aspects a ON a.id = c.aspect_id WHERE a.town_code = ? AND c.name_en = ''`},
			{"items", `SELECT name FROM service_items WHERE town_code = ? AND active = 1 AND name_en = ''`},
		} {
			rows, err := db.Query(ctx, q.sql, world.XinjingCode)
			if err != nil {
				t.Fatal(err)
			}
			var missing []string
			for rows.Next() {
				var name string
				if err := rows.Scan(&name); err != nil {
					t.Fatal(err)
				}
				missing = append(missing, name)
			}
			if err := rows.Close(); err != nil {
				t.Fatal(err)
			}
			if len(missing) > 0 {
				t.Errorf("%d %s without an English name: %v", len(missing), q.what, missing)
			}
		}
		var items int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM service_items WHERE town_code = ? AND active = 1`, world.XinjingCode).Scan(&items); err != nil || items < 76+16 {
			t.Fatalf("%d active items (want the 76 and the health list): %v", items, err)
		}
	})
}
